//! Cases (个案) and the one small state machine they all run on: a workflow is a list of
//! states and legal steps; which steps an audience may take is the policy's
//! ([`crate::policy::Machine`]), whether a step is legal is this module's. Emergency aid
//! (紧急救助) and referrals to responsible units (转介) are two workflows of it.

use nuanxin_locale::{Arg, Localised, Message, localised_error, msg};

/// The workflows cases follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Workflow {
    /// 紧急救助: request → assessment → approval → disbursement → closed.
    EmergencyAid,
    /// 转介: a referral to the unit responsible for a service.
    Referral,
}

const EMERGENCY_AID_STEPS: &[(&str, &str)] = &[
    ("requested", "assessed"),
    ("requested", "closed"),
    ("assessed", "approved"),
    ("assessed", "declined"),
    ("approved", "disbursed"),
    ("disbursed", "closed"),
    ("declined", "closed"),
];

const REFERRAL_STEPS: &[(&str, &str)] = &[
    ("referred", "accepted"),
    ("referred", "declined"),
    ("accepted", "completed"),
    ("accepted", "declined"),
];

impl Workflow {
    pub const ALL: [Workflow; 2] = [Workflow::EmergencyAid, Workflow::Referral];

    pub fn as_str(self) -> &'static str {
        match self {
            Workflow::EmergencyAid => "emergency_aid",
            Workflow::Referral => "referral",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == s)
    }

    /// The state a new case starts in.
    pub fn initial(self) -> &'static str {
        match self {
            Workflow::EmergencyAid => "requested",
            Workflow::Referral => "referred",
        }
    }

    /// Every legal step, as (from, to).
    pub fn steps(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Workflow::EmergencyAid => EMERGENCY_AID_STEPS,
            Workflow::Referral => REFERRAL_STEPS,
        }
    }

    /// Every state of the workflow, initial first.
    pub fn states(self) -> Vec<&'static str> {
        let mut out = vec![self.initial()];
        for (from, to) in self.steps() {
            for s in [*from, *to] {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    }

    /// A state no step leaves: the case is over.
    pub fn is_final(self, state: &str) -> bool {
        !self.steps().iter().any(|(from, _)| *from == state)
    }

    /// Interns a state name (input from a client) as this workflow's own.
    pub fn state(self, name: &str) -> Option<&'static str> {
        self.states().into_iter().find(|s| *s == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    UnknownState {
        workflow: &'static str,
        state: String,
    },
    Illegal {
        workflow: &'static str,
        from: String,
        to: String,
    },
    AmountNeeded,
    OverApproved {
        approved: i64,
        disbursed: i64,
    },
    BadAmount,
}

/// A case's state as the office says it; states are shared words across workflows.
pub fn state_word(state: &str) -> Message {
    Message::term("case-state", state)
}

impl Localised for StepError {
    fn message(&self) -> Message {
        match self {
            StepError::UnknownState { workflow, state } => msg!(
                "case-unknown-state",
                workflow = Message::term("workflow", workflow),
                state = state.as_str()
            ),
            StepError::Illegal { workflow, from, to } => msg!(
                "case-illegal-step",
                workflow = Message::term("workflow", workflow),
                from = state_word(from),
                to = state_word(to)
            ),
            StepError::AmountNeeded => msg!("case-amount-needed"),
            StepError::OverApproved {
                approved,
                disbursed,
            } => msg!(
                "case-over-approved",
                approved = Arg::Fen(*approved),
                disbursed = Arg::Fen(*disbursed)
            ),
            StepError::BadAmount => msg!("case-bad-amount"),
        }
    }
}
localised_error!(StepError);

/// What a legal step writes on the case beside its new state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepEffect {
    pub approved_fen: Option<i64>,
    pub disbursed_fen: Option<i64>,
}

/// The largest amount a case may carry (1,000,000 yuan): a typo guard, not a policy.
pub const MAX_AMOUNT_FEN: i64 = 100_000_000;

pub fn check_amount(fen: i64) -> Result<i64, StepError> {
    if (1..=MAX_AMOUNT_FEN).contains(&fen) {
        Ok(fen)
    } else {
        Err(StepError::BadAmount)
    }
}

/// Checks a step of `workflow` from `from` to `to`: legal, with the amount it needs.
/// Approval names the approved amount; disbursement the amount paid out (at most the
/// approved one; the approved amount when not given).
pub fn check_step(
    workflow: Workflow,
    from: &str,
    to: &str,
    amount_fen: Option<i64>,
    approved_fen: Option<i64>,
) -> Result<StepEffect, StepError> {
    let known = |s: &str| {
        workflow.state(s).ok_or_else(|| StepError::UnknownState {
            workflow: workflow.as_str(),
            state: s.to_owned(),
        })
    };
    let (from, to) = (known(from)?, known(to)?);
    if !workflow.steps().contains(&(from, to)) {
        return Err(StepError::Illegal {
            workflow: workflow.as_str(),
            from: from.into(),
            to: to.into(),
        });
    }
    let amount = amount_fen.map(check_amount).transpose()?;
    match (workflow, to) {
        (Workflow::EmergencyAid, "approved") => Ok(StepEffect {
            approved_fen: Some(amount.ok_or(StepError::AmountNeeded)?),
            disbursed_fen: None,
        }),
        (Workflow::EmergencyAid, "disbursed") => {
            let approved = approved_fen.ok_or(StepError::AmountNeeded)?;
            let disbursed = amount.unwrap_or(approved);
            if disbursed > approved {
                return Err(StepError::OverApproved {
                    approved,
                    disbursed,
                });
            }
            Ok(StepEffect {
                approved_fen: None,
                disbursed_fen: Some(disbursed),
            })
        }
        _ => Ok(StepEffect::default()),
    }
}

/// What a referral asks a unit to do, and the unit responsible by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferralKind {
    /// 农村危房改造 (住建局)
    HousingRenovation,
    /// 第三代入学入托 (教育局)
    SchoolPlace,
    /// 法律援助 (司法局)
    LegalAid,
    /// 优先入住公办养老机构 (民政局)
    CareHomeAdmission,
    /// 优先收养 (民政局)
    Adoption,
    /// 再生育技术服务 (卫生局)
    RebirthSupport,
    /// 就业培训和小额贴息贷款 (人社局)
    TrainingLoan,
}

impl ReferralKind {
    pub const ALL: [ReferralKind; 7] = [
        ReferralKind::HousingRenovation,
        ReferralKind::SchoolPlace,
        ReferralKind::LegalAid,
        ReferralKind::CareHomeAdmission,
        ReferralKind::Adoption,
        ReferralKind::RebirthSupport,
        ReferralKind::TrainingLoan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralKind::HousingRenovation => "housing_renovation",
            ReferralKind::SchoolPlace => "school_place",
            ReferralKind::LegalAid => "legal_aid",
            ReferralKind::CareHomeAdmission => "care_home_admission",
            ReferralKind::Adoption => "adoption",
            ReferralKind::RebirthSupport => "rebirth_support",
            ReferralKind::TrainingLoan => "training_loan",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The catalogue's service this referral is for (same code).
    pub fn service_code(self) -> &'static str {
        self.as_str()
    }

    /// The unit a referral goes to unless the worker names another.
    pub fn default_unit(self) -> &'static str {
        match self {
            ReferralKind::HousingRenovation => "housing",
            ReferralKind::SchoolPlace => "education",
            ReferralKind::LegalAid => "justice",
            ReferralKind::CareHomeAdmission | ReferralKind::Adoption => "civil_affairs",
            ReferralKind::RebirthSupport => "health",
            ReferralKind::TrainingLoan => "human_resources",
        }
    }
}

/// Priority of a referral in its unit's queue (higher first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    Normal,
    /// 60 or older (elder-care admission).
    Elderly,
    /// 失能 / 部分失能: above all others for elder-care admission.
    Disabled,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::Elderly => "elderly",
            Priority::Disabled => "disabled",
        }
    }

    pub fn rank(self) -> i32 {
        match self {
            Priority::Normal => 0,
            Priority::Elderly => 1,
            Priority::Disabled => 2,
        }
    }

    pub fn from_rank(rank: i32) -> Self {
        match rank {
            2 => Priority::Disabled,
            1 => Priority::Elderly,
            _ => Priority::Normal,
        }
    }
}

/// The seed's rule for elder-care homes: priority for members 60 and over, above all the
/// disabled or partly disabled. Other referrals keep normal priority.
pub fn referral_priority(kind: ReferralKind, age: Option<i32>, disabled: bool) -> Priority {
    if kind != ReferralKind::CareHomeAdmission {
        return Priority::Normal;
    }
    match (age, disabled) {
        (_, true) => Priority::Disabled,
        (Some(a), false) if a >= 60 => Priority::Elderly,
        _ => Priority::Normal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emergency_aid_runs_its_course() {
        let w = Workflow::EmergencyAid;
        assert_eq!(w.initial(), "requested");
        assert!(check_step(w, "requested", "assessed", None, None).is_ok());
        assert_eq!(
            check_step(w, "assessed", "approved", None, None),
            Err(StepError::AmountNeeded)
        );
        let approved = check_step(w, "assessed", "approved", Some(50_000), None).expect("ok");
        assert_eq!(approved.approved_fen, Some(50_000));
        assert_eq!(
            check_step(w, "approved", "disbursed", None, Some(50_000))
                .expect("ok")
                .disbursed_fen,
            Some(50_000)
        );
        assert!(matches!(
            check_step(w, "approved", "disbursed", Some(60_000), Some(50_000)),
            Err(StepError::OverApproved { .. })
        ));
        assert!(matches!(
            check_step(w, "requested", "disbursed", Some(1), Some(1)),
            Err(StepError::Illegal { .. })
        ));
        assert!(matches!(
            check_step(w, "requested", "paid", None, None),
            Err(StepError::UnknownState { .. })
        ));
        assert!(w.is_final("closed"));
        assert!(!w.is_final("approved"));
    }

    #[test]
    fn referrals_end_completed_or_declined() {
        let w = Workflow::Referral;
        assert_eq!(
            w.states(),
            vec!["referred", "accepted", "declined", "completed"]
        );
        assert!(w.is_final("completed") && w.is_final("declined"));
        assert!(check_step(w, "completed", "accepted", None, None).is_err());
    }

    #[test]
    fn elder_care_priority_puts_the_disabled_first() {
        use ReferralKind::*;
        assert_eq!(
            referral_priority(CareHomeAdmission, Some(59), false),
            Priority::Normal
        );
        assert_eq!(
            referral_priority(CareHomeAdmission, Some(60), false),
            Priority::Elderly
        );
        assert_eq!(
            referral_priority(CareHomeAdmission, Some(55), true),
            Priority::Disabled
        );
        assert_eq!(
            referral_priority(LegalAid, Some(80), true),
            Priority::Normal
        );
        assert!(Priority::Disabled > Priority::Elderly);
    }

    #[test]
    fn amounts_are_bounded() {
        assert!(check_amount(0).is_err());
        assert!(check_amount(MAX_AMOUNT_FEN + 1).is_err());
        assert_eq!(check_amount(100), Ok(100));
    }
}
