//! The insurer's slice: the enrolment list of a policy year (consenting, living members of
//! active families in its contracted regions; clear ID numbers, each read logged), its
//! policies (filed idempotently), and claims, which staff file and the insurer decides.

use chrono::{Duration, NaiveDate, Utc};
use nuanxin_domain::partners::insurance::{self, PolicyTerms};
use nuanxin_domain::policy::{Machine, Operation, Resource};
use nuanxin_domain::{Principal, Sex, Subject, text};
use nuanxin_locale::{Message, msg};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::{
    family as fam, idempotency_key as idem, insurance_claim as claim, insurance_policy as policy,
    member as mem,
};
use crate::error::StoreError;
use crate::records::{Page, RequestMeta};
use crate::slice::{self, require};

#[derive(Debug, Clone)]
pub struct EnrolmentEntry {
    pub member: Uuid,
    pub name: String,
    /// In the clear: the enrolment's purpose needs it; the read is logged.
    pub id_number: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub region: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PolicyRecord {
    pub id: Uuid,
    pub policy_no: String,
    pub member: Uuid,
    pub policy_year: i32,
    pub coverage_start: NaiveDate,
    pub coverage_end: NaiveDate,
    pub premium_fen: i64,
}

#[derive(Debug, Clone)]
pub struct ClaimRecord {
    pub id: Uuid,
    pub policy: Uuid,
    pub state: String,
    pub amount_fen: i64,
    pub submitted_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
}

/// How long an idempotency key is kept (the issue asks for at least a day).
const KEYS_KEPT: i64 = 48;

fn organisation(p: &Principal) -> Result<Uuid, StoreError> {
    match &p.subject {
        Subject::Partner { organisation, .. } => Ok(*organisation),
        _ => Err(StoreError::forbidden(msg!(
            "forbidden-operation",
            role = p.audience().word(),
            operation = Operation::UpsertPolicies.word()
        ))),
    }
}

fn policy_record(m: policy::Model) -> PolicyRecord {
    PolicyRecord {
        id: m.id,
        policy_no: m.policy_no,
        member: m.member_id,
        policy_year: m.policy_year,
        coverage_start: m.coverage_start,
        coverage_end: m.coverage_end,
        premium_fen: m.premium_fen,
    }
}

fn claim_record(m: claim::Model) -> ClaimRecord {
    ClaimRecord {
        id: m.id,
        policy: m.policy_id,
        state: m.state,
        amount_fen: m.amount_fen,
        submitted_on: m.submitted_on,
        decided_on: m.decided_on,
    }
}

impl Store {
    /// The enrolment list: one page, each member's read logged before release.
    pub async fn enrolment(
        &self,
        p: &Principal,
        first: u64,
        after: Option<Uuid>,
        meta: &RequestMeta,
    ) -> Result<Page<EnrolmentEntry>, StoreError> {
        require(p, Operation::ReadEnrolment)?;
        let active = sea_orm::sea_query::Query::select()
            .column(fam::Column::Id)
            .from(fam::Entity)
            .and_where(fam::Column::Status.eq("active"))
            .to_owned();
        let mut q = mem::Entity::find()
            .filter(slice::members(p))
            .filter(mem::Column::FamilyId.in_subquery(active))
            .filter(mem::Column::DeceasedOn.is_null())
            .order_by_asc(mem::Column::Id)
            .limit(first + 1);
        if let Some(a) = after {
            q = q.filter(mem::Column::Id.gt(a));
        }
        let (rows, has_next_page) = crate::care::cut(q.all(&self.db).await?, first);
        self.log_reads(
            p,
            rows.iter().map(|r| Some(r.id)),
            "idNumber",
            "enrolment",
            "accident insurance enrolment",
            meta,
        )
        .await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let region = r.hukou_region_code.clone();
                let rec = self.member_record(r)?;
                Ok(EnrolmentEntry {
                    member: rec.id(),
                    name: rec.member.name.clone(),
                    id_number: rec.member.id_number.expose().to_owned(),
                    birth_date: rec.birth_date,
                    sex: rec.sex,
                    region,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Page {
            items,
            has_next_page,
        })
    }

    /// Files policies for `year`, all or nothing. Under an idempotency key a replay with
    /// the same body returns the first answer; another body under the same key is CONFLICT.
    pub async fn upsert_policies(
        &self,
        p: &Principal,
        year: i32,
        policies: Vec<(Uuid, PolicyTerms)>,
        idempotency: Option<(&str, &str)>,
    ) -> Result<Vec<PolicyRecord>, StoreError> {
        require(p, Operation::UpsertPolicies)?;
        let org = organisation(p)?;
        if policies.is_empty() || policies.len() > 500 {
            return Err(StoreError::bad_input(
                "policies",
                msg!("policies-batch-size", max = 500),
            ));
        }
        let owner = org.to_string();
        let txn = self.db.begin().await?;
        if let Some((key, hash)) = idempotency {
            idem::Entity::delete_many()
                .filter(idem::Column::CreatedAt.lt(Utc::now() - Duration::hours(KEYS_KEPT)))
                .exec(&txn)
                .await?;
            if let Some(seen) = idem::Entity::find_by_id((owner.clone(), key.to_owned()))
                .one(&txn)
                .await?
            {
                txn.commit().await?;
                if seen.request_hash != hash {
                    return Err(StoreError::Conflict {
                        field: Some("Idempotency-Key".into()),
                        message: msg!("idempotency-key-reused"),
                    });
                }
                return serde_json::from_str(&seen.response)
                    .map_err(|e| StoreError::Internal(e.to_string()));
            }
        }
        let now = Utc::now();
        let mut out = Vec::with_capacity(policies.len());
        for (i, (member, terms)) in policies.into_iter().enumerate() {
            let terms = insurance::check_policy(year, terms).map_err(|e| {
                StoreError::bad_input(format!("policies.{i}.{}", e.field), e.message)
            })?;
            let m = mem::Entity::find_by_id(member)
                .filter(slice::members(p))
                .filter(mem::Column::DeceasedOn.is_null())
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    StoreError::bad_input(
                        format!("policies.{i}.memberId"),
                        msg!("policy-member-not-enrolled"),
                    )
                })?;
            let existing = policy::Entity::find()
                .filter(policy::Column::OrganisationId.eq(org))
                .filter(policy::Column::PolicyNo.eq(terms.policy_no.clone()))
                .one(&txn)
                .await?;
            let row = match existing {
                Some(e) if e.member_id != m.id || e.policy_year != year => {
                    return Err(StoreError::Conflict {
                        field: Some(format!("policies.{i}.policyNumber")),
                        message: msg!("policy-number-taken"),
                    });
                }
                Some(e) => {
                    policy::Entity::update_many()
                        .col_expr(
                            policy::Column::CoverageStart,
                            Expr::value(terms.coverage_start),
                        )
                        .col_expr(policy::Column::CoverageEnd, Expr::value(terms.coverage_end))
                        .col_expr(policy::Column::PremiumFen, Expr::value(terms.premium_fen))
                        .col_expr(policy::Column::UpdatedAt, Expr::value(now))
                        .filter(policy::Column::Id.eq(e.id))
                        .exec(&txn)
                        .await?;
                    policy::Model {
                        coverage_start: terms.coverage_start,
                        coverage_end: terms.coverage_end,
                        premium_fen: terms.premium_fen,
                        updated_at: now,
                        ..e
                    }
                }
                None => policy::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organisation_id: Set(org),
                    policy_no: Set(terms.policy_no.clone()),
                    member_id: Set(m.id),
                    family_id: Set(m.family_id),
                    policy_year: Set(year),
                    coverage_start: Set(terms.coverage_start),
                    coverage_end: Set(terms.coverage_end),
                    premium_fen: Set(terms.premium_fen),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict { .. } => StoreError::Conflict {
                        field: Some(format!("policies.{i}.memberId")),
                        message: msg!("policy-exists"),
                    },
                    other => other,
                })?,
            };
            out.push(policy_record(row));
        }
        if let Some((key, hash)) = idempotency {
            idem::ActiveModel {
                owner: Set(owner),
                key: Set(key.to_owned()),
                request_hash: Set(hash.to_owned()),
                response: Set(
                    serde_json::to_string(&out).map_err(|e| StoreError::Internal(e.to_string()))?
                ),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(out)
    }

    /// The insurer's own policies.
    pub async fn insurance_policies(&self, p: &Principal) -> Result<Vec<PolicyRecord>, StoreError> {
        require(p, Operation::UpsertPolicies)?;
        let org = organisation(p)?;
        Ok(policy::Entity::find()
            .filter(policy::Column::OrganisationId.eq(org))
            .order_by_asc(policy::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(policy_record)
            .collect())
    }

    /// Staff file a claim on a policy of a family in their region.
    pub async fn record_claim(
        &self,
        p: &Principal,
        policy_id: Uuid,
        amount_fen: i64,
        submitted_on: NaiveDate,
        note: &str,
    ) -> Result<ClaimRecord, StoreError> {
        require(p, Operation::RecordClaim)?;
        let note = text::optional(note, 1000)
            .map_err(|e| StoreError::bad_input("note", e))?
            .unwrap_or_default();
        if !(1..=100_000_000).contains(&amount_fen) {
            return Err(StoreError::bad_input("amountFen", msg!("claim-amount")));
        }
        if submitted_on > self.today() {
            return Err(StoreError::bad_input("submittedOn", msg!("date-in-future")));
        }
        let pol = policy::Entity::find_by_id(policy_id)
            .filter(slice::of_families(
                p,
                Resource::Family,
                policy::Column::FamilyId,
            ))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "policy" })?;
        let m = claim::ActiveModel {
            id: Set(Uuid::now_v7()),
            policy_id: Set(pol.id),
            family_id: Set(pol.family_id),
            state: Set("submitted".into()),
            amount_fen: Set(amount_fen),
            submitted_on: Set(submitted_on),
            decided_on: Set(None),
            note: Set(note),
            created_by: Set(p.actor_id()),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        Ok(claim_record(m))
    }

    /// The insurer decides a claim on one of its policies: paid or rejected, once.
    pub async fn decide_claim(
        &self,
        p: &Principal,
        claim_id: Uuid,
        to: &str,
    ) -> Result<ClaimRecord, StoreError> {
        require(p, Operation::DecideClaim)?;
        let org = organisation(p)?;
        let own = sea_orm::sea_query::Query::select()
            .column(policy::Column::Id)
            .from(policy::Entity)
            .and_where(policy::Column::OrganisationId.eq(org))
            .to_owned();
        let c = claim::Entity::find_by_id(claim_id)
            .filter(claim::Column::PolicyId.in_subquery(own))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "claim" })?;
        insurance::check_claim_step(&c.state, to).map_err(|m| StoreError::bad_input("to", m))?;
        if !p.may_step(Machine::Claim, &c.state, to) {
            return Err(StoreError::forbidden(msg!(
                "forbidden-claim-step",
                role = p.audience().word(),
                to = Message::term("claim-state", to)
            )));
        }
        let today = self.today();
        let done = claim::Entity::update_many()
            .col_expr(claim::Column::State, Expr::value(to))
            .col_expr(claim::Column::DecidedOn, Expr::value(today))
            .filter(claim::Column::Id.eq(claim_id))
            .filter(claim::Column::State.eq(c.state.clone()))
            .exec(&self.db)
            .await?;
        if done.rows_affected != 1 {
            return Err(StoreError::Conflict {
                field: Some("to".into()),
                message: msg!("claim-decided-meanwhile"),
            });
        }
        Ok(ClaimRecord {
            state: to.to_owned(),
            decided_on: Some(today),
            ..claim_record(c)
        })
    }
}
