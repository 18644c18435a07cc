//! Who is calling, as the API shows it, and what signing in returns.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use nuanxin_domain::{self as domain, Principal};

use crate::error::IntoGql;
use crate::loaders::RegionNames;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::StaffRole")]
pub enum StaffRole {
    CityAdmin,
    CountyAdmin,
    TownshipWorker,
    VillageWorker,
    Auditor,
    /// 心理咨询师
    Counsellor,
    /// 心理督导
    CounsellingSupervisor,
}

/// The kind of subject a caller is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::principal::SubjectKind")]
pub enum SubjectKind {
    Staff,
    Partner,
    FamilyMember,
    Volunteer,
}

/// The caller.
pub struct Me(pub Principal);

#[Object]
impl Me {
    /// The account (staff), app (partner), member or volunteer the token speaks for.
    async fn id(&self) -> ID {
        ID(self.0.actor_id().to_string())
    }
    async fn username(&self) -> String {
        self.0.actor_name()
    }
    async fn kind(&self) -> Option<SubjectKind> {
        self.0.kind().map(Into::into)
    }
    /// A family member's family (to open their own file with `family(id:)`).
    async fn family_id(&self) -> Option<ID> {
        match &self.0.subject {
            domain::Subject::FamilyMember { family, .. } => {
                Some(crate::ids::encode(crate::ids::Kind::Family, *family))
            }
            _ => None,
        }
    }
    /// Staff only.
    async fn role(&self) -> Option<StaffRole> {
        match &self.0.subject {
            domain::Subject::Staff { role, .. } => Some((*role).into()),
            _ => None,
        }
    }
    /// Staff only.
    async fn home_region_code(&self) -> Option<String> {
        self.0.home_region().map(|r| r.to_string())
    }
    async fn home_region_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let Some(code) = self.0.home_region() else {
            return Ok(None);
        };
        ctx.data::<RegionNames>()?
            .load_one(code.clone())
            .await
            .gql()
    }
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <token>`; valid for at most 15 minutes.
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    /// Single use: exchange it with `refreshToken` for a new pair. Keep it secret.
    pub refresh_token: String,
    pub refresh_token_expires_at: DateTime<Utc>,
    pub me: Me,
}
