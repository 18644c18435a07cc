//! The accident-insurance programme's rules (计划生育家庭意外伤害保险: one policy per member
//! and year with the contracted insurer): what a policy filed by the insurer must say, and
//! the claim workflow, where an insurer decides submitted → paid | rejected.

use chrono::{Datelike, NaiveDate};
use nuanxin_locale::{Message, msg};

/// The claim workflow's legal steps.
pub const CLAIM_STEPS: &[(&str, &str)] = &[("submitted", "paid"), ("submitted", "rejected")];

/// A policy as the insurer sends it, checked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicyTerms {
    pub policy_no: String,
    pub coverage_start: NaiveDate,
    pub coverage_end: NaiveDate,
    pub premium_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub field: &'static str,
    pub message: Message,
}

/// The largest premium a policy may carry (10,000 yuan): a typo guard.
pub const MAX_PREMIUM_FEN: i64 = 1_000_000;

/// Checks a policy for `year`: a policy number of 4–64 letters, digits or `-`, a coverage
/// inside the policy year that ends after it starts, a premium in whole fen.
pub fn check_policy(year: i32, terms: PolicyTerms) -> Result<PolicyTerms, PolicyError> {
    let bad = |field, message: Message| PolicyError { field, message };
    let no = terms.policy_no.trim().to_owned();
    if !(4..=64).contains(&no.len()) || !no.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(bad("policyNumber", msg!("policy-number-format")));
    }
    if terms.coverage_end < terms.coverage_start {
        return Err(bad("coverageEnd", msg!("policy-coverage-order")));
    }
    if terms.coverage_start.year() != year || terms.coverage_end.year() != year {
        return Err(bad(
            "coverageStart",
            msg!("policy-coverage-year", year = year),
        ));
    }
    if !(0..=MAX_PREMIUM_FEN).contains(&terms.premium_fen) {
        return Err(bad("premiumFen", msg!("policy-premium-range")));
    }
    Ok(PolicyTerms {
        policy_no: no,
        ..terms
    })
}

/// A claim step: legal, or why not.
pub fn check_claim_step(from: &str, to: &str) -> Result<(), Message> {
    if CLAIM_STEPS.contains(&(from, to)) {
        Ok(())
    } else {
        Err(msg!(
            "claim-illegal-step",
            from = Message::term("claim-state", from),
            to = Message::term("claim-state", to)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
    }

    fn terms() -> PolicyTerms {
        PolicyTerms {
            policy_no: " PICC-2027-0001 ".into(),
            coverage_start: d(2027, 1, 1),
            coverage_end: d(2027, 12, 31),
            premium_fen: 5000,
        }
    }

    #[test]
    fn policies_are_checked() {
        assert_eq!(
            check_policy(2027, terms()).map(|t| t.policy_no),
            Ok("PICC-2027-0001".into())
        );
        assert_eq!(
            check_policy(2026, terms()).map_err(|e| e.field),
            Err("coverageStart")
        );
        let mut t = terms();
        t.policy_no = "x/../y".into();
        assert_eq!(
            check_policy(2027, t).map_err(|e| e.field),
            Err("policyNumber")
        );
        let mut t = terms();
        t.premium_fen = -1;
        assert_eq!(
            check_policy(2027, t).map_err(|e| e.field),
            Err("premiumFen")
        );
    }

    #[test]
    fn claims_are_decided_once() {
        assert!(check_claim_step("submitted", "paid").is_ok());
        assert!(check_claim_step("submitted", "rejected").is_ok());
        assert!(check_claim_step("paid", "rejected").is_err());
        assert!(check_claim_step("rejected", "paid").is_err());
    }
}
