//! What the roster mutations and filters take.

use async_graphql::{ID, InputObject};
use nuanxin_domain::RegionCode;

use crate::error::ApiError;
use nuanxin_domain::rosters::Period;

use crate::allowances::inputs::parse_month;
use crate::rosters::objects::RosterStatus;

#[derive(InputObject, Default)]
pub struct RosterFilter {
    pub county_code: Option<String>,
    pub status: Option<RosterStatus>,
    /// Rosters whose period includes this month (`YYYY-MM`).
    pub month: Option<String>,
}

#[derive(InputObject)]
pub struct GenerateRosterInput {
    pub county_code: String,
    /// The first month of the period, `YYYY-MM`.
    pub period_start: String,
    /// 1 (monthly, the default), 3 (a quarter starting Jan/Apr/Jul/Oct) or 12 (a year from January).
    #[graphql(default = 1)]
    pub months: i32,
}

impl GenerateRosterInput {
    pub fn parse(&self) -> Result<(RegionCode, Period), ApiError> {
        let county = RegionCode::parse(&self.county_code)
            .map_err(|e| ApiError::bad_input("countyCode", e))?;
        let start = parse_month(&self.period_start, "periodStart")?;
        let period =
            Period::starting(start, self.months).map_err(|e| ApiError::bad_input("months", e))?;
        Ok((county, period))
    }
}

#[derive(InputObject)]
pub struct LineOutcomeInput {
    pub line_id: ID,
    /// `returned` or `failed`.
    pub outcome: String,
    pub reason: String,
}
