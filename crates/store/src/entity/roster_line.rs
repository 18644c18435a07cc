use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roster_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub roster_id: Uuid,
    pub member_id: Uuid,
    pub family_id: Uuid,
    /// `yyyymm`.
    pub month: i32,
    pub kind: String,
    pub amount_fen: i64,
    pub line_type: String,
    pub attempt: i32,
    pub township_code: Option<String>,
    pub explanation: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
