//! Reconciliation: every line's outcome (paid, returned, failed) recorded once the bank
//! has answered; returned and failed lines are paid again by the next roster.

use chrono::Utc;
use nuanxin_domain::Principal;
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::rosters::{self as allowance, RosterStatus, RosterStep};
use nuanxin_locale::msg;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait};
use uuid::Uuid;

use super::{LineOutcome, RosterRecord, conflict, transition_error};
use crate::Store;
use crate::entity::{roster, roster_line as line, roster_line_outcome as outcome};
use crate::error::StoreError;
use crate::slice::require;

impl Store {
    /// Records the bank's exceptions (returned or failed lines, which the next roster pays
    /// again); every other line counts as paid. One transaction.
    pub async fn reconcile_roster(
        &self,
        p: &Principal,
        id: Uuid,
        exceptions: &[LineOutcome],
    ) -> Result<RosterRecord, StoreError> {
        require(p, Operation::ReconcileRoster)?;
        let current = self.get_roster(p, id).await?;
        allowance::check_roster_transition(
            current.status,
            RosterStatus::Reconciled,
            current.submitted_by,
            p.actor_id(),
        )
        .map_err(transition_error)?;
        if !p.may_transition(current.status, RosterStatus::Reconciled) {
            return Err(StoreError::forbidden(msg!(
                "forbidden-operation",
                role = p.audience().word(),
                operation = Operation::ReconcileRoster.word()
            )));
        }
        for (i, e) in exceptions.iter().enumerate() {
            if !matches!(e.outcome.as_str(), "returned" | "failed") {
                return Err(StoreError::bad_input(
                    format!("exceptions[{i}].outcome"),
                    msg!("reconcile-state"),
                ));
            }
            if e.reason.trim().is_empty() {
                return Err(StoreError::bad_input(
                    format!("exceptions[{i}].reason"),
                    msg!("reconcile-reason-needed"),
                ));
            }
        }
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let ids: Vec<Uuid> = exceptions.iter().map(|e| e.line_id).collect();
        let known: Vec<Uuid> = line::Entity::find()
            .select_only()
            .column(line::Column::Id)
            .filter(line::Column::RosterId.eq(id))
            .filter(line::Column::Id.is_in(ids.clone()))
            .into_tuple()
            .all(&txn)
            .await?;
        if let Some(i) = ids.iter().position(|l| !known.contains(l)) {
            return Err(StoreError::bad_input(
                format!("exceptions[{i}].lineId"),
                msg!("reconcile-line-unknown"),
            ));
        }
        let rows: Vec<outcome::ActiveModel> = exceptions
            .iter()
            .map(|e| outcome::ActiveModel {
                line_id: Set(e.line_id),
                roster_id: Set(id),
                outcome: Set(e.outcome.clone()),
                reason: Set(e.reason.trim().to_owned()),
                recorded_by: Set(p.actor_id()),
                recorded_at: Set(now),
            })
            .collect();
        for chunk in rows.chunks(2000) {
            outcome::Entity::insert_many(chunk.to_vec())
                .exec(&txn)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict { .. } => conflict(msg!("reconcile-line-twice")),
                    other => other,
                })?;
        }
        let done = roster::Entity::update_many()
            .col_expr(
                roster::Column::Status,
                Expr::value(RosterStatus::Reconciled.as_str()),
            )
            .col_expr(roster::Column::ReconciledBy, Expr::value(p.actor_id()))
            .col_expr(roster::Column::ReconciledAt, Expr::value(now))
            .filter(roster::Column::Id.eq(id))
            .filter(roster::Column::Status.eq(RosterStatus::Paid.as_str()))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Err(conflict(msg!(
                "changed-meanwhile",
                what = Resource::Roster.word()
            )));
        }
        super::history::record_step(
            &txn,
            id,
            RosterStep::Reconciled,
            current.generation,
            p.actor_id(),
            now,
            None,
        )
        .await?;
        self.queue_paid_notices(&txn, id, &ids, now).await?;
        txn.commit().await?;
        self.get_roster(p, id).await
    }

    /// Tells each member paid by this roster (every line but the exceptions), who accepted
    /// a reminder of it, that the month was paid. Only members with an acceptance are read.
    async fn queue_paid_notices<C: sea_orm::ConnectionTrait>(
        &self,
        txn: &C,
        roster_id: Uuid,
        exceptions: &[Uuid],
        now: chrono::DateTime<Utc>,
    ) -> Result<(), StoreError> {
        use crate::entity::notice_acceptance as acceptance;
        use nuanxin_domain::care::notices::{self, NoticeKind};
        let of_roster = sea_orm::sea_query::Query::select()
            .column(line::Column::MemberId)
            .from(line::Entity)
            .and_where(line::Column::RosterId.eq(roster_id))
            .to_owned();
        let waiting: Vec<Uuid> = acceptance::Entity::find()
            .select_only()
            .column(acceptance::Column::MemberId)
            .filter(acceptance::Column::Kind.eq(NoticeKind::AllowancePaid.as_str()))
            .filter(acceptance::Column::UsedAt.is_null())
            .filter(acceptance::Column::MemberId.in_subquery(of_roster))
            .distinct()
            .into_tuple()
            .all(txn)
            .await?;
        if waiting.is_empty() {
            return Ok(());
        }
        let what = nuanxin_locale::msg!("notice-allowance-what").render(nuanxin_locale::Locale::Zh);
        // In chunks: a county where most families accepted is thousands of members.
        let mut paid = Vec::new();
        for chunk in waiting.chunks(1000) {
            paid.extend(
                line::Entity::find()
                    .filter(line::Column::RosterId.eq(roster_id))
                    .filter(line::Column::MemberId.is_in(chunk.to_vec()))
                    .filter(line::Column::AmountFen.gt(0))
                    .all(txn)
                    .await?
                    .into_iter()
                    .filter(|l| !exceptions.contains(&l.id)),
            );
        }
        for l in paid {
            let month = format!("{}年{}月", l.month / 100, l.month % 100);
            crate::wechat::notices::queue(
                txn,
                l.family_id,
                l.member_id,
                NoticeKind::AllowancePaid,
                notices::allowance_paid(&month, l.amount_fen, &what),
                now,
            )
            .await?;
        }
        Ok(())
    }
}
