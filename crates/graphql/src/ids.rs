//! Opaque global IDs (`base64url("Family:<uuid>")`) and page cursors. Clients must not
//! build or parse them; they may change shape without notice.

use async_graphql::ID;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nuanxin_locale::msg;
use uuid::Uuid;

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Family,
    Member,
    AccessLog,
    Roster,
    RosterLine,
    Job,
    CareRecord,
    Case,
    Pairing,
    Campaign,
    Condition,
    Counselling,
    Attachment,
    CareSite,
    VolunteerTeam,
    Volunteer,
    Activity,
    Device,
    Organisation,
    PartnerApp,
    GreenChannelCard,
    Policy,
    Claim,
    WebhookEndpoint,
    WebhookDelivery,
    WechatBinding,
    Request,
    EmergencyCall,
    MiniProgram,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Family => "Family",
            Kind::Member => "Member",
            Kind::AccessLog => "AccessLog",
            Kind::Roster => "Roster",
            Kind::RosterLine => "RosterLine",
            Kind::Job => "Job",
            Kind::CareRecord => "CareRecord",
            Kind::Case => "Case",
            Kind::Pairing => "Pairing",
            Kind::Campaign => "Campaign",
            Kind::Condition => "ChronicCondition",
            Kind::Counselling => "CounsellingSession",
            Kind::Attachment => "Attachment",
            Kind::CareSite => "CareSite",
            Kind::VolunteerTeam => "VolunteerTeam",
            Kind::Volunteer => "Volunteer",
            Kind::Activity => "Activity",
            Kind::Device => "EmergencyDevice",
            Kind::Organisation => "Organisation",
            Kind::PartnerApp => "PartnerApp",
            Kind::GreenChannelCard => "GreenChannelCard",
            Kind::Policy => "InsurancePolicy",
            Kind::Claim => "InsuranceClaim",
            Kind::WebhookEndpoint => "WebhookEndpoint",
            Kind::WebhookDelivery => "WebhookDelivery",
            Kind::WechatBinding => "WechatBinding",
            Kind::Request => "FamilyRequest",
            Kind::EmergencyCall => "EmergencyCall",
            Kind::MiniProgram => "MiniProgram",
        }
    }
}

pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.tag())))
}

/// Decodes an ID of the expected kind. A well-formed ID of another kind is NOT_FOUND (it
/// names no such object); garbage is BAD_USER_INPUT on `field`.
pub fn decode(kind: Kind, id: &ID, field: &str) -> Result<Uuid, ApiError> {
    let bad = || ApiError::bad_input(field, msg!("id-unknown"));
    let raw = URL_SAFE_NO_PAD.decode(id.as_str()).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (tag, uuid) = text.split_once(':').ok_or_else(bad)?;
    let uuid = Uuid::parse_str(uuid).map_err(|_| bad())?;
    if tag != kind.tag() {
        return Err(ApiError::NotFound(match kind {
            Kind::Family => "family",
            Kind::Member => "member",
            Kind::AccessLog => "access log entry",
            Kind::Roster => "roster",
            Kind::RosterLine => "roster line",
            Kind::Job => "job",
            Kind::CareRecord => "care record",
            Kind::Case => "case",
            Kind::Pairing => "pairing",
            Kind::Campaign => "campaign",
            Kind::Condition => "chronic-disease record",
            Kind::Counselling => "counselling session",
            Kind::Attachment => "attachment",
            Kind::CareSite => "care site",
            Kind::VolunteerTeam => "volunteer team",
            Kind::Volunteer => "volunteer",
            Kind::Activity => "activity",
            Kind::Device => "emergency-call device",
            Kind::Organisation => "organisation",
            Kind::PartnerApp => "app",
            Kind::GreenChannelCard => "green-channel card",
            Kind::Policy => "policy",
            Kind::Claim => "claim",
            Kind::WebhookEndpoint => "webhook endpoint",
            Kind::WebhookDelivery => "webhook delivery",
            Kind::WechatBinding => "wechat binding",
            Kind::Request => "request",
            Kind::EmergencyCall => "emergency call",
            Kind::MiniProgram => "mini-program",
        }));
    }
    Ok(uuid)
}

pub fn cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

pub fn decode_cursor(cursor: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    cursor
        .map(|c| {
            URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| Uuid::from_slice(&b).ok())
                .ok_or_else(|| ApiError::bad_input("after", msg!("cursor-unknown")))
        })
        .transpose()
}

/// Page size: default 20, at most 100.
pub fn page_size(first: Option<i32>) -> Result<u64, ApiError> {
    match first {
        None => Ok(20),
        Some(n) if (1..=100).contains(&n) => Ok(n as u64),
        Some(_) => Err(ApiError::bad_input("first", msg!("page-size", max = 100))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_check_kind() {
        let u = Uuid::now_v7();
        let id = encode(Kind::Family, u);
        assert_eq!(decode(Kind::Family, &id, "id").expect("decode"), u);
        assert!(matches!(
            decode(Kind::Member, &id, "id"),
            Err(ApiError::NotFound(_))
        ));
        assert!(matches!(
            decode(Kind::Member, &ID("nope!".into()), "id"),
            Err(ApiError::BadInput { .. })
        ));
    }

    #[test]
    fn cursors() {
        let u = Uuid::now_v7();
        assert_eq!(decode_cursor(Some(&cursor(u))).expect("cursor"), Some(u));
        assert!(decode_cursor(Some("garbage!")).is_err());
        assert!(page_size(Some(0)).is_err());
        assert_eq!(page_size(None).expect("default"), 20);
    }
}
