//! `monthlyReport(regionCode, month)`: the report a county sends up, or the city's.

use async_graphql::{Context, Object};
use nuanxin_domain::RegionCode;
use nuanxin_domain::policy::Operation;
use nuanxin_store::Store;

use crate::allowances::inputs::parse_month;
use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal};
use crate::reports::objects::MonthlyReport;

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// The monthly report (定期报告) of a county or of the city for a month (`YYYY-MM`):
    /// families by status at the month's end, files opened and closed, the month's roster
    /// by kind, care records by category; a city's report lists its counties and sums
    /// them. Also as a spreadsheet: `GET /exports/reports/{regionCode}/{month}.xlsx`.
    #[graphql(
        guard = "Allowed(Operation::ReadReports)",
        visible = "guard::may_read_reports",
        complexity = 50
    )]
    async fn monthly_report(
        &self,
        ctx: &Context<'_>,
        region_code: String,
        month: String,
    ) -> async_graphql::Result<MonthlyReport> {
        let store = ctx.data::<Store>()?;
        let region = RegionCode::parse(&region_code)
            .map_err(|e| ApiError::bad_input("regionCode", e))
            .gql()?;
        let month = parse_month(&month, "month").gql()?;
        let report = store
            .monthly_report(principal(ctx), &region, month)
            .await
            .gql()?;
        Ok(MonthlyReport(report))
    }
}
