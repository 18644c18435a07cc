//! WeChat subscription messages to families (订阅消息): each acceptance a family member
//! gave in the mini-program (one lets one message of its kind through), and the outbox and
//! delivery log of the messages themselves (state, tries, the last error).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum NoticeAcceptance {
    Table,
    Id,
    MemberId,
    Kind,
    AcceptedAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notice {
    Table,
    Id,
    FamilyId,
    MemberId,
    Kind,
    AppId,
    Openid,
    Fields,
    Page,
    State,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(NoticeAcceptance::Table)
                    .col(uuid(NoticeAcceptance::Id).primary_key())
                    .col(uuid(NoticeAcceptance::MemberId))
                    .col(string_len(NoticeAcceptance::Kind, 32))
                    .col(timestamp_with_time_zone(NoticeAcceptance::AcceptedAt))
                    .col(timestamp_with_time_zone_null(NoticeAcceptance::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notice_acceptance_member_kind")
                    .table(NoticeAcceptance::Table)
                    .col(NoticeAcceptance::MemberId)
                    .col(NoticeAcceptance::Kind)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notice::Table)
                    .col(uuid(Notice::Id).primary_key())
                    .col(uuid(Notice::FamilyId))
                    .col(uuid(Notice::MemberId))
                    .col(string_len(Notice::Kind, 32))
                    .col(string_len(Notice::AppId, 64))
                    .col(string_len(Notice::Openid, 128))
                    .col(text(Notice::Fields))
                    .col(text(Notice::Page))
                    .col(string_len(Notice::State, 16))
                    .col(integer(Notice::Attempts))
                    .col(timestamp_with_time_zone(Notice::NextAttemptAt))
                    .col(text_null(Notice::LastError))
                    .col(timestamp_with_time_zone(Notice::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notice::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notice_due")
                    .table(Notice::Table)
                    .col(Notice::State)
                    .col(Notice::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notice_family")
                    .table(Notice::Table)
                    .col(Notice::FamilyId)
                    .col(Notice::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Notice::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(NoticeAcceptance::Table).to_owned())
            .await
    }
}
