//! A partner's service links are a rows rule the database evaluates per family (a
//! correlated EXISTS): cards and links need an index on the family they name.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum GreenChannelCard {
    Table,
    FamilyId,
}

#[derive(DeriveIden, Clone, Copy)]
enum ServiceLink {
    Table,
    FamilyId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_green_card_family")
                    .table(GreenChannelCard::Table)
                    .col(GreenChannelCard::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_service_link_family")
                    .table(ServiceLink::Table)
                    .col(ServiceLink::FamilyId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("ix_green_card_family", GreenChannelCard::Table.into_iden()),
            ("ix_service_link_family", ServiceLink::Table.into_iden()),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
