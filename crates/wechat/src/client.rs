//! Calls to WeChat's servers, at a configurable base URL (WeChat's own in production, the
//! stand-in in tests and the demo). Every call has a timeout; an outage is
//! [`WeChatError::Unavailable`], never a hang. The app secret travels in query strings, as
//! WeChat wants it, so no URL and no `reqwest` error (which quotes its URL) is ever logged.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use nuanxin_store::{SharedToken, Store};
use serde_json::{Value, json};

use crate::api::{self, WeChatUser};
use crate::error::WeChatError;

/// The most of an answer read: WeChat's are a few hundred bytes.
const MAX_ANSWER: usize = 64 * 1024;

/// A token this close to its end is fetched anew (WeChat's last five minutes overlap the
/// next token's first, so no call falls into a gap).
const REFRESH_MARGIN: chrono::Duration = chrono::Duration::minutes(5);

/// How long a replica may hold the refresh lease before another may take it over.
const REFRESH_LEASE: chrono::Duration = chrono::Duration::seconds(30);

/// Where WeChat is and who we are to it (`NUANXIN_WECHAT_*`).
#[derive(Clone)]
pub struct WeChatConfig {
    /// `https://api.weixin.qq.com`, or the stand-in's address.
    pub base_url: String,
    pub app_id: String,
    pub app_secret: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for WeChatConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeChatConfig")
            .field("base_url", &self.base_url)
            .field("app_id", &self.app_id)
            .field("app_secret", &"***")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// WeChat's production address.
pub const WECHAT_BASE_URL: &str = "https://api.weixin.qq.com";

/// WeChat as the gateway calls it: cheap to clone; [`WeChat::off`] when not configured.
#[derive(Clone, Default)]
pub struct WeChat {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    config: WeChatConfig,
    http: reqwest::Client,
    store: Store,
    /// This replica's copy of the shared token.
    cached: Mutex<Option<SharedToken>>,
}

impl WeChat {
    /// WeChat sign-in is off: every call is [`WeChatError::NotConfigured`].
    pub fn off() -> Self {
        Self::default()
    }

    pub fn new(config: WeChatConfig, store: Store) -> Result<Self, WeChatError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("nuanxin/1")
            .build()
            .map_err(|_| WeChatError::Unavailable("cannot build an HTTP client".into()))?;
        Ok(WeChat {
            inner: Some(Arc::new(Inner {
                config,
                http,
                store,
                cached: Mutex::new(None),
            })),
        })
    }

    fn inner(&self) -> Result<&Inner, WeChatError> {
        self.inner.as_deref().ok_or(WeChatError::NotConfigured)
    }

    /// The mini-program's app id (bindings are per app).
    pub fn app_id(&self) -> Option<&str> {
        self.inner.as_deref().map(|i| i.config.app_id.as_str())
    }

    /// Exchanges a login code (`wx.login`) for the user: code-to-session. The session key
    /// WeChat sends along is not read.
    pub async fn code_to_session(&self, code: &str) -> Result<WeChatUser, WeChatError> {
        let inner = self.inner()?;
        let c = &inner.config;
        let body = inner
            .get(
                "/sns/jscode2session",
                &[
                    ("appid", c.app_id.as_str()),
                    ("secret", c.app_secret.as_str()),
                    ("js_code", code),
                    ("grant_type", "authorization_code"),
                ],
            )
            .await?;
        api::session(&body)
    }

    /// The server's access token, shared by every replica through the database and fetched
    /// by one of them when it nears its end.
    pub async fn access_token(&self) -> Result<String, WeChatError> {
        let inner = self.inner()?;
        let fresh = |t: &SharedToken| t.expires_at - Utc::now() > REFRESH_MARGIN;
        if let Some(t) = inner.cached.lock().ok().and_then(|c| c.clone())
            && fresh(&t)
        {
            return Ok(t.token);
        }
        let app_id = inner.config.app_id.as_str();
        let deadline = tokio::time::Instant::now() + inner.config.timeout;
        loop {
            let shared = inner.store.wechat_access_token(app_id).await.map_err(db)?;
            if let Some(t) = shared.as_ref().filter(|t| fresh(t)) {
                inner.keep(t.clone());
                return Ok(t.token.clone());
            }
            if inner
                .store
                .claim_wechat_token_refresh(app_id, REFRESH_LEASE, Utc::now() + REFRESH_MARGIN)
                .await
                .map_err(db)?
            {
                return inner.fetch_token().await;
            }
            // Another replica is fetching: the old token serves until it really ends.
            if let Some(t) = shared.filter(|t| t.expires_at > Utc::now()) {
                return Ok(t.token);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(WeChatError::Unavailable(
                    "the access token is being fetched by another server".into(),
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Forgets a token WeChat refused as expired, here and for every replica.
    async fn token_refused(&self) -> Result<(), WeChatError> {
        let inner = self.inner()?;
        if let Ok(mut c) = inner.cached.lock() {
            *c = None;
        }
        inner
            .store
            .expire_wechat_access_token(&inner.config.app_id)
            .await
            .map_err(db)
    }

    /// A server-side call with the access token, tried once more with a fresh token when
    /// WeChat says the token expired.
    async fn post_with_token(&self, path: &str, payload: &Value) -> Result<Vec<u8>, WeChatError> {
        let inner = self.inner()?;
        for attempt in 0..2 {
            let token = self.access_token().await?;
            let body = inner.post(path, &token, payload).await?;
            let refused = api::sent(&body).err().filter(api::token_expired);
            match refused {
                Some(_) if attempt == 0 => self.token_refused().await?,
                _ => return Ok(body),
            }
        }
        Err(WeChatError::Unavailable(
            "the access token was refused twice".into(),
        ))
    }

    /// The phone number a user proved with a phone-number code (`getPhoneNumber`): the
    /// mainland number, or `None` for a number abroad.
    pub async fn phone_number(&self, code: &str) -> Result<Option<String>, WeChatError> {
        let body = self
            .post_with_token("/wxa/business/getuserphonenumber", &json!({ "code": code }))
            .await?;
        api::phone_number(&body)
    }

    /// Sends a subscription message (订阅消息) the user accepted.
    pub async fn send_subscription_message(
        &self,
        openid: &str,
        template_id: &str,
        page: &str,
        data: Value,
    ) -> Result<(), WeChatError> {
        let payload = json!({
            "touser": openid,
            "template_id": template_id,
            "page": page,
            "data": data,
            "lang": "zh_CN",
        });
        let body = self
            .post_with_token("/cgi-bin/message/subscribe/send", &payload)
            .await?;
        api::sent(&body)
    }
}

fn db(e: nuanxin_store::StoreError) -> WeChatError {
    tracing::warn!(error = %e, "wechat: the shared token could not be read or kept");
    WeChatError::Unavailable("the registry database is unavailable".into())
}

/// What a failed request tells the caller; the URL (with the secret) stays out of it.
fn outage(e: &reqwest::Error, timeout: Duration) -> WeChatError {
    if e.is_timeout() {
        WeChatError::Unavailable(format!("no answer within {} ms", timeout.as_millis()))
    } else if e.is_connect() {
        WeChatError::Unavailable("WeChat could not be reached".into())
    } else {
        WeChatError::Unavailable("the request to WeChat failed".into())
    }
}

impl Inner {
    fn keep(&self, t: SharedToken) {
        if let Ok(mut c) = self.cached.lock() {
            *c = Some(t);
        }
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<url::Url, WeChatError> {
        let base = self.config.base_url.trim_end_matches('/');
        url::Url::parse_with_params(&format!("{base}{path}"), query)
            .map_err(|_| WeChatError::Unavailable("the WeChat base URL is not a URL".into()))
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Vec<u8>, WeChatError> {
        let sent = self.http.get(self.url(path, query)?).send().await;
        self.read(sent).await
    }

    async fn post(&self, path: &str, token: &str, payload: &Value) -> Result<Vec<u8>, WeChatError> {
        let sent = self
            .http
            .post(self.url(path, &[("access_token", token)])?)
            .header("content-type", "application/json")
            .body(payload.to_string())
            .send()
            .await;
        self.read(sent).await
    }

    async fn read(
        &self,
        sent: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<Vec<u8>, WeChatError> {
        let mut resp = sent.map_err(|e| outage(&e, self.config.timeout))?;
        if !resp.status().is_success() {
            return Err(WeChatError::Unavailable(format!(
                "WeChat answered HTTP {}",
                resp.status().as_u16()
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| outage(&e, self.config.timeout))?
        {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(WeChatError::Unavailable("an oversized answer".into()));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    async fn fetch_token(&self) -> Result<String, WeChatError> {
        let c = &self.config;
        let fetched = async {
            let body = self
                .get(
                    "/cgi-bin/token",
                    &[
                        ("grant_type", "client_credential"),
                        ("appid", c.app_id.as_str()),
                        ("secret", c.app_secret.as_str()),
                    ],
                )
                .await?;
            api::access_token(&body)
        }
        .await;
        match fetched {
            Ok(issued) => {
                let expires_at = Utc::now() + chrono::Duration::seconds(issued.expires_in);
                self.store
                    .save_wechat_access_token(&c.app_id, &issued.token, expires_at)
                    .await
                    .map_err(db)?;
                tracing::info!(app = %c.app_id, %expires_at, "wechat access token fetched");
                self.keep(SharedToken {
                    token: issued.token.clone(),
                    expires_at,
                });
                Ok(issued.token)
            }
            Err(e) => {
                let _ = self.store.release_wechat_token_refresh(&c.app_id).await;
                Err(e)
            }
        }
    }
}
