use sea_orm::entity::prelude::*;

/// One step of a roster's history (append-only: the database refuses changes).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roster_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub roster_id: Uuid,
    pub step: String,
    pub generation: i32,
    pub actor_id: Uuid,
    pub at: DateTimeUtc,
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
