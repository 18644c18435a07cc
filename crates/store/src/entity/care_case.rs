use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_case")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub workflow: String,
    pub referral_kind: Option<String>,
    pub unit_code: Option<String>,
    pub state: String,
    pub priority: i32,
    pub summary: String,
    pub requested_fen: Option<i64>,
    pub approved_fen: Option<i64>,
    pub approved_by: Option<Uuid>,
    pub disbursed_fen: Option<i64>,
    pub opened_on: Date,
    pub opened_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
