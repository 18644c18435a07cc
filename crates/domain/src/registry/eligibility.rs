//! Eligibility (开展对象) of a family for the Warm Heart Action.
//!
//! All four rules must hold: household registration in the city; the couple holds the
//! Only-Child Parents' Honour Certificate; the only child is deceased; no later birth or
//! adoption. The decision carries one outcome per rule and the rule-set version, so
//! "why is this family (not) eligible" always has an answer.

use chrono::NaiveDate;
use nuanxin_locale::{Message, msg};

use crate::registry::family::{Family, Member};
use crate::registry::region::RegionCode;

/// Bumped whenever a rule's meaning changes, so old decisions stay explainable.
pub const RULE_SET_VERSION: &str = "warm-heart-2024.1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// 户籍在本市
    RegisteredInCity,
    /// 持有《独生子女父母光荣证》
    HonourCertificate,
    /// 独生子女死亡
    OnlyChildDeceased,
    /// 未再生育或收养
    NoLaterChild,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::RegisteredInCity => "registered_in_city",
            Rule::HonourCertificate => "honour_certificate",
            Rule::OnlyChildDeceased => "only_child_deceased",
            Rule::NoLaterChild => "no_later_child",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOutcome {
    pub rule: Rule,
    pub satisfied: bool,
    pub explanation: Message,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub eligible: bool,
    pub rule_set_version: &'static str,
    pub outcomes: Vec<RuleOutcome>,
}

/// Evaluates the four rules for a family and its members as of `today` (China Standard Time).
pub fn evaluate(
    family: &Family,
    members: &[Member],
    city: &RegionCode,
    today: NaiveDate,
) -> Decision {
    let living_parents: Vec<&Member> = members
        .iter()
        .filter(|m| m.role.is_parent() && m.is_alive())
        .collect();
    let in_city = living_parents
        .iter()
        .find(|m| m.hukou_region.is_within(city));
    let registered = match (in_city, living_parents.is_empty()) {
        (Some(m), _) => RuleOutcome {
            rule: Rule::RegisteredInCity,
            satisfied: true,
            explanation: msg!(
                "eligibility-registered-in-city",
                role = m.role.word(),
                name = m.name.as_str(),
                region = m.hukou_region.as_str(),
                city = city.as_str()
            ),
        },
        (None, true) => RuleOutcome {
            rule: Rule::RegisteredInCity,
            satisfied: false,
            explanation: msg!("eligibility-no-living-parent"),
        },
        (None, false) => RuleOutcome {
            rule: Rule::RegisteredInCity,
            satisfied: false,
            explanation: msg!("eligibility-not-registered-in-city", city = city.as_str()),
        },
    };

    let certificate = match family.honour_certificate_no.as_deref().map(str::trim) {
        Some(no) if !no.is_empty() => RuleOutcome {
            rule: Rule::HonourCertificate,
            satisfied: true,
            explanation: match family.honour_certificate_date {
                Some(d) => msg!("eligibility-certificate", no = no, date = d),
                None => msg!("eligibility-certificate-undated", no = no),
            },
        },
        _ => RuleOutcome {
            rule: Rule::HonourCertificate,
            satisfied: false,
            explanation: msg!("eligibility-no-certificate"),
        },
    };

    let child = match family.child_death_date {
        Some(d) if d <= today => RuleOutcome {
            rule: Rule::OnlyChildDeceased,
            satisfied: true,
            explanation: msg!("eligibility-child-died", date = d),
        },
        Some(d) => RuleOutcome {
            rule: Rule::OnlyChildDeceased,
            satisfied: false,
            explanation: msg!("eligibility-child-death-in-future", date = d),
        },
        None => RuleOutcome {
            rule: Rule::OnlyChildDeceased,
            satisfied: false,
            explanation: msg!("eligibility-child-death-unrecorded"),
        },
    };

    let later = match family.later_child_date {
        None => RuleOutcome {
            rule: Rule::NoLaterChild,
            satisfied: true,
            explanation: msg!("eligibility-no-later-child"),
        },
        Some(d) => RuleOutcome {
            rule: Rule::NoLaterChild,
            satisfied: false,
            explanation: msg!("eligibility-later-child", date = d),
        },
    };

    let outcomes = vec![registered, certificate, child, later];
    Decision {
        eligible: outcomes.iter().all(|o| o.satisfied),
        rule_set_version: RULE_SET_VERSION,
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::family::{FamilyStatus, MemberRole};
    use crate::registry::id_number::IdNumber;
    use uuid::Uuid;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
    }

    fn city() -> RegionCode {
        RegionCode::parse("411000").expect("code")
    }

    fn family() -> Family {
        Family {
            id: Uuid::nil(),
            region: RegionCode::parse("411002001001").expect("code"),
            status: FamilyStatus::Registered,
            honour_certificate_no: Some("豫许0012345".into()),
            honour_certificate_date: Some(d(1985, 6, 1)),
            child_death_date: Some(d(2015, 3, 8)),
            later_child_date: None,
        }
    }

    fn parent(role: MemberRole, hukou: &str, deceased_on: Option<NaiveDate>) -> Member {
        Member {
            id: Uuid::nil(),
            family_id: Uuid::nil(),
            role,
            name: "张某".into(),
            id_number: IdNumber::compose("411002", d(1960, 1, 1), 2).expect("id"),
            phone: None,
            address: None,
            hukou_region: RegionCode::parse(hukou).expect("code"),
            deceased_on,
        }
    }

    fn outcome(decision: &Decision, rule: Rule) -> &RuleOutcome {
        decision
            .outcomes
            .iter()
            .find(|o| o.rule == rule)
            .expect("one outcome per rule")
    }

    #[test]
    fn eligible_family_has_four_satisfied_reasons() {
        let members = [parent(MemberRole::Mother, "411002001001", None)];
        let decision = evaluate(&family(), &members, &city(), d(2026, 1, 1));
        assert!(decision.eligible);
        assert_eq!(decision.outcomes.len(), 4);
        assert_eq!(decision.rule_set_version, RULE_SET_VERSION);
        assert!(
            outcome(&decision, Rule::OnlyChildDeceased)
                .explanation
                .render(nuanxin_locale::Locale::En)
                .contains("2015-03-08")
        );
    }

    #[test]
    fn hukou_outside_city_fails_only_that_rule() {
        let members = [parent(MemberRole::Father, "420102001001", None)];
        let decision = evaluate(&family(), &members, &city(), d(2026, 1, 1));
        assert!(!decision.eligible);
        assert!(!outcome(&decision, Rule::RegisteredInCity).satisfied);
        assert!(outcome(&decision, Rule::HonourCertificate).satisfied);
    }

    #[test]
    fn a_deceased_parent_does_not_count_for_registration() {
        let members = [
            parent(MemberRole::Father, "411002001001", Some(d(2020, 1, 1))),
            parent(MemberRole::Mother, "420102001001", None),
        ];
        let decision = evaluate(&family(), &members, &city(), d(2026, 1, 1));
        assert!(!outcome(&decision, Rule::RegisteredInCity).satisfied);
    }

    #[test]
    fn missing_certificate_child_alive_and_later_child_each_give_a_reason() {
        let mut f = family();
        f.honour_certificate_no = None;
        f.child_death_date = None;
        f.later_child_date = Some(d(2018, 5, 5));
        let members = [parent(MemberRole::Mother, "411002001001", None)];
        let decision = evaluate(&f, &members, &city(), d(2026, 1, 1));
        assert!(!decision.eligible);
        assert!(!outcome(&decision, Rule::HonourCertificate).satisfied);
        assert!(!outcome(&decision, Rule::OnlyChildDeceased).satisfied);
        let later = outcome(&decision, Rule::NoLaterChild);
        assert!(!later.satisfied);
        assert!(
            later
                .explanation
                .render(nuanxin_locale::Locale::En)
                .contains("2018-05-05")
        );
        assert!(
            later
                .explanation
                .render(nuanxin_locale::Locale::Zh)
                .contains("2018年5月5日")
        );
    }

    #[test]
    fn a_future_death_date_is_flagged() {
        let mut f = family();
        f.child_death_date = Some(d(2030, 1, 1));
        let members = [parent(MemberRole::Mother, "411002001001", None)];
        let decision = evaluate(&f, &members, &city(), d(2026, 1, 1));
        assert!(
            outcome(&decision, Rule::OnlyChildDeceased)
                .explanation
                .render(nuanxin_locale::Locale::En)
                .contains("future")
        );
    }

    #[test]
    fn no_parents_on_file() {
        let decision = evaluate(&family(), &[], &city(), d(2026, 1, 1));
        assert!(!decision.eligible);
        assert_eq!(
            outcome(&decision, Rule::RegisteredInCity).explanation,
            msg!("eligibility-no-living-parent")
        );
    }
}
