//! The accounts a roster pays. When a roster is submitted, each member's current account
//! is pinned to it; the bank file pays the pinned account, never whatever is on file at
//! download time. An account changed after submission is flagged on the roster, and the
//! unmasked bank file is refused until a city admin confirms the change (which pins the
//! new account, with who and when).

use std::collections::HashMap;

use chrono::Utc;
use nuanxin_domain::Principal;
use nuanxin_domain::policy::Operation;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::entity::{bank_account, bank_account_change as change, roster_account, roster_line};
use crate::error::StoreError;
use crate::slice::require;
use crate::{BankAccountRecord, Store};

/// A member whose account changed after the roster was submitted, unconfirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedAccount {
    pub member_id: Uuid,
    pub changed_at: chrono::DateTime<Utc>,
}

/// A re-payment (重发) going to the very account the bank returned the month from: flagged
/// so nobody pays a closed account twice without looking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnchangedReturn {
    pub member_id: Uuid,
    pub month: nuanxin_domain::month::YearMonth,
    /// The bank's reason for the return.
    pub reason: String,
    /// The roster whose payment was returned.
    pub returned_in: Uuid,
}

/// The latest account change of each of `members`.
async fn latest_changes<C: ConnectionTrait>(
    conn: &C,
    members: &[Uuid],
) -> Result<HashMap<Uuid, change::Model>, StoreError> {
    let mut out: HashMap<Uuid, change::Model> = HashMap::new();
    for chunk in members.chunks(super::ID_CHUNK) {
        for c in change::Entity::find()
            .filter(change::Column::MemberId.is_in(chunk.iter().copied()))
            .order_by_asc(change::Column::SetAt)
            .order_by_asc(change::Column::Id)
            .all(conn)
            .await?
        {
            out.insert(c.member_id, c);
        }
    }
    Ok(out)
}

/// Drops a returned roster's pins: the accounts are pinned afresh when it is submitted again.
pub(crate) async fn unpin_accounts<C: ConnectionTrait>(
    conn: &C,
    roster_id: Uuid,
) -> Result<(), StoreError> {
    roster_account::Entity::delete_many()
        .filter(roster_account::Column::RosterId.eq(roster_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Pins, inside the submitting transaction, each member's current account to the roster.
pub(crate) async fn pin_accounts<C: ConnectionTrait>(
    conn: &C,
    roster_id: Uuid,
) -> Result<(), StoreError> {
    let members: Vec<Uuid> = roster_line::Entity::find()
        .select_only()
        .column(roster_line::Column::MemberId)
        .distinct()
        .filter(roster_line::Column::RosterId.eq(roster_id))
        .into_tuple()
        .all(conn)
        .await?;
    let latest = latest_changes(conn, &members).await?;
    let now = Utc::now();
    let rows: Vec<roster_account::ActiveModel> = members
        .iter()
        .map(|m| roster_account::ActiveModel {
            roster_id: Set(roster_id),
            member_id: Set(*m),
            change_id: Set(latest.get(m).map(|c| c.id)),
            pinned_at: Set(now),
            confirmed_by: Set(None),
            confirmed_at: Set(None),
        })
        .collect();
    for chunk in rows.chunks(1000) {
        roster_account::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Members of a roster whose account changed after it was submitted and was not
    /// confirmed since (empty for a draft: a draft pays what is on file).
    pub(crate) async fn changed_accounts_of(
        &self,
        roster_id: Uuid,
    ) -> Result<Vec<ChangedAccount>, StoreError> {
        let pins = roster_account::Entity::find()
            .filter(roster_account::Column::RosterId.eq(roster_id))
            .all(&self.db)
            .await?;
        let members: Vec<Uuid> = pins.iter().map(|p| p.member_id).collect();
        let latest = latest_changes(&self.db, &members).await?;
        let mut out: Vec<ChangedAccount> = pins
            .iter()
            .filter_map(|pin| {
                let now = latest.get(&pin.member_id)?;
                (pin.change_id != Some(now.id)).then_some(ChangedAccount {
                    member_id: pin.member_id,
                    changed_at: now.set_at,
                })
            })
            .collect();
        out.sort_by_key(|c| (c.changed_at, c.member_id));
        Ok(out)
    }

    /// The accounts a frozen roster pays: the pinned ones (`None` for a draft, which pays
    /// the accounts on file).
    pub(crate) async fn pinned_accounts(
        &self,
        roster_id: Uuid,
    ) -> Result<Option<HashMap<Uuid, BankAccountRecord>>, StoreError> {
        let pins = roster_account::Entity::find()
            .filter(roster_account::Column::RosterId.eq(roster_id))
            .all(&self.db)
            .await?;
        if pins.is_empty() {
            return Ok(None);
        }
        let ids: Vec<Uuid> = pins.iter().filter_map(|p| p.change_id).collect();
        let mut out = HashMap::new();
        for chunk in ids.chunks(super::ID_CHUNK) {
            for c in change::Entity::find()
                .filter(change::Column::Id.is_in(chunk.iter().copied()))
                .all(&self.db)
                .await?
            {
                let number = self
                    .vault
                    .decrypt("bankAccount", c.member_id, &c.account_enc)
                    .map_err(|e| {
                        StoreError::Internal(format!("bank account of {}: {e}", c.member_id))
                    })?;
                out.insert(
                    c.member_id,
                    BankAccountRecord {
                        member_id: c.member_id,
                        kind: c.account_kind,
                        bank_name: c.bank_name,
                        holder_name: c.holder_name,
                        number,
                    },
                );
            }
        }
        Ok(Some(out))
    }

    /// The re-payments of a roster the caller reaches whose member's account is still the
    /// one the bank returned the earlier attempt from (the account pinned to that roster).
    pub async fn roster_unchanged_returns(
        &self,
        p: &Principal,
        roster_id: Uuid,
    ) -> Result<Vec<UnchangedReturn>, StoreError> {
        use crate::entity::roster_line_outcome as outcome;
        self.get_roster(p, roster_id).await?;
        let again: Vec<roster_line::Model> = roster_line::Entity::find()
            .filter(roster_line::Column::RosterId.eq(roster_id))
            .filter(roster_line::Column::LineType.eq("regular"))
            .filter(roster_line::Column::Attempt.gt(1))
            .all(&self.db)
            .await?;
        if again.is_empty() {
            return Ok(Vec::new());
        }
        let mut members: Vec<Uuid> = again.iter().map(|l| l.member_id).collect();
        members.sort_unstable();
        members.dedup();
        let mut earlier: HashMap<(Uuid, i32, String, i32), roster_line::Model> = HashMap::new();
        for chunk in members.chunks(super::ID_CHUNK) {
            for l in roster_line::Entity::find()
                .filter(roster_line::Column::MemberId.is_in(chunk.iter().copied()))
                .filter(roster_line::Column::LineType.eq("regular"))
                .filter(roster_line::Column::RosterId.ne(roster_id))
                .all(&self.db)
                .await?
            {
                earlier.insert((l.member_id, l.month, l.kind.clone(), l.attempt), l);
            }
        }
        let previous: Vec<&roster_line::Model> = again
            .iter()
            .filter_map(|l| earlier.get(&(l.member_id, l.month, l.kind.clone(), l.attempt - 1)))
            .collect();
        let ids: Vec<Uuid> = previous.iter().map(|l| l.id).collect();
        let mut reasons: HashMap<Uuid, String> = HashMap::new();
        for chunk in ids.chunks(super::ID_CHUNK) {
            for o in outcome::Entity::find()
                .filter(outcome::Column::LineId.is_in(chunk.iter().copied()))
                .filter(outcome::Column::Outcome.is_in(["returned", "failed"]))
                .all(&self.db)
                .await?
            {
                reasons.insert(o.line_id, o.reason);
            }
        }
        // The pins of the returned rosters only (usually one or two), for these members.
        let mut returned_in: Vec<Uuid> = previous
            .iter()
            .filter(|l| reasons.contains_key(&l.id))
            .map(|l| l.roster_id)
            .collect();
        returned_in.sort_unstable();
        returned_in.dedup();
        let mut pins: HashMap<(Uuid, Uuid), Option<Uuid>> = HashMap::new();
        for chunk in members.chunks(super::ID_CHUNK) {
            for pin in roster_account::Entity::find()
                .filter(roster_account::Column::RosterId.is_in(returned_in.iter().copied()))
                .filter(roster_account::Column::MemberId.is_in(chunk.iter().copied()))
                .all(&self.db)
                .await?
            {
                pins.insert((pin.roster_id, pin.member_id), pin.change_id);
            }
        }
        let latest = latest_changes(&self.db, &members).await?;
        let mut out: Vec<UnchangedReturn> = previous
            .into_iter()
            .filter_map(|l| {
                let reason = reasons.get(&l.id)?;
                let pinned = pins.get(&(l.roster_id, l.member_id))?;
                let now = latest.get(&l.member_id).map(|c| c.id);
                let month = nuanxin_domain::month::YearMonth::from_number(l.month)?;
                (*pinned == now).then(|| UnchangedReturn {
                    member_id: l.member_id,
                    month,
                    reason: reason.clone(),
                    returned_in: l.roster_id,
                })
            })
            .collect();
        out.sort_by_key(|u| (u.month, u.member_id));
        Ok(out)
    }

    /// The members of a roster the caller reaches whose account changed after submission.
    pub async fn roster_changed_accounts(
        &self,
        p: &Principal,
        roster_id: Uuid,
    ) -> Result<Vec<ChangedAccount>, StoreError> {
        self.get_roster(p, roster_id).await?;
        self.changed_accounts_of(roster_id).await
    }

    /// A city admin confirms the accounts changed after submission: they are pinned, with
    /// who and when, and the bank file may be produced. Returns how many were confirmed.
    pub async fn confirm_roster_accounts(
        &self,
        p: &Principal,
        roster_id: Uuid,
    ) -> Result<u64, StoreError> {
        require(p, Operation::ConfirmRosterAccounts)?;
        self.get_roster(p, roster_id).await?;
        let changed = self.changed_accounts_of(roster_id).await?;
        let members: Vec<Uuid> = changed.iter().map(|c| c.member_id).collect();
        let txn = self.db.begin().await?;
        let latest = latest_changes(&txn, &members).await?;
        let now = Utc::now();
        for m in &members {
            roster_account::Entity::update_many()
                .col_expr(
                    roster_account::Column::ChangeId,
                    Expr::value(latest.get(m).map(|c| c.id)),
                )
                .col_expr(
                    roster_account::Column::ConfirmedBy,
                    Expr::value(p.actor_id()),
                )
                .col_expr(roster_account::Column::ConfirmedAt, Expr::value(now))
                .filter(roster_account::Column::RosterId.eq(roster_id))
                .filter(roster_account::Column::MemberId.eq(*m))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(members.len() as u64)
    }

    /// Upkeep after migrating: every account on file has at least one history entry (the
    /// accounts set before history was kept get theirs now).
    pub(crate) async fn backfill_account_history(&self) -> Result<(), StoreError> {
        let accounts = bank_account::Entity::find().all(&self.db).await?;
        let members: Vec<Uuid> = accounts.iter().map(|a| a.member_id).collect();
        let latest = latest_changes(&self.db, &members).await?;
        for a in accounts
            .into_iter()
            .filter(|a| !latest.contains_key(&a.member_id))
        {
            change::Entity::insert(change::ActiveModel {
                id: Set(Uuid::now_v7()),
                member_id: Set(a.member_id),
                account_kind: Set(a.account_kind),
                bank_name: Set(a.bank_name),
                holder_name: Set(a.holder_name),
                account_enc: Set(a.account_enc),
                evidence: Set(Some("on file before account history was kept".into())),
                set_by: Set(a.updated_by),
                set_at: Set(a.updated_at),
            })
            .exec(&self.db)
            .await?;
        }
        Ok(())
    }
}
