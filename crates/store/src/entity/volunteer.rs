use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub active: bool,
    pub team_id: Option<Uuid>,
    /// Vault envelope of the volunteer's phone.
    pub phone_enc: Option<String>,
    /// Blind index of the phone's digits (binding a WeChat user by a proved phone).
    pub phone_bidx: Option<String>,
    /// Where the volunteer serves (staff of that region manage them).
    pub region_code: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
