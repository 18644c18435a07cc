use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mini_program_operation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mini_program_id: Uuid,
    /// SHA-256 of the document, lowercase hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub document: String,
    /// The document's operation names, comma-separated.
    pub operation_names: String,
    pub registered_by: String,
    pub registered_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
