//! What the store hands out: domain values plus bookkeeping. Sensitive values are held
//! inside and come out masked; the clear value only through [`crate::Store::reveal`],
//! which checks the policy and writes the access log.

use chrono::{DateTime, NaiveDate, Utc};
use nuanxin_domain::access::mask;
use nuanxin_domain::{Family, Member, MemberRole, RegionCode, Sex};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct FamilyRecord {
    pub family: Family,
    pub last_eligibility: Option<EligibilitySnapshot>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The last stored eligibility evaluation.
#[derive(Debug, Clone)]
pub struct EligibilitySnapshot {
    pub eligible: bool,
    pub rule_set_version: String,
    pub evaluated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub(crate) member: Member,
    pub birth_date: NaiveDate,
    pub sex: Sex,
}

impl MemberRecord {
    pub fn id(&self) -> Uuid {
        self.member.id
    }
    pub fn family_id(&self) -> Uuid {
        self.member.family_id
    }
    pub fn role(&self) -> MemberRole {
        self.member.role
    }
    pub fn name(&self) -> &str {
        &self.member.name
    }
    pub fn hukou_region(&self) -> &RegionCode {
        &self.member.hukou_region
    }
    pub fn deceased_on(&self) -> Option<NaiveDate> {
        self.member.deceased_on
    }
    pub fn id_number_masked(&self) -> String {
        self.member.id_number.masked()
    }
    pub fn phone_masked(&self) -> Option<String> {
        self.member.phone.as_deref().map(mask::phone)
    }
    pub fn address_masked(&self) -> Option<String> {
        self.member.address.as_deref().map(mask::address)
    }
}

/// Clear values released by a logged, purpose-bound read. Only requested fields are set.
#[derive(Debug, Clone, Default)]
pub struct Revealed {
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StatusHistoryEntry {
    pub family_id: Uuid,
    pub from: Option<nuanxin_domain::FamilyStatus>,
    pub to: nuanxin_domain::FamilyStatus,
    pub reason: String,
    pub actor_id: Uuid,
    pub at: DateTime<Utc>,
    /// The day the change took effect (the China date of `at` unless back-dated).
    pub effective_on: chrono::NaiveDate,
}

#[derive(Debug, Clone)]
pub struct AccessLogEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Uuid,
    pub actor_name: String,
    pub actor_role: String,
    pub member_id: Option<Uuid>,
    pub fields: Vec<String>,
    pub operation: String,
    pub purpose: String,
    pub request_id: String,
}

/// One page of a keyset-paginated list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
}

/// Who is reading, for the access log: the request id ties a log row to the HTTP request.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: String,
    /// The client's address, when the edge knows it (sign-in throttling).
    pub client: Option<std::net::IpAddr>,
    /// The request's `Idempotency-Key` header, when it carried one.
    pub idempotency_key: Option<String>,
}
