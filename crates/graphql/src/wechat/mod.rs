//! WeChat mini-program sign-in: `wxLogin`, binding a WeChat user to a person with a code a
//! worker issued (`issueBindingCode`, `bindWechat`), and the bindings staff see and end.

pub mod bindings;
pub mod notices;
pub mod objects;
pub mod sign_in;

use nuanxin_locale::msg;
use nuanxin_wechat::WeChatError;

use crate::error::ApiError;

/// WeChat's refusal as the caller reads it; what is ours to fix is logged, not shown.
pub(crate) fn api_error(e: WeChatError) -> ApiError {
    match e {
        WeChatError::NotConfigured => ApiError::UnavailableBecause(msg!("wechat-not-configured")),
        WeChatError::InvalidCode => ApiError::Unauthenticated(msg!("wechat-code-invalid")),
        WeChatError::CodeUsed => ApiError::Unauthenticated(msg!("wechat-code-used")),
        WeChatError::RateLimited => ApiError::RateLimited(msg!("wechat-rate-limited")),
        WeChatError::RiskyUser => ApiError::Forbidden(msg!("wechat-risky-user")),
        WeChatError::Unavailable(why) => {
            tracing::warn!(%why, "wechat unavailable");
            ApiError::UnavailableBecause(msg!("wechat-unavailable"))
        }
        other @ (WeChatError::NotAccepted | WeChatError::Refused { .. }) => {
            tracing::error!(error = %other, "wechat refused a call of ours");
            ApiError::UnavailableBecause(msg!("wechat-unavailable"))
        }
    }
}

/// Sign-in attempts per client address and minute (`wxLogin` and `bindWechat` together):
/// each costs a call to WeChat, and a binding attempt is a guess at a code.
pub struct WechatSignInLimit(pub nuanxin_auth::KeyedLimit);

impl Default for WechatSignInLimit {
    fn default() -> Self {
        Self(nuanxin_auth::KeyedLimit::per_minute(60))
    }
}
