//! The allow-list at the edge: an app of an audience the policy keeps to registered
//! operations (partners) runs only the documents a city admin registered for it
//! (`PERSISTED_QUERY_NOT_ALLOWED` otherwise), sent whole or as their SHA-256 alone; the
//! others are not restricted, and may send the hash of any registered document. Checked before execution, so a refused document costs one
//! primary-key read and runs nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use nuanxin_domain::{Principal, Subject};
use nuanxin_graphql::persisted::{self, PersistedQueryError};
use nuanxin_locale::{Localised, Message, localised_error, msg};
use nuanxin_store::Store;

use crate::replies::edge_error;

/// Why the edge did not let a document through.
#[derive(Debug)]
pub enum Refusal {
    Malformed(PersistedQueryError),
    NotAllowed,
    NotFound,
    Unavailable,
}

impl From<PersistedQueryError> for Refusal {
    fn from(e: PersistedQueryError) -> Self {
        Refusal::Malformed(e)
    }
}

impl Localised for Refusal {
    fn message(&self) -> Message {
        match self {
            Refusal::Malformed(PersistedQueryError::Malformed) => msg!("persisted-malformed"),
            Refusal::Malformed(PersistedQueryError::HashMismatch) => {
                msg!("persisted-hash-mismatch")
            }
            Refusal::NotAllowed => msg!("persisted-not-allowed"),
            Refusal::NotFound => msg!("persisted-not-found"),
            Refusal::Unavailable => msg!("service-unavailable"),
        }
    }
}
localised_error!(Refusal);

impl Refusal {
    /// The `extensions.code` of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Malformed(_) => "BAD_USER_INPUT",
            Refusal::NotAllowed => "PERSISTED_QUERY_NOT_ALLOWED",
            Refusal::NotFound => "PERSISTED_QUERY_NOT_FOUND",
            Refusal::Unavailable => "SERVICE_UNAVAILABLE",
        }
    }

    pub fn response(&self, req: &HttpRequest) -> HttpResponse {
        let status = match self {
            Refusal::Malformed(_) => StatusCode::BAD_REQUEST,
            Refusal::NotAllowed => StatusCode::FORBIDDEN,
            // Apollo's clients answer this one by sending the whole document.
            Refusal::NotFound => StatusCode::OK,
            Refusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        };
        edge_error(status, self.code(), &self.message(), req)
    }
}

/// Checks the request against the caller's allow-list and fills in the document when only
/// its hash was sent. `named` is the hash the request named
/// ([`nuanxin_graphql::persisted::named_hash`], already checked against the document).
pub async fn admit(
    request: &mut async_graphql::Request,
    named: Option<String>,
    principal: &Principal,
    store: &Store,
) -> Result<(), Refusal> {
    let document = if principal.grant().registered_operations_only {
        // Restricted: the document is hashed when it came whole.
        let hash = match named {
            Some(h) => h,
            None if request.query.is_empty() => return Err(Refusal::NotAllowed),
            None => persisted::document_hash(&request.query),
        };
        // A partner app's own list; a family member's or volunteer's, the list of the
        // mini-program their token came through (none: nothing runs).
        let listed = match (&principal.subject, mini_program_of(principal)) {
            (Subject::Partner { app, .. }, _) => store.allowed_operation(*app, &hash).await,
            (Subject::FamilyMember { .. } | Subject::Volunteer { .. }, Some(mp)) => {
                store.mini_program_operation(mp, &hash).await
            }
            _ => return Err(Refusal::NotAllowed),
        };
        listed
            .map_err(|_| Refusal::Unavailable)?
            .ok_or(Refusal::NotAllowed)?
    } else {
        match named {
            Some(h) if request.query.is_empty() => store
                .registered_document(&h)
                .await
                .map_err(|_| Refusal::Unavailable)?
                .ok_or(Refusal::NotFound)?,
            _ => return Ok(()),
        }
    };
    if request.query.is_empty() {
        request.query = document;
    }
    Ok(())
}

/// The mini-program (WeChat app id) a caller's token was issued through.
pub fn mini_program_of(principal: &Principal) -> Option<&str> {
    principal.token.as_ref()?.app.as_deref()
}
