//! Green-channel cards (绿色通道卡): issued by staff to a member; an active card is what links
//! a member to the partner hospitals (with the family's consent to share with hospitals).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum GreenChannelCard {
    Table,
    Id,
    FamilyId,
    MemberId,
    CardNo,
    IssuedOn,
    RevokedOn,
    IssuedBy,
    CreatedAt,
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
                    .table(GreenChannelCard::Table)
                    .col(pk_uuid(GreenChannelCard::Id))
                    .col(uuid(GreenChannelCard::FamilyId))
                    .col(uuid(GreenChannelCard::MemberId))
                    .col(string_len(GreenChannelCard::CardNo, 32).unique_key())
                    .col(date(GreenChannelCard::IssuedOn))
                    .col(date_null(GreenChannelCard::RevokedOn))
                    .col(uuid(GreenChannelCard::IssuedBy))
                    .col(timestamp_with_time_zone(GreenChannelCard::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_green_card_member")
                            .from(GreenChannelCard::Table, GreenChannelCard::MemberId)
                            .to(Member::Table, Member::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One active card per member.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_green_card_active ON green_channel_card (member_id) \
                 WHERE revoked_on IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(GreenChannelCard::Table).to_owned())
            .await
    }
}
