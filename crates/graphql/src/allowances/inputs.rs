//! What the allowance mutations take.

use async_graphql::InputObject;

use crate::error::ApiError;
use nuanxin_domain::month::YearMonth;

use crate::allowances::objects::AllowanceKind;

pub fn parse_month(s: &str, field: &str) -> Result<YearMonth, ApiError> {
    s.parse()
        .map_err(|e: nuanxin_domain::month::YearMonthError| ApiError::bad_input(field, e))
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
    /// Why the account is in another person's name (required then), or what the change
    /// rests on; kept in the account's history.
    pub evidence: Option<String>,
}
