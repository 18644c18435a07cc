//! A family's payment history (发放记录): every month a roster owed its members, with the
//! roster, the bank's batch and what the bank answered (paid, returned, failed), re-payments
//! and claw-backs included, so "was she paid for March?" is one question.

use std::collections::HashMap;

use nuanxin_domain::Principal;
use nuanxin_domain::month::YearMonth;
use nuanxin_domain::policy::Operation;
use nuanxin_domain::rosters::RosterStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{RosterLineRecord, RosterRecord, to_line, to_roster};
use crate::Store;
use crate::entity::{roster, roster_line as line};
use crate::error::StoreError;
use crate::slice::{self, require};

/// One line of the history and the roster that holds it.
#[derive(Debug, Clone)]
pub struct PaymentRecord {
    pub line: RosterLineRecord,
    pub roster: RosterRecord,
}

impl Store {
    /// Every roster line of a family the caller may read (optionally one member, one month),
    /// in the rosters the caller may read, by month, member and attempt. Three queries
    /// whatever the number of rosters: the lines, their rosters, their outcomes.
    pub async fn payment_history(
        &self,
        p: &Principal,
        family_id: Uuid,
        member_id: Option<Uuid>,
        month: Option<YearMonth>,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        require(p, Operation::ReadRosters)?;
        self.get_family(p, family_id).await?;
        let mut q = line::Entity::find().filter(line::Column::FamilyId.eq(family_id));
        if let Some(m) = member_id {
            q = q.filter(line::Column::MemberId.eq(m));
        }
        if let Some(m) = month {
            q = q.filter(line::Column::Month.eq(m.as_number()));
        }
        let lines = q
            .order_by_asc(line::Column::Month)
            .order_by_asc(line::Column::MemberId)
            .order_by_asc(line::Column::Attempt)
            .order_by_asc(line::Column::Id)
            .all(&self.db)
            .await?;
        self.payment_records(p, lines).await
    }

    /// A family member's own payments (我的补助): the lines of their family in rosters the
    /// city has approved (a draft may still change), by month; the rosters themselves are
    /// not the family's to read, only where each line stands.
    pub async fn own_payments(
        &self,
        p: &Principal,
        month: Option<YearMonth>,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        require(p, Operation::ReadOwnPayments)?;
        let families = slice::own_families(p);
        let mut q = line::Entity::find().filter(line::Column::FamilyId.is_in(families));
        if let Some(m) = month {
            q = q.filter(line::Column::Month.eq(m.as_number()));
        }
        let lines = q
            .order_by_desc(line::Column::Month)
            .order_by_asc(line::Column::MemberId)
            .order_by_asc(line::Column::Attempt)
            .order_by_asc(line::Column::Id)
            .all(&self.db)
            .await?;
        let approved = [
            RosterStatus::Approved,
            RosterStatus::Paid,
            RosterStatus::Reconciled,
        ]
        .map(RosterStatus::as_str);
        self.records_in(
            sea_orm::Condition::all().add(roster::Column::Status.is_in(approved)),
            lines,
        )
        .await
    }

    /// Lines with their rosters (those the caller may read) and the bank's answers: two
    /// queries whatever the number of rosters.
    pub(crate) async fn payment_records(
        &self,
        p: &Principal,
        lines: Vec<line::Model>,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        self.records_in(slice::rosters(p), lines).await
    }

    /// Lines with those of their rosters that `rosters` admits, and the bank's answers.
    async fn records_in(
        &self,
        rosters: sea_orm::Condition,
        lines: Vec<line::Model>,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        let mut roster_ids: Vec<Uuid> = lines.iter().map(|l| l.roster_id).collect();
        roster_ids.sort_unstable();
        roster_ids.dedup();
        let rosters: HashMap<Uuid, RosterRecord> = roster::Entity::find()
            .filter(rosters)
            .filter(roster::Column::Id.is_in(roster_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| to_roster(r).map(|r| (r.id, r)))
            .collect::<Result<_, _>>()?;
        let outcomes = self
            .outcomes_of_lines(&rosters, lines.iter().map(|l| (l.roster_id, l.id)))
            .await?;
        lines
            .into_iter()
            .filter_map(|l| rosters.get(&l.roster_id).map(|r| (l, r.clone())))
            .map(|(l, roster)| {
                Ok(PaymentRecord {
                    line: to_line(l, &outcomes)?,
                    roster,
                })
            })
            .collect()
    }
}
