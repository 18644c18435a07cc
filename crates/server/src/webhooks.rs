//! The webhook worker: sends what the outbox holds (see `nuanxin_store`'s webhooks), signed
//! (HMAC-SHA256 over timestamp and body), with a timeout, and records every attempt; a
//! failing receiver is tried again with back-off and then marked failed. Runs in every
//! replica; a delivery is claimed before it is sent, so two replicas do not both send it.
//!
//! Headers a receiver gets: `X-Nuanxin-Event`, `X-Nuanxin-Delivery` (the delivery id: a
//! retry repeats it, so a receiver can drop duplicates), `X-Nuanxin-Timestamp` (Unix
//! seconds) and `X-Nuanxin-Signature: v1=<hex>`.

use std::time::Duration;

use anyhow::Context as _;
use nuanxin_store::{AttemptOutcome, DueDelivery, RetryPolicy, Store};

/// How the worker sends and retries (`NUANXIN_WEBHOOK_*`).
#[derive(Debug, Clone, Copy)]
pub struct WebhookSettings {
    pub timeout: Duration,
    pub max_attempts: u32,
    /// The first retry's wait; each later one doubles it (at most six hours).
    pub retry_base: Duration,
    /// How often the worker looks for due deliveries.
    pub poll: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            timeout: Duration::from_secs(10),
            max_attempts: 8,
            retry_base: Duration::from_secs(30),
            poll: Duration::from_secs(2),
        }
    }
}

/// Sends due deliveries.
#[derive(Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    settings: WebhookSettings,
}

/// Installs rustls's ring provider for the process (once; later calls find it there).
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Deliverer {
    pub fn new(settings: WebhookSettings) -> anyhow::Result<Self> {
        install_tls_provider();
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            // A receiver answers; it does not send us elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("nuanxin-webhooks/1")
            .build()
            .context("building the webhook HTTP client")?;
        Ok(Deliverer { client, settings })
    }

    fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.settings.max_attempts,
            base: chrono::Duration::from_std(self.settings.retry_base)
                .unwrap_or_else(|_| chrono::Duration::seconds(30)),
        }
    }

    /// One pass: claims what is due and sends it. Returns how many were attempted.
    pub async fn run_once(&self, store: &Store) -> anyhow::Result<usize> {
        let lease = chrono::Duration::from_std(self.settings.timeout * 3)
            .unwrap_or_else(|_| chrono::Duration::seconds(60));
        let due = store.claim_due_deliveries(50, lease).await?;
        let n = due.len();
        for d in due {
            let outcome = self.send(&d).await;
            let state = store
                .record_delivery_attempt(d.id, &outcome, self.retry())
                .await?;
            tracing::info!(delivery = %d.id, event = %d.event, attempt = d.attempts + 1,
                state = state.as_str(), outcome = ?outcome, "webhook attempt");
        }
        Ok(n)
    }

    async fn send(&self, d: &DueDelivery) -> AttemptOutcome {
        let timestamp = chrono::Utc::now().timestamp();
        let signature = nuanxin_auth::webhook_signature(&d.secret, timestamp, &d.payload);
        let sent = self
            .client
            .post(&d.url)
            .header("content-type", "application/json")
            .header("x-nuanxin-event", &d.event)
            .header("x-nuanxin-delivery", d.id.to_string())
            .header("x-nuanxin-timestamp", timestamp.to_string())
            .header("x-nuanxin-signature", signature)
            .body(d.payload.clone())
            .send()
            .await;
        match sent {
            Ok(resp) if resp.status().is_success() => AttemptOutcome::Delivered {
                status: resp.status().as_u16(),
            },
            Ok(resp) => AttemptOutcome::Failed {
                status: Some(resp.status().as_u16()),
                error: format!("the receiver answered {}", resp.status()),
            },
            Err(e) if e.is_timeout() => AttemptOutcome::Failed {
                status: None,
                error: format!("no answer within {} s", self.settings.timeout.as_secs()),
            },
            Err(e) => AttemptOutcome::Failed {
                status: None,
                error: if e.is_connect() {
                    "the receiver could not be reached".into()
                } else {
                    "the request failed".into()
                },
            },
        }
    }

    /// Runs the worker for the life of the process.
    pub fn spawn(self, store: Store) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.run_once(&store).await {
                    // More may be waiting: look again at once.
                    Ok(50..) => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "webhook pass failed"),
                }
                tokio::time::sleep(self.settings.poll).await;
            }
        })
    }
}
