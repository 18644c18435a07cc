use sea_orm::entity::prelude::*;

/// A roster's lines of one kind, summed: kept with the lines (see migration 000020).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roster_total")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub roster_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    pub county_code: String,
    /// `yyyymm`.
    pub period_start: i32,
    pub line_count: i64,
    pub family_count: i64,
    pub total_fen: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
