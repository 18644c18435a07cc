//! A `graphql-transport-ws` client for the tests, over a real TCP connection to a real
//! listening server ([`crate::Listening`]).

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// What the server did next.
#[derive(Debug, Clone, PartialEq)]
pub enum WsEvent {
    Message(Value),
    /// The server closed the connection with this code and reason.
    Closed(u16, String),
}

impl WsEvent {
    pub fn close_code(&self) -> Option<u16> {
        match self {
            WsEvent::Closed(code, _) => Some(*code),
            WsEvent::Message(_) => None,
        }
    }
}

pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsClient {
    /// Opens a WebSocket to `url`, asking for `graphql-transport-ws`.
    pub async fn connect(url: &str) -> Self {
        let mut request = url.into_client_request().expect("a ws url");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (stream, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the upgrade");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some("graphql-transport-ws")
        );
        Self { stream }
    }

    /// Connects and initialises with `token`, expecting the server's acknowledgement.
    pub async fn signed_in(url: &str, token: &str) -> Self {
        let mut client = Self::connect(url).await;
        client
            .send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }))
            .await;
        let ack = client.next().await;
        assert_eq!(
            ack,
            WsEvent::Message(json!({ "type": "connection_ack" })),
            "{ack:?}"
        );
        client
    }

    pub async fn send(&mut self, message: Value) {
        self.send_text(message.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.stream.send(Message::text(text)).await.expect("send");
    }

    /// Starts operation `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({ "type": "subscribe", "id": id, "payload": { "query": query } }))
            .await;
    }

    /// The next message or the close, within 10 s (a test that waits longer has failed).
    pub async fn next(&mut self) -> WsEvent {
        self.next_within(Duration::from_secs(10))
            .await
            .expect("the server answers within 10 s")
    }

    /// The next message or the close within `wait`; `None` when nothing came.
    pub async fn next_within(&mut self, wait: Duration) -> Option<WsEvent> {
        loop {
            let frame = tokio::time::timeout(wait, self.stream.next()).await.ok()?;
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return Some(WsEvent::Message(
                        serde_json::from_str(text.as_str()).expect("JSON from the server"),
                    ));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Some(match frame {
                        Some(f) => WsEvent::Closed(u16::from(f.code), f.reason.to_string()),
                        None => WsEvent::Closed(1005, String::new()),
                    });
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Some(WsEvent::Closed(1006, String::new())),
            }
        }
    }
}
