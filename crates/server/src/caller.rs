//! Who is calling: the token verified and the account behind it looked at again, for every
//! route of the edge (GraphQL and exports alike).

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use nuanxin_auth::{AuthError, TokenService};
use nuanxin_domain::Principal;
use nuanxin_locale::{Localised, Message, localised_error, msg};
use nuanxin_store::{Refusal, Store, StoreError};

use crate::replies::edge_error;
use crate::state::AppState;

/// Why the edge refused a request's token.
#[derive(Debug)]
pub enum EdgeAuthError {
    Expired,
    Invalid,
    /// The token is genuine, but its account was disabled, demoted away or signed out.
    Refused(Refusal),
    Unavailable,
}

impl Localised for EdgeAuthError {
    fn message(&self) -> Message {
        match self {
            EdgeAuthError::Expired => msg!("token-expired"),
            EdgeAuthError::Invalid => msg!("token-invalid"),
            EdgeAuthError::Refused(Refusal::Revoked) => msg!("token-revoked"),
            EdgeAuthError::Refused(Refusal::AccountDisabled) => msg!("token-account-disabled"),
            EdgeAuthError::Refused(Refusal::NotANetworkCaller) => msg!("token-not-here"),
            EdgeAuthError::Unavailable => msg!("service-unavailable"),
        }
    }
}
localised_error!(EdgeAuthError);

impl EdgeAuthError {
    /// The error as a response in GraphQL's shape.
    pub fn response(&self, req: &HttpRequest) -> HttpResponse {
        let (status, code) = match self {
            EdgeAuthError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE"),
            _ => (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
        };
        edge_error(status, code, &self.message(), req)
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
    let claimed = verify(token.trim(), tokens)?;
    recheck(&claimed, store).await
}

/// A bearer token's claims, signature and expiry checked (the account is not looked at).
pub fn verify(token: &str, tokens: &TokenService) -> Result<Principal, EdgeAuthError> {
    tokens.verify(token).map_err(|e| match e {
        AuthError::Expired => EdgeAuthError::Expired,
        _ => EdgeAuthError::Invalid,
    })
}

/// The caller a verified token names, as the account says now (disabled, demoted, moved
/// or signed out is refused). A long-lived connection asks again from time to time.
pub async fn recheck(claimed: &Principal, store: &Store) -> Result<Principal, EdgeAuthError> {
    match store.authenticated(claimed).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(refusal)) => {
            tracing::info!(?refusal, "token refused");
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

/// The signed-in caller of a route outside GraphQL (an export, an upload), or the answer
/// that refuses the request: 401 without a valid token, 503 when accounts cannot be looked
/// at now.
pub async fn signed_in(req: &HttpRequest, state: &AppState) -> Result<Principal, HttpResponse> {
    match authenticate(req, &state.tokens, &state.store).await {
        Ok(p) if p.is_authenticated() => Ok(p),
        Err(e) => Err(e.response(req)),
        Ok(_) => Err(edge_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            &msg!("sign-in-needed"),
            req,
        )),
    }
}
