//! Events between gateway replicas: an emergency call raised, acknowledged, escalated or
//! closed on one replica reaches the listeners connected to every other. On PostgreSQL each
//! change is announced with `pg_notify` and every replica LISTENs (one connection of its
//! pool, held for it); on SQLite (one process) the announcement goes straight to the
//! in-process channel. An event names the call and its step only: listeners read the call
//! itself through their own slice, so nothing private travels through the channel.

use std::sync::Arc;
use std::time::Duration;

use nuanxin_domain::care::emergency::{CallLevel, CallStep};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::Store;

/// The PostgreSQL channel the replicas announce on.
const CHANNEL: &str = "nuanxin_emergency_calls";

/// How many events a slow listener may fall behind before it misses the oldest.
const BUFFER: usize = 1024;

/// One change of an emergency call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallEvent {
    pub call: Uuid,
    pub family: Uuid,
    /// The family's region codes (not private), so that each replica sorts the event to
    /// its listeners without a query per listener.
    pub city: String,
    pub county: String,
    pub township: Option<String>,
    pub village: Option<String>,
    #[serde(with = "step_name")]
    pub step: CallStep,
    #[serde(with = "level_name")]
    pub level: CallLevel,
}

mod step_name {
    use nuanxin_domain::care::emergency::CallStep;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    pub fn serialize<S: Serializer>(s: &CallStep, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.as_str())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<CallStep, D::Error> {
        let s = String::deserialize(de)?;
        CallStep::parse(&s).ok_or_else(|| D::Error::custom("unknown step"))
    }
}

mod level_name {
    use nuanxin_domain::care::emergency::CallLevel;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    pub fn serialize<S: Serializer>(l: &CallLevel, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(l.as_str())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<CallLevel, D::Error> {
        let s = String::deserialize(de)?;
        CallLevel::parse(&s).ok_or_else(|| D::Error::custom("unknown level"))
    }
}

/// The in-process side of the channel, shared by every clone of a store.
#[derive(Clone)]
pub(crate) struct Events {
    local: Arc<broadcast::Sender<CallEvent>>,
}

impl Default for Events {
    fn default() -> Self {
        Self {
            local: Arc::new(broadcast::channel(BUFFER).0),
        }
    }
}

impl Store {
    /// Every call event from now on, from every replica.
    pub fn call_events(&self) -> broadcast::Receiver<CallEvent> {
        self.events.local.subscribe()
    }

    /// Tells every replica (this one included) of a change that has been committed.
    pub(crate) async fn announce(&self, event: CallEvent) {
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            let _ = self.events.local.send(event);
            return;
        }
        let Ok(payload) = serde_json::to_string(&event) else {
            return;
        };
        let sent = self
            .db
            .execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            ))
            .await;
        if let Err(e) = sent {
            // The change is kept; listeners on other replicas learn of it when they next
            // read the open calls, and the escalation job still sees it.
            tracing::warn!(error = %e, call = %event.call, "call event not announced");
        }
    }

    /// On PostgreSQL, LISTENs for the other replicas' announcements until the pool is
    /// closed, reconnecting after a lost connection. Nothing to do on SQLite.
    pub(crate) fn start_listening(&self) {
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            return;
        }
        let pool = self.db.get_postgres_connection_pool().clone();
        let local = self.events.local.clone();
        tokio::spawn(async move {
            use sea_orm::sqlx::postgres::PgListener;
            while !pool.is_closed() {
                let mut listener = match PgListener::connect_with(&pool).await {
                    Ok(l) => l,
                    Err(_) => {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "cannot listen for call events");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                loop {
                    match listener.try_recv().await {
                        Ok(Some(n)) => match serde_json::from_str::<CallEvent>(n.payload()) {
                            Ok(event) => {
                                let _ = local.send(event);
                            }
                            Err(e) => tracing::warn!(error = %e, "unreadable call event"),
                        },
                        // The connection was lost (and is being re-established): events
                        // announced meanwhile are missed here; the escalation job still acts
                        // on them, and a listener sees them when it next reads open calls.
                        Ok(None) => tracing::warn!("call-event connection lost; reconnecting"),
                        Err(_) => break,
                    }
                }
            }
        });
    }
}
