//! Bulk import of families over HTTP (批量导入):
//! - `GET /imports/families/template.xlsx` (or `.csv`): the columns, with one example family;
//! - `POST /imports/families?dryRun=true|false` with the county's XLSX or CSV as the body
//!   (CSV in UTF-8 or, as older Excel saves it, GBK): answers 202 with the import's job
//!   id at once; the job checks every row and, unless it is a dry run and when nothing is
//!   wrong, writes every family in one transaction. `familyImport(id)` reports progress,
//!   the outcome and each problem by row and column.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use calamine::{Data, Reader, Xlsx};
use futures_util::StreamExt;
use nuanxin_domain::registry::id_number::IdNumber;
use nuanxin_domain::registry::import::{ImportColumn, parse_import};
use nuanxin_graphql::jobs;
use nuanxin_locale::{Locale, Message, msg};
use nuanxin_store::RequestMeta;
use serde::Deserialize;
use serde_json::json;

use crate::caller::signed_in;
use crate::replies::{edge_error, edge_error_at, locale_of, request_id_of, store_error};
use crate::state::AppState;

/// The largest file accepted (a county's 50,000 rows are a few MB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportParams {
    dry_run: Option<bool>,
}

/// An uploaded file, read with a cap: refused after at most [`MAX_FILE_BYTES`], whatever
/// its Content-Length says (BAD_USER_INPUT on `file`).
pub async fn read_file(
    body: &mut web::Payload,
    req: &HttpRequest,
) -> Result<Vec<u8>, Box<HttpResponse>> {
    let refuse = |status: StatusCode, m: Message| {
        Box::new(edge_error_at(
            status,
            "BAD_USER_INPUT",
            Some("file"),
            &m,
            req,
        ))
    };
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                msg!("attachment-upload-broke-off"),
            ));
        };
        if bytes.len() + chunk.len() > MAX_FILE_BYTES {
            return Err(refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                msg!("body-too-large", kilobytes = MAX_FILE_BYTES / 1024),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The rows of an XLSX (its first sheet) or a CSV file, every cell as text.
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, Message> {
    if bytes.starts_with(b"PK\x03\x04") {
        let mut book =
            Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| msg!("import-not-a-spreadsheet"))?;
        let range = book
            .worksheet_range_at(0)
            .ok_or_else(|| msg!("import-not-a-spreadsheet"))?
            .map_err(|_| msg!("import-not-a-spreadsheet"))?;
        return Ok(range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect());
    }
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.map(|rec| rec.iter().map(str::to_owned).collect())
                .map_err(|_| msg!("import-not-a-spreadsheet"))
        })
        .collect()
}

/// UTF-8 (a BOM dropped), or GBK as older Excel writes Chinese CSV.
fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GBK.decode(bytes).0.into_owned(),
    }
}

/// A cell as a clerk sees it: dates as 2015-03-08, whole numbers without ".0".
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| t.date().to_string())
            .unwrap_or_else(|| d.to_string()),
        other => other.to_string(),
    }
}

/// `POST /imports/families?dryRun=…`: the file is the body.
pub async fn upload(
    req: HttpRequest,
    params: web::Query<ImportParams>,
    mut body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let principal = match signed_in(&req, &state).await {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let bytes = match read_file(&mut body, &req).await {
        Ok(b) => b,
        Err(resp) => return *resp,
    };
    let rows = match read_rows(&bytes) {
        Ok(r) => r,
        Err(m) => {
            return edge_error_at(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                Some("file"),
                &m,
                &req,
            );
        }
    };
    let dry_run = params.dry_run.unwrap_or(false);
    let job_id = match state.store.start_family_import(&principal, dry_run).await {
        Ok(id) => id,
        Err(e) => return store_error(e, &req),
    };
    let store = state.store.clone();
    let meta = RequestMeta {
        request_id: request_id_of(&req),
        client: req.peer_addr().map(|a| a.ip()),
        idempotency_key: None,
    };
    let city = store.city().clone();
    let today = store.today();
    state.jobs.spawn(job_id, async move {
        // Reading 50,000 rows is a moment of CPU: off the request threads.
        let parsed =
            match tokio::task::spawn_blocking(move || parse_import(&rows, &city, today)).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(%e, job = %job_id, "import parse failed");
                    let _ = store
                        .finish_job(job_id, Err(msg!("job-failed-internal")))
                        .await;
                    return;
                }
            };
        let report = jobs::progress_reporter(store.clone(), job_id);
        let outcome = store
            .run_family_import(&principal, job_id, parsed, &meta, &report)
            .await
            .map(|_| None)
            .map_err(|e| jobs::failure(job_id, e));
        jobs::finish(&store, job_id, outcome).await;
    });
    HttpResponse::Accepted().json(json!({
        "jobId": nuanxin_graphql::encode_job_id(job_id),
        "dryRun": dry_run,
    }))
}

/// `GET /imports/families/template.xlsx` or `.csv`, in the reader's language.
pub async fn template(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let locale = locale_of(&req);
    let (body, content_type) = match path.as_str() {
        "template.xlsx" => match template_xlsx(locale) {
            Ok(b) => (b, crate::exports::XLSX),
            Err(e) => {
                tracing::error!(%e, "template failed");
                return edge_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    &msg!("internal-error"),
                    &req,
                );
            }
        },
        "template.csv" => (template_csv(locale).into_bytes(), "text/csv; charset=utf-8"),
        _ => {
            return edge_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                &msg!("export-format"),
                &req,
            );
        }
    };
    crate::exports::download(body, content_type, &format!("families-{}", path.as_str()))
}

/// An example family of two (a made-up, valid ID number for each).
fn example_rows(locale: Locale) -> Vec<Vec<String>> {
    let father = Message::term("member-role", "father").render(locale);
    let mother = Message::term("member-role", "mother").render(locale);
    let row = |role: &str, name: &str, id: &str, phone: &str| {
        ImportColumn::ALL
            .map(|c| match c {
                ImportColumn::Household => "1".to_owned(),
                ImportColumn::Region | ImportColumn::HukouRegion => "411002001001".to_owned(),
                ImportColumn::CertificateNo => "豫许0012345".to_owned(),
                ImportColumn::CertificateDate => "1989-01-15".to_owned(),
                ImportColumn::ChildDeathDate => "2015-03-08".to_owned(),
                ImportColumn::Role => role.to_owned(),
                ImportColumn::Name => name.to_owned(),
                ImportColumn::IdNumber => id.to_owned(),
                ImportColumn::Phone => phone.to_owned(),
                ImportColumn::Address => "河南省许昌市魏都区东大街12号".to_owned(),
                ImportColumn::LaterChildDate | ImportColumn::DeceasedOn => String::new(),
            })
            .to_vec()
    };
    let id = |born: (i32, u32, u32), sequence: u16| {
        chrono::NaiveDate::from_ymd_opt(born.0, born.1, born.2)
            .and_then(|d| IdNumber::compose("411002", d, sequence).ok())
            .map(|i| i.expose().to_owned())
            .unwrap_or_default()
    };
    vec![
        ImportColumn::ALL.map(|c| c.word().render(locale)).to_vec(),
        row(&father, "王建国", &id((1960, 1, 1), 1), "13800001234"),
        row(&mother, "李秀英", &id((1962, 1, 1), 2), ""),
    ]
}

fn template_csv(locale: Locale) -> String {
    let mut out = String::from("\u{feff}");
    for r in example_rows(locale) {
        out.push_str(&r.join(","));
        out.push_str("\r\n");
    }
    out
}

fn template_xlsx(locale: Locale) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    let sheet = workbook.add_worksheet();
    for (r, row) in (0u32..).zip(example_rows(locale)) {
        for (c, value) in (0u16..).zip(row) {
            if r == 0 {
                sheet.write_string_with_format(r, c, value, &bold)?;
            } else {
                // As text: an ID number typed as a number loses its last digits.
                sheet.write_string_with_format(r, c, value, &text)?;
            }
        }
    }
    for c in 0..ImportColumn::ALL.len() as u16 {
        sheet.set_column_format(c, &text)?;
        sheet.set_column_width(c, 16.0)?;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gbk_csv_reads_as_its_chinese_text() {
        let (gbk, _, _) = encoding_rs::GBK.encode("户号,姓名\r\n1,李秀英\r\n");
        let rows = read_rows(&gbk).expect("rows");
        assert_eq!(rows[1], vec!["1".to_owned(), "李秀英".to_owned()]);
        let utf8 = read_rows("\u{feff}户号,姓名\n2,\"王, 建国\"\n".as_bytes()).expect("rows");
        assert_eq!(utf8[0][0], "户号");
        assert_eq!(utf8[1][1], "王, 建国");
    }

    #[test]
    fn the_templates_example_passes_its_own_checks() {
        use nuanxin_domain::RegionCode;
        let city = RegionCode::parse("411000").expect("city");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        for locale in Locale::ALL {
            let parsed = parse_import(&example_rows(locale), &city, today);
            assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
            assert_eq!(parsed.families.len(), 1);
            let csv = read_rows(template_csv(locale).as_bytes()).expect("csv");
            assert!(parse_import(&csv, &city, today).problems.is_empty());
            let xlsx = read_rows(&template_xlsx(locale).expect("xlsx")).expect("xlsx rows");
            assert!(
                parse_import(&xlsx, &city, today).problems.is_empty(),
                "{xlsx:?}"
            );
        }
    }
}
