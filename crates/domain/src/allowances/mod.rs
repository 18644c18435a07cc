//! Allowances (生活关怀 §1): which standard applies, what a parent is owed for a month and
//! why, and what a county's payment roster (发放花名册) for a period must contain.
//!
//! Rules, as implemented (the seed and DOMAIN.md, made precise):
//! * **Per person per month.** Each living parent (father, mother) of an eligible family is
//!   paid; grandchildren and others are not.
//! * **Reference person.** The kind and amount follow the wife's (mother's) age. Where no
//!   living wife is on file for the month (a widower, or a divorce), each surviving parent's
//!   own age is used.
//! * **Age switch.** By default the wife counts as 49 from the month *after* her 49th
//!   birthday ([`SwitchRule::MonthAfterBirthday`]: her completed age at the end of the
//!   previous month); [`SwitchRule::BirthdayMonth`] switches in the birthday's own month.
//! * **Eligibility start.** The month after the only child's death.
//! * **Stops.** A parent's allowance stops the month after their death (the month of death
//!   is paid); a later birth or adoption stops it from that month; moving out of the city
//!   (status moved out) or closing the file stops it from that month (the family's status at
//!   the end of the month decides). A family suspended on the first day of a month is not
//!   paid for that month, and suspended months are not paid later.
//! * **Which county pays.** The county the family was filed in at the start of the month:
//!   the month of a move between counties is paid by the county it left.
//! * **Arrears.** A family verified late is owed the months since its eligibility start,
//!   at most [`Rules::arrears_cap_months`] months before the roster's period.
//! * **Claw-back.** A death, birth, adoption or move recorded late for months already paid
//!   becomes a negative line in the next roster of the county that paid; a paid line is
//!   never edited.
//! * Amounts are integer fen. Standards are data with effective months and a scope (the
//!   city, or one county overriding the city).

use chrono::{Datelike, NaiveDate};
use nuanxin_locale::{Arg, Message, msg};
use uuid::Uuid;

use crate::month::YearMonth;
use crate::registry::family::{FamilyStatus, MemberRole};
use crate::registry::region::{RegionCode, RegionLevel};
use crate::time::age_on;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum AllowanceKind {
    /// 特别扶助金: for wives 49 or older.
    SpecialSupport,
    /// 生育关怀抚慰金: for wives 48 or younger.
    FertilityCareComfort,
}

impl AllowanceKind {
    pub const ALL: [AllowanceKind; 2] = [
        AllowanceKind::SpecialSupport,
        AllowanceKind::FertilityCareComfort,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AllowanceKind::SpecialSupport => "special_support",
            AllowanceKind::FertilityCareComfort => "fertility_care_comfort",
        }
    }

    /// The allowance as the office names it (特别扶助金 / 生育关怀抚慰金).
    pub fn word(self) -> Message {
        Message::term("allowance-kind", self.as_str())
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One allowance standard: an amount for reference persons in an age range, from a month on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standard {
    pub id: Uuid,
    pub kind: AllowanceKind,
    pub monthly_fen: i64,
    /// Inclusive bounds on the reference person's age.
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub effective_from: YearMonth,
    pub effective_to: Option<YearMonth>,
    /// `None`: city-wide; `Some(county)`: overrides the city-wide rows of the same kind there.
    pub county: Option<RegionCode>,
}

impl Standard {
    fn in_effect(&self, month: YearMonth) -> bool {
        self.effective_from <= month && self.effective_to.is_none_or(|to| month <= to)
    }

    fn covers_age(&self, age: i32) -> bool {
        self.min_age.is_none_or(|a| age >= a) && self.max_age.is_none_or(|a| age <= a)
    }
}

/// The seed's standards (680 CNY from 49, 70 CNY up to 48), city-wide, from `from`.
pub fn seed_standards(from: YearMonth) -> Vec<Standard> {
    vec![
        Standard {
            id: Uuid::now_v7(),
            kind: AllowanceKind::SpecialSupport,
            monthly_fen: 68_000,
            min_age: Some(49),
            max_age: None,
            effective_from: from,
            effective_to: None,
            county: None,
        },
        Standard {
            id: Uuid::now_v7(),
            kind: AllowanceKind::FertilityCareComfort,
            monthly_fen: 7_000,
            min_age: None,
            max_age: Some(48),
            effective_from: from,
            effective_to: None,
            county: None,
        },
    ]
}

/// The standard for a month, county and reference age: county rows override city-wide rows
/// of the same kind; among several, the most recent effective month wins.
pub fn standard_for<'a>(
    standards: &'a [Standard],
    month: YearMonth,
    county: &RegionCode,
    age: i32,
) -> Option<&'a Standard> {
    AllowanceKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let in_effect = standards
                .iter()
                .filter(|s| s.kind == kind && s.in_effect(month));
            let local: Vec<&Standard> = in_effect
                .clone()
                .filter(|s| s.county.as_ref() == Some(county))
                .collect();
            let pool: Vec<&Standard> = if local.is_empty() {
                in_effect.filter(|s| s.county.is_none()).collect()
            } else {
                local
            };
            pool.into_iter()
                .filter(|s| s.covers_age(age))
                .max_by_key(|s| s.effective_from)
        })
        .max_by_key(|s| s.monthly_fen)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchRule {
    MonthAfterBirthday,
    BirthdayMonth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub switch: SwitchRule,
    pub arrears_cap_months: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            switch: SwitchRule::MonthAfterBirthday,
            arrears_cap_months: 24,
        }
    }
}

/// The reference age that decides the standard for `month`.
pub fn reference_age(birth: NaiveDate, month: YearMonth, rule: SwitchRule) -> i32 {
    match rule {
        SwitchRule::MonthAfterBirthday => age_on(
            birth,
            month.first_day().pred_opt().unwrap_or(NaiveDate::MIN),
        ),
        SwitchRule::BirthdayMonth => age_on(birth, month.last_day()),
    }
}

/// A parent as the engine sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    pub member_id: Uuid,
    pub name: String,
    pub role: MemberRole,
    pub birth_date: NaiveDate,
    pub deceased_on: Option<NaiveDate>,
}

impl Parent {
    fn alive_in(&self, month: YearMonth) -> bool {
        self.deceased_on.is_none_or(|d| month <= YearMonth::of(d))
    }
}

/// Everything about a family that decides its allowances, as dated facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyTimeline {
    pub family_id: Uuid,
    pub child_death_date: Option<NaiveDate>,
    pub later_child_date: Option<NaiveDate>,
    /// Status changes in date order (China dates), starting with registration.
    pub statuses: Vec<(NaiveDate, FamilyStatus)>,
    /// The day each entry of `statuses` was recorded (same order); the explanations say
    /// both when a status was back-dated ("active since 2020-01, recorded 2026-12").
    pub recorded: Vec<NaiveDate>,
    /// Where the family was filed, in date order, starting with registration.
    pub regions: Vec<(NaiveDate, RegionCode)>,
    pub parents: Vec<Parent>,
}

impl FamilyTimeline {
    pub fn eligibility_start(&self) -> Option<YearMonth> {
        self.child_death_date.map(|d| YearMonth::of(d).next())
    }

    fn status_on(&self, day: NaiveDate) -> Option<FamilyStatus> {
        self.statuses
            .iter()
            .take_while(|(d, _)| *d <= day)
            .last()
            .map(|(_, s)| *s)
    }

    pub fn current_status(&self) -> Option<FamilyStatus> {
        self.statuses.last().map(|(_, s)| *s)
    }

    pub fn first_active(&self) -> Option<NaiveDate> {
        self.statuses
            .iter()
            .find(|(_, s)| *s == FamilyStatus::Active)
            .map(|(d, _)| *d)
    }

    /// A month a status took effect, with the month it was recorded when that was later.
    fn since(&self, index: usize) -> Arg {
        let (on, _) = self.statuses[index];
        match self.recorded.get(index) {
            Some(rec) if YearMonth::of(*rec) != YearMonth::of(on) => msg!(
                "since-recorded",
                since = YearMonth::of(on),
                recorded = YearMonth::of(*rec)
            )
            .into(),
            _ => YearMonth::of(on).into(),
        }
    }

    /// The region the family was filed in at the start of `month`.
    pub fn region_for(&self, month: YearMonth) -> Option<&RegionCode> {
        self.regions
            .iter()
            .rev()
            .find(|(d, _)| YearMonth::of(*d) < month)
            .or_else(|| self.regions.first())
            .map(|(_, r)| r)
    }

    pub fn current_region(&self) -> Option<&RegionCode> {
        self.regions.last().map(|(_, r)| r)
    }
}

/// What a parent is owed for one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    pub member_id: Uuid,
    pub month: YearMonth,
    pub kind: AllowanceKind,
    pub amount_fen: i64,
    /// The county that pays this month.
    pub county: RegionCode,
    pub standard_id: Uuid,
    pub explanation: Message,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Entitled(Entitlement),
    NotEntitled { reason: Message },
}

impl Decision {
    pub fn entitled(&self) -> Option<&Entitlement> {
        match self {
            Decision::Entitled(e) => Some(e),
            Decision::NotEntitled { .. } => None,
        }
    }

    pub fn explanation(&self) -> &Message {
        match self {
            Decision::Entitled(e) => &e.explanation,
            Decision::NotEntitled { reason } => reason,
        }
    }
}

fn no(reason: Message) -> Decision {
    Decision::NotEntitled { reason }
}

/// What `member_id` of `family` is owed for `month`, always with its reasons.
pub fn entitlement(
    family: &FamilyTimeline,
    member_id: Uuid,
    month: YearMonth,
    standards: &[Standard],
    rules: Rules,
) -> Decision {
    let Some(parent) = family.parents.iter().find(|p| p.member_id == member_id) else {
        return no(msg!("entitlement-not-a-parent"));
    };
    let Some(start) = family.eligibility_start() else {
        return no(msg!("entitlement-no-child-death"));
    };
    if month < start {
        return no(match family.child_death_date {
            Some(died) => msg!("entitlement-before-start", start = start, died = died),
            None => msg!("entitlement-no-child-death"),
        });
    }
    if let Some(d) = family
        .later_child_date
        .filter(|d| month >= YearMonth::of(*d))
    {
        return no(msg!(
            "entitlement-later-child",
            date = d,
            from = YearMonth::of(d)
        ));
    }
    match family.status_on(month.last_day()) {
        Some(FamilyStatus::MovedOut) | Some(FamilyStatus::Closed) => {
            let index = family
                .statuses
                .iter()
                .rposition(|(d, _)| *d <= month.last_day());
            let (d, s) = index
                .map(|i| family.statuses[i])
                .unwrap_or((month.first_day(), FamilyStatus::Closed));
            return no(msg!(
                "entitlement-file-ended",
                status = s.word(),
                date = d,
                from = index.map_or_else(|| YearMonth::of(d).into(), |i| family.since(i))
            ));
        }
        _ => {}
    }
    if family.status_on(month.first_day()) == Some(FamilyStatus::Suspended) {
        return no(msg!("entitlement-suspended", date = month.first_day()));
    }
    let Some(active_since) = family.first_active() else {
        return no(msg!("entitlement-not-yet-active", start = start));
    };
    if let Some(d) = parent.deceased_on.filter(|d| month > YearMonth::of(*d)) {
        return no(msg!(
            "entitlement-parent-died",
            name = parent.name.as_str(),
            date = d,
            through = YearMonth::of(d)
        ));
    }
    let Some(county) = family
        .region_for(month)
        .and_then(|r| r.ancestor_at(RegionLevel::County))
    else {
        return no(msg!("entitlement-no-county"));
    };
    let wife = family
        .parents
        .iter()
        .find(|p| p.role == MemberRole::Mother && p.alive_in(month));
    let (reference, who) = match wife {
        Some(w) => (w, msg!("entitlement-reference-wife")),
        None => (parent, msg!("entitlement-reference-self")),
    };
    let age = reference_age(reference.birth_date, month, rules.switch);
    let Some(standard) = standard_for(standards, month, &county, age) else {
        return no(msg!(
            "entitlement-no-standard",
            age = age,
            month = month,
            county = county.as_str()
        ));
    };
    let turned = YearMonth::new(
        reference.birth_date.year() + age,
        reference.birth_date.month(),
    );
    let mut explanation = msg!(
        "entitlement-owed",
        amount = Arg::Fen(standard.monthly_fen),
        kind = standard.kind.word(),
        who = who,
        age = age,
        turned = turned
            .map(Arg::from)
            .unwrap_or_else(|| Arg::Text(String::new())),
        active = family
            .statuses
            .iter()
            .position(|(d, s)| *d == active_since && *s == FamilyStatus::Active)
            .map_or_else(|| YearMonth::of(active_since).into(), |i| family.since(i)),
        standard = standard.effective_from
    );
    if let Some(c) = &standard.county {
        explanation = msg!(
            "entitlement-county-standard",
            owed = explanation,
            county = c.as_str()
        );
    }
    Decision::Entitled(Entitlement {
        member_id,
        month,
        kind: standard.kind,
        amount_fen: standard.monthly_fen,
        county,
        standard_id: standard.id,
        explanation,
    })
}

pub mod account;

#[cfg(test)]
mod cases;
