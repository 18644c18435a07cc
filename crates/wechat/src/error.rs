//! What can go wrong talking to WeChat, as our callers need to tell it apart.

/// WeChat's answer when it is not what was asked for. The `errcode`s are WeChat's own
/// (see [`crate::api::refusal`]); everything else about an outage is [`WeChatError::Unavailable`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeChatError {
    /// No app id / secret configured: WeChat sign-in is off on this server.
    #[error("WeChat is not configured on this server")]
    NotConfigured,
    /// 40029: the code is not one WeChat issued (or it has expired, after 5 minutes).
    #[error("the WeChat code is invalid or has expired")]
    InvalidCode,
    /// 40163: the code was already exchanged.
    #[error("the WeChat code has already been used")]
    CodeUsed,
    /// 45011: WeChat limits how often one user may sign in (and we pass that on).
    #[error("WeChat refused: too many attempts")]
    RateLimited,
    /// 40226: WeChat's risk control blocks this user.
    #[error("WeChat's risk control refused this user")]
    RiskyUser,
    /// 43101: the user did not accept this subscription message.
    #[error("the user has not accepted this message")]
    NotAccepted,
    /// WeChat did not answer in time, answered with an HTTP error, or said it is busy (-1).
    #[error("WeChat is unavailable: {0}")]
    Unavailable(String),
    /// Any other refusal (a wrong app secret, a bad template): ours to fix, not the user's.
    #[error("WeChat refused the request (errcode {errcode}: {errmsg})")]
    Refused { errcode: i64, errmsg: String },
}
