//! Notifications to families (订阅消息): WeChat subscription messages a family member
//! accepted in the mini-program — one acceptance lets one message of that kind through, as
//! WeChat's one-time subscriptions do. What a message says is composed here; WeChat caps a
//! `thing` field at 20 characters and a `phrase` at 5.

use chrono::NaiveDate;
use nuanxin_locale::Message;

/// What a message tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// 补助到账: an allowance month was paid.
    AllowancePaid,
    /// 走访安排: someone has been assigned to visit the family.
    VisitScheduled,
    /// 诉求答复: a request of theirs was answered.
    RequestAnswered,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 3] = [
        NoticeKind::AllowancePaid,
        NoticeKind::VisitScheduled,
        NoticeKind::RequestAnswered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::AllowancePaid => "allowance_paid",
            NoticeKind::VisitScheduled => "visit_scheduled",
            NoticeKind::RequestAnswered => "request_answered",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn word(self) -> Message {
        Message::term("notice-kind", self.as_str())
    }

    /// The mini-program page the message opens.
    pub fn page(self) -> &'static str {
        match self {
            NoticeKind::AllowancePaid => "pages/allowance/allowance",
            NoticeKind::VisitScheduled | NoticeKind::RequestAnswered => "pages/home/home",
        }
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeState {
    /// 待发送 (or waiting for its next try).
    Pending,
    /// 已发送
    Sent,
    /// 发送失败: WeChat was unreachable or refused until the tries ran out.
    Failed,
    /// 用户未接受: WeChat says the user did not accept it (no retry).
    Refused,
}

impl NoticeState {
    pub const ALL: [NoticeState; 4] = [
        NoticeState::Pending,
        NoticeState::Sent,
        NoticeState::Failed,
        NoticeState::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeState::Pending => "pending",
            NoticeState::Sent => "sent",
            NoticeState::Failed => "failed",
            NoticeState::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn word(self) -> Message {
        Message::term("notice-state", self.as_str())
    }
}

/// A `thing` value as WeChat takes it: at most 20 characters.
fn thing(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= 20 {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(19).collect();
    out.push('…');
    out
}

/// 68000 → "680.00元".
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}元", fen.abs() / 100, fen.abs() % 100)
}

fn field(key: &str, value: String) -> (String, String) {
    (key.to_owned(), value)
}

/// The message's fields (the template's keys and their values): an allowance month paid.
pub fn allowance_paid(month: &str, amount_fen: i64, what: &str) -> Vec<(String, String)> {
    vec![
        field("thing1", thing(what)),
        field("amount2", yuan(amount_fen)),
        field("thing3", thing(&format!("{month} 已发放到您的账户"))),
    ]
}

/// A visit arranged: who visits, and from when.
pub fn visit_scheduled(visitor: &str, starts_on: NaiveDate) -> Vec<(String, String)> {
    vec![
        field("thing1", thing(visitor)),
        field("date2", starts_on.format("%Y年%m月%d日").to_string()),
        field("thing3", thing("将定期上门看望您")),
    ]
}

/// A request answered: what was asked, and the answer.
pub fn request_answered(asked: &str, accepted: bool, note: Option<&str>) -> Vec<(String, String)> {
    vec![
        field("thing1", thing(asked)),
        field(
            "phrase2",
            if accepted { "已受理" } else { "未通过" }.to_owned(),
        ),
        field("thing3", thing(note.unwrap_or("请打开小程序查看"))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(k));
        }
        for s in NoticeState::ALL {
            assert_eq!(NoticeState::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn fields_fit_wechats_limits() {
        let long = "一".repeat(40);
        let f = request_answered(&long, false, Some(&long));
        assert!(f.iter().all(|(_, v)| v.chars().count() <= 20), "{f:?}");
        assert_eq!(f[1].1, "未通过");
        let paid = allowance_paid("2026年12月", 68000, "特别扶助金");
        assert_eq!(paid[1].1, "680.00元");
        let visit = visit_scheduled(
            "刘志愿",
            NaiveDate::from_ymd_opt(2026, 12, 5).expect("date"),
        );
        assert_eq!(visit[1].1, "2026年12月05日");
    }
}
