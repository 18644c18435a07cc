//! Care work in the store: the catalogue, care records and their attachments, cases,
//! pairings, campaigns, chronic-disease records, counselling, community (sites, teams,
//! volunteers, activities, emergency-call devices), a family's timeline and the
//! accountability views. Every function takes the caller and ANDs its slice.

mod accountability;
mod attachments;
mod campaigns;
mod cases;
mod catalogue;
mod community;
mod counselling;
mod emergency;
mod health;
mod pairings;
mod records;
mod requests;
mod timeline;

pub use accountability::{Accountability, CampaignCoverage, DutyRow, TownshipCounts};
pub use attachments::{AttachmentFile, AttachmentRecord};
pub use campaigns::{CampaignRecord, NewCampaign};
pub use cases::{CaseFilter, CaseRecord, CaseStepRecord, NewCase};
pub use catalogue::{ServiceRecord, UnitRecord};
pub use community::{ActivityRecord, CareSiteRecord, NewActivity, VolunteerRecord};
pub use counselling::CounsellingRecord;
pub use emergency::{CallStepRecord, EmergencyCallRecord};
pub use health::ConditionRecord;
pub use pairings::{NewPairing, PairingRecord};
pub(crate) use records::readable as readable_care_records;
pub use records::{CareRecordRow, NewCareRecord};
pub use requests::FamilyRequestRecord;
pub use timeline::{TimelineEntry, TimelineItem};

use nuanxin_domain::Principal;
use nuanxin_domain::care::records::PerformerKind;
use nuanxin_domain::policy::Resource;
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::{family as fam, member as mem};
use crate::error::StoreError;
use crate::slice;

/// Who did the work, from the caller: staff, a volunteer, a partner's app.
pub(crate) fn performer(p: &Principal) -> (PerformerKind, Uuid, String) {
    use nuanxin_domain::Subject;
    let kind = match &p.subject {
        Subject::Volunteer { .. } => PerformerKind::Volunteer,
        Subject::Partner { .. } => PerformerKind::Partner,
        _ => PerformerKind::Staff,
    };
    (kind, p.actor_id(), p.actor_name())
}

/// The family, if the caller's rule for `resource` reaches it (NOT_FOUND otherwise).
pub(crate) async fn reachable_family<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    resource: Resource,
    family: Uuid,
) -> Result<fam::Model, StoreError> {
    fam::Entity::find_by_id(family)
        .filter(slice::of_families(p, resource, fam::Column::Id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound { what: "family" })
}

/// The member, if they belong to `family` and the caller reaches them (no minors for an
/// audience that does not reach them).
pub(crate) async fn member_of<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    family: Uuid,
    member: Uuid,
) -> Result<mem::Model, StoreError> {
    use sea_orm::ColumnTrait;
    mem::Entity::find_by_id(member)
        .filter(mem::Column::FamilyId.eq(family))
        .filter(slice::about_members(p, mem::Column::Id))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound { what: "member" })
}

/// A page cut at `first` items: the page and whether more follow.
pub(crate) fn cut<T>(mut rows: Vec<T>, first: u64) -> (Vec<T>, bool) {
    let more = rows.len() as u64 > first;
    rows.truncate(first as usize);
    (rows, more)
}

/// Logs a read of records about minors (every one, like a reveal): of `members`, those
/// under 18 get an access-log row naming `what`. One query to tell them, one to log.
pub(crate) async fn log_minor_reads<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    members: impl IntoIterator<Item = Uuid>,
    what: &str,
    meta: &crate::RequestMeta,
) -> Result<(), StoreError> {
    use sea_orm::{ColumnTrait, QuerySelect};
    let mut ids: Vec<Uuid> = members.into_iter().collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let minors: Vec<Uuid> = mem::Entity::find()
        .select_only()
        .column(mem::Column::Id)
        .filter(mem::Column::Id.is_in(ids))
        .filter(mem::Column::BirthDate.gt(slice::minor_cutoff()))
        .into_tuple()
        .all(conn)
        .await?;
    if minors.is_empty() {
        return Ok(());
    }
    crate::access::log_reads(
        conn,
        p,
        minors.into_iter().map(Some),
        what,
        "read",
        "records about a minor",
        meta,
    )
    .await
}
