//! The bank file of an approved roster: its transfers (one per person, computed once and
//! kept, so every download of the file and the bank's answer speak of the same references)
//! and each file produced with its control totals and checksum; and the bank's result
//! file, which reconciles the roster line by line instead of exceptions typed by hand.

use chrono::Utc;
use nuanxin_domain::Principal;
use nuanxin_domain::policy::Operation;
use nuanxin_domain::rosters::RosterStatus;
use nuanxin_domain::rosters::bank_file::{self, PayableLine, Transfer};
use nuanxin_locale::msg;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use super::{LineOutcome, RosterRecord};
use crate::Store;
use crate::entity::{bank_transfer as transfer, roster_bank_file as file};
use crate::error::StoreError;
use crate::records::RequestMeta;
use crate::slice::require;

/// A bank file produced for a roster.
#[derive(Debug, Clone)]
pub struct BankFileRecord {
    pub template: String,
    pub transfer_count: i32,
    pub total_fen: i64,
    pub sha256: String,
    pub created_by: Uuid,
    pub created_at: chrono::DateTime<Utc>,
}

/// One line of the bank's result file.
#[derive(Debug, Clone)]
pub struct BankResult {
    /// The result file's row (the header is row 1), to name it in an error.
    pub row: usize,
    pub reference: String,
    /// `paid`, `returned` or `failed`.
    pub outcome: String,
    pub reason: String,
}

impl Store {
    /// The transfers of an approved roster with the accounts in the clear (each person's
    /// account read is logged, for `purpose`). Computed at the first call and kept.
    pub async fn bank_transfers(
        &self,
        p: &Principal,
        roster_id: Uuid,
        purpose: &str,
        meta: &RequestMeta,
    ) -> Result<(RosterRecord, Vec<Transfer>), StoreError> {
        let (roster, rows) = self
            .roster_export(p, roster_id, Some(purpose), meta)
            .await?;
        if !matches!(
            roster.status,
            RosterStatus::Approved | RosterStatus::Paid | RosterStatus::Reconciled
        ) {
            return Err(StoreError::Conflict {
                field: None,
                message: msg!("bank-file-not-approved", status = roster.status.word()),
            });
        }
        let lines: Vec<PayableLine> = rows
            .iter()
            .map(|r| PayableLine {
                line_id: r.line.id,
                member_id: r.line.member_id,
                name: r.member_name.clone(),
                account: r.account.clone(),
                bank_name: r.bank_name.clone(),
                amount_fen: r.line.amount_fen,
            })
            .collect();
        let transfers = bank_file::transfers(roster_id, &lines);
        let kept = transfer::Entity::find()
            .filter(transfer::Column::RosterId.eq(roster_id))
            .all(&self.db)
            .await?;
        if kept.is_empty() {
            let txn = self.db.begin().await?;
            for chunk in transfers.chunks(500) {
                transfer::Entity::insert_many(chunk.iter().map(|t| {
                    transfer::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        roster_id: Set(roster_id),
                        reference: Set(t.reference.clone()),
                        member_id: Set(t.member_id),
                        amount_fen: Set(t.amount_fen),
                        line_ids: Set(t
                            .line_ids
                            .iter()
                            .map(Uuid::to_string)
                            .collect::<Vec<_>>()
                            .join(",")),
                    }
                }))
                .exec(&txn)
                .await?;
            }
            txn.commit().await?;
        } else if kept.len() != transfers.len()
            || kept.iter().any(|k| {
                !transfers
                    .iter()
                    .any(|t| t.reference == k.reference && t.amount_fen == k.amount_fen)
            })
        {
            // A frozen roster's lines never change: this is damage, not input.
            return Err(StoreError::Internal(format!(
                "roster {roster_id}: bank transfers differ from the lines"
            )));
        }
        Ok((roster, transfers))
    }

    /// Records a file produced from the transfers (its control totals and SHA-256).
    pub async fn record_bank_file(
        &self,
        p: &Principal,
        roster_id: Uuid,
        template: &str,
        transfers: &[Transfer],
        sha256: &str,
    ) -> Result<(), StoreError> {
        let (count, total) = bank_file::control_totals(transfers);
        file::ActiveModel {
            id: Set(Uuid::now_v7()),
            roster_id: Set(roster_id),
            template: Set(template.to_owned()),
            transfer_count: Set(i32::try_from(count).unwrap_or(i32::MAX)),
            total_fen: Set(total),
            sha256: Set(sha256.to_owned()),
            created_by: Set(p.actor_id()),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The bank files produced for a roster the caller reads, oldest first.
    pub async fn bank_files(
        &self,
        p: &Principal,
        roster_id: Uuid,
    ) -> Result<Vec<BankFileRecord>, StoreError> {
        self.get_roster(p, roster_id).await?;
        Ok(file::Entity::find()
            .filter(file::Column::RosterId.eq(roster_id))
            .order_by_asc(file::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| BankFileRecord {
                template: f.template,
                transfer_count: f.transfer_count,
                total_fen: f.total_fen,
                sha256: f.sha256,
                created_by: f.created_by,
                created_at: f.created_at,
            })
            .collect())
    }

    /// Reconciles a paid roster from the bank's result file: every transfer appears once;
    /// a returned or failed one marks each of its lines so, with the bank's reason.
    pub async fn reconcile_from_bank_result(
        &self,
        p: &Principal,
        roster_id: Uuid,
        results: &[BankResult],
    ) -> Result<RosterRecord, StoreError> {
        require(p, Operation::ReconcileRoster)?;
        self.get_roster(p, roster_id).await?;
        let kept = transfer::Entity::find()
            .filter(transfer::Column::RosterId.eq(roster_id))
            .all(&self.db)
            .await?;
        if kept.is_empty() {
            return Err(StoreError::Conflict {
                field: None,
                message: msg!("bank-result-no-file"),
            });
        }
        let mut seen = std::collections::HashSet::new();
        let mut exceptions = Vec::new();
        for r in results {
            let Some(t) = kept.iter().find(|k| k.reference == r.reference) else {
                return Err(StoreError::bad_input(
                    "file",
                    msg!(
                        "bank-result-unknown",
                        row = r.row,
                        reference = r.reference.as_str()
                    ),
                ));
            };
            if !seen.insert(t.reference.clone()) {
                return Err(StoreError::bad_input(
                    "file",
                    msg!(
                        "bank-result-twice",
                        row = r.row,
                        reference = r.reference.as_str()
                    ),
                ));
            }
            if r.outcome != "paid" {
                for id in t
                    .line_ids
                    .split(',')
                    .filter_map(|s| Uuid::parse_str(s).ok())
                {
                    exceptions.push(LineOutcome {
                        line_id: id,
                        outcome: r.outcome.clone(),
                        reason: r.reason.clone(),
                    });
                }
            }
        }
        if let Some(missing) = kept.iter().find(|k| !seen.contains(&k.reference)) {
            return Err(StoreError::bad_input(
                "file",
                msg!(
                    "bank-result-missing",
                    reference = missing.reference.as_str()
                ),
            ));
        }
        self.reconcile_roster(p, roster_id, &exceptions).await
    }
}
