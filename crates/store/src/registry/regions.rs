//! The region tree. Codes are reference data: staff see their home region, its ancestors
//! (for context) and everything below it.

use std::collections::HashMap;

use chrono::NaiveDate;
use nuanxin_domain::policy::Operation;
use nuanxin_domain::{Principal, Region, RegionCode, RegionLevel};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::region;
use crate::error::StoreError;
use crate::slice::require;
use crate::{Store, slice};

impl Store {
    /// Inserts or renames regions (idempotent; used by seeding and reference-data loads).
    pub async fn upsert_regions(&self, regions: &[Region]) -> Result<(), StoreError> {
        for chunk in regions.chunks(500) {
            let models = chunk.iter().map(|r| region::ActiveModel {
                code: Set(r.code.as_str().to_owned()),
                name: Set(r.name.clone()),
                level: Set(r.code.level().as_str().to_owned()),
                parent_code: Set(r.code.parent().map(|c| c.as_str().to_owned())),
                valid_from: Set(r.valid_from),
                valid_to: Set(r.valid_to),
            });
            region::Entity::insert_many(models.collect::<Vec<_>>())
                .on_conflict(
                    OnConflict::column(region::Column::Code)
                        .update_columns([region::Column::Name, region::Column::ValidTo])
                        .to_owned(),
                )
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }

    /// Regions within the caller's home region, plus the home region's ancestors, by code.
    pub async fn regions_visible(&self, p: &Principal) -> Result<Vec<Region>, StoreError> {
        require(p, Operation::ReadRegions)?;
        let rows = region::Entity::find()
            .filter(slice::regions(p))
            .order_by_asc(region::Column::Code)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(to_region)
            .filter(|r| {
                r.as_ref()
                    .map_or(true, |r| slice::region_visible(p, &r.code))
            })
            .collect()
    }

    /// Children of many regions in one query (DataLoader).
    pub async fn region_children(
        &self,
        p: &Principal,
        parents: &[RegionCode],
    ) -> Result<HashMap<RegionCode, Vec<Region>>, StoreError> {
        require(p, Operation::ReadRegions)?;
        let rows = region::Entity::find()
            .filter(region::Column::ParentCode.is_in(parents.iter().map(|c| c.as_str().to_owned())))
            .order_by_asc(region::Column::Code)
            .all(&self.db)
            .await?;
        let mut out: HashMap<RegionCode, Vec<Region>> = HashMap::new();
        for row in rows {
            let r = to_region(row)?;
            if !slice::region_below_visible(p, &r.code) {
                continue;
            }
            if let Some(parent) = r.code.parent() {
                out.entry(parent).or_default().push(r);
            }
        }
        Ok(out)
    }

    pub async fn region_names(
        &self,
        codes: &[RegionCode],
    ) -> Result<HashMap<RegionCode, String>, StoreError> {
        let rows = region::Entity::find()
            .filter(region::Column::Code.is_in(codes.iter().map(|c| c.as_str().to_owned())))
            .all(&self.db)
            .await?;
        let mut out = HashMap::new();
        for row in rows {
            if let Ok(code) = RegionCode::parse(&row.code) {
                out.insert(code, row.name);
            }
        }
        Ok(out)
    }

    /// Regions of one level under a prefix (seeding and benchmarks).
    pub async fn regions_at(
        &self,
        level: RegionLevel,
        under: &RegionCode,
    ) -> Result<Vec<Region>, StoreError> {
        let rows = region::Entity::find()
            .filter(region::Column::Level.eq(level.as_str()))
            .filter(region::Column::Code.starts_with(under.prefix()))
            .order_by_asc(region::Column::Code)
            .all(&self.db)
            .await?;
        rows.into_iter().map(to_region).collect()
    }
}

fn to_region(row: region::Model) -> Result<Region, StoreError> {
    Ok(Region {
        code: RegionCode::parse(&row.code).map_err(|e| StoreError::Internal(e.to_string()))?,
        name: row.name,
        valid_from: row.valid_from,
        valid_to: row.valid_to,
    })
}

/// The first day the demo's region codes are valid from.
pub fn demo_valid_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or(NaiveDate::MIN)
}
