//! Allowances: dated standards, family moves between regions, bank accounts, payment
//! rosters with their lines and reconciliation outcomes, and background jobs.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum AllowanceStandard {
    Table,
    Id,
    Kind,
    MonthlyFen,
    MinAge,
    MaxAge,
    EffectiveFrom,
    EffectiveTo,
    CountyCode,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum FamilyRegionChange {
    Table,
    Id,
    FamilyId,
    RegionCode,
    EffectiveOn,
    Reason,
    ActorId,
    RecordedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BankAccount {
    Table,
    MemberId,
    AccountKind,
    BankName,
    HolderName,
    AccountEnc,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Roster {
    Table,
    Id,
    CountyCode,
    PeriodStart,
    PeriodEnd,
    Status,
    Generation,
    LineCount,
    TotalFen,
    GeneratedBy,
    GeneratedAt,
    SubmittedBy,
    SubmittedAt,
    ApprovedBy,
    ApprovedAt,
    PaidBy,
    PaidAt,
    BankBatchRef,
    PaidOn,
    ReconciledBy,
    ReconciledAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RosterLine {
    Table,
    Id,
    RosterId,
    MemberId,
    FamilyId,
    Month,
    Kind,
    AmountFen,
    LineType,
    Attempt,
    TownshipCode,
    Explanation,
}

#[derive(DeriveIden, Clone, Copy)]
enum RosterLineOutcome {
    Table,
    LineId,
    RosterId,
    Outcome,
    Reason,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Job {
    Table,
    Id,
    Kind,
    Status,
    Done,
    Total,
    RosterId,
    Error,
    CreatedBy,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Family {
    Table,
    Id,
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
                    .table(AllowanceStandard::Table)
                    .col(pk_uuid(AllowanceStandard::Id))
                    .col(string_len(AllowanceStandard::Kind, 32))
                    .col(big_integer(AllowanceStandard::MonthlyFen))
                    .col(integer_null(AllowanceStandard::MinAge))
                    .col(integer_null(AllowanceStandard::MaxAge))
                    .col(integer(AllowanceStandard::EffectiveFrom))
                    .col(integer_null(AllowanceStandard::EffectiveTo))
                    .col(string_len_null(AllowanceStandard::CountyCode, 6))
                    .col(uuid(AllowanceStandard::CreatedBy))
                    .col(timestamp_with_time_zone(AllowanceStandard::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FamilyRegionChange::Table)
                    .col(pk_uuid(FamilyRegionChange::Id))
                    .col(uuid(FamilyRegionChange::FamilyId))
                    .col(string_len(FamilyRegionChange::RegionCode, 12))
                    .col(date(FamilyRegionChange::EffectiveOn))
                    .col(text(FamilyRegionChange::Reason))
                    .col(uuid(FamilyRegionChange::ActorId))
                    .col(timestamp_with_time_zone(FamilyRegionChange::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_region_change_family")
                            .from(FamilyRegionChange::Table, FamilyRegionChange::FamilyId)
                            .to(Family::Table, Family::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_region_change_family")
                    .table(FamilyRegionChange::Table)
                    .col(FamilyRegionChange::FamilyId)
                    .col(FamilyRegionChange::EffectiveOn)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BankAccount::Table)
                    .col(uuid(BankAccount::MemberId).primary_key())
                    .col(string_len(BankAccount::AccountKind, 32))
                    .col(string(BankAccount::BankName))
                    .col(string(BankAccount::HolderName))
                    .col(text(BankAccount::AccountEnc))
                    .col(uuid(BankAccount::UpdatedBy))
                    .col(timestamp_with_time_zone(BankAccount::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bank_account_member")
                            .from(BankAccount::Table, BankAccount::MemberId)
                            .to(Member::Table, Member::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Roster::Table)
                    .col(pk_uuid(Roster::Id))
                    .col(string_len(Roster::CountyCode, 6))
                    .col(integer(Roster::PeriodStart))
                    .col(integer(Roster::PeriodEnd))
                    .col(string_len(Roster::Status, 16))
                    .col(integer(Roster::Generation))
                    .col(integer(Roster::LineCount))
                    .col(big_integer(Roster::TotalFen))
                    .col(uuid(Roster::GeneratedBy))
                    .col(timestamp_with_time_zone(Roster::GeneratedAt))
                    .col(uuid_null(Roster::SubmittedBy))
                    .col(timestamp_with_time_zone_null(Roster::SubmittedAt))
                    .col(uuid_null(Roster::ApprovedBy))
                    .col(timestamp_with_time_zone_null(Roster::ApprovedAt))
                    .col(uuid_null(Roster::PaidBy))
                    .col(timestamp_with_time_zone_null(Roster::PaidAt))
                    .col(string_null(Roster::BankBatchRef))
                    .col(date_null(Roster::PaidOn))
                    .col(uuid_null(Roster::ReconciledBy))
                    .col(timestamp_with_time_zone_null(Roster::ReconciledAt))
                    .col(timestamp_with_time_zone(Roster::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // One roster per county per period.
        manager
            .create_index(
                Index::create()
                    .name("uq_roster_county_period")
                    .table(Roster::Table)
                    .col(Roster::CountyCode)
                    .col(Roster::PeriodStart)
                    .col(Roster::PeriodEnd)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RosterLine::Table)
                    .col(pk_uuid(RosterLine::Id))
                    .col(uuid(RosterLine::RosterId))
                    .col(uuid(RosterLine::MemberId))
                    .col(uuid(RosterLine::FamilyId))
                    .col(integer(RosterLine::Month))
                    .col(string_len(RosterLine::Kind, 32))
                    .col(big_integer(RosterLine::AmountFen))
                    .col(string_len(RosterLine::LineType, 16))
                    .col(integer(RosterLine::Attempt))
                    .col(string_len_null(RosterLine::TownshipCode, 9))
                    .col(text(RosterLine::Explanation))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_roster_line_roster")
                            .from(RosterLine::Table, RosterLine::RosterId)
                            .to(Roster::Table, Roster::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The double-payment guard: one line per person, month, kind, line type and payment
        // attempt across all rosters, whatever runs concurrently.
        manager
            .create_index(
                Index::create()
                    .name("uq_roster_line_once")
                    .table(RosterLine::Table)
                    .col(RosterLine::MemberId)
                    .col(RosterLine::Month)
                    .col(RosterLine::Kind)
                    .col(RosterLine::LineType)
                    .col(RosterLine::Attempt)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_roster_line_roster")
                    .table(RosterLine::Table)
                    .col(RosterLine::RosterId)
                    .col(RosterLine::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_roster_line_family")
                    .table(RosterLine::Table)
                    .col(RosterLine::FamilyId)
                    .col(RosterLine::Month)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RosterLineOutcome::Table)
                    .col(uuid(RosterLineOutcome::LineId).primary_key())
                    .col(uuid(RosterLineOutcome::RosterId))
                    .col(string_len(RosterLineOutcome::Outcome, 16))
                    .col(text(RosterLineOutcome::Reason))
                    .col(uuid(RosterLineOutcome::RecordedBy))
                    .col(timestamp_with_time_zone(RosterLineOutcome::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outcome_line")
                            .from(RosterLineOutcome::Table, RosterLineOutcome::LineId)
                            .to(RosterLine::Table, RosterLine::Id),
                    )
                    .to_owned(),
            )
            .await?;

        // A line of a submitted (or later) roster is never changed or removed; draft lines
        // are replaced wholesale by regeneration. Enforced by the database itself.
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared(
                    "CREATE FUNCTION roster_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'roster lines are never edited'; END IF; \
                       IF (SELECT status FROM roster WHERE id = OLD.roster_id) <> 'draft' THEN \
                         RAISE EXCEPTION 'lines of a frozen roster are never changed'; END IF; \
                       RETURN OLD; \
                     END $$",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER roster_line_frozen BEFORE UPDATE OR DELETE ON roster_line \
                     FOR EACH ROW EXECUTE FUNCTION roster_line_guard()",
                )
                .await?;
            }
            _ => {
                conn.execute_unprepared(
                    "CREATE TRIGGER roster_line_no_update BEFORE UPDATE ON roster_line \
                     BEGIN SELECT RAISE(ABORT, 'roster lines are never edited'); END",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER roster_line_frozen BEFORE DELETE ON roster_line \
                     WHEN (SELECT status FROM roster WHERE id = OLD.roster_id) <> 'draft' \
                     BEGIN SELECT RAISE(ABORT, 'lines of a frozen roster are never changed'); END",
                )
                .await?;
            }
        }

        manager
            .create_table(
                Table::create()
                    .table(Job::Table)
                    .col(pk_uuid(Job::Id))
                    .col(string_len(Job::Kind, 32))
                    .col(string_len(Job::Status, 16))
                    .col(big_integer(Job::Done))
                    .col(big_integer(Job::Total))
                    .col(uuid_null(Job::RosterId))
                    .col(text_null(Job::Error))
                    .col(uuid(Job::CreatedBy))
                    .col(timestamp_with_time_zone(Job::CreatedAt))
                    .col(timestamp_with_time_zone_null(Job::FinishedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
