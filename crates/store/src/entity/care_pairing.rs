use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_pairing")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub family_id: Uuid,
    pub leader_name: String,
    pub worker_kind: String,
    pub worker_staff_id: Option<Uuid>,
    pub volunteer_id: Option<Uuid>,
    pub worker_name: String,
    pub schedule: String,
    pub content: String,
    pub answerable_name: String,
    pub starts_on: Date,
    pub ended_on: Option<Date>,
    pub last_visit_on: Option<Date>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
