use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_record")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub kind: String,
    pub service_code: String,
    pub occurred_on: Date,
    pub performer_kind: String,
    pub performer_id: Uuid,
    pub performer_name: String,
    pub content: String,
    pub outcome: Option<String>,
    pub money_fen: i64,
    pub goods_fen: i64,
    pub details: String,
    pub pairing_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub condition_id: Option<Uuid>,
    pub corrects_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
