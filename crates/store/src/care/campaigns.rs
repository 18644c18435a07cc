//! Holiday campaigns (定期慰问): a window, a region and the standard of goods and money per
//! family. A campaign visit is a visit record that names the campaign.

use chrono::{NaiveDate, Utc};
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::{Principal, RegionCode, text};
use nuanxin_locale::msg;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::Store;
use crate::entity::campaign;
use crate::error::StoreError;
use crate::slice::{self, require};

#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub region: RegionCode,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub money_fen: i64,
    pub goods_description: String,
    pub goods_fen: i64,
}

#[derive(Debug, Clone)]
pub struct CampaignRecord {
    pub id: Uuid,
    pub name: String,
    pub region: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub money_fen: i64,
    pub goods_description: String,
    pub goods_fen: i64,
}

pub(crate) fn campaign_record(m: campaign::Model) -> CampaignRecord {
    CampaignRecord {
        id: m.id,
        name: m.name,
        region: m.region_code,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        money_fen: m.money_fen,
        goods_description: m.goods_description,
        goods_fen: m.goods_fen,
    }
}

impl Store {
    pub async fn create_campaign(
        &self,
        p: &Principal,
        new: NewCampaign,
    ) -> Result<CampaignRecord, StoreError> {
        require(p, Operation::ManageCampaigns)?;
        if !p.covers(Resource::Campaign, &new.region) {
            return Err(StoreError::forbidden(msg!("campaign-region")));
        }
        let name = text::required(&new.name, 60).map_err(|e| StoreError::bad_input("name", e))?;
        let goods = text::optional(&new.goods_description, 200)
            .map_err(|e| StoreError::bad_input("goodsDescription", e))?
            .unwrap_or_default();
        if new.ends_on < new.starts_on {
            return Err(StoreError::bad_input("endsOn", msg!("campaign-date-order")));
        }
        if (new.ends_on - new.starts_on).num_days() > 366 {
            return Err(StoreError::bad_input("endsOn", msg!("campaign-too-long")));
        }
        for (field, v) in [("moneyFen", new.money_fen), ("goodsFen", new.goods_fen)] {
            if !(0..=nuanxin_domain::care::records::VALUE_MAX_FEN).contains(&v) {
                return Err(StoreError::bad_input(field, msg!("record-value-range")));
            }
        }
        let m = campaign::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name),
            region_code: Set(new.region.as_str().into()),
            starts_on: Set(new.starts_on),
            ends_on: Set(new.ends_on),
            money_fen: Set(new.money_fen),
            goods_description: Set(goods),
            goods_fen: Set(new.goods_fen),
            created_by: Set(p.actor_id()),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        Ok(campaign_record(m))
    }

    /// Campaigns of the caller's region, above it (a city campaign) or below it.
    pub async fn campaigns(&self, p: &Principal) -> Result<Vec<CampaignRecord>, StoreError> {
        require(p, Operation::ReadCare)?;
        Ok(campaign::Entity::find()
            .filter(slice::by_region_code(
                p,
                Resource::Campaign,
                campaign::Column::RegionCode,
            ))
            .order_by_desc(campaign::Column::StartsOn)
            .all(&self.db)
            .await?
            .into_iter()
            .map(campaign_record)
            .collect())
    }

    pub(crate) async fn campaign_in_rows(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<CampaignRecord, StoreError> {
        campaign::Entity::find_by_id(id)
            .filter(slice::by_region_code(
                p,
                Resource::Campaign,
                campaign::Column::RegionCode,
            ))
            .one(&self.db)
            .await?
            .map(campaign_record)
            .ok_or(StoreError::NotFound { what: "campaign" })
    }
}
