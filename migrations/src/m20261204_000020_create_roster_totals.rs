//! The roll-up of roster lines (汇总): per roster and kind of allowance, its lines, the
//! families they pay and their amount. Written in the transaction that writes the lines
//! (generation; a regeneration of a draft replaces both), so the monthly report reads a
//! hundred counties' totals from a few hundred rows instead of summing a month's million
//! lines. Filled here from the lines already written.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum RosterTotal {
    Table,
    RosterId,
    CountyCode,
    PeriodStart,
    Kind,
    LineCount,
    FamilyCount,
    TotalFen,
}

#[derive(DeriveIden, Clone, Copy)]
enum Roster {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RosterTotal::Table)
                    .col(uuid(RosterTotal::RosterId))
                    .col(string_len(RosterTotal::CountyCode, 12))
                    .col(integer(RosterTotal::PeriodStart))
                    .col(string_len(RosterTotal::Kind, 32))
                    .col(big_integer(RosterTotal::LineCount))
                    .col(big_integer(RosterTotal::FamilyCount))
                    .col(big_integer(RosterTotal::TotalFen))
                    .primary_key(
                        Index::create()
                            .col(RosterTotal::RosterId)
                            .col(RosterTotal::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_roster_total_roster")
                            .from(RosterTotal::Table, RosterTotal::RosterId)
                            .to(Roster::Table, Roster::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_roster_total_month")
                    .table(RosterTotal::Table)
                    .col(RosterTotal::PeriodStart)
                    .col(RosterTotal::CountyCode)
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO roster_total \
                   (roster_id, county_code, period_start, kind, line_count, family_count, total_fen) \
                 SELECT r.id, r.county_code, r.period_start, l.kind, COUNT(*), \
                        COUNT(DISTINCT l.family_id), SUM(l.amount_fen) \
                   FROM roster_line l JOIN roster r ON r.id = l.roster_id \
                  GROUP BY r.id, r.county_code, r.period_start, l.kind",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RosterTotal::Table).to_owned())
            .await
    }
}
