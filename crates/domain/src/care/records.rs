//! Care records (帮扶记录): an append-only log per family and person. Every kind of care
//! work that is "something done on a day" is one record of a kind, with the details that
//! kind needs; a correction is a new record pointing at the one it corrects.

use chrono::NaiveDate;
use nuanxin_locale::{Message, msg};

use crate::text;

/// The kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// A service of the catalogue delivered (goods, money, a talk, a referral's outcome…).
    Service,
    /// 走访慰问 / 定期慰问: a home visit, of a pairing or a campaign or on its own.
    Visit,
    /// The emergency-aid contact (紧急救助联系) every new family is owed.
    EmergencyContact,
    /// 健康体检
    Checkup,
    /// 慢病随访: a follow-up of a chronic-disease record.
    FollowUp,
    /// 绿色通道就诊 (written by hospitals).
    GreenChannelVisit,
    /// 失能评估
    DisabilityAssessment,
    /// 居家养老服务工单
    HomeServiceOrder,
    /// 监护及后事安排
    Guardianship,
}

impl RecordKind {
    pub const ALL: [RecordKind; 9] = [
        RecordKind::Service,
        RecordKind::Visit,
        RecordKind::EmergencyContact,
        RecordKind::Checkup,
        RecordKind::FollowUp,
        RecordKind::GreenChannelVisit,
        RecordKind::DisabilityAssessment,
        RecordKind::HomeServiceOrder,
        RecordKind::Guardianship,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Service => "service",
            RecordKind::Visit => "visit",
            RecordKind::EmergencyContact => "emergency_contact",
            RecordKind::Checkup => "checkup",
            RecordKind::FollowUp => "follow_up",
            RecordKind::GreenChannelVisit => "green_channel_visit",
            RecordKind::DisabilityAssessment => "disability_assessment",
            RecordKind::HomeServiceOrder => "home_service_order",
            RecordKind::Guardianship => "guardianship",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Health data (健康信息): a resource of its own in the policy.
    pub fn is_health(self) -> bool {
        matches!(
            self,
            RecordKind::Checkup
                | RecordKind::FollowUp
                | RecordKind::GreenChannelVisit
                | RecordKind::DisabilityAssessment
        )
    }

    /// The catalogue service a record of this kind is filed under when none is named.
    pub fn default_service(self) -> &'static str {
        match self {
            RecordKind::Service => "home_visit",
            RecordKind::Visit => "home_visit",
            RecordKind::EmergencyContact => "emergency_aid",
            RecordKind::Checkup => "checkup",
            RecordKind::FollowUp => "chronic_follow_up",
            RecordKind::GreenChannelVisit => "green_channel",
            RecordKind::DisabilityAssessment => "care_home_admission",
            RecordKind::HomeServiceOrder => "home_service",
            RecordKind::Guardianship => "guardianship",
        }
    }

    /// Kinds that are about one person, never the family as a whole.
    pub fn needs_member(self) -> bool {
        self.is_health()
            || matches!(
                self,
                RecordKind::HomeServiceOrder | RecordKind::Guardianship
            )
    }
}

/// 失能等级
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisabilityLevel {
    /// 能力完好
    None,
    /// 部分失能
    Partial,
    /// 失能
    Full,
}

impl DisabilityLevel {
    pub const ALL: [DisabilityLevel; 3] = [
        DisabilityLevel::None,
        DisabilityLevel::Partial,
        DisabilityLevel::Full,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DisabilityLevel::None => "none",
            DisabilityLevel::Partial => "partial",
            DisabilityLevel::Full => "full",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Counts for the elder-care priority rule.
    pub fn is_disabled(self) -> bool {
        self != DisabilityLevel::None
    }
}

/// Home services (居家养老服务).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HomeServiceKind {
    /// 家政
    Housekeeping,
    /// 助餐
    Meals,
    /// 陪同就医
    HospitalEscort,
    /// 康复护理
    Rehabilitation,
}

impl HomeServiceKind {
    pub const ALL: [HomeServiceKind; 4] = [
        HomeServiceKind::Housekeeping,
        HomeServiceKind::Meals,
        HomeServiceKind::HospitalEscort,
        HomeServiceKind::Rehabilitation,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            HomeServiceKind::Housekeeping => "housekeeping",
            HomeServiceKind::Meals => "meals",
            HomeServiceKind::HospitalEscort => "hospital_escort",
            HomeServiceKind::Rehabilitation => "rehabilitation",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who performed the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PerformerKind {
    Staff,
    Volunteer,
    Partner,
}

impl PerformerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PerformerKind::Staff => "staff",
            PerformerKind::Volunteer => "volunteer",
            PerformerKind::Partner => "partner",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Staff, Self::Volunteer, Self::Partner]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// What a record of one kind carries beyond the common fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Details {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub disability_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub home_service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub scheduled_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub guardian_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub guardian_relation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fees_waived_fen: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<String>,
}

/// A record as a client sends it, before checking.
#[derive(Debug, Clone, Default)]
pub struct RecordDraft {
    pub kind: Option<String>,
    pub occurred_on: Option<NaiveDate>,
    pub content: String,
    pub outcome: Option<String>,
    pub money_fen: Option<i64>,
    pub goods_fen: Option<i64>,
    pub details: Details,
}

/// A record that passed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRecord {
    pub kind: RecordKind,
    pub occurred_on: NaiveDate,
    pub content: String,
    pub outcome: Option<String>,
    pub money_fen: i64,
    pub goods_fen: i64,
    pub details: Details,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub field: &'static str,
    pub message: Message,
}

fn bad(field: &'static str, message: impl Into<Message>) -> RecordError {
    RecordError {
        field,
        message: message.into(),
    }
}

/// The longest free text of a record (a visit's notes; a page of A4).
pub const CONTENT_MAX: usize = 4000;
/// The most money or goods value one record may carry (100,000 yuan), a typo guard.
pub const VALUE_MAX_FEN: i64 = 10_000_000;

/// Checks a record against `today` (China time): no record of work done in the future, none
/// from before the programme's records began (2000), values in whole non-negative fen.
pub fn check_record(draft: RecordDraft, today: NaiveDate) -> Result<ValidRecord, RecordError> {
    let kind = match draft.kind.as_deref() {
        None => RecordKind::Service,
        Some(k) => RecordKind::parse(k)
            .ok_or_else(|| bad("kind", msg!("record-unknown-kind", kind = k)))?,
    };
    let occurred_on = draft
        .occurred_on
        .ok_or_else(|| bad("occurredOn", msg!("record-date-needed")))?;
    if occurred_on > today {
        return Err(bad("occurredOn", msg!("record-date-in-future")));
    }
    if occurred_on < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(bad("occurredOn", msg!("record-date-before-2000")));
    }
    let content = text::required(&draft.content, CONTENT_MAX).map_err(|e| bad("content", e))?;
    let outcome = match draft.outcome.as_deref() {
        None => None,
        Some(o) => text::optional(o, 500).map_err(|e| bad("outcome", e))?,
    };
    let value = |field, v: Option<i64>| match v {
        None => Ok(0),
        Some(v) if (0..=VALUE_MAX_FEN).contains(&v) => Ok(v),
        Some(_) => Err(bad(field, msg!("record-value-range"))),
    };
    let money_fen = value("moneyFen", draft.money_fen)?;
    let goods_fen = value("goodsFen", draft.goods_fen)?;
    let mut d = draft.details;
    match kind {
        RecordKind::DisabilityAssessment => {
            let level = d.disability_level.as_deref().unwrap_or_default();
            if DisabilityLevel::parse(level).is_none() {
                return Err(bad("disabilityLevel", msg!("record-disability-level")));
            }
        }
        RecordKind::HomeServiceOrder => {
            let s = d.home_service.as_deref().unwrap_or_default();
            if HomeServiceKind::parse(s).is_none() {
                return Err(bad("homeService", msg!("record-home-service")));
            }
        }
        RecordKind::Guardianship => {
            let name = d.guardian_name.as_deref().unwrap_or_default();
            d.guardian_name = Some(text::person_name(name).map_err(|e| bad("guardianName", e))?);
            d.guardian_relation = text::optional(d.guardian_relation.as_deref().unwrap_or(""), 40)
                .map_err(|e| bad("guardianRelation", e))?;
        }
        RecordKind::GreenChannelVisit => {
            d.department = Some(
                text::required(d.department.as_deref().unwrap_or(""), 60)
                    .map_err(|e| bad("department", e))?,
            );
            value("feesWaivedFen", d.fees_waived_fen)?;
        }
        _ => {}
    }
    if let Some(loc) = d.location.as_deref() {
        d.location = text::optional(loc, 200).map_err(|e| bad("location", e))?;
    }
    Ok(ValidRecord {
        kind,
        occurred_on,
        content,
        outcome,
        money_fen,
        goods_fen,
        details: d,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).expect("date")
    }

    fn draft(kind: &str) -> RecordDraft {
        RecordDraft {
            kind: Some(kind.into()),
            occurred_on: Some(today()),
            content: "上门看望，送米面油".into(),
            ..RecordDraft::default()
        }
    }

    #[test]
    fn a_plain_visit_passes() {
        let r = check_record(draft("visit"), today()).expect("valid");
        assert_eq!(r.kind, RecordKind::Visit);
        assert_eq!(r.money_fen, 0);
    }

    #[test]
    fn future_dates_negative_values_and_empty_content_are_refused() {
        let mut d = draft("visit");
        d.occurred_on = today().succ_opt();
        assert_eq!(
            check_record(d, today()).map_err(|e| e.field),
            Err("occurredOn")
        );
        let mut d = draft("visit");
        d.money_fen = Some(-1);
        assert_eq!(
            check_record(d, today()).map_err(|e| e.field),
            Err("moneyFen")
        );
        let mut d = draft("visit");
        d.content = "  ".into();
        assert_eq!(
            check_record(d, today()).map_err(|e| e.field),
            Err("content")
        );
        assert_eq!(
            check_record(draft("party"), today()).map_err(|e| e.field),
            Err("kind")
        );
    }

    #[test]
    fn kinds_check_their_details() {
        assert_eq!(
            check_record(draft("disability_assessment"), today()).map_err(|e| e.field),
            Err("disabilityLevel")
        );
        let mut d = draft("disability_assessment");
        d.details.disability_level = Some("partial".into());
        assert!(check_record(d, today()).is_ok());
        assert_eq!(
            check_record(draft("home_service_order"), today()).map_err(|e| e.field),
            Err("homeService")
        );
        assert_eq!(
            check_record(draft("guardianship"), today()).map_err(|e| e.field),
            Err("guardianName")
        );
        assert!(RecordKind::FollowUp.is_health() && RecordKind::FollowUp.needs_member());
        assert!(!RecordKind::Visit.is_health());
    }
}
