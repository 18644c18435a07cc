//! Schedules and the duties they make: a pairing's visits (五定 "fixed schedule"), a
//! chronic-disease follow-up, the emergency-aid contact every new family is owed. All
//! computed against a date the caller passes (the clock is the caller's, so tests fix it).

use chrono::{Days, Months, NaiveDate};

/// How often something is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Schedule {
    Weekly,
    Fortnightly,
    Monthly,
    Quarterly,
}

impl Schedule {
    pub const ALL: [Schedule; 4] = [
        Schedule::Weekly,
        Schedule::Fortnightly,
        Schedule::Monthly,
        Schedule::Quarterly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Schedule::Weekly => "weekly",
            Schedule::Fortnightly => "fortnightly",
            Schedule::Monthly => "monthly",
            Schedule::Quarterly => "quarterly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// When the next one is due after one on `last` (calendar months for months: due by the
    /// same day of the next month, the month's last day when it is shorter).
    pub fn next_after(self, last: NaiveDate) -> NaiveDate {
        let next = match self {
            Schedule::Weekly => last.checked_add_days(Days::new(7)),
            Schedule::Fortnightly => last.checked_add_days(Days::new(14)),
            Schedule::Monthly => last.checked_add_months(Months::new(1)),
            Schedule::Quarterly => last.checked_add_months(Months::new(3)),
        };
        next.unwrap_or(NaiveDate::MAX)
    }
}

/// Where a duty stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DutyState {
    /// Due later than a week from today.
    OnTrack,
    /// Due within the next seven days (today included).
    DueSoon,
    /// The due date has passed.
    Overdue,
}

impl DutyState {
    pub fn as_str(self) -> &'static str {
        match self {
            DutyState::OnTrack => "on_track",
            DutyState::DueSoon => "due_soon",
            DutyState::Overdue => "overdue",
        }
    }
}

/// The state of something due on `due` as seen on `today`.
pub fn duty_state(due: NaiveDate, today: NaiveDate) -> DutyState {
    if due < today {
        DutyState::Overdue
    } else if due
        <= today
            .checked_add_days(Days::new(7))
            .unwrap_or(NaiveDate::MAX)
    {
        DutyState::DueSoon
    } else {
        DutyState::OnTrack
    }
}

/// A recurring duty's due date: after the last time it was done, or after it started.
pub fn next_due(schedule: Schedule, started: NaiveDate, last_done: Option<NaiveDate>) -> NaiveDate {
    schedule.next_after(last_done.map_or(started, |d| d.max(started)))
}

/// The days a newly registered family waits at most for its emergency-aid contact
/// (紧急救助联系) unless the city configures otherwise. The seed says "at once"; a week is
/// what a township can promise.
pub const DEFAULT_CONTACT_DAYS: u32 = 7;

/// The day a family registered on `registered` must have had its emergency-aid contact by.
pub fn contact_due(registered: NaiveDate, days: u32) -> NaiveDate {
    registered
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
    }

    #[test]
    fn monthly_keeps_the_day_or_the_month_end() {
        assert_eq!(Schedule::Monthly.next_after(d(2026, 1, 31)), d(2026, 2, 28));
        assert_eq!(
            Schedule::Quarterly.next_after(d(2026, 11, 15)),
            d(2027, 2, 15)
        );
        assert_eq!(Schedule::Weekly.next_after(d(2026, 12, 29)), d(2027, 1, 5));
    }

    #[test]
    fn duties_turn_overdue_the_day_after_they_are_due() {
        let due = d(2026, 12, 10);
        assert_eq!(duty_state(due, d(2026, 12, 1)), DutyState::OnTrack);
        assert_eq!(duty_state(due, d(2026, 12, 3)), DutyState::DueSoon);
        assert_eq!(duty_state(due, d(2026, 12, 10)), DutyState::DueSoon);
        assert_eq!(duty_state(due, d(2026, 12, 11)), DutyState::Overdue);
    }

    #[test]
    fn the_last_visit_moves_the_due_date() {
        let start = d(2026, 10, 1);
        assert_eq!(next_due(Schedule::Monthly, start, None), d(2026, 11, 1));
        assert_eq!(
            next_due(Schedule::Monthly, start, Some(d(2026, 11, 20))),
            d(2026, 12, 20)
        );
        // A visit logged before the pairing started does not count for it.
        assert_eq!(
            next_due(Schedule::Monthly, start, Some(d(2026, 9, 1))),
            d(2026, 11, 1)
        );
        assert_eq!(contact_due(d(2026, 12, 1), 7), d(2026, 12, 8));
    }
}
