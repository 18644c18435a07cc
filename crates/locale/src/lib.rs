//! What people read. Code never writes a sentence a person reads: it names a message by
//! key ([`msg!`]) with its arguments, and the text lives in Fluent files under `messages/`,
//! Chinese (zh-CN) first and English on request. A [`Message`] is data: it can be stored
//! (a roster line's explanation), sent through an error, and rendered at the edge in the
//! reader's language ([`Locale`], from `Accept-Language`).

mod catalog;
mod locale;
mod message;

pub use catalog::{has_message, message_ids, yuan, yuan_cents};
pub use locale::Locale;
pub use message::{Arg, Localised, Message};

/// A message by key, with named arguments: `msg!("month-format", found = text)`.
/// Every key used this way is checked by a test to have Chinese and English text that
/// uses exactly these argument names.
#[macro_export]
macro_rules! msg {
    ($key:literal) => {
        $crate::Message::new($key)
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::Message::new($key)$(.with(stringify!($name), $value))+
    };
}
