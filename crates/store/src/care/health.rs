//! Chronic-disease records (慢病档案: hypertension, diabetes, …) with their follow-up
//! schedule; the follow-ups themselves are care records of the follow-up kind.

use chrono::{NaiveDate, Utc};
use nuanxin_domain::Principal;
use nuanxin_domain::care::schedule::Schedule;
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::text;
use nuanxin_locale::msg;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{member_of, reachable_family};
use crate::Store;
use crate::entity::chronic_condition as cond;
use crate::error::StoreError;
use crate::slice::{self, require};

#[derive(Debug, Clone)]
pub struct ConditionRecord {
    pub id: Uuid,
    pub family: Uuid,
    pub member: Uuid,
    pub disease: String,
    pub schedule: Schedule,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

fn condition_record(m: cond::Model) -> ConditionRecord {
    ConditionRecord {
        id: m.id,
        family: m.family_id,
        member: m.member_id,
        disease: m.disease,
        schedule: Schedule::parse(&m.schedule).unwrap_or(Schedule::Quarterly),
        started_on: m.started_on,
        ended_on: m.ended_on,
    }
}

impl Store {
    pub async fn add_chronic_condition(
        &self,
        p: &Principal,
        family: Uuid,
        member: Uuid,
        disease: &str,
        schedule: Schedule,
        started_on: NaiveDate,
    ) -> Result<ConditionRecord, StoreError> {
        require(p, Operation::RecordHealth)?;
        let disease =
            text::required(disease, 60).map_err(|e| StoreError::bad_input("disease", e))?;
        if started_on > self.today() {
            return Err(StoreError::bad_input("startedOn", msg!("date-in-future")));
        }
        let family = reachable_family(&self.db, p, Resource::HealthRecord, family).await?;
        member_of(&self.db, p, family.id, member).await?;
        let m = cond::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(family.id),
            member_id: Set(member),
            disease: Set(disease),
            schedule: Set(schedule.as_str().into()),
            started_on: Set(started_on),
            ended_on: Set(None),
            last_follow_up_on: Set(None),
            created_by: Set(p.actor_id()),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        Ok(condition_record(m))
    }

    pub async fn chronic_conditions(
        &self,
        p: &Principal,
        family: Uuid,
    ) -> Result<Vec<ConditionRecord>, StoreError> {
        require(p, Operation::ReadHealth)?;
        Ok(cond::Entity::find()
            .filter(cond::Column::FamilyId.eq(family))
            .filter(slice::of_families(
                p,
                Resource::HealthRecord,
                cond::Column::FamilyId,
            ))
            .filter(slice::about_members(p, cond::Column::MemberId))
            .order_by_asc(cond::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(condition_record)
            .collect())
    }
}
