//! Pairings (结对帮扶) under 五定一包: fixed leader, fixed worker (staff or a volunteer),
//! fixed family, fixed schedule, fixed content, and one answerable person. A family has
//! at most one active pairing (a unique index on the database).

use chrono::{NaiveDate, Utc};
use nuanxin_domain::Principal;
use nuanxin_domain::care::notices::{self, NoticeKind};
use nuanxin_domain::care::schedule::Schedule;
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::text;
use nuanxin_locale::msg;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use uuid::Uuid;

use super::reachable_family;
use crate::Store;
use crate::entity::{care_pairing as pairing, staff_user, volunteer};
use crate::error::StoreError;
use crate::records::Page;
use crate::slice::{self, require};

/// The worker of a pairing: a staff member or a volunteer, by id.
#[derive(Debug, Clone)]
pub struct NewPairing {
    pub family: Uuid,
    pub leader_name: String,
    pub worker_staff: Option<Uuid>,
    pub worker_volunteer: Option<Uuid>,
    pub schedule: Schedule,
    pub content: String,
    pub answerable_name: String,
    pub starts_on: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct PairingRecord {
    pub id: Uuid,
    pub family: Uuid,
    pub leader_name: String,
    pub worker_kind: String,
    pub worker_name: String,
    pub volunteer: Option<Uuid>,
    pub schedule: Schedule,
    pub content: String,
    pub answerable_name: String,
    pub starts_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    /// The last visit recorded under this pairing.
    pub last_visit_on: Option<NaiveDate>,
}

impl PairingRecord {
    /// When the next visit is due (定时间), from the start or the last visit.
    pub fn next_visit_due(&self) -> NaiveDate {
        nuanxin_domain::care::schedule::next_due(self.schedule, self.starts_on, self.last_visit_on)
    }
}

pub(crate) fn pairing_record(m: pairing::Model) -> PairingRecord {
    PairingRecord {
        id: m.id,
        family: m.family_id,
        leader_name: m.leader_name,
        worker_kind: m.worker_kind,
        worker_name: m.worker_name,
        volunteer: m.volunteer_id,
        schedule: Schedule::parse(&m.schedule).unwrap_or(Schedule::Monthly),
        content: m.content,
        answerable_name: m.answerable_name,
        starts_on: m.starts_on,
        ended_on: m.ended_on,
        last_visit_on: m.last_visit_on,
    }
}

impl Store {
    pub async fn pair_family(
        &self,
        p: &Principal,
        new: NewPairing,
    ) -> Result<PairingRecord, StoreError> {
        require(p, Operation::ManagePairings)?;
        let named = |field: &'static str, v: &str| {
            text::person_name(v).map_err(|e| StoreError::bad_input(field, e))
        };
        let leader = named("leaderName", &new.leader_name)?;
        let answerable = named("answerableName", &new.answerable_name)?;
        let content =
            text::required(&new.content, 1000).map_err(|e| StoreError::bad_input("content", e))?;
        let txn = self.db.begin().await?;
        let family = reachable_family(&txn, p, Resource::Pairing, new.family).await?;
        let (kind, worker_name) = match (new.worker_staff, new.worker_volunteer) {
            (Some(s), None) => {
                let staff = staff_user::Entity::find_by_id(s)
                    .filter(staff_user::Column::Active.eq(true))
                    .one(&txn)
                    .await?
                    .ok_or(StoreError::NotFound {
                        what: "staff member",
                    })?;
                ("staff", staff.display_name)
            }
            (None, Some(v)) => {
                let vol = volunteer::Entity::find_by_id(v)
                    .filter(volunteer::Column::Active.eq(true))
                    .one(&txn)
                    .await?
                    .ok_or(StoreError::NotFound { what: "volunteer" })?;
                ("volunteer", vol.name)
            }
            _ => {
                return Err(StoreError::bad_input("worker", msg!("pairing-one-worker")));
            }
        };
        let model = pairing::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(family.id),
            leader_name: Set(leader),
            worker_kind: Set(kind.into()),
            worker_staff_id: Set(new.worker_staff),
            volunteer_id: Set(new.worker_volunteer),
            worker_name: Set(worker_name),
            schedule: Set(new.schedule.as_str().into()),
            content: Set(content),
            answerable_name: Set(answerable),
            starts_on: Set(new.starts_on),
            ended_on: Set(None),
            last_visit_on: Set(None),
            created_by: Set(p.actor_id()),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Conflict {
                field: Some("familyId".into()),
                message: msg!("pairing-exists"),
            },
            other => other,
        })?;
        // Each member who accepted a reminder of it hears who will visit, and from when.
        let members = crate::entity::member::Entity::find()
            .filter(crate::entity::member::Column::FamilyId.eq(family.id))
            .filter(crate::entity::member::Column::DeceasedOn.is_null())
            .all(&txn)
            .await?;
        for m in members {
            crate::wechat::notices::queue(
                &txn,
                family.id,
                m.id,
                NoticeKind::VisitScheduled,
                notices::visit_scheduled(&model.worker_name, model.starts_on),
                self.clock.now(),
            )
            .await?;
        }
        txn.commit().await?;
        self.forget_accounts();
        Ok(pairing_record(model))
    }

    pub async fn end_pairing(
        &self,
        p: &Principal,
        id: Uuid,
        on: NaiveDate,
    ) -> Result<PairingRecord, StoreError> {
        require(p, Operation::ManagePairings)?;
        let row = pairing::Entity::find_by_id(id)
            .filter(slice::of_families(
                p,
                Resource::Pairing,
                pairing::Column::FamilyId,
            ))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "pairing" })?;
        if row.ended_on.is_some() {
            return Err(StoreError::Conflict {
                field: Some("id".into()),
                message: msg!("pairing-ended"),
            });
        }
        if on < row.starts_on || on > self.today() {
            return Err(StoreError::bad_input("endedOn", msg!("pairing-end-date")));
        }
        pairing::Entity::update_many()
            .col_expr(pairing::Column::EndedOn, Expr::value(on))
            .filter(pairing::Column::Id.eq(id))
            .filter(pairing::Column::EndedOn.is_null())
            .exec(&self.db)
            .await?;
        self.forget_accounts();
        Ok(PairingRecord {
            ended_on: Some(on),
            ..pairing_record(row)
        })
    }

    /// Pairings in the caller's rows (a volunteer: their own), newest first.
    pub async fn pairings(
        &self,
        p: &Principal,
        family: Option<Uuid>,
        active_only: bool,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<Page<PairingRecord>, StoreError> {
        require(p, Operation::ReadCare)?;
        let mut q = pairing::Entity::find()
            .filter(slice::of_families(
                p,
                Resource::Pairing,
                pairing::Column::FamilyId,
            ))
            .order_by_desc(pairing::Column::Id)
            .limit(first + 1);
        if let nuanxin_domain::Subject::Volunteer { volunteer } = &p.subject {
            q = q.filter(pairing::Column::VolunteerId.eq(*volunteer));
        }
        if let Some(f) = family {
            q = q.filter(pairing::Column::FamilyId.eq(f));
        }
        if active_only {
            q = q.filter(pairing::Column::EndedOn.is_null());
        }
        if let Some(a) = after {
            q = q.filter(pairing::Column::Id.lt(a));
        }
        let (rows, has_next_page) = super::cut(q.all(&self.db).await?, first);
        Ok(Page {
            items: rows.into_iter().map(pairing_record).collect(),
            has_next_page,
        })
    }

    /// The caller's own active pairings (the volunteer, or the staff member who is the
    /// pairing's 定人员) whose next visit is due within `within_days` of today (overdue ones
    /// included), soonest first: "today's and this week's visits".
    pub async fn my_visits_due(
        &self,
        p: &Principal,
        within_days: u32,
    ) -> Result<Vec<PairingRecord>, StoreError> {
        require(p, Operation::ReadCare)?;
        let mine = sea_orm::Condition::any()
            .add(pairing::Column::VolunteerId.eq(p.actor_id()))
            .add(pairing::Column::WorkerStaffId.eq(p.actor_id()));
        let today = self.clock.today();
        let horizon = today + chrono::Days::new(u64::from(within_days));
        let mut due: Vec<PairingRecord> = pairing::Entity::find()
            .filter(slice::of_families(
                p,
                Resource::Pairing,
                pairing::Column::FamilyId,
            ))
            .filter(mine)
            .filter(pairing::Column::EndedOn.is_null())
            .filter(pairing::Column::StartsOn.lte(today))
            .all(&self.db)
            .await?
            .into_iter()
            .map(pairing_record)
            .filter(|r| r.next_visit_due() <= horizon)
            .collect();
        due.sort_by_key(|r| (r.next_visit_due(), r.id));
        Ok(due)
    }

    /// The caller's own family's active pairings (who visits them, and when next), the
    /// next visit first: the family app's "upcoming visits".
    pub async fn own_visits(&self, p: &Principal) -> Result<Vec<PairingRecord>, StoreError> {
        require(p, Operation::ReadOwnVisits)?;
        let mut visits: Vec<PairingRecord> = pairing::Entity::find()
            .filter(pairing::Column::FamilyId.is_in(slice::own_families(p)))
            .filter(pairing::Column::EndedOn.is_null())
            .all(&self.db)
            .await?
            .into_iter()
            .map(pairing_record)
            .collect();
        visits.sort_by_key(|r| (r.next_visit_due(), r.id));
        Ok(visits)
    }
}
