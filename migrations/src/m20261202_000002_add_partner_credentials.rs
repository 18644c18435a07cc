//! Partner apps get OAuth 2.0 client credentials: a public client id on the app and its
//! secrets (SHA-256, never the clear value) in a table of their own, so that a rotation can
//! keep the previous secret valid for an overlap while the partner deploys the new one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum PartnerApp {
    Table,
    Id,
    ClientId,
}

#[derive(DeriveIden, Clone, Copy)]
enum AppSecret {
    Table,
    Id,
    AppId,
    SecretHash,
    CreatedAt,
    /// Set when a newer secret replaced this one: valid until then (the overlap).
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PartnerApp::Table)
                    .add_column(string_len_null(PartnerApp::ClientId, 40))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_partner_app_client_id")
                    .table(PartnerApp::Table)
                    .col(PartnerApp::ClientId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AppSecret::Table)
                    .col(pk_uuid(AppSecret::Id))
                    .col(uuid(AppSecret::AppId))
                    .col(string_len(AppSecret::SecretHash, 64))
                    .col(timestamp_with_time_zone(AppSecret::CreatedAt))
                    .col(timestamp_with_time_zone_null(AppSecret::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_app_secret_app")
                            .from(AppSecret::Table, AppSecret::AppId)
                            .to(PartnerApp::Table, PartnerApp::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_app_secret_app")
                    .table(AppSecret::Table)
                    .col(AppSecret::AppId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AppSecret::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("uq_partner_app_client_id")
                    .table(PartnerApp::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PartnerApp::Table)
                    .drop_column(PartnerApp::ClientId)
                    .to_owned(),
            )
            .await
    }
}
