//! Registered WeChat mini-programs (小程序) and each one's allow-list of persisted
//! operations: a family member's or volunteer's token names the mini-program it was
//! issued through, and runs only the operations the city registered for it, like a
//! partner app's.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum MiniProgram {
    Table,
    Id,
    WechatAppId,
    Name,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MiniProgramOperation {
    Table,
    MiniProgramId,
    Hash,
    Document,
    OperationNames,
    RegisteredBy,
    RegisteredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MiniProgram::Table)
                    .col(uuid(MiniProgram::Id).primary_key())
                    .col(string_len_uniq(MiniProgram::WechatAppId, 64))
                    .col(text(MiniProgram::Name))
                    .col(boolean(MiniProgram::Active))
                    .col(timestamp_with_time_zone(MiniProgram::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MiniProgramOperation::Table)
                    .col(uuid(MiniProgramOperation::MiniProgramId))
                    .col(string_len(MiniProgramOperation::Hash, 64))
                    .col(text(MiniProgramOperation::Document))
                    .col(text(MiniProgramOperation::OperationNames))
                    .col(text(MiniProgramOperation::RegisteredBy))
                    .col(timestamp_with_time_zone(MiniProgramOperation::RegisteredAt))
                    .primary_key(
                        Index::create()
                            .col(MiniProgramOperation::MiniProgramId)
                            .col(MiniProgramOperation::Hash),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mini_program_operation_program")
                            .from(
                                MiniProgramOperation::Table,
                                MiniProgramOperation::MiniProgramId,
                            )
                            .to(MiniProgram::Table, MiniProgram::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MiniProgramOperation::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MiniProgram::Table).to_owned())
            .await
    }
}
