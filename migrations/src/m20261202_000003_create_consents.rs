//! Consent (PIPL separate consent before sensitive personal information goes to a third
//! party): an append-only history per family, recipient kind and purpose (given or
//! withdrawn, on which day, with what evidence, recorded by whom), and the current state of
//! each, kept in the same transaction, that every partner query checks.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Consent {
    Table,
    Id,
    FamilyId,
    RecipientKind,
    Purpose,
    Given,
    EffectiveOn,
    EvidenceId,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ConsentState {
    Table,
    FamilyId,
    RecipientKind,
    Purpose,
    Given,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Family {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Attachment {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Consent::Table)
                    .col(pk_uuid(Consent::Id))
                    .col(uuid(Consent::FamilyId))
                    .col(string_len(Consent::RecipientKind, 24))
                    .col(string_len(Consent::Purpose, 24))
                    .col(boolean(Consent::Given))
                    .col(date(Consent::EffectiveOn))
                    .col(uuid_null(Consent::EvidenceId))
                    .col(uuid(Consent::RecordedBy))
                    .col(timestamp_with_time_zone(Consent::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consent_family")
                            .from(Consent::Table, Consent::FamilyId)
                            .to(Family::Table, Family::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consent_evidence")
                            .from(Consent::Table, Consent::EvidenceId)
                            .to(Attachment::Table, Attachment::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_consent_family")
                    .table(Consent::Table)
                    .col(Consent::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsentState::Table)
                    .col(uuid(ConsentState::FamilyId))
                    .col(string_len(ConsentState::RecipientKind, 24))
                    .col(string_len(ConsentState::Purpose, 24))
                    .col(boolean(ConsentState::Given))
                    .col(timestamp_with_time_zone(ConsentState::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(ConsentState::FamilyId)
                            .col(ConsentState::RecipientKind)
                            .col(ConsentState::Purpose),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consent_state_family")
                            .from(ConsentState::Table, ConsentState::FamilyId)
                            .to(Family::Table, Family::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_consent_state_given")
                    .table(ConsentState::Table)
                    .col(ConsentState::RecipientKind)
                    .col(ConsentState::Purpose)
                    .col(ConsentState::Given)
                    .col(ConsentState::FamilyId)
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        let guards: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "CREATE TRIGGER consent_append_only BEFORE UPDATE OR DELETE ON consent \
                 FOR EACH ROW EXECUTE FUNCTION care_append_only()",
                "CREATE TRIGGER consent_no_truncate BEFORE TRUNCATE ON consent \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()",
            ],
            _ => &[
                "CREATE TRIGGER consent_no_update BEFORE UPDATE ON consent \
                 BEGIN SELECT RAISE(ABORT, 'consent is append-only: a withdrawal is a new entry'); END",
                "CREATE TRIGGER consent_no_delete BEFORE DELETE ON consent \
                 BEGIN SELECT RAISE(ABORT, 'consent is append-only: a withdrawal is a new entry'); END",
            ],
        };
        for g in guards {
            conn.execute_unprepared(g).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsentState::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Consent::Table).to_owned())
            .await
    }
}
