//! At most one unfinished emergency call per family, kept by the database: two presses of
//! the button at the same instant (on two replicas, or the phone and the device) are one call.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A partial unique index: PostgreSQL and SQLite both have them, sea-query's builder
        // does not.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_emergency_call_unfinished ON emergency_call (family_id) \
                 WHERE state <> 'closed'",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_emergency_call_unfinished")
            .await
            .map(|_| ())
    }
}
