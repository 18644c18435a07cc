use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emergency_call")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub device_id: Option<Uuid>,
    pub raised_by_name: String,
    pub level: String,
    pub state: String,
    pub raised_at: DateTimeUtc,
    pub level_since: DateTimeUtc,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_by_name: Option<String>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub closed_by: Option<Uuid>,
    pub closed_by_name: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub close_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
