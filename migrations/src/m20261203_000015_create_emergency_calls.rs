//! Emergency calls (紧急呼叫) and every step of each (raised, delivered, acknowledged,
//! escalated, closed; who and when); and a credential for each emergency-call device, kept
//! as its hash, with which the device raises a call on its own.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum EmergencyCall {
    Table,
    Id,
    FamilyId,
    MemberId,
    DeviceId,
    RaisedByName,
    Level,
    State,
    RaisedAt,
    LevelSince,
    AcknowledgedBy,
    AcknowledgedByName,
    AcknowledgedAt,
    ClosedBy,
    ClosedByName,
    ClosedAt,
    CloseNote,
}

#[derive(DeriveIden, Clone, Copy)]
enum EmergencyCallStep {
    Table,
    Id,
    CallId,
    Step,
    Level,
    ActorId,
    ActorName,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum EmergencyDevice {
    Table,
    CredentialHash,
}

#[derive(DeriveIden, Clone, Copy)]
enum Family {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmergencyCall::Table)
                    .col(uuid(EmergencyCall::Id).primary_key())
                    .col(uuid(EmergencyCall::FamilyId))
                    .col(uuid_null(EmergencyCall::MemberId))
                    .col(uuid_null(EmergencyCall::DeviceId))
                    .col(text(EmergencyCall::RaisedByName))
                    .col(string_len(EmergencyCall::Level, 16))
                    .col(string_len(EmergencyCall::State, 16))
                    .col(timestamp_with_time_zone(EmergencyCall::RaisedAt))
                    .col(timestamp_with_time_zone(EmergencyCall::LevelSince))
                    .col(uuid_null(EmergencyCall::AcknowledgedBy))
                    .col(text_null(EmergencyCall::AcknowledgedByName))
                    .col(timestamp_with_time_zone_null(EmergencyCall::AcknowledgedAt))
                    .col(uuid_null(EmergencyCall::ClosedBy))
                    .col(text_null(EmergencyCall::ClosedByName))
                    .col(timestamp_with_time_zone_null(EmergencyCall::ClosedAt))
                    .col(text_null(EmergencyCall::CloseNote))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_emergency_call_family")
                            .from(EmergencyCall::Table, EmergencyCall::FamilyId)
                            .to(Family::Table, Family::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The escalation job looks for open calls by how long they have waited.
        manager
            .create_index(
                Index::create()
                    .name("ix_emergency_call_open")
                    .table(EmergencyCall::Table)
                    .col(EmergencyCall::State)
                    .col(EmergencyCall::LevelSince)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_emergency_call_family")
                    .table(EmergencyCall::Table)
                    .col(EmergencyCall::FamilyId)
                    .col(EmergencyCall::RaisedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmergencyCallStep::Table)
                    .col(uuid(EmergencyCallStep::Id).primary_key())
                    .col(uuid(EmergencyCallStep::CallId))
                    .col(string_len(EmergencyCallStep::Step, 16))
                    .col(string_len(EmergencyCallStep::Level, 16))
                    .col(uuid_null(EmergencyCallStep::ActorId))
                    .col(text(EmergencyCallStep::ActorName))
                    .col(timestamp_with_time_zone(EmergencyCallStep::At))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_emergency_call_step_call")
                            .from(EmergencyCallStep::Table, EmergencyCallStep::CallId)
                            .to(EmergencyCall::Table, EmergencyCall::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_emergency_call_step_call")
                    .table(EmergencyCallStep::Table)
                    .col(EmergencyCallStep::CallId)
                    .col(EmergencyCallStep::At)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(EmergencyDevice::Table)
                    .add_column(text_null(EmergencyDevice::CredentialHash))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EmergencyDevice::Table)
                    .drop_column(EmergencyDevice::CredentialHash)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(EmergencyCallStep::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(EmergencyCall::Table).to_owned())
            .await
    }
}
