use sea_orm::entity::prelude::*;

/// A one-time binding code a staff member issued for a family member or a volunteer; only
/// its SHA-256 is kept.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "binding_code")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code_hash: String,
    pub subject_kind: String,
    pub family_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
    pub volunteer_id: Option<Uuid>,
    pub issued_by: Uuid,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub binding_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
