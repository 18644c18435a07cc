//! The family registry: listing, registration, member updates, status changes and
//! eligibility, each scoped to the caller's slice.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::registry::eligibility::{self, Decision};
use nuanxin_domain::registry::family::{self, normalize_phone};
use nuanxin_domain::registry::intake::{MemberPatch, ValidFamily, ValidMember};
use nuanxin_domain::text;
use nuanxin_domain::{
    Family, FamilyStatus, IdNumber, Member, MemberRole, Principal, RegionCode, RegionLevel, Sex,
    time,
};
use nuanxin_locale::msg;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::entity::{
    family as fam, family_status_history as hist, member as mem, member_fact, region,
};
use crate::error::StoreError;
use crate::records::{
    EligibilitySnapshot, FamilyRecord, MemberRecord, Page, RequestMeta, StatusHistoryEntry,
};
use crate::slice::require;
use crate::{Store, slice};

/// Filters for the family list; all optional, ANDed with the caller's slice.
#[derive(Debug, Clone, Default)]
pub struct FamilyFilter {
    pub region: Option<RegionCode>,
    pub status: Option<FamilyStatus>,
    /// The wife's (mother's) age in whole years, China Standard Time, inclusive.
    pub wife_age_min: Option<i32>,
    pub wife_age_max: Option<i32>,
    /// Part of any member's name.
    pub name: Option<String>,
}

/// One entry of a member's payment-driving facts.
#[derive(Debug, Clone)]
pub struct FactEntry {
    pub id: Uuid,
    /// `deceased_on` or `hukou_region`.
    pub fact: String,
    /// `None`: the fact was cleared (a death recorded in error).
    pub value: Option<String>,
    pub evidence: String,
    pub corrects: Option<Uuid>,
    pub recorded_by: Uuid,
    pub recorded_at: chrono::DateTime<Utc>,
}

impl Store {
    /// A member's recorded deaths and household registrations, oldest first.
    pub async fn member_facts(
        &self,
        p: &Principal,
        member: Uuid,
    ) -> Result<Vec<FactEntry>, StoreError> {
        self.get_member(p, member).await?;
        Ok(member_fact::Entity::find()
            .filter(member_fact::Column::MemberId.eq(member))
            .order_by_asc(member_fact::Column::RecordedAt)
            .order_by_asc(member_fact::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|f| FactEntry {
                id: f.id,
                fact: f.fact,
                value: f.value,
                evidence: f.evidence,
                corrects: f.corrects,
                recorded_by: f.recorded_by,
                recorded_at: f.recorded_at,
            })
            .collect())
    }

    pub async fn list_families(
        &self,
        p: &Principal,
        filter: &FamilyFilter,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<Page<FamilyRecord>, StoreError> {
        require(p, Operation::ReadFamilies)?;
        let mut cond = Condition::all().add(slice::families(p));
        if let Some(region) = &filter.region {
            cond = cond.add(slice::families_within(region));
        }
        if let Some(status) = filter.status {
            cond = cond.add(fam::Column::Status.eq(status.as_str()));
        }
        if filter.wife_age_min.is_some() || filter.wife_age_max.is_some() {
            let today = time::china_today();
            let (earliest, latest) = time::birth_range_for_ages(
                filter.wife_age_min.unwrap_or(0),
                filter.wife_age_max.unwrap_or(150),
                today,
            );
            let wives = Query::select()
                .column(mem::Column::FamilyId)
                .from(mem::Entity)
                .and_where(mem::Column::Role.eq(MemberRole::Mother.as_str()))
                .and_where(mem::Column::BirthDate.between(earliest, latest))
                .to_owned();
            cond = cond.add(fam::Column::Id.in_subquery(wives));
        }
        if let Some(name) = filter
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let named = Query::select()
                .column(mem::Column::FamilyId)
                .from(mem::Entity)
                .and_where(
                    mem::Column::Name.like(
                        sea_orm::sea_query::LikeExpr::new(format!("%{}%", escape_like(name)))
                            .escape('\\'),
                    ),
                )
                .to_owned();
            cond = cond.add(fam::Column::Id.in_subquery(named));
        }
        if let Some(after) = after {
            cond = cond.add(fam::Column::Id.gt(after));
        }
        let mut rows = fam::Entity::find()
            .filter(cond)
            .order_by_asc(fam::Column::Id)
            .limit(first + 1)
            .all(&self.db)
            .await?;
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let items = rows
            .into_iter()
            .map(family_record)
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            has_next_page,
        })
    }

    pub async fn get_family(&self, p: &Principal, id: Uuid) -> Result<FamilyRecord, StoreError> {
        require(p, Operation::ReadFamilies)?;
        let row = fam::Entity::find_by_id(id)
            .filter(slice::families(p))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "family" })?;
        family_record(row)
    }

    /// Families by id, in one query (DataLoader); ids outside the slice are simply absent.
    pub async fn families_by_ids(
        &self,
        p: &Principal,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, FamilyRecord>, StoreError> {
        require(p, Operation::ReadFamilies)?;
        let rows = fam::Entity::find()
            .filter(slice::families(p))
            .filter(fam::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|r| family_record(r).map(|f| (f.family.id, f)))
            .collect()
    }

    /// Members of many families in one query (DataLoader), in a stable order.
    pub async fn members_of_families(
        &self,
        p: &Principal,
        family_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Vec<MemberRecord>>, StoreError> {
        require(p, Operation::ReadFamilies)?;
        let rows = mem::Entity::find()
            .filter(slice::members(p))
            .filter(mem::Column::FamilyId.is_in(family_ids.iter().copied()))
            .order_by_asc(mem::Column::FamilyId)
            .order_by_asc(mem::Column::Id)
            .all(&self.db)
            .await?;
        let mut out: HashMap<Uuid, Vec<MemberRecord>> = HashMap::new();
        for row in rows {
            let rec = self.member_record(row)?;
            out.entry(rec.family_id()).or_default().push(rec);
        }
        Ok(out)
    }

    /// Members of families as the API reads them: a read of a minor's record is logged
    /// (one access-log row per minor; none, and no extra statement, when there is none).
    pub async fn members_of_families_read(
        &self,
        p: &Principal,
        family_ids: &[Uuid],
        meta: &RequestMeta,
    ) -> Result<HashMap<Uuid, Vec<MemberRecord>>, StoreError> {
        let out = self.members_of_families(p, family_ids).await?;
        let cutoff = slice::minor_cutoff();
        let minors: Vec<Option<Uuid>> = out
            .values()
            .flatten()
            .filter(|m| m.birth_date > cutoff)
            .map(|m| Some(m.id()))
            .collect();
        if !minors.is_empty() {
            self.log_reads(p, minors, "member", "read", "records about a minor", meta)
                .await?;
        }
        Ok(out)
    }

    /// One member as the API reads them (a minor's read is logged).
    pub async fn member_read(
        &self,
        p: &Principal,
        id: Uuid,
        meta: &RequestMeta,
    ) -> Result<MemberRecord, StoreError> {
        let m = self.get_member(p, id).await?;
        if m.birth_date > slice::minor_cutoff() {
            self.log_reads(
                p,
                [Some(m.id())],
                "member",
                "read",
                "records about a minor",
                meta,
            )
            .await?;
        }
        Ok(m)
    }

    pub async fn get_member(&self, p: &Principal, id: Uuid) -> Result<MemberRecord, StoreError> {
        require(p, Operation::ReadFamilies)?;
        let row = mem::Entity::find_by_id(id)
            .filter(slice::members(p))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "member" })?;
        self.member_record(row)
    }

    /// Status histories of many families in one query (DataLoader), oldest first.
    pub async fn status_histories(
        &self,
        p: &Principal,
        family_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Vec<StatusHistoryEntry>>, StoreError> {
        require(p, Operation::ReadFamilies)?;
        let reachable = Query::select()
            .column(fam::Column::Id)
            .from(fam::Entity)
            .cond_where(slice::families(p))
            .to_owned();
        let rows = hist::Entity::find()
            .filter(hist::Column::FamilyId.in_subquery(reachable))
            .filter(hist::Column::FamilyId.is_in(family_ids.iter().copied()))
            .order_by_asc(hist::Column::At)
            .order_by_asc(hist::Column::Id)
            .all(&self.db)
            .await?;
        let mut out: HashMap<Uuid, Vec<StatusHistoryEntry>> = HashMap::new();
        for row in rows {
            out.entry(row.family_id)
                .or_default()
                .push(StatusHistoryEntry {
                    family_id: row.family_id,
                    from: row.from_status.as_deref().and_then(FamilyStatus::parse),
                    to: parse_status(&row.to_status)?,
                    reason: row.reason,
                    actor_id: row.actor_id,
                    at: row.at,
                    effective_on: row
                        .effective_on
                        .unwrap_or_else(|| nuanxin_domain::time::china_date(row.at)),
                });
        }
        Ok(out)
    }

    /// Registers a family and its members in one transaction: all of it, or nothing.
    pub async fn register_family(
        &self,
        p: &Principal,
        valid: ValidFamily,
        meta: &RequestMeta,
    ) -> Result<FamilyRecord, StoreError> {
        require(p, Operation::RegisterFamily)?;
        if !p.covers(Resource::Family, &valid.region) {
            return Err(StoreError::bad_input(
                "regionCode",
                msg!("family-region-outside-area", region = valid.region.as_str()),
            ));
        }
        let now = Utc::now();
        let family_id = Uuid::now_v7();
        let txn = self.db.begin().await?;
        ensure_region_exists(&txn, &valid.region, "regionCode").await?;
        for (i, m) in valid.members.iter().enumerate() {
            ensure_region_exists(
                &txn,
                &m.hukou_region,
                &format!("members[{i}].hukouRegionCode"),
            )
            .await?;
        }
        // Uniqueness of living persons: check first for a clear message; the partial unique
        // index still guards against a concurrent registration.
        for (i, m) in valid.members.iter().enumerate() {
            if m.deceased_on.is_some() {
                continue;
            }
            let bidx = self.vault.blind_index("idNumber", m.id_number.expose());
            let existing = mem::Entity::find()
                .filter(mem::Column::IdNumberBidx.eq(bidx))
                .filter(mem::Column::DeceasedOn.is_null())
                .one(&txn)
                .await?;
            if let Some(existing) = existing {
                // The refusal tells the clerk that this person is on file somewhere in the
                // city: that is a read of the registry by ID number, logged like a lookup
                // (outside the registration, which is rolled back).
                txn.rollback().await?;
                self.log_reads(
                    p,
                    [Some(existing.id)],
                    "idNumber",
                    "registerFamily",
                    "duplicate check at registration",
                    meta,
                )
                .await?;
                return Err(duplicate_id(i));
            }
        }
        let county = valid
            .region
            .ancestor_at(RegionLevel::County)
            .ok_or_else(|| StoreError::bad_input("regionCode", msg!("family-region-level")))?;
        let city = valid
            .region
            .ancestor_at(RegionLevel::City)
            .ok_or_else(|| StoreError::bad_input("regionCode", msg!("family-region-level")))?;
        fam::ActiveModel {
            id: Set(family_id),
            region_code: Set(valid.region.as_str().to_owned()),
            city_code: Set(city.as_str().to_owned()),
            county_code: Set(county.as_str().to_owned()),
            township_code: Set(valid
                .region
                .ancestor_at(RegionLevel::Township)
                .map(|c| c.as_str().to_owned())),
            village_code: Set(valid
                .region
                .ancestor_at(RegionLevel::Village)
                .map(|c| c.as_str().to_owned())),
            status: Set(FamilyStatus::Registered.as_str().to_owned()),
            honour_certificate_no: Set(valid.honour_certificate_no.clone()),
            honour_certificate_date: Set(valid.honour_certificate_date),
            child_death_date: Set(valid.child_death_date),
            later_child_date: Set(valid.later_child_date),
            eligible: Set(None),
            eligibility_version: Set(None),
            eligibility_checked_at: Set(None),
            created_by: Set(p.actor_id()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let mut models = Vec::with_capacity(valid.members.len());
        for m in &valid.members {
            models.push(self.member_model(family_id, m, now)?);
        }
        if !models.is_empty() {
            mem::Entity::insert_many(models).exec(&txn).await.map_err(
                |e| match StoreError::from(e) {
                    StoreError::Conflict { .. } => duplicate_id(0),
                    other => other,
                },
            )?;
        }
        hist::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(family_id),
            from_status: Set(None),
            to_status: Set(FamilyStatus::Registered.as_str().to_owned()),
            reason: Set("registered".into()),
            actor_id: Set(p.actor_id()),
            at: Set(now),
            effective_on: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        tracing::info!(family = %family_id, region = %valid.region, "family registered");
        self.get_family(p, family_id).await
    }

    pub async fn update_member(
        &self,
        p: &Principal,
        id: Uuid,
        patch: MemberPatch,
    ) -> Result<MemberRecord, StoreError> {
        require(p, Operation::UpdateMember)?;
        let txn = self.db.begin().await?;
        let row = mem::Entity::find_by_id(id)
            .filter(slice::members(p))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "member" })?;
        let mut am: mem::ActiveModel = row.into();
        if let Some(name) = patch.name {
            let name = text::person_name(&name).map_err(|e| StoreError::bad_input("name", e))?;
            am.name = Set(name);
        }
        if let Some(phone) = patch.phone {
            am.phone_enc = Set(if phone.trim().is_empty() {
                None
            } else {
                let phone = normalize_phone(&phone)
                    .ok_or_else(|| StoreError::bad_input("phone", msg!("phone-format")))?;
                Some(self.encrypt("phone", id, &phone)?)
            });
        }
        if let Some(address) = patch.address {
            am.address = Set(text::optional(&address, text::limits::ADDRESS)
                .map_err(|e| StoreError::bad_input("address", e))?);
        }
        // Payment-driving facts: recorded by the policy's roles only, on evidence, each
        // change appended to the member's history (correcting the last entry of its kind).
        let mut facts: Vec<(&'static str, Option<String>)> = Vec::new();
        if let Some(hukou) = patch.hukou_region {
            let code = RegionCode::parse(&hukou)
                .map_err(|e| StoreError::bad_input("hukouRegionCode", e))?;
            ensure_region_exists(&txn, &code, "hukouRegionCode").await?;
            am.hukou_region_code = Set(code.as_str().to_owned());
            facts.push(("hukou_region", Some(code.as_str().to_owned())));
        }
        if let Some(d) = patch.deceased_on {
            if d.is_some_and(|d| d > time::china_today()) {
                return Err(StoreError::bad_input(
                    "deceasedOn",
                    msg!("death-date-in-future"),
                ));
            }
            // A death recorded late takes effect on its date, within the same limit as a
            // back-dated status change.
            if let Some(day) = d {
                family::check_effective_on(day, time::china_today(), self.backdate_limit_months)
                    .map_err(|e| StoreError::bad_input("deceasedOn", e))?;
            }
            am.deceased_on = Set(d);
            facts.push(("deceased_on", d.map(|d| d.to_string())));
        }
        let now = Utc::now();
        if !facts.is_empty() {
            require(p, Operation::RecordPaymentFacts)?;
            let evidence = patch
                .evidence
                .as_deref()
                .map(|e| text::required(e, text::limits::REASON))
                .transpose()
                .map_err(|e| StoreError::bad_input("evidence", e))?
                .filter(|e| e.chars().count() >= 4)
                .ok_or_else(|| {
                    StoreError::bad_input("evidence", msg!("member-fact-needs-evidence"))
                })?;
            for (fact, value) in facts {
                let last = member_fact::Entity::find()
                    .filter(member_fact::Column::MemberId.eq(id))
                    .filter(member_fact::Column::Fact.eq(fact))
                    .order_by_desc(member_fact::Column::RecordedAt)
                    .order_by_desc(member_fact::Column::Id)
                    .one(&txn)
                    .await?;
                member_fact::Entity::insert(member_fact::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    member_id: Set(id),
                    fact: Set(fact.to_owned()),
                    value: Set(value),
                    evidence: Set(evidence.clone()),
                    corrects: Set(last.map(|l| l.id)),
                    recorded_by: Set(p.actor_id()),
                    recorded_at: Set(now),
                })
                .exec(&txn)
                .await?;
            }
        }
        am.updated_at = Set(now);
        let row = am.update(&txn).await?;
        txn.commit().await?;
        self.member_record(row)
    }

    /// Moves a family to a new status and appends the history entry, atomically. A
    /// concurrent change of the same family makes this one fail with CONFLICT.
    pub async fn change_family_status(
        &self,
        p: &Principal,
        id: Uuid,
        to: FamilyStatus,
        reason: &str,
        effective_on: Option<NaiveDate>,
    ) -> Result<FamilyRecord, StoreError> {
        require(p, Operation::ChangeFamilyStatus)?;
        if let Some(on) = effective_on {
            family::check_effective_on(on, self.today(), self.backdate_limit_months)
                .map_err(|e| StoreError::bad_input("effectiveOn", e))?;
        }
        let txn = self.db.begin().await?;
        let row = fam::Entity::find_by_id(id)
            .filter(slice::families(p))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "family" })?;
        let current = parse_status(&row.status)?;
        let now = Utc::now();
        let change =
            family::change_status(current, to, reason, p.actor_id(), now).map_err(|e| match e {
                family::TransitionError::MissingReason | family::TransitionError::BadReason(_) => {
                    StoreError::bad_input("reason", e)
                }
                family::TransitionError::Illegal { .. } => StoreError::bad_input("status", e),
            })?;
        if !p.may_transition(current, to) {
            return Err(StoreError::forbidden(msg!(
                "forbidden-family-step",
                role = p.audience().word(),
                from = current.word(),
                to = to.word()
            )));
        }
        let updated = fam::Entity::update_many()
            .col_expr(
                fam::Column::Status,
                sea_orm::sea_query::Expr::value(to.as_str()),
            )
            .col_expr(fam::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            .filter(fam::Column::Id.eq(id))
            .filter(fam::Column::Status.eq(current.as_str()))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(StoreError::Conflict {
                field: Some("status".into()),
                message: msg!("changed-meanwhile", what = Resource::Family.word()),
            });
        }
        hist::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(id),
            from_status: Set(change.from.map(|s| s.as_str().to_owned())),
            to_status: Set(change.to.as_str().to_owned()),
            reason: Set(change.reason),
            actor_id: Set(p.actor_id()),
            at: Set(now),
            effective_on: Set(effective_on),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        self.get_family(p, id).await
    }

    /// Evaluates the eligibility rules on the family as filed and records the outcome.
    pub async fn evaluate_eligibility(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<Decision, StoreError> {
        require(p, Operation::EvaluateEligibility)?;
        let record = self.get_family(p, id).await?;
        let members: Vec<Member> = self
            .members_of_families(p, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.member)
            .collect();
        let decision =
            eligibility::evaluate(&record.family, &members, &self.city, time::china_today());
        fam::Entity::update_many()
            .col_expr(
                fam::Column::Eligible,
                sea_orm::sea_query::Expr::value(decision.eligible),
            )
            .col_expr(
                fam::Column::EligibilityVersion,
                sea_orm::sea_query::Expr::value(decision.rule_set_version),
            )
            .col_expr(
                fam::Column::EligibilityCheckedAt,
                sea_orm::sea_query::Expr::value(Utc::now()),
            )
            .filter(fam::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(decision)
    }

    pub(crate) fn encrypt(
        &self,
        field: &str,
        row: Uuid,
        clear: &str,
    ) -> Result<String, StoreError> {
        self.vault
            .encrypt(field, row, clear)
            .map_err(|e| StoreError::Internal(e.to_string()))
    }

    pub(crate) fn member_model(
        &self,
        family_id: Uuid,
        m: &ValidMember,
        now: chrono::DateTime<Utc>,
    ) -> Result<mem::ActiveModel, StoreError> {
        let id = Uuid::now_v7();
        Ok(mem::ActiveModel {
            id: Set(id),
            family_id: Set(family_id),
            role: Set(m.role.as_str().to_owned()),
            name: Set(m.name.clone()),
            id_number_enc: Set(self.encrypt("idNumber", id, m.id_number.expose())?),
            id_number_bidx: Set(self.vault.blind_index("idNumber", m.id_number.expose())),
            birth_date: Set(m.id_number.birth_date()),
            sex: Set(sex_str(m.id_number.sex()).to_owned()),
            phone_enc: Set(m
                .phone
                .as_deref()
                .map(|ph| self.encrypt("phone", id, ph))
                .transpose()?),
            phone_bidx: Set(m.phone.as_deref().and_then(|ph| self.phone_bidx(ph))),
            address: Set(m.address.clone()),
            hukou_region_code: Set(m.hukou_region.as_str().to_owned()),
            deceased_on: Set(m.deceased_on),
            created_at: Set(now),
            updated_at: Set(now),
        })
    }

    pub(crate) fn member_record(&self, row: mem::Model) -> Result<MemberRecord, StoreError> {
        let damaged =
            |e: crate::vault::VaultError| StoreError::Internal(format!("member {}: {e}", row.id));
        let id_clear = self
            .vault
            .decrypt("idNumber", row.id, &row.id_number_enc)
            .map_err(damaged)?;
        let id_number =
            IdNumber::parse(&id_clear).map_err(|e| StoreError::Internal(e.to_string()))?;
        let phone = row
            .phone_enc
            .as_deref()
            .map(|env| self.vault.decrypt("phone", row.id, env))
            .transpose()
            .map_err(damaged)?;
        Ok(MemberRecord {
            birth_date: row.birth_date,
            sex: if row.sex == "female" {
                Sex::Female
            } else {
                Sex::Male
            },
            member: Member {
                id: row.id,
                family_id: row.family_id,
                role: MemberRole::parse(&row.role).unwrap_or(MemberRole::Other),
                name: row.name,
                id_number,
                phone,
                address: row.address,
                hukou_region: RegionCode::parse(&row.hukou_region_code)
                    .map_err(|e| StoreError::Internal(e.to_string()))?,
                deceased_on: row.deceased_on,
            },
        })
    }
}

fn duplicate_id(i: usize) -> StoreError {
    StoreError::Conflict {
        field: Some(format!("members[{i}].idNumber")),
        message: msg!("id-number-registered"),
    }
}

/// A search term as a LIKE pattern's literal part: `%`, `_` and the escape itself match only
/// themselves.
fn escape_like(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn sex_str(s: Sex) -> &'static str {
    match s {
        Sex::Male => "male",
        Sex::Female => "female",
    }
}

fn parse_status(s: &str) -> Result<FamilyStatus, StoreError> {
    FamilyStatus::parse(s)
        .ok_or_else(|| StoreError::Internal(format!("unknown family status {s:?} in the database")))
}

fn family_record(row: fam::Model) -> Result<FamilyRecord, StoreError> {
    let internal =
        |e: nuanxin_domain::registry::region::RegionCodeError| StoreError::Internal(e.to_string());
    Ok(FamilyRecord {
        family: Family {
            id: row.id,
            region: RegionCode::parse(&row.region_code).map_err(internal)?,
            status: parse_status(&row.status)?,
            honour_certificate_no: row.honour_certificate_no,
            honour_certificate_date: row.honour_certificate_date,
            child_death_date: row.child_death_date,
            later_child_date: row.later_child_date,
        },
        last_eligibility: match (
            row.eligible,
            row.eligibility_version,
            row.eligibility_checked_at,
        ) {
            (Some(eligible), Some(rule_set_version), Some(evaluated_at)) => {
                Some(EligibilitySnapshot {
                    eligible,
                    rule_set_version,
                    evaluated_at,
                })
            }
            _ => None,
        },
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

async fn ensure_region_exists<C: ConnectionTrait>(
    conn: &C,
    code: &RegionCode,
    field: &str,
) -> Result<(), StoreError> {
    let found = region::Entity::find_by_id(code.as_str().to_owned())
        .filter(region::Column::ValidTo.is_null())
        .one(conn)
        .await?;
    if found.is_none() {
        return Err(StoreError::bad_input(
            field,
            msg!("region-unknown", code = code),
        ));
    }
    Ok(())
}
