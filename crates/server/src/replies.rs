//! The edge's own answers in GraphQL's error shape (`errors[].extensions.code`), for what
//! goes wrong before or outside a GraphQL execution: a bad body, an expired token, an
//! export or an upload refused. Messages are written in the request's language
//! (`Accept-Language`, Chinese by default), like the API's.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use nuanxin_locale::{Locale, Message, msg};
use nuanxin_store::StoreError;
use serde_json::json;

use crate::state::RequestId;

pub fn request_id_of(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

/// The reader's language, from `Accept-Language`.
pub fn locale_of(req: &HttpRequest) -> Locale {
    Locale::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// An error answer; `field` names the input at fault.
pub fn edge_error_at(
    status: StatusCode,
    code: &str,
    field: Option<&str>,
    message: &Message,
    req: &HttpRequest,
) -> HttpResponse {
    let mut ext = json!({ "code": code, "requestId": request_id_of(req) });
    if let Some(f) = field {
        ext["field"] = json!(f);
    }
    HttpResponse::build(status)
        .content_type("application/json")
        .json(
            json!({ "errors": [{ "message": message.render(locale_of(req)), "extensions": ext }] }),
        )
}

/// An error answer about the request as a whole.
pub fn edge_error(
    status: StatusCode,
    code: &str,
    message: &Message,
    req: &HttpRequest,
) -> HttpResponse {
    edge_error_at(status, code, None, message, req)
}

/// A store error as the edge answers it (the same codes the API gives).
pub fn store_error(e: StoreError, req: &HttpRequest) -> HttpResponse {
    match e {
        StoreError::NotFound { what } => edge_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &nuanxin_graphql::not_found(what),
            req,
        ),
        StoreError::Forbidden { message } => {
            edge_error(StatusCode::FORBIDDEN, "FORBIDDEN", &message, req)
        }
        StoreError::BadInput { field, message } => edge_error_at(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some(&field).filter(|f| !f.is_empty()).map(|f| f.as_str()),
            &message,
            req,
        ),
        StoreError::Conflict { field, message } => edge_error_at(
            StatusCode::CONFLICT,
            "CONFLICT",
            field.as_deref(),
            &message,
            req,
        ),
        StoreError::Unavailable => edge_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            &msg!("service-unavailable"),
            req,
        ),
        StoreError::Internal(detail) => {
            tracing::error!(%detail, "request failed");
            edge_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                &msg!("internal-error"),
                req,
            )
        }
    }
}
