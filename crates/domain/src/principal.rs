//! Who is calling. Made at the HTTP edge from a verified token and passed to every
//! repository function, so no data access happens without a known caller.

use uuid::Uuid;

use crate::policy::{Audience, StaffRole};
use crate::region::RegionCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub username: String,
    pub audience: Audience,
    /// The region a staff member works in; they reach it and everything below.
    pub home_region: Option<RegionCode>,
}

impl Principal {
    pub fn anonymous() -> Self {
        Self {
            user_id: Uuid::nil(),
            username: String::new(),
            audience: Audience::Anonymous,
            home_region: None,
        }
    }

    pub fn staff(
        user_id: Uuid,
        username: impl Into<String>,
        role: StaffRole,
        home_region: RegionCode,
    ) -> Self {
        Self {
            user_id,
            username: username.into(),
            audience: Audience::Staff(role),
            home_region: Some(home_region),
        }
    }

    /// A principal for the command line and seeding: the whole registry, as a city admin
    /// of `city` would see it. Never handed to a network caller.
    pub fn system(city: RegionCode) -> Self {
        Self {
            user_id: Uuid::nil(),
            username: "system".into(),
            audience: Audience::Staff(StaffRole::CityAdmin),
            home_region: Some(city),
        }
    }

    pub fn is_authenticated(&self) -> bool {
        self.audience != Audience::Anonymous
    }
}
