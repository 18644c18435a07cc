//! Staff's side of binding: issuing a one-time code for a family member or volunteer in
//! their rows, and seeing and ending bindings.

use async_graphql::{Context, ID, Object};
use chrono::Duration;
use nuanxin_auth::{hash_refresh_token, new_binding_code};
use nuanxin_domain::Operation;
use nuanxin_domain::access::binding;
use nuanxin_locale::msg;
use nuanxin_store::{BindingTarget, Store};

use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use crate::wechat::objects::{BindingCode, WechatBinding};

/// Exactly one of a member and a volunteer.
fn target(member_id: Option<ID>, volunteer_id: Option<ID>) -> Result<BindingTarget, ApiError> {
    match (member_id, volunteer_id) {
        (Some(m), None) => Ok(BindingTarget::Member(ids::decode(
            Kind::Member,
            &m,
            "memberId",
        )?)),
        (None, Some(v)) => Ok(BindingTarget::Volunteer(ids::decode(
            Kind::Volunteer,
            &v,
            "volunteerId",
        )?)),
        _ => Err(ApiError::bad_input("memberId", msg!("binding-target-one"))),
    }
}

/// The QR code a worker prints or shows: the code with its prefix, as SVG.
fn qr_svg(code: &str) -> Result<String, ApiError> {
    let qr = qrcode::QrCode::new(format!("{}{code}", binding::QR_PREFIX))
        .map_err(|_| ApiError::Internal)?;
    Ok(qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

#[derive(Default)]
pub struct WechatBindingQuery;

#[Object]
impl WechatBindingQuery {
    /// Every WeChat binding of a family member or a volunteer, newest first.
    #[graphql(
        guard = "Allowed(Operation::ManageWechatBindings)",
        visible = "guard::may_manage_wechat_bindings"
    )]
    async fn wechat_bindings(
        &self,
        ctx: &Context<'_>,
        member_id: Option<ID>,
        volunteer_id: Option<ID>,
    ) -> async_graphql::Result<Vec<WechatBinding>> {
        let target = target(member_id, volunteer_id).gql()?;
        let store = ctx.data::<Store>()?;
        Ok(store
            .wechat_bindings(principal(ctx), target)
            .await
            .gql()?
            .into_iter()
            .map(WechatBinding)
            .collect())
    }
}

#[derive(Default)]
pub struct WechatBindingMutation;

#[Object]
impl WechatBindingMutation {
    /// Issues a one-time binding code (绑定码) for a family member or a volunteer, good for
    /// three days. The code is shown here once; only its hash is kept.
    #[graphql(
        guard = "Allowed(Operation::ManageWechatBindings)",
        visible = "guard::may_manage_wechat_bindings"
    )]
    async fn issue_binding_code(
        &self,
        ctx: &Context<'_>,
        member_id: Option<ID>,
        volunteer_id: Option<ID>,
    ) -> async_graphql::Result<BindingCode> {
        let target = target(member_id, volunteer_id).gql()?;
        let store = ctx.data::<Store>()?;
        let code = new_binding_code().map_err(|_| ApiError::Internal).gql()?;
        let issued = store
            .issue_binding_code(
                principal(ctx),
                target,
                &hash_refresh_token(&code),
                Duration::hours(binding::TTL_HOURS),
            )
            .await
            .gql()?;
        Ok(BindingCode {
            qr_svg: qr_svg(&code).gql()?,
            code: binding::display(&code),
            for_name: issued.for_name,
            expires_at: issued.expires_at,
        })
    }

    /// Ends a WeChat binding (a lost phone, a mistaken binding), with the reason: that WeChat
    /// user can no longer sign in (a token already issued runs out within 15 minutes), and
    /// the person can be bound again with a new code.
    #[graphql(
        guard = "Allowed(Operation::ManageWechatBindings)",
        visible = "guard::may_manage_wechat_bindings"
    )]
    async fn unbind_wechat(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<WechatBinding> {
        let id = ids::decode(Kind::WechatBinding, &id, "id").gql()?;
        let store = ctx.data::<Store>()?;
        Ok(WechatBinding(
            store
                .unbind_wechat(principal(ctx), id, &reason)
                .await
                .gql()?,
        ))
    }
}
