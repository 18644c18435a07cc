//! Group commit of the access log. Every lookup of an ID number writes a log row before it
//! answers, and at a busy registration desk those rows came one statement and one commit
//! (one WAL flush) each: the commit, not the read, was what a lookup cost the database.
//! Here the rows of concurrent reads wait together: one writer task takes whatever has
//! queued while its last insert was in flight and writes it as one multi-row insert, one
//! commit. Each caller is answered only after that commit: no data is released before its
//! log row is durable. An idle server pays nothing extra (a lone row is written at once).

use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::sync::{mpsc, oneshot};

use crate::entity::access_log;
use crate::error::StoreError;

/// The most rows one insert carries: 10 columns a row stays well under the bind-parameter
/// limits (SQLite 32,766; PostgreSQL 65,535).
pub(crate) const MAX_GROUP_ROWS: usize = 2_000;

/// Reads waiting for their log rows to commit; more wait at the channel (backpressure).
const QUEUE: usize = 1_024;

struct Pending {
    rows: Vec<access_log::ActiveModel>,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// The queue to the writer task; cheap to clone.
#[derive(Clone)]
pub(crate) struct AccessLogWriter {
    queue: mpsc::Sender<Pending>,
}

impl AccessLogWriter {
    /// Starts the writer task on `db`'s pool. It ends when every queue handle is dropped.
    pub(crate) fn start(db: DatabaseConnection) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(write_groups(db, waiting));
        Self { queue }
    }

    /// Writes `rows` (at most [`MAX_GROUP_ROWS`]) with whatever else is waiting, and returns
    /// once they are committed.
    pub(crate) async fn write(&self, rows: Vec<access_log::ActiveModel>) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.queue
            .send(Pending { rows, done })
            .await
            .map_err(|_| StoreError::Unavailable)?;
        answer.await.map_err(|_| StoreError::Unavailable)?
    }
}

async fn write_groups(db: DatabaseConnection, mut waiting: mpsc::Receiver<Pending>) {
    let mut carried: Option<Pending> = None;
    loop {
        let first = match carried.take() {
            Some(p) => p,
            None => match waiting.recv().await {
                Some(p) => p,
                None => return,
            },
        };
        let mut group = vec![first];
        let mut size = group[0].rows.len();
        while let Ok(next) = waiting.try_recv() {
            if size + next.rows.len() > MAX_GROUP_ROWS {
                carried = Some(next);
                break;
            }
            size += next.rows.len();
            group.push(next);
        }
        let rows = group.iter().flat_map(|p| p.rows.iter().cloned()).collect();
        match insert(&db, rows).await {
            Ok(()) => {
                for p in group {
                    let _ = p.done.send(Ok(()));
                }
            }
            // One caller's bad row (a person deleted meanwhile) must not fail the others:
            // each is tried alone.
            Err(_) if group.len() > 1 => {
                for p in group {
                    let outcome = insert(&db, p.rows).await;
                    let _ = p.done.send(outcome);
                }
            }
            Err(e) => {
                if let Some(p) = group.pop() {
                    let _ = p.done.send(Err(e));
                }
            }
        }
    }
}

async fn insert(
    db: &DatabaseConnection,
    rows: Vec<access_log::ActiveModel>,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    access_log::Entity::insert_many(rows)
        .exec(db)
        .await
        .map(|_| ())
        .map_err(StoreError::from)
}
