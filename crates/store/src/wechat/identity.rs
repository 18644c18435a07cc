//! Who a WeChat user is, and whom a binding speaks for: shared by sign-in, binding by code
//! and binding by phone.

use nuanxin_domain::{Principal, Subject};
use uuid::Uuid;

/// A WeChat user of one mini-program, as WeChat vouched for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatIdentity {
    pub app_id: String,
    pub openid: String,
    pub unionid: Option<String>,
}

/// The subject a binding (or a binding code) speaks for.
pub(super) fn principal_of(
    family: Option<Uuid>,
    member: Option<Uuid>,
    volunteer: Option<Uuid>,
) -> Option<Principal> {
    match (family, member, volunteer) {
        (Some(family), Some(member), _) => {
            Some(Principal::of(Subject::FamilyMember { family, member }))
        }
        (_, _, Some(volunteer)) => Some(Principal::of(Subject::Volunteer { volunteer })),
        _ => None,
    }
}
