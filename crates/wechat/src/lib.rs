//! WeChat's server APIs as Nuanxin uses them, behind one configurable base URL: the
//! mini-program sign-in (code-to-session), the server's access token (shared by every
//! gateway replica through the store), phone-number codes and subscription messages; and a
//! local stand-in that answers like WeChat, for tests and the demo.

pub mod api;
mod client;
mod error;
pub mod standin;

pub use api::WeChatUser;
pub use client::{WECHAT_BASE_URL, WeChat, WeChatConfig};
pub use error::WeChatError;
pub use standin::StandIn;
