//! What the WeChat sign-in keeps: bindings of WeChat users to people, the binding codes
//! staff issue, spent login codes and binding tickets, and the shared access token.

mod access_token;
mod bindings;
mod identity;
pub(crate) mod notices;
mod phones;
mod sign_in;

pub use access_token::SharedToken;
pub use bindings::{BindRefusal, BindingTarget, IssuedBindingCode, WechatBindingRecord};
pub use identity::WechatIdentity;
pub use notices::{Acceptances, DueNotice, NoticeOutcome, NoticeRecord, NoticeRetry};
pub use phones::PhoneBindRefusal;
