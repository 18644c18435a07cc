//! Back-dated status changes: a status history entry may take effect earlier than it was
//! recorded (`effective_on`; null means the day it was recorded, in China time).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum FamilyStatusHistory {
    Table,
    EffectiveOn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(FamilyStatusHistory::Table)
                    .add_column(date_null(FamilyStatusHistory::EffectiveOn))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(FamilyStatusHistory::Table)
                    .drop_column(FamilyStatusHistory::EffectiveOn)
                    .to_owned(),
            )
            .await
    }
}
