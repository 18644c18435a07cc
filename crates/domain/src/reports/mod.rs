//! The monthly report upward (定期报告): per county and month, the families by status at the
//! month's end, the files opened and closed in it, the allowance lines of the month's
//! roster by kind, and the care services delivered by category. A city's report is its
//! counties' sum ([`MonthlyFigures::sum`]); a figure is never computed twice two ways.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveTime, TimeZone, Utc};

use crate::allowances::AllowanceKind;
use crate::care::catalogue::CareCategory;
use crate::month::YearMonth;
use crate::registry::family::FamilyStatus;
use crate::time::china;

/// One kind of allowance in a month's roster: how many lines, how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllowanceTotal {
    pub line_count: i64,
    pub total_fen: i64,
}

/// A county's (or a city's) month in figures. Every status, kind and category is present,
/// zero when nothing happened, so that columns line up and sums add up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyFigures {
    /// Families by their status at the end of the month (China time).
    pub families_by_status: BTreeMap<FamilyStatus, i64>,
    /// Files opened (registered) in the month.
    pub new_files: i64,
    /// Files closed (已终止) in the month.
    pub closed_files: i64,
    /// Files moved out of the city (已迁出) in the month.
    pub moved_out: i64,
    /// The lines of the month's roster(s), by kind.
    pub allowances: BTreeMap<AllowanceKind, AllowanceTotal>,
    /// Care records of the month, by category of care.
    pub care: BTreeMap<CareCategory, i64>,
}

impl Default for MonthlyFigures {
    fn default() -> Self {
        Self {
            families_by_status: FamilyStatus::ALL.iter().map(|s| (*s, 0)).collect(),
            new_files: 0,
            closed_files: 0,
            moved_out: 0,
            allowances: AllowanceKind::ALL
                .iter()
                .map(|k| (*k, AllowanceTotal::default()))
                .collect(),
            care: CareCategory::ALL.iter().map(|c| (*c, 0)).collect(),
        }
    }
}

impl MonthlyFigures {
    /// Families on file at the month's end, whatever their status.
    pub fn families(&self) -> i64 {
        self.families_by_status.values().sum()
    }

    pub fn allowance_total(&self) -> AllowanceTotal {
        self.allowances
            .values()
            .fold(AllowanceTotal::default(), |a, t| AllowanceTotal {
                line_count: a.line_count + t.line_count,
                total_fen: a.total_fen + t.total_fen,
            })
    }

    pub fn care_total(&self) -> i64 {
        self.care.values().sum()
    }

    /// The figures of several regions together (a city from its counties).
    pub fn sum<'a>(parts: impl IntoIterator<Item = &'a MonthlyFigures>) -> MonthlyFigures {
        let mut out = MonthlyFigures::default();
        for p in parts {
            for (s, n) in &p.families_by_status {
                *out.families_by_status.entry(*s).or_default() += n;
            }
            out.new_files += p.new_files;
            out.closed_files += p.closed_files;
            out.moved_out += p.moved_out;
            for (k, t) in &p.allowances {
                let o = out.allowances.entry(*k).or_default();
                o.line_count += t.line_count;
                o.total_fen += t.total_fen;
            }
            for (c, n) in &p.care {
                *out.care.entry(*c).or_default() += n;
            }
        }
        out
    }
}

/// The instants that bound a month in China time: [first moment, first moment of the next).
pub fn month_bounds(month: YearMonth) -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |m: YearMonth| {
        china()
            .from_local_datetime(&m.first_day().and_time(NaiveTime::MIN))
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    };
    (at(month), at(month.plus(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county(active: i64, lines: i64, fen: i64, visits: i64) -> MonthlyFigures {
        let mut f = MonthlyFigures::default();
        f.families_by_status.insert(FamilyStatus::Active, active);
        f.families_by_status.insert(FamilyStatus::Registered, 1);
        f.new_files = 1;
        f.allowances.insert(
            AllowanceKind::SpecialSupport,
            AllowanceTotal {
                line_count: lines,
                total_fen: fen,
            },
        );
        f.care.insert(CareCategory::Spiritual, visits);
        f
    }

    #[test]
    fn a_city_is_the_sum_of_its_counties_with_every_column_present() {
        let a = county(10, 20, 20 * 68_000, 3);
        let b = county(5, 9, 9 * 68_000, 0);
        let city = MonthlyFigures::sum([&a, &b]);
        assert_eq!(city.families(), 17);
        assert_eq!(city.families_by_status[&FamilyStatus::Active], 15);
        assert_eq!(city.families_by_status[&FamilyStatus::Closed], 0);
        assert_eq!(city.new_files, 2);
        assert_eq!(
            city.allowance_total(),
            AllowanceTotal {
                line_count: 29,
                total_fen: 29 * 68_000
            }
        );
        assert_eq!(
            city.allowances[&AllowanceKind::FertilityCareComfort],
            AllowanceTotal::default()
        );
        assert_eq!(city.care_total(), 3);
        assert_eq!(city.care.len(), CareCategory::ALL.len());
        assert_eq!(MonthlyFigures::sum([]), MonthlyFigures::default());
    }

    #[test]
    fn a_month_is_bounded_in_china_time() {
        let m: YearMonth = "2026-11".parse().expect("month");
        let (from, to) = month_bounds(m);
        assert_eq!(from.to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-11-30T16:00:00+00:00");
    }
}
