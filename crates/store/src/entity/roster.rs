use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roster")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub county_code: String,
    pub period_start: i32,
    pub period_end: i32,
    pub status: String,
    /// Bumped by every generation; two generations racing on one value cannot both win.
    pub generation: i32,
    pub line_count: i32,
    pub total_fen: i64,
    pub generated_by: Uuid,
    pub generated_at: DateTimeUtc,
    pub submitted_by: Option<Uuid>,
    pub submitted_at: Option<DateTimeUtc>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTimeUtc>,
    pub paid_by: Option<Uuid>,
    pub paid_at: Option<DateTimeUtc>,
    pub bank_batch_ref: Option<String>,
    pub paid_on: Option<Date>,
    pub reconciled_by: Option<Uuid>,
    pub reconciled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
