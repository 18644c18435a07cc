use sea_orm::entity::prelude::*;

/// The server's WeChat access token for one app, shared by every replica (encrypted), and
/// the lease of the replica refreshing it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_access_token")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub app_id: String,
    pub token_enc: Option<String>,
    pub expires_at: Option<DateTimeUtc>,
    pub refreshing_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
