//! What families ask for through the mini-program (家庭诉求): a visit, emergency aid, a
//! change of phone or address; and how a worker answered. A new phone is kept encrypted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum FamilyRequest {
    Table,
    Id,
    FamilyId,
    MemberId,
    Kind,
    Note,
    NewPhoneEnc,
    NewAddress,
    State,
    AnsweredBy,
    AnsweredAt,
    AnswerNote,
    CreatedAt,
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
                    .table(FamilyRequest::Table)
                    .col(uuid(FamilyRequest::Id).primary_key())
                    .col(uuid(FamilyRequest::FamilyId))
                    .col(uuid(FamilyRequest::MemberId))
                    .col(string_len(FamilyRequest::Kind, 16))
                    .col(text_null(FamilyRequest::Note))
                    .col(text_null(FamilyRequest::NewPhoneEnc))
                    .col(text_null(FamilyRequest::NewAddress))
                    .col(string_len(FamilyRequest::State, 16))
                    .col(uuid_null(FamilyRequest::AnsweredBy))
                    .col(timestamp_with_time_zone_null(FamilyRequest::AnsweredAt))
                    .col(text_null(FamilyRequest::AnswerNote))
                    .col(timestamp_with_time_zone(FamilyRequest::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_family_request_family")
                            .from(FamilyRequest::Table, FamilyRequest::FamilyId)
                            .to(Family::Table, Family::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_family_request_member")
                            .from(FamilyRequest::Table, FamilyRequest::MemberId)
                            .to(Member::Table, Member::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_family_request_family")
                    .table(FamilyRequest::Table)
                    .col(FamilyRequest::FamilyId)
                    .col(FamilyRequest::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FamilyRequest::Table).to_owned())
            .await
    }
}
