//! The sender of WeChat subscription messages (订阅消息): claims the messages due (see the
//! store's `wechat::notices`), sends each through WeChat's subscribe-send API at the
//! configured base URL with the template configured for its kind, and records every try.
//! WeChat unreachable or busy: tried again with back-off; the user not accepting it (43101):
//! not tried again. Runs in every replica; a message is claimed before it is sent.

use std::collections::HashMap;
use std::time::Duration;

use nuanxin_domain::care::notices::NoticeKind;
use nuanxin_store::{DueNotice, NoticeOutcome, NoticeRetry, Store};
use nuanxin_wechat::{WeChat, WeChatError};

/// How messages are sent (`NUANXIN_WECHAT_TEMPLATE_*`, the template id of each kind as the
/// WeChat admin console gives it; a kind without one is not sent and says so in the log).
#[derive(Debug, Clone)]
pub struct NoticeSettings {
    pub templates: HashMap<NoticeKind, String>,
    pub max_attempts: u32,
    pub retry_base: Duration,
    pub poll: Duration,
}

impl Default for NoticeSettings {
    fn default() -> Self {
        Self {
            templates: HashMap::new(),
            max_attempts: 6,
            retry_base: Duration::from_secs(30),
            poll: Duration::from_secs(2),
        }
    }
}

/// The environment variable naming the template of `kind`.
pub fn template_variable(kind: NoticeKind) -> String {
    format!(
        "NUANXIN_WECHAT_TEMPLATE_{}",
        kind.as_str().to_ascii_uppercase()
    )
}

#[derive(Clone)]
pub struct Sender {
    wechat: WeChat,
    settings: NoticeSettings,
}

impl Sender {
    pub fn new(wechat: WeChat, settings: NoticeSettings) -> Self {
        Self { wechat, settings }
    }

    fn retry(&self) -> NoticeRetry {
        NoticeRetry {
            max_attempts: self.settings.max_attempts.max(1),
            base: chrono::Duration::from_std(self.settings.retry_base)
                .unwrap_or_else(|_| chrono::Duration::seconds(30)),
        }
    }

    /// One pass: claims what is due and sends it. Returns how many were tried.
    pub async fn run_once(&self, store: &Store) -> anyhow::Result<usize> {
        let due = store
            .claim_due_notices(50, chrono::Duration::seconds(60))
            .await?;
        let n = due.len();
        for notice in due {
            let outcome = self.send(&notice).await;
            let state = store
                .record_notice_attempt(notice.id, &outcome, self.retry())
                .await?;
            tracing::info!(notice = %notice.id, kind = notice.kind.as_str(),
                attempt = notice.attempts + 1, state = state.as_str(), "subscription message try");
        }
        Ok(n)
    }

    async fn send(&self, n: &DueNotice) -> NoticeOutcome {
        let Some(template) = self.settings.templates.get(&n.kind) else {
            return NoticeOutcome::Failed(format!(
                "no template configured ({})",
                template_variable(n.kind)
            ));
        };
        if self.wechat.app_id() != Some(n.app_id.as_str()) {
            return NoticeOutcome::Failed("the user is bound in another mini-program".into());
        }
        match self
            .wechat
            .send_subscription_message(&n.openid, template, &n.page, n.data.clone())
            .await
        {
            Ok(()) => NoticeOutcome::Sent,
            Err(WeChatError::NotAccepted) => NoticeOutcome::Refused,
            Err(e) => NoticeOutcome::Failed(e.to_string()),
        }
    }

    /// Runs the sender for the life of the process.
    pub fn spawn(self, store: Store) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.run_once(&store).await {
                    Ok(50..) => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "subscription message pass failed"),
                }
                tokio::time::sleep(self.settings.poll).await;
            }
        })
    }
}
