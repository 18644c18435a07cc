//! Accountability views (责任落实): what is overdue, counted per township with the list
//! behind each count. The store reads one row per duty (a pairing with its last visit, a
//! chronic-disease record with its last follow-up, a new family with or without its
//! emergency-aid contact); the judging and counting is here, against the caller's day.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::care::schedule::{DutyState, Schedule, contact_due, duty_state, next_due};

/// One recurring duty as read from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurringDuty {
    /// The pairing or the chronic-disease record.
    pub id: Uuid,
    pub family: Uuid,
    pub township: String,
    pub schedule: Schedule,
    pub started: NaiveDate,
    pub last_done: Option<NaiveDate>,
}

/// A duty judged on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub id: Uuid,
    pub family: Uuid,
    pub township: String,
    pub due_on: NaiveDate,
    pub state: DutyState,
    pub last_done: Option<NaiveDate>,
}

pub fn judge_recurring(duties: Vec<RecurringDuty>, today: NaiveDate) -> Vec<Judged> {
    duties
        .into_iter()
        .map(|d| {
            let due_on = next_due(d.schedule, d.started, d.last_done);
            Judged {
                id: d.id,
                family: d.family,
                township: d.township,
                due_on,
                state: duty_state(due_on, today),
                last_done: d.last_done,
            }
        })
        .collect()
}

/// A family's emergency-aid contact duty: due `days` after registration; done by the first
/// contact (a contact record or an emergency-aid case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDuty {
    pub family: Uuid,
    pub township: String,
    pub registered_on: NaiveDate,
    pub contacted_on: Option<NaiveDate>,
}

pub fn judge_contacts(duties: Vec<ContactDuty>, days: u32, today: NaiveDate) -> Vec<Judged> {
    duties
        .into_iter()
        .filter(|d| d.contacted_on.is_none())
        .map(|d| {
            let due_on = contact_due(d.registered_on, days);
            Judged {
                id: d.family,
                family: d.family,
                township: d.township,
                due_on,
                state: duty_state(due_on, today),
                last_done: None,
            }
        })
        .collect()
}

/// Counts of overdue duties per township (every township of `townships` appears, with 0).
pub fn overdue_per_township<'a>(
    townships: impl IntoIterator<Item = &'a str>,
    judged: &[Judged],
) -> BTreeMap<String, u64> {
    per_township(townships, judged, DutyState::Overdue)
}

/// Counts of duties in `state` per township (every township of `townships` appears).
pub fn per_township<'a>(
    townships: impl IntoIterator<Item = &'a str>,
    judged: &[Judged],
    state: DutyState,
) -> BTreeMap<String, u64> {
    let mut out: BTreeMap<String, u64> = townships.into_iter().map(|t| (t.to_owned(), 0)).collect();
    for j in judged.iter().filter(|j| j.state == state) {
        *out.entry(j.township.clone()).or_default() += 1;
    }
    out
}

/// A campaign's coverage in one township: families it should reach, families visited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    pub families: u64,
    pub visited: u64,
}

impl Coverage {
    /// Per mille, rounded down (integers, like money).
    pub fn per_mille(self) -> u64 {
        (self.visited * 1000)
            .checked_div(self.families)
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, dd).expect("date")
    }

    #[test]
    fn a_monthly_pairing_without_a_visit_for_a_month_is_overdue() {
        let today = d(12, 2);
        let duties = vec![
            RecurringDuty {
                id: Uuid::from_u128(1),
                family: Uuid::from_u128(11),
                township: "411002001".into(),
                schedule: Schedule::Monthly,
                started: d(9, 1),
                last_done: Some(d(10, 20)),
            },
            RecurringDuty {
                id: Uuid::from_u128(2),
                family: Uuid::from_u128(12),
                township: "411002001".into(),
                schedule: Schedule::Monthly,
                started: d(9, 1),
                last_done: Some(d(11, 25)),
            },
        ];
        let judged = judge_recurring(duties, today);
        assert_eq!(judged[0].state, DutyState::Overdue);
        assert_eq!(judged[0].due_on, d(11, 20));
        assert_eq!(judged[1].state, DutyState::OnTrack);
        let counts = overdue_per_township(["411002001", "411002002"], &judged);
        assert_eq!(counts["411002001"], 1);
        assert_eq!(counts["411002002"], 0);
    }

    #[test]
    fn a_new_family_waits_at_most_the_configured_days() {
        let duty = |contacted| ContactDuty {
            family: Uuid::from_u128(1),
            township: "t".into(),
            registered_on: d(11, 20),
            contacted_on: contacted,
        };
        assert_eq!(
            judge_contacts(vec![duty(None)], 7, d(11, 27))[0].state,
            DutyState::DueSoon
        );
        assert_eq!(
            judge_contacts(vec![duty(None)], 7, d(11, 28))[0].state,
            DutyState::Overdue
        );
        assert!(judge_contacts(vec![duty(Some(d(11, 21)))], 7, d(12, 2)).is_empty());
        assert_eq!(
            judge_contacts(vec![duty(None)], 14, d(11, 28))[0].state,
            DutyState::DueSoon
        );
    }

    #[test]
    fn coverage_is_per_mille() {
        assert_eq!(
            Coverage {
                families: 3,
                visited: 2
            }
            .per_mille(),
            666
        );
        assert_eq!(Coverage::default().per_mille(), 0);
    }
}
