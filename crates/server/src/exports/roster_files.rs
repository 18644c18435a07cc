//! The roster as files: XLSX (printable: title, township subtotals, totals, signature
//! block) and CSV (UTF-8 with BOM, so Excel opens the Chinese text correctly). Every word
//! in them comes from the message files, in the reader's language (Chinese by default).

use nuanxin_domain::rosters::LineType;
use nuanxin_domain::text::csv_field;
use nuanxin_locale::{Locale, Message, msg, yuan_cents};
use nuanxin_store::{ExportRow, RosterHeading, RosterRecord, period_label};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

/// The columns, by message key (序号, 乡镇(街道), 姓名 …).
const COLUMNS: [&str; 14] = [
    "export-col-number",
    "export-col-township",
    "export-col-name",
    "export-col-id-number",
    "export-col-kind",
    "export-col-month",
    "export-col-amount",
    "export-col-line-type",
    "export-col-attempt",
    "export-col-bank",
    "export-col-account",
    "export-col-outcome",
    "export-col-reason",
    "export-col-explanation",
];

/// The header row in `locale`.
pub fn headers(locale: Locale) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|k| Message::new(*k).render(locale))
        .collect()
}

fn line_label(row: &ExportRow, roster: &RosterRecord) -> Message {
    match row.line.line_type {
        LineType::Clawback => msg!("line-type-clawback"),
        LineType::Adjustment if row.line.amount_fen < 0 => msg!("line-type-reduction"),
        LineType::Adjustment => msg!("line-type-topup"),
        LineType::Regular if row.line.attempt > 1 => msg!("line-type-repaid"),
        LineType::Regular if row.line.month < roster.period.start => msg!("line-type-arrears"),
        LineType::Regular => msg!("line-type-regular"),
    }
}

fn outcome_label(row: &ExportRow, locale: Locale) -> String {
    match row.line.outcome.as_ref().map(|(o, _)| o.as_str()) {
        Some(o @ ("returned" | "failed" | "paid")) => {
            Message::term("line-outcome", o).render(locale)
        }
        _ => String::new(),
    }
}

fn cells(i: usize, row: &ExportRow, roster: &RosterRecord, locale: Locale) -> [String; 14] {
    [
        (i + 1).to_string(),
        row.township_name.clone(),
        row.member_name.clone(),
        row.id_number_masked.clone(),
        row.line.kind.word().render(locale),
        row.line.month.to_string(),
        yuan_cents(row.line.amount_fen),
        line_label(row, roster).render(locale),
        row.line.attempt.to_string(),
        row.bank_name.clone(),
        row.account.clone(),
        outcome_label(row, locale),
        row.line
            .outcome
            .as_ref()
            .map(|(_, reason)| reason.clone())
            .unwrap_or_default(),
        row.line.explanation.render(locale),
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
fn period_words(roster: &RosterRecord) -> Message {
    let (start, end) = (roster.period.start, roster.period.end);
    if start == end {
        msg!("export-period-month", month = start)
    } else {
        msg!("export-period-range", from = start, to = end)
    }
}

/// The printable roster: a title (county, period, status), the header row (repeated on
/// every printed page), the lines with a subtotal (小计) after each township, the total
/// (合计), and the 制表 / 审核 / 审批 block with names and dates; A4 landscape, one page wide.
pub fn xlsx(
    roster: &RosterRecord,
    heading: &RosterHeading,
    rows: &[ExportRow],
    locale: Locale,
) -> Result<Vec<u8>, XlsxError> {
    let words = |m: Message| m.render(locale);
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let money = Format::new().set_num_format("0.00");
    let money_bold = Format::new().set_num_format("0.00").set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(words(msg!("export-sheet-name")))?;
    let last_col = (COLUMNS.len() - 1) as u16;
    sheet.merge_range(
        0,
        0,
        0,
        last_col,
        &words(msg!(
            "export-title",
            county = heading.county_name.as_str(),
            period = period_words(roster),
            status = roster.status.word()
        )),
        &title,
    )?;
    for (c, h) in headers(locale).iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, h, &bold)?;
    }
    let mut r = HEADER_ROW + 1;
    let mut township_start = 0;
    for (i, row) in rows.iter().enumerate() {
        for (c, value) in cells(i, row, roster, locale).iter().enumerate() {
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
            sheet.write_string_with_format(r, 0, words(msg!("export-subtotal")), &bold)?;
            sheet.write_string_with_format(r, 1, neutralise(&row.township_name), &bold)?;
            sheet.write_string_with_format(
                r,
                2,
                words(msg!("export-line-count", count = group.len())),
                &bold,
            )?;
            sheet.write_number_with_format(r, 6, sum as f64 / 100.0, &money_bold)?;
            r += 1;
            township_start = i + 1;
        }
    }
    let total: i64 = rows.iter().map(|r| r.line.amount_fen).sum();
    sheet.write_string_with_format(r, 0, words(msg!("export-total")), &bold)?;
    sheet.write_string_with_format(
        r,
        2,
        words(msg!("export-line-count", count = rows.len())),
        &bold,
    )?;
    sheet.write_number_with_format(r, 6, total as f64 / 100.0, &money_bold)?;
    r += 2;
    for (c, (label, signed)) in [
        (msg!("export-prepared-by"), &heading.prepared),
        (msg!("export-checked-by"), &heading.checked),
        (msg!("export-approved-by"), &heading.approved),
    ]
    .into_iter()
    .enumerate()
    {
        let col = (c * 4) as u16;
        let (name, date) = match signed {
            Some((name, date)) => (
                neutralise(name),
                words(msg!("export-signed-on", date = *date)),
            ),
            None => (String::new(), words(msg!("export-signed-on-blank"))),
        };
        sheet.write_string_with_format(
            r,
            col,
            words(msg!("export-signer", role = label, name = name)),
            &bold,
        )?;
        sheet.write_string(r, col + 2, date)?;
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

pub fn csv(roster: &RosterRecord, rows: &[ExportRow], locale: Locale) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&headers(locale).join(","));
    out.push_str("\r\n");
    for (i, row) in rows.iter().enumerate() {
        let line: Vec<String> = cells(i, row, roster, locale)
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
        "{},,{},,,,{},,,,,,,\r\n",
        csv_field(&msg!("export-total").render(locale)),
        csv_field(&msg!("export-line-count", count = rows.len()).render(locale)),
        yuan_cents(total)
    ));
    out.into_bytes()
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
