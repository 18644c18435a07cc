use sea_orm::entity::prelude::*;

/// What an unbound WeChat user carries from `wxLogin` to a binding (its SHA-256; minutes,
/// once).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_ticket")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_hash: String,
    pub app_id: String,
    pub openid: String,
    pub unionid: Option<String>,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
