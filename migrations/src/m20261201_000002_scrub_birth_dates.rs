//! Roster-line explanations written before masks held against the birth month carried the
//! reference person's full birth date ("wife born 1965-08-31 turned 49 in 2014-09"); with
//! it, a masked ID number could be rebuilt. This removes the date from every stored line
//! (the rest of the explanation, and every amount, is unchanged). Lines are otherwise never
//! edited: the guard triggers are lifted for this one statement and put back.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// " born YYYY-MM-DD" is 16 characters.
const SCRUB: &str = "UPDATE roster_line SET explanation = \
    substr(explanation, 1, instr(explanation, ' born ') - 1) || \
    substr(explanation, instr(explanation, ' born ') + 16) \
    WHERE instr(explanation, ' born ') > 0";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared(
                    "ALTER TABLE roster_line DISABLE TRIGGER roster_line_frozen",
                )
                .await?;
                conn.execute_unprepared(&SCRUB.replace(
                    "instr(explanation, ' born ')",
                    "strpos(explanation, ' born ')",
                ))
                .await?;
                conn.execute_unprepared(
                    "ALTER TABLE roster_line ENABLE TRIGGER roster_line_frozen",
                )
                .await?;
            }
            _ => {
                // One call, so one connection and one transaction: a pooled SQLite file
                // must never see the guard gone, nor run the three on different
                // connections.
                conn.execute_unprepared(&format!(
                    "BEGIN IMMEDIATE; DROP TRIGGER roster_line_no_update; {SCRUB}; \
                     CREATE TRIGGER roster_line_no_update BEFORE UPDATE ON roster_line \
                     BEGIN SELECT RAISE(ABORT, 'roster lines are never edited'); END; COMMIT;"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The dates are gone; nothing to put back.
        Ok(())
    }
}
