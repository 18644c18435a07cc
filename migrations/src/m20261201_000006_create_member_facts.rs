//! Dated facts that drive payments — a member's death and household registration — kept as
//! a history: each change is a new entry (who, when, evidence, and the entry it corrects),
//! never an edit. The member row keeps the current value for the roster engine.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum MemberFact {
    Table,
    Id,
    MemberId,
    Fact,
    Value,
    Evidence,
    Corrects,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Member {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MemberFact::Table)
                    .col(pk_uuid(MemberFact::Id))
                    .col(uuid(MemberFact::MemberId))
                    .col(string_len(MemberFact::Fact, 32))
                    .col(string_len_null(MemberFact::Value, 32))
                    .col(text(MemberFact::Evidence))
                    .col(uuid_null(MemberFact::Corrects))
                    .col(uuid(MemberFact::RecordedBy))
                    .col(timestamp_with_time_zone(MemberFact::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_member_fact_member")
                            .from(MemberFact::Table, MemberFact::MemberId)
                            .to(Member::Table, Member::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_member_fact_member")
                    .table(MemberFact::Table)
                    .col(MemberFact::MemberId)
                    .col(MemberFact::RecordedAt)
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        let guards: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "CREATE FUNCTION member_fact_guard() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'member facts are corrected by a new entry, never edited'; END $$",
                "CREATE TRIGGER member_fact_append_only BEFORE UPDATE OR DELETE ON member_fact \
                 FOR EACH ROW EXECUTE FUNCTION member_fact_guard()",
                "CREATE TRIGGER member_fact_no_truncate BEFORE TRUNCATE ON member_fact \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()",
            ],
            _ => &[
                "CREATE TRIGGER member_fact_no_update BEFORE UPDATE ON member_fact \
                 BEGIN SELECT RAISE(ABORT, 'member facts are corrected by a new entry, never edited'); END",
                "CREATE TRIGGER member_fact_no_delete BEFORE DELETE ON member_fact \
                 BEGIN SELECT RAISE(ABORT, 'member facts are corrected by a new entry, never edited'); END",
            ],
        };
        for g in guards {
            conn.execute_unprepared(g).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MemberFact::Table).to_owned())
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION member_fact_guard()")
                .await?;
        }
        Ok(())
    }
}
