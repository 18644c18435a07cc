//! Knowing the database is down. Once a request has found it unreachable, later requests
//! are refused at once (a quick 503) instead of each waiting out the acquire timeout
//! together, and a probe pings the database every half second until it answers again —
//! recovery needs no restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::Store;

/// How often the probe asks a database that is down.
const PROBE_EVERY: Duration = Duration::from_millis(500);

#[derive(Default, Clone)]
pub(crate) struct Health {
    down: Arc<AtomicBool>,
}

impl Store {
    /// True while the database is known to be unreachable.
    pub fn known_down(&self) -> bool {
        self.health.down.load(Ordering::Acquire)
    }

    /// Records that the database could not be reached, and starts the probe (once).
    pub fn mark_down(&self) {
        if self.health.down.swap(true, Ordering::AcqRel) {
            return;
        }
        tracing::warn!("database unreachable: refusing requests quickly until it answers");
        let store = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(PROBE_EVERY).await;
                if store.ping().await.is_ok() {
                    store.health.down.store(false, Ordering::Release);
                    tracing::info!("database reachable again");
                    return;
                }
            }
        });
    }
}
