//! Bank accounts with a history. Every account set for a member is appended to
//! `bank_account_change` (who, when, evidence), never edited; `bank_account` stays the
//! member's current account. A roster pins, when it is submitted, the account each member
//! is to be paid into (`roster_account`); a change after that is flagged and must be
//! confirmed by the city before the bank file is produced.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum BankAccountChange {
    Table,
    Id,
    MemberId,
    AccountKind,
    BankName,
    HolderName,
    AccountEnc,
    Evidence,
    SetBy,
    SetAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RosterAccount {
    Table,
    RosterId,
    MemberId,
    ChangeId,
    PinnedAt,
    ConfirmedBy,
    ConfirmedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Member {
    Table,
    Id,
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
                    .table(BankAccountChange::Table)
                    .col(pk_uuid(BankAccountChange::Id))
                    .col(uuid(BankAccountChange::MemberId))
                    .col(string_len(BankAccountChange::AccountKind, 32))
                    .col(string(BankAccountChange::BankName))
                    .col(string(BankAccountChange::HolderName))
                    .col(text(BankAccountChange::AccountEnc))
                    .col(text_null(BankAccountChange::Evidence))
                    .col(uuid(BankAccountChange::SetBy))
                    .col(timestamp_with_time_zone(BankAccountChange::SetAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bank_account_change_member")
                            .from(BankAccountChange::Table, BankAccountChange::MemberId)
                            .to(Member::Table, Member::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_bank_account_change_member")
                    .table(BankAccountChange::Table)
                    .col(BankAccountChange::MemberId)
                    .col(BankAccountChange::SetAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RosterAccount::Table)
                    .col(uuid(RosterAccount::RosterId))
                    .col(uuid(RosterAccount::MemberId))
                    .col(uuid_null(RosterAccount::ChangeId))
                    .col(timestamp_with_time_zone(RosterAccount::PinnedAt))
                    .col(uuid_null(RosterAccount::ConfirmedBy))
                    .col(timestamp_with_time_zone_null(RosterAccount::ConfirmedAt))
                    .primary_key(
                        Index::create()
                            .col(RosterAccount::RosterId)
                            .col(RosterAccount::MemberId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_roster_account_roster")
                            .from(RosterAccount::Table, RosterAccount::RosterId)
                            .to(Roster::Table, Roster::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_roster_account_change")
                            .from(RosterAccount::Table, RosterAccount::ChangeId)
                            .to(BankAccountChange::Table, BankAccountChange::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The accounts already on file become the first entry of their history when the
        // store next migrates (it seals them for their rows first; see the store's upkeep).
        let guards: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "CREATE FUNCTION bank_account_change_guard() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'account history is append-only'; END $$",
                "CREATE TRIGGER bank_account_change_append_only BEFORE UPDATE OR DELETE ON bank_account_change \
                 FOR EACH ROW EXECUTE FUNCTION bank_account_change_guard()",
                "CREATE TRIGGER bank_account_change_no_truncate BEFORE TRUNCATE ON bank_account_change \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()",
            ],
            _ => &[
                "CREATE TRIGGER bank_account_change_no_update BEFORE UPDATE ON bank_account_change \
                 BEGIN SELECT RAISE(ABORT, 'account history is append-only'); END",
                "CREATE TRIGGER bank_account_change_no_delete BEFORE DELETE ON bank_account_change \
                 BEGIN SELECT RAISE(ABORT, 'account history is append-only'); END",
            ],
        };
        let conn = manager.get_connection();
        for g in guards {
            conn.execute_unprepared(g).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RosterAccount::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BankAccountChange::Table).to_owned())
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION bank_account_change_guard()")
                .await?;
        }
        Ok(())
    }
}
