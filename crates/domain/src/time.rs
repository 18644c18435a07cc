//! Calendar time in China Standard Time (UTC+8), where a "month" or an "age" is meant.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

/// UTC+8, no daylight saving.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The calendar date in China at `instant`.
pub fn china_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&china()).date_naive()
}

/// Today's date in China.
pub fn china_today() -> NaiveDate {
    china_date(Utc::now())
}

/// Age in whole years on `day` for someone born on `birth` (a 29 February birthday counts
/// from 1 March in common years).
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// The latest and earliest birth dates for someone aged `min_age..=max_age` on `day`:
/// returns `(born_after_exclusive_or_on, born_on_or_before)` as an inclusive range.
pub fn birth_range_for_ages(min_age: i32, max_age: i32, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let latest = shift_years(day, -min_age);
    let earliest = shift_years(day, -(max_age + 1))
        .succ_opt()
        .unwrap_or(NaiveDate::MIN);
    (earliest, latest)
}

fn shift_years(day: NaiveDate, years: i32) -> NaiveDate {
    let y = day.year() + years;
    NaiveDate::from_ymd_opt(y, day.month(), day.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, day.month(), day.day() - 1))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
    }

    #[test]
    fn china_date_is_ahead_of_utc_in_the_evening() {
        let instant = DateTime::parse_from_rfc3339("2026-01-31T17:00:00Z")
            .expect("ts")
            .with_timezone(&Utc);
        assert_eq!(china_date(instant), d(2026, 2, 1));
    }

    #[test]
    fn ages() {
        assert_eq!(age_on(d(1975, 3, 2), d(2024, 3, 1)), 48);
        assert_eq!(age_on(d(1975, 3, 2), d(2024, 3, 2)), 49);
        assert_eq!(age_on(d(1972, 2, 29), d(2021, 2, 28)), 48);
        assert_eq!(age_on(d(1972, 2, 29), d(2021, 3, 1)), 49);
    }

    #[test]
    fn birth_range_matches_ages() {
        let today = d(2026, 11, 29);
        let (earliest, latest) = birth_range_for_ages(49, 60, today);
        assert_eq!(age_on(latest, today), 49);
        assert_eq!(age_on(latest.succ_opt().expect("d"), today), 48);
        assert_eq!(age_on(earliest, today), 60);
        assert_eq!(age_on(earliest.pred_opt().expect("d"), today), 61);
    }
}
