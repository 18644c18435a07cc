//! Emergency calls (紧急呼叫) outside GraphQL: `POST /emergency/device-calls`, where a
//! registered emergency-call device raises a call with its own credential (HTTP Basic,
//! its serial number and the secret `issueDeviceCredential` gave it once), and the
//! escalation job that climbs unanswered calls up the ladder.
//!
//! A device is a small box with a button and a SIM card: it sends one request, reads the
//! status and retries on anything but 2xx, so the answer is short JSON and a guesser is
//! slowed like a password guesser (the same throttle as sign-in, keyed by serial and
//! address).

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use nuanxin_locale::msg;
use nuanxin_store::{Store, StoreError};
use serde_json::json;

use crate::replies::{edge_error, store_error};
use crate::state::AppState;

/// A serial number and a secret, from `Authorization: Basic …`.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (serial, secret) = text.split_once(':')?;
    (!serial.trim().is_empty() && !secret.is_empty() && serial.len() <= 64 && secret.len() <= 256)
        .then(|| (serial.trim().to_owned(), secret.to_owned()))
}

fn unauthorised(req: &HttpRequest, message: nuanxin_locale::Message) -> HttpResponse {
    let mut resp = edge_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", &message, req);
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"nuanxin-device\""),
    );
    resp
}

/// `POST /emergency/device-calls`: the device's button was pressed. 200 with the call; a
/// second press while the call is still being handled answers with the same call.
pub async fn device_call(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some((serial, secret)) = basic_credentials(&req) else {
        return unauthorised(&req, msg!("device-credential-needed"));
    };
    let address = req.peer_addr().map(|a| a.ip());
    let throttle_key = format!("device:{serial}");
    if let Err(t) = state.device_throttle.admit(&throttle_key, address) {
        let mut resp = edge_error(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            &msg!("app-rate-limited", seconds = t.retry_after_secs()),
            &req,
        );
        if let Ok(v) = HeaderValue::from_str(&t.retry_after_secs().to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    let secret_hash = nuanxin_auth::sha256_hex(&secret);
    match state.store.raise_device_call(&serial, &secret_hash).await {
        Ok(call) => {
            state.device_throttle.succeeded(&throttle_key);
            HttpResponse::Ok().json(json!({
                "callId": nuanxin_graphql::encode_call_id(call.id),
                "state": call.state.as_str().to_ascii_uppercase(),
                "level": call.level.as_str().to_ascii_uppercase(),
                "raisedAt": call.raised_at.to_rfc3339(),
            }))
        }
        Err(StoreError::Forbidden { message }) => {
            state.device_throttle.failed(&throttle_key);
            unauthorised(&req, message)
        }
        Err(e) => store_error(e, &req),
    }
}

/// How the escalation job runs: a call unanswered for `after` climbs a level; the job
/// looks every `every`.
#[derive(Debug, Clone, Copy)]
pub struct EscalationSettings {
    pub after: Duration,
    pub every: Duration,
}

impl EscalationSettings {
    /// Looks four times per waiting period (at most every 15 s, at least every second), so
    /// a call climbs at most a quarter-period late.
    pub fn new(after: Duration) -> Self {
        Self {
            after,
            every: (after / 4).clamp(Duration::from_secs(1), Duration::from_secs(15)),
        }
    }
}

/// Runs the escalation job for the life of the process. Every replica runs it: each climb
/// is a conditional update of one call, so two replicas never climb the same call twice.
pub fn spawn_escalation(store: Store, settings: EscalationSettings) -> tokio::task::JoinHandle<()> {
    let after = chrono::Duration::from_std(settings.after).unwrap_or(chrono::Duration::minutes(3));
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(settings.every).await;
            match store.escalate_emergency_calls(after).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(calls = n, "unanswered emergency calls escalated"),
                Err(e) => tracing::warn!(error = %e, "escalation pass failed"),
            }
        }
    })
}
