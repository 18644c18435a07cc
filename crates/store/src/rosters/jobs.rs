//! Background jobs (roster generation, family imports): their progress and outcome, for the person who
//! started them.

use chrono::Utc;
use nuanxin_domain::Principal;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::JobRecord;
use crate::entity::job;
use crate::error::StoreError;
use crate::{Store, slice};
use nuanxin_locale::Message;

impl Store {
    pub async fn create_job(&self, p: &Principal, kind: &str) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        job::Entity::insert(job::ActiveModel {
            id: Set(id),
            kind: Set(kind.to_owned()),
            status: Set("running".into()),
            done: Set(0),
            total: Set(0),
            roster_id: Set(None),
            error: Set(None),
            created_by: Set(p.actor_id()),
            created_at: Set(Utc::now()),
            finished_at: Set(None),
            heartbeat_at: Set(Some(Utc::now())),
        })
        .exec(&self.db)
        .await?;
        Ok(id)
    }

    pub async fn update_job(&self, id: Uuid, done: u64, total: u64) -> Result<(), StoreError> {
        job::Entity::update_many()
            .col_expr(job::Column::Done, Expr::value(done as i64))
            .col_expr(job::Column::Total, Expr::value(total as i64))
            .filter(job::Column::Id.eq(id))
            // A progress report that arrives late never undoes the end of the job.
            .filter(job::Column::Status.eq("running"))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn finish_job(
        &self,
        id: Uuid,
        result: Result<Option<Uuid>, Message>,
    ) -> Result<(), StoreError> {
        let (status, roster_id, error) = match result {
            Ok(r) => ("succeeded", r, None),
            Err(e) => ("failed", None, Some(e.to_stored())),
        };
        let mut update =
            job::Entity::update_many().col_expr(job::Column::Status, Expr::value(status));
        if status == "succeeded" {
            update = update.col_expr(job::Column::Done, Expr::col(job::Column::Total));
        }
        update
            .col_expr(job::Column::RosterId, Expr::value(roster_id))
            .col_expr(job::Column::Error, Expr::value(error))
            .col_expr(job::Column::FinishedAt, Expr::value(Utc::now()))
            .filter(job::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A job, for the person who started it.
    pub async fn get_job(&self, p: &Principal, id: Uuid) -> Result<JobRecord, StoreError> {
        let r = job::Entity::find_by_id(id)
            .filter(slice::jobs(p))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "job" })?;
        Ok(JobRecord {
            id: r.id,
            kind: r.kind,
            status: r.status,
            done: r.done,
            total: r.total,
            roster_id: r.roster_id,
            error: r.error.as_deref().map(Message::from_stored),
            created_at: r.created_at,
            finished_at: r.finished_at,
        })
    }

    /// Touches the heartbeat of jobs still running (their runner is alive).
    pub async fn beat_jobs(&self, ids: &[Uuid]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        job::Entity::update_many()
            .col_expr(job::Column::HeartbeatAt, Expr::value(Utc::now()))
            .filter(job::Column::Id.is_in(ids.iter().copied()))
            .filter(job::Column::Status.eq("running"))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Marks failed, with `why`, every running job whose heartbeat is older than
    /// `silent_for` (its runner stopped or crashed); returns how many. Jobs of runners
    /// still beating (another replica) are left alone.
    pub async fn fail_orphaned_jobs(
        &self,
        silent_for: chrono::Duration,
        why: &Message,
    ) -> Result<u64, StoreError> {
        let now = Utc::now();
        let done = job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value("failed"))
            .col_expr(job::Column::Error, Expr::value(why.to_stored()))
            .col_expr(job::Column::FinishedAt, Expr::value(now))
            .filter(job::Column::Status.eq("running"))
            .filter(
                sea_orm::Condition::any()
                    .add(job::Column::HeartbeatAt.is_null())
                    .add(job::Column::HeartbeatAt.lt(now - silent_for)),
            )
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected)
    }
}
