//! The monthly report upward (定期报告): a county's month, or a city's as the sum of its
//! counties, read in five grouped queries whatever the number of counties or families.
//! Every figure is counted over the rows the caller reaches, under the same slices as the
//! registry, the rosters and the care records.

use std::collections::BTreeMap;

use nuanxin_domain::allowances::AllowanceKind;
use nuanxin_domain::care::catalogue::CareCategory;
use nuanxin_domain::month::YearMonth;
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::reports::{AllowanceTotal, MonthlyFigures, month_bounds};
use nuanxin_domain::rosters::RosterStatus;
use nuanxin_domain::{FamilyStatus, Principal, RegionCode, RegionLevel};
use nuanxin_locale::msg;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{
    care_record as rec, care_service as service, family, family_status_history as hist, region,
    roster, roster_total as totals,
};
use crate::error::StoreError;
use crate::slice::require;
use crate::{Store, slice};

/// One county's month.
#[derive(Debug, Clone)]
pub struct CountyMonth {
    pub code: RegionCode,
    pub name: String,
    pub figures: MonthlyFigures,
    /// The status of the month's roster; `None` when none was generated yet.
    pub roster_status: Option<RosterStatus>,
}

/// The report for a county or a city: its counties and their sum.
#[derive(Debug, Clone)]
pub struct MonthlyReport {
    pub region: RegionCode,
    pub region_name: String,
    pub month: YearMonth,
    pub counties: Vec<CountyMonth>,
    pub total: MonthlyFigures,
}

impl Store {
    /// The report of `region` (a county or the city) for `month`. A region outside the
    /// caller's reach is NOT_FOUND; a township or village has no report.
    pub async fn monthly_report(
        &self,
        p: &Principal,
        region: &RegionCode,
        month: YearMonth,
    ) -> Result<MonthlyReport, StoreError> {
        require(p, Operation::ReadReports)?;
        if !matches!(region.level(), RegionLevel::City | RegionLevel::County) {
            return Err(StoreError::bad_input(
                "regionCode",
                msg!("report-region-level"),
            ));
        }
        // A report or a month list reaches as far as the caller's rosters do.
        let reached = p.covers(Resource::Roster, region);
        let here = region::Entity::find_by_id(region.as_str().to_owned())
            .one(&self.db)
            .await?
            .filter(|_| reached)
            .ok_or(StoreError::NotFound { what: "region" })?;
        let counties: Vec<(RegionCode, String)> = if region.level() == RegionLevel::County {
            vec![(region.clone(), here.name.clone())]
        } else {
            region::Entity::find()
                .filter(region::Column::ParentCode.eq(region.as_str()))
                .filter(region::Column::Level.eq(RegionLevel::County.as_str()))
                .order_by_asc(region::Column::Code)
                .all(&self.db)
                .await?
                .into_iter()
                .filter_map(|r| Some((RegionCode::parse(&r.code).ok()?, r.name)))
                .collect()
        };
        let codes: Vec<String> = counties
            .iter()
            .map(|(c, _)| c.as_str().to_owned())
            .collect();
        let mut figures: BTreeMap<String, MonthlyFigures> = codes
            .iter()
            .map(|c| (c.clone(), MonthlyFigures::default()))
            .collect();
        self.count_statuses(p, &codes, month, &mut figures).await?;
        self.count_files(p, &codes, month, &mut figures).await?;
        let rosters = self
            .count_allowances(p, &codes, month, &mut figures)
            .await?;
        self.count_care(p, &codes, month, &mut figures).await?;
        let counties: Vec<CountyMonth> = counties
            .into_iter()
            .map(|(code, name)| CountyMonth {
                figures: figures.remove(code.as_str()).unwrap_or_default(),
                roster_status: rosters.get(code.as_str()).copied(),
                code,
                name,
            })
            .collect();
        let total = MonthlyFigures::sum(counties.iter().map(|c| &c.figures));
        Ok(MonthlyReport {
            region: region.clone(),
            region_name: here.name,
            month,
            counties,
            total,
        })
    }

    /// Families by their status at the month's end: each family's last status change
    /// before the month ended (none later before the end: a correlated NOT EXISTS).
    async fn count_statuses(
        &self,
        p: &Principal,
        codes: &[String],
        month: YearMonth,
        figures: &mut BTreeMap<String, MonthlyFigures>,
    ) -> Result<(), StoreError> {
        let (_, end) = month_bounds(month);
        let h2 = Alias::new("h2");
        let later = Query::select()
            .expr(Expr::val(1))
            .from_as(hist::Entity, h2.clone())
            .and_where(
                Expr::col((h2.clone(), hist::Column::FamilyId))
                    .equals((hist::Entity, hist::Column::FamilyId)),
            )
            .and_where(Expr::col((h2.clone(), hist::Column::At)).lt(end))
            .and_where(
                Expr::col((h2.clone(), hist::Column::At))
                    .gt(Expr::col((hist::Entity, hist::Column::At)))
                    .or(Expr::col((h2.clone(), hist::Column::At))
                        .eq(Expr::col((hist::Entity, hist::Column::At)))
                        .and(
                            Expr::col((h2, hist::Column::Id))
                                .gt(Expr::col((hist::Entity, hist::Column::Id))),
                        )),
            )
            .to_owned();
        let stmt = history_by_county_and_status(p, codes)
            .and_where(Expr::col((hist::Entity, hist::Column::At)).lt(end))
            .and_where(Expr::exists(later).not())
            .to_owned();
        for r in self.db.query_all(&stmt).await? {
            let (county, status, n): (String, String, i64) = (
                r.try_get("", "k")?,
                r.try_get("", "s")?,
                r.try_get("", "n")?,
            );
            if let (Some(f), Some(s)) = (figures.get_mut(&county), FamilyStatus::parse(&status)) {
                *f.families_by_status.entry(s).or_default() += n;
            }
        }
        Ok(())
    }

    /// Files opened (a first status), closed and moved out within the month.
    async fn count_files(
        &self,
        p: &Principal,
        codes: &[String],
        month: YearMonth,
        figures: &mut BTreeMap<String, MonthlyFigures>,
    ) -> Result<(), StoreError> {
        let (start, end) = month_bounds(month);
        let opened =
            Expr::cust("CASE WHEN family_status_history.from_status IS NULL THEN 1 ELSE 0 END");
        let stmt = history_by_county_and_status(p, codes)
            .expr_as(opened.clone(), Alias::new("opened"))
            .and_where(Expr::col((hist::Entity, hist::Column::At)).gte(start))
            .and_where(Expr::col((hist::Entity, hist::Column::At)).lt(end))
            .add_group_by([opened])
            .to_owned();
        for r in self.db.query_all(&stmt).await? {
            let county: String = r.try_get("", "k")?;
            let status: String = r.try_get("", "s")?;
            let opened: i32 = r.try_get("", "opened")?;
            let n: i64 = r.try_get("", "n")?;
            let Some(f) = figures.get_mut(&county) else {
                continue;
            };
            if opened == 1 {
                f.new_files += n;
            }
            match FamilyStatus::parse(&status) {
                Some(FamilyStatus::Closed) => f.closed_files += n,
                Some(FamilyStatus::MovedOut) => f.moved_out += n,
                _ => {}
            }
        }
        Ok(())
    }

    /// The lines of the month's roster of each county (a roster whose period starts in the
    /// month), by kind, from the roll-up; and that roster's status.
    async fn count_allowances(
        &self,
        p: &Principal,
        codes: &[String],
        month: YearMonth,
        figures: &mut BTreeMap<String, MonthlyFigures>,
    ) -> Result<BTreeMap<String, RosterStatus>, StoreError> {
        let rosters = roster::Entity::find()
            .filter(slice::rosters(p))
            .filter(roster::Column::CountyCode.is_in(codes.iter().cloned()))
            .filter(roster::Column::PeriodStart.eq(month.as_number()))
            .all(&self.db)
            .await?;
        let statuses = rosters
            .iter()
            .filter_map(|r| Some((r.county_code.clone(), RosterStatus::parse(&r.status)?)))
            .collect();
        if rosters.is_empty() {
            return Ok(statuses);
        }
        // The roll-up kept with the lines (`roster_total`): a few rows a county, where
        // summing the month's lines read a million rows for the city.
        let totals = totals::Entity::find()
            .filter(totals::Column::RosterId.is_in(rosters.iter().map(|r| r.id)))
            .all(&self.db)
            .await?;
        for t in totals {
            if let (Some(f), Some(k)) = (
                figures.get_mut(&t.county_code),
                AllowanceKind::parse(&t.kind),
            ) {
                let out = f.allowances.entry(k).or_insert(AllowanceTotal::default());
                out.line_count += t.line_count;
                out.total_fen += t.total_fen;
            }
        }
        Ok(statuses)
    }

    /// Care records of the month, by the category of their service.
    async fn count_care(
        &self,
        p: &Principal,
        codes: &[String],
        month: YearMonth,
        figures: &mut BTreeMap<String, MonthlyFigures>,
    ) -> Result<(), StoreError> {
        let stmt = Query::select()
            .expr_as(
                Expr::col((family::Entity, family::Column::CountyCode)),
                Alias::new("k"),
            )
            .expr_as(
                Expr::col((service::Entity, service::Column::Category)),
                Alias::new("c"),
            )
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(rec::Entity)
            .inner_join(
                family::Entity,
                Expr::col((family::Entity, family::Column::Id))
                    .equals((rec::Entity, rec::Column::FamilyId)),
            )
            .inner_join(
                service::Entity,
                Expr::col((service::Entity, service::Column::Code))
                    .equals((rec::Entity, rec::Column::ServiceCode)),
            )
            .cond_where(crate::care::readable_care_records(p))
            .and_where(family::Column::CountyCode.is_in(codes.iter().cloned()))
            .and_where(rec::Column::OccurredOn.gte(month.first_day()))
            .and_where(rec::Column::OccurredOn.lte(month.last_day()))
            .group_by_col((family::Entity, family::Column::CountyCode))
            .group_by_col((service::Entity, service::Column::Category))
            .to_owned();
        for r in self.db.query_all(&stmt).await? {
            let county: String = r.try_get("", "k")?;
            let category: String = r.try_get("", "c")?;
            let n: i64 = r.try_get("", "n")?;
            if let (Some(f), Some(c)) = (figures.get_mut(&county), CareCategory::parse(&category)) {
                *f.care.entry(c).or_default() += n;
            }
        }
        Ok(())
    }
}

/// The status history of the caller's families in `codes`, counted by county (`k`) and the
/// status moved to (`s`, count `n`): the frame both status queries add their conditions to.
fn history_by_county_and_status(
    p: &Principal,
    codes: &[String],
) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .expr_as(
            Expr::col((family::Entity, family::Column::CountyCode)),
            Alias::new("k"),
        )
        .expr_as(
            Expr::col((hist::Entity, hist::Column::ToStatus)),
            Alias::new("s"),
        )
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(family::Entity)
        .inner_join(
            hist::Entity,
            Expr::col((hist::Entity, hist::Column::FamilyId))
                .equals((family::Entity, family::Column::Id)),
        )
        .cond_where(slice::families(p))
        .and_where(family::Column::CountyCode.is_in(codes.iter().cloned()))
        .group_by_col((family::Entity, family::Column::CountyCode))
        .group_by_col((hist::Entity, hist::Column::ToStatus))
        .to_owned()
}
