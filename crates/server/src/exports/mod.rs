//! Exports over HTTP, with the API's bearer token and policy, in the reader's language
//! (`Accept-Language`): a roster (`GET /exports/rosters/{id}.xlsx|csv`; the files are
//! [`roster_files`]'s, also written by `nuanxin roster export`), the monthly report
//! (`GET /exports/reports/{regionCode}/{month}.xlsx`, [`report_file`]), and the bank file
//! with the bank's result file ([`bank`]).

pub mod bank;
pub mod report_file;
pub mod roster_files;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use nuanxin_locale::msg;
use nuanxin_store::RequestMeta;
use serde::Deserialize;

pub use report_file::{REPORT_HEADER_ROW, report_headers, report_xlsx};
pub use roster_files::{HEADER_ROW, csv, file_name, headers, xlsx};

use crate::caller::signed_in;
use crate::replies::{edge_error, edge_error_at, locale_of, request_id_of, store_error};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ExportParams {
    /// When given, account numbers are exported unmasked for this purpose (logged).
    purpose: Option<String>,
}

/// `GET /exports/rosters/{id}.xlsx` or `.csv`, with the same bearer token as the API.
pub async fn roster_export(
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<ExportParams>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let principal = match signed_in(&req, &state).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let not_found = || {
        edge_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &nuanxin_graphql::not_found("roster"),
            &req,
        )
    };
    let file = path.into_inner();
    let Some((id, ext)) = file
        .rsplit_once('.')
        .filter(|(_, e)| matches!(*e, "xlsx" | "csv"))
    else {
        return edge_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &msg!("export-format"),
            &req,
        );
    };
    let Ok(roster_id) = nuanxin_graphql::decode_roster_id(id) else {
        return not_found();
    };
    let meta = RequestMeta {
        request_id: request_id_of(&req),
        client: req.peer_addr().map(|a| a.ip()),
        idempotency_key: None,
    };
    let purpose = params.purpose.as_deref().filter(|p| !p.trim().is_empty());
    let (roster, rows) = match state
        .store
        .roster_export(&principal, roster_id, purpose, &meta)
        .await
    {
        Ok(x) => x,
        Err(e) => return store_error(e, &req),
    };
    let locale = locale_of(&req);
    let failed = |e: &dyn std::fmt::Display| {
        tracing::error!(%e, "roster export failed");
        edge_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            &msg!("internal-error"),
            &req,
        )
    };
    let (body, content_type) = if ext == "xlsx" {
        let heading = match state.store.roster_heading(&roster).await {
            Ok(h) => h,
            Err(e) => return store_error(e, &req),
        };
        match xlsx(&roster, &heading, &rows, locale) {
            Ok(b) => (b, XLSX),
            Err(e) => return failed(&e),
        }
    } else {
        (csv(&roster, &rows, locale), "text/csv; charset=utf-8")
    };
    download(body, content_type, &file_name(&roster, ext))
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to save, never kept by a cache (exports carry personal data).
pub fn download(body: Vec<u8>, content_type: &str, file_name: &str) -> HttpResponse {
    let mut resp = HttpResponse::Ok().content_type(content_type).body(body);
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `GET /exports/reports/{regionCode}/{month}.xlsx`: the monthly report as a spreadsheet.
pub async fn report_export(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let principal = match signed_in(&req, &state).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let (region, file) = path.into_inner();
    let bad = |field: &str, message: nuanxin_locale::Message| {
        edge_error_at(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some(field),
            &message,
            &req,
        )
    };
    let Some(month) = file.strip_suffix(".xlsx") else {
        return edge_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &msg!("export-format"),
            &req,
        );
    };
    let region = match nuanxin_domain::RegionCode::parse(&region) {
        Ok(r) => r,
        Err(e) => return bad("regionCode", e.into()),
    };
    let month = match month.parse::<nuanxin_domain::month::YearMonth>() {
        Ok(m) => m,
        Err(e) => return bad("month", e.into()),
    };
    let report = match state.store.monthly_report(&principal, &region, month).await {
        Ok(r) => r,
        Err(e) => return store_error(e, &req),
    };
    match report_xlsx(&report, locale_of(&req)) {
        Ok(body) => download(body, XLSX, &report_file::report_file_name(&report)),
        Err(e) => {
            tracing::error!(%e, "report export failed");
            edge_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                &msg!("internal-error"),
                &req,
            )
        }
    }
}
