use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_state")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub family_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub recipient_kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub purpose: String,
    pub given: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
