//! WeChat subscription messages to families (订阅消息). A family member accepts kinds of
//! message in the mini-program (one acceptance lets one message through, as WeChat's
//! one-time subscriptions do); when an event happens (an allowance month paid, a visit
//! arranged, a request answered) a message is queued — in the event's own transaction, and
//! only for a member with an unused acceptance and a live WeChat binding. The server's
//! sender claims what is due, sends it through WeChat and records each try: the delivery
//! log staff read.

use chrono::{DateTime, Duration, Utc};
use nuanxin_domain::care::notices::{NoticeKind, NoticeState};
use nuanxin_domain::partners::webhook::retry_delay;
use nuanxin_domain::{Operation, Principal, Resource, Subject};
use nuanxin_locale::msg;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::{member, notice, notice_acceptance as acceptance, wechat_binding as binding};
use crate::error::StoreError;
use crate::slice::require;

/// A message in the delivery log.
#[derive(Debug, Clone)]
pub struct NoticeRecord {
    pub id: Uuid,
    pub member_id: Uuid,
    pub member_name: String,
    pub kind: NoticeKind,
    pub state: NoticeState,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A message the sender is to send now.
#[derive(Debug, Clone)]
pub struct DueNotice {
    pub id: Uuid,
    pub kind: NoticeKind,
    pub app_id: String,
    pub openid: String,
    /// `{"thing1": {"value": "…"}, …}`, as WeChat takes a message's data.
    pub data: serde_json::Value,
    pub page: String,
    pub attempts: i32,
}

/// How one try went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeOutcome {
    Sent,
    /// WeChat says the user did not accept it: no retry.
    Refused,
    /// WeChat was unreachable or refused for another reason: tried again later.
    Failed(String),
}

/// How many times a message is tried, and the first wait.
#[derive(Debug, Clone, Copy)]
pub struct NoticeRetry {
    pub max_attempts: u32,
    pub base: Duration,
}

/// The member and kind of each acceptance still unused.
pub type Acceptances = Vec<(NoticeKind, u32)>;

/// Queues a message of `kind` to `member` inside the caller's transaction, if the member
/// accepted one (that acceptance is used up) and has a live WeChat binding. Returns whether
/// one was queued; nothing is written otherwise.
pub(crate) async fn queue<C: ConnectionTrait>(
    conn: &C,
    family: Uuid,
    member: Uuid,
    kind: NoticeKind,
    fields: Vec<(String, String)>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(bound) = binding::Entity::find()
        .filter(binding::Column::MemberId.eq(member))
        .filter(binding::Column::UnboundAt.is_null())
        .order_by_desc(binding::Column::BoundAt)
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let Some(accepted) = acceptance::Entity::find()
        .filter(acceptance::Column::MemberId.eq(member))
        .filter(acceptance::Column::Kind.eq(kind.as_str()))
        .filter(acceptance::Column::UsedAt.is_null())
        .order_by_asc(acceptance::Column::AcceptedAt)
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let used = acceptance::Entity::update_many()
        .col_expr(acceptance::Column::UsedAt, Expr::value(now))
        .filter(acceptance::Column::Id.eq(accepted.id))
        .filter(acceptance::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if used.rows_affected != 1 {
        return Ok(false);
    }
    let fields: serde_json::Map<String, serde_json::Value> = fields
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    notice::Entity::insert(notice::ActiveModel {
        id: Set(Uuid::now_v7()),
        family_id: Set(family),
        member_id: Set(member),
        kind: Set(kind.as_str().to_owned()),
        app_id: Set(bound.app_id),
        openid: Set(bound.openid),
        fields: Set(serde_json::Value::Object(fields).to_string()),
        page: Set(kind.page().to_owned()),
        state: Set(NoticeState::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(true)
}

impl Store {
    /// A family member accepts one message of each of `kinds` (after WeChat's
    /// `requestSubscribeMessage` said they did). Returns their unused acceptances.
    pub async fn accept_notices(
        &self,
        p: &Principal,
        kinds: &[NoticeKind],
    ) -> Result<Acceptances, StoreError> {
        require(p, Operation::AcceptNotices)?;
        let Subject::FamilyMember { member, .. } = p.subject else {
            return Err(StoreError::forbidden(msg!(
                "forbidden-operation",
                role = p.audience().word(),
                operation = Operation::AcceptNotices.word()
            )));
        };
        if kinds.is_empty() {
            return Err(StoreError::bad_input("kinds", msg!("notice-kinds-none")));
        }
        let now = self.clock.now();
        acceptance::Entity::insert_many(kinds.iter().map(|k| acceptance::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(member),
            kind: Set(k.as_str().to_owned()),
            accepted_at: Set(now),
            used_at: Set(None),
        }))
        .exec(&self.db)
        .await?;
        tracing::info!(member = %member, kinds = kinds.len(), "notices accepted");
        self.my_notice_acceptances(p).await
    }

    /// How many messages of each kind the family member has accepted and not yet had.
    pub async fn my_notice_acceptances(&self, p: &Principal) -> Result<Acceptances, StoreError> {
        require(p, Operation::AcceptNotices)?;
        let Subject::FamilyMember { member, .. } = p.subject else {
            return Ok(Vec::new());
        };
        let rows = acceptance::Entity::find()
            .filter(acceptance::Column::MemberId.eq(member))
            .filter(acceptance::Column::UsedAt.is_null())
            .all(&self.db)
            .await?;
        Ok(NoticeKind::ALL
            .into_iter()
            .map(|k| {
                let n = rows.iter().filter(|r| r.kind == k.as_str()).count();
                (k, u32::try_from(n).unwrap_or(u32::MAX))
            })
            .collect())
    }

    /// The delivery log of a family in the caller's rows, newest first.
    pub async fn notices(
        &self,
        p: &Principal,
        family: Uuid,
    ) -> Result<Vec<NoticeRecord>, StoreError> {
        require(p, Operation::ReadNotices)?;
        crate::care::reachable_family(&self.db, p, Resource::Member, family).await?;
        let rows = notice::Entity::find()
            .filter(notice::Column::FamilyId.eq(family))
            .order_by_desc(notice::Column::CreatedAt)
            .limit(200)
            .all(&self.db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.member_id).collect();
        let names: std::collections::HashMap<Uuid, String> = member::Entity::find()
            .filter(member::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
        rows.into_iter()
            .map(|r| {
                Ok(NoticeRecord {
                    id: r.id,
                    member_name: names.get(&r.member_id).cloned().unwrap_or_default(),
                    member_id: r.member_id,
                    kind: NoticeKind::parse(&r.kind)
                        .ok_or_else(|| StoreError::Internal(format!("notice kind {}", r.kind)))?,
                    state: NoticeState::parse(&r.state)
                        .ok_or_else(|| StoreError::Internal(format!("notice state {}", r.state)))?,
                    attempts: r.attempts,
                    last_error: r.last_error,
                    created_at: r.created_at,
                    sent_at: r.sent_at,
                })
            })
            .collect()
    }

    /// Claims up to `limit` due messages for `lease` (another replica's sender skips them
    /// meanwhile; one that dies holding them lets them fall due again).
    pub async fn claim_due_notices(
        &self,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<DueNotice>, StoreError> {
        let now = self.clock.now();
        let due = notice::Entity::find()
            .filter(notice::Column::State.eq(NoticeState::Pending.as_str()))
            .filter(notice::Column::NextAttemptAt.lte(now))
            .order_by_asc(notice::Column::NextAttemptAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        let mut claimed = Vec::with_capacity(due.len());
        for n in due {
            let taken = notice::Entity::update_many()
                .col_expr(notice::Column::NextAttemptAt, Expr::value(now + lease))
                .filter(notice::Column::Id.eq(n.id))
                .filter(notice::Column::State.eq(NoticeState::Pending.as_str()))
                .filter(notice::Column::NextAttemptAt.eq(n.next_attempt_at))
                .exec(&self.db)
                .await?;
            if taken.rows_affected != 1 {
                continue;
            }
            let Some(kind) = NoticeKind::parse(&n.kind) else {
                continue;
            };
            let fields: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&n.fields).unwrap_or_default();
            let data = fields
                .into_iter()
                .map(|(k, v)| (k, serde_json::json!({ "value": v })))
                .collect::<serde_json::Map<_, _>>();
            claimed.push(DueNotice {
                id: n.id,
                kind,
                app_id: n.app_id,
                openid: n.openid,
                data: serde_json::Value::Object(data),
                page: n.page,
                attempts: n.attempts,
            });
        }
        Ok(claimed)
    }

    /// Records one try of a message; returns where it now stands.
    pub async fn record_notice_attempt(
        &self,
        id: Uuid,
        outcome: &NoticeOutcome,
        retry: NoticeRetry,
    ) -> Result<NoticeState, StoreError> {
        let now = self.clock.now();
        let row = notice::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "notice" })?;
        let attempts = row.attempts.saturating_add(1);
        let mut update = notice::Entity::update_many()
            .col_expr(notice::Column::Attempts, Expr::value(attempts))
            .filter(notice::Column::Id.eq(id));
        let state = match outcome {
            NoticeOutcome::Sent => {
                update = update
                    .col_expr(notice::Column::SentAt, Expr::value(now))
                    .col_expr(notice::Column::LastError, Expr::value(None::<String>));
                NoticeState::Sent
            }
            NoticeOutcome::Refused => {
                update = update.col_expr(
                    notice::Column::LastError,
                    Expr::value("the user has not accepted this message".to_owned()),
                );
                NoticeState::Refused
            }
            NoticeOutcome::Failed(error) => {
                update = update.col_expr(
                    notice::Column::LastError,
                    Expr::value(error.chars().take(300).collect::<String>()),
                );
                let tried = u32::try_from(attempts).unwrap_or(u32::MAX);
                if tried >= retry.max_attempts {
                    NoticeState::Failed
                } else {
                    update = update.col_expr(
                        notice::Column::NextAttemptAt,
                        Expr::value(now + retry_delay(tried, retry.base)),
                    );
                    NoticeState::Pending
                }
            }
        };
        update
            .col_expr(notice::Column::State, Expr::value(state.as_str()))
            .exec(&self.db)
            .await?;
        Ok(state)
    }
}
