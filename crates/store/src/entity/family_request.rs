use sea_orm::entity::prelude::*;

/// A family's request (家庭诉求) and its answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "family_request")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub family_id: Uuid,
    /// Who asked.
    pub member_id: Uuid,
    /// `visit`, `emergency_aid` or `contact_change`.
    pub kind: String,
    pub note: Option<String>,
    /// Vault envelope of the new phone (a contact change).
    pub new_phone_enc: Option<String>,
    pub new_address: Option<String>,
    /// `open`, `accepted` or `declined`.
    pub state: String,
    pub answered_by: Option<Uuid>,
    pub answered_at: Option<DateTimeUtc>,
    pub answer_note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
