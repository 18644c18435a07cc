//! Allowance standards, entitlements and bank accounts as the API shows them.

use crate::error::locale;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use nuanxin_domain::policy::Operation;

use crate::guard::{self, Allowed};
use nuanxin_domain::allowances::{Decision, Standard};
use nuanxin_domain::month::YearMonth;
use nuanxin_store::BankAccountRecord;

/// 特别扶助金 (wives 49+) or 生育关怀抚慰金 (wives 48 and under).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::allowances::AllowanceKind")]
pub enum AllowanceKind {
    SpecialSupport,
    FertilityCareComfort,
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
    /// The kind's name in the reader's language (特别扶助金 by default).
    async fn kind_name(&self, ctx: &Context<'_>) -> String {
        self.0.kind.word().render(locale(ctx))
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
    async fn reason(&self, ctx: &Context<'_>) -> Option<String> {
        match &self.decision {
            Decision::NotEntitled { reason } => Some(reason.render(locale(ctx))),
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
    /// E.g. "680 CNY 特别扶助金 (special_support): wife turned 49 in 2024-03;
    /// family active since 2019-06; standard of 2014-01".
    #[graphql(
        guard = "Allowed(Operation::ReadEntitlementAmounts)",
        visible = "guard::may_read_entitlement_amounts"
    )]
    async fn explanation(&self, ctx: &Context<'_>) -> Option<String> {
        self.decision
            .entitled()
            .map(|e| e.explanation.render(locale(ctx)))
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
