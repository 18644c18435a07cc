//! Who is calling: the token verified and the account behind it looked at again, for every
//! route of the edge (GraphQL and exports alike); and the edge's errors in GraphQL's shape.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use nuanxin_auth::{AuthError, TokenService};
use nuanxin_domain::Principal;
use nuanxin_store::{Refusal, Store, StoreError};
use serde_json::json;

use crate::state::RequestId;

pub fn request_id_of(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

/// A JSON error body in GraphQL's shape, for errors raised before execution.
pub fn edge_error(status: StatusCode, code: &str, message: &str, request_id: &str) -> HttpResponse {
    HttpResponse::build(status).content_type("application/json").json(json!({
        "errors": [{ "message": message, "extensions": { "code": code, "requestId": request_id } }]
    }))
}

/// Why the edge refused a request's token.
#[derive(Debug, thiserror::Error)]
pub enum EdgeAuthError {
    #[error("the access token has expired; refresh it")]
    Expired,
    #[error("the access token is not valid")]
    Invalid,
    /// The token is genuine, but its account was disabled, demoted away or signed out.
    #[error("{0}; log in again")]
    Refused(Refusal),
    #[error("the registry database is unavailable")]
    Unavailable,
}

impl EdgeAuthError {
    /// The error as a response in GraphQL's shape.
    pub fn response(&self, request_id: &str) -> HttpResponse {
        let (status, code) = match self {
            EdgeAuthError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE"),
            _ => (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
        };
        edge_error(status, code, &self.to_string(), request_id)
    }
}

/// The caller, from `Authorization: Bearer …`. No header: anonymous. A bad or expired
/// token is refused outright (401) rather than silently downgraded, and so is a genuine
/// token whose account is no longer what it was: the account is looked at again (cached
/// for at most 30 s), so disabling, demoting or moving someone counts on the next request.
pub async fn authenticate(
    req: &HttpRequest,
    tokens: &TokenService,
    store: &Store,
) -> Result<Principal, EdgeAuthError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(Principal::anonymous());
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or(EdgeAuthError::Invalid)?;
    let claimed = tokens.verify(token.trim()).map_err(|e| match e {
        AuthError::Expired => EdgeAuthError::Expired,
        _ => EdgeAuthError::Invalid,
    })?;
    match store.authenticated(&claimed).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(refusal)) => {
            tracing::info!(%refusal, "token refused");
            Err(EdgeAuthError::Refused(refusal))
        }
        Err(StoreError::Unavailable) => {
            store.mark_down();
            Err(EdgeAuthError::Unavailable)
        }
        Err(e) => {
            tracing::error!(error = %e, "account check failed");
            Err(EdgeAuthError::Unavailable)
        }
    }
}
