//! A family's request as the API shows it.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use nuanxin_store::FamilyRequestRecord;

use crate::error::locale;
use crate::ids::{self, Kind};

/// What a family asks for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::requests::RequestKind")]
pub enum RequestKind {
    /// 申请走访
    Visit,
    /// 申请应急救助
    EmergencyAid,
    /// 变更联系方式 (applied when a worker accepts it)
    ContactChange,
}

/// Where a request stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::requests::RequestState")]
pub enum RequestState {
    /// 待处理
    Open,
    /// 已受理
    Accepted,
    /// 未受理 (the worker's reason is the answer note)
    Declined,
}

pub struct FamilyRequest(pub FamilyRequestRecord);

#[Object]
impl FamilyRequest {
    async fn id(&self) -> ID {
        ids::encode(Kind::Request, self.0.id)
    }
    async fn family_id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family_id)
    }
    async fn member_id(&self) -> ID {
        ids::encode(Kind::Member, self.0.member_id)
    }
    /// Who asked.
    async fn member_name(&self) -> &str {
        &self.0.member_name
    }
    async fn kind(&self) -> RequestKind {
        self.0.kind.into()
    }
    /// What is asked, in the reader's language ("申请走访").
    async fn kind_text(&self, ctx: &Context<'_>) -> String {
        nuanxin_locale::Message::term("request-kind", self.0.kind.as_str()).render(locale(ctx))
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Masked: first 3 and last 4 digits.
    async fn new_phone(&self) -> Option<&str> {
        self.0.new_phone_masked.as_deref()
    }
    /// Masked: the area only.
    async fn new_address(&self) -> Option<&str> {
        self.0.new_address_masked.as_deref()
    }
    async fn state(&self) -> RequestState {
        self.0.state.into()
    }
    /// Where it stands, in the reader's language ("待处理").
    async fn state_text(&self, ctx: &Context<'_>) -> String {
        nuanxin_locale::Message::term("request-state", self.0.state.as_str()).render(locale(ctx))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
    /// The worker who answered.
    async fn answered_by(&self) -> Option<&str> {
        self.0.answered_by.as_deref()
    }
    /// The worker's words to the family (why not, when declined).
    async fn answer_note(&self) -> Option<&str> {
        self.0.answer_note.as_deref()
    }
}
