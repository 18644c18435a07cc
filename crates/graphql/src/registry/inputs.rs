//! What the registry's mutations and filters take.

use async_graphql::InputObject;
use chrono::NaiveDate;

use crate::registry::objects::{FamilyStatus, MemberRole};

#[derive(InputObject, Default)]
pub struct FamilyFilter {
    /// Only families within this region (any level).
    pub region_code: Option<String>,
    pub status: Option<FamilyStatus>,
    /// The wife's (mother's) age today, inclusive.
    pub wife_age_min: Option<i32>,
    pub wife_age_max: Option<i32>,
    /// Part of any member's name.
    pub name: Option<String>,
}

#[derive(InputObject)]
pub struct MemberInput {
    pub role: MemberRole,
    pub name: String,
    /// The 18-character resident ID number.
    pub id_number: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Household registration (户籍) region code.
    pub hukou_region_code: String,
    pub deceased_on: Option<NaiveDate>,
}

#[derive(InputObject)]
pub struct RegisterFamilyInput {
    /// The village or township where the family is managed.
    pub region_code: String,
    pub honour_certificate_no: Option<String>,
    pub honour_certificate_date: Option<NaiveDate>,
    pub child_death_date: Option<NaiveDate>,
    pub later_child_date: Option<NaiveDate>,
    pub members: Vec<MemberInput>,
}

/// Only the fields given are changed.
#[derive(InputObject, Default)]
pub struct UpdateMemberInput {
    pub name: Option<String>,
    /// An empty string removes the phone number.
    pub phone: Option<String>,
    pub address: Option<String>,
    /// A household move: recorded on `evidence`, kept in the member's history.
    pub hukou_region_code: Option<String>,
    /// The date of death, recorded on `evidence`; `null` clears one recorded in error (the
    /// months clawed back for it are paid again by the next roster).
    pub deceased_on: async_graphql::MaybeUndefined<NaiveDate>,
    /// The certificate or register entry a death or household move rests on.
    pub evidence: Option<String>,
}
