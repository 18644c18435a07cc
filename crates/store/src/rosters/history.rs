//! A roster's history (履历): every generation, submission, return (with its reason),
//! approval, payment and reconciliation, written in the step's own transaction and never
//! rewritten (the database refuses it).

use chrono::{DateTime, Utc};
use nuanxin_domain::Principal;
use nuanxin_domain::rosters::RosterStep;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::Store;
use crate::entity::roster_event;
use crate::error::StoreError;

/// One step as a person reads it: who (by name) and when.
#[derive(Debug, Clone)]
pub struct RosterStepRecord {
    pub step: RosterStep,
    pub generation: i32,
    pub actor_id: Uuid,
    pub actor_name: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

pub(crate) async fn record_step<C: ConnectionTrait>(
    conn: &C,
    roster_id: Uuid,
    step: RosterStep,
    generation: i32,
    actor: Uuid,
    at: DateTime<Utc>,
    reason: Option<String>,
) -> Result<(), StoreError> {
    roster_event::Entity::insert(roster_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        roster_id: Set(roster_id),
        step: Set(step.as_str().to_owned()),
        generation: Set(generation),
        actor_id: Set(actor),
        at: Set(at),
        reason: Set(reason),
    })
    .exec(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The history of a roster the caller may read, oldest first, with staff names.
    pub async fn roster_history(
        &self,
        p: &Principal,
        roster_id: Uuid,
    ) -> Result<Vec<RosterStepRecord>, StoreError> {
        self.get_roster(p, roster_id).await?;
        let events = roster_event::Entity::find()
            .filter(roster_event::Column::RosterId.eq(roster_id))
            .order_by_asc(roster_event::Column::At)
            .order_by_asc(roster_event::Column::Id)
            .all(&self.db)
            .await?;
        let actors: Vec<Uuid> = events.iter().map(|e| e.actor_id).collect();
        let names = self.staff_names(&actors).await?;
        events
            .into_iter()
            .map(|e| {
                let step = RosterStep::parse(&e.step).ok_or_else(|| {
                    StoreError::Internal(format!("roster event {} is damaged", e.id))
                })?;
                Ok(RosterStepRecord {
                    step,
                    generation: e.generation,
                    actor_id: e.actor_id,
                    actor_name: names.get(&e.actor_id).cloned().unwrap_or_default(),
                    at: e.at,
                    reason: e.reason,
                })
            })
            .collect()
    }
}
