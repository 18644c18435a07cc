//! Attachments over HTTP: `POST /attachments?familyId=…&name=…` with the file as the body,
//! `GET /attachments/{id}`, both with the API's bearer token and under the same policy
//! (the care-record rows of the file's family). The body is read with a cap, so an
//! oversized upload is refused after at most the limit's worth of bytes, whatever its
//! Content-Length says; the type is decided by the content.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use nuanxin_domain::care::attachment::{self, AttachmentError};
use nuanxin_graphql::attachment_ids;
use nuanxin_locale::{Localised, msg};
use serde::Deserialize;
use serde_json::json;

use crate::caller::signed_in;
use crate::replies::{edge_error, edge_error_at, store_error};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadParams {
    family_id: Option<String>,
    name: Option<String>,
}

fn too_large(req: &HttpRequest) -> HttpResponse {
    edge_error_at(
        StatusCode::PAYLOAD_TOO_LARGE,
        "BAD_USER_INPUT",
        Some("file"),
        &AttachmentError::TooLarge.message(),
        req,
    )
}

/// `POST /attachments?familyId=…&name=…`: the body is the file.
pub async fn upload(
    req: HttpRequest,
    params: web::Query<UploadParams>,
    mut body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let principal = match signed_in(&req, &state).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > attachment::MAX_BYTES) {
        return too_large(&req);
    }
    let Some(family) = params.family_id.as_deref() else {
        return edge_error_at(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("familyId"),
            &msg!("attachment-family-needed"),
            &req,
        );
    };
    let family = match attachment_ids::decode_family(family) {
        Ok(f) => f,
        Err(e) => {
            return edge_error_at(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                Some("familyId"),
                &e.message(),
                &req,
            );
        }
    };
    let name = params.name.as_deref().unwrap_or_default();
    if let Err(e) = attachment::check_name(name) {
        return edge_error_at(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("name"),
            &e.message(),
            &req,
        );
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(64 * 1024).min(attachment::MAX_BYTES));
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return edge_error_at(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                Some("file"),
                &msg!("attachment-upload-broke-off"),
                &req,
            );
        };
        if bytes.len() + chunk.len() > attachment::MAX_BYTES {
            return too_large(&req);
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
            return edge_error_at(status, "BAD_USER_INPUT", Some(field), &e.message(), &req);
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
        Err(e) => store_error(e, &req),
    }
}

/// `GET /attachments/{id}`: the file, when its family is in the caller's rows.
pub async fn download(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let principal = match signed_in(&req, &state).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let Ok(id) = attachment_ids::decode_attachment(&path.into_inner()) else {
        return edge_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &nuanxin_graphql::not_found("attachment"),
            &req,
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
        Err(e) => store_error(e, &req),
    }
}
