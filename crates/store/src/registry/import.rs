//! Bulk import of families (批量导入): a file read by the domain is checked against the
//! registry (each region exists and lies in the caller's area, no living person is on file
//! already) and then written all or nothing, in one transaction, with `registerFamily`'s
//! rows (families, members with sealed ID numbers and phones, their first status). Each
//! import is a job: its progress, its outcome and the problems found stay readable.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::registry::import::{ImportColumn, ImportParse, ImportProblem};
use nuanxin_domain::{FamilyStatus, Principal, RegionLevel};
use nuanxin_locale::{Message, msg};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::{
    family as fam, family_import as import, family_import_problem as problem,
    family_status_history as hist, member as mem, region,
};
use crate::error::StoreError;
use crate::records::RequestMeta;
use crate::slice::require;

/// Rows written per statement (SQLite allows 32,766 bound values; a member has 14).
const CHUNK: usize = 500;

/// What an import found, or wrote.
#[derive(Debug, Clone)]
pub struct FamilyImportRecord {
    pub job_id: Uuid,
    pub dry_run: bool,
    pub families: i32,
    pub members: i32,
    pub committed: bool,
    pub problem_count: u64,
    /// The first problems, by row.
    pub problems: Vec<ImportProblem>,
}

impl Store {
    /// Starts an import job (the caller must be one who registers families).
    pub async fn start_family_import(
        &self,
        p: &Principal,
        dry_run: bool,
    ) -> Result<Uuid, StoreError> {
        require(p, Operation::RegisterFamily)?;
        let job_id = self.create_job(p, "family_import").await?;
        import::ActiveModel {
            job_id: Set(job_id),
            dry_run: Set(dry_run),
            families: Set(0),
            members: Set(0),
            committed: Set(false),
        }
        .insert(&self.db)
        .await?;
        Ok(job_id)
    }

    /// Checks a parsed file against the registry and, when nothing is wrong and this is not
    /// a dry run, writes every family in one transaction. Problems are recorded on the job;
    /// nothing is written when there is any.
    pub async fn run_family_import(
        &self,
        p: &Principal,
        job_id: Uuid,
        parsed: ImportParse,
        meta: &RequestMeta,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<FamilyImportRecord, StoreError> {
        require(p, Operation::RegisterFamily)?;
        let outcome = import::Entity::find_by_id(job_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "job" })?;
        let total = parsed.rows as u64;
        let mut problems = parsed.problems;
        let families = parsed.families;
        // Where each family is filed: in the caller's area, and a region that exists.
        let mut codes: HashSet<String> = HashSet::new();
        for f in &families {
            codes.insert(f.family.region.as_str().to_owned());
            codes.extend(
                f.family
                    .members
                    .iter()
                    .map(|m| m.hukou_region.as_str().to_owned()),
            );
        }
        let mut known: HashSet<String> = HashSet::new();
        let codes: Vec<String> = codes.into_iter().collect();
        for chunk in codes.chunks(CHUNK) {
            known.extend(
                region::Entity::find()
                    .select_only()
                    .column(region::Column::Code)
                    .filter(region::Column::Code.is_in(chunk.to_vec()))
                    .filter(region::Column::ValidTo.is_null())
                    .into_tuple::<String>()
                    .all(&self.db)
                    .await?,
            );
        }
        for f in &families {
            let first = f.rows[0];
            let region = &f.family.region;
            if !p.covers(Resource::Family, region) {
                problems.push(ImportProblem {
                    row: first,
                    column: Some(ImportColumn::Region),
                    message: msg!("import-outside-area", region = region.as_str()),
                });
            } else if !known.contains(region.as_str()) {
                problems.push(ImportProblem {
                    row: first,
                    column: Some(ImportColumn::Region),
                    message: msg!("region-unknown", code = region.as_str()),
                });
            }
            for (m, row) in f.family.members.iter().zip(&f.rows) {
                if !known.contains(m.hukou_region.as_str()) {
                    problems.push(ImportProblem {
                        row: *row,
                        column: Some(ImportColumn::HukouRegion),
                        message: msg!("region-unknown", code = m.hukou_region.as_str()),
                    });
                }
            }
        }
        // Living persons already on file, by blind index, in chunks.
        let mut wanted: HashMap<String, usize> = HashMap::new();
        for f in &families {
            for (m, row) in f.family.members.iter().zip(&f.rows) {
                if m.deceased_on.is_none() {
                    wanted.insert(
                        self.vault.blind_index("idNumber", m.id_number.expose()),
                        *row,
                    );
                }
            }
        }
        let indexes: Vec<String> = wanted.keys().cloned().collect();
        let mut found = Vec::new();
        for chunk in indexes.chunks(CHUNK) {
            found.extend(
                mem::Entity::find()
                    .select_only()
                    .column(mem::Column::Id)
                    .column(mem::Column::IdNumberBidx)
                    .filter(mem::Column::IdNumberBidx.is_in(chunk.to_vec()))
                    .filter(mem::Column::DeceasedOn.is_null())
                    .into_tuple::<(Uuid, String)>()
                    .all(&self.db)
                    .await?,
            );
        }
        if !found.is_empty() {
            // Telling the clerk that a person is on file is a read of the registry by ID
            // number: logged like a lookup.
            self.log_reads(
                p,
                found.iter().map(|(id, _)| Some(*id)),
                "idNumber",
                "importFamilies",
                "duplicate check at import",
                meta,
            )
            .await?;
        }
        for (_, bidx) in &found {
            if let Some(row) = wanted.get(bidx) {
                problems.push(ImportProblem {
                    row: *row,
                    column: Some(ImportColumn::IdNumber),
                    message: msg!("import-already-registered"),
                });
            }
        }
        problems.sort_by_key(|p| (p.row, p.column));
        let members: usize = families.iter().map(|f| f.family.members.len()).sum();
        progress(0, total);
        let committed = if problems.is_empty() && !outcome.dry_run {
            self.write_families(p, &families, total, progress).await?;
            true
        } else {
            false
        };
        progress(total, total);
        let txn = self.db.begin().await?;
        for chunk in problems.chunks(CHUNK) {
            problem::Entity::insert_many(chunk.iter().map(|pr| problem::ActiveModel {
                id: Set(Uuid::now_v7()),
                job_id: Set(job_id),
                row_no: Set(i32::try_from(pr.row).unwrap_or(i32::MAX)),
                column_key: Set(pr.column.map(|c| c.as_str().to_owned())),
                message: Set(pr.message.to_stored()),
            }))
            .exec(&txn)
            .await?;
        }
        import::Entity::update(import::ActiveModel {
            job_id: Set(job_id),
            dry_run: Set(outcome.dry_run),
            families: Set(i32::try_from(families.len()).unwrap_or(i32::MAX)),
            members: Set(i32::try_from(members).unwrap_or(i32::MAX)),
            committed: Set(committed),
        })
        .exec(&txn)
        .await?;
        txn.commit().await?;
        tracing::info!(job = %job_id, families = families.len(), problems = problems.len(), committed, "family import");
        self.family_import(p, job_id).await
    }

    /// Every family of the file in one transaction: all of them, or none.
    async fn write_families(
        &self,
        p: &Principal,
        families: &[nuanxin_domain::registry::import::ImportedFamily],
        total: u64,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut fam_rows = Vec::with_capacity(families.len());
        let mut member_rows = Vec::new();
        let mut history = Vec::with_capacity(families.len());
        for f in families {
            let v = &f.family;
            let id = Uuid::now_v7();
            let (Some(county), Some(city)) = (
                v.region.ancestor_at(RegionLevel::County),
                v.region.ancestor_at(RegionLevel::City),
            ) else {
                return Err(StoreError::bad_input(
                    "regionCode",
                    msg!("family-region-level"),
                ));
            };
            fam_rows.push(fam::ActiveModel {
                id: Set(id),
                region_code: Set(v.region.as_str().to_owned()),
                city_code: Set(city.as_str().to_owned()),
                county_code: Set(county.as_str().to_owned()),
                township_code: Set(v
                    .region
                    .ancestor_at(RegionLevel::Township)
                    .map(|c| c.as_str().to_owned())),
                village_code: Set(v
                    .region
                    .ancestor_at(RegionLevel::Village)
                    .map(|c| c.as_str().to_owned())),
                status: Set(FamilyStatus::Registered.as_str().to_owned()),
                honour_certificate_no: Set(v.honour_certificate_no.clone()),
                honour_certificate_date: Set(v.honour_certificate_date),
                child_death_date: Set(v.child_death_date),
                later_child_date: Set(v.later_child_date),
                eligible: Set(None),
                eligibility_version: Set(None),
                eligibility_checked_at: Set(None),
                created_by: Set(p.actor_id()),
                created_at: Set(now),
                updated_at: Set(now),
            });
            for m in &v.members {
                member_rows.push(self.member_model(id, m, now)?);
            }
            history.push(hist::ActiveModel {
                id: Set(Uuid::now_v7()),
                family_id: Set(id),
                from_status: Set(None),
                to_status: Set(FamilyStatus::Registered.as_str().to_owned()),
                reason: Set("registered (import)".into()),
                actor_id: Set(p.actor_id()),
                at: Set(now),
                effective_on: Set(None),
            });
        }
        let txn = self.db.begin().await?;
        let mut done = 0u64;
        for chunk in fam_rows.chunks(CHUNK) {
            fam::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
        for chunk in history.chunks(CHUNK) {
            hist::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
        for chunk in member_rows.chunks(CHUNK) {
            mem::Entity::insert_many(chunk.to_vec())
                .exec(&txn)
                .await
                .map_err(|e| match StoreError::from(e) {
                    // Someone registered one of these people while the file was checked.
                    StoreError::Conflict { .. } => StoreError::Conflict {
                        field: None,
                        message: msg!("import-registered-meanwhile"),
                    },
                    other => other,
                })?;
            done += chunk.len() as u64;
            progress(done.min(total), total);
        }
        txn.commit().await?;
        Ok(())
    }

    /// An import's outcome and its first 200 problems, for the person who started it.
    pub async fn family_import(
        &self,
        p: &Principal,
        job_id: Uuid,
    ) -> Result<FamilyImportRecord, StoreError> {
        self.get_job(p, job_id).await?;
        let outcome = import::Entity::find_by_id(job_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "job" })?;
        let q = problem::Entity::find().filter(problem::Column::JobId.eq(job_id));
        let problem_count = q.clone().count(&self.db).await?;
        let problems = q
            .order_by_asc(problem::Column::RowNo)
            .order_by_asc(problem::Column::Id)
            .limit(200)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| ImportProblem {
                row: usize::try_from(r.row_no).unwrap_or(0),
                column: r.column_key.as_deref().and_then(ImportColumn::parse),
                message: Message::from_stored(&r.message),
            })
            .collect();
        Ok(FamilyImportRecord {
            job_id,
            dry_run: outcome.dry_run,
            families: outcome.families,
            members: outcome.members,
            committed: outcome.committed,
            problem_count,
            problems,
        })
    }
}
