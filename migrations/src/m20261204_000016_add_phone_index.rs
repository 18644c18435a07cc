//! A blind index of each member's and volunteer's phone number (the vault's keyed hash of
//! its digits), so that a WeChat user who proves a phone number through WeChat's
//! phone-number code can be bound to the one person who has it on file, without decrypting
//! every phone. Filled for existing rows when the store starts (the keys are not the
//! migration's).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Member {
    Table,
    PhoneBidx,
}

#[derive(DeriveIden, Clone, Copy)]
enum Volunteer {
    Table,
    PhoneBidx,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Member::Table)
                    .add_column(string_len_null(Member::PhoneBidx, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_member_phone_bidx")
                    .table(Member::Table)
                    .col(Member::PhoneBidx)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Volunteer::Table)
                    .add_column(string_len_null(Volunteer::PhoneBidx, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_volunteer_phone_bidx")
                    .table(Volunteer::Table)
                    .col(Volunteer::PhoneBidx)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_volunteer_phone_bidx").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Volunteer::Table)
                    .drop_column(Volunteer::PhoneBidx)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name("ix_member_phone_bidx").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Member::Table)
                    .drop_column(Member::PhoneBidx)
                    .to_owned(),
            )
            .await
    }
}
