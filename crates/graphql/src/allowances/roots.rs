//! Allowance standards, bank accounts and moves.

use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;
use nuanxin_domain::RegionCode;
use nuanxin_domain::policy::Operation;

use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use nuanxin_domain::allowances::account::{AccountForm, parse_account};
use nuanxin_store::{NewStandard, Store};

use crate::allowances::inputs::{AddAllowanceStandardInput, BankAccountInput, parse_month};
use crate::allowances::objects::{AllowanceStandard, BankAccount};
use crate::registry::objects::Family;

#[derive(Default)]
pub struct AllowanceQuery;

#[Object]
impl AllowanceQuery {
    /// Every standard, past and present, oldest first.
    #[graphql(
        guard = "Allowed(Operation::ReadStandards)",
        visible = "guard::may_read_standards",
        complexity = "1 + 10 * child_complexity"
    )]
    async fn allowance_standards(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<AllowanceStandard>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .standards(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(AllowanceStandard)
            .collect())
    }
}

#[derive(Default)]
pub struct AllowanceMutation;

#[Object]
impl AllowanceMutation {
    /// A new standard from a month on; the previous one of the same kind and scope ends the
    /// month before.
    #[graphql(
        guard = "Allowed(Operation::ManageStandards)",
        visible = "guard::may_manage_standards"
    )]
    async fn add_allowance_standard(
        &self,
        ctx: &Context<'_>,
        input: AddAllowanceStandardInput,
    ) -> async_graphql::Result<AllowanceStandard> {
        let store = ctx.data::<Store>()?;
        let county = input
            .county_code
            .as_deref()
            .map(|c| RegionCode::parse(c).map_err(|e| ApiError::bad_input("countyCode", e)))
            .transpose()
            .gql()?;
        let new = NewStandard {
            kind: input.kind.into(),
            monthly_fen: input.monthly_fen,
            min_age: input.min_age,
            max_age: input.max_age,
            effective_from: parse_month(&input.effective_from, "effectiveFrom").gql()?,
            county,
        };
        Ok(AllowanceStandard(
            store.add_standard(principal(ctx), new).await.gql()?,
        ))
    }

    /// Sets the account a member's allowance is paid into (encrypted at rest).
    #[graphql(
        guard = "Allowed(Operation::SetBankAccount)",
        visible = "guard::may_set_bank_account"
    )]
    async fn set_bank_account(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        input: BankAccountInput,
    ) -> async_graphql::Result<BankAccount> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Member, &member_id, "memberId").gql()?;
        let account = parse_account(&AccountForm {
            kind: input.kind,
            bank_name: input.bank_name,
            holder_name: input.holder_name.unwrap_or_default(),
            number: input.account_number,
            evidence: input.evidence,
        })
        .map_err(|e| ApiError::bad_input(e.field, e.message))
        .gql()?;
        let rec = store
            .set_bank_account(principal(ctx), id, account)
            .await
            .gql()?;
        Ok(BankAccount::from(&rec))
    }

    /// Moves a family to another village or township of the city. The month of the move is
    /// still paid by the county it leaves.
    #[graphql(
        guard = "Allowed(Operation::MoveFamily)",
        visible = "guard::may_move_family"
    )]
    async fn move_family(
        &self,
        ctx: &Context<'_>,
        id: ID,
        region_code: String,
        effective_on: NaiveDate,
        reason: String,
    ) -> async_graphql::Result<Family> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Family, &id, "id").gql()?;
        Ok(Family(
            store
                .move_family(principal(ctx), id, &region_code, effective_on, &reason)
                .await
                .gql()?,
        ))
    }
}
