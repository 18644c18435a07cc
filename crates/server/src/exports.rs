//! Roster exports: XLSX (printable: title, township subtotals, totals, signature block)
//! and CSV (UTF-8 with BOM, so Excel opens the Chinese text correctly), served by
//! `GET /exports/rosters/{id}.xlsx|csv` and written by `nuanxin roster export`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use chrono::Datelike;
use nuanxin_domain::allowances::yuan;
use nuanxin_domain::rosters::LineType;
use nuanxin_store::{
    ExportRow, RequestMeta, RosterHeading, RosterRecord, StoreError, period_label,
};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use serde::Deserialize;
use serde_json::json;

use crate::caller::{EdgeAuthError, authenticate};
use crate::state::{AppState, RequestId};

pub const HEADERS: [&str; 14] = [
    "序号",
    "乡镇(街道)",
    "姓名",
    "身份证号",
    "类别",
    "月份",
    "金额(元)",
    "类型",
    "次数",
    "开户行",
    "账号",
    "结果",
    "退回原因",
    "说明",
];

fn line_label(row: &ExportRow, roster: &RosterRecord) -> &'static str {
    match row.line.line_type {
        LineType::Clawback => "追回",
        LineType::Regular if row.line.attempt > 1 => "重发",
        LineType::Regular if row.line.month < roster.period.start => "补发",
        LineType::Regular => "发放",
    }
}

fn outcome_label(row: &ExportRow) -> &str {
    match row.line.outcome.as_ref().map(|(o, _)| o.as_str()) {
        Some("returned") => "退回",
        Some("failed") => "失败",
        Some("paid") => "已发放",
        _ => "",
    }
}

fn cells(i: usize, row: &ExportRow, roster: &RosterRecord) -> [String; 14] {
    [
        (i + 1).to_string(),
        row.township_name.clone(),
        row.member_name.clone(),
        row.id_number_masked.clone(),
        row.line.kind.chinese().to_owned(),
        row.line.month.to_string(),
        format!("{:.2}", row.line.amount_fen as f64 / 100.0),
        line_label(row, roster).to_owned(),
        row.line.attempt.to_string(),
        row.bank_name.clone(),
        row.account.clone(),
        outcome_label(row).to_owned(),
        row.line
            .outcome
            .as_ref()
            .map(|(_, reason)| reason.clone())
            .unwrap_or_default(),
        row.line.explanation.clone(),
    ]
}

pub fn file_name(roster: &RosterRecord, ext: &str) -> String {
    format!(
        "roster-{}-{}.{ext}",
        roster.county,
        period_label(roster.period).replace("..", "_")
    )
}

/// A period as people write it: 2026年11月, or 2026年1月至2026年3月.
fn period_words(roster: &RosterRecord) -> String {
    let (start, end) = (roster.period.start, roster.period.end);
    if start == end {
        start.chinese()
    } else {
        format!("{}至{}", start.chinese(), end.chinese())
    }
}

/// The printable roster: a title (county, period, status), the header row (repeated on
/// every printed page), the lines with a subtotal (小计) after each township, the total
/// (合计), and the 制表 / 审核 / 审批 block with names and dates; A4 landscape, one page wide.
pub fn xlsx(
    roster: &RosterRecord,
    heading: &RosterHeading,
    rows: &[ExportRow],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let money = Format::new().set_num_format("0.00");
    let money_bold = Format::new().set_num_format("0.00").set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("发放花名册")?;
    let last_col = (HEADERS.len() - 1) as u16;
    sheet.merge_range(
        0,
        0,
        0,
        last_col,
        &format!(
            "{} {} 计划生育特殊家庭扶助金发放花名册 ({})",
            heading.county_name,
            period_words(roster),
            roster.status.chinese()
        ),
        &title,
    )?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, *h, &bold)?;
    }
    let mut r = HEADER_ROW + 1;
    let mut township_start = 0;
    for (i, row) in rows.iter().enumerate() {
        for (c, value) in cells(i, row, roster).iter().enumerate() {
            if c == 6 {
                sheet.write_number_with_format(r, 6, row.line.amount_fen as f64 / 100.0, &money)?;
            } else if c == 0 || c == 8 {
                sheet.write_number(r, c as u16, value.parse::<f64>().unwrap_or_default())?;
            } else if TEXT_COLUMNS.contains(&c) {
                sheet.write_string(r, c as u16, neutralise(value))?;
            } else {
                sheet.write_string(r, c as u16, value)?;
            }
        }
        r += 1;
        let township_ends = rows
            .get(i + 1)
            .is_none_or(|next| next.line.township != row.line.township);
        if township_ends {
            let group = &rows[township_start..=i];
            let sum: i64 = group.iter().map(|g| g.line.amount_fen).sum();
            sheet.write_string_with_format(r, 0, "小计", &bold)?;
            sheet.write_string_with_format(r, 1, neutralise(&row.township_name), &bold)?;
            sheet.write_string_with_format(r, 2, format!("{} 行", group.len()), &bold)?;
            sheet.write_number_with_format(r, 6, sum as f64 / 100.0, &money_bold)?;
            r += 1;
            township_start = i + 1;
        }
    }
    let total: i64 = rows.iter().map(|r| r.line.amount_fen).sum();
    sheet.write_string_with_format(r, 0, "合计", &bold)?;
    sheet.write_string_with_format(r, 2, format!("{} 行", rows.len()), &bold)?;
    sheet.write_number_with_format(r, 6, total as f64 / 100.0, &money_bold)?;
    r += 2;
    for (c, (label, signed)) in [
        ("制表人", &heading.prepared),
        ("审核人", &heading.checked),
        ("审批人", &heading.approved),
    ]
    .into_iter()
    .enumerate()
    {
        let col = (c * 4) as u16;
        let (name, date) = match signed {
            Some((name, date)) => (
                neutralise(name),
                format!("{}年{}月{}日", date.year(), date.month(), date.day()),
            ),
            None => (String::new(), "    年  月  日".to_owned()),
        };
        sheet.write_string_with_format(r, col, format!("{label}: {name}"), &bold)?;
        sheet.write_string(r, col + 2, format!("日期: {date}"))?;
    }
    for (c, w) in [
        (1u16, 22.0),
        (2, 10.0),
        (3, 20.0),
        (4, 14.0),
        (5, 9.0),
        (9, 16.0),
        (10, 22.0),
        (12, 24.0),
        (13, 60.0),
    ] {
        sheet.set_column_width(c, w)?;
    }
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    sheet.set_print_fit_to_pages(1, 0);
    workbook.save_to_buffer()
}

/// The printed roster's header row (the title is row 0).
pub const HEADER_ROW: u32 = 1;

/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (CSV
/// injection): a text cell that does is written with a leading apostrophe. Numbers are not
/// text cells and keep their sign.
fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// The text columns of [`cells`] (township, name, bank, outcome, the bank's reason,
/// explanation).
const TEXT_COLUMNS: [usize; 6] = [1, 2, 9, 11, 12, 13];

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub fn csv(roster: &RosterRecord, rows: &[ExportRow]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADERS.join(","));
    out.push_str("\r\n");
    for (i, row) in rows.iter().enumerate() {
        let line: Vec<String> = cells(i, row, roster)
            .iter()
            .enumerate()
            .map(|(col, c)| {
                if TEXT_COLUMNS.contains(&col) {
                    csv_field(&neutralise(c))
                } else {
                    csv_field(c)
                }
            })
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    let total: i64 = rows.iter().map(|r| r.line.amount_fen).sum();
    out.push_str(&format!(
        "合计,,{} 行,,,,{},,,,,,,\r\n",
        rows.len(),
        yuan_2(total)
    ));
    out.into_bytes()
}

fn yuan_2(fen: i64) -> String {
    let s = yuan(fen);
    if s.contains('.') {
        s
    } else {
        format!("{s}.00")
    }
}

#[derive(Deserialize)]
pub struct ExportParams {
    /// When given, account numbers are exported unmasked for this purpose (logged).
    purpose: Option<String>,
}

fn error(status: StatusCode, code: &str, message: &str, rid: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{ "message": message, "extensions": { "code": code, "requestId": rid } }]
    }))
}

/// `GET /exports/rosters/{id}.xlsx` or `.csv`, with the same bearer token as the API.
pub async fn roster_export(
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<ExportParams>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let rid = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let principal = match authenticate(&req, &state.tokens, &state.store).await {
        Ok(p) if p.is_authenticated() => p,
        Err(e @ EdgeAuthError::Unavailable) => return e.response(&rid),
        _ => {
            return error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "log in first: send a valid access token",
                &rid,
            );
        }
    };
    let file = path.into_inner();
    let Some((id, ext)) = file
        .rsplit_once('.')
        .filter(|(_, e)| matches!(*e, "xlsx" | "csv"))
    else {
        return error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "exports are .xlsx or .csv",
            &rid,
        );
    };
    let Ok(roster_id) = nuanxin_graphql::decode_roster_id(id) else {
        return error(StatusCode::NOT_FOUND, "NOT_FOUND", "roster not found", &rid);
    };
    let meta = RequestMeta {
        request_id: rid.clone(),
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
        Err(StoreError::NotFound { .. }) => {
            return error(StatusCode::NOT_FOUND, "NOT_FOUND", "roster not found", &rid);
        }
        Err(StoreError::Forbidden { message }) => {
            return error(StatusCode::FORBIDDEN, "FORBIDDEN", &message, &rid);
        }
        Err(StoreError::BadInput { message, .. }) => {
            return error(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", &message, &rid);
        }
        Err(StoreError::Conflict { message, .. }) => {
            return error(StatusCode::CONFLICT, "CONFLICT", &message, &rid);
        }
        Err(StoreError::Unavailable) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "the registry is temporarily unavailable",
                &rid,
            );
        }
        Err(e) => {
            tracing::error!(%e, "roster export failed");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "the export failed; quote the request id",
                &rid,
            );
        }
    };
    let heading = match ext {
        "xlsx" => match state.store.roster_heading(&roster).await {
            Ok(h) => Some(h),
            Err(e) => {
                tracing::error!(%e, "roster heading failed");
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "the registry is temporarily unavailable",
                    &rid,
                );
            }
        },
        _ => None,
    };
    let (body, content_type) = match heading {
        Some(heading) => match xlsx(&roster, &heading, &rows) {
            Ok(b) => (
                b,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            Err(e) => {
                tracing::error!(%e, "xlsx export failed");
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "the export failed; quote the request id",
                    &rid,
                );
            }
        },
        None => (csv(&roster, &rows), "text/csv; charset=utf-8"),
    };
    let disposition = format!("attachment; filename=\"{}\"", file_name(&roster, ext));
    let mut resp = HttpResponse::Ok().content_type(content_type).body(body);
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-1+2"), "'-1+2");
        assert_eq!(neutralise("许昌农商银行"), "许昌农商银行");
    }
}
