//! `POST /auth/token`: the OAuth 2.0 client-credentials grant for partner apps. The request
//! is parsed in the domain (`partners::oauth`); the secret is checked against its SHA-256 in
//! the store; the answer is a short-lived access token bound to the organisation and app
//! (the account is looked at again on every request, so a disabled app stops at once).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::StreamExt;
use nuanxin_domain::partners::oauth::{self, CredentialsVia, OAuthError};
use serde_json::json;

use crate::state::AppState;

/// A token request is a few hundred bytes; more is not one.
const MAX_BODY: usize = 4 * 1024;

fn oauth_error(e: &OAuthError, via: Option<CredentialsVia>) -> HttpResponse {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = HttpResponse::build(status)
        .json(json!({ "error": e.code(), "error_description": e.to_string() }));
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if matches!(e, OAuthError::InvalidClient(_)) && via == Some(CredentialsVia::Basic) {
        h.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"nuanxin\""),
        );
    }
    resp
}

fn unavailable(retry_after: u64) -> HttpResponse {
    let mut resp = HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE).json(json!({
        "error": "temporarily_unavailable",
        "error_description": "the registry is busy or down; try again shortly",
    }));
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

pub async fn token(
    req: HttpRequest,
    mut body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.split(';').next().is_some_and(|m| {
        m.trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    }) {
        return oauth_error(
            &OAuthError::InvalidRequest(
                "send the token request as application/x-www-form-urlencoded".into(),
            ),
            None,
        );
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return oauth_error(
                &OAuthError::InvalidRequest("the request broke off".into()),
                None,
            );
        };
        if bytes.len() + chunk.len() > MAX_BODY {
            return oauth_error(
                &OAuthError::InvalidRequest("the request is too large".into()),
                None,
            );
        }
        bytes.extend_from_slice(&chunk);
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return oauth_error(
            &OAuthError::InvalidRequest("the body is not UTF-8".into()),
            None,
        );
    };
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let parsed = oauth::parse_form(text).and_then(|form| {
        oauth::parse_token_request(&form, authorization, |b| STANDARD.decode(b).ok())
    });
    let request = match parsed {
        Ok(r) => r,
        Err(e) => {
            let via = authorization.map(|_| CredentialsVia::Basic);
            return oauth_error(&e, via);
        }
    };
    let address = req.peer_addr().map(|a| a.ip());
    if let Err(t) = state.client_throttle.admit(&request.client_id, address) {
        let mut resp = HttpResponse::build(StatusCode::TOO_MANY_REQUESTS).json(json!({
            "error": "slow_down",
            "error_description": format!("too many attempts; try again in {} s", t.retry_after_secs()),
        }));
        if let Ok(v) = HeaderValue::from_str(&t.retry_after_secs().to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    let hash = nuanxin_auth::hash_client_secret(&request.client_secret);
    let principal = match state
        .store
        .client_credentials(&request.client_id, &hash)
        .await
    {
        Ok(Ok(p)) => p,
        Ok(Err(refusal)) => {
            state.client_throttle.failed(&request.client_id);
            tracing::warn!(client_id = %request.client_id.escape_debug(), %refusal, "client credentials refused");
            return oauth_error(
                &OAuthError::InvalidClient("the client could not be authenticated".into()),
                Some(request.via),
            );
        }
        Err(e) => {
            tracing::warn!(%e, "token endpoint: store error");
            return unavailable(1);
        }
    };
    state.client_throttle.succeeded(&request.client_id);
    let issued = match state.tokens.issue(&principal) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(%e, "token endpoint: cannot sign");
            return unavailable(5);
        }
    };
    let expires_in = (issued.expires_at - chrono::Utc::now())
        .num_seconds()
        .max(1);
    let mut resp = HttpResponse::Ok().json(json!({
        "access_token": issued.token,
        "token_type": "Bearer",
        "expires_in": expires_in,
    }));
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}
