//! The report's objects: figures for a region and month, and each county's part.

use async_graphql::{Context, Object, SimpleObject};
use nuanxin_domain::reports::MonthlyFigures;
use nuanxin_store::{CountyMonth, MonthlyReport as StoreReport};

use crate::allowances::objects::AllowanceKind;
use crate::care::objects::CareCategory;
use crate::error::locale;
use crate::registry::objects::FamilyStatus;
use crate::rosters::objects::RosterStatus;

#[derive(SimpleObject)]
pub struct ReportStatusCount {
    pub status: FamilyStatus,
    pub count: i64,
}

#[derive(SimpleObject)]
pub struct ReportKindTotal {
    pub kind: AllowanceKind,
    pub line_count: i64,
    pub total_fen: i64,
}

#[derive(SimpleObject)]
pub struct ReportCategoryCount {
    pub category: CareCategory,
    pub count: i64,
}

/// A region's month in figures. Every status, kind and category is listed, zero when
/// nothing happened.
pub struct ReportFigures(pub MonthlyFigures);

#[Object]
impl ReportFigures {
    /// Families on file at the month's end (China time), whatever their status.
    async fn families(&self) -> i64 {
        self.0.families()
    }
    /// Families by their status at the month's end.
    async fn families_by_status(&self) -> Vec<ReportStatusCount> {
        self.0
            .families_by_status
            .iter()
            .map(|(s, n)| ReportStatusCount {
                status: (*s).into(),
                count: *n,
            })
            .collect()
    }
    /// Files opened (registered) in the month.
    async fn new_files(&self) -> i64 {
        self.0.new_files
    }
    /// Files closed (已终止) in the month.
    async fn closed_files(&self) -> i64 {
        self.0.closed_files
    }
    /// Files moved out of the city (已迁出) in the month.
    async fn moved_out(&self) -> i64 {
        self.0.moved_out
    }
    /// The lines of the month's roster, by allowance kind.
    async fn allowances(&self) -> Vec<ReportKindTotal> {
        self.0
            .allowances
            .iter()
            .map(|(k, t)| ReportKindTotal {
                kind: (*k).into(),
                line_count: t.line_count,
                total_fen: t.total_fen,
            })
            .collect()
    }
    /// All the month's roster lines.
    async fn allowance_lines(&self) -> i64 {
        self.0.allowance_total().line_count
    }
    /// The month's roster total, in fen.
    async fn allowance_total_fen(&self) -> i64 {
        self.0.allowance_total().total_fen
    }
    /// Care records of the month, by category of care.
    async fn care(&self) -> Vec<ReportCategoryCount> {
        self.0
            .care
            .iter()
            .map(|(c, n)| ReportCategoryCount {
                category: (*c).into(),
                count: *n,
            })
            .collect()
    }
    /// All the month's care records.
    async fn care_records(&self) -> i64 {
        self.0.care_total()
    }
}

/// One county's part of a report.
pub struct CountyReport(pub CountyMonth);

#[Object]
impl CountyReport {
    async fn county_code(&self) -> String {
        self.0.code.to_string()
    }
    async fn county_name(&self) -> &str {
        &self.0.name
    }
    /// The status of the county's roster for the month; `null` when none is generated.
    async fn roster_status(&self) -> Option<RosterStatus> {
        self.0.roster_status.map(Into::into)
    }
    async fn figures(&self) -> ReportFigures {
        ReportFigures(self.0.figures.clone())
    }
}

/// The monthly report (定期报告) of a county, or of the city with one part per county; the
/// figures are the sum of the parts.
pub struct MonthlyReport(pub StoreReport);

#[Object]
impl MonthlyReport {
    async fn region_code(&self) -> String {
        self.0.region.to_string()
    }
    async fn region_name(&self) -> &str {
        &self.0.region_name
    }
    /// The month, `YYYY-MM`.
    async fn month(&self) -> String {
        self.0.month.to_string()
    }
    /// The month as people write it (2026年11月), in the reader's language.
    async fn month_label(&self, ctx: &Context<'_>) -> String {
        nuanxin_locale::msg!("export-period-month", month = self.0.month).render(locale(ctx))
    }
    async fn figures(&self) -> ReportFigures {
        ReportFigures(self.0.total.clone())
    }
    async fn counties(&self) -> Vec<CountyReport> {
        self.0.counties.iter().cloned().map(CountyReport).collect()
    }
}
