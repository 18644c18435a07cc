use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub family_id: Uuid,
    pub role: String,
    pub name: String,
    /// Vault envelope (`v1:<key id>:<nonce+ciphertext>`), never the clear number.
    pub id_number_enc: String,
    /// Keyed HMAC of the clear number, for exact-match lookup and uniqueness.
    pub id_number_bidx: String,
    pub birth_date: Date,
    pub sex: String,
    pub phone_enc: Option<String>,
    /// Blind index of the phone's digits (binding a WeChat user by a proved phone).
    pub phone_bidx: Option<String>,
    pub address: Option<String>,
    pub hukou_region_code: String,
    pub deceased_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
