//! What WeChat sign-in and binding answer.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use nuanxin_store::{BindingTarget, WechatBindingRecord};

use crate::error::locale;
use crate::ids::{self, Kind};
use crate::session::objects::Me;

#[derive(SimpleObject)]
pub struct WxLoginPayload {
    /// True when this WeChat user is bound to a family member or volunteer: the token below
    /// is theirs. False: bind first with `bindWechat` and the binding ticket.
    pub bound: bool,
    /// Send as `Authorization: Bearer <token>`; when it ends, sign in with `wx.login` again.
    pub access_token: Option<String>,
    pub access_token_expires_at: Option<DateTime<Utc>>,
    pub me: Option<Me>,
    /// For an unbound user: pass it to `bindWechat` with the binding code (10 minutes, once).
    pub binding_ticket: Option<String>,
    pub binding_ticket_expires_at: Option<DateTime<Utc>>,
}

/// A one-time binding code (绑定码) for one person, shown once: print the slip or show the
/// QR code, and the person binds their WeChat with it.
pub struct BindingCode {
    pub code: String,
    pub qr_svg: String,
    pub for_name: String,
    pub expires_at: DateTime<Utc>,
}

#[Object]
impl BindingCode {
    /// The code as printed (`ABCD-EFGH-JKMN`); case, spaces and dashes do not matter.
    async fn code(&self) -> &str {
        &self.code
    }
    /// The same code as a QR code (SVG) for the mini-program's scanner.
    async fn qr_svg(&self) -> &str {
        &self.qr_svg
    }
    /// Whom it binds.
    async fn for_name(&self) -> &str {
        &self.for_name
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
    /// What the slip tells the person, in the reader's language.
    async fn instructions(&self, ctx: &Context<'_>) -> String {
        nuanxin_locale::msg!("binding-slip-how").render(locale(ctx))
    }
}

/// Whom a binding speaks for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BindingKind {
    FamilyMember,
    Volunteer,
}

/// How a binding was made.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BindingVia {
    /// A binding code a worker issued.
    BindingCode,
    /// The phone number on file, proved through WeChat.
    Phone,
}

/// A WeChat user bound to a person (绑定), as staff see it: the WeChat ids stay on the
/// server.
pub struct WechatBinding(pub WechatBindingRecord);

#[Object]
impl WechatBinding {
    async fn id(&self) -> ID {
        ids::encode(Kind::WechatBinding, self.0.id)
    }
    async fn kind(&self) -> BindingKind {
        match self.0.target {
            BindingTarget::Member(_) => BindingKind::FamilyMember,
            BindingTarget::Volunteer(_) => BindingKind::Volunteer,
        }
    }
    async fn member_id(&self) -> Option<ID> {
        match self.0.target {
            BindingTarget::Member(m) => Some(ids::encode(Kind::Member, m)),
            BindingTarget::Volunteer(_) => None,
        }
    }
    async fn volunteer_id(&self) -> Option<ID> {
        match self.0.target {
            BindingTarget::Volunteer(v) => Some(ids::encode(Kind::Volunteer, v)),
            BindingTarget::Member(_) => None,
        }
    }
    async fn via(&self) -> BindingVia {
        if self.0.via == "phone" {
            BindingVia::Phone
        } else {
            BindingVia::BindingCode
        }
    }
    async fn active(&self) -> bool {
        self.0.unbound_at.is_none()
    }
    async fn bound_at(&self) -> DateTime<Utc> {
        self.0.bound_at
    }
    /// The worker who issued the binding code.
    async fn issued_by(&self) -> Option<&str> {
        self.0.issued_by.as_deref()
    }
    async fn unbound_at(&self) -> Option<DateTime<Utc>> {
        self.0.unbound_at
    }
    /// The worker who ended it (none when a later binding replaced it).
    async fn unbound_by(&self) -> Option<&str> {
        self.0.unbound_by.as_deref()
    }
    /// Why it ended: the worker's words, or `rebound` / `superseded` when a new binding of
    /// the same WeChat user or the same person replaced it.
    async fn unbound_reason(&self) -> Option<&str> {
        self.0.unbound_reason.as_deref()
    }
}
