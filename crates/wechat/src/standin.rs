//! A local stand-in for WeChat's servers, for the tests and the demo (`nuanxin serve
//! --demo`): a real HTTP server on 127.0.0.1 answering code-to-session, access-token,
//! phone-number and subscription-message calls as WeChat does, error codes included, so
//! that nothing needs the internet.
//!
//! Login codes: `standin:<openid>:<anything>` signs `<openid>` in (once per code);
//! `risky:…` is refused as a risky user (40226), `busy:…` as too frequent (45011), anything
//! else as invalid (40029). [`StandIn::login_code`] makes a fresh one.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

/// The session key the stand-in hands out with every session: tests look for it in every
/// answer and log line, and must never find it.
pub const SESSION_KEY: &str = "standin-session-key-6b1f0c";

#[derive(Default)]
struct State {
    app_id: String,
    app_secret: String,
    spent_codes: Mutex<HashSet<String>>,
    phone_codes: Mutex<HashMap<String, String>>,
    valid_tokens: Mutex<HashSet<String>>,
    token_fetches: AtomicUsize,
    session_calls: AtomicUsize,
    accepted: Mutex<HashSet<(String, String)>>,
    sent: Mutex<Vec<Value>>,
    delay_ms: AtomicUsize,
    down: AtomicBool,
    counter: AtomicUsize,
}

/// A running stand-in; stops when dropped.
pub struct StandIn {
    /// What to configure as WeChat's base URL.
    pub base_url: String,
    state: Arc<State>,
    handle: actix_web::dev::ServerHandle,
}

fn err(errcode: i64, errmsg: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "errcode": errcode, "errmsg": errmsg }))
}

type Query = web::Query<HashMap<String, String>>;

impl State {
    async fn pace(&self) -> Option<HttpResponse> {
        let delay = self.delay_ms.load(Ordering::Relaxed);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay as u64)).await;
        }
        self.down.load(Ordering::Relaxed).then(|| {
            HttpResponse::BadGateway()
                .content_type("text/html")
                .body("<html><body>502 Bad Gateway</body></html>")
        })
    }

    fn credentials(&self, q: &HashMap<String, String>) -> Option<HttpResponse> {
        if q.get("appid") != Some(&self.app_id) {
            return Some(err(40013, "invalid appid"));
        }
        if q.get("secret") != Some(&self.app_secret) {
            return Some(err(40125, "invalid appsecret"));
        }
        None
    }

    fn token_ok(&self, q: &HashMap<String, String>) -> bool {
        q.get("access_token").is_some_and(|t| {
            self.valid_tokens
                .lock()
                .map(|v| v.contains(t))
                .unwrap_or(false)
        })
    }
}

async fn code_to_session(state: web::Data<State>, q: Query) -> HttpResponse {
    if let Some(down) = state.pace().await {
        return down;
    }
    state.session_calls.fetch_add(1, Ordering::SeqCst);
    if let Some(refused) = state.credentials(&q) {
        return refused;
    }
    let code = q.get("js_code").cloned().unwrap_or_default();
    if q.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return err(40002, "invalid grant_type");
    }
    if code.starts_with("risky:") {
        return err(40226, "code blocked");
    }
    if code.starts_with("busy:") {
        return err(
            45011,
            "api minute-quota reach limit mustslower retry next minute",
        );
    }
    let Some(openid) = code
        .strip_prefix("standin:")
        .and_then(|rest| rest.split(':').next())
        .filter(|o| !o.is_empty())
    else {
        return err(40029, "invalid code");
    };
    let first = state
        .spent_codes
        .lock()
        .map(|mut s| s.insert(code.clone()))
        .unwrap_or(false);
    if !first {
        return err(40163, "code been used");
    }
    HttpResponse::Ok().json(json!({
        "openid": openid,
        "session_key": SESSION_KEY,
        "unionid": format!("union-{openid}"),
    }))
}

async fn token(state: web::Data<State>, q: Query) -> HttpResponse {
    if let Some(down) = state.pace().await {
        return down;
    }
    if q.get("grant_type").map(String::as_str) != Some("client_credential") {
        return err(40002, "invalid grant_type");
    }
    if let Some(refused) = state.credentials(&q) {
        return refused;
    }
    let n = state.token_fetches.fetch_add(1, Ordering::SeqCst) + 1;
    let token = format!("standin-token-{n}");
    if let Ok(mut v) = state.valid_tokens.lock() {
        v.insert(token.clone());
    }
    HttpResponse::Ok().json(json!({ "access_token": token, "expires_in": 7200 }))
}

async fn phone_number(state: web::Data<State>, q: Query, body: web::Bytes) -> HttpResponse {
    if let Some(down) = state.pace().await {
        return down;
    }
    if !state.token_ok(&q) {
        return err(
            40001,
            "invalid credential, access_token is invalid or not latest",
        );
    }
    let code = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let phone = state
        .phone_codes
        .lock()
        .ok()
        .and_then(|mut p| p.remove(&code));
    match phone {
        Some(phone) => HttpResponse::Ok().json(json!({
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": phone,
                "purePhoneNumber": phone,
                "countryCode": "86",
                "watermark": { "timestamp": chrono::Utc::now().timestamp(), "appid": state.app_id },
            }
        })),
        None => err(40029, "invalid code"),
    }
}

async fn send_message(state: web::Data<State>, q: Query, body: web::Bytes) -> HttpResponse {
    if let Some(down) = state.pace().await {
        return down;
    }
    if !state.token_ok(&q) {
        return err(
            40001,
            "invalid credential, access_token is invalid or not latest",
        );
    }
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return err(47001, "data format error");
    };
    let field = |k: &str| {
        message
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let key = (field("touser"), field("template_id"));
    let accepted = state
        .accepted
        .lock()
        .map(|a| a.contains(&key))
        .unwrap_or(false);
    if !accepted {
        return err(43101, "user refuse to accept the msg");
    }
    if let Ok(mut s) = state.sent.lock() {
        s.push(message);
    }
    err(0, "ok")
}

impl StandIn {
    /// Starts a stand-in for the mini-program `app_id` with `app_secret`.
    pub async fn start(app_id: &str, app_secret: &str) -> std::io::Result<StandIn> {
        let state = Arc::new(State {
            app_id: app_id.to_owned(),
            app_secret: app_secret.to_owned(),
            ..State::default()
        });
        let data = web::Data::from(state.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/sns/jscode2session", web::get().to(code_to_session))
                .route("/cgi-bin/token", web::get().to(token))
                .route(
                    "/wxa/business/getuserphonenumber",
                    web::post().to(phone_number),
                )
                .route(
                    "/cgi-bin/message/subscribe/send",
                    web::post().to(send_message),
                )
        })
        .workers(1)
        .disable_signals()
        .listen(listener)?
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(StandIn {
            base_url,
            state,
            handle,
        })
    }

    fn next(&self) -> usize {
        self.state.counter.fetch_add(1, Ordering::SeqCst)
    }

    /// A fresh login code for `openid`, as `wx.login` would give it.
    pub fn login_code(&self, openid: &str) -> String {
        format!("standin:{openid}:{}", self.next())
    }

    /// A fresh phone-number code proving `phone`, as `getPhoneNumber` would give it.
    pub fn phone_code(&self, phone: &str) -> String {
        let code = format!("phone-{}", self.next());
        if let Ok(mut p) = self.state.phone_codes.lock() {
            p.insert(code.clone(), phone.to_owned());
        }
        code
    }

    /// The user `openid` accepts subscription messages of `template_id`.
    pub fn accept(&self, openid: &str, template_id: &str) {
        if let Ok(mut a) = self.state.accepted.lock() {
            a.insert((openid.to_owned(), template_id.to_owned()));
        }
    }

    /// Every subscription message sent so far.
    pub fn sent(&self) -> Vec<Value> {
        self.state
            .sent
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// How many access tokens were fetched.
    pub fn token_fetches(&self) -> usize {
        self.state.token_fetches.load(Ordering::SeqCst)
    }

    /// How many code-to-session calls reached the stand-in.
    pub fn session_calls(&self) -> usize {
        self.state.session_calls.load(Ordering::SeqCst)
    }

    /// Every token issued so far stops working (as when WeChat rotates them early).
    pub fn expire_tokens(&self) {
        if let Ok(mut v) = self.state.valid_tokens.lock() {
            v.clear();
        }
    }

    /// Every answer waits this long first.
    pub fn set_delay(&self, delay: Duration) {
        self.state
            .delay_ms
            .store(delay.as_millis() as usize, Ordering::Relaxed);
    }

    /// WeChat is down: every call answers 502 with an HTML page.
    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::Relaxed);
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // Stopping is asynchronous; without a runtime the process is ending anyway.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move { handle.stop(false).await });
        }
    }
}
