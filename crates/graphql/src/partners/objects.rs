//! Organisations and apps as the city sees them (never a stored secret; a new secret is
//! shown once, in `AppCredentials`).

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use nuanxin_store as store;

use crate::ids::{self, Kind};

/// Kinds of partner organisation (合作单位).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::PartnerKind")]
pub enum PartnerKind {
    /// 保险公司
    Insurer,
    /// 医院
    Hospital,
    /// 民政部门
    CivilAffairs,
    /// 司法部门
    Justice,
    /// 教育部门
    Education,
    /// 人力资源和社会保障部门
    HumanResources,
    /// 住房和城乡建设部门
    Housing,
    Other,
}

/// When a secret was issued and, once replaced, until when it still works.
#[derive(SimpleObject)]
pub struct AppSecret {
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub struct PartnerApp(pub store::AppRecord);

#[Object]
impl PartnerApp {
    async fn id(&self) -> ID {
        ids::encode(Kind::PartnerApp, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The OAuth client id (public).
    async fn client_id(&self) -> Option<&str> {
        self.0.client_id.as_deref()
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn secrets(&self) -> Vec<AppSecret> {
        self.0
            .secrets
            .iter()
            .map(|s| AppSecret {
                created_at: s.created_at,
                expires_at: s.expires_at,
            })
            .collect()
    }
}

pub struct Organisation(pub store::OrganisationRecord);

#[Object]
impl Organisation {
    async fn id(&self) -> ID {
        ids::encode(Kind::Organisation, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> PartnerKind {
        self.0.kind.into()
    }
    async fn contracted_regions(&self) -> &[String] {
        &self.0.contracted_regions
    }
    async fn valid_from(&self) -> NaiveDate {
        self.0.valid_from
    }
    async fn valid_to(&self) -> Option<NaiveDate> {
        self.0.valid_to
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn apps(&self) -> Vec<PartnerApp> {
        self.0.apps.iter().cloned().map(PartnerApp).collect()
    }
}

/// A new secret, shown this once: the server keeps only its hash.
pub struct AppCredentials {
    pub app: store::AppRecord,
    pub client_secret: String,
}

#[Object]
impl AppCredentials {
    async fn app(&self) -> PartnerApp {
        PartnerApp(self.app.clone())
    }
    async fn client_id(&self) -> Option<&str> {
        self.app.client_id.as_deref()
    }
    /// Store it now: it is never shown again.
    async fn client_secret(&self) -> &str {
        &self.client_secret
    }
}

/// What a family consents to share for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::partners::ConsentPurpose")]
pub enum ConsentPurpose {
    /// 意外伤害保险
    AccidentInsurance,
    /// 绿色通道
    GreenChannel,
    /// 转介
    Referral,
}

/// One entry of a family's consent history (given or withdrawn).
pub struct Consent(pub store::ConsentRecord);

#[Object]
impl Consent {
    async fn recipient_kind(&self) -> PartnerKind {
        self.0.recipient.into()
    }
    async fn purpose(&self) -> ConsentPurpose {
        self.0.purpose.into()
    }
    async fn given(&self) -> bool {
        self.0.given
    }
    async fn effective_on(&self) -> NaiveDate {
        self.0.effective_on
    }
    async fn evidence_id(&self) -> Option<ID> {
        self.0.evidence.map(|e| ids::encode(Kind::Attachment, e))
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// A member's green-channel card (绿色通道卡).
pub struct GreenChannelCard(pub store::CardRecord);

#[Object]
impl GreenChannelCard {
    async fn id(&self) -> ID {
        ids::encode(Kind::GreenChannelCard, self.0.id)
    }
    async fn member_id(&self) -> ID {
        ids::encode(Kind::Member, self.0.member)
    }
    async fn card_number(&self) -> &str {
        &self.0.card_no
    }
    async fn issued_on(&self) -> NaiveDate {
        self.0.issued_on
    }
    async fn revoked_on(&self) -> Option<NaiveDate> {
        self.0.revoked_on
    }
}

/// The registration window's answer: eligible or not; for a card holder the card number and
/// the surname, to match the person at the desk.
#[derive(SimpleObject)]
pub struct GreenChannelCheck {
    pub eligible: bool,
    pub card_number: Option<String>,
    pub surname: Option<String>,
}

/// One member of the insurer's enrolment list: what enrolment needs, nothing more.
pub struct EnrolmentEntry(pub store::EnrolmentEntry);

#[Object]
impl EnrolmentEntry {
    async fn member_id(&self) -> ID {
        ids::encode(Kind::Member, self.0.member)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// In the clear for the enrolment; each read is written to the access log.
    async fn id_number(&self) -> &str {
        &self.0.id_number
    }
    async fn birth_date(&self) -> NaiveDate {
        self.0.birth_date
    }
    async fn sex(&self) -> crate::registry::objects::Sex {
        self.0.sex.into()
    }
    /// The household-registration region's code.
    async fn region_code(&self) -> &str {
        &self.0.region
    }
}

/// An accident-insurance policy of the insurer.
pub struct InsurancePolicy(pub store::PolicyRecord);

#[Object]
impl InsurancePolicy {
    async fn id(&self) -> ID {
        ids::encode(Kind::Policy, self.0.id)
    }
    async fn policy_number(&self) -> &str {
        &self.0.policy_no
    }
    async fn member_id(&self) -> ID {
        ids::encode(Kind::Member, self.0.member)
    }
    async fn policy_year(&self) -> i32 {
        self.0.policy_year
    }
    async fn coverage_start(&self) -> NaiveDate {
        self.0.coverage_start
    }
    async fn coverage_end(&self) -> NaiveDate {
        self.0.coverage_end
    }
    async fn premium_fen(&self) -> i64 {
        self.0.premium_fen
    }
}

/// A claim on a policy: submitted, then paid or rejected by the insurer.
pub struct InsuranceClaim(pub store::ClaimRecord);

#[Object]
impl InsuranceClaim {
    async fn id(&self) -> ID {
        ids::encode(Kind::Claim, self.0.id)
    }
    async fn policy_id(&self) -> ID {
        ids::encode(Kind::Policy, self.0.policy)
    }
    async fn state(&self) -> &str {
        &self.0.state
    }
    async fn amount_fen(&self) -> i64 {
        self.0.amount_fen
    }
    async fn submitted_on(&self) -> NaiveDate {
        self.0.submitted_on
    }
    async fn decided_on(&self) -> Option<NaiveDate> {
        self.0.decided_on
    }
}
