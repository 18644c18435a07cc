//! Cases on the one workflow mechanism: the domain says which steps are legal, the policy
//! which the caller may take; each step is a row of its own (append-only), written in the
//! same transaction as the case's new state, guarded against a concurrent step.

use chrono::{NaiveDate, Utc};
use nuanxin_domain::Principal;
use nuanxin_domain::care::records::DisabilityLevel;
use nuanxin_domain::care::workflow::{
    self, Priority, ReferralKind, StepError, Workflow, state_word,
};
use nuanxin_domain::policy::{Machine, Operation, Resource};
use nuanxin_domain::{text, time};
use nuanxin_locale::{Message, msg};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use uuid::Uuid;

use super::{member_of, reachable_family};
use crate::Store;
use crate::entity::{
    care_case as case, care_case_step as step, care_record as rec, care_unit as unit,
};
use crate::error::StoreError;
use crate::records::Page;
use crate::slice::{self, require};

#[derive(Debug, Clone)]
pub struct NewCase {
    pub family: Uuid,
    pub member: Option<Uuid>,
    pub workflow: Workflow,
    pub referral: Option<ReferralKind>,
    /// The unit a referral goes to; the kind's default unit when empty.
    pub unit: Option<String>,
    pub summary: String,
    pub requested_fen: Option<i64>,
    pub opened_on: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub id: Uuid,
    pub family: Uuid,
    pub member: Option<Uuid>,
    pub workflow: Workflow,
    pub referral: Option<ReferralKind>,
    pub unit: Option<String>,
    pub state: String,
    pub priority: Priority,
    pub summary: String,
    pub requested_fen: Option<i64>,
    pub approved_fen: Option<i64>,
    pub approved_by: Option<Uuid>,
    pub disbursed_fen: Option<i64>,
    pub opened_on: NaiveDate,
    pub updated_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct CaseStepRecord {
    pub id: Uuid,
    pub case: Uuid,
    pub from: String,
    pub to: String,
    pub note: String,
    pub amount_fen: Option<i64>,
    pub actor_name: String,
    pub at: chrono::DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub family: Option<Uuid>,
    pub workflow: Option<Workflow>,
    /// Only cases not yet in a final state.
    pub open_only: bool,
}

pub(crate) fn case_record(m: case::Model) -> Result<CaseRecord, StoreError> {
    let workflow = Workflow::parse(&m.workflow)
        .ok_or_else(|| StoreError::Internal(format!("workflow {}", m.workflow)))?;
    Ok(CaseRecord {
        id: m.id,
        family: m.family_id,
        member: m.member_id,
        workflow,
        referral: m.referral_kind.as_deref().and_then(ReferralKind::parse),
        unit: m.unit_code,
        state: m.state,
        priority: Priority::from_rank(m.priority),
        summary: m.summary,
        requested_fen: m.requested_fen,
        approved_fen: m.approved_fen,
        approved_by: m.approved_by,
        disbursed_fen: m.disbursed_fen,
        opened_on: m.opened_on,
        updated_at: m.updated_at,
    })
}

fn step_error(e: StepError) -> StoreError {
    match e {
        StepError::UnknownState { .. } | StepError::Illegal { .. } => {
            StoreError::bad_input("to", e)
        }
        StepError::AmountNeeded | StepError::OverApproved { .. } | StepError::BadAmount => {
            StoreError::bad_input("amountFen", e)
        }
    }
}

impl Store {
    /// Opens a case in its workflow's first state. A referral names its kind; it goes to the
    /// kind's unit unless another is named, with the priority the seed's rule gives.
    pub async fn open_case(&self, p: &Principal, new: NewCase) -> Result<CaseRecord, StoreError> {
        require(p, Operation::OpenCase)?;
        let summary =
            text::required(&new.summary, 2000).map_err(|e| StoreError::bad_input("summary", e))?;
        let today = self.today();
        if new.opened_on > today {
            return Err(StoreError::bad_input(
                "openedOn",
                msg!("case-opened-in-future"),
            ));
        }
        let requested = new
            .requested_fen
            .map(workflow::check_amount)
            .transpose()
            .map_err(|e| StoreError::bad_input("requestedFen", e))?;
        let txn = self.db.begin().await?;
        let family = reachable_family(&txn, p, Resource::Case, new.family).await?;
        let member = match new.member {
            Some(m) => Some(member_of(&txn, p, family.id, m).await?),
            None => None,
        };
        let (referral, unit_code, priority) = match (new.workflow, new.referral) {
            (Workflow::EmergencyAid, None) => (None, None, Priority::Normal),
            (Workflow::EmergencyAid, Some(_)) => {
                return Err(StoreError::bad_input(
                    "referralKind",
                    msg!("case-kind-only-referral"),
                ));
            }
            (Workflow::Referral, None) => {
                return Err(StoreError::bad_input(
                    "referralKind",
                    msg!("case-referral-kind-needed"),
                ));
            }
            (Workflow::Referral, Some(kind)) => {
                let code = new
                    .unit
                    .clone()
                    .unwrap_or_else(|| kind.default_unit().to_owned());
                if unit::Entity::find_by_id(code.clone())
                    .one(&txn)
                    .await?
                    .is_none()
                {
                    return Err(StoreError::bad_input(
                        "unitCode",
                        msg!("unit-unknown", code = code.as_str()),
                    ));
                }
                let age = member.as_ref().map(|m| time::age_on(m.birth_date, today));
                let disabled = match &member {
                    Some(m) => self
                        .latest_disability(&txn, m.id)
                        .await?
                        .is_some_and(|l| l.is_disabled()),
                    None => false,
                };
                (
                    Some(kind),
                    Some(code),
                    workflow::referral_priority(kind, age, disabled),
                )
            }
        };
        if new.workflow == Workflow::Referral && requested.is_some() {
            return Err(StoreError::bad_input(
                "requestedFen",
                msg!("case-referral-no-amount"),
            ));
        }
        let now = Utc::now();
        let model = case::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(family.id),
            member_id: Set(member.map(|m| m.id)),
            workflow: Set(new.workflow.as_str().into()),
            referral_kind: Set(referral.map(|k| k.as_str().to_owned())),
            unit_code: Set(unit_code),
            state: Set(new.workflow.initial().into()),
            priority: Set(priority.rank()),
            summary: Set(summary),
            requested_fen: Set(requested),
            approved_fen: Set(None),
            approved_by: Set(None),
            disbursed_fen: Set(None),
            opened_on: Set(new.opened_on),
            opened_by: Set(p.actor_id()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        if new.workflow == Workflow::Referral {
            // The unit's organisation hears of it (a webhook), in this same transaction.
            self.referral_assigned(&txn, &model).await?;
        }
        // A referral links its family to the unit's organisation at once: the link is a
        // rows rule evaluated in SQL, nothing cached to forget.
        txn.commit().await?;
        case_record(model)
    }

    /// The latest disability assessment of a member, if any.
    async fn latest_disability<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        member: Uuid,
    ) -> Result<Option<DisabilityLevel>, StoreError> {
        let latest = rec::Entity::find()
            .filter(rec::Column::MemberId.eq(member))
            .filter(rec::Column::Kind.eq("disability_assessment"))
            .order_by_desc(rec::Column::OccurredOn)
            .order_by_desc(rec::Column::Id)
            .one(conn)
            .await?;
        Ok(latest.and_then(|r| {
            serde_json::from_str::<nuanxin_domain::care::records::Details>(&r.details)
                .ok()
                .and_then(|d| {
                    d.disability_level
                        .as_deref()
                        .and_then(DisabilityLevel::parse)
                })
        }))
    }

    /// Moves a case one step: legal (the workflow's), permitted (the policy's transitions
    /// for the caller), with the amount the step needs; a concurrent step makes this one a
    /// CONFLICT. Nothing is written unless all of it is.
    pub async fn move_case(
        &self,
        p: &Principal,
        id: Uuid,
        to: &str,
        note: &str,
        amount_fen: Option<i64>,
    ) -> Result<CaseRecord, StoreError> {
        require(p, Operation::MoveCase)?;
        let note = text::required(note, 2000).map_err(|e| StoreError::bad_input("note", e))?;
        let txn = self.db.begin().await?;
        let current = case::Entity::find_by_id(id)
            .filter(slice::cases(p))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "case" })?;
        let record = case_record(current.clone())?;
        let effect = workflow::check_step(
            record.workflow,
            &record.state,
            to,
            amount_fen,
            record.approved_fen,
        )
        .map_err(step_error)?;
        if !p.may_step(Machine::of_workflow(record.workflow), &record.state, to) {
            return Err(StoreError::forbidden(msg!(
                "forbidden-case-step",
                role = p.audience().word(),
                workflow = Message::term("workflow", record.workflow.as_str()),
                from = state_word(&record.state),
                to = state_word(to)
            )));
        }
        let now = Utc::now();
        let mut update = case::Entity::update_many()
            .col_expr(case::Column::State, Expr::value(to))
            .col_expr(case::Column::UpdatedAt, Expr::value(now));
        if let Some(a) = effect.approved_fen {
            update = update
                .col_expr(case::Column::ApprovedFen, Expr::value(a))
                .col_expr(case::Column::ApprovedBy, Expr::value(p.actor_id()));
        }
        if let Some(d) = effect.disbursed_fen {
            update = update.col_expr(case::Column::DisbursedFen, Expr::value(d));
        }
        let done = update
            .filter(case::Column::Id.eq(id))
            .filter(case::Column::State.eq(record.state.clone()))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Err(StoreError::Conflict {
                field: Some("to".into()),
                message: msg!("changed-meanwhile", what = Resource::Case.word()),
            });
        }
        step::ActiveModel {
            id: Set(Uuid::now_v7()),
            case_id: Set(id),
            from_state: Set(record.state.clone()),
            to_state: Set(to.to_owned()),
            note: Set(note),
            amount_fen: Set(effect.approved_fen.or(effect.disbursed_fen)),
            actor_id: Set(p.actor_id()),
            actor_name: Set(p.actor_name()),
            at: Set(now),
        }
        .insert(&txn)
        .await?;
        let updated = case::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "case" })?;
        txn.commit().await?;
        case_record(updated)
    }

    pub async fn get_case(&self, p: &Principal, id: Uuid) -> Result<CaseRecord, StoreError> {
        require(p, Operation::ReadCare)?;
        let m = case::Entity::find_by_id(id)
            .filter(slice::cases(p))
            .filter(slice::about_members(p, case::Column::MemberId))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "case" })?;
        case_record(m)
    }

    /// Cases in the caller's rows, newest first; referrals by priority first when listed
    /// for a unit's queue is the partner issue's.
    pub async fn cases(
        &self,
        p: &Principal,
        filter: &CaseFilter,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<Page<CaseRecord>, StoreError> {
        require(p, Operation::ReadCare)?;
        let mut q = case::Entity::find()
            .filter(slice::cases(p))
            .filter(slice::about_members(p, case::Column::MemberId))
            .order_by_desc(case::Column::Id)
            .limit(first + 1);
        if let Some(f) = filter.family {
            q = q.filter(case::Column::FamilyId.eq(f));
        }
        if let Some(w) = filter.workflow {
            q = q.filter(case::Column::Workflow.eq(w.as_str()));
        }
        if filter.open_only {
            let finals: Vec<&str> = Workflow::ALL
                .into_iter()
                .flat_map(|w| w.states().into_iter().filter(move |s| w.is_final(s)))
                .collect();
            q = q.filter(case::Column::State.is_not_in(finals));
        }
        if let Some(a) = after {
            q = q.filter(case::Column::Id.lt(a));
        }
        let rows = q.all(&self.db).await?;
        let (rows, has_next_page) = super::cut(rows, first);
        Ok(Page {
            items: rows
                .into_iter()
                .map(case_record)
                .collect::<Result<_, _>>()?,
            has_next_page,
        })
    }

    /// A unit's queue: the referrals assigned to the caller's units, highest priority
    /// first, then oldest first (who waits longest is served first).
    pub async fn assigned_referrals(
        &self,
        p: &Principal,
        first: u64,
        offset: u64,
    ) -> Result<Page<CaseRecord>, StoreError> {
        require(p, Operation::ReadAssignedReferrals)?;
        let rows = case::Entity::find()
            .filter(slice::cases(p))
            .filter(case::Column::Workflow.eq("referral"))
            .order_by_desc(case::Column::Priority)
            .order_by_asc(case::Column::Id)
            .offset(offset)
            .limit(first + 1)
            .all(&self.db)
            .await?;
        let (rows, has_next_page) = super::cut(rows, first);
        Ok(Page {
            items: rows
                .into_iter()
                .map(case_record)
                .collect::<Result<_, _>>()?,
            has_next_page,
        })
    }

    /// The steps of cases the caller already read, oldest first (one query per page).
    pub async fn case_steps(
        &self,
        p: &Principal,
        cases: &[Uuid],
    ) -> Result<Vec<CaseStepRecord>, StoreError> {
        if !p.allows(Operation::ReadAssignedReferrals) {
            require(p, Operation::ReadCare)?;
        }
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        let reachable = sea_orm::sea_query::Query::select()
            .column(case::Column::Id)
            .from(case::Entity)
            .cond_where(slice::cases(p))
            .to_owned();
        Ok(step::Entity::find()
            .filter(step::Column::CaseId.is_in(cases.to_vec()))
            .filter(step::Column::CaseId.in_subquery(reachable))
            .order_by_asc(step::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| CaseStepRecord {
                id: s.id,
                case: s.case_id,
                from: s.from_state,
                to: s.to_state,
                note: s.note,
                amount_fen: s.amount_fen,
                actor_name: s.actor_name,
                at: s.at,
            })
            .collect())
    }
}
