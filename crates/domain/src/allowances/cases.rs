//! The hand-worked table: each case worked out on paper from the rules in the module docs.

use super::*;
use crate::rosters::*;
use nuanxin_locale::Locale;

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("date")
}

fn ym(s: &str) -> YearMonth {
    s.parse().expect("month")
}

fn rc(s: &str) -> RegionCode {
    RegionCode::parse(s).expect("region")
}

const WEIDU: &str = "411002";
const YANLING: &str = "411024";

fn standards() -> Vec<Standard> {
    seed_standards(ym("2010-01"))
}

fn father_id() -> Uuid {
    Uuid::from_u128(1)
}
fn mother_id() -> Uuid {
    Uuid::from_u128(2)
}

/// A family active since 2019-06, child died 2019-03, filed in Weidu.
fn family(wife_born: NaiveDate, husband_born: NaiveDate) -> FamilyTimeline {
    FamilyTimeline {
        family_id: Uuid::from_u128(10),
        child_death_date: Some(d(2019, 3, 8)),
        later_child_date: None,
        statuses: vec![
            (d(2019, 5, 1), FamilyStatus::Registered),
            (d(2019, 5, 20), FamilyStatus::Verified),
            (d(2019, 6, 1), FamilyStatus::Active),
        ],
        regions: vec![(d(2019, 5, 1), rc("411002001001"))],
        recorded: Vec::new(),
        parents: vec![
            Parent {
                member_id: father_id(),
                name: "王建国".into(),
                role: MemberRole::Father,
                birth_date: husband_born,
                deceased_on: None,
            },
            Parent {
                member_id: mother_id(),
                name: "李秀英".into(),
                role: MemberRole::Mother,
                birth_date: wife_born,
                deceased_on: None,
            },
        ],
    }
}

fn amount(
    f: &FamilyTimeline,
    who: Uuid,
    month: &str,
    rules: Rules,
    st: &[Standard],
) -> Option<i64> {
    entitlement(f, who, ym(month), st, rules)
        .entitled()
        .map(|e| e.amount_fen)
}

#[test]
fn wife_born_on_the_31st_switches_the_month_after_her_birthday() {
    let f = family(d(1975, 1, 31), d(1973, 6, 1));
    let r = Rules::default();
    assert_eq!(
        amount(&f, mother_id(), "2024-01", r, &standards()),
        Some(7_000)
    );
    assert_eq!(
        amount(&f, mother_id(), "2024-02", r, &standards()),
        Some(68_000)
    );
    // The husband follows his wife's age, not his own.
    assert_eq!(
        amount(&f, father_id(), "2024-01", r, &standards()),
        Some(7_000)
    );
    // Configured to switch in the birthday's own month.
    let r = Rules {
        switch: SwitchRule::BirthdayMonth,
        ..r
    };
    assert_eq!(
        amount(&f, mother_id(), "2023-12", r, &standards()),
        Some(7_000)
    );
    assert_eq!(
        amount(&f, mother_id(), "2024-01", r, &standards()),
        Some(68_000)
    );
}

#[test]
fn forty_ninth_birthday_in_december_switches_in_january() {
    let f = family(d(1975, 12, 10), d(1973, 6, 1));
    let r = Rules::default();
    assert_eq!(
        amount(&f, mother_id(), "2024-12", r, &standards()),
        Some(7_000)
    );
    assert_eq!(
        amount(&f, mother_id(), "2025-01", r, &standards()),
        Some(68_000)
    );
}

#[test]
fn the_explanation_names_the_reference_person_and_the_standard() {
    let f = family(d(1975, 3, 2), d(1973, 6, 1));
    let decision = entitlement(
        &f,
        mother_id(),
        ym("2024-05"),
        &standards(),
        Rules::default(),
    );
    assert_eq!(
        decision.explanation().render(Locale::Zh),
        "特别扶助金 680元: 女方2024年3月满 49 周岁; 家庭自2019年6月起享受; 执行2010年1月起的扶助标准"
    );
    assert_eq!(
        decision.explanation().render(Locale::En),
        "680 CNY special support allowance: wife turned 49 in 2024-03; family active since 2019-06; standard of 2010-01"
    );
}

#[test]
fn death_in_mid_month_is_paid_for_that_month_only() {
    let mut f = family(d(1960, 1, 1), d(1958, 1, 1));
    f.parents[0].deceased_on = Some(d(2024, 5, 15));
    let r = Rules::default();
    assert_eq!(
        amount(&f, father_id(), "2024-05", r, &standards()),
        Some(68_000)
    );
    assert_eq!(amount(&f, father_id(), "2024-06", r, &standards()), None);
    assert!(
        entitlement(&f, father_id(), ym("2024-06"), &standards(), r)
            .explanation()
            .render(Locale::En)
            .contains("died on 2024-05-15: paid through 2024-05")
    );
    assert_eq!(
        amount(&f, mother_id(), "2024-06", r, &standards()),
        Some(68_000)
    );
}

#[test]
fn a_standard_raised_mid_year_applies_from_its_month() {
    let mut st = standards();
    st[0].effective_to = Some(ym("2024-06"));
    st.push(Standard {
        id: Uuid::from_u128(99),
        kind: AllowanceKind::SpecialSupport,
        monthly_fen: 80_000,
        min_age: Some(49),
        max_age: None,
        effective_from: ym("2024-07"),
        effective_to: None,
        county: None,
    });
    let f = family(d(1960, 1, 1), d(1958, 1, 1));
    let r = Rules::default();
    assert_eq!(amount(&f, mother_id(), "2024-06", r, &st), Some(68_000));
    assert_eq!(amount(&f, mother_id(), "2024-07", r, &st), Some(80_000));
    // A county-scoped standard overrides the city's in that county only.
    st.push(Standard {
        id: Uuid::from_u128(100),
        kind: AllowanceKind::SpecialSupport,
        monthly_fen: 90_000,
        min_age: Some(49),
        max_age: None,
        effective_from: ym("2024-09"),
        effective_to: None,
        county: Some(rc(YANLING)),
    });
    assert_eq!(
        amount(&f, mother_id(), "2024-09", r, &st),
        Some(80_000),
        "Weidu keeps the city standard"
    );
}

#[test]
fn a_family_verified_five_months_late_is_owed_arrears() {
    let mut f = family(d(1960, 1, 1), d(1958, 1, 1));
    f.child_death_date = Some(d(2023, 12, 5)); // eligible from 2024-01
    f.statuses = vec![
        (d(2024, 1, 10), FamilyStatus::Registered),
        (d(2024, 6, 3), FamilyStatus::Verified),
        (d(2024, 6, 10), FamilyStatus::Active),
    ];
    let period = Period {
        start: ym("2024-06"),
        end: ym("2024-06"),
    };
    let lines = plan_roster(
        &rc(WEIDU),
        period,
        &[f.clone()],
        &[],
        &standards(),
        Rules::default(),
    );
    let mother: Vec<String> = lines
        .iter()
        .filter(|l| l.member_id == mother_id())
        .map(|l| l.month.to_string())
        .collect();
    assert_eq!(
        mother,
        [
            "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"
        ]
    );
    assert_eq!(lines.len(), 12, "two parents × six months");
    assert!(
        lines[0]
            .explanation
            .render(Locale::En)
            .starts_with("arrears for 2024-01")
    );
    assert!(
        lines[0]
            .explanation
            .render(Locale::Zh)
            .starts_with("补发2024年1月")
    );
    assert_eq!(lines.iter().map(|l| l.amount_fen).sum::<i64>(), 12 * 68_000);
    // With a cap of three months, only 2024-03..2024-06.
    let capped = plan_roster(
        &rc(WEIDU),
        period,
        &[f],
        &[],
        &standards(),
        Rules {
            arrears_cap_months: 3,
            ..Rules::default()
        },
    );
    assert_eq!(capped.len(), 8);
}

fn paid(member: Uuid, month: &str, county: &str) -> ExistingLine {
    ExistingLine {
        member_id: member,
        family_id: Uuid::from_u128(10),
        month: ym(month),
        kind: AllowanceKind::SpecialSupport,
        amount_fen: 68_000,
        line_type: LineType::Regular,
        attempt: 1,
        state: LineState::Paid,
        county: rc(county),
    }
}

#[test]
fn a_death_recorded_three_months_late_is_clawed_back() {
    let mut f = family(d(1960, 1, 1), d(1958, 1, 1));
    f.parents[0].deceased_on = Some(d(2024, 3, 20));
    // Everything up to June was paid to both parents before the death was recorded.
    let existing: Vec<ExistingLine> = ym("2022-01")
        .through(ym("2024-06"))
        .flat_map(|m| {
            let m = m.to_string();
            [paid(father_id(), &m, WEIDU), paid(mother_id(), &m, WEIDU)]
        })
        .collect();
    let period = Period {
        start: ym("2024-07"),
        end: ym("2024-07"),
    };
    let lines = plan_roster(
        &rc(WEIDU),
        period,
        &[f],
        &existing,
        &standards(),
        Rules::default(),
    );
    let claw: Vec<(String, i64)> = lines
        .iter()
        .filter(|l| l.line_type == LineType::Clawback)
        .map(|l| (l.month.to_string(), l.amount_fen))
        .collect();
    assert_eq!(
        claw,
        [
            ("2024-04".into(), -68_000),
            ("2024-05".into(), -68_000),
            ("2024-06".into(), -68_000)
        ]
    );
    let regular: Vec<(Uuid, String)> = lines
        .iter()
        .filter(|l| l.line_type == LineType::Regular)
        .map(|l| (l.member_id, l.month.to_string()))
        .collect();
    assert_eq!(
        regular,
        [(mother_id(), "2024-07".to_owned())],
        "only the widow is paid in July"
    );
    assert_eq!(
        lines.iter().map(|l| l.amount_fen).sum::<i64>(),
        68_000 - 3 * 68_000
    );
}

#[test]
fn a_move_between_counties_mid_year_splits_the_months() {
    let mut f = family(d(1960, 1, 1), d(1958, 1, 1));
    f.regions.push((d(2024, 6, 15), rc("411024001001")));
    let r = Rules::default();
    let county = |m: &str| {
        entitlement(&f, mother_id(), ym(m), &standards(), r)
            .entitled()
            .map(|e| e.county.to_string())
    };
    assert_eq!(
        county("2024-06").as_deref(),
        Some(WEIDU),
        "the month of the move: the county left"
    );
    assert_eq!(county("2024-07").as_deref(), Some(YANLING));
    // Both counties paid up to June already.
    let existing: Vec<ExistingLine> = YearMonth::of(d(2024, 1, 1))
        .through(ym("2024-06"))
        .flat_map(|m| {
            let m = m.to_string();
            [paid(father_id(), &m, WEIDU), paid(mother_id(), &m, WEIDU)]
        })
        .collect();
    let july = Period {
        start: ym("2024-07"),
        end: ym("2024-07"),
    };
    let weidu = plan_roster(&rc(WEIDU), july, &[f.clone()], &existing, &standards(), r);
    let from_2024: Vec<_> = weidu.iter().filter(|l| l.month >= ym("2024-01")).collect();
    assert!(
        from_2024.is_empty(),
        "Weidu pays nothing from July: {from_2024:?}"
    );
    let yanling = plan_roster(&rc(YANLING), july, &[f], &existing, &standards(), r);
    let months: Vec<String> = yanling.iter().map(|l| l.month.to_string()).collect();
    assert_eq!(months, ["2024-07", "2024-07"]);
    assert_eq!(
        yanling[0]
            .township
            .as_ref()
            .map(|t| t.to_string())
            .as_deref(),
        Some("411024001")
    );
}

#[test]
fn a_widower_is_paid_by_his_own_age() {
    // The wife (born 1980) died in 2020-03; the husband was born 1970.
    let mut f = family(d(1980, 6, 1), d(1970, 5, 1));
    f.parents[1].deceased_on = Some(d(2020, 3, 1));
    let r = Rules::default();
    // In the month of her death she is alive for the month: her age (39) decides.
    assert_eq!(
        amount(&f, father_id(), "2020-03", r, &standards()),
        Some(7_000)
    );
    // From the next month, his own age (49 from 2019-06 on) decides.
    assert_eq!(
        amount(&f, father_id(), "2020-04", r, &standards()),
        Some(68_000)
    );
    assert_eq!(amount(&f, mother_id(), "2020-04", r, &standards()), None);
    assert!(
        entitlement(&f, father_id(), ym("2020-04"), &standards(), r)
            .explanation()
            .render(Locale::En)
            .contains("no living wife on file; own age: turned 49 in 2019-05")
    );
}

#[test]
fn later_child_move_out_and_suspension_stop_payment() {
    let r = Rules::default();
    let mut f = family(d(1960, 1, 1), d(1958, 1, 1));
    f.later_child_date = Some(d(2024, 4, 20));
    assert_eq!(
        amount(&f, mother_id(), "2024-03", r, &standards()),
        Some(68_000)
    );
    assert_eq!(amount(&f, mother_id(), "2024-04", r, &standards()), None);

    let mut f = family(d(1960, 1, 1), d(1958, 1, 1));
    f.statuses.push((d(2024, 4, 20), FamilyStatus::MovedOut));
    assert_eq!(
        amount(&f, mother_id(), "2024-03", r, &standards()),
        Some(68_000)
    );
    assert_eq!(amount(&f, mother_id(), "2024-04", r, &standards()), None);

    let mut f = family(d(1960, 1, 1), d(1958, 1, 1));
    f.statuses.push((d(2024, 4, 20), FamilyStatus::Suspended));
    f.statuses.push((d(2024, 6, 2), FamilyStatus::Active));
    assert_eq!(
        amount(&f, mother_id(), "2024-04", r, &standards()),
        Some(68_000)
    );
    assert_eq!(amount(&f, mother_id(), "2024-05", r, &standards()), None);
    assert_eq!(amount(&f, mother_id(), "2024-06", r, &standards()), None);
    assert_eq!(
        amount(&f, mother_id(), "2024-07", r, &standards()),
        Some(68_000)
    );

    // Before the child's death there is nothing; and grandchildren are never paid.
    let f = family(d(1960, 1, 1), d(1958, 1, 1));
    assert_eq!(amount(&f, mother_id(), "2019-03", r, &standards()), None);
    assert_eq!(
        amount(&f, mother_id(), "2019-04", r, &standards()),
        Some(68_000)
    );
    assert_eq!(
        amount(&f, Uuid::from_u128(77), "2024-01", r, &standards()),
        None
    );
}

#[test]
fn a_returned_payment_is_paid_again_and_a_pending_one_is_not_duplicated() {
    let f = family(d(1960, 1, 1), d(1958, 1, 1));
    let mut returned = paid(mother_id(), "2024-06", WEIDU);
    returned.state = LineState::Unpaid;
    let mut pending = paid(father_id(), "2024-06", WEIDU);
    pending.state = LineState::Pending;
    let mut existing = vec![returned, pending];
    for m in YearMonth::of(d(2022, 1, 1)).through(ym("2024-05")) {
        existing.push(paid(mother_id(), &m.to_string(), WEIDU));
        existing.push(paid(father_id(), &m.to_string(), WEIDU));
    }
    let period = Period {
        start: ym("2024-07"),
        end: ym("2024-07"),
    };
    let lines = plan_roster(
        &rc(WEIDU),
        period,
        &[f],
        &existing,
        &standards(),
        Rules::default(),
    );
    let summary: Vec<(Uuid, String, i32)> = lines
        .iter()
        .map(|l| (l.member_id, l.month.to_string(), l.attempt))
        .collect();
    assert!(
        summary.contains(&(mother_id(), "2024-06".into(), 2)),
        "{summary:?}"
    );
    assert!(
        !summary
            .iter()
            .any(|(m, month, _)| *m == father_id() && month == "2024-06")
    );
    assert_eq!(lines.iter().filter(|l| l.month == ym("2024-07")).count(), 2);
}

#[test]
fn roster_lifecycle_and_maker_checker() {
    let maker = Uuid::from_u128(1);
    let checker = Uuid::from_u128(2);
    assert!(
        check_roster_transition(RosterStatus::Draft, RosterStatus::Submitted, None, maker).is_ok()
    );
    assert_eq!(
        check_roster_transition(
            RosterStatus::Submitted,
            RosterStatus::Approved,
            Some(maker),
            maker
        ),
        Err(RosterTransitionError::SameAsSubmitter)
    );
    assert!(
        check_roster_transition(
            RosterStatus::Submitted,
            RosterStatus::Approved,
            Some(maker),
            checker
        )
        .is_ok()
    );
    assert!(
        check_roster_transition(RosterStatus::Draft, RosterStatus::Paid, None, checker).is_err()
    );
    assert!(RosterStatus::Submitted.is_frozen() && !RosterStatus::Draft.is_frozen());
}

#[test]
fn yuan_formatting() {
    use nuanxin_locale::yuan;
    assert_eq!(yuan(68_000), "680");
    assert_eq!(yuan(7_050), "70.50");
    assert_eq!(yuan(-68_000), "-680");
}

#[test]
fn a_death_recorded_in_error_is_paid_again_once_corrected_and_clawed_back_once_more_if_true() {
    // Paid to June; a death in March was recorded and clawed back (April–June)…
    let alive = family(d(1960, 1, 1), d(1958, 1, 1));
    let clawed = |m: &str| ExistingLine {
        amount_fen: -68_000,
        line_type: LineType::Clawback,
        ..paid(father_id(), m, WEIDU)
    };
    let mut existing: Vec<ExistingLine> = ym("2022-01")
        .through(ym("2024-06"))
        .flat_map(|m| {
            let m = m.to_string();
            [paid(father_id(), &m, WEIDU), paid(mother_id(), &m, WEIDU)]
        })
        .collect();
    existing.extend(["2024-04", "2024-05", "2024-06"].map(clawed));
    let period = Period {
        start: ym("2024-07"),
        end: ym("2024-07"),
    };
    // …then the death record is corrected (he is alive): the three months are owed again.
    let lines = plan_roster(
        &rc(WEIDU),
        period,
        std::slice::from_ref(&alive),
        &existing,
        &standards(),
        Rules::default(),
    );
    let again: Vec<(String, i32)> = lines
        .iter()
        .filter(|l| l.member_id == father_id() && l.month < ym("2024-07"))
        .map(|l| (l.month.to_string(), l.attempt))
        .collect();
    assert_eq!(
        again,
        [
            ("2024-04".into(), 2),
            ("2024-05".into(), 2),
            ("2024-06".into(), 2)
        ]
    );
    assert!(lines.iter().all(|l| l.line_type == LineType::Regular));
    // Control: nothing is owed twice — with the repayments on file, only July is new.
    existing.extend(["2024-04", "2024-05", "2024-06"].map(|m| ExistingLine {
        attempt: 2,
        ..paid(father_id(), m, WEIDU)
    }));
    let lines = plan_roster(
        &rc(WEIDU),
        period,
        &[alive],
        &existing,
        &standards(),
        Rules::default(),
    );
    assert!(lines.iter().all(|l| l.month == ym("2024-07")), "{lines:?}");
    // And if he did die after all, the months are clawed back once more (attempt 2).
    let mut dead = family(d(1960, 1, 1), d(1958, 1, 1));
    dead.parents[0].deceased_on = Some(d(2024, 3, 20));
    let lines = plan_roster(
        &rc(WEIDU),
        period,
        &[dead],
        &existing,
        &standards(),
        Rules::default(),
    );
    let claws: Vec<(String, i32)> = lines
        .iter()
        .filter(|l| l.line_type == LineType::Clawback)
        .map(|l| (l.month.to_string(), l.attempt))
        .collect();
    assert_eq!(
        claws,
        [
            ("2024-04".into(), 2),
            ("2024-05".into(), 2),
            ("2024-06".into(), 2)
        ]
    );
}

/// The standards of the seed, with special support raised (or lowered) from `from`.
fn changed_standards(from: &str, fen: i64) -> Vec<Standard> {
    let mut s = standards();
    s.push(Standard {
        id: Uuid::from_u128(99),
        kind: AllowanceKind::SpecialSupport,
        monthly_fen: fen,
        min_age: Some(49),
        max_age: None,
        effective_from: ym(from),
        effective_to: None,
        county: None,
    });
    s
}

/// Both parents paid at 680 for every month from 2022-01 through `through`.
fn paid_through(through: &str) -> Vec<ExistingLine> {
    ym("2022-01")
        .through(ym(through))
        .flat_map(|m| {
            let m = m.to_string();
            [paid(father_id(), &m, WEIDU), paid(mother_id(), &m, WEIDU)]
        })
        .collect()
}

fn lines_of(
    existing: &[ExistingLine],
    standards: &[Standard],
    period: &str,
) -> Vec<(Uuid, String, LineType, i64)> {
    let f = family(d(1960, 1, 1), d(1958, 1, 1));
    let p = Period {
        start: ym(period),
        end: ym(period),
    };
    plan_roster(&rc(WEIDU), p, &[f], existing, standards, Rules::default())
        .into_iter()
        .map(|l| (l.member_id, l.month.to_string(), l.line_type, l.amount_fen))
        .collect()
}

#[test]
fn a_standard_raised_retroactively_tops_up_the_months_paid_at_the_old_amount() {
    // January to March paid at 680; in April the city raises the standard to 780 from
    // February: February and March get 100 each, April is paid at 780, January stays.
    let existing = paid_through("2024-03");
    let mut lines = lines_of(&existing, &changed_standards("2024-02", 78_000), "2024-04");
    lines.sort();
    let adj = LineType::Adjustment;
    assert_eq!(
        lines,
        vec![
            (father_id(), "2024-02".into(), adj, 10_000),
            (father_id(), "2024-03".into(), adj, 10_000),
            (father_id(), "2024-04".into(), LineType::Regular, 78_000),
            (mother_id(), "2024-02".into(), adj, 10_000),
            (mother_id(), "2024-03".into(), adj, 10_000),
            (mother_id(), "2024-04".into(), LineType::Regular, 78_000),
        ]
    );
    // Once the top-ups are paid, nothing more is owed for those months.
    let mut settled = existing.clone();
    for (member, month, t, fen) in lines.iter().filter(|l| l.2 == adj) {
        settled.push(ExistingLine {
            member_id: *member,
            month: ym(month),
            line_type: *t,
            amount_fen: *fen,
            ..paid(*member, month, WEIDU)
        });
    }
    settled.extend([
        ExistingLine {
            amount_fen: 78_000,
            ..paid(father_id(), "2024-04", WEIDU)
        },
        ExistingLine {
            amount_fen: 78_000,
            ..paid(mother_id(), "2024-04", WEIDU)
        },
    ]);
    let next = lines_of(&settled, &changed_standards("2024-02", 78_000), "2024-05");
    assert!(
        next.iter()
            .all(|l| l.1 == "2024-05" && l.2 == LineType::Regular),
        "{next:?}"
    );
}

#[test]
fn a_standard_lowered_retroactively_takes_back_the_difference() {
    let existing = paid_through("2024-03");
    let lines = lines_of(&existing, &changed_standards("2024-03", 60_000), "2024-03");
    assert_eq!(
        lines,
        vec![
            (father_id(), "2024-03".into(), LineType::Adjustment, -8_000),
            (mother_id(), "2024-03".into(), LineType::Adjustment, -8_000),
        ]
    );
    let f = family(d(1960, 1, 1), d(1958, 1, 1));
    let p = Period {
        start: ym("2024-03"),
        end: ym("2024-03"),
    };
    let planned = plan_roster(
        &rc(WEIDU),
        p,
        &[f],
        &existing,
        &changed_standards("2024-03", 60_000),
        Rules::default(),
    );
    assert_eq!(
        planned[0].explanation.render(Locale::Zh),
        "差额扣回2024年3月: 已发 680元, 按现行标准应发 特别扶助金 600元: 女方2024年1月满 64 周岁; 家庭自2019年6月起享受; 执行2024年3月起的扶助标准"
    );
}

#[test]
fn a_returned_month_is_paid_again_at_what_it_is_owed_net_of_a_difference_already_paid() {
    // March was paid at 680 and topped up by 100 to 780; then the bank returned the 680.
    // The re-payment is 680: with the 100 already paid, the month gets its 780.
    let returned = ExistingLine {
        state: LineState::Unpaid,
        ..paid(father_id(), "2024-03", WEIDU)
    };
    let topped = ExistingLine {
        line_type: LineType::Adjustment,
        amount_fen: 10_000,
        ..paid(father_id(), "2024-03", WEIDU)
    };
    let mut existing: Vec<ExistingLine> = paid_through("2024-02");
    existing.extend([
        returned,
        topped,
        paid(mother_id(), "2024-03", WEIDU),
        ExistingLine {
            line_type: LineType::Adjustment,
            amount_fen: 10_000,
            ..paid(mother_id(), "2024-03", WEIDU)
        },
    ]);
    let lines = lines_of(&existing, &changed_standards("2024-03", 78_000), "2024-03");
    assert_eq!(
        lines,
        vec![(father_id(), "2024-03".into(), LineType::Regular, 68_000)],
        "the mother's month is whole; the father's is paid again net of the difference"
    );
}

#[test]
fn a_closure_back_dated_stops_the_allowance_from_its_effective_date_and_says_both() {
    // Closed in December 2024 with effect from September: September to November were paid
    // and come back; the explanation names the effective month and the recorded one.
    let mut f = family(d(1960, 1, 1), d(1958, 1, 1));
    f.statuses.push((d(2024, 9, 1), FamilyStatus::Closed));
    f.recorded = vec![d(2019, 5, 1), d(2019, 5, 20), d(2019, 6, 1), d(2024, 12, 3)];
    let existing = paid_through("2024-11");
    let p = Period {
        start: ym("2024-12"),
        end: ym("2024-12"),
    };
    let lines = plan_roster(
        &rc(WEIDU),
        p,
        &[f],
        &existing,
        &standards(),
        Rules::default(),
    );
    let claws: Vec<String> = lines
        .iter()
        .filter(|l| l.member_id == father_id())
        .map(|l| format!("{} {:?} {}", l.month, l.line_type, l.amount_fen))
        .collect();
    assert_eq!(
        claws,
        [
            "2024-09 Clawback -68000",
            "2024-10 Clawback -68000",
            "2024-11 Clawback -68000"
        ]
    );
    let why = lines[0].explanation.render(Locale::Zh);
    assert!(why.contains("自2024年9月 (2024年12月登记)起停发"), "{why}");
    let why = lines[0].explanation.render(Locale::En);
    assert!(why.contains("from 2024-09, recorded 2024-12"), "{why}");
}
