//! The family file (家庭档案) and its members (一人一档), with the status lifecycle kept as
//! an append-only history (动态管理: changes are recorded, never overwritten).

use chrono::{DateTime, NaiveDate, Utc};
use nuanxin_locale::{Localised, Message, localised_error, msg};
use uuid::Uuid;

use crate::registry::id_number::IdNumber;
use crate::registry::region::RegionCode;

/// Where a family is in the programme.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum FamilyStatus {
    /// Filed by a grassroots worker, not yet checked (登记).
    Registered,
    /// Checked against the household register and certificates (审核).
    Verified,
    /// Receiving allowances and services.
    Active,
    /// Temporarily paused (e.g. whereabouts unknown, under review).
    Suspended,
    /// Household registration moved out of the city.
    MovedOut,
    /// No longer served (both parents deceased, later child, no longer eligible).
    Closed,
}

impl FamilyStatus {
    pub const ALL: [FamilyStatus; 6] = [
        FamilyStatus::Registered,
        FamilyStatus::Verified,
        FamilyStatus::Active,
        FamilyStatus::Suspended,
        FamilyStatus::MovedOut,
        FamilyStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FamilyStatus::Registered => "registered",
            FamilyStatus::Verified => "verified",
            FamilyStatus::Active => "active",
            FamilyStatus::Suspended => "suspended",
            FamilyStatus::MovedOut => "moved_out",
            FamilyStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The status as the office says it (已登记 / 享受中 …).
    pub fn word(self) -> Message {
        Message::term("family-status", self.as_str())
    }

    /// The statuses reachable in one step. Closed is final; a family that moves back into
    /// the city is re-registered and verified again.
    pub fn next_allowed(self) -> &'static [FamilyStatus] {
        use FamilyStatus::*;
        match self {
            Registered => &[Verified, Closed],
            Verified => &[Active, Closed],
            Active => &[Suspended, MovedOut, Closed],
            Suspended => &[Active, MovedOut, Closed],
            MovedOut => &[Registered, Closed],
            Closed => &[],
        }
    }

    pub fn can_become(self, to: FamilyStatus) -> bool {
        self.next_allowed().contains(&to)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    Illegal {
        from: FamilyStatus,
        to: FamilyStatus,
    },
    MissingReason,
    BadReason(crate::text::TextError),
}

impl Localised for TransitionError {
    fn message(&self) -> Message {
        match self {
            TransitionError::Illegal { from, to } if from.next_allowed().is_empty() => {
                msg!("family-status-final", from = from.word(), to = to.word())
            }
            TransitionError::Illegal { from, to } => msg!(
                "family-status-illegal",
                from = from.word(),
                to = to.word(),
                allowed = from
                    .next_allowed()
                    .iter()
                    .map(|s| s.word())
                    .collect::<Vec<_>>()
            ),
            TransitionError::MissingReason => msg!("family-status-needs-reason"),
            TransitionError::BadReason(e) => msg!("family-status-bad-reason", reason = e.message()),
        }
    }
}
localised_error!(TransitionError);

/// How far back a fact (a status change, a move) may take effect, by default.
pub const DEFAULT_BACKDATE_LIMIT_MONTHS: u32 = 60;

/// Why an effective date is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectiveDateError {
    InFuture,
    TooFarBack { earliest: NaiveDate, months: u32 },
}

impl Localised for EffectiveDateError {
    fn message(&self) -> Message {
        match self {
            EffectiveDateError::InFuture => msg!("effective-in-future"),
            EffectiveDateError::TooFarBack { earliest, months } => msg!(
                "effective-too-far-back",
                earliest = *earliest,
                months = *months
            ),
        }
    }
}
localised_error!(EffectiveDateError);

/// A fact takes effect today or earlier, but no further back than `limit_months`.
pub fn check_effective_on(
    on: NaiveDate,
    today: NaiveDate,
    limit_months: u32,
) -> Result<(), EffectiveDateError> {
    if on > today {
        return Err(EffectiveDateError::InFuture);
    }
    let earliest = today
        .checked_sub_months(chrono::Months::new(limit_months))
        .unwrap_or(NaiveDate::MIN);
    if on < earliest {
        return Err(EffectiveDateError::TooFarBack {
            earliest,
            months: limit_months,
        });
    }
    Ok(())
}

/// The status history in the order it was recorded, each entry with the date it was
/// recorded and, when back-dated, the date it took effect; answered as (effective date,
/// status) in that order. An entry never takes effect after a later entry does: a family
/// registered today and made active from 2020-01 was registered by 2020-01 too.
pub fn effective_statuses(
    recorded: &[(NaiveDate, Option<NaiveDate>, FamilyStatus)],
) -> Vec<(NaiveDate, FamilyStatus)> {
    let mut out: Vec<(NaiveDate, FamilyStatus)> = recorded
        .iter()
        .map(|(on, effective, s)| (effective.unwrap_or(*on), *s))
        .collect();
    for i in (0..out.len().saturating_sub(1)).rev() {
        if out[i].0 > out[i + 1].0 {
            out[i].0 = out[i + 1].0;
        }
    }
    out
}

/// One entry of the status history: who changed what, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub from: Option<FamilyStatus>,
    pub to: FamilyStatus,
    pub reason: String,
    pub actor: Uuid,
    pub at: DateTime<Utc>,
}

/// Checks a transition and produces the history entry to append.
pub fn change_status(
    current: FamilyStatus,
    to: FamilyStatus,
    reason: &str,
    actor: Uuid,
    at: DateTime<Utc>,
) -> Result<StatusChange, TransitionError> {
    let reason = match crate::text::required(reason, crate::text::limits::REASON) {
        Ok(r) => r,
        Err(crate::text::TextError::Empty) => return Err(TransitionError::MissingReason),
        Err(e) => return Err(TransitionError::BadReason(e)),
    };
    let reason = reason.as_str();
    if !current.can_become(to) {
        return Err(TransitionError::Illegal { from: current, to });
    }
    Ok(StatusChange {
        from: Some(current),
        to,
        reason: reason.to_owned(),
        actor,
        at,
    })
}

/// A member's place in the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum MemberRole {
    Father,
    Mother,
    /// 第三代: a child of the deceased only child, usually a minor.
    Grandchild,
    Other,
}

impl MemberRole {
    /// The role as the office says it (母亲, 父亲 …).
    pub fn word(self) -> Message {
        Message::term("member-role", self.as_str())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Father => "father",
            MemberRole::Mother => "mother",
            MemberRole::Grandchild => "grandchild",
            MemberRole::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Father, Self::Mother, Self::Grandchild, Self::Other]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    pub fn is_parent(self) -> bool {
        matches!(self, MemberRole::Father | MemberRole::Mother)
    }
}

/// A person on file. The ID number and phone are sensitive: they live encrypted in the
/// store and reach callers masked unless the policy grants more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: Uuid,
    pub family_id: Uuid,
    pub role: MemberRole,
    pub name: String,
    pub id_number: IdNumber,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Household registration (户籍) region, a village or township code.
    pub hukou_region: RegionCode,
    /// `None` while alive.
    pub deceased_on: Option<NaiveDate>,
}

impl Member {
    pub fn is_alive(&self) -> bool {
        self.deceased_on.is_none()
    }
}

/// The family file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub id: Uuid,
    /// Where the family is managed: a village or township code.
    pub region: RegionCode,
    pub status: FamilyStatus,
    /// 《独生子女父母光荣证》 number; `None` if the couple never had one.
    pub honour_certificate_no: Option<String>,
    pub honour_certificate_date: Option<NaiveDate>,
    /// Death date of the only child; `None` if not recorded.
    pub child_death_date: Option<NaiveDate>,
    /// A later birth or adoption (再生育或收养) ends eligibility; the date it happened.
    pub later_child_date: Option<NaiveDate>,
}

/// Validates a phone number as clerks type it: 11-digit mobile or a landline with area code.
pub fn normalize_phone(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ok = digits.bytes().all(|b| b.is_ascii_digit())
        && ((digits.len() == 11 && digits.starts_with('1'))
            || (digits.len() >= 10 && digits.len() <= 12 && digits.starts_with('0')));
    ok.then_some(digits)
}

/// The form a phone number is compared in: its digits, without China's country code, as
/// WeChat's proved number (`purePhoneNumber`) and a clerk's typing (`0374-1234567`) agree.
pub fn phone_match_key(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.strip_prefix("86") {
        Some(rest) if digits.len() == 13 && rest.starts_with('1') => rest.to_owned(),
        _ => digits,
    };
    normalize_phone(&national)
}

#[cfg(test)]
mod tests {
    use super::*;
    use FamilyStatus::*;

    #[test]
    fn phones_match_in_one_form() {
        assert_eq!(
            phone_match_key("138 0013 8000").as_deref(),
            Some("13800138000")
        );
        assert_eq!(
            phone_match_key("+86 13800138000").as_deref(),
            Some("13800138000")
        );
        assert_eq!(
            phone_match_key("0374-1234567").as_deref(),
            Some("03741234567")
        );
        assert_eq!(phone_match_key("12345"), None);
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).expect("ts")
    }

    #[test]
    fn legal_transitions() {
        for (from, to) in [
            (Registered, Verified),
            (Verified, Active),
            (Active, Suspended),
            (Suspended, Active),
            (Active, MovedOut),
            (MovedOut, Registered),
            (Active, Closed),
        ] {
            let change = change_status(from, to, "checked", Uuid::nil(), at()).expect("legal");
            assert_eq!(change.from, Some(from));
            assert_eq!(change.to, to);
        }
    }

    #[test]
    fn a_back_dated_status_carries_the_earlier_entries_with_it() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        let today = d(2026, 12, 1);
        let got = effective_statuses(&[
            (today, None, Registered),
            (today, Some(d(2020, 1, 5)), Verified),
            (today, Some(d(2020, 1, 10)), Active),
        ]);
        assert_eq!(
            got,
            vec![
                (d(2020, 1, 5), Registered),
                (d(2020, 1, 5), Verified),
                (d(2020, 1, 10), Active)
            ]
        );
        // A later change recorded without a date takes effect when it was recorded.
        let got = effective_statuses(&[(d(2020, 1, 1), None, Active), (today, None, Closed)]);
        assert_eq!(got, vec![(d(2020, 1, 1), Active), (today, Closed)]);
        assert_eq!(check_effective_on(today, today, 60), Ok(()));
        assert_eq!(
            check_effective_on(d(2026, 12, 2), today, 60),
            Err(EffectiveDateError::InFuture)
        );
        assert_eq!(check_effective_on(d(2021, 12, 1), today, 60), Ok(()));
        assert!(matches!(
            check_effective_on(d(2021, 11, 30), today, 60),
            Err(EffectiveDateError::TooFarBack { months: 60, .. })
        ));
    }

    #[test]
    fn illegal_transitions_are_refused_with_the_allowed_ones() {
        let err =
            change_status(Registered, Active, "skip", Uuid::nil(), at()).expect_err("illegal");
        assert_eq!(
            err,
            TransitionError::Illegal {
                from: Registered,
                to: Active
            }
        );
        assert_eq!(
            err.message().render(nuanxin_locale::Locale::Zh),
            "“已登记”的家庭不能改为“享受中”; 只能改为: 已核实、已终止"
        );
        assert_eq!(
            err.message().render(nuanxin_locale::Locale::En),
            "a family that is registered cannot become active; from registered it can become: verified, closed"
        );
        assert!(change_status(Closed, Active, "reopen", Uuid::nil(), at()).is_err());
        assert!(change_status(Active, Active, "same", Uuid::nil(), at()).is_err());
        assert!(change_status(Active, Registered, "back", Uuid::nil(), at()).is_err());
    }

    #[test]
    fn a_reason_is_required() {
        assert_eq!(
            change_status(Registered, Verified, "  ", Uuid::nil(), at()),
            Err(TransitionError::MissingReason)
        );
    }

    #[test]
    fn status_round_trips_through_text() {
        for s in FamilyStatus::ALL {
            assert_eq!(FamilyStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn phones() {
        assert_eq!(
            normalize_phone("138 0000 1234").as_deref(),
            Some("13800001234")
        );
        assert_eq!(
            normalize_phone("0374-1234567").as_deref(),
            Some("03741234567")
        );
        assert_eq!(normalize_phone("12345"), None);
        assert_eq!(normalize_phone("1380000123a"), None);
    }
}
