//! The `graphql-transport-ws` protocol (the graphql-ws library's, which Apollo, urql and
//! the mini-program's client speak): the messages each side sends, and the close codes
//! the protocol gives each failure. Pure: parsing and building only.

use serde::Deserialize;
use serde_json::{Value, json};

/// The sub-protocol a client must ask for in `Sec-WebSocket-Protocol`.
pub const SUBPROTOCOL: &str = "graphql-transport-ws";

/// A message from the client.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    Ping {
        #[serde(default)]
        payload: Option<Value>,
    },
    Pong {
        #[serde(default)]
        #[allow(dead_code)]
        payload: Option<Value>,
    },
    Subscribe {
        id: String,
        payload: Box<async_graphql::Request>,
    },
    Complete {
        id: String,
    },
}

/// Why the server closes the connection, with the protocol's code for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Close {
    /// 4400: a message the protocol does not have, or one that is not JSON.
    BadMessage(String),
    /// 4401: no token, a bad or expired one, a revoked one; or `subscribe` before the
    /// connection was acknowledged.
    Unauthorised(&'static str),
    /// 4403: a genuine caller whose audience may not subscribe to anything.
    Forbidden,
    /// 4408: no `connection_init` in time.
    InitTimeout,
    /// 4409: a second `subscribe` with an id still running.
    DuplicateId(String),
    /// 4429: a second `connection_init`.
    TooManyInits,
    /// 4500: the server cannot go on (the accounts cannot be looked at).
    Internal,
}

impl Close {
    pub fn code(&self) -> u16 {
        match self {
            Close::BadMessage(_) => 4400,
            Close::Unauthorised(_) => 4401,
            Close::Forbidden => 4403,
            Close::InitTimeout => 4408,
            Close::DuplicateId(_) => 4409,
            Close::TooManyInits => 4429,
            Close::Internal => 4500,
        }
    }

    /// The reason sent with the code: short (a close frame carries at most 123 bytes of
    /// it) and in the protocol's words, for the client library, not for a person.
    pub fn reason(&self) -> String {
        let text = match self {
            Close::BadMessage(why) => format!("Invalid message: {why}"),
            Close::Unauthorised(why) => format!("Unauthorized: {why}"),
            Close::Forbidden => "Forbidden".into(),
            Close::InitTimeout => "Connection initialisation timeout".into(),
            Close::DuplicateId(id) => format!("Subscriber for {id} already exists"),
            Close::TooManyInits => "Too many initialisation requests".into(),
            Close::Internal => "Internal error".into(),
        };
        truncate(text, 123)
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary.
fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

/// Reads one text frame. The id of a subscribe must be a short printable string.
pub fn parse(text: &str) -> Result<ClientMessage, Close> {
    let message: ClientMessage =
        serde_json::from_str(text).map_err(|e| Close::BadMessage(e.to_string()))?;
    if let ClientMessage::Subscribe { id, .. } | ClientMessage::Complete { id } = &message
        && (id.is_empty() || id.len() > 64 || id.chars().any(char::is_control))
    {
        return Err(Close::BadMessage(
            "the id must be 1 to 64 characters".into(),
        ));
    }
    Ok(message)
}

/// The bearer token in `connection_init`'s payload: `{"authorization": "Bearer …"}` (as
/// the HTTP header would carry it) or `{"token": "…"}`.
pub fn token_of(payload: Option<&Value>) -> Option<&str> {
    let payload = payload?.as_object()?;
    let raw = ["authorization", "Authorization", "token"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(Value::as_str))?
        .trim();
    let token = raw
        .strip_prefix("Bearer ")
        .or_else(|| raw.strip_prefix("bearer "))
        .unwrap_or(raw)
        .trim();
    (!token.is_empty()).then_some(token)
}

pub fn ack() -> String {
    json!({ "type": "connection_ack" }).to_string()
}

pub fn pong(payload: Option<Value>) -> String {
    match payload {
        Some(p) => json!({ "type": "pong", "payload": p }),
        None => json!({ "type": "pong" }),
    }
    .to_string()
}

pub fn next(id: &str, payload: &async_graphql::Response) -> String {
    json!({ "type": "next", "id": id, "payload": payload }).to_string()
}

/// An operation refused before it ran (validation, a guard): its errors, and no
/// `complete` after.
pub fn error(id: &str, errors: &[async_graphql::ServerError]) -> String {
    json!({ "type": "error", "id": id, "payload": errors }).to_string()
}

pub fn complete(id: &str) -> String {
    json!({ "type": "complete", "id": id }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_client_messages() {
        assert!(matches!(
            parse(r#"{"type":"connection_init","payload":{"token":"t"}}"#),
            Ok(ClientMessage::ConnectionInit { payload: Some(_) })
        ));
        assert!(matches!(
            parse(r#"{"type":"connection_init"}"#),
            Ok(ClientMessage::ConnectionInit { payload: None })
        ));
        let sub =
            parse(r#"{"type":"subscribe","id":"1","payload":{"query":"subscription { x }"}}"#);
        assert!(
            matches!(&sub, Ok(ClientMessage::Subscribe { id, payload }) if id == "1" && payload.query.contains('x')),
            "{sub:?}"
        );
        assert!(matches!(
            parse(r#"{"type":"complete","id":"1"}"#),
            Ok(ClientMessage::Complete { .. })
        ));
    }

    #[test]
    fn anything_else_is_a_bad_message() {
        for bad in [
            "not json",
            r#"{"type":"start","id":"1"}"#,
            r#"{"type":"subscribe","payload":{"query":"{x}"}}"#,
            r#"{"type":"subscribe","id":"","payload":{"query":"{x}"}}"#,
            r#"{"id":"1"}"#,
            r#"[]"#,
        ] {
            assert_eq!(
                parse(bad).map(|_| ()).map_err(|e| e.code()),
                Err(4400),
                "{bad}"
            );
        }
    }

    #[test]
    fn finds_the_token_in_either_form() {
        let p = json!({ "authorization": "Bearer abc" });
        assert_eq!(token_of(Some(&p)), Some("abc"));
        let p = json!({ "token": " abc " });
        assert_eq!(token_of(Some(&p)), Some("abc"));
        assert_eq!(token_of(Some(&json!({ "token": "" }))), None);
        assert_eq!(token_of(Some(&json!("abc"))), None);
        assert_eq!(token_of(None), None);
    }

    #[test]
    fn close_reasons_fit_a_close_frame() {
        let long = Close::DuplicateId("订".repeat(60));
        assert!(long.reason().len() <= 123);
        assert_eq!(long.code(), 4409);
        assert_eq!(Close::Unauthorised("expired").code(), 4401);
        assert_eq!(Close::InitTimeout.code(), 4408);
    }
}
