//! Attachments over HTTP: `POST /attachments?familyId=…&name=…` with the file as the body,
//! `GET /attachments/{id}`, both with the API's bearer token and under the same policy
//! (the care-record rows of the file's family). The body is read with a cap, so an
//! oversized upload is refused after at most the limit's worth of bytes, whatever its
//! Content-Length says; the type is decided by the content.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use nuanxin_domain::Principal;
use nuanxin_domain::care::attachment::{self, AttachmentError};
use nuanxin_graphql::attachment_ids;
use nuanxin_store::StoreError;
use serde::Deserialize;
use serde_json::json;

use crate::caller::{EdgeAuthError, authenticate};
use crate::state::{AppState, RequestId};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadParams {
    family_id: Option<String>,
    name: Option<String>,
}

fn error(
    status: StatusCode,
    code: &str,
    field: Option<&str>,
    message: &str,
    rid: &str,
) -> HttpResponse {
    let mut ext = json!({ "code": code, "requestId": rid });
    if let Some(f) = field {
        ext["field"] = json!(f);
    }
    HttpResponse::build(status)
        .json(json!({ "errors": [{ "message": message, "extensions": ext }] }))
}

fn store_error(e: StoreError, rid: &str) -> HttpResponse {
    match e {
        StoreError::NotFound { what } => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            None,
            &format!("{what} not found"),
            rid,
        ),
        StoreError::Forbidden { message } => {
            error(StatusCode::FORBIDDEN, "FORBIDDEN", None, &message, rid)
        }
        StoreError::BadInput { field, message } => error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some(&field),
            &message,
            rid,
        ),
        StoreError::Conflict { message, .. } => {
            error(StatusCode::CONFLICT, "CONFLICT", None, &message, rid)
        }
        StoreError::Unavailable => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            None,
            "the registry is temporarily unavailable",
            rid,
        ),
        StoreError::Internal(detail) => {
            tracing::error!(%detail, "attachment failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                None,
                "something went wrong on our side; quote the request id",
                rid,
            )
        }
    }
}

fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

async fn caller(req: &HttpRequest, state: &AppState, rid: &str) -> Result<Principal, HttpResponse> {
    match authenticate(req, &state.tokens, &state.store).await {
        Ok(p) if p.is_authenticated() => Ok(p),
        Err(e @ EdgeAuthError::Unavailable) => Err(e.response(rid)),
        Err(e @ EdgeAuthError::Refused(_)) => Err(e.response(rid)),
        _ => Err(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            None,
            "log in first: send a valid access token",
            rid,
        )),
    }
}

fn too_large(rid: &str) -> HttpResponse {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "BAD_USER_INPUT",
        Some("file"),
        &AttachmentError::TooLarge.to_string(),
        rid,
    )
}

/// `POST /attachments?familyId=…&name=…`: the body is the file.
pub async fn upload(
    req: HttpRequest,
    params: web::Query<UploadParams>,
    mut body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let rid = request_id(&req);
    let principal = match caller(&req, &state, &rid).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > attachment::MAX_BYTES) {
        return too_large(&rid);
    }
    let Some(family) = params.family_id.as_deref() else {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("familyId"),
            "name the family",
            &rid,
        );
    };
    let family = match attachment_ids::decode_family(family) {
        Ok(f) => f,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                Some("familyId"),
                &e.to_string(),
                &rid,
            );
        }
    };
    let name = params.name.as_deref().unwrap_or_default();
    if let Err(e) = attachment::check_name(name) {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("name"),
            &e.to_string(),
            &rid,
        );
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(64 * 1024).min(attachment::MAX_BYTES));
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return error(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                Some("file"),
                "the upload broke off",
                &rid,
            );
        };
        if bytes.len() + chunk.len() > attachment::MAX_BYTES {
            return too_large(&rid);
        }
        bytes.extend_from_slice(&chunk);
    }
    let file = match attachment::check(name, &bytes) {
        Ok(f) => f,
        Err(e) => {
            let field = if e == AttachmentError::BadName {
                "name"
            } else {
                "file"
            };
            let status = match e {
                AttachmentError::WrongType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                AttachmentError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            return error(status, "BAD_USER_INPUT", Some(field), &e.to_string(), &rid);
        }
    };
    match state
        .store
        .store_attachment(&principal, family, file, bytes)
        .await
    {
        Ok(a) => HttpResponse::Created().json(json!({
            "id": attachment_ids::encode_attachment(a.id),
            "name": a.name,
            "contentType": a.content_type,
            "sizeBytes": a.size_bytes,
            "sha256": a.sha256,
        })),
        Err(e) => store_error(e, &rid),
    }
}

/// `GET /attachments/{id}`: the file, when its family is in the caller's rows.
pub async fn download(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let rid = request_id(&req);
    let principal = match caller(&req, &state, &rid).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let Ok(id) = attachment_ids::decode_attachment(&path.into_inner()) else {
        return error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            None,
            "attachment not found",
            &rid,
        );
    };
    match state.store.attachment(&principal, id).await {
        Ok(file) => {
            let mut resp = HttpResponse::Ok()
                .content_type(file.record.content_type.clone())
                .body(file.bytes);
            let h = resp.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::HeaderName::from_static("x-content-type-options"),
                HeaderValue::from_static("nosniff"),
            );
            // The stored name is a label; the header carries only a safe ASCII form of it.
            let ascii: String = file
                .record
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            if let Ok(v) = HeaderValue::from_str(&file.record.sha256) {
                h.insert(header::HeaderName::from_static("x-content-sha256"), v);
            }
            resp
        }
        Err(e) => store_error(e, &rid),
    }
}
