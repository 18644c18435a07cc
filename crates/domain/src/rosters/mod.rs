//! Payment rosters (发放花名册): what a county's roster for a period must contain (arrears,
//! claw-backs, carry-over of returned payments, county moves) and the roster lifecycle
//! (draft → submitted → approved → paid → reconciled). The entitlement rules are in
//! [`crate::allowances`].

pub mod bank_file;

use nuanxin_locale::{Arg, Localised, Message, localised_error, msg};
use uuid::Uuid;

use crate::allowances::{AllowanceKind, Decision, FamilyTimeline, Rules, Standard, entitlement};
use crate::month::YearMonth;
use crate::registry::family::FamilyStatus;
use crate::registry::region::{RegionCode, RegionLevel};

/// Regular lines pay a month; claw-back lines take back a month paid in error; adjustments
/// pay or take back the difference when a standard changed after the month was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineType {
    Regular,
    Clawback,
    /// The difference for a month already paid when its standard changed afterwards
    /// (差额补发 when positive, 差额扣回 when negative).
    Adjustment,
}

impl LineType {
    pub fn as_str(self) -> &'static str {
        match self {
            LineType::Regular => "regular",
            LineType::Clawback => "clawback",
            LineType::Adjustment => "adjustment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "regular" => Some(LineType::Regular),
            "clawback" => Some(LineType::Clawback),
            "adjustment" => Some(LineType::Adjustment),
            _ => None,
        }
    }
}

/// Where an existing roster line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineState {
    /// In a roster not yet paid (draft to approved).
    Pending,
    /// In a paid roster, or reconciled as paid.
    Paid,
    /// Reconciled as returned or failed: to be paid again.
    Unpaid,
}

/// A line already in some roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingLine {
    pub member_id: Uuid,
    pub family_id: Uuid,
    pub month: YearMonth,
    pub kind: AllowanceKind,
    pub amount_fen: i64,
    pub line_type: LineType,
    pub attempt: i32,
    pub state: LineState,
    /// The county whose roster holds it.
    pub county: RegionCode,
}

/// A line to put in the roster being generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    pub member_id: Uuid,
    pub family_id: Uuid,
    pub month: YearMonth,
    pub kind: AllowanceKind,
    pub amount_fen: i64,
    pub line_type: LineType,
    pub attempt: i32,
    /// The family's township (for totals by township), as filed now.
    pub township: Option<RegionCode>,
    pub explanation: Message,
}

/// A roster's period: one month by default, or a quarter or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: YearMonth,
    pub end: YearMonth,
}

/// A period that is not one month, a quarter or a calendar year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError;

impl Localised for PeriodError {
    fn message(&self) -> Message {
        msg!("roster-period")
    }
}
localised_error!(PeriodError);

impl Period {
    /// The period of `months` months (1, 3 or 12) from `start`: quarters start in January,
    /// April, July or October, years in January.
    pub fn starting(start: YearMonth, months: i32) -> Result<Self, PeriodError> {
        let ok = match months {
            1 => true,
            3 => start.month() % 3 == 1,
            12 => start.month() == 1,
            _ => false,
        };
        if !ok {
            return Err(PeriodError);
        }
        Ok(Self {
            start,
            end: start.plus(months - 1),
        })
    }
}

/// Plans the lines of `county`'s roster for `period`: every month owed to parents of active
/// families (the period's months, arrears and unpaid carry-overs) that no roster holds yet,
/// and a claw-back for every month this county paid that is no longer owed.
/// `existing` must hold every line of these families' members in the window.
pub fn plan_roster(
    county: &RegionCode,
    period: Period,
    families: &[FamilyTimeline],
    existing: &[ExistingLine],
    standards: &[Standard],
    rules: Rules,
) -> Vec<PlannedLine> {
    use std::collections::HashMap;
    let window_start = period.start.plus(-(rules.arrears_cap_months as i32));
    let mut by_key: HashMap<(Uuid, YearMonth, AllowanceKind, LineType), Vec<&ExistingLine>> =
        HashMap::new();
    let mut by_member: HashMap<Uuid, Vec<&ExistingLine>> = HashMap::new();
    for line in existing {
        by_key
            .entry((line.member_id, line.month, line.kind, line.line_type))
            .or_default()
            .push(line);
        by_member.entry(line.member_id).or_default().push(line);
    }
    let mut planned = Vec::new();
    for family in families {
        let township = family
            .current_region()
            .and_then(|r| r.ancestor_at(RegionLevel::Township));
        let active_now = family.current_status() == Some(FamilyStatus::Active);
        for parent in &family.parents {
            let decide = |m| entitlement(family, parent.member_id, m, standards, rules);
            if active_now {
                let first = family
                    .eligibility_start()
                    .map_or(period.start, |e| e.max(window_start));
                for month in first.through(period.end) {
                    let Decision::Entitled(e) = decide(month) else {
                        continue;
                    };
                    if &e.county != county {
                        continue;
                    }
                    let lines = by_key.get(&(parent.member_id, month, e.kind, LineType::Regular));
                    let lines = lines.map(Vec::as_slice).unwrap_or_default();
                    let claws = by_key.get(&(parent.member_id, month, e.kind, LineType::Clawback));
                    let claws = claws.map(Vec::as_slice).unwrap_or_default();
                    let adjustments =
                        by_key.get(&(parent.member_id, month, e.kind, LineType::Adjustment));
                    let adjustments = adjustments.map(Vec::as_slice).unwrap_or_default();
                    // What the month has been paid (or is being paid), every kind of line
                    // counted: the difference to what it is owed now is the adjustment.
                    let net =
                        settled_amount(lines) + settled_amount(claws) + settled_amount(adjustments);
                    // Paid, net of claw-backs: a month clawed back after a death recorded in
                    // error is owed again once the record is corrected.
                    if settled(lines) > settled(claws) {
                        let difference = e.amount_fen - net;
                        if difference != 0 {
                            planned.push(PlannedLine {
                                member_id: parent.member_id,
                                family_id: family.family_id,
                                month,
                                kind: e.kind,
                                amount_fen: difference,
                                line_type: LineType::Adjustment,
                                attempt: adjustments.iter().map(|l| l.attempt).max().unwrap_or(0)
                                    + 1,
                                township: township.clone(),
                                explanation: if difference > 0 {
                                    msg!(
                                        "line-topup",
                                        month = month,
                                        paid = Arg::Fen(net),
                                        owed = e.explanation.clone()
                                    )
                                } else {
                                    msg!(
                                        "line-reduction",
                                        month = month,
                                        paid = Arg::Fen(net),
                                        owed = e.explanation.clone()
                                    )
                                },
                            });
                        }
                        continue;
                    }
                    // A month paid again pays what is owed less what was already settled
                    // of it (an adjustment paid while its regular line came back).
                    let amount = e.amount_fen - net;
                    if amount <= 0 {
                        continue;
                    }
                    let attempt = lines.iter().map(|l| l.attempt).max().unwrap_or(0) + 1;
                    let explanation = if !claws.is_empty() {
                        msg!(
                            "line-repaid-after-clawback",
                            attempt = attempt,
                            owed = e.explanation.clone()
                        )
                    } else if attempt > 1 {
                        msg!(
                            "line-repaid-after-return",
                            attempt = attempt,
                            owed = e.explanation.clone()
                        )
                    } else if month < period.start {
                        msg!("line-arrears", month = month, owed = e.explanation.clone())
                    } else {
                        e.explanation.clone()
                    };
                    planned.push(PlannedLine {
                        member_id: parent.member_id,
                        family_id: family.family_id,
                        month,
                        kind: e.kind,
                        amount_fen: amount,
                        line_type: LineType::Regular,
                        attempt,
                        township: township.clone(),
                        explanation,
                    });
                }
            }
            // Claw-backs: months this county paid (net of earlier claw-backs) that are no
            // longer owed.
            let mut seen = std::collections::HashSet::new();
            for paid in by_member.get(&parent.member_id).into_iter().flatten() {
                if paid.line_type != LineType::Regular
                    || paid.state != LineState::Paid
                    || &paid.county != county
                    || !seen.insert((paid.month, paid.kind))
                {
                    continue;
                }
                let reason = match decide(paid.month) {
                    Decision::Entitled(e) if e.kind == paid.kind => continue,
                    Decision::Entitled(e) => msg!("line-now-owed-other-kind", kind = e.kind.word()),
                    Decision::NotEntitled { reason } => reason,
                };
                let key = |t| (paid.member_id, paid.month, paid.kind, t);
                let regular = by_key
                    .get(&key(LineType::Regular))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let claws = by_key
                    .get(&key(LineType::Clawback))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let paid_net = regular
                    .iter()
                    .filter(|l| l.state == LineState::Paid)
                    .count();
                if paid_net <= settled(claws) {
                    continue;
                }
                let adjustments = by_key
                    .get(&key(LineType::Adjustment))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                // The whole month comes back: its payment and any difference paid since.
                let clawed = paid.amount_fen + settled_amount(adjustments);
                let attempt = claws.iter().map(|l| l.attempt).max().unwrap_or(0) + 1;
                planned.push(PlannedLine {
                    member_id: paid.member_id,
                    family_id: paid.family_id,
                    month: paid.month,
                    kind: paid.kind,
                    amount_fen: -clawed,
                    line_type: LineType::Clawback,
                    attempt,
                    township: township.clone(),
                    explanation: msg!(
                        "line-clawback",
                        amount = Arg::Fen(clawed),
                        month = paid.month,
                        reason = reason
                    ),
                });
            }
        }
    }
    planned
}

/// What `lines` amount to, counting the settled ones only (pending or paid).
fn settled_amount(lines: &[&ExistingLine]) -> i64 {
    lines
        .iter()
        .filter(|l| l.state != LineState::Unpaid)
        .map(|l| l.amount_fen)
        .sum()
}

/// How many of `lines` count (pending or paid; a returned or failed one does not).
fn settled(lines: &[&ExistingLine]) -> usize {
    lines
        .iter()
        .filter(|l| l.state != LineState::Unpaid)
        .count()
}

/// A roster's lifecycle (发放花名册).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RosterStatus {
    /// Generated by the county; regenerates idempotently.
    Draft,
    /// Frozen and sent to the city for approval.
    Submitted,
    /// Approved by a city admin other than the submitter.
    Approved,
    /// Paid by the bank (batch reference and date).
    Paid,
    /// Every line's outcome recorded.
    Reconciled,
}

impl RosterStatus {
    pub const ALL: [RosterStatus; 5] = [
        RosterStatus::Draft,
        RosterStatus::Submitted,
        RosterStatus::Approved,
        RosterStatus::Paid,
        RosterStatus::Reconciled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RosterStatus::Draft => "draft",
            RosterStatus::Submitted => "submitted",
            RosterStatus::Approved => "approved",
            RosterStatus::Paid => "paid",
            RosterStatus::Reconciled => "reconciled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The status as the office says it (草稿 / 待审批 …, GLOSSARY.md).
    pub fn word(self) -> Message {
        Message::term("roster-status", self.as_str())
    }

    pub fn is_frozen(self) -> bool {
        self != RosterStatus::Draft
    }

    pub fn next(self) -> Option<RosterStatus> {
        match self {
            RosterStatus::Draft => Some(RosterStatus::Submitted),
            RosterStatus::Submitted => Some(RosterStatus::Approved),
            RosterStatus::Approved => Some(RosterStatus::Paid),
            RosterStatus::Paid => Some(RosterStatus::Reconciled),
            RosterStatus::Reconciled => None,
        }
    }

    /// Every legal step from here: the next one, and for a submitted roster the way back to
    /// a draft (退回, sent back by the approver with a reason). Nothing paid ever goes back.
    pub fn legal_steps(self) -> &'static [RosterStatus] {
        match self {
            RosterStatus::Draft => &[RosterStatus::Submitted],
            RosterStatus::Submitted => &[RosterStatus::Approved, RosterStatus::Draft],
            RosterStatus::Approved => &[RosterStatus::Paid],
            RosterStatus::Paid => &[RosterStatus::Reconciled],
            RosterStatus::Reconciled => &[],
        }
    }
}

/// What happened to a roster, as its history (履历) records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RosterStep {
    Generated,
    Submitted,
    /// Sent back (退回) to the county as a draft, with the approver's reason.
    Returned,
    Approved,
    Paid,
    Reconciled,
}

impl RosterStep {
    pub const ALL: [RosterStep; 6] = [
        RosterStep::Generated,
        RosterStep::Submitted,
        RosterStep::Returned,
        RosterStep::Approved,
        RosterStep::Paid,
        RosterStep::Reconciled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RosterStep::Generated => "generated",
            RosterStep::Submitted => "submitted",
            RosterStep::Returned => "returned",
            RosterStep::Approved => "approved",
            RosterStep::Paid => "paid",
            RosterStep::Reconciled => "reconciled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The step a status change is.
    pub fn of_transition(from: RosterStatus, to: RosterStatus) -> Option<Self> {
        match (from, to) {
            (RosterStatus::Draft, RosterStatus::Submitted) => Some(RosterStep::Submitted),
            (RosterStatus::Submitted, RosterStatus::Draft) => Some(RosterStep::Returned),
            (RosterStatus::Submitted, RosterStatus::Approved) => Some(RosterStep::Approved),
            (RosterStatus::Approved, RosterStatus::Paid) => Some(RosterStep::Paid),
            (RosterStatus::Paid, RosterStatus::Reconciled) => Some(RosterStep::Reconciled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterTransitionError {
    Illegal {
        from: RosterStatus,
        to: RosterStatus,
    },
    SameAsSubmitter,
}

impl Localised for RosterTransitionError {
    fn message(&self) -> Message {
        match self {
            RosterTransitionError::Illegal { from, to } => match from.next() {
                Some(next) => msg!(
                    "roster-status-illegal",
                    from = from.word(),
                    to = to.word(),
                    next = next.word()
                ),
                None => msg!("roster-status-final", from = from.word(), to = to.word()),
            },
            RosterTransitionError::SameAsSubmitter => msg!("roster-same-as-submitter"),
        }
    }
}
localised_error!(RosterTransitionError);

/// What a step of the roster lifecycle needs besides legality and permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepInputError {
    Empty,
    PaidBeforeApproval { approved_on: chrono::NaiveDate },
    PaidInFuture,
}

impl Localised for StepInputError {
    fn message(&self) -> Message {
        match self {
            StepInputError::Empty => msg!("roster-empty"),
            StepInputError::PaidBeforeApproval { approved_on } => {
                msg!("roster-paid-before-approval", approved = *approved_on)
            }
            StepInputError::PaidInFuture => msg!("roster-paid-in-future"),
        }
    }
}
localised_error!(StepInputError);

/// A roster may be submitted only with lines in it.
pub fn check_submittable(line_count: i32) -> Result<(), StepInputError> {
    if line_count == 0 {
        Err(StepInputError::Empty)
    } else {
        Ok(())
    }
}

/// The payment date lies between the approval (a China date) and today.
pub fn check_paid_on(
    approved_on: Option<chrono::NaiveDate>,
    paid_on: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<(), StepInputError> {
    if paid_on > today {
        return Err(StepInputError::PaidInFuture);
    }
    match approved_on {
        Some(approved_on) if paid_on < approved_on => {
            Err(StepInputError::PaidBeforeApproval { approved_on })
        }
        _ => Ok(()),
    }
}

/// Checks a roster transition, including the maker-checker rule on approval.
pub fn check_roster_transition(
    from: RosterStatus,
    to: RosterStatus,
    submitter: Option<Uuid>,
    actor: Uuid,
) -> Result<(), RosterTransitionError> {
    if !from.legal_steps().contains(&to) {
        return Err(RosterTransitionError::Illegal { from, to });
    }
    if to == RosterStatus::Approved && submitter == Some(actor) {
        return Err(RosterTransitionError::SameAsSubmitter);
    }
    Ok(())
}

#[cfg(test)]
mod period_tests {
    use super::*;

    #[test]
    fn periods_are_months_quarters_or_years() {
        let ym = |s: &str| s.parse::<YearMonth>().expect("month");
        assert_eq!(
            Period::starting(ym("2026-04"), 3).map(|p| p.end),
            Ok(ym("2026-06"))
        );
        assert_eq!(Period::starting(ym("2026-05"), 3), Err(PeriodError));
        assert_eq!(Period::starting(ym("2026-02"), 12), Err(PeriodError));
        assert_eq!(Period::starting(ym("2026-11"), 2), Err(PeriodError));
        assert_eq!(
            Period::starting(ym("2026-11"), 1).map(|p| p.end),
            Ok(ym("2026-11"))
        );
    }
}

#[cfg(test)]
mod lifecycle_tests {
    use super::*;

    #[test]
    fn only_a_submitted_roster_goes_back_and_only_to_a_draft() {
        let me = Uuid::now_v7();
        use RosterStatus::*;
        assert!(check_roster_transition(Submitted, Draft, Some(me), me).is_ok());
        for (from, to) in [
            (Approved, Draft),
            (Approved, Submitted),
            (Paid, Approved),
            (Reconciled, Paid),
            (Draft, Approved),
        ] {
            assert!(
                check_roster_transition(from, to, None, me).is_err(),
                "{from:?} → {to:?}"
            );
        }
        assert_eq!(
            RosterStep::of_transition(Submitted, Draft),
            Some(RosterStep::Returned)
        );
        for from in RosterStatus::ALL {
            for to in from.legal_steps() {
                assert!(
                    RosterStep::of_transition(from, *to).is_some(),
                    "every legal step is recorded"
                );
            }
        }
    }
}
