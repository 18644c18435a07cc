//! The policy turned into SQL: every query on families or members ANDs the caller's slice.
//! No grant, or no home region, gives a never-true condition (fail closed).

use nuanxin_domain::policy::{self, RowScope};
use nuanxin_domain::{Principal, RegionCode, RegionLevel};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition};

use crate::entity::{family, member, roster};

fn never() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// Families whose region lies within `region`.
pub(crate) fn families_within(region: &RegionCode) -> Condition {
    let code = region.as_str().to_owned();
    let cond = match region.level() {
        RegionLevel::Province => family::Column::CityCode.starts_with(region.prefix()),
        RegionLevel::City => family::Column::CityCode.eq(code),
        RegionLevel::County => family::Column::CountyCode.eq(code),
        RegionLevel::Township => family::Column::TownshipCode.eq(code),
        RegionLevel::Village => family::Column::VillageCode.eq(code),
    };
    Condition::all().add(cond)
}

/// The families a principal may reach.
pub(crate) fn families(p: &Principal) -> Condition {
    match (policy::grant(p.audience).rows, &p.home_region) {
        (RowScope::HomeRegionSubtree, Some(home)) => families_within(home),
        _ => never(),
    }
}

/// The members a principal may reach: those of reachable families.
pub(crate) fn members(p: &Principal) -> Condition {
    let reachable = Query::select()
        .column(family::Column::Id)
        .from(family::Entity)
        .cond_where(families(p))
        .to_owned();
    Condition::all().add(member::Column::FamilyId.in_subquery(reachable))
}

/// The rosters a principal may reach: those of counties within the home region.
pub(crate) fn rosters(p: &Principal) -> Condition {
    match (policy::grant(p.audience).rows, &p.home_region) {
        (RowScope::HomeRegionSubtree, Some(home)) => match home.level() {
            RegionLevel::Province | RegionLevel::City => {
                Condition::all().add(roster::Column::CountyCode.starts_with(home.prefix()))
            }
            RegionLevel::County => {
                Condition::all().add(roster::Column::CountyCode.eq(home.as_str()))
            }
            RegionLevel::Township | RegionLevel::Village => never(),
        },
        _ => never(),
    }
}

/// True when a principal's slice covers `region` (used for writes into a region).
pub(crate) fn covers(p: &Principal, region: &RegionCode) -> bool {
    match (policy::grant(p.audience).rows, &p.home_region) {
        (RowScope::HomeRegionSubtree, Some(home)) => region.is_within(home),
        _ => false,
    }
}
