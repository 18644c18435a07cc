//! The bank file (代发文件): one transfer per person per roster (the person's lines summed,
//! the breakdown kept for reconciliation), written in the bank's own layout. A layout is
//! data ([`BankTemplate`]): the format (CSV, fixed-width, XLSX), the encoding (UTF-8, or
//! GBK for older bank systems), the header and trailer lines with the control totals, and
//! the columns in the bank's order. Pure: the edge encodes the text and writes the XLSX.

use nuanxin_locale::yuan_cents;
use uuid::Uuid;

use crate::text::csv_field;

/// One payment to one person: what the bank pays, and which roster lines it settles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The bank's business reference (业务编号): stable for a roster, ASCII, 13 characters.
    pub reference: String,
    pub member_id: Uuid,
    pub name: String,
    pub account: String,
    pub bank_name: String,
    pub amount_fen: i64,
    pub line_ids: Vec<Uuid>,
}

/// One roster line as the bank file needs it.
#[derive(Debug, Clone)]
pub struct PayableLine {
    pub line_id: Uuid,
    pub member_id: Uuid,
    pub name: String,
    pub account: String,
    pub bank_name: String,
    pub amount_fen: i64,
}

/// The transfers of a roster, in the order its lines come: one per person, their lines
/// summed (a claw-back reduces the transfer). A person whose lines sum to nothing or less is
/// paid nothing by the bank (the claw-back is settled against the next payment).
pub fn transfers(roster_id: Uuid, lines: &[PayableLine]) -> Vec<Transfer> {
    let mut out: Vec<Transfer> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for l in lines {
        let i = *index.entry(l.member_id).or_insert_with(|| {
            out.push(Transfer {
                reference: String::new(),
                member_id: l.member_id,
                name: l.name.clone(),
                account: l.account.clone(),
                bank_name: l.bank_name.clone(),
                amount_fen: 0,
                line_ids: Vec::new(),
            });
            out.len() - 1
        });
        out[i].amount_fen += l.amount_fen;
        out[i].line_ids.push(l.line_id);
    }
    out.retain(|t| t.amount_fen > 0);
    let prefix: String = roster_id.simple().to_string().chars().take(8).collect();
    for (n, t) in out.iter_mut().enumerate() {
        t.reference = format!("{prefix}{:05}", n + 1);
    }
    out
}

/// The control totals of a file: how many transfers, how much.
pub fn control_totals(transfers: &[Transfer]) -> (usize, i64) {
    (
        transfers.len(),
        transfers.iter().map(|t| t.amount_fen).sum(),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    FixedWidth,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gbk,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Sequence,
    Reference,
    Name,
    Account,
    BankName,
    /// Yuan with two decimals (680.00).
    AmountYuan,
    /// Fen, digits only, zero-padded to the width (000000068000).
    AmountFen,
    /// The payment's purpose, e.g. 2026年11月扶助金.
    Remark,
}

/// A column: its header (CSV and XLSX) and, for fixed-width files, its width in bytes of
/// the file's encoding (a Chinese character is two bytes in GBK).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub field: Field,
    pub header: &'static str,
    pub width: usize,
}

/// A bank's layout. `header` and `trailer` are lines with `{count}`, `{total_fen}`,
/// `{total_yuan}` and `{month}` filled in (the control totals the bank checks).
#[derive(Debug, Clone)]
pub struct BankTemplate {
    pub code: &'static str,
    pub name: &'static str,
    pub format: Format,
    pub encoding: Encoding,
    pub header: &'static [&'static str],
    pub trailer: &'static [&'static str],
    pub columns: &'static [Column],
}

const fn col(field: Field, header: &'static str, width: usize) -> Column {
    Column {
        field,
        header,
        width,
    }
}

/// The layouts this city's banks take; a new bank is one more entry.
pub const TEMPLATES: &[BankTemplate] = &[
    BankTemplate {
        code: "generic_csv",
        name: "通用 CSV (UTF-8)",
        format: Format::Csv,
        encoding: Encoding::Utf8,
        header: &[],
        trailer: &["合计,{count} 笔,,,{total_yuan},,"],
        columns: &[
            col(Field::Sequence, "序号", 0),
            col(Field::Name, "户名", 0),
            col(Field::Account, "账号", 0),
            col(Field::BankName, "开户行", 0),
            col(Field::AmountYuan, "金额(元)", 0),
            col(Field::Remark, "附言", 0),
            col(Field::Reference, "业务编号", 0),
        ],
    },
    BankTemplate {
        code: "rcb_fixed_gbk",
        name: "农商银行代发 (定长, GBK)",
        format: Format::FixedWidth,
        encoding: Encoding::Gbk,
        header: &["H{count:6}{total_fen:15}{month}"],
        trailer: &["T{count:6}{total_fen:15}"],
        columns: &[
            col(Field::Reference, "", 13),
            col(Field::Account, "", 32),
            col(Field::Name, "", 20),
            col(Field::AmountFen, "", 15),
            col(Field::Remark, "", 30),
        ],
    },
    BankTemplate {
        code: "bank_xlsx",
        name: "银行代发 Excel",
        format: Format::Xlsx,
        encoding: Encoding::Utf8,
        header: &[],
        trailer: &[],
        columns: &[
            col(Field::Sequence, "序号", 0),
            col(Field::Reference, "业务编号", 0),
            col(Field::Name, "户名", 0),
            col(Field::Account, "账号", 0),
            col(Field::AmountYuan, "金额(元)", 0),
            col(Field::Remark, "附言", 0),
        ],
    },
];

pub fn template(code: &str) -> Option<&'static BankTemplate> {
    TEMPLATES.iter().find(|t| t.code == code)
}

/// A cell's text.
pub fn value(field: Field, n: usize, t: &Transfer, remark: &str) -> String {
    match field {
        Field::Sequence => (n + 1).to_string(),
        Field::Reference => t.reference.clone(),
        Field::Name => t.name.clone(),
        Field::Account => t.account.clone(),
        Field::BankName => t.bank_name.clone(),
        Field::AmountYuan => yuan_cents(t.amount_fen),
        Field::AmountFen => t.amount_fen.to_string(),
        Field::Remark => remark.to_owned(),
    }
}

/// Bytes of `s` in GBK: two for a Chinese character, one for ASCII.
fn gbk_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// `s` cut or padded to `width` bytes of GBK: numbers right-aligned with zeros, text
/// left-aligned with spaces; a Chinese character is never split.
fn fixed(s: &str, width: usize, numeric: bool) -> String {
    if numeric {
        return format!("{s:0>width$}");
    }
    let mut out = String::new();
    for c in s.chars() {
        if gbk_width(&out) + gbk_width(&c.to_string()) > width {
            break;
        }
        out.push(c);
    }
    let pad = width - gbk_width(&out);
    out.push_str(&" ".repeat(pad));
    out
}

fn fill(line: &str, count: usize, total_fen: i64, month: &str) -> String {
    line.replace("{count:6}", &format!("{count:06}"))
        .replace("{total_fen:15}", &format!("{total_fen:015}"))
        .replace("{count}", &count.to_string())
        .replace("{total_fen}", &total_fen.to_string())
        .replace("{total_yuan}", &yuan_cents(total_fen))
        .replace("{month}", month)
}

/// The text of a CSV or fixed-width file (the edge encodes it), lines ending CRLF.
pub fn render_text(
    template: &BankTemplate,
    transfers: &[Transfer],
    month: &str,
    remark: &str,
) -> String {
    let (count, total) = control_totals(transfers);
    let mut lines: Vec<String> = template
        .header
        .iter()
        .map(|h| fill(h, count, total, month))
        .collect();
    if template.format == Format::Csv {
        lines.push(
            template
                .columns
                .iter()
                .map(|c| c.header)
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    for (n, t) in transfers.iter().enumerate() {
        let cells: Vec<String> = template
            .columns
            .iter()
            .map(|c| {
                let v = value(c.field, n, t, remark);
                match template.format {
                    Format::FixedWidth => fixed(&v, c.width, c.field == Field::AmountFen),
                    _ => csv_field(&v),
                }
            })
            .collect();
        lines.push(match template.format {
            Format::FixedWidth => format!("D{}", cells.concat()),
            _ => cells.join(","),
        });
    }
    lines.extend(
        template
            .trailer
            .iter()
            .map(|t| fill(t, count, total, month)),
    );
    let mut out = lines.join("\r\n");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(member: u128, line: u128, fen: i64) -> PayableLine {
        PayableLine {
            line_id: Uuid::from_u128(line),
            member_id: Uuid::from_u128(member),
            name: if member == 1 {
                "王建国"
            } else {
                "李秀英"
            }
            .into(),
            account: "6221000011112222".into(),
            bank_name: "许昌农商银行".into(),
            amount_fen: fen,
        }
    }

    #[test]
    fn one_transfer_per_person_with_its_lines_and_the_control_totals() {
        let roster = Uuid::from_u128(0xabcdef12_0000_0000_0000_000000000000);
        let t = transfers(
            roster,
            &[
                line(1, 10, 68_000),
                line(2, 11, 68_000),
                line(1, 12, 68_000),
                line(2, 13, -68_000),
            ],
        );
        assert_eq!(
            t.len(),
            1,
            "the second person's claw-back cancels her month"
        );
        assert_eq!(t[0].amount_fen, 136_000);
        assert_eq!(
            t[0].line_ids,
            vec![Uuid::from_u128(10), Uuid::from_u128(12)]
        );
        assert_eq!(t[0].reference, "abcdef1200001");
        assert_eq!(control_totals(&t), (1, 136_000));
    }

    #[test]
    fn a_fixed_width_line_counts_chinese_as_two_bytes_and_never_splits_one() {
        let tpl = template("rcb_fixed_gbk").expect("template");
        let t = transfers(Uuid::nil(), &[line(1, 1, 68_000), line(2, 2, 7_000)]);
        let text = render_text(tpl, &t, "202611", "2026年11月扶助金");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "H000002000000000075000202611");
        assert_eq!(lines[3], "T000002000000000075000");
        let widths: Vec<usize> = lines[1..3].iter().map(|l| gbk_width(l)).collect();
        assert_eq!(widths, vec![1 + 13 + 32 + 20 + 15 + 30; 2]);
        assert!(lines[1].contains("王建国              "));
        assert!(lines[1].contains("000000000068000"));
        assert_eq!(fixed("许昌农商银行", 5, false), "许昌 ");
    }

    #[test]
    fn the_csv_has_its_header_and_its_totals() {
        let tpl = template("generic_csv").expect("template");
        let t = transfers(Uuid::nil(), &[line(1, 1, 68_000), line(2, 2, 68_000)]);
        let text = render_text(tpl, &t, "2026-11", "2026年11月扶助金");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "序号,户名,账号,开户行,金额(元),附言,业务编号");
        assert!(lines[1].starts_with("1,王建国,6221000011112222,许昌农商银行,680.00,"));
        assert_eq!(lines[3], "合计,2 笔,,,1360.00,,");
    }
}
