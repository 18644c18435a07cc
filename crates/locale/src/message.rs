//! A message as data: its key and arguments, rendered only when someone reads it.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Locale;
use crate::catalog;

/// A sentence to be read, by key, with its arguments. Stored and sent as data; its text is
/// chosen when it is rendered ([`Message::render`]). `Display` renders Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    #[serde(rename = "k")]
    key: String,
    #[serde(rename = "a", default, skip_serializing_if = "Vec::is_empty")]
    args: Vec<(String, Arg)>,
}

/// One argument of a message. Dates, months and amounts are kept typed so that each
/// language writes them its own way (2026年11月 / 2026-11, 680.00).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arg {
    Text(String),
    Number(i64),
    Date(NaiveDate),
    Month {
        year: i32,
        month: u32,
    },
    /// An amount in fen, shown in yuan.
    Fen(i64),
    /// A message inside a message (the reason inside "cannot submit: …", a role's name).
    Message(Box<Message>),
    /// Several, joined the language's way (、 / , ).
    List(Vec<Message>),
}

impl Message {
    /// A message by key; prefer [`crate::msg!`], whose keys a test checks.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            args: Vec::new(),
        }
    }

    /// The word for one value of a closed set (a role, a status, a kind): the message
    /// `{prefix}-{value}`, e.g. `role-county_admin`. Each set's words are checked by a test
    /// over all its values.
    pub fn term(prefix: &str, value: &str) -> Self {
        Self::new(format!("{prefix}-{value}"))
    }

    pub fn with(mut self, name: &str, value: impl Into<Arg>) -> Self {
        self.args.push((name.to_owned(), value.into()));
        self
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn args(&self) -> &[(String, Arg)] {
        &self.args
    }

    /// The text in `locale`; a key missing there falls back to the other language, then to
    /// the key itself (logged, never a crash).
    pub fn render(&self, locale: Locale) -> String {
        catalog::render(self, locale)
    }

    /// A stored message (JSON, see [`Message::to_stored`]) or, for text stored before
    /// messages were data, that text as it is.
    pub fn from_stored(stored: &str) -> Self {
        serde_json::from_str(stored)
            .unwrap_or_else(|_| Message::new("verbatim").with("text", stored))
    }

    /// The form a message is kept in the database.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Locale::Zh))
    }
}

impl std::error::Error for Message {}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(v.clone())
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Number(v)
    }
}
impl From<i32> for Arg {
    fn from(v: i32) -> Self {
        Arg::Number(v.into())
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Self {
        Arg::Number(v.into())
    }
}
impl From<usize> for Arg {
    fn from(v: usize) -> Self {
        Arg::Number(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<u64> for Arg {
    fn from(v: u64) -> Self {
        Arg::Number(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<NaiveDate> for Arg {
    fn from(v: NaiveDate) -> Self {
        Arg::Date(v)
    }
}
impl From<Vec<Message>> for Arg {
    fn from(v: Vec<Message>) -> Self {
        Arg::List(v)
    }
}
impl From<Message> for Arg {
    fn from(v: Message) -> Self {
        Arg::Message(Box::new(v))
    }
}

/// A thing whose failure or state is told to a person: it says which message.
pub trait Localised {
    fn message(&self) -> Message;
}

/// `Display` and `Error` for an error type from its [`Localised`] message, so that an
/// error's text lives in the message files and nowhere else.
#[macro_export]
macro_rules! localised_error {
    ($ty:ty) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&$crate::Localised::message(self), f)
            }
        }
        impl ::std::error::Error for $ty {}
        impl ::std::convert::From<$ty> for $crate::Message {
            fn from(e: $ty) -> Self {
                $crate::Localised::message(&e)
            }
        }
        impl ::std::convert::From<&$ty> for $crate::Message {
            fn from(e: &$ty) -> Self {
                $crate::Localised::message(e)
            }
        }
    };
}
