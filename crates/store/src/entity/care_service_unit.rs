use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_service_unit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_code: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
