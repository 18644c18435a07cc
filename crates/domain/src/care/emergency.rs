//! Emergency calls (紧急呼叫): a family member's button or a registered device raises one; it
//! climbs the escalation ladder (village → township → county) until someone acknowledges
//! it (接听), and is closed (结束) when handled. Every step is recorded. Pure: when a call
//! escalates, who hears it at which level ([`crate::access::policy::hears_emergency_calls_from`]
//! declares the ladder) and which moves are legal.

use chrono::{DateTime, Duration, Utc};
use nuanxin_locale::{Localised, Message, localised_error, msg};

/// How far up the ladder a call has gone; each level adds its workers to those who hear it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallLevel {
    /// 村(居): the village worker and the paired volunteer.
    Village,
    /// 乡镇(街道)
    Township,
    /// 县(市、区)
    County,
}

impl CallLevel {
    pub const ALL: [CallLevel; 3] = [CallLevel::Village, CallLevel::Township, CallLevel::County];

    pub fn as_str(self) -> &'static str {
        match self {
            CallLevel::Village => "village",
            CallLevel::Township => "township",
            CallLevel::County => "county",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The level above; the county is the top of the ladder.
    pub fn next(self) -> Option<Self> {
        match self {
            CallLevel::Village => Some(CallLevel::Township),
            CallLevel::Township => Some(CallLevel::County),
            CallLevel::County => None,
        }
    }

    pub fn word(self) -> Message {
        Message::term("call-level", self.as_str())
    }
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallState {
    /// 待接听: nobody has answered yet; it escalates.
    Open,
    /// 已接听: someone has taken it on.
    Acknowledged,
    /// 已结束
    Closed,
}

impl CallState {
    pub const ALL: [CallState; 3] = [CallState::Open, CallState::Acknowledged, CallState::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Open => "open",
            CallState::Acknowledged => "acknowledged",
            CallState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn word(self) -> Message {
        Message::term("call-state", self.as_str())
    }
}

/// One recorded step of a call (who and when are kept beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStep {
    /// 发起
    Raised,
    /// 已送达: the call reached one listener's screen.
    Delivered,
    /// 已接听
    Acknowledged,
    /// 已升级: unanswered in time, it went to the next level.
    Escalated,
    /// 已结束
    Closed,
}

impl CallStep {
    pub const ALL: [CallStep; 5] = [
        CallStep::Raised,
        CallStep::Delivered,
        CallStep::Acknowledged,
        CallStep::Escalated,
        CallStep::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallStep::Raised => "raised",
            CallStep::Delivered => "delivered",
            CallStep::Acknowledged => "acknowledged",
            CallStep::Escalated => "escalated",
            CallStep::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn word(self) -> Message {
        Message::term("call-step", self.as_str())
    }
}

/// How long a call waits at one level for someone to answer, by default (configurable:
/// `NUANXIN_EMERGENCY_ESCALATE_AFTER_SECS`).
pub const DEFAULT_ESCALATE_AFTER: Duration = Duration::minutes(3);

/// The longest note a worker writes when closing a call.
pub const NOTE_MAX: usize = 500;

/// The level an unanswered call should climb to now, if any: an open call that has waited
/// `after` at its level goes one level up (one level per look, so a server that was down
/// for an hour still records each level it passed).
pub fn escalation(
    state: CallState,
    level: CallLevel,
    level_since: DateTime<Utc>,
    now: DateTime<Utc>,
    after: Duration,
) -> Option<CallLevel> {
    if state != CallState::Open || now < level_since + after {
        return None;
    }
    level.next()
}

/// Whether a listener who hears calls from `from` up hears a call at `level`.
pub fn hears(from: Option<CallLevel>, level: CallLevel) -> bool {
    from.is_some_and(|f| f <= level)
}

/// Why a call cannot take a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallError {
    AlreadyAcknowledged,
    AlreadyClosed,
}

impl Localised for CallError {
    fn message(&self) -> Message {
        match self {
            CallError::AlreadyAcknowledged => msg!("call-already-acknowledged"),
            CallError::AlreadyClosed => msg!("call-already-closed"),
        }
    }
}
localised_error!(CallError);

/// Acknowledging: only an open call (the first to answer takes it; the others are told).
pub fn acknowledge(state: CallState) -> Result<CallState, CallError> {
    match state {
        CallState::Open => Ok(CallState::Acknowledged),
        CallState::Acknowledged => Err(CallError::AlreadyAcknowledged),
        CallState::Closed => Err(CallError::AlreadyClosed),
    }
}

/// Closing: an open call (a false alarm, handled by phone) or an acknowledged one.
pub fn close(state: CallState) -> Result<CallState, CallError> {
    match state {
        CallState::Open | CallState::Acknowledged => Ok(CallState::Closed),
        CallState::Closed => Err(CallError::AlreadyClosed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::policy::{Audience, PartnerKind, StaffRole, hears_emergency_calls_from};

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(minute)
    }

    #[test]
    fn an_unanswered_call_climbs_one_level_per_wait() {
        let after = Duration::minutes(3);
        let open = CallState::Open;
        assert_eq!(
            escalation(open, CallLevel::Village, at(0), at(2), after),
            None
        );
        assert_eq!(
            escalation(open, CallLevel::Village, at(0), at(3), after),
            Some(CallLevel::Township)
        );
        assert_eq!(
            escalation(open, CallLevel::Township, at(3), at(60), after),
            Some(CallLevel::County)
        );
        assert_eq!(
            escalation(open, CallLevel::County, at(6), at(60), after),
            None
        );
        for answered in [CallState::Acknowledged, CallState::Closed] {
            assert_eq!(
                escalation(answered, CallLevel::Village, at(0), at(60), after),
                None
            );
        }
    }

    #[test]
    fn the_ladder_adds_listeners_level_by_level() {
        let from = |a| hears_emergency_calls_from(a);
        let village = from(Audience::Staff(StaffRole::VillageWorker));
        let township = from(Audience::Staff(StaffRole::TownshipWorker));
        let county = from(Audience::Staff(StaffRole::CountyAdmin));
        assert!(hears(village, CallLevel::Village) && hears(village, CallLevel::County));
        assert!(hears(from(Audience::Volunteer), CallLevel::Village));
        assert!(!hears(township, CallLevel::Village) && hears(township, CallLevel::Township));
        assert!(!hears(county, CallLevel::Township) && hears(county, CallLevel::County));
        for nobody in [
            Audience::Staff(StaffRole::Auditor),
            Audience::Staff(StaffRole::CityAdmin),
            Audience::Partner(PartnerKind::Hospital),
            Audience::Anonymous,
        ] {
            assert!(!hears(from(nobody), CallLevel::County), "{nobody:?}");
        }
    }

    #[test]
    fn a_call_is_answered_once_and_closed_once() {
        assert_eq!(acknowledge(CallState::Open), Ok(CallState::Acknowledged));
        assert_eq!(
            acknowledge(CallState::Acknowledged),
            Err(CallError::AlreadyAcknowledged)
        );
        assert_eq!(
            acknowledge(CallState::Closed),
            Err(CallError::AlreadyClosed)
        );
        assert_eq!(close(CallState::Open), Ok(CallState::Closed));
        assert_eq!(close(CallState::Acknowledged), Ok(CallState::Closed));
        assert_eq!(close(CallState::Closed), Err(CallError::AlreadyClosed));
    }

    #[test]
    fn names_read_back() {
        for l in CallLevel::ALL {
            assert_eq!(CallLevel::parse(l.as_str()), Some(l));
        }
        for s in CallState::ALL {
            assert_eq!(CallState::parse(s.as_str()), Some(s));
        }
        for s in CallStep::ALL {
            assert_eq!(CallStep::parse(s.as_str()), Some(s));
        }
    }
}
