//! The policy in the GraphQL layer: guards enforce, `visible` functions hide from
//! introspection what the caller cannot use. Both read the same declaration.

use async_graphql::{Context, ErrorExtensions, Guard};
use nuanxin_domain::policy::{self, FieldAccess, Operation, SensitiveField};
use nuanxin_domain::{Audience, Principal};
use nuanxin_store::RequestMeta;

use crate::error::ApiError;

static ANONYMOUS: std::sync::LazyLock<Principal> = std::sync::LazyLock::new(Principal::anonymous);

/// The caller; anonymous when the request carried no valid token.
pub fn principal<'a>(ctx: &Context<'a>) -> &'a Principal {
    ctx.data_opt::<Principal>().unwrap_or(&ANONYMOUS)
}

pub fn request_meta(ctx: &Context<'_>) -> RequestMeta {
    ctx.data_opt::<RequestMeta>().cloned().unwrap_or_default()
}

/// Refuses an operation the caller's audience is not granted.
pub struct Allowed(pub Operation);

impl Guard for Allowed {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let p = principal(ctx);
        if policy::allows(p.audience, self.0) {
            return Ok(());
        }
        Err(if p.audience == Audience::Anonymous {
            ApiError::Unauthenticated("log in first: this needs a valid access token".into())
                .extend()
        } else {
            ApiError::Forbidden(format!(
                "your role ({}) may not use {}",
                p.audience.name(),
                self.0.as_str()
            ))
            .extend()
        })
    }
}

fn allows(ctx: &Context<'_>, op: Operation) -> bool {
    policy::allows(principal(ctx).audience, op)
}

pub fn may_read_regions(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadRegions)
}
pub fn may_read_families(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadFamilies)
}
pub fn may_lookup_id_number(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::LookupMemberByIdNumber)
}
pub fn may_register_family(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::RegisterFamily)
}
pub fn may_update_member(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::UpdateMember)
}
pub fn may_change_status(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ChangeFamilyStatus)
}
pub fn may_evaluate_eligibility(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::EvaluateEligibility)
}
pub fn may_read_access_log(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadAccessLog)
}
pub fn is_authenticated(ctx: &Context<'_>) -> bool {
    principal(ctx).is_authenticated()
}

fn unmaskable(ctx: &Context<'_>, f: SensitiveField) -> bool {
    policy::field_access(principal(ctx).audience, f) == FieldAccess::Unmaskable
}
pub fn may_unmask_any(ctx: &Context<'_>) -> bool {
    policy::may_unmask_any(principal(ctx).audience)
}
pub fn may_unmask_id_number(ctx: &Context<'_>) -> bool {
    unmaskable(ctx, SensitiveField::IdNumber)
}
pub fn may_unmask_phone(ctx: &Context<'_>) -> bool {
    unmaskable(ctx, SensitiveField::Phone)
}
pub fn may_unmask_address(ctx: &Context<'_>) -> bool {
    unmaskable(ctx, SensitiveField::Address)
}

pub fn may_read_standards(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadStandards)
}
pub fn may_manage_standards(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ManageStandards)
}
pub fn may_read_entitlement(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadEntitlementStatus)
}
pub fn may_read_entitlement_amounts(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadEntitlementAmounts)
}
pub fn may_move_family(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::MoveFamily)
}
pub fn may_set_bank_account(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::SetBankAccount)
}
pub fn may_read_rosters(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadRosters)
}
pub fn may_generate_roster(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::GenerateRoster)
}
pub fn may_submit_roster(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::SubmitRoster)
}
pub fn may_approve_roster(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ApproveRoster)
}
pub fn may_mark_roster_paid(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::MarkRosterPaid)
}
pub fn may_reconcile_roster(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReconcileRoster)
}
pub fn may_see_bank_accounts(ctx: &Context<'_>) -> bool {
    policy::field_access(principal(ctx).audience, SensitiveField::BankAccount)
        != FieldAccess::Hidden
}
pub fn may_unmask_bank_account(ctx: &Context<'_>) -> bool {
    unmaskable(ctx, SensitiveField::BankAccount)
}
