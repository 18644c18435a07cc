//! Entitlements and account numbers for a member, used by `Member`'s fields (so the
//! registry's objects call into allowances without importing its roots).

use async_graphql::Context;

use crate::error::{ApiError, IntoGql};
use crate::guard::{principal, request_meta};

use nuanxin_store::{MemberRecord, Store};

use crate::allowances::inputs::parse_month;
use crate::allowances::objects::Entitlement;

/// Loads a member's entitlement (used by `Member.entitlement`).
pub async fn entitlement_for(
    ctx: &Context<'_>,
    member: &MemberRecord,
    month: &str,
) -> async_graphql::Result<Entitlement> {
    let month = parse_month(month, "month").gql()?;
    let decision = ctx
        .data::<crate::loaders::Entitlements>()?
        .load_one((member.id(), month))
        .await
        .gql()?
        .ok_or(ApiError::NotFound("member"))
        .gql()?;
    Ok(Entitlement { month, decision })
}

/// Reveals a member's account number for a purpose (logged).
pub async fn reveal_account(
    ctx: &Context<'_>,
    member: &MemberRecord,
    purpose: &str,
) -> async_graphql::Result<Option<String>> {
    let store = ctx.data::<Store>()?;
    let accounts = store
        .bank_accounts(principal(ctx), &[member.id()])
        .await
        .gql()?;
    let Some(account) = accounts.get(&member.id()) else {
        return Ok(None);
    };
    let mut numbers = store
        .reveal_bank_accounts(
            principal(ctx),
            &[account],
            purpose,
            "reveal",
            &request_meta(ctx),
        )
        .await
        .gql()?;
    Ok(numbers.pop())
}
