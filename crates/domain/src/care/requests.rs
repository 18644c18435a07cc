//! What a family asks for through the mini-program (家庭诉求): a visit, emergency aid, or a
//! change of their phone or address. Nothing a family asks changes their file by itself:
//! a worker answers each request, and a contact change is applied only when the worker
//! accepts it (after checking with the family, on the number they already have).

use nuanxin_locale::{Localised, Message, msg};

use crate::registry::family::normalize_phone;
use crate::text::{self, limits};

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// 申请走访: a worker or volunteer to come by.
    Visit,
    /// 申请应急救助: help now (illness, an accident, hardship).
    EmergencyAid,
    /// 变更联系方式: a new phone number or address, waiting for a worker's confirmation.
    ContactChange,
}

impl RequestKind {
    pub const ALL: [RequestKind; 3] = [
        RequestKind::Visit,
        RequestKind::EmergencyAid,
        RequestKind::ContactChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Visit => "visit",
            RequestKind::EmergencyAid => "emergency_aid",
            RequestKind::ContactChange => "contact_change",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestState {
    /// 待处理
    Open,
    /// 已受理 (a contact change: applied to the file)
    Accepted,
    /// 未受理, with the worker's reason
    Declined,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Open => "open",
            RequestState::Accepted => "accepted",
            RequestState::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            RequestState::Open,
            RequestState::Accepted,
            RequestState::Declined,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The longest note a family can write (a short message, not a letter).
pub const NOTE_MAX: usize = 300;

/// A request as it can be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    pub kind: RequestKind,
    pub note: Option<String>,
    pub new_phone: Option<String>,
    pub new_address: Option<String>,
}

/// Checks what a family sent: (field at fault, message) when it cannot be kept.
pub fn check(
    kind: RequestKind,
    note: &str,
    new_phone: Option<&str>,
    new_address: Option<&str>,
) -> Result<ValidRequest, (&'static str, Message)> {
    let note = text::optional(note, NOTE_MAX).map_err(|e| ("note", e.message()))?;
    let (mut phone, mut address) = (None, None);
    if kind == RequestKind::ContactChange {
        phone = new_phone
            .filter(|p| !p.trim().is_empty())
            .map(|p| normalize_phone(p).ok_or(("newPhone", msg!("phone-format"))))
            .transpose()?;
        address = new_address
            .map(|a| text::optional(a, limits::ADDRESS).map_err(|e| ("newAddress", e.message())))
            .transpose()?
            .flatten();
        if phone.is_none() && address.is_none() {
            return Err(("newPhone", msg!("request-contact-needed")));
        }
    } else if new_phone.is_some_and(|p| !p.trim().is_empty())
        || new_address.is_some_and(|a| !a.trim().is_empty())
    {
        return Err(("kind", msg!("request-contact-kind")));
    }
    Ok(ValidRequest {
        kind,
        note,
        new_phone: phone,
        new_address: address,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_change_names_something_to_change() {
        let c = RequestKind::ContactChange;
        assert_eq!(check(c, "", None, None).map_err(|e| e.0), Err("newPhone"));
        assert_eq!(
            check(c, "", Some("12345"), None).map_err(|e| e.0),
            Err("newPhone")
        );
        let ok = check(c, "换了新手机", Some("138 0000 1111"), None).expect("valid");
        assert_eq!(ok.new_phone.as_deref(), Some("13800001111"));
        let moved = check(c, "", None, Some("  魏都区新街3号 ")).expect("valid");
        assert_eq!(moved.new_address.as_deref(), Some("魏都区新街3号"));
    }

    #[test]
    fn other_requests_carry_a_note_only() {
        let v = check(RequestKind::Visit, " 想有人来坐坐 ", None, None).expect("valid");
        assert_eq!(v.note.as_deref(), Some("想有人来坐坐"));
        assert_eq!(
            check(RequestKind::Visit, "", Some("13800001111"), None).map_err(|e| e.0),
            Err("kind")
        );
        let long = "很".repeat(NOTE_MAX + 1);
        assert_eq!(
            check(RequestKind::EmergencyAid, &long, None, None).map_err(|e| e.0),
            Err("note")
        );
    }

    #[test]
    fn kinds_and_states_read_back() {
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(RequestState::parse("open"), Some(RequestState::Open));
        assert_eq!(RequestState::parse("x"), None);
    }
}
