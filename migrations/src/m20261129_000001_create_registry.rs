//! The registry: regions, families, members, status history, staff users, refresh tokens
//! and the append-only access log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Region {
    Table,
    Code,
    Name,
    Level,
    ParentCode,
    ValidFrom,
    ValidTo,
}

#[derive(DeriveIden, Clone, Copy)]
enum Family {
    Table,
    Id,
    RegionCode,
    CityCode,
    CountyCode,
    TownshipCode,
    VillageCode,
    Status,
    HonourCertificateNo,
    HonourCertificateDate,
    ChildDeathDate,
    LaterChildDate,
    Eligible,
    EligibilityVersion,
    EligibilityCheckedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Member {
    Table,
    Id,
    FamilyId,
    Role,
    Name,
    IdNumberEnc,
    IdNumberBidx,
    BirthDate,
    Sex,
    PhoneEnc,
    Address,
    HukouRegionCode,
    DeceasedOn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum FamilyStatusHistory {
    Table,
    Id,
    FamilyId,
    FromStatus,
    ToStatus,
    Reason,
    ActorId,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum StaffUser {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    Role,
    HomeRegionCode,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RefreshToken {
    Table,
    Id,
    ChainId,
    UserId,
    TokenHash,
    IssuedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AccessLog {
    Table,
    Id,
    At,
    ActorId,
    ActorName,
    ActorRole,
    MemberId,
    Fields,
    Operation,
    Purpose,
    RequestId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Region::Table)
                    .col(string_len(Region::Code, 12).primary_key())
                    .col(string(Region::Name))
                    .col(string_len(Region::Level, 16))
                    .col(string_len_null(Region::ParentCode, 12))
                    .col(date(Region::ValidFrom))
                    .col(date_null(Region::ValidTo))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_region_parent",
            Region::Table,
            &[Region::ParentCode],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Family::Table)
                    .col(pk_uuid(Family::Id))
                    .col(string_len(Family::RegionCode, 12))
                    .col(string_len(Family::CityCode, 6))
                    .col(string_len(Family::CountyCode, 6))
                    .col(string_len_null(Family::TownshipCode, 9))
                    .col(string_len_null(Family::VillageCode, 12))
                    .col(string_len(Family::Status, 16))
                    .col(string_null(Family::HonourCertificateNo))
                    .col(date_null(Family::HonourCertificateDate))
                    .col(date_null(Family::ChildDeathDate))
                    .col(date_null(Family::LaterChildDate))
                    .col(boolean_null(Family::Eligible))
                    .col(string_null(Family::EligibilityVersion))
                    .col(timestamp_with_time_zone_null(Family::EligibilityCheckedAt))
                    .col(uuid(Family::CreatedBy))
                    .col(timestamp_with_time_zone(Family::CreatedAt))
                    .col(timestamp_with_time_zone(Family::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_family_region")
                            .from(Family::Table, Family::RegionCode)
                            .to(Region::Table, Region::Code),
                    )
                    .to_owned(),
            )
            .await?;
        // The slice conditions filter on exactly one of these columns, then page by id.
        index(
            manager,
            "ix_family_city",
            Family::Table,
            &[Family::CityCode, Family::Id],
        )
        .await?;
        index(
            manager,
            "ix_family_county",
            Family::Table,
            &[Family::CountyCode, Family::Id],
        )
        .await?;
        index(
            manager,
            "ix_family_township",
            Family::Table,
            &[Family::TownshipCode, Family::Id],
        )
        .await?;
        index(
            manager,
            "ix_family_village",
            Family::Table,
            &[Family::VillageCode, Family::Id],
        )
        .await?;
        index(
            manager,
            "ix_family_status",
            Family::Table,
            &[Family::Status],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Member::Table)
                    .col(pk_uuid(Member::Id))
                    .col(uuid(Member::FamilyId))
                    .col(string_len(Member::Role, 16))
                    .col(string(Member::Name))
                    .col(text(Member::IdNumberEnc))
                    .col(string_len(Member::IdNumberBidx, 64))
                    .col(date(Member::BirthDate))
                    .col(string_len(Member::Sex, 8))
                    .col(text_null(Member::PhoneEnc))
                    .col(text_null(Member::Address))
                    .col(string_len(Member::HukouRegionCode, 12))
                    .col(date_null(Member::DeceasedOn))
                    .col(timestamp_with_time_zone(Member::CreatedAt))
                    .col(timestamp_with_time_zone(Member::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_member_family")
                            .from(Member::Table, Member::FamilyId)
                            .to(Family::Table, Family::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_member_family",
            Member::Table,
            &[Member::FamilyId],
        )
        .await?;
        index(
            manager,
            "ix_member_bidx",
            Member::Table,
            &[Member::IdNumberBidx],
        )
        .await?;
        index(
            manager,
            "ix_member_role_birth",
            Member::Table,
            &[Member::Role, Member::BirthDate],
        )
        .await?;
        // A living person is on file once; the deceased keep their rows (history), so the
        // uniqueness is partial. Both PostgreSQL and SQLite support partial indexes.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_member_living_id ON member (id_number_bidx) WHERE deceased_on IS NULL",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FamilyStatusHistory::Table)
                    .col(pk_uuid(FamilyStatusHistory::Id))
                    .col(uuid(FamilyStatusHistory::FamilyId))
                    .col(string_len_null(FamilyStatusHistory::FromStatus, 16))
                    .col(string_len(FamilyStatusHistory::ToStatus, 16))
                    .col(text(FamilyStatusHistory::Reason))
                    .col(uuid(FamilyStatusHistory::ActorId))
                    .col(timestamp_with_time_zone(FamilyStatusHistory::At))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_status_history_family")
                            .from(FamilyStatusHistory::Table, FamilyStatusHistory::FamilyId)
                            .to(Family::Table, Family::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_status_history_family",
            FamilyStatusHistory::Table,
            &[FamilyStatusHistory::FamilyId, FamilyStatusHistory::At],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(StaffUser::Table)
                    .col(pk_uuid(StaffUser::Id))
                    .col(string_len_uniq(StaffUser::Username, 64))
                    .col(string(StaffUser::DisplayName))
                    .col(text(StaffUser::PasswordHash))
                    .col(string_len(StaffUser::Role, 32))
                    .col(string_len(StaffUser::HomeRegionCode, 12))
                    .col(boolean(StaffUser::Active))
                    .col(timestamp_with_time_zone(StaffUser::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_user_region")
                            .from(StaffUser::Table, StaffUser::HomeRegionCode)
                            .to(Region::Table, Region::Code),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .col(pk_uuid(RefreshToken::Id))
                    .col(uuid(RefreshToken::ChainId))
                    .col(uuid(RefreshToken::UserId))
                    .col(string_len_uniq(RefreshToken::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshToken::IssuedAt))
                    .col(timestamp_with_time_zone(RefreshToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_token_user")
                            .from(RefreshToken::Table, RefreshToken::UserId)
                            .to(StaffUser::Table, StaffUser::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_refresh_token_chain",
            RefreshToken::Table,
            &[RefreshToken::ChainId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccessLog::Table)
                    .col(pk_uuid(AccessLog::Id))
                    .col(timestamp_with_time_zone(AccessLog::At))
                    .col(uuid(AccessLog::ActorId))
                    .col(string(AccessLog::ActorName))
                    .col(string_len(AccessLog::ActorRole, 32))
                    .col(uuid_null(AccessLog::MemberId))
                    .col(string(AccessLog::Fields))
                    .col(string(AccessLog::Operation))
                    .col(text(AccessLog::Purpose))
                    .col(string_len(AccessLog::RequestId, 64))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_access_log_at",
            AccessLog::Table,
            &[AccessLog::At],
        )
        .await?;
        index(
            manager,
            "ix_access_log_member",
            AccessLog::Table,
            &[AccessLog::MemberId],
        )
        .await?;

        // Append-only, enforced by the database itself: no code path can edit or erase it.
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared(
                    "CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION 'access_log is append-only'; END $$",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log \
                     FOR EACH ROW EXECUTE FUNCTION access_log_append_only()",
                )
                .await?;
            }
            _ => {
                conn.execute_unprepared(
                    "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log \
                     BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log \
                     BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END",
                )
                .await?;
            }
        }
        Ok(())
    }
}

async fn index<T: IntoIden + Copy + 'static, C: IntoIden + Copy + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: &[C],
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for c in cols {
        stmt.col(*c);
    }
    manager.create_index(stmt.to_owned()).await
}
