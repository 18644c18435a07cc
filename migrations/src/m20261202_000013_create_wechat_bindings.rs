//! WeChat sign-in: which WeChat user (openid, per mini-program) speaks for which family
//! member or volunteer (绑定), the one-time binding codes staff issue, the login codes already
//! spent (a code works once), the short tickets an unbound user binds with, and the server's
//! WeChat access token, shared by every gateway replica.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum WechatBinding {
    Table,
    Id,
    AppId,
    Openid,
    Unionid,
    SubjectKind,
    FamilyId,
    MemberId,
    VolunteerId,
    Via,
    BoundAt,
    IssuedBy,
    UnboundAt,
    UnboundBy,
    UnboundReason,
}

#[derive(DeriveIden, Clone, Copy)]
enum BindingCode {
    Table,
    Id,
    CodeHash,
    SubjectKind,
    FamilyId,
    MemberId,
    VolunteerId,
    IssuedBy,
    IssuedAt,
    ExpiresAt,
    UsedAt,
    BindingId,
}

#[derive(DeriveIden, Clone, Copy)]
enum WechatSpentCode {
    Table,
    CodeHash,
    SpentAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WechatTicket {
    Table,
    TicketHash,
    AppId,
    Openid,
    Unionid,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WechatAccessToken {
    Table,
    AppId,
    TokenEnc,
    ExpiresAt,
    RefreshingUntil,
}

#[derive(DeriveIden, Clone, Copy)]
enum Member {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Volunteer {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WechatBinding::Table)
                    .col(uuid(WechatBinding::Id).primary_key())
                    .col(string_len(WechatBinding::AppId, 64))
                    .col(string_len(WechatBinding::Openid, 128))
                    .col(string_len_null(WechatBinding::Unionid, 128))
                    .col(string_len(WechatBinding::SubjectKind, 16))
                    .col(uuid_null(WechatBinding::FamilyId))
                    .col(uuid_null(WechatBinding::MemberId))
                    .col(uuid_null(WechatBinding::VolunteerId))
                    .col(string_len(WechatBinding::Via, 16))
                    .col(timestamp_with_time_zone(WechatBinding::BoundAt))
                    .col(uuid_null(WechatBinding::IssuedBy))
                    .col(timestamp_with_time_zone_null(WechatBinding::UnboundAt))
                    .col(uuid_null(WechatBinding::UnboundBy))
                    .col(text_null(WechatBinding::UnboundReason))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_wechat_binding_member")
                            .from(WechatBinding::Table, WechatBinding::MemberId)
                            .to(Member::Table, Member::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_wechat_binding_volunteer")
                            .from(WechatBinding::Table, WechatBinding::VolunteerId)
                            .to(Volunteer::Table, Volunteer::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One live binding per WeChat user of an app; unbound rows stay as the history.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_wechat_binding_live ON wechat_binding (app_id, openid) \
                 WHERE unbound_at IS NULL",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_wechat_binding_member")
                    .table(WechatBinding::Table)
                    .col(WechatBinding::MemberId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BindingCode::Table)
                    .col(uuid(BindingCode::Id).primary_key())
                    .col(string_len(BindingCode::CodeHash, 64).unique_key())
                    .col(string_len(BindingCode::SubjectKind, 16))
                    .col(uuid_null(BindingCode::FamilyId))
                    .col(uuid_null(BindingCode::MemberId))
                    .col(uuid_null(BindingCode::VolunteerId))
                    .col(uuid(BindingCode::IssuedBy))
                    .col(timestamp_with_time_zone(BindingCode::IssuedAt))
                    .col(timestamp_with_time_zone(BindingCode::ExpiresAt))
                    .col(timestamp_with_time_zone_null(BindingCode::UsedAt))
                    .col(uuid_null(BindingCode::BindingId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_binding_code_member")
                            .from(BindingCode::Table, BindingCode::MemberId)
                            .to(Member::Table, Member::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_binding_code_volunteer")
                            .from(BindingCode::Table, BindingCode::VolunteerId)
                            .to(Volunteer::Table, Volunteer::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WechatSpentCode::Table)
                    .col(string_len(WechatSpentCode::CodeHash, 64).primary_key())
                    .col(timestamp_with_time_zone(WechatSpentCode::SpentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WechatTicket::Table)
                    .col(string_len(WechatTicket::TicketHash, 64).primary_key())
                    .col(string_len(WechatTicket::AppId, 64))
                    .col(string_len(WechatTicket::Openid, 128))
                    .col(string_len_null(WechatTicket::Unionid, 128))
                    .col(timestamp_with_time_zone(WechatTicket::ExpiresAt))
                    .col(timestamp_with_time_zone_null(WechatTicket::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WechatAccessToken::Table)
                    .col(string_len(WechatAccessToken::AppId, 64).primary_key())
                    .col(text_null(WechatAccessToken::TokenEnc))
                    .col(timestamp_with_time_zone_null(WechatAccessToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        WechatAccessToken::RefreshingUntil,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WechatAccessToken::Table.into_iden(),
            WechatTicket::Table.into_iden(),
            WechatSpentCode::Table.into_iden(),
            BindingCode::Table.into_iden(),
            WechatBinding::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
