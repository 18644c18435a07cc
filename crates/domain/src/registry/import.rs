//! Bulk import (批量导入) of families from the county's spreadsheet: one row per member, the
//! rows of a family sharing its household number (户号). Headers are the office's words
//! (or the English ones, or the column keys); each cell at fault is named by row and column
//! with a message a clerk can act on. Pure: the file's bytes are read by the edge, the
//! registry is asked by the store (already registered, unknown village, outside the area).

use std::collections::HashMap;

use chrono::NaiveDate;
use nuanxin_locale::{Locale, Message, msg};

use crate::registry::family::MemberRole;
use crate::registry::id_number::IdNumber;
use crate::registry::intake::{NewFamily, NewMember, ValidFamily, parse_new_family};
use crate::registry::region::RegionCode;

/// The columns of the import file, in the template's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportColumn {
    Household,
    Region,
    CertificateNo,
    CertificateDate,
    ChildDeathDate,
    LaterChildDate,
    Role,
    Name,
    IdNumber,
    Phone,
    Address,
    HukouRegion,
    DeceasedOn,
}

impl ImportColumn {
    pub const ALL: [ImportColumn; 13] = [
        ImportColumn::Household,
        ImportColumn::Region,
        ImportColumn::CertificateNo,
        ImportColumn::CertificateDate,
        ImportColumn::ChildDeathDate,
        ImportColumn::LaterChildDate,
        ImportColumn::Role,
        ImportColumn::Name,
        ImportColumn::IdNumber,
        ImportColumn::Phone,
        ImportColumn::Address,
        ImportColumn::HukouRegion,
        ImportColumn::DeceasedOn,
    ];

    /// The column's key, stable for programs (and accepted as a header).
    pub fn as_str(self) -> &'static str {
        match self {
            ImportColumn::Household => "household",
            ImportColumn::Region => "regionCode",
            ImportColumn::CertificateNo => "honourCertificateNo",
            ImportColumn::CertificateDate => "honourCertificateDate",
            ImportColumn::ChildDeathDate => "childDeathDate",
            ImportColumn::LaterChildDate => "laterChildDate",
            ImportColumn::Role => "role",
            ImportColumn::Name => "name",
            ImportColumn::IdNumber => "idNumber",
            ImportColumn::Phone => "phone",
            ImportColumn::Address => "address",
            ImportColumn::HukouRegion => "hukouRegionCode",
            ImportColumn::DeceasedOn => "deceasedOn",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == key)
    }

    /// The header as the template writes it (户号, 村(社区)代码 …).
    pub fn word(self) -> Message {
        Message::term("import-col", self.as_str())
    }

    fn required(self) -> bool {
        matches!(
            self,
            ImportColumn::Household
                | ImportColumn::Region
                | ImportColumn::Role
                | ImportColumn::Name
                | ImportColumn::IdNumber
                | ImportColumn::HukouRegion
        )
    }

    /// Which column a field of [`parse_new_family`]'s answer is.
    fn of_field(field: &str) -> Option<Self> {
        let leaf = field.rsplit('.').next().unwrap_or(field);
        Some(match leaf {
            "regionCode" => ImportColumn::Region,
            "honourCertificateNo" => ImportColumn::CertificateNo,
            "honourCertificateDate" => ImportColumn::CertificateDate,
            "childDeathDate" => ImportColumn::ChildDeathDate,
            "laterChildDate" => ImportColumn::LaterChildDate,
            "name" => ImportColumn::Name,
            "idNumber" => ImportColumn::IdNumber,
            "phone" => ImportColumn::Phone,
            "address" => ImportColumn::Address,
            "hukouRegionCode" => ImportColumn::HukouRegion,
            "deceasedOn" => ImportColumn::DeceasedOn,
            _ => return None,
        })
    }
}

/// What is wrong, where: the spreadsheet's row number (the header is row 1) and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub row: usize,
    pub column: Option<ImportColumn>,
    pub message: Message,
}

/// A family read from the file, with the rows it came from (the first holds its fields).
#[derive(Debug, Clone)]
pub struct ImportedFamily {
    pub rows: Vec<usize>,
    pub family: ValidFamily,
}

/// The file read: the families that are well-formed and the problems of the others.
#[derive(Debug, Clone, Default)]
pub struct ImportParse {
    pub families: Vec<ImportedFamily>,
    pub problems: Vec<ImportProblem>,
    /// Data rows read (the header not counted).
    pub rows: usize,
}

/// The most rows one file may have (a county's whole registry fits many times over).
pub const MAX_ROWS: usize = 50_000;

/// Which column each header cell names; a header no one knows is ignored.
fn header_map(header: &[String]) -> HashMap<ImportColumn, usize> {
    let mut out = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        if let Some(c) = ImportColumn::ALL.into_iter().find(|c| {
            h == c.as_str()
                || Locale::ALL
                    .iter()
                    .any(|l| c.word().render(*l).eq_ignore_ascii_case(h))
        }) {
            out.entry(c).or_insert(i);
        }
    }
    out
}

/// A date as clerks type it: 2015-03-08, 2015/3/8, 2015.3.8, 20150308 or 2015年3月8日.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = s
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// An optional date cell: empty is `None`; a date that does not parse is a problem.
fn read_date(
    raw: &str,
    line: usize,
    column: ImportColumn,
    problems: &mut Vec<ImportProblem>,
) -> Option<NaiveDate> {
    if raw.is_empty() {
        return None;
    }
    let d = parse_date(raw);
    if d.is_none() {
        problems.push(ImportProblem {
            row: line,
            column: Some(column),
            message: msg!("import-bad-date", found = raw),
        });
    }
    d
}

/// Every way a role may be written (its key, and its word in each language), rendered once
/// per file rather than once per row.
fn role_words() -> Vec<(String, MemberRole)> {
    let mut out = Vec::new();
    for r in [
        MemberRole::Father,
        MemberRole::Mother,
        MemberRole::Grandchild,
        MemberRole::Other,
    ] {
        out.push((r.as_str().to_owned(), r));
        out.extend(Locale::ALL.iter().map(|l| (r.word().render(*l), r)));
    }
    out
}

fn parse_role(words: &[(String, MemberRole)], s: &str) -> Option<MemberRole> {
    let s = s.trim();
    words
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(s))
        .map(|(_, r)| *r)
}

/// Reads the rows of a file (the first is the header) into families, checking every cell
/// the way `registerFamily` does, and each ID number against the rest of the file.
pub fn parse_import(rows: &[Vec<String>], city: &RegionCode, today: NaiveDate) -> ImportParse {
    let mut out = ImportParse::default();
    let Some((header, data)) = rows.split_first() else {
        out.problems.push(ImportProblem {
            row: 1,
            column: None,
            message: msg!("import-empty"),
        });
        return out;
    };
    let columns = header_map(header);
    for c in ImportColumn::ALL.into_iter().filter(|c| c.required()) {
        if !columns.contains_key(&c) {
            out.problems.push(ImportProblem {
                row: 1,
                column: Some(c),
                message: msg!("import-column-missing", column = c.word()),
            });
        }
    }
    if !out.problems.is_empty() {
        return out;
    }
    if data.len() > MAX_ROWS {
        out.problems.push(ImportProblem {
            row: 1,
            column: None,
            message: msg!("import-too-many-rows", max = MAX_ROWS),
        });
        return out;
    }
    let cell = |row: &[String], c: ImportColumn| -> String {
        columns
            .get(&c)
            .and_then(|i| row.get(*i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    // Rows by household, in the file's order; blank rows are skipped.
    let mut order: Vec<String> = Vec::new();
    let mut households: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, row) in data.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.rows += 1;
        let line = i + 2;
        let key = cell(row, ImportColumn::Household);
        if key.is_empty() {
            out.problems.push(ImportProblem {
                row: line,
                column: Some(ImportColumn::Household),
                message: msg!("text-empty"),
            });
            continue;
        }
        if !households.contains_key(&key) {
            order.push(key.clone());
        }
        households.entry(key).or_default().push(line);
    }
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let roles = role_words();
    for key in order {
        let lines = households.remove(&key).unwrap_or_default();
        let row_of = |line: usize| &data[line - 2];
        let first = row_of(lines[0]);
        let problems_before = out.problems.len();
        let mut bad = false;
        let date = |line: usize, c: ImportColumn, problems: &mut Vec<ImportProblem>| {
            read_date(&cell(row_of(line), c), line, c, problems)
        };
        let mut family = NewFamily {
            region: cell(first, ImportColumn::Region),
            honour_certificate_no: Some(cell(first, ImportColumn::CertificateNo))
                .filter(|s| !s.is_empty()),
            honour_certificate_date: date(
                lines[0],
                ImportColumn::CertificateDate,
                &mut out.problems,
            ),
            child_death_date: date(lines[0], ImportColumn::ChildDeathDate, &mut out.problems),
            later_child_date: date(lines[0], ImportColumn::LaterChildDate, &mut out.problems),
            members: Vec::new(),
        };
        for &line in &lines {
            let row = row_of(line);
            let raw_role = cell(row, ImportColumn::Role);
            let Some(role) = parse_role(&roles, &raw_role) else {
                out.problems.push(ImportProblem {
                    row: line,
                    column: Some(ImportColumn::Role),
                    message: msg!("import-bad-role", found = raw_role.as_str()),
                });
                bad = true;
                continue;
            };
            let deceased_on = date(line, ImportColumn::DeceasedOn, &mut out.problems);
            let id = cell(row, ImportColumn::IdNumber).to_ascii_uppercase();
            if let Ok(parsed) = IdNumber::parse(&id)
                && let Some(earlier) = seen_ids.insert(parsed.expose().to_owned(), line)
            {
                out.problems.push(ImportProblem {
                    row: line,
                    column: Some(ImportColumn::IdNumber),
                    message: msg!("import-duplicate-in-file", row = earlier),
                });
                bad = true;
            }
            let phone = cell(row, ImportColumn::Phone);
            let address = cell(row, ImportColumn::Address);
            family.members.push(NewMember {
                role,
                name: cell(row, ImportColumn::Name),
                id_number: id,
                phone: Some(phone).filter(|s| !s.is_empty()),
                address: Some(address).filter(|s| !s.is_empty()),
                hukou_region: cell(row, ImportColumn::HukouRegion),
                deceased_on,
            });
        }
        if bad || out.problems.len() > problems_before {
            continue;
        }
        // Each member alone first, so that every row at fault is named, not only the
        // first of its family; then the family as a whole.
        let mut member_fault = false;
        for (m, &line) in family.members.iter().zip(&lines) {
            let alone = NewFamily {
                members: vec![m.clone()],
                ..family.clone()
            };
            if let Err(e) = parse_new_family(&alone, city, today)
                && e.field.starts_with("members")
            {
                out.problems.push(ImportProblem {
                    row: line,
                    column: ImportColumn::of_field(&e.field),
                    message: e.message,
                });
                member_fault = true;
            }
        }
        if member_fault {
            continue;
        }
        match parse_new_family(&family, city, today) {
            Ok(valid) => out.families.push(ImportedFamily {
                rows: lines,
                family: valid,
            }),
            Err(e) => {
                let row = e
                    .field
                    .strip_prefix("members[")
                    .and_then(|r| r.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| lines.get(i).copied())
                    .unwrap_or(lines[0]);
                out.problems.push(ImportProblem {
                    row,
                    column: ImportColumn::of_field(&e.field),
                    message: e.message,
                });
            }
        }
    }
    out.problems.sort_by_key(|p| (p.row, p.column));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::id_number::check_character;

    fn id(first17: &str) -> String {
        format!("{first17}{}", check_character(first17))
    }

    fn header() -> Vec<String> {
        ImportColumn::ALL
            .map(|c| c.word().render(Locale::Zh))
            .to_vec()
    }

    fn row(household: &str, role: &str, name: &str, id: &str) -> Vec<String> {
        let mut r = vec![String::new(); 13];
        r[0] = household.into();
        r[1] = "411002001001".into();
        r[2] = "豫许0012345".into();
        r[3] = "1989/1/15".into();
        r[4] = "2015-03-08".into();
        r[6] = role.into();
        r[7] = name.into();
        r[8] = id.into();
        r[11] = "411002001001".into();
        r
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).expect("date")
    }

    fn city() -> RegionCode {
        RegionCode::parse("411000").expect("city")
    }

    #[test]
    fn rows_of_one_household_are_one_family() {
        let rows = vec![
            header(),
            row("1", "父亲", "王建国", &id("41100219600101001")),
            row("1", "母亲", "李秀英", &id("41100219620101002")),
            row("2", "mother", "张桂兰", &id("41100219630101004")),
        ];
        let parsed = parse_import(&rows, &city(), today());
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        assert_eq!(parsed.rows, 3);
        assert_eq!(parsed.families.len(), 2);
        assert_eq!(parsed.families[0].rows, vec![2, 3]);
        assert_eq!(parsed.families[0].family.members.len(), 2);
        assert_eq!(
            parsed.families[0].family.honour_certificate_date,
            NaiveDate::from_ymd_opt(1989, 1, 15)
        );
    }

    #[test]
    fn every_row_at_fault_is_named_by_row_and_column() {
        let good = id("41100219600101001");
        let mut bad_check = id("41100219620101002");
        bad_check.replace_range(17.., if bad_check.ends_with('1') { "2" } else { "1" });
        let mut bad_date = row("3", "母亲", "赵兰", &id("41100219640101002"));
        bad_date[4] = "2015-02-30".into();
        let rows = vec![
            header(),
            row("1", "父亲", "王建国", &good),
            row("1", "母亲", "李秀英", &bad_check),
            row("2", "父亲", "刘强", &good),
            bad_date,
            row("4", "舅舅", "孙明", &id("41100219650101003")),
        ];
        let parsed = parse_import(&rows, &city(), today());
        let at: Vec<(usize, Option<ImportColumn>)> =
            parsed.problems.iter().map(|p| (p.row, p.column)).collect();
        assert_eq!(
            at,
            vec![
                (3, Some(ImportColumn::IdNumber)),
                (4, Some(ImportColumn::IdNumber)),
                (5, Some(ImportColumn::ChildDeathDate)),
                (6, Some(ImportColumn::Role)),
            ]
        );
        let words: Vec<String> = parsed
            .problems
            .iter()
            .map(|p| p.message.render(Locale::Zh))
            .collect();
        assert!(words[0].contains("校验码"), "{words:?}");
        assert!(words[1].contains("第 2 行"), "{words:?}");
        assert!(words[2].contains("2015-02-30"), "{words:?}");
        assert!(words[3].contains("舅舅"), "{words:?}");
        assert!(parsed.families.is_empty());
    }

    #[test]
    fn a_missing_column_is_named_and_dates_read_as_clerks_type_them() {
        let mut h = header();
        h.remove(8);
        let parsed = parse_import(&[h], &city(), today());
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(parsed.problems[0].column, Some(ImportColumn::IdNumber));
        assert!(
            parsed.problems[0]
                .message
                .render(Locale::Zh)
                .contains("身份证号")
        );
        let d = NaiveDate::from_ymd_opt(2015, 3, 8);
        for s in [
            "2015-03-08",
            "2015/3/8",
            "2015.3.8",
            "20150308",
            "2015年3月8日",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        assert_eq!(parse_date("2015-02-30"), None);
        assert_eq!(parse_date("March"), None);
        // English headers are understood too.
        let english = ImportColumn::ALL
            .map(|c| c.word().render(Locale::En))
            .to_vec();
        let rows = vec![
            english,
            row("1", "father", "王建国", &id("41100219600101001")),
        ];
        assert!(parse_import(&rows, &city(), today()).problems.is_empty());
    }
}
