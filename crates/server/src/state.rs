//! What every request handler shares: the schema, the store, the token service and the
//! edge's settings; and the request id the edge gives each request.

use nuanxin_auth::TokenService;
use nuanxin_graphql::NuanxinSchema;
use nuanxin_store::Store;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub schema: NuanxinSchema,
    /// Runs introspection-only requests (no depth limit; nothing but introspection).
    pub introspection: NuanxinSchema,
    /// Admission: at most this many GraphQL executions at once (twice the pool); a request
    /// that cannot get in within [`crate::http::ADMISSION_WAIT`] is refused at once with
    /// `Retry-After`, so that the admitted ones finish instead of all timing out together.
    pub admission: std::sync::Arc<tokio::sync::Semaphore>,
    /// The allowance rules (entitlement loaders need them per request).
    pub rules: nuanxin_domain::allowances::Rules,
    /// Owns background jobs (heartbeats, shutdown).
    pub jobs: nuanxin_graphql::jobs::JobRunner,
    pub store: Store,
    pub tokens: TokenService,
    /// WeChat's servers (off unless configured): sign-in, server-side calls.
    pub wechat: nuanxin_wechat::WeChat,
    pub dev_mode: bool,
    pub body_limit: usize,
    /// Requests per partner app and minute (a token bucket; 429 beyond it).
    pub partner_rate: nuanxin_auth::KeyedLimit,
    /// Requests per mini-program and minute, and per user of a mini-program and minute.
    pub mini_program_rate: nuanxin_auth::KeyedLimit,
    pub mini_program_user_rate: nuanxin_auth::KeyedLimit,
    /// Attempts at `POST /auth/token` per client id and per address.
    pub client_throttle: nuanxin_auth::LoginThrottle,
    /// Attempts at `POST /emergency/device-calls` per device serial and per address.
    pub device_throttle: nuanxin_auth::LoginThrottle,
    /// How `/graphql/ws` connections are kept.
    pub ws: crate::subscriptions::WsSettings,
    /// Documents parsed once and kept (the edge's pre-flight and execution share them).
    pub documents: std::sync::Arc<nuanxin_graphql::documents::Documents>,
}

/// A caller over its budget: what to tell it, and in how many seconds to come back.
pub struct OverBudget {
    pub message: nuanxin_locale::Message,
    pub retry_after_secs: u64,
}

impl AppState {
    /// Spends one request (or one operation over the socket) of the caller's budgets: a
    /// partner app's, or a mini-program's and its user's. Staff have none.
    pub fn spend_budget(&self, p: &nuanxin_domain::Principal) -> Result<(), OverBudget> {
        let over = |message: nuanxin_locale::Message, t: &nuanxin_auth::Throttled| OverBudget {
            message,
            retry_after_secs: t.retry_after_secs(),
        };
        if let nuanxin_domain::Subject::Partner { app, .. } = &p.subject {
            self.partner_rate.admit(&app.to_string()).map_err(|t| {
                over(
                    nuanxin_locale::msg!("app-rate-limited", seconds = t.retry_after_secs()),
                    &t,
                )
            })?;
        }
        if let Some(app) = crate::persisted::mini_program_of(p) {
            self.mini_program_rate
                .admit(app)
                .and_then(|()| self.mini_program_user_rate.admit(&p.actor_id().to_string()))
                .map_err(|t| {
                    over(
                        nuanxin_locale::msg!(
                            "mini-program-rate-limited",
                            seconds = t.retry_after_secs()
                        ),
                        &t,
                    )
                })?;
        }
        Ok(())
    }

    /// The same state with another per-app budget (configuration, tests).
    pub fn with_partner_rate(mut self, per_minute: u32) -> Self {
        self.partner_rate = nuanxin_auth::KeyedLimit::per_minute(per_minute);
        self
    }

    /// The same state with other mini-program budgets (configuration, tests).
    pub fn with_mini_program_rate(mut self, per_app: u32, per_user: u32) -> Self {
        self.mini_program_rate = nuanxin_auth::KeyedLimit::per_minute(per_app);
        self.mini_program_user_rate = nuanxin_auth::KeyedLimit::per_minute(per_user);
        self
    }
}

/// The request id, from a sane `X-Request-Id` header or freshly made.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);
