//! One `/graphql/ws` connection, from the upgrade to the close: authenticated in
//! `connection_init` (the same token and account check as every HTTP request), then each
//! `subscribe` runs through the same gate as a POST (limits, the allow-list, the policy's
//! guards and slices) on its own task. The connection ends, with the protocol's code, when
//! the token expires, when a periodic look at the account finds it signed out, disabled or
//! changed, or when the client breaks the protocol.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use async_graphql::{ErrorExtensionValues, ServerError};
use futures_util::StreamExt as _;
use nuanxin_domain::Principal;
use nuanxin_locale::{Locale, Localised, Message, msg};
use nuanxin_store::RequestMeta;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::caller::{self, EdgeAuthError};
use crate::http::{MediaType, finish_errors};
use crate::replies::{edge_error, locale_of, request_id_of};
use crate::state::AppState;
use crate::subscriptions::protocol::{self, ClientMessage, Close, SUBPROTOCOL};

/// How a connection is kept.
#[derive(Debug, Clone, Copy)]
pub struct WsSettings {
    /// How long a client has to send `connection_init` (4408 after).
    pub init_timeout: Duration,
    /// How often the account behind the token is looked at again, so a sign-out or a
    /// disabled account ends its subscriptions within this (plus the 30 s account cache
    /// of another replica).
    pub recheck_every: Duration,
    /// Operations one connection may run at once.
    pub max_operations: usize,
}

impl Default for WsSettings {
    fn default() -> Self {
        Self {
            init_timeout: Duration::from_secs(10),
            recheck_every: Duration::from_secs(30),
            max_operations: 16,
        }
    }
}

/// `GET /graphql/ws`: the WebSocket upgrade, for clients that ask for
/// `graphql-transport-ws`; anything else is told so in plain HTTP.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let offered = req
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim() == SUBPROTOCOL));
    if !offered {
        let mut resp = edge_error(
            StatusCode::UPGRADE_REQUIRED,
            "BAD_REQUEST",
            &msg!("ws-upgrade-needed"),
            &req,
        );
        resp.headers_mut()
            .insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        return resp;
    }
    let (mut response, session, incoming) = match actix_ws::handle(&req, body) {
        Ok(parts) => parts,
        Err(e) => return e.as_response_error().error_response(),
    };
    response.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(SUBPROTOCOL),
    );
    let incoming = incoming
        .max_frame_size(state.body_limit)
        .aggregate_continuations()
        .max_continuation_size(state.body_limit);
    let connection = Connection {
        state: state.get_ref().clone(),
        session,
        locale: locale_of(&req),
        client: req.peer_addr().map(|a| a.ip()),
        request_id: request_id_of(&req),
    };
    actix_web::rt::spawn(connection.run(incoming));
    response
}

struct Connection {
    state: AppState,
    session: Session,
    locale: Locale,
    client: Option<IpAddr>,
    request_id: String,
}

/// What an operation's task hands the connection to send.
struct Outgoing {
    id: String,
    text: String,
    /// The operation is over (`complete` or `error`): its id may be used again.
    last: bool,
}

/// What came in, reduced to what the connection acts on.
enum Incoming {
    Message(ClientMessage),
    /// A WebSocket-level ping, answered at that level.
    Ping(actix_web::web::Bytes),
    /// The client closed, or the connection broke.
    Gone,
    Ignored,
}

fn read(
    frame: Option<Result<AggregatedMessage, actix_ws::ProtocolError>>,
) -> Result<Incoming, Close> {
    match frame {
        None | Some(Err(_)) | Some(Ok(AggregatedMessage::Close(_))) => Ok(Incoming::Gone),
        Some(Ok(AggregatedMessage::Text(text))) => protocol::parse(&text).map(Incoming::Message),
        Some(Ok(AggregatedMessage::Binary(_))) => {
            Err(Close::BadMessage("messages are JSON text".into()))
        }
        Some(Ok(AggregatedMessage::Ping(bytes))) => Ok(Incoming::Ping(bytes)),
        Some(Ok(AggregatedMessage::Pong(_))) => Ok(Incoming::Ignored),
    }
}

impl Connection {
    async fn run(mut self, mut incoming: AggregatedMessageStream) {
        let close = self.serve(&mut incoming).await;
        let reason = close.map(|c| {
            tracing::info!(code = c.code(), reason = %c.reason(), "subscription connection closed");
            CloseReason {
                code: CloseCode::Other(c.code()),
                description: Some(c.reason()),
            }
        });
        let _ = self.session.close(reason).await;
    }

    async fn send(&mut self, text: String) -> Result<(), ()> {
        self.session.text(text).await.map_err(|_| ())
    }

    /// Serves the connection; `Some` is why the server closes it, `None` that the client
    /// went away.
    async fn serve(&mut self, incoming: &mut AggregatedMessageStream) -> Option<Close> {
        let (claimed, principal) = match self.initialise(incoming).await {
            Ok(Some(caller)) => caller,
            Ok(None) => return None,
            Err(close) => return Some(close),
        };
        if self.send(protocol::ack()).await.is_err() {
            return None;
        }
        let settings = self.state.ws;
        let (out_tx, mut out_rx) = mpsc::channel::<Outgoing>(64);
        let mut running: HashMap<String, JoinHandle<()>> = HashMap::new();
        let expires_in = principal
            .token
            .as_ref()
            .map(|t| {
                (t.expires_at - chrono::Utc::now())
                    .to_std()
                    .unwrap_or_default()
            })
            .unwrap_or(Duration::from_secs(24 * 3600));
        let expiry = tokio::time::sleep(expires_in);
        tokio::pin!(expiry);
        let mut recheck = tokio::time::interval(settings.recheck_every);
        recheck.tick().await;
        let close = loop {
            tokio::select! {
                () = &mut expiry => break Some(Close::Unauthorised("token expired")),
                _ = recheck.tick() => match caller::recheck(&claimed, &self.state.store).await {
                    Ok(now) if now == principal => {}
                    // A moved, demoted or re-granted account: its subscriptions were
                    // sorted by what it was; the client signs in again.
                    Ok(_) => break Some(Close::Unauthorised("account changed")),
                    // The accounts cannot be looked at now: keep serving, look again.
                    Err(EdgeAuthError::Unavailable) => {}
                    Err(EdgeAuthError::Expired) => break Some(Close::Unauthorised("token expired")),
                    Err(_) => break Some(Close::Unauthorised("token revoked")),
                },
                out = out_rx.recv() => {
                    let Some(out) = out else { break None };
                    if out.last {
                        running.remove(&out.id);
                    }
                    if self.send(out.text).await.is_err() {
                        break None;
                    }
                }
                frame = incoming.next() => match read(frame) {
                    Err(close) => break Some(close),
                    Ok(Incoming::Gone) => break None,
                    Ok(Incoming::Ignored) => {}
                    Ok(Incoming::Ping(bytes)) => {
                        if self.session.pong(&bytes).await.is_err() {
                            break None;
                        }
                    }
                    Ok(Incoming::Message(message)) => match message {
                        ClientMessage::ConnectionInit { .. } => break Some(Close::TooManyInits),
                        ClientMessage::Ping { payload } => {
                            if self.send(protocol::pong(payload)).await.is_err() {
                                break None;
                            }
                        }
                        ClientMessage::Pong { .. } => {}
                        ClientMessage::Complete { id } => {
                            if let Some(task) = running.remove(&id) {
                                task.abort();
                            }
                        }
                        ClientMessage::Subscribe { id, payload } => {
                            if running.contains_key(&id) {
                                break Some(Close::DuplicateId(id));
                            }
                            if running.len() >= settings.max_operations {
                                let refusal = error_with(
                                    &msg!("ws-too-many-subscriptions", max = settings.max_operations),
                                    "RATE_LIMITED",
                                    self.locale,
                                    &self.request_id,
                                );
                                if self.send(protocol::error(&id, &[refusal])).await.is_err() {
                                    break None;
                                }
                                continue;
                            }
                            let task = self.start(id.clone(), *payload, &principal, out_tx.clone());
                            running.insert(id, task);
                        }
                    },
                }
            }
        };
        for task in running.into_values() {
            task.abort();
        }
        close
    }

    /// Waits for `connection_init` and checks its token: the claimed token (kept for the
    /// later looks) and the caller. `Ok(None)`: the client went away first.
    async fn initialise(
        &mut self,
        incoming: &mut AggregatedMessageStream,
    ) -> Result<Option<(Principal, Principal)>, Close> {
        let deadline = tokio::time::sleep(self.state.ws.init_timeout);
        tokio::pin!(deadline);
        loop {
            let frame = tokio::select! {
                () = &mut deadline => return Err(Close::InitTimeout),
                frame = incoming.next() => frame,
            };
            match read(frame)? {
                Incoming::Gone => return Ok(None),
                Incoming::Ignored => {}
                Incoming::Ping(bytes) => {
                    if self.session.pong(&bytes).await.is_err() {
                        return Ok(None);
                    }
                }
                Incoming::Message(ClientMessage::ConnectionInit { payload }) => {
                    return self.authenticate(payload.as_ref()).await.map(Some);
                }
                Incoming::Message(ClientMessage::Subscribe { .. }) => {
                    return Err(Close::Unauthorised("subscribe before connection_ack"));
                }
                Incoming::Message(ClientMessage::Ping { payload }) => {
                    if self.send(protocol::pong(payload)).await.is_err() {
                        return Ok(None);
                    }
                }
                Incoming::Message(_) => {}
            }
        }
    }

    async fn authenticate(
        &self,
        payload: Option<&serde_json::Value>,
    ) -> Result<(Principal, Principal), Close> {
        let token = protocol::token_of(payload).ok_or(Close::Unauthorised("no token"))?;
        let refused = |e: EdgeAuthError| match e {
            EdgeAuthError::Expired => Close::Unauthorised("token expired"),
            EdgeAuthError::Invalid => Close::Unauthorised("token invalid"),
            EdgeAuthError::Refused(_) => Close::Unauthorised("token revoked"),
            EdgeAuthError::Unavailable => Close::Internal,
        };
        let claimed = caller::verify(token, &self.state.tokens).map_err(refused)?;
        let principal = caller::recheck(&claimed, &self.state.store)
            .await
            .map_err(refused)?;
        // The same policy as queries: an audience granted no subscription has nothing to
        // listen to here.
        if !principal.grant().may_subscribe() {
            return Err(Close::Forbidden);
        }
        Ok((claimed, principal))
    }

    /// Runs one operation on its own task, handing what it yields to the connection.
    fn start(
        &self,
        id: String,
        request: async_graphql::Request,
        principal: &Principal,
        out: mpsc::Sender<Outgoing>,
    ) -> JoinHandle<()> {
        let state = self.state.clone();
        let principal = principal.clone();
        let locale = self.locale;
        let meta = RequestMeta {
            request_id: format!("{}/{id}", self.request_id),
            client: self.client,
            idempotency_key: None,
        };
        actix_web::rt::spawn(async move {
            let rid = meta.request_id.clone();
            let send = |text: String, last: bool| {
                out.send(Outgoing {
                    id: id.clone(),
                    text,
                    last,
                })
            };
            let request = match admit(&state, request, &principal, locale, &rid).await {
                Ok(r) => r,
                Err(refusal) => {
                    let _ = send(protocol::error(&id, &[refusal]), true).await;
                    return;
                }
            };
            let request =
                nuanxin_graphql::prepare(request, &state.store, state.rules, principal, meta)
                    .data(locale);
            let (query, operation_name) = (request.query.clone(), request.operation_name.clone());
            let mut responses = state.schema.execute_stream(request);
            let mut first = true;
            while let Some(mut response) = responses.next().await {
                nuanxin_graphql::nulls::propagate(&mut response, &query, operation_name.as_deref());
                nuanxin_graphql::error::localise(&mut response, locale);
                finish_errors(&mut response, &rid, MediaType::Json);
                // Refused before it ran (validation, a guard): `error`, and nothing after.
                if first
                    && response.data == async_graphql::Value::Null
                    && !response.errors.is_empty()
                {
                    let _ = send(protocol::error(&id, &response.errors), true).await;
                    return;
                }
                first = false;
                if send(protocol::next(&id, &response), false).await.is_err() {
                    return;
                }
            }
            let _ = send(protocol::complete(&id), true).await;
        })
    }
}

/// The gate a POST passes, for one `subscribe`: a mini-program's budgets, the edge's limits
/// and the allow-list (a registered document named by its hash is filled in).
async fn admit(
    state: &AppState,
    mut request: async_graphql::Request,
    principal: &Principal,
    locale: Locale,
    rid: &str,
) -> Result<async_graphql::Request, ServerError> {
    // The budgets count operations over the socket as they count requests.
    state
        .spend_budget(principal)
        .map_err(|over| error_with(&over.message, "RATE_LIMITED", locale, rid))?;
    let named = nuanxin_graphql::persisted::named_hash(&request).map_err(|e| {
        let refusal = crate::persisted::Refusal::from(e);
        error_with(&refusal.message(), refusal.code(), locale, rid)
    })?;
    if !request.query.is_empty() {
        check_limits(state, &mut request, locale, rid)?;
    }
    let sent_whole = !request.query.is_empty();
    crate::persisted::admit(&mut request, named, principal, &state.store)
        .await
        .map_err(|refusal| error_with(&refusal.message(), refusal.code(), locale, rid))?;
    if !sent_whole {
        check_limits(state, &mut request, locale, rid)?;
    }
    Ok(request)
}

/// The edge's limits, from the same kept parses as the HTTP edge (and the parse handed on).
fn check_limits(
    state: &AppState,
    request: &mut async_graphql::Request,
    locale: Locale,
    rid: &str,
) -> Result<(), ServerError> {
    state
        .documents
        .look(request)
        .map(|_| ())
        .map_err(|e| error_with(&e.message(), "BAD_USER_INPUT", locale, rid))
}

/// An error in GraphQL's shape, with its code and the request id.
fn error_with(message: &Message, code: &str, locale: Locale, rid: &str) -> ServerError {
    let mut error = ServerError::new(message.render(locale), None);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code);
    ext.set("requestId", rid);
    error.extensions = Some(ext);
    error
}
