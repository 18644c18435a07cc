//! Calendar months (`2024-03`), the unit allowances are paid in.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use nuanxin_locale::{Arg, Localised, Message, localised_error, msg};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

/// Not a month as written `YYYY-MM`; keeps (the start of) what was typed, to show it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearMonthError {
    found: String,
}

impl YearMonthError {
    fn of(found: &str) -> Self {
        Self {
            found: found.chars().take(20).collect(),
        }
    }
}

impl Localised for YearMonthError {
    fn message(&self) -> Message {
        msg!("month-format", found = self.found.as_str())
    }
}
localised_error!(YearMonthError);

impl From<YearMonth> for Arg {
    fn from(m: YearMonth) -> Self {
        Arg::Month {
            year: m.year,
            month: m.month,
        }
    }
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then_some(Self { year, month })
    }

    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MIN)
    }

    pub fn next(self) -> Self {
        self.plus(1)
    }

    pub fn prev(self) -> Self {
        self.plus(-1)
    }

    pub fn plus(self, months: i32) -> Self {
        let idx = self.index() + months;
        Self {
            year: idx.div_euclid(12),
            month: (idx.rem_euclid(12) + 1) as u32,
        }
    }

    /// Months since year 0, for arithmetic and compact storage (`yyyy*12 + m-1`).
    pub fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    pub fn from_index(idx: i32) -> Self {
        Self {
            year: idx.div_euclid(12),
            month: (idx.rem_euclid(12) + 1) as u32,
        }
    }

    /// `yyyymm` as an integer (200403), the storage form.
    pub fn as_number(self) -> i32 {
        self.year * 100 + self.month as i32
    }

    pub fn from_number(n: i32) -> Option<Self> {
        Self::new(n / 100, (n % 100) as u32)
    }

    /// Months from `self` to `end`, both included (empty if `end` is earlier).
    pub fn through(self, end: YearMonth) -> impl Iterator<Item = YearMonth> {
        (self.index()..=end.index()).map(Self::from_index)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = YearMonthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || YearMonthError::of(s);
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        Self::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_read_as_an_office_writes_them() {
        use nuanxin_locale::{Locale, msg};
        let m = super::YearMonth::new(2026, 3).expect("month");
        let shown = msg!("export-period-month", month = m);
        assert_eq!(shown.render(Locale::Zh), "2026年3月");
        assert_eq!(shown.render(Locale::En), "2026-03");
        assert_eq!(m.to_string(), "2026-03");
    }

    use super::*;

    #[test]
    fn arithmetic_across_years() {
        let dec: YearMonth = "2024-12".parse().expect("month");
        assert_eq!(dec.next().to_string(), "2025-01");
        assert_eq!(dec.plus(-12).to_string(), "2023-12");
        assert_eq!("2025-01".parse::<YearMonth>().expect("m").prev(), dec);
        assert_eq!(
            dec.last_day(),
            NaiveDate::from_ymd_opt(2024, 12, 31).expect("d")
        );
        assert_eq!(
            "2024-02".parse::<YearMonth>().expect("m").last_day(),
            NaiveDate::from_ymd_opt(2024, 2, 29).expect("d")
        );
        assert_eq!(YearMonth::from_number(dec.as_number()), Some(dec));
        assert_eq!(dec.prev().through(dec.next()).count(), 3);
    }

    #[test]
    fn parsing() {
        assert!("2024-13".parse::<YearMonth>().is_err());
        assert!("2024/01".parse::<YearMonth>().is_err());
        // Strict: a clerk who types 2024-3 is asked for 2024-03 (no guessing).
        assert!("2024-3".parse::<YearMonth>().is_err());
        assert_eq!(
            "2024-03".parse::<YearMonth>().expect("m").to_string(),
            "2024-03"
        );
    }
}
