//! `wxLogin` and `bindWechat`: a mini-program's sign-in. The login code is spent here before
//! WeChat is asked (a replay is refused without a call), WeChat vouches for the user, and a
//! bound user gets our own access token; an unbound one a ticket to bind with.

use async_graphql::{Context, Object};
use chrono::Duration;
use nuanxin_auth::{TokenService, hash_refresh_token, new_refresh_token};
use nuanxin_domain::access::binding;
use nuanxin_domain::{Operation, Principal};
use nuanxin_locale::msg;
use nuanxin_store::{BindRefusal, PhoneBindRefusal, Store, WechatIdentity};
use nuanxin_wechat::WeChat;

use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, request_meta};
use crate::session::objects::Me;
use crate::wechat::objects::WxLoginPayload;
use crate::wechat::{WechatSignInLimit, api_error};

/// How long an unbound user has to type or scan their binding code.
const TICKET_TTL: Duration = Duration::minutes(10);

/// Login codes are 32-odd characters; anything much longer is not one.
const MAX_CODE: usize = 256;

fn admit(ctx: &Context<'_>) -> async_graphql::Result<()> {
    let limit = ctx.data::<WechatSignInLimit>()?;
    let Some(address) = request_meta(ctx).client else {
        return Ok(());
    };
    limit
        .0
        .admit(&address.to_string())
        .map_err(ApiError::Throttled)
        .gql()
}

/// Our token for a bound user, naming the mini-program they came through: it runs only that
/// mini-program's registered operations.
fn signed_in(ctx: &Context<'_>, principal: Principal) -> async_graphql::Result<WxLoginPayload> {
    let tokens = ctx.data::<TokenService>()?;
    let app = ctx.data::<WeChat>()?.app_id();
    let access = tokens
        .issue_through(&principal, app)
        .map_err(|_| ApiError::Internal)
        .gql()?;
    Ok(WxLoginPayload {
        bound: true,
        access_token: Some(access.token),
        access_token_expires_at: Some(access.expires_at),
        me: Some(Me(principal)),
        binding_ticket: None,
        binding_ticket_expires_at: None,
    })
}

#[derive(Default)]
pub struct WechatSignInMutation;

#[Object]
impl WechatSignInMutation {
    /// Signs a family member or volunteer in with the code of `wx.login` (valid once, for
    /// five minutes). A WeChat user not yet bound to anyone gets a binding ticket instead of
    /// a token.
    #[graphql(guard = "Allowed(Operation::Login)", visible = "guard::may_log_in")]
    async fn wx_login(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> async_graphql::Result<WxLoginPayload> {
        let code = code.trim();
        if code.is_empty() || code.len() > MAX_CODE {
            return Err(ApiError::bad_input("code", msg!("wechat-code-missing"))).gql();
        }
        admit(ctx)?;
        let store = ctx.data::<Store>()?;
        let wechat = ctx.data::<WeChat>()?;
        let app_id = wechat
            .app_id()
            .ok_or_else(|| api_error(nuanxin_wechat::WeChatError::NotConfigured))
            .gql()?
            .to_owned();
        if !store
            .spend_wechat_code(&hash_refresh_token(code))
            .await
            .gql()?
        {
            tracing::warn!("wechat login code replayed");
            return Err(ApiError::Unauthenticated(msg!("wechat-code-used"))).gql();
        }
        let user = wechat
            .code_to_session(code)
            .await
            .map_err(api_error)
            .gql()?;
        let identity = WechatIdentity {
            app_id,
            openid: user.openid,
            unionid: user.unionid,
        };
        if let Some(principal) = store.wechat_principal(&identity).await.gql()? {
            tracing::info!(subject = ?principal.kind(), "wechat login");
            return signed_in(ctx, principal);
        }
        let ticket = new_refresh_token().map_err(|_| ApiError::Internal).gql()?;
        let expires_at = store
            .keep_wechat_ticket(&hash_refresh_token(&ticket), &identity, TICKET_TTL)
            .await
            .gql()?;
        tracing::info!("wechat login of an unbound user");
        Ok(WxLoginPayload {
            bound: false,
            access_token: None,
            access_token_expires_at: None,
            me: None,
            binding_ticket: Some(ticket),
            binding_ticket_expires_at: Some(expires_at),
        })
    }

    /// Binds the WeChat user of `ticket` (from `wxLogin`) to the person a worker issued
    /// `bindingCode` for, and signs them in. The code works once; a wrong code leaves the
    /// ticket good for another try.
    #[graphql(guard = "Allowed(Operation::Login)", visible = "guard::may_log_in")]
    async fn bind_wechat(
        &self,
        ctx: &Context<'_>,
        ticket: String,
        binding_code: String,
    ) -> async_graphql::Result<WxLoginPayload> {
        if ticket.is_empty() || ticket.len() > MAX_CODE {
            return Err(ApiError::Unauthenticated(msg!("wechat-ticket-invalid"))).gql();
        }
        let Some(code) = binding::normalise(&binding_code) else {
            return Err(ApiError::bad_input(
                "bindingCode",
                msg!("binding-code-format"),
            ))
            .gql();
        };
        admit(ctx)?;
        let store = ctx.data::<Store>()?;
        let outcome = store
            .bind_wechat(&hash_refresh_token(&ticket), &hash_refresh_token(&code))
            .await
            .gql()?;
        let why = match outcome {
            Ok(principal) => return signed_in(ctx, principal),
            Err(BindRefusal::Ticket) => {
                return Err(ApiError::Unauthenticated(msg!("wechat-ticket-invalid"))).gql();
            }
            Err(BindRefusal::UnknownCode) => msg!("binding-code-unknown"),
            Err(BindRefusal::Expired) => msg!("binding-code-expired"),
            Err(BindRefusal::AlreadyUsed) => msg!("binding-code-used"),
            Err(BindRefusal::Gone) => msg!("binding-person-gone"),
        };
        tracing::info!(reason = why.key(), "wechat binding refused");
        Err(ApiError::bad_input("bindingCode", why)).gql()
    }

    /// Binds the WeChat user of `ticket` to the person whose phone number on file the user
    /// proves with the code of WeChat's phone-number button (`getPhoneNumber`), and signs
    /// them in. When nobody or more than one person has that number, nothing is bound and
    /// the ticket stays good for a binding code.
    #[graphql(guard = "Allowed(Operation::Login)", visible = "guard::may_log_in")]
    async fn bind_wechat_by_phone(
        &self,
        ctx: &Context<'_>,
        ticket: String,
        phone_code: String,
    ) -> async_graphql::Result<WxLoginPayload> {
        if ticket.is_empty() || ticket.len() > MAX_CODE {
            return Err(ApiError::Unauthenticated(msg!("wechat-ticket-invalid"))).gql();
        }
        let phone_code = phone_code.trim();
        if phone_code.is_empty() || phone_code.len() > MAX_CODE {
            return Err(ApiError::bad_input(
                "phoneCode",
                msg!("wechat-phone-code-missing"),
            ))
            .gql();
        }
        admit(ctx)?;
        let store = ctx.data::<Store>()?;
        let wechat = ctx.data::<WeChat>()?;
        let Some(phone) = wechat
            .phone_number(phone_code)
            .await
            .map_err(api_error)
            .gql()?
        else {
            return Err(ApiError::bad_input(
                "phoneCode",
                msg!("binding-phone-abroad"),
            ))
            .gql();
        };
        let outcome = store
            .bind_wechat_by_phone(&hash_refresh_token(&ticket), &phone)
            .await
            .gql()?;
        let why = match outcome {
            Ok(principal) => return signed_in(ctx, principal),
            Err(PhoneBindRefusal::Ticket) => {
                return Err(ApiError::Unauthenticated(msg!("wechat-ticket-invalid"))).gql();
            }
            Err(PhoneBindRefusal::NotOnFile) => msg!("binding-phone-not-on-file"),
            Err(PhoneBindRefusal::Shared) => msg!("binding-phone-shared"),
        };
        tracing::info!(reason = why.key(), "wechat binding by phone refused");
        Err(ApiError::bad_input("phoneCode", why)).gql()
    }
}
