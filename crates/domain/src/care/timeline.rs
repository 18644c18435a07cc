//! A family's timeline (家庭时间线): every record of every kind, newest first. Each source
//! (care records, cases, counselling sessions, pairings, status changes, allowance lines) is
//! read already sorted by the same key and cut at the same cursor, and the pages are merged
//! here. The key is (day, id) with ids time-ordered (UUID v7), so a cursor stays valid while
//! new records arrive: they sort before it (or, back-dated, where they belong), never shift
//! what comes after it.

use chrono::NaiveDate;
use uuid::Uuid;

/// Where an item sorts: by the day it happened, then by its id (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimelineKey {
    pub on: NaiveDate,
    pub id: Uuid,
}

impl TimelineKey {
    /// The cursor text (`YYYY-MM-DD~uuid`); opaque to clients once encoded by the API.
    pub fn encode(self) -> String {
        format!("{}~{}", self.on.format("%Y-%m-%d"), self.id)
    }

    pub fn decode(s: &str) -> Option<Self> {
        let (day, id) = s.split_once('~')?;
        Some(Self {
            on: NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?,
            id: Uuid::parse_str(id).ok()?,
        })
    }

    /// True when `self` comes after `cursor` in newest-first order.
    pub fn is_after(self, cursor: Option<TimelineKey>) -> bool {
        cursor.is_none_or(|c| self < c)
    }
}

/// Merges sources, each sorted newest first and already cut after the cursor, into one page
/// of `n` items; the second value says whether more items follow.
pub fn merge<T>(sources: Vec<Vec<T>>, n: usize, key: impl Fn(&T) -> TimelineKey) -> (Vec<T>, bool) {
    let mut all: Vec<T> = sources.into_iter().flatten().collect();
    all.sort_by_key(|t| std::cmp::Reverse(key(t)));
    let more = all.len() > n;
    all.truncate(n);
    (all, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(day: u32, n: u128) -> TimelineKey {
        TimelineKey {
            on: NaiveDate::from_ymd_opt(2026, 11, day).expect("date"),
            id: Uuid::from_u128(n),
        }
    }

    #[test]
    fn cursors_round_trip() {
        let k = key(3, 42);
        assert_eq!(TimelineKey::decode(&k.encode()), Some(k));
        assert_eq!(TimelineKey::decode("2026-11-03"), None);
        assert_eq!(TimelineKey::decode("garbage~x"), None);
    }

    #[test]
    fn pages_merge_newest_first_and_stay_stable() {
        let a = vec![key(9, 5), key(3, 1)];
        let b = vec![key(9, 7), key(5, 2), key(1, 9)];
        let (page, more) = merge(vec![a.clone(), b.clone()], 3, |k| *k);
        assert_eq!(page, vec![key(9, 7), key(9, 5), key(5, 2)]);
        assert!(more);
        // The next page starts after the last key; a new record of today does not move it.
        let cursor = Some(page[2]);
        let rest: Vec<Vec<TimelineKey>> = [a, b, vec![key(30, 99)]]
            .into_iter()
            .map(|s| s.into_iter().filter(|k| k.is_after(cursor)).collect())
            .collect();
        let (page2, more2) = merge(rest, 3, |k| *k);
        assert_eq!(page2, vec![key(3, 1), key(1, 9)]);
        assert!(!more2);
    }
}
