//! The roster lifecycle: submit, approve (maker-checker), mark paid — each a transition
//! the policy assigns and the domain checks.

use chrono::{NaiveDate, Utc};
use nuanxin_domain::policy::Operation;
use nuanxin_domain::rosters::{self as allowance, RosterStatus, RosterStep};
use nuanxin_domain::{Principal, text, time};
use nuanxin_locale::msg;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use uuid::Uuid;

use super::{RosterRecord, transition_error};
use crate::Store;
use crate::entity::roster;
use crate::error::StoreError;
use crate::slice::require;

/// A step asked for: the operation it needs, where it goes, and why (a return's reason).
pub(crate) struct Move {
    op: Operation,
    to: RosterStatus,
    reason: Option<String>,
}

impl Store {
    /// One step of the lifecycle: the operation and the transition as the policy grants
    /// them, the step legal for the machine, `check` (what the step needs of the roster as
    /// it stands), then `set` in one guarded UPDATE.
    pub(crate) async fn move_roster<C, F>(
        &self,
        p: &Principal,
        id: Uuid,
        Move { op, to, reason }: Move,
        check: C,
        set: F,
    ) -> Result<RosterRecord, StoreError>
    where
        C: FnOnce(&RosterRecord) -> Result<(), StoreError>,
        F: FnOnce(sea_orm::UpdateMany<roster::Entity>) -> sea_orm::UpdateMany<roster::Entity>,
    {
        require(p, op)?;
        let current = self.get_roster(p, id).await?;
        allowance::check_roster_transition(current.status, to, current.submitted_by, p.actor_id())
            .map_err(transition_error)?;
        // Legal for the machine (checked first: a step already taken is a CONFLICT, not a
        // refusal); then the policy says whether this caller may take it.
        if !p.may_transition(current.status, to) {
            return Err(StoreError::forbidden(msg!(
                "forbidden-roster-step",
                role = p.audience().word(),
                from = current.status.word(),
                to = to.word()
            )));
        }
        check(&current)?;
        let from = current.status;
        let step = RosterStep::of_transition(from, to).ok_or_else(|| {
            StoreError::Internal(format!("no history step for {from:?} → {to:?}"))
        })?;
        let update = set(roster::Entity::update_many()
            .col_expr(roster::Column::Status, Expr::value(to.as_str())))
        .filter(roster::Column::Id.eq(id))
        .filter(roster::Column::Status.eq(from.as_str()));
        let txn = self.db.begin().await?;
        let done = update.exec(&txn).await?;
        if done.rows_affected != 1 {
            return Err(StoreError::Conflict {
                field: Some("status".into()),
                message: msg!("roster-changed-meanwhile", status = from.word()),
            });
        }
        match to {
            // The accounts this roster pays are the ones on file now.
            RosterStatus::Submitted => super::accounts::pin_accounts(&txn, id).await?,
            // A returned roster pins again when it is submitted again.
            RosterStatus::Draft => super::accounts::unpin_accounts(&txn, id).await?,
            _ => {}
        }
        super::history::record_step(
            &txn,
            id,
            step,
            current.generation,
            p.actor_id(),
            Utc::now(),
            reason,
        )
        .await?;
        txn.commit().await?;
        self.get_roster(p, id).await
    }

    /// Sends a submitted roster back to its county as a draft (退回), with the reason the
    /// county reads; it can then be regenerated and submitted again.
    pub async fn return_roster(
        &self,
        p: &Principal,
        id: Uuid,
        reason: &str,
    ) -> Result<RosterRecord, StoreError> {
        let reason = text::required(reason, text::limits::REASON)
            .map_err(|e| StoreError::bad_input("reason", e))?;
        self.move_roster(
            p,
            id,
            Move {
                op: Operation::ApproveRoster,
                to: RosterStatus::Draft,
                reason: Some(reason),
            },
            |_| Ok(()),
            |u| {
                u.col_expr(
                    roster::Column::SubmittedBy,
                    Expr::value(Option::<Uuid>::None),
                )
                .col_expr(
                    roster::Column::SubmittedAt,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
            },
        )
        .await
    }

    pub async fn submit_roster(&self, p: &Principal, id: Uuid) -> Result<RosterRecord, StoreError> {
        let (actor, now) = (p.actor_id(), Utc::now());
        self.move_roster(
            p,
            id,
            Move {
                op: Operation::SubmitRoster,
                to: RosterStatus::Submitted,
                reason: None,
            },
            |r| {
                allowance::check_submittable(r.line_count)
                    .map_err(|e| StoreError::bad_input("id", e))
            },
            |u| {
                u.col_expr(roster::Column::SubmittedBy, Expr::value(actor))
                    .col_expr(roster::Column::SubmittedAt, Expr::value(now))
            },
        )
        .await
    }

    pub async fn approve_roster(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<RosterRecord, StoreError> {
        let (actor, now) = (p.actor_id(), Utc::now());
        self.move_roster(
            p,
            id,
            Move {
                op: Operation::ApproveRoster,
                to: RosterStatus::Approved,
                reason: None,
            },
            |_| Ok(()),
            |u| {
                u.col_expr(roster::Column::ApprovedBy, Expr::value(actor))
                    .col_expr(roster::Column::ApprovedAt, Expr::value(now))
                    // Maker-checker in the statement too: never the submitter.
                    .filter(roster::Column::SubmittedBy.ne(actor))
            },
        )
        .await
    }

    pub async fn mark_roster_paid(
        &self,
        p: &Principal,
        id: Uuid,
        bank_batch_ref: &str,
        paid_on: NaiveDate,
    ) -> Result<RosterRecord, StoreError> {
        let batch = bank_batch_ref.trim().to_owned();
        if batch.is_empty() {
            return Err(StoreError::bad_input(
                "bankBatchRef",
                msg!("roster-batch-needed"),
            ));
        }
        let (actor, now) = (p.actor_id(), Utc::now());
        self.move_roster(
            p,
            id,
            Move {
                op: Operation::MarkRosterPaid,
                to: RosterStatus::Paid,
                reason: None,
            },
            |r| {
                let approved_on = r
                    .approved_at
                    .map(|at| at.with_timezone(&time::china()).date_naive());
                allowance::check_paid_on(approved_on, paid_on, time::china_today())
                    .map_err(|e| StoreError::bad_input("paidOn", e))
            },
            move |u| {
                u.col_expr(roster::Column::PaidBy, Expr::value(actor))
                    .col_expr(roster::Column::PaidAt, Expr::value(now))
                    .col_expr(roster::Column::BankBatchRef, Expr::value(batch))
                    .col_expr(roster::Column::PaidOn, Expr::value(paid_on))
            },
        )
        .await
    }
}
