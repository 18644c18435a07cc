use sea_orm::entity::prelude::*;

/// A WeChat user (openid of one mini-program) speaking for a family member or a volunteer.
/// Unbinding stamps the row; a later binding is a new row, so the rows are the history.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_binding")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub app_id: String,
    pub openid: String,
    pub unionid: Option<String>,
    /// `family_member` or `volunteer`.
    pub subject_kind: String,
    pub family_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
    pub volunteer_id: Option<Uuid>,
    /// `binding_code` or `phone`.
    pub via: String,
    pub bound_at: DateTimeUtc,
    /// The staff member who issued the binding code (none for a phone binding).
    pub issued_by: Option<Uuid>,
    pub unbound_at: Option<DateTimeUtc>,
    pub unbound_by: Option<Uuid>,
    pub unbound_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
