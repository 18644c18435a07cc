//! WeChat subscription messages (订阅消息): a family member says which reminders they
//! accepted (after the mini-program's `wx.requestSubscribeMessage`), and staff read the
//! delivery log of a family in their rows.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use nuanxin_domain::Operation;
use nuanxin_store::{NoticeRecord, Store};

use crate::error::{IntoGql, locale};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};

/// What a message tells.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::notices::NoticeKind")]
pub enum NoticeKind {
    /// 补助到账
    AllowancePaid,
    /// 走访安排
    VisitScheduled,
    /// 诉求答复
    RequestAnswered,
}

/// Where a message's delivery stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::notices::NoticeState")]
pub enum NoticeState {
    /// 待发送 (or waiting for its next try)
    Pending,
    /// 已发送
    Sent,
    /// 发送失败 (the tries ran out)
    Failed,
    /// 用户未接受 (WeChat says so; not tried again)
    Refused,
}

/// How many reminders of a kind the member accepted and has not yet had.
#[derive(SimpleObject)]
pub struct NoticeAcceptance {
    pub kind: NoticeKind,
    pub remaining: u32,
}

fn acceptances(list: nuanxin_store::Acceptances) -> Vec<NoticeAcceptance> {
    list.into_iter()
        .map(|(kind, remaining)| NoticeAcceptance {
            kind: kind.into(),
            remaining,
        })
        .collect()
}

/// One message in the delivery log.
pub struct Notice(NoticeRecord);

#[Object]
impl Notice {
    async fn member_id(&self) -> ID {
        ids::encode(Kind::Member, self.0.member_id)
    }
    async fn member_name(&self) -> &str {
        &self.0.member_name
    }
    async fn kind(&self) -> NoticeKind {
        self.0.kind.into()
    }
    /// What it tells, in the reader's language.
    async fn kind_text(&self, ctx: &Context<'_>) -> String {
        self.0.kind.word().render(locale(ctx))
    }
    async fn state(&self) -> NoticeState {
        self.0.state.into()
    }
    async fn state_text(&self, ctx: &Context<'_>) -> String {
        self.0.state.word().render(locale(ctx))
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Why the last try failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
}

#[derive(Default)]
pub struct NoticeQuery;

#[Object]
impl NoticeQuery {
    /// The reminders I accepted and have not yet had, per kind.
    #[graphql(
        guard = "Allowed(Operation::AcceptNotices)",
        visible = "guard::may_accept_notices"
    )]
    async fn my_notice_acceptances(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<NoticeAcceptance>> {
        let store = ctx.data::<Store>()?;
        Ok(acceptances(
            store.my_notice_acceptances(principal(ctx)).await.gql()?,
        ))
    }

    /// The messages sent (or being sent) to a family's members, newest first.
    #[graphql(
        guard = "Allowed(Operation::ReadNotices)",
        visible = "guard::may_read_notices"
    )]
    async fn notices(
        &self,
        ctx: &Context<'_>,
        family_id: ID,
    ) -> async_graphql::Result<Vec<Notice>> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &family_id, "familyId").gql()?;
        Ok(store
            .notices(principal(ctx), family)
            .await
            .gql()?
            .into_iter()
            .map(Notice)
            .collect())
    }
}

#[derive(Default)]
pub struct NoticeMutation;

#[Object]
impl NoticeMutation {
    /// Records that I accepted one reminder of each of `kinds` (what
    /// `wx.requestSubscribeMessage` answered `accept` for). Each lets one message through.
    #[graphql(
        guard = "Allowed(Operation::AcceptNotices)",
        visible = "guard::may_accept_notices"
    )]
    async fn accept_notices(
        &self,
        ctx: &Context<'_>,
        kinds: Vec<NoticeKind>,
    ) -> async_graphql::Result<Vec<NoticeAcceptance>> {
        let store = ctx.data::<Store>()?;
        let kinds: Vec<nuanxin_domain::care::notices::NoticeKind> =
            kinds.into_iter().map(Into::into).collect();
        Ok(acceptances(
            store.accept_notices(principal(ctx), &kinds).await.gql()?,
        ))
    }
}
