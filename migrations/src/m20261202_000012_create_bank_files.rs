//! The bank file (代发文件) of a roster: its transfers (one per person, with the roster
//! lines each settles, so that the bank's result file reconciles the right lines) and each
//! file produced, with its control totals and checksum.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum BankTransfer {
    Table,
    Id,
    RosterId,
    Reference,
    MemberId,
    AmountFen,
    LineIds,
}

#[derive(DeriveIden, Clone, Copy)]
enum RosterBankFile {
    Table,
    Id,
    RosterId,
    Template,
    TransferCount,
    TotalFen,
    Sha256,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Roster {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BankTransfer::Table)
                    .col(uuid(BankTransfer::Id).primary_key())
                    .col(uuid(BankTransfer::RosterId))
                    .col(string_len(BankTransfer::Reference, 32))
                    .col(uuid(BankTransfer::MemberId))
                    .col(big_integer(BankTransfer::AmountFen))
                    .col(text(BankTransfer::LineIds))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bank_transfer_roster")
                            .from(BankTransfer::Table, BankTransfer::RosterId)
                            .to(Roster::Table, Roster::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_bank_transfer_reference")
                    .table(BankTransfer::Table)
                    .col(BankTransfer::RosterId)
                    .col(BankTransfer::Reference)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RosterBankFile::Table)
                    .col(uuid(RosterBankFile::Id).primary_key())
                    .col(uuid(RosterBankFile::RosterId))
                    .col(string_len(RosterBankFile::Template, 32))
                    .col(integer(RosterBankFile::TransferCount))
                    .col(big_integer(RosterBankFile::TotalFen))
                    .col(string_len(RosterBankFile::Sha256, 64))
                    .col(uuid(RosterBankFile::CreatedBy))
                    .col(timestamp_with_time_zone(RosterBankFile::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_roster_bank_file_roster")
                            .from(RosterBankFile::Table, RosterBankFile::RosterId)
                            .to(Roster::Table, Roster::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RosterBankFile::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BankTransfer::Table).to_owned())
            .await
    }
}
