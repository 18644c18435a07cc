//! The bank file over HTTP, for a city admin once the roster is approved:
//! - `GET /exports/rosters/{id}/bank-file?template=…&purpose=…`: the file in the bank's
//!   layout (`generic_csv`, `rcb_fixed_gbk`, `bank_xlsx`), with its control totals and
//!   SHA-256 in `X-Control-Count`, `X-Control-Total-Fen` and `X-Checksum-Sha256`, and
//!   recorded with the roster (`Roster.bankFiles`); each account read is logged.
//! - `POST /exports/rosters/{id}/bank-result` with the bank's result file (XLSX or CSV:
//!   业务编号, 结果 成功/退回/失败, 原因): reconciles the paid roster line by line.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use nuanxin_domain::rosters::bank_file::{
    self, BankTemplate, Encoding, Format, Transfer, control_totals,
};
use nuanxin_locale::{Locale, msg};
use nuanxin_store::{BankResult, RequestMeta};
use serde::Deserialize;
use serde_json::json;
use sha2::Digest;

use crate::caller::signed_in;
use crate::replies::{edge_error, edge_error_at, request_id_of, store_error};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct BankFileParams {
    template: Option<String>,
    purpose: Option<String>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file's bytes in the template's format and encoding.
pub fn render(
    template: &BankTemplate,
    transfers: &[Transfer],
    month: nuanxin_domain::month::YearMonth,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let remark = msg!("bank-file-remark", month = month).render(Locale::Zh);
    let digits = format!("{}{:02}", month.year(), month.month());
    match template.format {
        Format::Xlsx => {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet();
            for (c, column) in (0u16..).zip(template.columns) {
                sheet.write_string(0, c, column.header)?;
            }
            for (r, (n, t)) in (1u32..).zip(transfers.iter().enumerate()) {
                for (c, column) in (0u16..).zip(template.columns) {
                    let v = bank_file::value(column.field, n, t, &remark);
                    sheet.write_string(r, c, v)?;
                }
            }
            workbook.save_to_buffer()
        }
        Format::Csv | Format::FixedWidth => {
            let text = bank_file::render_text(template, transfers, &digits, &remark);
            Ok(match template.encoding {
                Encoding::Utf8 => text.into_bytes(),
                Encoding::Gbk => encoding_rs::GBK.encode(&text).0.into_owned(),
            })
        }
    }
}

fn roster_id(req: &HttpRequest, id: &str) -> Result<uuid::Uuid, Box<HttpResponse>> {
    nuanxin_graphql::decode_roster_id(id).map_err(|_| {
        Box::new(edge_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &nuanxin_graphql::not_found("roster"),
            req,
        ))
    })
}

/// `GET /exports/rosters/{id}/bank-file`.
pub async fn bank_file(
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<BankFileParams>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let principal = match signed_in(&req, &state).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let id = match roster_id(&req, &path) {
        Ok(id) => id,
        Err(resp) => return *resp,
    };
    let code = params.template.as_deref().unwrap_or("generic_csv");
    let Some(template) = bank_file::template(code) else {
        let known = bank_file::TEMPLATES
            .iter()
            .map(|t| t.code)
            .collect::<Vec<_>>()
            .join(", ");
        return edge_error_at(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("template"),
            &msg!("bank-file-template", known = known),
            &req,
        );
    };
    let Some(purpose) = params
        .purpose
        .as_deref()
        .filter(|p| p.trim().chars().count() >= 4)
    else {
        return edge_error_at(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("purpose"),
            &msg!("unmask-purpose-needed"),
            &req,
        );
    };
    let meta = RequestMeta {
        request_id: request_id_of(&req),
        client: req.peer_addr().map(|a| a.ip()),
        idempotency_key: None,
    };
    let (roster, transfers) = match state
        .store
        .bank_transfers(&principal, id, purpose, &meta)
        .await
    {
        Ok(x) => x,
        Err(e) => return store_error(e, &req),
    };
    let body = match render(template, &transfers, roster.period.start) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(%e, "bank file failed");
            return edge_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                &msg!("internal-error"),
                &req,
            );
        }
    };
    let sha = sha256_hex(&body);
    if let Err(e) = state
        .store
        .record_bank_file(&principal, id, template.code, &transfers, &sha)
        .await
    {
        return store_error(e, &req);
    }
    let (count, total) = control_totals(&transfers);
    let (content_type, ext) = match (template.format, template.encoding) {
        (Format::Xlsx, _) => (super::XLSX, "xlsx"),
        (Format::Csv, Encoding::Gbk) => ("text/csv; charset=gbk", "csv"),
        (Format::Csv, Encoding::Utf8) => ("text/csv; charset=utf-8", "csv"),
        (Format::FixedWidth, Encoding::Gbk) => ("text/plain; charset=gbk", "txt"),
        (Format::FixedWidth, Encoding::Utf8) => ("text/plain; charset=utf-8", "txt"),
    };
    let name = format!("bank-{}-{}.{ext}", roster.county, roster.period.start);
    let mut resp = super::download(body, content_type, &name);
    let h = resp.headers_mut();
    for (name, value) in [
        ("x-control-count", count.to_string()),
        ("x-control-total-fen", total.to_string()),
        ("x-checksum-sha256", sha),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(header::HeaderName::from_static(name), v);
        }
    }
    resp
}

/// `POST /exports/rosters/{id}/bank-result`: the bank's answer, as it sent it.
pub async fn bank_result(
    req: HttpRequest,
    path: web::Path<String>,
    mut body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let principal = match signed_in(&req, &state).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let id = match roster_id(&req, &path) {
        Ok(id) => id,
        Err(resp) => return *resp,
    };
    let bad = |m: nuanxin_locale::Message| {
        edge_error_at(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("file"),
            &m,
            &req,
        )
    };
    let bytes = match crate::imports::read_file(&mut body, &req).await {
        Ok(b) => b,
        Err(resp) => return *resp,
    };
    let rows = match crate::imports::read_rows(&bytes) {
        Ok(r) => r,
        Err(m) => return bad(m),
    };
    let Some((header, data)) = rows.split_first() else {
        return bad(msg!("bank-result-columns"));
    };
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let (Some(reference), Some(result)) =
        (find(&["业务编号", "reference"]), find(&["结果", "result"]))
    else {
        return bad(msg!("bank-result-columns"));
    };
    let reason = find(&["原因", "退回原因", "reason"]);
    let mut results = Vec::with_capacity(data.len());
    for (i, row) in data.iter().enumerate() {
        let cell = |c: usize| row.get(c).map(|s| s.trim().to_owned()).unwrap_or_default();
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let found = cell(result);
        let outcome = match found.as_str() {
            "成功" | "success" | "paid" => "paid",
            "退回" | "returned" => "returned",
            "失败" | "failed" => "failed",
            _ => {
                return bad(msg!(
                    "bank-result-outcome",
                    row = i + 2,
                    found = found.as_str()
                ));
            }
        };
        results.push(BankResult {
            row: i + 2,
            reference: cell(reference),
            outcome: outcome.to_owned(),
            reason: reason.map(cell).unwrap_or_default(),
        });
    }
    match state
        .store
        .reconcile_from_bank_result(&principal, id, &results)
        .await
    {
        Ok(r) => HttpResponse::Ok().json(json!({
            "status": r.status.as_str().to_ascii_uppercase(),
            "notPaid": results.iter().filter(|r| r.outcome != "paid").count(),
        })),
        Err(e) => store_error(e, &req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};
    use nuanxin_domain::rosters::bank_file::{PayableLine, transfers};

    #[test]
    fn the_xlsx_layout_reads_back_with_its_columns_and_amounts() {
        let lines = [PayableLine {
            line_id: uuid::Uuid::from_u128(1),
            member_id: uuid::Uuid::from_u128(2),
            name: "李秀英".into(),
            account: "6221000033334444".into(),
            bank_name: "许昌农商银行".into(),
            amount_fen: 68_000,
        }];
        let t = transfers(uuid::Uuid::nil(), &lines);
        let template = bank_file::template("bank_xlsx").expect("template");
        let month: nuanxin_domain::month::YearMonth = "2026-11".parse().expect("month");
        let bytes = render(template, &t, month).expect("xlsx");
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
        let range = book.worksheet_range_at(0).expect("sheet").expect("range");
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(
            rows[0],
            ["序号", "业务编号", "户名", "账号", "金额(元)", "附言"]
        );
        assert_eq!(rows[1][2], "李秀英");
        assert_eq!(rows[1][3], "6221000033334444");
        assert_eq!(rows[1][4], "680.00");
        assert_eq!(rows[1][5], "2026年11月扶助金");
        // GBK for the fixed-width layout, UTF-8 for the generic CSV.
        let fixed =
            render(bank_file::template("rcb_fixed_gbk").expect("t"), &t, month).expect("gbk");
        assert_eq!(encoding_rs::GBK.decode(&fixed).0.lines().count(), 3);
        assert_eq!(sha256_hex(b"").len(), 64);
    }
}
