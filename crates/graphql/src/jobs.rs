//! The job runner: background work (roster generations) is owned by the server, not left
//! to a detached task. It keeps each running job's heartbeat fresh, and on shutdown waits
//! for its jobs and marks whatever it could not finish as failed, so no job is left
//! `running` by a stop; a crash is caught at the next start ([`JobRunner::sweep_orphans`]).

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nuanxin_locale::Message;
use nuanxin_locale::msg;
use nuanxin_store::{Store, StoreError};
use tokio::sync::Notify;
use uuid::Uuid;

/// How often a running job's heartbeat is touched.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// A running job silent for this long has lost its runner.
pub const ORPHANED_AFTER: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct JobRunner {
    store: Store,
    running: Arc<Mutex<HashSet<Uuid>>>,
    idle: Arc<Notify>,
}

impl JobRunner {
    /// A runner for `store`, with its heartbeat task.
    pub fn start(store: Store) -> Self {
        let runner = Self {
            store,
            running: Arc::default(),
            idle: Arc::default(),
        };
        let beat = runner.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(HEARTBEAT).await;
                let ids = beat.running_ids();
                if let Err(e) = beat.store.beat_jobs(&ids).await {
                    tracing::warn!(error = %e, "could not touch job heartbeats");
                }
            }
        });
        runner
    }

    fn running_ids(&self) -> Vec<Uuid> {
        self.running
            .lock()
            .map(|r| r.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Runs `work` for job `id` in the background, tracked until it ends.
    pub fn spawn<F>(&self, id: Uuid, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        if let Ok(mut r) = self.running.lock() {
            r.insert(id);
        }
        let runner = self.clone();
        tokio::spawn(async move {
            work.await;
            let empty = runner
                .running
                .lock()
                .map(|mut r| {
                    r.remove(&id);
                    r.is_empty()
                })
                .unwrap_or(true);
            if empty {
                runner.idle.notify_waiters();
            }
        });
    }

    /// At start: jobs whose runner stopped without finishing them (no heartbeat for a
    /// minute) are marked failed, with a reason a clerk can act on.
    pub async fn sweep_orphans(&self) -> Result<u64, nuanxin_store::StoreError> {
        let n = self
            .store
            .fail_orphaned_jobs(
                chrono::Duration::from_std(ORPHANED_AFTER).unwrap_or(chrono::Duration::MAX),
                &msg!("job-interrupted"),
            )
            .await?;
        if n > 0 {
            tracing::warn!(jobs = n, "marked interrupted jobs as failed");
        }
        Ok(n)
    }

    /// At shutdown: waits up to `grace` for running jobs, then marks the rest failed.
    pub async fn drain(&self, grace: Duration) {
        let wait = async {
            loop {
                let idle = self.idle.notified();
                if self.running_ids().is_empty() {
                    return;
                }
                idle.await;
            }
        };
        if tokio::time::timeout(grace, wait).await.is_err() {
            for id in self.running_ids() {
                let _ = self
                    .store
                    .finish_job(id, Err(msg!("job-interrupted")))
                    .await;
            }
        }
    }
}

/// A job's progress reporter: each report is written on its own task, so the work never
/// waits for it (a late report never undoes the job's end: `update_job`).
pub fn progress_reporter(store: Store, job: Uuid) -> impl Fn(u64, u64) + Send + Sync + 'static {
    move |done, total| {
        let s = store.clone();
        tokio::spawn(async move {
            let _ = s.update_job(job, done, total).await;
        });
    }
}

/// What a clerk reads on a failed job: the error's own message, never the database's text
/// (that is logged with the job's id).
pub fn failure(job: Uuid, e: StoreError) -> Message {
    match e {
        StoreError::Internal(detail) => {
            tracing::error!(%detail, %job, "job failed");
            msg!("job-failed-internal")
        }
        StoreError::Unavailable => msg!("job-database-unavailable"),
        other => crate::error::ApiError::from(other).message(),
    }
}

/// Records a job's end (logged when even that fails).
pub async fn finish(store: &Store, job: Uuid, outcome: Result<Option<Uuid>, Message>) {
    if let Err(e) = store.finish_job(job, outcome).await {
        tracing::error!(%e, %job, "could not record the end of a job");
    }
}
