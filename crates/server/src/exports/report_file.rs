//! The monthly report (定期报告) as a spreadsheet: one row per county and a 合计 row, the same
//! figures as `monthlyReport`, every word from the message files in the reader's language.

use nuanxin_domain::FamilyStatus;
use nuanxin_domain::allowances::AllowanceKind;
use nuanxin_domain::care::catalogue::CareCategory;
use nuanxin_domain::reports::MonthlyFigures;
use nuanxin_locale::{Locale, Message, msg};
use nuanxin_store::MonthlyReport;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

/// The header row of the table (the title is row 0).
pub const REPORT_HEADER_ROW: u32 = 1;

/// The column headers, in order: region, families, each status, files opened / closed /
/// moved out, each kind's lines and amount, the roster's status, each care category, care
/// in all.
pub fn report_headers(locale: Locale) -> Vec<String> {
    let mut h: Vec<Message> = vec![msg!("report-col-region"), msg!("report-col-families")];
    h.extend(FamilyStatus::ALL.map(FamilyStatus::word));
    h.extend([
        msg!("report-col-new-files"),
        msg!("report-col-closed-files"),
        msg!("report-col-moved-out"),
    ]);
    for k in AllowanceKind::ALL {
        h.push(msg!("report-col-kind-lines", kind = k.word()));
        h.push(msg!("report-col-kind-amount", kind = k.word()));
    }
    h.push(msg!("report-col-roster-status"));
    h.extend(
        CareCategory::ALL
            .into_iter()
            .map(|c| Message::term("care-category", c.as_str())),
    );
    h.push(msg!("report-col-care-total"));
    h.into_iter().map(|m| m.render(locale)).collect()
}

enum Cell {
    Text(String),
    Count(i64),
    Yuan(i64),
}

fn row(name: &str, f: &MonthlyFigures, roster: Option<String>) -> Vec<Cell> {
    let mut r = vec![Cell::Text(name.to_owned()), Cell::Count(f.families())];
    r.extend(
        FamilyStatus::ALL
            .iter()
            .map(|s| Cell::Count(f.families_by_status.get(s).copied().unwrap_or(0))),
    );
    r.extend([
        Cell::Count(f.new_files),
        Cell::Count(f.closed_files),
        Cell::Count(f.moved_out),
    ]);
    for k in AllowanceKind::ALL {
        let t = f.allowances.get(&k).copied().unwrap_or_default();
        r.push(Cell::Count(t.line_count));
        r.push(Cell::Yuan(t.total_fen));
    }
    r.push(Cell::Text(roster.unwrap_or_default()));
    r.extend(
        CareCategory::ALL
            .iter()
            .map(|c| Cell::Count(f.care.get(c).copied().unwrap_or(0))),
    );
    r.push(Cell::Count(f.care_total()));
    r
}

pub fn report_file_name(report: &MonthlyReport) -> String {
    format!("report-{}-{}.xlsx", report.region, report.month)
}

/// The report: a title (region, month), the header row, a row per county, the 合计 row;
/// A4 landscape, one page wide.
pub fn report_xlsx(report: &MonthlyReport, locale: Locale) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let money = Format::new().set_num_format("0.00");
    let money_bold = Format::new().set_num_format("0.00").set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(msg!("report-sheet-name").render(locale))?;
    let headers = report_headers(locale);
    let last_col = u16::try_from(headers.len().saturating_sub(1)).unwrap_or(0);
    sheet.merge_range(
        0,
        0,
        0,
        last_col,
        &msg!(
            "report-title",
            region = report.region_name.as_str(),
            month = report.month
        )
        .render(locale),
        &title,
    )?;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(REPORT_HEADER_ROW, c as u16, h, &bold)?;
    }
    let mut rows: Vec<(Vec<Cell>, bool)> = report
        .counties
        .iter()
        .map(|c| {
            let status = c
                .roster_status
                .map_or_else(|| msg!("report-no-roster"), |s| s.word())
                .render(locale);
            (row(&c.name, &c.figures, Some(status)), false)
        })
        .collect();
    rows.push((
        row(&msg!("export-total").render(locale), &report.total, None),
        true,
    ));
    for (r, (cells, total)) in (REPORT_HEADER_ROW + 1..).zip(rows) {
        for (c, cell) in cells.iter().enumerate() {
            let c = c as u16;
            match (cell, total) {
                (Cell::Text(t), false) => sheet.write_string(r, c, t)?,
                (Cell::Text(t), true) => sheet.write_string_with_format(r, c, t, &bold)?,
                (Cell::Count(n), false) => sheet.write_number(r, c, *n as f64)?,
                (Cell::Count(n), true) => sheet.write_number_with_format(r, c, *n as f64, &bold)?,
                (Cell::Yuan(f), false) => {
                    sheet.write_number_with_format(r, c, *f as f64 / 100.0, &money)?
                }
                (Cell::Yuan(f), true) => {
                    sheet.write_number_with_format(r, c, *f as f64 / 100.0, &money_bold)?
                }
            };
        }
    }
    sheet.set_column_width(0, 16.0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    workbook.save_to_buffer()
}
