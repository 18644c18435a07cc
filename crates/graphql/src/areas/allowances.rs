//! Allowance standards, entitlements and bank accounts.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use nuanxin_domain::RegionCode;
use nuanxin_domain::allowances::{self as domain, Decision, Rules, Standard};
use nuanxin_domain::month::YearMonth;
use nuanxin_domain::policy::Operation;
use nuanxin_store::{BankAccountRecord, NewBankAccount, NewStandard, Store};

use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal, request_meta};
use crate::ids::{self, Kind};
use crate::types::{Family, Member};

/// 特别扶助金 (wives 49+) or 生育关怀抚慰金 (wives 48 and under).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AllowanceKind {
    SpecialSupport,
    FertilityCareComfort,
}

impl From<domain::AllowanceKind> for AllowanceKind {
    fn from(k: domain::AllowanceKind) -> Self {
        match k {
            domain::AllowanceKind::SpecialSupport => Self::SpecialSupport,
            domain::AllowanceKind::FertilityCareComfort => Self::FertilityCareComfort,
        }
    }
}

impl From<AllowanceKind> for domain::AllowanceKind {
    fn from(k: AllowanceKind) -> Self {
        match k {
            AllowanceKind::SpecialSupport => Self::SpecialSupport,
            AllowanceKind::FertilityCareComfort => Self::FertilityCareComfort,
        }
    }
}

pub fn parse_month(s: &str, field: &str) -> Result<YearMonth, ApiError> {
    s.parse()
        .map_err(|_| ApiError::bad_input(field, "a month is written YYYY-MM, e.g. 2024-07"))
}

/// An allowance standard: an amount per person per month for reference persons of an age,
/// from a month on.
pub struct AllowanceStandard(pub Standard);

#[Object]
impl AllowanceStandard {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> AllowanceKind {
        self.0.kind.into()
    }
    /// The kind's Chinese name.
    async fn kind_name(&self) -> &'static str {
        self.0.kind.chinese()
    }
    /// Per person per month, in fen.
    async fn monthly_fen(&self) -> i64 {
        self.0.monthly_fen
    }
    async fn min_age(&self) -> Option<i32> {
        self.0.min_age
    }
    async fn max_age(&self) -> Option<i32> {
        self.0.max_age
    }
    /// `YYYY-MM`.
    async fn effective_from(&self) -> String {
        self.0.effective_from.to_string()
    }
    async fn effective_to(&self) -> Option<String> {
        self.0.effective_to.map(|m| m.to_string())
    }
    /// `null`: city-wide.
    async fn county_code(&self) -> Option<String> {
        self.0.county.as_ref().map(|c| c.to_string())
    }
}

/// What a member is owed for a month. Village workers see whether, not how much.
pub struct Entitlement {
    pub month: YearMonth,
    pub decision: Decision,
}

#[Object]
impl Entitlement {
    /// `YYYY-MM`.
    async fn month(&self) -> String {
        self.month.to_string()
    }
    async fn entitled(&self) -> bool {
        self.decision.entitled().is_some()
    }
    /// Why not, when not entitled.
    async fn reason(&self) -> Option<&str> {
        match &self.decision {
            Decision::NotEntitled { reason } => Some(reason),
            Decision::Entitled(_) => None,
        }
    }
    #[graphql(
        guard = "Allowed(Operation::ReadEntitlementAmounts)",
        visible = "guard::may_read_entitlement_amounts"
    )]
    async fn kind(&self) -> Option<AllowanceKind> {
        self.decision.entitled().map(|e| e.kind.into())
    }
    #[graphql(
        guard = "Allowed(Operation::ReadEntitlementAmounts)",
        visible = "guard::may_read_entitlement_amounts"
    )]
    async fn amount_fen(&self) -> Option<i64> {
        self.decision.entitled().map(|e| e.amount_fen)
    }
    /// The county that pays this month.
    #[graphql(
        guard = "Allowed(Operation::ReadEntitlementAmounts)",
        visible = "guard::may_read_entitlement_amounts"
    )]
    async fn county_code(&self) -> Option<String> {
        self.decision.entitled().map(|e| e.county.to_string())
    }
    /// E.g. "680 CNY 特别扶助金 (special_support): wife born 1975-03-02 turned 49 in 2024-03;
    /// family active since 2019-06; standard of 2014-01".
    #[graphql(
        guard = "Allowed(Operation::ReadEntitlementAmounts)",
        visible = "guard::may_read_entitlement_amounts"
    )]
    async fn explanation(&self) -> Option<&str> {
        self.decision.entitled().map(|e| e.explanation.as_str())
    }
}

/// The account an allowance is paid into; the number is masked.
#[derive(SimpleObject)]
#[graphql(visible = "guard::may_see_bank_accounts")]
pub struct BankAccount {
    /// `social_security_card` or `bank_account`.
    pub kind: String,
    pub bank_name: String,
    pub holder_name: String,
    /// Masked: the last 4 digits.
    pub account_number: String,
}

impl From<&BankAccountRecord> for BankAccount {
    fn from(a: &BankAccountRecord) -> Self {
        Self {
            kind: a.kind.clone(),
            bank_name: a.bank_name.clone(),
            holder_name: a.holder_name.clone(),
            account_number: a.number_masked(),
        }
    }
}

/// Loads a member's entitlement (used by `Member.entitlement`).
pub async fn entitlement_for(
    ctx: &Context<'_>,
    member: &Member,
    month: &str,
) -> async_graphql::Result<Entitlement> {
    let store = ctx.data::<Store>()?;
    let rules = ctx.data::<Rules>()?;
    let month = parse_month(month, "month").gql()?;
    let decision = store
        .member_entitlement(principal(ctx), member.0.id(), month, *rules)
        .await
        .gql()?;
    Ok(Entitlement { month, decision })
}

#[derive(InputObject)]
pub struct AddAllowanceStandardInput {
    pub kind: AllowanceKind,
    /// Per person per month, in fen (680 CNY = 68000).
    pub monthly_fen: i64,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    /// `YYYY-MM`: the first month the new amount applies.
    pub effective_from: String,
    /// A county overriding the city-wide standard; omit for city-wide.
    pub county_code: Option<String>,
}

#[derive(InputObject)]
pub struct BankAccountInput {
    /// `social_security_card` or `bank_account`.
    pub kind: String,
    pub bank_name: String,
    /// Defaults to the member's name.
    pub holder_name: Option<String>,
    pub account_number: String,
}

#[derive(Default)]
pub struct AllowanceQuery;

#[Object]
impl AllowanceQuery {
    /// Every standard, past and present, oldest first.
    #[graphql(
        guard = "Allowed(Operation::ReadStandards)",
        visible = "guard::may_read_standards"
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
            .map(|c| {
                RegionCode::parse(c).map_err(|e| ApiError::bad_input("countyCode", e.to_string()))
            })
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
        let rec = store
            .set_bank_account(
                principal(ctx),
                id,
                NewBankAccount {
                    kind: input.kind,
                    bank_name: input.bank_name,
                    holder_name: input.holder_name.unwrap_or_default(),
                    number: input.account_number,
                },
            )
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

/// Reveals a member's account number for a purpose (logged).
pub async fn reveal_account(
    ctx: &Context<'_>,
    member: &Member,
    purpose: &str,
) -> async_graphql::Result<Option<String>> {
    let store = ctx.data::<Store>()?;
    let accounts = store
        .bank_accounts(principal(ctx), &[member.0.id()])
        .await
        .gql()?;
    let Some(account) = accounts.get(&member.0.id()) else {
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
