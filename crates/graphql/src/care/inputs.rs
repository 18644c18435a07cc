//! Care work's inputs. Checks that need no database happen in the domain
//! (`care::records::check_record`, `care::workflow`); these only carry what clients send.

use async_graphql::{ID, InputObject};
use chrono::NaiveDate;

use crate::care::objects::{
    CareCategory, DisabilityLevel, HomeServiceKind, RecordKind, ReferralKind, Schedule, Workflow,
};

#[derive(InputObject)]
pub struct AddCareUnitInput {
    /// `[a-z0-9_]`, 2–40 characters.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(InputObject)]
pub struct AddCareServiceInput {
    pub code: String,
    pub category: CareCategory,
    pub name_zh: String,
    pub name_en: String,
    /// Codes of the responsible units (at least one).
    pub unit_codes: Vec<String>,
}

/// A care record. `kind` decides which of the optional details are needed: a disability
/// assessment its `disabilityLevel`, a home-service order its `homeService`, guardianship
/// its `guardianName`, a green-channel visit its `department`; a follow-up its
/// `conditionId`; health kinds and orders name the member.
#[derive(InputObject)]
pub struct RecordCareInput {
    pub family_id: ID,
    pub member_id: Option<ID>,
    pub kind: RecordKind,
    /// A catalogue service; the kind's usual service when empty.
    pub service_code: Option<String>,
    pub occurred_on: NaiveDate,
    pub content: String,
    pub outcome: Option<String>,
    pub money_fen: Option<i64>,
    pub goods_fen: Option<i64>,
    pub pairing_id: Option<ID>,
    pub campaign_id: Option<ID>,
    pub condition_id: Option<ID>,
    /// The record this one corrects (the old one stays, marked by this).
    pub corrects_id: Option<ID>,
    /// Uploaded first through `POST /attachments`.
    pub attachment_ids: Option<Vec<ID>>,
    pub disability_level: Option<DisabilityLevel>,
    pub home_service: Option<HomeServiceKind>,
    pub scheduled_on: Option<NaiveDate>,
    pub guardian_name: Option<String>,
    pub guardian_relation: Option<String>,
    pub department: Option<String>,
    pub fees_waived_fen: Option<i64>,
    pub location: Option<String>,
}

#[derive(InputObject)]
pub struct AddChronicConditionInput {
    pub family_id: ID,
    pub member_id: ID,
    /// 高血压, 糖尿病, …
    pub disease: String,
    /// How often a follow-up is due (the national service norm is quarterly).
    pub schedule: Schedule,
    pub started_on: NaiveDate,
}

#[derive(InputObject)]
pub struct OpenCaseInput {
    pub family_id: ID,
    pub member_id: Option<ID>,
    pub workflow: Workflow,
    /// For a referral: what it is for.
    pub referral_kind: Option<ReferralKind>,
    /// For a referral: the unit, when not the kind's usual one.
    pub unit_code: Option<String>,
    pub summary: String,
    /// For emergency aid: the amount asked for, in fen.
    pub requested_fen: Option<i64>,
    pub opened_on: NaiveDate,
}

#[derive(InputObject)]
pub struct MoveCaseInput {
    pub case_id: ID,
    /// The state to move to (see `Case.nextStates`).
    pub to: String,
    pub note: String,
    /// Approving emergency aid: the approved amount; disbursing: the amount paid out (the
    /// approved amount when empty).
    pub amount_fen: Option<i64>,
}

#[derive(InputObject)]
pub struct PairFamilyInput {
    pub family_id: ID,
    /// 定领导
    pub leader_name: String,
    /// The worker (定人员): a staff member's account id (as `me.id` gives it) …
    pub worker_staff_id: Option<ID>,
    /// … or a volunteer.
    pub worker_volunteer_id: Option<ID>,
    /// 定时间
    pub schedule: Schedule,
    /// 定内容
    pub content: String,
    /// 一包
    pub answerable_name: String,
    pub starts_on: NaiveDate,
}

#[derive(InputObject)]
pub struct CreateCampaignInput {
    /// e.g. 2027年春节慰问
    pub name: String,
    pub region_code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Money per family, in fen.
    pub money_fen: i64,
    pub goods_description: Option<String>,
    pub goods_fen: Option<i64>,
}

#[derive(InputObject)]
pub struct RecordCounsellingInput {
    pub family_id: ID,
    pub member_id: Option<ID>,
    pub held_on: NaiveDate,
    pub notes: String,
}

#[derive(InputObject)]
pub struct AddCareSiteInput {
    pub name: String,
    pub region_code: String,
    pub venue: String,
    /// The site's first volunteer team.
    pub team_name: String,
}

#[derive(InputObject)]
pub struct AddVolunteerInput {
    pub team_id: ID,
    pub name: String,
    pub phone: Option<String>,
}

#[derive(InputObject)]
pub struct ParticipantInput {
    pub member_id: Option<ID>,
    pub volunteer_id: Option<ID>,
    pub attended: bool,
}

#[derive(InputObject)]
pub struct RecordActivityInput {
    pub site_id: ID,
    pub title: String,
    pub held_on: NaiveDate,
    pub participants: Vec<ParticipantInput>,
}

#[derive(InputObject)]
pub struct RegisterDeviceInput {
    pub family_id: ID,
    pub member_id: ID,
    pub serial: String,
}

#[derive(InputObject, Default)]
pub struct CaseFilter {
    pub family_id: Option<ID>,
    pub workflow: Option<Workflow>,
    pub open_only: Option<bool>,
}
