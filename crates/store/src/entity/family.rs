use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "family")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub region_code: String,
    pub city_code: String,
    pub county_code: String,
    pub township_code: Option<String>,
    pub village_code: Option<String>,
    pub status: String,
    pub honour_certificate_no: Option<String>,
    pub honour_certificate_date: Option<Date>,
    pub child_death_date: Option<Date>,
    pub later_child_date: Option<Date>,
    pub eligible: Option<bool>,
    pub eligibility_version: Option<String>,
    pub eligibility_checked_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
