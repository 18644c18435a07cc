//! Events for partners (webhooks): which events there are, where they may be sent, and
//! when a failed delivery is tried again.

use nuanxin_locale::{Localised, Message, localised_error, msg};

use chrono::Duration;

/// An event a partner's system may subscribe to, so that it need not poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookEvent {
    /// A referral 转介 was assigned to one of the organisation's units.
    ReferralAssigned,
    /// A green-channel card 绿色通道卡 was issued to a member of a family in the hospital's
    /// contracted regions.
    GreenChannelCardIssued,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 2] = [
        WebhookEvent::ReferralAssigned,
        WebhookEvent::GreenChannelCardIssued,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::ReferralAssigned => "referral.assigned",
            WebhookEvent::GreenChannelCardIssued => "green_channel_card.issued",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    Scheme,
    TooLong,
    NoHost,
    Credentials,
}

impl Localised for UrlError {
    fn message(&self) -> Message {
        match self {
            UrlError::Scheme => msg!("webhook-url-scheme"),
            UrlError::TooLong => msg!("webhook-url-too-long"),
            UrlError::NoHost => msg!("webhook-url-no-host"),
            UrlError::Credentials => msg!("webhook-url-credentials"),
        }
    }
}
localised_error!(UrlError);

/// Checks a receiver address: HTTPS (plain HTTP only to this machine, for a local stand-in),
/// a host, no credentials in it.
pub fn check_url(url: &str) -> Result<(), UrlError> {
    if url.len() > 500 {
        return Err(UrlError::TooLong);
    }
    let (rest, secure) = if let Some(r) = url.strip_prefix("https://") {
        (r, true)
    } else if let Some(r) = url.strip_prefix("http://") {
        (r, false)
    } else {
        return Err(UrlError::Scheme);
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(UrlError::Credentials);
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    if !secure && !matches!(host, "127.0.0.1" | "localhost" | "::1") {
        return Err(UrlError::Scheme);
    }
    Ok(())
}

/// How long to wait before attempt `attempt + 1` after `attempt` failed ones: `base`,
/// doubling each time, at most six hours — with the default base of 30 s and 8 attempts a
/// receiver has about two hours to come back.
pub fn retry_delay(attempts: u32, base: Duration) -> Duration {
    let factor = 1i32 << attempts.saturating_sub(1).min(16);
    (base * factor).min(Duration::hours(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_stable_names() {
        for e in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(e.as_str()), Some(e));
        }
        assert_eq!(WebhookEvent::parse("card.issued"), None);
    }

    #[test]
    fn receivers_are_https_except_on_this_machine() {
        assert_eq!(
            check_url("https://hospital.example.cn/hooks/nuanxin"),
            Ok(())
        );
        assert_eq!(check_url("http://127.0.0.1:8099/hook"), Ok(()));
        assert_eq!(check_url("http://localhost/hook"), Ok(()));
        assert_eq!(check_url("http://[::1]:80/hook"), Ok(()));
        assert_eq!(
            check_url("http://hospital.example.cn/hook"),
            Err(UrlError::Scheme)
        );
        assert_eq!(check_url("ftp://x/y"), Err(UrlError::Scheme));
        assert_eq!(
            check_url("https://user:pw@x.cn/"),
            Err(UrlError::Credentials)
        );
        assert_eq!(check_url("https:///path"), Err(UrlError::NoHost));
        assert_eq!(
            check_url(&format!("https://x.cn/{}", "a".repeat(500))),
            Err(UrlError::TooLong)
        );
    }

    #[test]
    fn retries_back_off_and_stop_growing() {
        let base = Duration::seconds(30);
        assert_eq!(retry_delay(1, base), Duration::seconds(30));
        assert_eq!(retry_delay(2, base), Duration::seconds(60));
        assert_eq!(retry_delay(4, base), Duration::seconds(240));
        assert_eq!(retry_delay(40, base), Duration::hours(6));
    }
}
