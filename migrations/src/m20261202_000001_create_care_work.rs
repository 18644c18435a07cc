//! Care work: the service catalogue and its units, care records with their attachments,
//! cases and their steps, pairings (五定一包, replacing the volunteer-only `pairing` table:
//! a pairing's worker may be staff or a volunteer, and a family has at most one active
//! pairing), holiday campaigns, chronic-disease records, counselling sessions with their
//! notes kept apart, emergency-call devices, care sites, volunteer teams and activities.
//! Care records and case steps are append-only, enforced by triggers on both backends.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CareUnit {
    Table,
    Code,
    NameZh,
    NameEn,
    OrganisationId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CareService {
    Table,
    Code,
    Category,
    NameZh,
    NameEn,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CareServiceUnit {
    Table,
    ServiceCode,
    UnitCode,
}

#[derive(DeriveIden, Clone, Copy)]
enum Attachment {
    Table,
    Id,
    FamilyId,
    Name,
    ContentType,
    SizeBytes,
    Sha256,
    Content,
    UploadedBy,
    UploadedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CareRecord {
    Table,
    Id,
    FamilyId,
    MemberId,
    Kind,
    ServiceCode,
    OccurredOn,
    PerformerKind,
    PerformerId,
    PerformerName,
    Content,
    Outcome,
    MoneyFen,
    GoodsFen,
    Details,
    PairingId,
    CampaignId,
    ConditionId,
    CorrectsId,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CareRecordAttachment {
    Table,
    RecordId,
    AttachmentId,
}

#[derive(DeriveIden, Clone, Copy)]
enum CareCase {
    Table,
    Id,
    FamilyId,
    MemberId,
    Workflow,
    ReferralKind,
    UnitCode,
    State,
    Priority,
    Summary,
    RequestedFen,
    ApprovedFen,
    ApprovedBy,
    DisbursedFen,
    OpenedOn,
    OpenedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CareCaseStep {
    Table,
    Id,
    CaseId,
    FromState,
    ToState,
    Note,
    AmountFen,
    ActorId,
    ActorName,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum CarePairing {
    Table,
    Id,
    FamilyId,
    LeaderName,
    WorkerKind,
    WorkerStaffId,
    VolunteerId,
    WorkerName,
    Schedule,
    Content,
    AnswerableName,
    StartsOn,
    EndedOn,
    /// The latest visit logged against the pairing, kept in the visit's transaction, so
    /// that the overdue view reads one row per pairing instead of all its visits.
    LastVisitOn,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Campaign {
    Table,
    Id,
    Name,
    RegionCode,
    StartsOn,
    EndsOn,
    MoneyFen,
    GoodsDescription,
    GoodsFen,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ChronicCondition {
    Table,
    Id,
    FamilyId,
    MemberId,
    Disease,
    Schedule,
    StartedOn,
    EndedOn,
    /// The latest follow-up, kept like a pairing's last visit.
    LastFollowUpOn,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CounsellingSession {
    Table,
    Id,
    FamilyId,
    MemberId,
    HeldOn,
    CounsellorId,
    CounsellorName,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CounsellingNote {
    Table,
    SessionId,
    AuthorId,
    NotesEnc,
}

#[derive(DeriveIden, Clone, Copy)]
enum EmergencyDevice {
    Table,
    Id,
    FamilyId,
    MemberId,
    Serial,
    RegisteredOn,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CareSite {
    Table,
    Id,
    Name,
    RegionCode,
    Venue,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum VolunteerTeam {
    Table,
    Id,
    SiteId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Activity {
    Table,
    Id,
    SiteId,
    Title,
    HeldOn,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ActivityParticipant {
    Table,
    Id,
    ActivityId,
    MemberId,
    VolunteerId,
    Attended,
}

#[derive(DeriveIden, Clone, Copy)]
enum Volunteer {
    Table,
    TeamId,
    PhoneEnc,
    RegionCode,
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

fn fk<T: IntoIden + Copy + 'static, U: IntoIden + Copy + 'static>(
    name: &str,
    from: (T, T),
    to: (U, U),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            Table::create()
                .table(CareUnit::Table)
                .col(string_len(CareUnit::Code, 40).primary_key())
                .col(text(CareUnit::NameZh))
                .col(text(CareUnit::NameEn))
                .col(uuid_null(CareUnit::OrganisationId))
                .col(timestamp_with_time_zone(CareUnit::CreatedAt))
                .to_owned(),
            Table::create()
                .table(CareService::Table)
                .col(string_len(CareService::Code, 40).primary_key())
                .col(string_len(CareService::Category, 16))
                .col(text(CareService::NameZh))
                .col(text(CareService::NameEn))
                .col(timestamp_with_time_zone(CareService::CreatedAt))
                .to_owned(),
            Table::create()
                .table(CareServiceUnit::Table)
                .col(string_len(CareServiceUnit::ServiceCode, 40))
                .col(string_len(CareServiceUnit::UnitCode, 40))
                .primary_key(
                    Index::create()
                        .col(CareServiceUnit::ServiceCode)
                        .col(CareServiceUnit::UnitCode),
                )
                .foreign_key(&mut fk(
                    "fk_service_unit_service",
                    (CareServiceUnit::Table, CareServiceUnit::ServiceCode),
                    (CareService::Table, CareService::Code),
                ))
                .foreign_key(&mut fk(
                    "fk_service_unit_unit",
                    (CareServiceUnit::Table, CareServiceUnit::UnitCode),
                    (CareUnit::Table, CareUnit::Code),
                ))
                .to_owned(),
            Table::create()
                .table(Attachment::Table)
                .col(pk_uuid(Attachment::Id))
                .col(uuid(Attachment::FamilyId))
                .col(text(Attachment::Name))
                .col(string_len(Attachment::ContentType, 40))
                .col(big_integer(Attachment::SizeBytes))
                .col(string_len(Attachment::Sha256, 64))
                .col(blob(Attachment::Content))
                .col(uuid(Attachment::UploadedBy))
                .col(timestamp_with_time_zone(Attachment::UploadedAt))
                .foreign_key(&mut fk(
                    "fk_attachment_family",
                    (Attachment::Table, Attachment::FamilyId),
                    (Family::Table, Family::Id),
                ))
                .to_owned(),
            Table::create()
                .table(CarePairing::Table)
                .col(pk_uuid(CarePairing::Id))
                .col(uuid(CarePairing::FamilyId))
                .col(text(CarePairing::LeaderName))
                .col(string_len(CarePairing::WorkerKind, 16))
                .col(uuid_null(CarePairing::WorkerStaffId))
                .col(uuid_null(CarePairing::VolunteerId))
                .col(text(CarePairing::WorkerName))
                .col(string_len(CarePairing::Schedule, 16))
                .col(text(CarePairing::Content))
                .col(text(CarePairing::AnswerableName))
                .col(date(CarePairing::StartsOn))
                .col(date_null(CarePairing::EndedOn))
                .col(date_null(CarePairing::LastVisitOn))
                .col(uuid(CarePairing::CreatedBy))
                .col(timestamp_with_time_zone(CarePairing::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_care_pairing_family",
                    (CarePairing::Table, CarePairing::FamilyId),
                    (Family::Table, Family::Id),
                ))
                .to_owned(),
            Table::create()
                .table(Campaign::Table)
                .col(pk_uuid(Campaign::Id))
                .col(text(Campaign::Name))
                .col(string_len(Campaign::RegionCode, 12))
                .col(date(Campaign::StartsOn))
                .col(date(Campaign::EndsOn))
                .col(big_integer(Campaign::MoneyFen))
                .col(text(Campaign::GoodsDescription))
                .col(big_integer(Campaign::GoodsFen))
                .col(uuid(Campaign::CreatedBy))
                .col(timestamp_with_time_zone(Campaign::CreatedAt))
                .to_owned(),
            Table::create()
                .table(ChronicCondition::Table)
                .col(pk_uuid(ChronicCondition::Id))
                .col(uuid(ChronicCondition::FamilyId))
                .col(uuid(ChronicCondition::MemberId))
                .col(text(ChronicCondition::Disease))
                .col(string_len(ChronicCondition::Schedule, 16))
                .col(date(ChronicCondition::StartedOn))
                .col(date_null(ChronicCondition::EndedOn))
                .col(date_null(ChronicCondition::LastFollowUpOn))
                .col(uuid(ChronicCondition::CreatedBy))
                .col(timestamp_with_time_zone(ChronicCondition::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_chronic_member",
                    (ChronicCondition::Table, ChronicCondition::MemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
            Table::create()
                .table(CareRecord::Table)
                .col(pk_uuid(CareRecord::Id))
                .col(uuid(CareRecord::FamilyId))
                .col(uuid_null(CareRecord::MemberId))
                .col(string_len(CareRecord::Kind, 32))
                .col(string_len(CareRecord::ServiceCode, 40))
                .col(date(CareRecord::OccurredOn))
                .col(string_len(CareRecord::PerformerKind, 16))
                .col(uuid(CareRecord::PerformerId))
                .col(text(CareRecord::PerformerName))
                .col(text(CareRecord::Content))
                .col(text_null(CareRecord::Outcome))
                .col(big_integer(CareRecord::MoneyFen))
                .col(big_integer(CareRecord::GoodsFen))
                .col(text(CareRecord::Details))
                .col(uuid_null(CareRecord::PairingId))
                .col(uuid_null(CareRecord::CampaignId))
                .col(uuid_null(CareRecord::ConditionId))
                .col(uuid_null(CareRecord::CorrectsId))
                .col(uuid(CareRecord::CreatedBy))
                .col(timestamp_with_time_zone(CareRecord::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_care_record_family",
                    (CareRecord::Table, CareRecord::FamilyId),
                    (Family::Table, Family::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_care_record_service",
                    (CareRecord::Table, CareRecord::ServiceCode),
                    (CareService::Table, CareService::Code),
                ))
                .to_owned(),
            Table::create()
                .table(CareRecordAttachment::Table)
                .col(uuid(CareRecordAttachment::RecordId))
                .col(uuid(CareRecordAttachment::AttachmentId))
                .primary_key(
                    Index::create()
                        .col(CareRecordAttachment::RecordId)
                        .col(CareRecordAttachment::AttachmentId),
                )
                .foreign_key(&mut fk(
                    "fk_record_attachment_record",
                    (CareRecordAttachment::Table, CareRecordAttachment::RecordId),
                    (CareRecord::Table, CareRecord::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_record_attachment_attachment",
                    (
                        CareRecordAttachment::Table,
                        CareRecordAttachment::AttachmentId,
                    ),
                    (Attachment::Table, Attachment::Id),
                ))
                .to_owned(),
            Table::create()
                .table(CareCase::Table)
                .col(pk_uuid(CareCase::Id))
                .col(uuid(CareCase::FamilyId))
                .col(uuid_null(CareCase::MemberId))
                .col(string_len(CareCase::Workflow, 24))
                .col(string_len_null(CareCase::ReferralKind, 40))
                .col(string_len_null(CareCase::UnitCode, 40))
                .col(string_len(CareCase::State, 24))
                .col(integer(CareCase::Priority))
                .col(text(CareCase::Summary))
                .col(big_integer_null(CareCase::RequestedFen))
                .col(big_integer_null(CareCase::ApprovedFen))
                .col(uuid_null(CareCase::ApprovedBy))
                .col(big_integer_null(CareCase::DisbursedFen))
                .col(date(CareCase::OpenedOn))
                .col(uuid(CareCase::OpenedBy))
                .col(timestamp_with_time_zone(CareCase::CreatedAt))
                .col(timestamp_with_time_zone(CareCase::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_care_case_family",
                    (CareCase::Table, CareCase::FamilyId),
                    (Family::Table, Family::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_care_case_unit",
                    (CareCase::Table, CareCase::UnitCode),
                    (CareUnit::Table, CareUnit::Code),
                ))
                .to_owned(),
            Table::create()
                .table(CareCaseStep::Table)
                .col(pk_uuid(CareCaseStep::Id))
                .col(uuid(CareCaseStep::CaseId))
                .col(string_len(CareCaseStep::FromState, 24))
                .col(string_len(CareCaseStep::ToState, 24))
                .col(text(CareCaseStep::Note))
                .col(big_integer_null(CareCaseStep::AmountFen))
                .col(uuid(CareCaseStep::ActorId))
                .col(text(CareCaseStep::ActorName))
                .col(timestamp_with_time_zone(CareCaseStep::At))
                .foreign_key(&mut fk(
                    "fk_case_step_case",
                    (CareCaseStep::Table, CareCaseStep::CaseId),
                    (CareCase::Table, CareCase::Id),
                ))
                .to_owned(),
            Table::create()
                .table(CounsellingSession::Table)
                .col(pk_uuid(CounsellingSession::Id))
                .col(uuid(CounsellingSession::FamilyId))
                .col(uuid_null(CounsellingSession::MemberId))
                .col(date(CounsellingSession::HeldOn))
                .col(uuid(CounsellingSession::CounsellorId))
                .col(text(CounsellingSession::CounsellorName))
                .col(timestamp_with_time_zone(CounsellingSession::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_counselling_family",
                    (CounsellingSession::Table, CounsellingSession::FamilyId),
                    (Family::Table, Family::Id),
                ))
                .to_owned(),
            Table::create()
                .table(CounsellingNote::Table)
                .col(pk_uuid(CounsellingNote::SessionId))
                .col(uuid(CounsellingNote::AuthorId))
                .col(text(CounsellingNote::NotesEnc))
                .foreign_key(&mut fk(
                    "fk_counselling_note_session",
                    (CounsellingNote::Table, CounsellingNote::SessionId),
                    (CounsellingSession::Table, CounsellingSession::Id),
                ))
                .to_owned(),
            Table::create()
                .table(EmergencyDevice::Table)
                .col(pk_uuid(EmergencyDevice::Id))
                .col(uuid(EmergencyDevice::FamilyId))
                .col(uuid(EmergencyDevice::MemberId))
                .col(string_len(EmergencyDevice::Serial, 64).unique_key())
                .col(date(EmergencyDevice::RegisteredOn))
                .col(boolean(EmergencyDevice::Active))
                .col(timestamp_with_time_zone(EmergencyDevice::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_device_member",
                    (EmergencyDevice::Table, EmergencyDevice::MemberId),
                    (Member::Table, Member::Id),
                ))
                .to_owned(),
            Table::create()
                .table(CareSite::Table)
                .col(pk_uuid(CareSite::Id))
                .col(text(CareSite::Name))
                .col(string_len(CareSite::RegionCode, 12))
                .col(text(CareSite::Venue))
                .col(timestamp_with_time_zone(CareSite::CreatedAt))
                .to_owned(),
            Table::create()
                .table(VolunteerTeam::Table)
                .col(pk_uuid(VolunteerTeam::Id))
                .col(uuid(VolunteerTeam::SiteId))
                .col(text(VolunteerTeam::Name))
                .col(timestamp_with_time_zone(VolunteerTeam::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_team_site",
                    (VolunteerTeam::Table, VolunteerTeam::SiteId),
                    (CareSite::Table, CareSite::Id),
                ))
                .to_owned(),
            Table::create()
                .table(Activity::Table)
                .col(pk_uuid(Activity::Id))
                .col(uuid(Activity::SiteId))
                .col(text(Activity::Title))
                .col(date(Activity::HeldOn))
                .col(uuid(Activity::CreatedBy))
                .col(timestamp_with_time_zone(Activity::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_activity_site",
                    (Activity::Table, Activity::SiteId),
                    (CareSite::Table, CareSite::Id),
                ))
                .to_owned(),
            Table::create()
                .table(ActivityParticipant::Table)
                .col(pk_uuid(ActivityParticipant::Id))
                .col(uuid(ActivityParticipant::ActivityId))
                .col(uuid_null(ActivityParticipant::MemberId))
                .col(uuid_null(ActivityParticipant::VolunteerId))
                .col(boolean(ActivityParticipant::Attended))
                .foreign_key(&mut fk(
                    "fk_participant_activity",
                    (ActivityParticipant::Table, ActivityParticipant::ActivityId),
                    (Activity::Table, Activity::Id),
                ))
                .to_owned(),
        ];
        for t in tables {
            manager.create_table(t).await?;
        }
        let indexes = [
            (
                "ix_care_record_family",
                CareRecord::Table,
                vec![CareRecord::FamilyId, CareRecord::OccurredOn, CareRecord::Id],
            ),
            (
                "ix_care_record_pairing",
                CareRecord::Table,
                vec![CareRecord::PairingId],
            ),
            (
                "ix_care_record_condition",
                CareRecord::Table,
                vec![CareRecord::ConditionId],
            ),
            // The emergency-aid contacts of a region's families (few rows of one kind).
            (
                "ix_care_record_kind_family",
                CareRecord::Table,
                vec![CareRecord::Kind, CareRecord::FamilyId],
            ),
        ];
        for (name, table, cols) in indexes {
            let mut ix = Index::create().name(name).table(table).to_owned();
            for c in cols {
                ix.col(c);
            }
            manager.create_index(ix).await?;
        }
        for (name, table, col) in [
            (
                "ix_care_case_family",
                CareCase::Table.into_iden(),
                CareCase::FamilyId.into_iden(),
            ),
            (
                "ix_case_step_case",
                CareCaseStep::Table.into_iden(),
                CareCaseStep::CaseId.into_iden(),
            ),
            (
                "ix_counselling_family",
                CounsellingSession::Table.into_iden(),
                CounsellingSession::FamilyId.into_iden(),
            ),
            (
                "ix_chronic_family",
                ChronicCondition::Table.into_iden(),
                ChronicCondition::FamilyId.into_iden(),
            ),
            (
                "ix_attachment_family",
                Attachment::Table.into_iden(),
                Attachment::FamilyId.into_iden(),
            ),
            (
                "ix_care_pairing_volunteer",
                CarePairing::Table.into_iden(),
                CarePairing::VolunteerId.into_iden(),
            ),
        ] {
            manager
                .create_index(Index::create().name(name).table(table).col(col).to_owned())
                .await?;
        }
        for col in [
            Volunteer::TeamId,
            Volunteer::PhoneEnc,
            Volunteer::RegionCode,
        ] {
            let def = match col {
                Volunteer::TeamId => uuid_null(col),
                _ => text_null(col),
            };
            manager
                .alter_table(
                    Table::alter()
                        .table(Volunteer::Table)
                        .add_column(def)
                        .to_owned(),
                )
                .await?;
        }
        let conn = manager.get_connection();
        // At most one active pairing per family (五定一包: one fixed worker).
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX uq_care_pairing_active ON care_pairing (family_id) \
             WHERE ended_on IS NULL",
        )
        .await?;
        // The volunteer pairings made before: monthly visits, the volunteer as worker and
        // answerable person until a worker fills in the five fixed elements.
        conn.execute_unprepared(
            "INSERT INTO care_pairing (id, family_id, leader_name, worker_kind, worker_staff_id, \
               volunteer_id, worker_name, schedule, content, answerable_name, starts_on, ended_on, \
               last_visit_on, created_by, created_at) \
             SELECT p.id, p.family_id, '', 'volunteer', NULL, p.volunteer_id, v.name, 'monthly', '', \
               v.name, p.starts_on, p.ends_on, NULL, p.volunteer_id, p.created_at \
             FROM pairing p JOIN volunteer v ON v.id = p.volunteer_id",
        )
        .await?;
        conn.execute_unprepared("DROP TABLE pairing").await?;
        let guards: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "CREATE FUNCTION care_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION '% is append-only: a correction is a new record', TG_TABLE_NAME; END $$",
                "CREATE TRIGGER care_record_append_only BEFORE UPDATE OR DELETE ON care_record \
                 FOR EACH ROW EXECUTE FUNCTION care_append_only()",
                "CREATE TRIGGER care_case_step_append_only BEFORE UPDATE OR DELETE ON care_case_step \
                 FOR EACH ROW EXECUTE FUNCTION care_append_only()",
                "CREATE TRIGGER care_record_no_truncate BEFORE TRUNCATE ON care_record \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()",
                "CREATE TRIGGER care_case_step_no_truncate BEFORE TRUNCATE ON care_case_step \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()",
            ],
            _ => &[
                "CREATE TRIGGER care_record_no_update BEFORE UPDATE ON care_record \
                 BEGIN SELECT RAISE(ABORT, 'care_record is append-only: a correction is a new record'); END",
                "CREATE TRIGGER care_record_no_delete BEFORE DELETE ON care_record \
                 BEGIN SELECT RAISE(ABORT, 'care_record is append-only: a correction is a new record'); END",
                "CREATE TRIGGER care_case_step_no_update BEFORE UPDATE ON care_case_step \
                 BEGIN SELECT RAISE(ABORT, 'care_case_step is append-only'); END",
                "CREATE TRIGGER care_case_step_no_delete BEFORE DELETE ON care_case_step \
                 BEGIN SELECT RAISE(ABORT, 'care_case_step is append-only'); END",
            ],
        };
        for g in guards {
            conn.execute_unprepared(g).await?;
        }
        Ok(())
    }

    /// Back to the volunteer-only pairings (the care records go with their tables).
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        conn.execute_unprepared(
            "CREATE TABLE pairing (id uuid NOT NULL PRIMARY KEY, volunteer_id uuid NOT NULL                REFERENCES volunteer (id), family_id uuid NOT NULL REFERENCES family (id),                starts_on date NOT NULL, ends_on date NULL, created_at timestamp with time zone NOT NULL)",
        )
        .await?;
        conn.execute_unprepared(
            "INSERT INTO pairing (id, volunteer_id, family_id, starts_on, ends_on, created_at)              SELECT id, volunteer_id, family_id, starts_on, ended_on, created_at FROM care_pairing              WHERE volunteer_id IS NOT NULL",
        )
        .await?;
        conn.execute_unprepared("CREATE INDEX ix_pairing_volunteer ON pairing (volunteer_id)")
            .await?;
        let tables = [
            "activity_participant",
            "activity",
            "volunteer_team",
            "care_site",
            "emergency_device",
            "counselling_note",
            "counselling_session",
            "care_case_step",
            "care_case",
            "care_record_attachment",
            "care_record",
            "chronic_condition",
            "campaign",
            "care_pairing",
            "attachment",
            "care_service_unit",
            "care_service",
            "care_unit",
        ];
        for t in tables {
            conn.execute_unprepared(&format!("DROP TABLE {t}")).await?;
        }
        for c in ["team_id", "phone_enc", "region_code"] {
            conn.execute_unprepared(&format!("ALTER TABLE volunteer DROP COLUMN {c}"))
                .await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            conn.execute_unprepared("DROP FUNCTION care_append_only()")
                .await?;
        }
        Ok(())
    }
}
