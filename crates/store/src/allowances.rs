//! Allowance standards, entitlements with their explanations, moves between regions and
//! the bank accounts allowances are paid into.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use nuanxin_domain::allowances::account::ValidAccount;
use nuanxin_domain::allowances::{
    self as allowance, AllowanceKind, Decision, FamilyTimeline, Parent, Rules, Standard,
};
use nuanxin_domain::month::YearMonth;
use nuanxin_domain::policy::{Operation, Resource, SensitiveField};
use nuanxin_domain::{FamilyStatus, MemberRole, Principal, RegionCode, RegionLevel, time};
use nuanxin_locale::{Arg, msg};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::access::check_unmask;
use crate::entity::{
    allowance_standard as std_e, bank_account, bank_account_change, family as fam,
    family_region_change as moves, family_status_history as hist, member as mem, region,
};
use crate::error::StoreError;
use crate::records::RequestMeta;
use crate::slice::require;
use crate::{Store, slice};

/// Which families a batch load covers: given ids (chunked), or every family filed in a
/// county now (one small subquery, so each query is a single short message with an index
/// plan, whatever the county's size).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FamilyScope<'a> {
    Ids(&'a [Uuid]),
    County(&'a RegionCode),
}

impl FamilyScope<'_> {
    /// `col` (a family id column) lies in this scope.
    pub(crate) fn condition<C: sea_orm::sea_query::IntoColumnRef>(&self, col: C, pg: bool) -> Expr {
        match self {
            FamilyScope::Ids(ids) => crate::rosters::id_in(col, ids, pg),
            FamilyScope::County(county) => Expr::col(col).in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(fam::Column::Id)
                    .from(fam::Entity)
                    .and_where(fam::Column::CountyCode.eq(county.as_str()))
                    .to_owned(),
            ),
        }
    }
}

/// A new standard, from a month on. The previous open standard of the same kind and scope
/// ends the month before: history stays.
#[derive(Debug, Clone)]
pub struct NewStandard {
    pub kind: AllowanceKind,
    pub monthly_fen: i64,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub effective_from: YearMonth,
    pub county: Option<RegionCode>,
}

/// A bank or social-security-card account; the number is masked unless revealed.
#[derive(Debug, Clone)]
pub struct BankAccountRecord {
    pub member_id: Uuid,
    pub kind: String,
    pub bank_name: String,
    pub holder_name: String,
    pub(crate) number: String,
}

impl BankAccountRecord {
    pub fn number_masked(&self) -> String {
        nuanxin_domain::access::mask::account(&self.number)
    }
}

impl Store {
    /// Seeds the seed document's standards (680 CNY from 49, 70 CNY up to 48, city-wide)
    /// when there are none yet.
    pub(crate) async fn seed_standards_if_empty(&self) -> Result<(), StoreError> {
        if std_e::Entity::find().one(&self.db).await?.is_some() {
            return Ok(());
        }
        let from =
            YearMonth::new(2014, 1).ok_or_else(|| StoreError::Internal("seed month".into()))?;
        let rows = allowance::seed_standards(from)
            .into_iter()
            .map(|s| std_model(&s, Uuid::nil()));
        std_e::Entity::insert_many(rows.collect::<Vec<_>>())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn standards(&self, p: &Principal) -> Result<Vec<Standard>, StoreError> {
        require(p, Operation::ReadStandards)?;
        self.all_standards(&self.db).await
    }

    pub(crate) async fn all_standards<C: ConnectionTrait>(
        &self,
        conn: &C,
    ) -> Result<Vec<Standard>, StoreError> {
        std_e::Entity::find()
            .order_by_asc(std_e::Column::EffectiveFrom)
            .all(conn)
            .await?
            .into_iter()
            .map(to_standard)
            .collect()
    }

    pub async fn add_standard(
        &self,
        p: &Principal,
        new: NewStandard,
    ) -> Result<Standard, StoreError> {
        require(p, Operation::ManageStandards)?;
        if new.monthly_fen <= 0 {
            return Err(StoreError::bad_input(
                "monthlyFen",
                msg!("standard-amount-positive"),
            ));
        }
        if let (Some(a), Some(b)) = (new.min_age, new.max_age)
            && a > b
        {
            return Err(StoreError::bad_input("minAge", msg!("standard-age-order")));
        }
        if let Some(c) = &new.county
            && (c.level() != RegionLevel::County || !p.covers(Resource::Family, c))
        {
            return Err(StoreError::bad_input(
                "countyCode",
                msg!("standard-county-outside", county = c.as_str()),
            ));
        }
        let txn = self.db.begin().await?;
        let scope = |q: sea_orm::Select<std_e::Entity>| match &new.county {
            Some(c) => q.filter(std_e::Column::CountyCode.eq(c.as_str())),
            None => q.filter(std_e::Column::CountyCode.is_null()),
        };
        let open = scope(
            std_e::Entity::find()
                .filter(std_e::Column::Kind.eq(new.kind.as_str()))
                .filter(std_e::Column::EffectiveTo.is_null()),
        )
        .all(&txn)
        .await?;
        for row in open {
            if row.effective_from >= new.effective_from.as_number() {
                return Err(StoreError::Conflict {
                    field: Some("effectiveFrom".into()),
                    message: msg!(
                        "standard-starts-later",
                        month = YearMonth::from_number(row.effective_from)
                            .map(Arg::from)
                            .unwrap_or_else(|| Arg::Number(row.effective_from.into()))
                    ),
                });
            }
            std_e::Entity::update_many()
                .col_expr(
                    std_e::Column::EffectiveTo,
                    Expr::value(new.effective_from.prev().as_number()),
                )
                .filter(std_e::Column::Id.eq(row.id))
                .exec(&txn)
                .await?;
        }
        let standard = Standard {
            id: Uuid::now_v7(),
            kind: new.kind,
            monthly_fen: new.monthly_fen,
            min_age: new.min_age,
            max_age: new.max_age,
            effective_from: new.effective_from,
            effective_to: None,
            county: new.county,
        };
        std_e::Entity::insert(std_model(&standard, p.actor_id()))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(standard)
    }

    /// What a member is owed for a month, and why (or why not).
    pub async fn member_entitlement(
        &self,
        p: &Principal,
        member_id: Uuid,
        month: YearMonth,
        rules: Rules,
    ) -> Result<Decision, StoreError> {
        require(p, Operation::ReadEntitlementStatus)?;
        let member = self.get_member(p, member_id).await?;
        let timelines = self
            .load_timelines(&self.db, FamilyScope::Ids(&[member.family_id()]))
            .await?;
        let standards = self.all_standards(&self.db).await?;
        let Some(timeline) = timelines.first() else {
            return Err(StoreError::NotFound { what: "family" });
        };
        Ok(allowance::entitlement(
            timeline, member_id, month, &standards, rules,
        ))
    }

    /// Entitlements of many (member, month) pairs in a constant number of queries (a page's
    /// DataLoader): the members through the caller's slice, their families' timelines and
    /// the standards once. Pairs outside the slice are simply absent.
    pub async fn member_entitlements(
        &self,
        p: &Principal,
        keys: &[(Uuid, YearMonth)],
        rules: Rules,
    ) -> Result<HashMap<(Uuid, YearMonth), Decision>, StoreError> {
        require(p, Operation::ReadEntitlementStatus)?;
        let mut member_ids: Vec<Uuid> = keys.iter().map(|(m, _)| *m).collect();
        member_ids.sort();
        member_ids.dedup();
        let mut family_of = HashMap::new();
        for chunk in member_ids.chunks(crate::rosters::ID_CHUNK) {
            for (id, family) in mem::Entity::find()
                .select_only()
                .column(mem::Column::Id)
                .column(mem::Column::FamilyId)
                .filter(slice::members(p))
                .filter(mem::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple::<(Uuid, Uuid)>()
                .all(&self.db)
                .await?
            {
                family_of.insert(id, family);
            }
        }
        let mut families: Vec<Uuid> = family_of.values().copied().collect();
        families.sort();
        families.dedup();
        let timelines = self
            .load_timelines(&self.db, FamilyScope::Ids(&families))
            .await?;
        let by_family: HashMap<Uuid, &FamilyTimeline> =
            timelines.iter().map(|t| (t.family_id, t)).collect();
        let standards = self.all_standards(&self.db).await?;
        Ok(keys
            .iter()
            .filter_map(|(member, month)| {
                let timeline = by_family.get(family_of.get(member)?)?;
                Some((
                    (*member, *month),
                    allowance::entitlement(timeline, *member, *month, &standards, rules),
                ))
            })
            .collect())
    }

    /// Moves a family to another village or township of the city, from a date. The months
    /// before the move's month stay with the old county (see the allowance rules).
    pub async fn move_family(
        &self,
        p: &Principal,
        family_id: Uuid,
        to: &str,
        effective_on: NaiveDate,
        reason: &str,
    ) -> Result<crate::FamilyRecord, StoreError> {
        require(p, Operation::MoveFamily)?;
        let to = RegionCode::parse(to).map_err(|e| StoreError::bad_input("regionCode", e))?;
        if !matches!(to.level(), RegionLevel::Township | RegionLevel::Village)
            || !to.is_within(&self.city)
        {
            return Err(StoreError::bad_input(
                "regionCode",
                msg!("move-target-level"),
            ));
        }
        nuanxin_domain::registry::family::check_effective_on(
            effective_on,
            time::china_today(),
            self.backdate_limit_months,
        )
        .map_err(|e| StoreError::bad_input("effectiveOn", e))?;
        let reason = nuanxin_domain::text::required(reason, nuanxin_domain::text::limits::REASON)
            .map_err(|e| StoreError::bad_input("reason", e))?;
        let reason = reason.as_str();
        let txn = self.db.begin().await?;
        let family = fam::Entity::find_by_id(family_id)
            .filter(slice::families(p))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "family" })?;
        if region::Entity::find_by_id(to.as_str().to_owned())
            .one(&txn)
            .await?
            .is_none()
        {
            return Err(StoreError::bad_input(
                "regionCode",
                msg!("region-unknown", code = to),
            ));
        }
        let earlier = moves::Entity::find()
            .filter(moves::Column::FamilyId.eq(family_id))
            .all(&txn)
            .await?;
        let registered_on = time::china_date(family.created_at);
        if earlier.is_empty() {
            move_row(
                family_id,
                &family.region_code,
                registered_on,
                "registered",
                p.actor_id(),
            )
            .insert(&txn)
            .await?;
        }
        if effective_on < registered_on || earlier.iter().any(|m| m.effective_on > effective_on) {
            return Err(StoreError::bad_input(
                "effectiveOn",
                msg!("move-date-before-last"),
            ));
        }
        move_row(
            family_id,
            to.as_str(),
            effective_on,
            reason.trim(),
            p.actor_id(),
        )
        .insert(&txn)
        .await?;
        let mut am: fam::ActiveModel = family.into();
        am.region_code = Set(to.as_str().to_owned());
        am.county_code = Set(to
            .ancestor_at(RegionLevel::County)
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default());
        am.township_code = Set(to
            .ancestor_at(RegionLevel::Township)
            .map(|c| c.as_str().to_owned()));
        am.village_code = Set(to
            .ancestor_at(RegionLevel::Village)
            .map(|c| c.as_str().to_owned()));
        am.updated_at = Set(Utc::now());
        am.update(&txn).await?;
        txn.commit().await?;
        // The family may now be outside the caller's slice: read it back as the system.
        self.get_family(
            &Principal::system("read back a family just moved"),
            family_id,
        )
        .await
    }

    pub async fn set_bank_account(
        &self,
        p: &Principal,
        member_id: Uuid,
        new: ValidAccount,
    ) -> Result<BankAccountRecord, StoreError> {
        require(p, Operation::SetBankAccount)?;
        let member = self.get_member(p, member_id).await?;
        let holder = new
            .holder_for(member.name())
            .map_err(|e| StoreError::bad_input(e.field, e.message))?;
        let (number, bank_name, evidence) = (
            new.number.clone(),
            new.bank_name.clone(),
            new.evidence.clone(),
        );
        let now = Utc::now();
        let account_enc = self.encrypt("bankAccount", member_id, &number)?;
        let row = bank_account::ActiveModel {
            member_id: Set(member_id),
            account_kind: Set(new.kind.clone()),
            bank_name: Set(bank_name.clone()),
            holder_name: Set(holder.clone()),
            account_enc: Set(account_enc.clone()),
            updated_by: Set(p.actor_id()),
            updated_at: Set(now),
        };
        let txn = self.db.begin().await?;
        bank_account::Entity::insert(row)
            .on_conflict(
                OnConflict::column(bank_account::Column::MemberId)
                    .update_columns([
                        bank_account::Column::AccountKind,
                        bank_account::Column::BankName,
                        bank_account::Column::HolderName,
                        bank_account::Column::AccountEnc,
                        bank_account::Column::UpdatedBy,
                        bank_account::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec(&txn)
            .await?;
        // Appended, never edited: who set which account, when, on what evidence.
        bank_account_change::Entity::insert(bank_account_change::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(member_id),
            account_kind: Set(new.kind.clone()),
            bank_name: Set(bank_name.clone()),
            holder_name: Set(holder.clone()),
            account_enc: Set(account_enc),
            evidence: Set(evidence),
            set_by: Set(p.actor_id()),
            set_at: Set(now),
        })
        .exec(&txn)
        .await?;
        txn.commit().await?;
        Ok(BankAccountRecord {
            member_id,
            kind: new.kind,
            bank_name,
            holder_name: holder,
            number,
        })
    }

    /// Bank accounts of many members in one query (DataLoader), within the caller's slice.
    pub async fn bank_accounts(
        &self,
        p: &Principal,
        member_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, BankAccountRecord>, StoreError> {
        require(p, Operation::ReadFamilies)?;
        let reachable = sea_orm::sea_query::Query::select()
            .column(mem::Column::Id)
            .from(mem::Entity)
            .cond_where(slice::members(p))
            .to_owned();
        let rows = bank_account::Entity::find()
            .filter(bank_account::Column::MemberId.in_subquery(reachable))
            .filter(bank_account::Column::MemberId.is_in(member_ids.iter().copied()))
            .all(&self.db)
            .await?;
        let mut out = HashMap::new();
        for r in rows {
            let number = self
                .vault
                .decrypt("bankAccount", r.member_id, &r.account_enc)
                .map_err(|e| {
                    StoreError::Internal(format!("bank account of {}: {e}", r.member_id))
                })?;
            out.insert(
                r.member_id,
                BankAccountRecord {
                    member_id: r.member_id,
                    kind: r.account_kind,
                    bank_name: r.bank_name,
                    holder_name: r.holder_name,
                    number,
                },
            );
        }
        Ok(out)
    }

    /// Releases account numbers for a stated purpose; one access-log row per person.
    pub async fn reveal_bank_accounts(
        &self,
        p: &Principal,
        accounts: &[&BankAccountRecord],
        purpose: &str,
        operation: &str,
        meta: &RequestMeta,
    ) -> Result<Vec<String>, StoreError> {
        let purpose = check_unmask(p, &[SensitiveField::BankAccount], purpose)?;
        self.log_reads(
            p,
            accounts.iter().map(|a| Some(a.member_id)),
            SensitiveField::BankAccount.as_str(),
            operation,
            purpose,
            meta,
        )
        .await?;
        Ok(accounts.iter().map(|a| a.number.clone()).collect())
    }

    /// The allowance timelines of the families in `scope`: four queries (per chunk of ids).
    pub(crate) async fn load_timelines<C: ConnectionTrait>(
        &self,
        conn: &C,
        scope: FamilyScope<'_>,
    ) -> Result<Vec<FamilyTimeline>, StoreError> {
        match scope {
            FamilyScope::County(_) => self.load_timelines_of(conn, scope).await,
            FamilyScope::Ids(ids) => {
                let mut out = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(crate::rosters::ID_CHUNK) {
                    out.extend(
                        self.load_timelines_of(conn, FamilyScope::Ids(chunk))
                            .await?,
                    );
                }
                Ok(out)
            }
        }
    }

    async fn load_timelines_of<C: ConnectionTrait>(
        &self,
        conn: &C,
        scope: FamilyScope<'_>,
    ) -> Result<Vec<FamilyTimeline>, StoreError> {
        let pg = self.is_postgres();
        let families = fam::Entity::find()
            .filter(scope.condition((fam::Entity, fam::Column::Id), pg))
            .order_by_asc(fam::Column::Id)
            .all(conn)
            .await?;
        let parents: Vec<(Uuid, Uuid, String, String, NaiveDate, Option<NaiveDate>)> =
            mem::Entity::find()
                .select_only()
                .columns([
                    mem::Column::Id,
                    mem::Column::FamilyId,
                    mem::Column::Role,
                    mem::Column::Name,
                    mem::Column::BirthDate,
                    mem::Column::DeceasedOn,
                ])
                .filter(scope.condition((mem::Entity, mem::Column::FamilyId), pg))
                .filter(
                    mem::Column::Role
                        .is_in([MemberRole::Father.as_str(), MemberRole::Mother.as_str()]),
                )
                .order_by_asc(mem::Column::Id)
                .into_tuple()
                .all(conn)
                .await?;
        let statuses: Vec<(Uuid, String, chrono::DateTime<Utc>, Option<NaiveDate>)> =
            hist::Entity::find()
                .select_only()
                .columns([
                    hist::Column::FamilyId,
                    hist::Column::ToStatus,
                    hist::Column::At,
                    hist::Column::EffectiveOn,
                ])
                .filter(scope.condition((hist::Entity, hist::Column::FamilyId), pg))
                // Per family is all that matters, and it matches the (family_id, at) index.
                .order_by_asc(hist::Column::FamilyId)
                .order_by_asc(hist::Column::At)
                .order_by_asc(hist::Column::Id)
                .into_tuple()
                .all(conn)
                .await?;
        let region_changes: Vec<(Uuid, String, NaiveDate)> = moves::Entity::find()
            .select_only()
            .columns([
                moves::Column::FamilyId,
                moves::Column::RegionCode,
                moves::Column::EffectiveOn,
            ])
            .filter(scope.condition((moves::Entity, moves::Column::FamilyId), pg))
            .order_by_asc(moves::Column::FamilyId)
            .order_by_asc(moves::Column::EffectiveOn)
            .order_by_asc(moves::Column::RecordedAt)
            .into_tuple()
            .all(conn)
            .await?;

        let mut by_family: HashMap<Uuid, FamilyTimeline> = HashMap::with_capacity(families.len());
        let internal = |e: nuanxin_domain::registry::region::RegionCodeError| {
            StoreError::Internal(e.to_string())
        };
        for f in &families {
            by_family.insert(
                f.id,
                FamilyTimeline {
                    family_id: f.id,
                    child_death_date: f.child_death_date,
                    later_child_date: f.later_child_date,
                    statuses: Vec::new(),
                    recorded: Vec::new(),
                    regions: Vec::new(),
                    parents: Vec::new(),
                },
            );
        }
        for (id, family_id, role, name, birth_date, deceased_on) in parents {
            if let Some(t) = by_family.get_mut(&family_id) {
                t.parents.push(Parent {
                    member_id: id,
                    name,
                    role: MemberRole::parse(&role).unwrap_or(MemberRole::Other),
                    birth_date,
                    deceased_on,
                });
            }
        }
        // In the order recorded; back-dated entries take effect earlier (and carry the
        // entries before them along: `effective_statuses`).
        let mut history: HashMap<Uuid, Vec<(NaiveDate, Option<NaiveDate>, FamilyStatus)>> =
            HashMap::new();
        for (family_id, status, at, effective_on) in statuses {
            if let Some(s) = FamilyStatus::parse(&status) {
                history
                    .entry(family_id)
                    .or_default()
                    .push((time::china_date(at), effective_on, s));
            }
        }
        for (family_id, entries) in history {
            if let Some(t) = by_family.get_mut(&family_id) {
                t.statuses = nuanxin_domain::registry::family::effective_statuses(&entries);
                t.recorded = entries.iter().map(|(on, _, _)| *on).collect();
            }
        }
        for (family_id, code, on) in region_changes {
            if let Some(t) = by_family.get_mut(&family_id) {
                t.regions
                    .push((on, RegionCode::parse(&code).map_err(internal)?));
            }
        }
        let mut out = Vec::with_capacity(families.len());
        for f in families {
            let Some(mut t) = by_family.remove(&f.id) else {
                continue;
            };
            if t.regions.is_empty() {
                t.regions.push((
                    time::china_date(f.created_at),
                    RegionCode::parse(&f.region_code).map_err(internal)?,
                ));
            }
            out.push(t);
        }
        Ok(out)
    }
}

fn move_row(
    family_id: Uuid,
    region: &str,
    on: NaiveDate,
    reason: &str,
    actor: Uuid,
) -> moves::ActiveModel {
    moves::ActiveModel {
        id: Set(Uuid::now_v7()),
        family_id: Set(family_id),
        region_code: Set(region.to_owned()),
        effective_on: Set(on),
        reason: Set(reason.to_owned()),
        actor_id: Set(actor),
        recorded_at: Set(Utc::now()),
    }
}

fn std_model(s: &Standard, actor: Uuid) -> std_e::ActiveModel {
    std_e::ActiveModel {
        id: Set(s.id),
        kind: Set(s.kind.as_str().to_owned()),
        monthly_fen: Set(s.monthly_fen),
        min_age: Set(s.min_age),
        max_age: Set(s.max_age),
        effective_from: Set(s.effective_from.as_number()),
        effective_to: Set(s.effective_to.map(YearMonth::as_number)),
        county_code: Set(s.county.as_ref().map(|c| c.as_str().to_owned())),
        created_by: Set(actor),
        created_at: Set(Utc::now()),
    }
}

fn to_standard(r: std_e::Model) -> Result<Standard, StoreError> {
    let bad = || StoreError::Internal(format!("standard {} is damaged", r.id));
    Ok(Standard {
        id: r.id,
        kind: AllowanceKind::parse(&r.kind).ok_or_else(bad)?,
        monthly_fen: r.monthly_fen,
        min_age: r.min_age,
        max_age: r.max_age,
        effective_from: YearMonth::from_number(r.effective_from).ok_or_else(bad)?,
        effective_to: r
            .effective_to
            .map(|m| YearMonth::from_number(m).ok_or_else(bad))
            .transpose()?,
        county: r
            .county_code
            .as_deref()
            .map(|c| RegionCode::parse(c).map_err(|_| bad()))
            .transpose()?,
    })
}
