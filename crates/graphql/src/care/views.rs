//! Care work's read views: a family's timeline (items of every kind, each only as far as
//! the caller may see it) and a region's accountability view (counts per township and the
//! lists behind them).

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::NaiveDate;
use nuanxin_store as store;

use crate::care::objects::{CareRecord, Case, CounsellingSession, DutyState, Pairing};
use crate::error::IntoGql;
use crate::guard::{self, Allowed, Reaches};
use crate::ids::{self, Kind};

/// A family's status change, as the timeline shows it.
#[derive(SimpleObject)]
pub struct TimelineStatusChange {
    pub from: Option<String>,
    pub to: String,
    pub reason: String,
}

/// An allowance line of a roster, as the timeline shows it.
#[derive(SimpleObject)]
pub struct TimelineAllowanceLine {
    pub member_id: ID,
    /// `yyyymm`
    pub month: i32,
    pub kind: String,
    pub amount_fen: i64,
    pub line_type: String,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TimelineKind {
    CareRecord,
    Case,
    CounsellingSession,
    Pairing,
    StatusChange,
    AllowanceLine,
}

/// One item of a family's timeline: exactly one of the typed fields is set, by `kind`.
pub struct TimelineItem(pub store::TimelineItem);

#[Object]
impl TimelineItem {
    /// The day it happened (a month's first day for an allowance line).
    async fn on(&self) -> NaiveDate {
        self.0.key.on
    }
    async fn kind(&self) -> TimelineKind {
        match &self.0.entry {
            store::TimelineEntry::Care(_) => TimelineKind::CareRecord,
            store::TimelineEntry::Case(_) => TimelineKind::Case,
            store::TimelineEntry::Counselling(_) => TimelineKind::CounsellingSession,
            store::TimelineEntry::Pairing(_) => TimelineKind::Pairing,
            store::TimelineEntry::StatusChange { .. } => TimelineKind::StatusChange,
            store::TimelineEntry::AllowanceLine { .. } => TimelineKind::AllowanceLine,
        }
    }
    async fn care_record(&self) -> Option<CareRecord> {
        match &self.0.entry {
            store::TimelineEntry::Care(r) => Some(CareRecord((**r).clone())),
            _ => None,
        }
    }
    #[graphql(
        guard = "Reaches(nuanxin_domain::Resource::Case)",
        visible = "guard::may_read_cases"
    )]
    async fn case(&self) -> Option<Case> {
        match &self.0.entry {
            store::TimelineEntry::Case(c) => Some(Case(c.clone())),
            _ => None,
        }
    }
    #[graphql(
        guard = "Reaches(nuanxin_domain::Resource::CounsellingSession)",
        visible = "guard::may_read_counselling"
    )]
    async fn counselling_session(&self) -> Option<CounsellingSession> {
        match &self.0.entry {
            store::TimelineEntry::Counselling(c) => Some(CounsellingSession(c.clone())),
            _ => None,
        }
    }
    #[graphql(
        guard = "Reaches(nuanxin_domain::Resource::Pairing)",
        visible = "guard::may_read_pairings"
    )]
    async fn pairing(&self) -> Option<Pairing> {
        match &self.0.entry {
            store::TimelineEntry::Pairing(p) => Some(Pairing(p.clone())),
            _ => None,
        }
    }
    async fn status_change(&self) -> Option<TimelineStatusChange> {
        match &self.0.entry {
            store::TimelineEntry::StatusChange { from, to, reason } => Some(TimelineStatusChange {
                from: from.clone(),
                to: to.clone(),
                reason: reason.clone(),
            }),
            _ => None,
        }
    }
    #[graphql(
        guard = "Allowed(nuanxin_domain::Operation::ReadEntitlementAmounts)",
        visible = "guard::may_read_entitlement_amounts"
    )]
    async fn allowance_line(&self) -> Option<TimelineAllowanceLine> {
        match &self.0.entry {
            store::TimelineEntry::AllowanceLine {
                member,
                month,
                kind,
                amount_fen,
                line_type,
            } => Some(TimelineAllowanceLine {
                member_id: ids::encode(Kind::Member, *member),
                month: *month,
                kind: kind.clone(),
                amount_fen: *amount_fen,
                line_type: line_type.clone(),
            }),
            _ => None,
        }
    }
}

/// One duty in an accountability list.
pub struct Duty(pub store::DutyRow, pub Kind);

#[Object]
impl Duty {
    /// The pairing, the chronic-disease record, or the family the duty is about.
    async fn id(&self) -> ID {
        ids::encode(self.1, self.0.id)
    }
    async fn family_id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family)
    }
    async fn township_code(&self) -> &str {
        &self.0.township
    }
    async fn due_on(&self) -> NaiveDate {
        self.0.due_on
    }
    async fn last_done_on(&self) -> Option<NaiveDate> {
        self.0.last_done
    }
    async fn state(&self) -> DutyState {
        self.0.state.into()
    }
}

/// A township's counts, with the campaign's coverage when one was asked for.
pub struct TownshipDuties(pub store::TownshipCounts);

#[Object]
impl TownshipDuties {
    async fn township_code(&self) -> &str {
        &self.0.code
    }
    async fn township_name(&self) -> &str {
        &self.0.name
    }
    async fn overdue_pairings(&self) -> u64 {
        self.0.overdue_pairings
    }
    async fn overdue_follow_ups(&self) -> u64 {
        self.0.overdue_follow_ups
    }
    /// New families still owed their emergency-aid contact past the deadline.
    async fn contacts_overdue(&self) -> u64 {
        self.0.contacts_overdue
    }
    /// Pairings due within the next seven days.
    async fn pairings_due_soon(&self) -> u64 {
        self.0.pairings_due_soon
    }
    async fn follow_ups_due_soon(&self) -> u64 {
        self.0.follow_ups_due_soon
    }
    async fn campaign_families(&self) -> Option<u64> {
        self.0.campaign.map(|c| c.families)
    }
    async fn campaign_visited(&self) -> Option<u64> {
        self.0.campaign.map(|c| c.visited)
    }
    /// Visited per thousand families.
    async fn campaign_coverage_per_mille(&self) -> Option<u64> {
        self.0.campaign.map(|c| c.per_mille())
    }
}

/// A campaign's coverage over the whole region, and its families not yet visited.
pub struct CampaignCoverage(pub store::CampaignCoverage);

#[Object]
impl CampaignCoverage {
    async fn campaign_id(&self) -> ID {
        ids::encode(Kind::Campaign, self.0.campaign)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn families(&self) -> u64 {
        self.0.total.families
    }
    async fn visited(&self) -> u64 {
        self.0.total.visited
    }
    async fn coverage_per_mille(&self) -> u64 {
        self.0.total.per_mille()
    }
    /// Families of the campaign not yet visited for it (a township's, or all), at most
    /// `first` (100 unless asked).
    #[graphql(complexity = "first.unwrap_or(100).clamp(1, 1000) as usize * child_complexity")]
    async fn not_visited_family_ids(
        &self,
        township_code: Option<String>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<ID>> {
        let n = list_size(first)?;
        Ok(self
            .0
            .not_visited
            .iter()
            .filter(|(_, t)| township_code.as_deref().is_none_or(|c| c == t))
            .take(n)
            .map(|(f, _)| ids::encode(Kind::Family, *f))
            .collect())
    }
}

fn list_size(first: Option<i32>) -> async_graphql::Result<usize> {
    match first {
        None => Ok(100),
        Some(n @ 1..=1000) => Ok(n as usize),
        Some(_) => Err(crate::error::ApiError::bad_input(
            "first",
            nuanxin_locale::msg!("page-size", max = 1000),
        ))
        .gql(),
    }
}

/// What is overdue in a region (责任落实), per township and the lists behind each count.
pub struct Accountability(pub store::Accountability);

/// The list behind a count, earliest due first: a township's (or all), at most `first`
/// (100 unless asked; the counts per township are always whole).
fn in_township(
    rows: &[store::DutyRow],
    township: Option<&str>,
    first: Option<i32>,
    kind: Kind,
) -> async_graphql::Result<Vec<Duty>> {
    let n = list_size(first)?;
    Ok(rows
        .iter()
        .filter(|r| township.is_none_or(|t| r.township == t))
        .take(n)
        .cloned()
        .map(|r| Duty(r, kind))
        .collect())
}

#[Object]
impl Accountability {
    async fn region_code(&self) -> &str {
        &self.0.region
    }
    /// The day the duties were judged on (China time).
    async fn as_of(&self) -> NaiveDate {
        self.0.today
    }
    /// Days a new family waits at most for its emergency-aid contact.
    async fn contact_days(&self) -> u32 {
        self.0.contact_days
    }
    async fn townships(&self) -> Vec<TownshipDuties> {
        self.0
            .townships
            .iter()
            .cloned()
            .map(TownshipDuties)
            .collect()
    }
    #[graphql(complexity = "first.unwrap_or(100).clamp(1, 1000) as usize * child_complexity")]
    async fn overdue_pairings(
        &self,
        township_code: Option<String>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Duty>> {
        in_township(
            &self.0.overdue_pairings,
            township_code.as_deref(),
            first,
            Kind::Pairing,
        )
    }
    #[graphql(complexity = "first.unwrap_or(100).clamp(1, 1000) as usize * child_complexity")]
    async fn overdue_follow_ups(
        &self,
        township_code: Option<String>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Duty>> {
        in_township(
            &self.0.overdue_follow_ups,
            township_code.as_deref(),
            first,
            Kind::Condition,
        )
    }
    #[graphql(complexity = "first.unwrap_or(100).clamp(1, 1000) as usize * child_complexity")]
    async fn contacts_overdue(
        &self,
        township_code: Option<String>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Duty>> {
        in_township(
            &self.0.contacts_overdue,
            township_code.as_deref(),
            first,
            Kind::Family,
        )
    }
    async fn campaign(&self) -> Option<CampaignCoverage> {
        self.0.campaign.clone().map(CampaignCoverage)
    }
    /// Pairings due within the next seven days, earliest first.
    #[graphql(complexity = "first.unwrap_or(100).clamp(1, 1000) as usize * child_complexity")]
    async fn pairings_due_soon(
        &self,
        township_code: Option<String>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Duty>> {
        in_township(
            &self.0.pairings_due_soon,
            township_code.as_deref(),
            first,
            Kind::Pairing,
        )
    }
    /// Chronic-disease follow-ups due within the next seven days.
    #[graphql(complexity = "first.unwrap_or(100).clamp(1, 1000) as usize * child_complexity")]
    async fn follow_ups_due_soon(
        &self,
        township_code: Option<String>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Duty>> {
        in_township(
            &self.0.follow_ups_due_soon,
            township_code.as_deref(),
            first,
            Kind::Condition,
        )
    }
}
