//! The HTTP edge: /graphql (hardened), /healthz, /readyz, with a request id on every log
//! line and every error.
//!
//! Hardening that async-graphql-actix-web does not give (see ARCHITECTURE.md, "Known
//! traps"): POST must be `application/json` (415), GET may only run queries (405), the body
//! is capped (413) before it is read whole, the response type is negotiated from `Accept`,
//! and a database outage is a clean 503.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::{ErrorExtensionValues, Response, ServerError};
use futures_util::StreamExt as _;
use nuanxin_graphql::OperationKind;
use nuanxin_locale::{Localised, Message, msg};
use nuanxin_store::RequestMeta;

use crate::caller::authenticate;
use crate::replies::{edge_error, locale_of, request_id_of};
pub use crate::state::{AppState, RequestId};
use serde::Deserialize;
use serde_json::json;
use tracing::Instrument as _;

/// How long a request may wait to be admitted (see `AppState::admission`).
pub const ADMISSION_WAIT: Duration = Duration::from_millis(500);

/// Registers the routes; used by the server and by the tests alike.
pub fn routes(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(
            web::scope("")
                .app_data(web::Data::new(state))
                .wrap(actix_web::middleware::from_fn(request_id))
                .route("/graphql", web::post().to(graphql_post))
                .route("/graphql/ws", web::get().to(crate::subscriptions::upgrade))
                .route("/graphql", web::get().to(graphql_get))
                .route(
                    "/exports/rosters/{file}",
                    web::get().to(crate::exports::roster_export),
                )
                .route(
                    "/exports/rosters/{id}/bank-file",
                    web::get().to(crate::exports::bank::bank_file),
                )
                .route(
                    "/exports/rosters/{id}/bank-result",
                    web::post().to(crate::exports::bank::bank_result),
                )
                .route(
                    "/exports/reports/{region}/{file}",
                    web::get().to(crate::exports::report_export),
                )
                .route("/auth/token", web::post().to(crate::oauth::token))
                .route(
                    "/emergency/device-calls",
                    web::post().to(crate::emergency::device_call),
                )
                .route("/imports/families", web::post().to(crate::imports::upload))
                .route(
                    "/imports/families/{file}",
                    web::get().to(crate::imports::template),
                )
                .route("/attachments", web::post().to(crate::attachments::upload))
                .route(
                    "/attachments/{id}",
                    web::get().to(crate::attachments::download),
                )
                .route("/healthz", web::get().to(healthz))
                .route("/readyz", web::get().to(readyz)),
        );
    }
}

async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    async move {
        let started = Instant::now();
        let mut res = next.call(req).await?;
        let status = res.status().as_u16();
        tracing::info!(
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request done"
        );
        if let Ok(v) = HeaderValue::from_str(&id) {
            res.headers_mut()
                .insert(header::HeaderName::from_static("x-request-id"), v);
        }
        // Answers carry personal data: no cache (browser, proxy, WeChat's) may keep one.
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(res)
    }
    .instrument(span)
    .await
}

/// A 429 in GraphQL's shape, with `Retry-After`.
fn too_many(message: Message, retry_after: u64, rid: &str, req: &HttpRequest) -> HttpResponse {
    let mut resp = HttpResponse::build(StatusCode::TOO_MANY_REQUESTS).json(serde_json::json!({
        "errors": [{ "message": message.render(locale_of(req)),
            "extensions": { "code": "RATE_LIMITED", "retryAfter": retry_after, "requestId": rid } }]
    }));
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// A quick 503 that says when to come back.
fn retry_soon(message: Message, req: &HttpRequest) -> HttpResponse {
    let mut resp = edge_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
        &message,
        req,
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    Json,
    GraphqlResponseJson,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            MediaType::Json => "application/json",
            MediaType::GraphqlResponseJson => "application/graphql-response+json",
        }
    }
}

/// GraphQL over HTTP: `application/graphql-response+json` only when the client prefers it;
/// `application/json` otherwise (the legacy type most clients still ask for).
fn negotiate(req: &HttpRequest) -> MediaType {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let pos = |t: &str| accept.find(t);
    match (
        pos("application/graphql-response+json"),
        pos("application/json"),
    ) {
        (Some(g), Some(j)) if g < j => MediaType::GraphqlResponseJson,
        (Some(_), None) => MediaType::GraphqlResponseJson,
        _ => MediaType::Json,
    }
}

async fn read_body(
    mut payload: web::Payload,
    limit: usize,
    req: &HttpRequest,
) -> Result<web::BytesMut, HttpResponse> {
    let too_large = || {
        edge_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &msg!("body-too-large", kilobytes = limit / 1024),
            req,
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            edge_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &msg!("body-unreadable"),
                req,
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

async fn graphql_post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" {
        return edge_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            &msg!("body-content-type"),
            &req,
        );
    }
    let body = match read_body(payload, state.body_limit, &req).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return edge_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &msg!("body-not-graphql", reason = e.to_string()),
                &req,
            );
        }
    };
    execute(&req, &state, request, false).await
}

#[derive(Deserialize)]
struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    /// `{"persistedQuery": {"version": 1, "sha256Hash": "…"}}`: a registered document by
    /// its hash.
    extensions: Option<String>,
}

async fn graphql_get(
    req: HttpRequest,
    params: web::Query<GetParams>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let GetParams {
        query,
        variables,
        operation_name,
        extensions,
    } = params.into_inner();
    let extensions: Option<std::collections::HashMap<String, async_graphql::Value>> =
        match extensions.map(|e| serde_json::from_str(&e)).transpose() {
            Ok(e) => e,
            Err(_) => {
                return edge_error(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    &msg!("get-bad-json", parameter = "extensions"),
                    &req,
                );
            }
        };
    let query = match (query, &extensions) {
        (None, Some(ext)) if ext.contains_key("persistedQuery") => Some(String::new()),
        (q, _) => q,
    };
    let Some(query) = query else {
        let wants_html = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
        if state.dev_mode && wants_html {
            return HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(
                    async_graphql::http::GraphiQLSource::build()
                        .endpoint("/graphql")
                        .finish(),
                );
        }
        return edge_error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            &msg!("get-needs-query"),
            &req,
        );
    };
    if query.len() > state.body_limit {
        return edge_error(
            StatusCode::URI_TOO_LONG,
            "PAYLOAD_TOO_LARGE",
            &msg!("get-query-too-long"),
            &req,
        );
    }
    let mut request = async_graphql::Request::new(query);
    for (k, v) in extensions.into_iter().flatten() {
        request.extensions.insert(k, v);
    }
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = variables {
        match serde_json::from_str(&vars) {
            Ok(v) => request = request.variables(async_graphql::Variables::from_json(v)),
            Err(_) => {
                return edge_error(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    &msg!("get-bad-json", parameter = "variables"),
                    &req,
                );
            }
        }
    }
    execute(&req, &state, request, true).await
}

async fn execute(
    req: &HttpRequest,
    state: &AppState,
    mut request: async_graphql::Request,
    via_get: bool,
) -> HttpResponse {
    let rid = request_id_of(req);
    let media = negotiate(req);
    let locale = locale_of(req);
    let named = match nuanxin_graphql::persisted::named_hash(&request) {
        Ok(h) => h,
        Err(e) => return crate::persisted::Refusal::from(e).response(req),
    };
    // A document sent whole is looked at before anything costs; one named by its hash alone,
    // once the allow-list has given it.
    let mut kind = None;
    if !request.query.is_empty() {
        kind = match operation_kind(state, &mut request, via_get, req) {
            Ok(k) => k,
            Err(resp) => return *resp,
        };
    }
    // Admission before anything costs: a request that cannot be served in time is told so
    // at once, and the admitted ones keep the pool to themselves.
    let Ok(Ok(_permit)) =
        tokio::time::timeout(ADMISSION_WAIT, state.admission.clone().acquire_owned()).await
    else {
        return retry_soon(msg!("service-busy"), req);
    };
    if state.store.known_down() {
        return retry_soon(msg!("service-unavailable"), req);
    }
    let principal = match authenticate(req, &state.tokens, &state.store).await {
        Ok(p) => p,
        Err(e) => return e.response(req),
    };
    // Partner apps and mini-programs have budgets (token buckets); staff do not.
    if let Err(over) = state.spend_budget(&principal) {
        return too_many(over.message, over.retry_after_secs, &rid, req);
    }
    let sent_whole = !request.query.is_empty();
    if let Err(refusal) =
        crate::persisted::admit(&mut request, named, &principal, &state.store).await
    {
        return refusal.response(req);
    }
    if !sent_whole {
        kind = match operation_kind(state, &mut request, via_get, req) {
            Ok(k) => k,
            Err(resp) => return *resp,
        };
    }
    let request = nuanxin_graphql::prepare(
        request,
        &state.store,
        state.rules,
        principal,
        RequestMeta {
            request_id: rid.clone(),
            client: req.peer_addr().map(|a| a.ip()),
            idempotency_key: req
                .headers()
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        },
    )
    // Messages are written in the reader's language (explanations here, errors below).
    .data(locale);
    // Anonymous callers get no introspection (`prepare` disabled it): they stay on the
    // ordinary schema, which answers `__schema: null`.
    // Kept for null propagation, which needs the query's own selections.
    let (query, operation_name) = (request.query.clone(), request.operation_name.clone());
    let introspects = kind == Some(OperationKind::Introspection)
        && request.introspection_mode != async_graphql::IntrospectionMode::Disabled;
    // One span per operation (the schema has no tracing extension: see `error::localise`).
    let span = tracing::info_span!(
        "graphql",
        operation = operation_name.as_deref().unwrap_or("")
    );
    let mut response = if introspects {
        state
            .introspection
            .execute(request.only_introspection())
            .instrument(span)
            .await
    } else {
        state.schema.execute(request).instrument(span).await
    };
    nuanxin_graphql::error::localise(&mut response, locale);
    nuanxin_graphql::nulls::propagate(&mut response, &query, operation_name.as_deref());
    let (status, retry_after) = finish_errors(&mut response, &rid, media);
    if status == StatusCode::SERVICE_UNAVAILABLE && retry_after.is_none() {
        state.store.mark_down();
    }
    let body = match serde_json::to_vec(&response) {
        Ok(b) => b,
        Err(_) => {
            return edge_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                &msg!("internal-error"),
                req,
            );
        }
    };
    let mut builder = HttpResponse::build(status);
    if let Some(secs) = retry_after {
        builder.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    builder.content_type(media.as_str()).body(body)
}

/// Which kind of operation a request selects, after the edge's limits; a mutation over GET
/// is refused (405).
fn operation_kind(
    state: &AppState,
    request: &mut async_graphql::Request,
    via_get: bool,
    req: &HttpRequest,
) -> Result<Option<OperationKind>, Box<HttpResponse>> {
    match state.documents.look(request) {
        Err(e) => Err(Box::new(edge_error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            &e.message(),
            req,
        ))),
        Ok(Some(OperationKind::Mutation | OperationKind::Subscription)) if via_get => {
            let mut resp = edge_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                &msg!("get-mutation"),
                req,
            );
            resp.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            Err(Box::new(resp))
        }
        Ok(kind) => Ok(kind),
    }
}

/// Gives every error a code and the request id, and picks the HTTP status (and the
/// `Retry-After` seconds, when an error says when to come back).
pub(crate) fn finish_errors(
    response: &mut Response,
    request_id: &str,
    media: MediaType,
) -> (StatusCode, Option<u64>) {
    // A request error (parse, validation) has no path; a field error nulling `data` is
    // still an executed request and keeps 200.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let mut unavailable = false;
    let mut rate_limited = false;
    let mut retry_after = None;
    for err in &mut response.errors {
        let has_code = err
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if !has_code && !err.path.is_empty() {
            // A resolver failed without saying why in our terms: an internal error. Log
            // the detail, send nothing of it.
            tracing::error!(message = %err.message, path = ?err.path, "untyped resolver error");
            err.message =
                "something went wrong on our side; quote the request id to support".into();
        }
        let ext = err
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        if !has_code {
            if err.path.is_empty() {
                // Parse and validation errors: the query itself is the bad input.
                ext.set("code", "BAD_USER_INPUT");
                if let Some(field) = field_from_message(&err.message) {
                    ext.set("field", field);
                }
            } else {
                ext.set("code", "INTERNAL");
            }
        }
        if matches!(ext.get("code"), Some(async_graphql::Value::String(c)) if c == "SERVICE_UNAVAILABLE")
        {
            unavailable = true;
        }
        if matches!(ext.get("code"), Some(async_graphql::Value::String(c)) if c == "RATE_LIMITED") {
            rate_limited = true;
        }
        if let Some(async_graphql::Value::Number(n)) = ext.get("retryAfter") {
            retry_after = n.as_u64().max(retry_after);
        }
        ext.set("requestId", request_id);
    }
    if unavailable {
        return (StatusCode::SERVICE_UNAVAILABLE, retry_after);
    }
    if rate_limited {
        return (StatusCode::TOO_MANY_REQUESTS, retry_after);
    }
    if request_error
        && media == MediaType::GraphqlResponseJson
        && !has_code(&response.errors, "UNAUTHENTICATED")
    {
        return (StatusCode::BAD_REQUEST, None);
    }
    (StatusCode::OK, None)
}

fn has_code(errors: &[ServerError], code: &str) -> bool {
    errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|v| matches!(v, async_graphql::Value::String(c) if c == code))
    })
}

/// async-graphql's validation messages name the argument or field in quotes, e.g.
/// `Invalid value for argument "input", field "members" of type … is required`.
fn field_from_message(message: &str) -> Option<String> {
    let grab = |marker: &str| {
        let start = message.rfind(marker)? + marker.len();
        let rest = &message[start..];
        let end = rest.find('"')?;
        Some(rest[..end].to_owned())
    };
    grab("field \"").or_else(|| grab("argument \""))
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match tokio::time::timeout(Duration::from_secs(3), state.store.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        _ => HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "database": "unreachable" })),
    }
}

#[cfg(test)]
mod tests {
    use super::field_from_message;

    #[test]
    fn finds_the_field_in_validation_messages() {
        assert_eq!(
            field_from_message(r#"Invalid value for argument "input", field "members" of type "RegisterFamilyInput" is required but not provided"#)
                .as_deref(),
            Some("members")
        );
        assert_eq!(
            field_from_message(r#"Invalid value for argument "id", expected type "ID""#).as_deref(),
            Some("id")
        );
        assert_eq!(field_from_message("Query is nested too deep."), None);
    }
}
