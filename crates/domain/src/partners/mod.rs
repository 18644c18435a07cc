//! Partner organisations (合作单位) and their apps: how an app proves who it is (OAuth 2.0
//! client credentials), the checks on what a city admin files about them, and the events
//! their systems may subscribe to.

pub mod insurance;
pub mod oauth;
pub mod webhook;

use crate::access::policy::PartnerKind;

/// What a family consents to share for (PIPL: separate consent per recipient and purpose).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentPurpose {
    /// 计划生育家庭意外伤害保险: enrolment and claims.
    AccidentInsurance,
    /// 绿色通道: priority treatment at partner hospitals.
    GreenChannel,
    /// A referral to a responsible unit (housing, school places, legal aid, elder care …).
    Referral,
}

impl ConsentPurpose {
    pub const ALL: [ConsentPurpose; 3] = [
        ConsentPurpose::AccidentInsurance,
        ConsentPurpose::GreenChannel,
        ConsentPurpose::Referral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentPurpose::AccidentInsurance => "accident_insurance",
            ConsentPurpose::GreenChannel => "green_channel",
            ConsentPurpose::Referral => "referral",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The purpose a partner of `kind` receives personal information for: insurers insure,
    /// hospitals treat, every other unit handles referrals.
    pub fn of_kind(kind: PartnerKind) -> Self {
        match kind {
            PartnerKind::Insurer => ConsentPurpose::AccidentInsurance,
            PartnerKind::Hospital => ConsentPurpose::GreenChannel,
            _ => ConsentPurpose::Referral,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_purpose() {
        assert_eq!(
            ConsentPurpose::of_kind(PartnerKind::Insurer),
            ConsentPurpose::AccidentInsurance
        );
        assert_eq!(
            ConsentPurpose::of_kind(PartnerKind::Hospital),
            ConsentPurpose::GreenChannel
        );
        assert_eq!(
            ConsentPurpose::of_kind(PartnerKind::Housing),
            ConsentPurpose::Referral
        );
        for p in ConsentPurpose::ALL {
            assert_eq!(ConsentPurpose::parse(p.as_str()), Some(p));
        }
    }
}
