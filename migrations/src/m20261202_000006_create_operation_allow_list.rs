//! The operations each partner app may run (persisted operations): a city admin registers
//! the documents of the app's `.graphql` files; the app then runs those and nothing else,
//! sending the document or its SHA-256 alone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum PartnerOperation {
    Table,
    AppId,
    Hash,
    Document,
    OperationNames,
    RegisteredBy,
    RegisteredAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PartnerApp {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PartnerOperation::Table)
                    .col(uuid(PartnerOperation::AppId))
                    .col(string_len(PartnerOperation::Hash, 64))
                    .col(text(PartnerOperation::Document))
                    .col(string_len(PartnerOperation::OperationNames, 500))
                    .col(string_len(PartnerOperation::RegisteredBy, 200))
                    .col(timestamp_with_time_zone(PartnerOperation::RegisteredAt))
                    .primary_key(
                        Index::create()
                            .col(PartnerOperation::AppId)
                            .col(PartnerOperation::Hash),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_operation_app")
                            .from(PartnerOperation::Table, PartnerOperation::AppId)
                            .to(PartnerApp::Table, PartnerApp::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_partner_operation_hash")
                    .table(PartnerOperation::Table)
                    .col(PartnerOperation::Hash)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PartnerOperation::Table).to_owned())
            .await
    }
}
