//! A roster's history (履历) and its way back: the city's approver may send a submitted
//! roster back to the county (退回) as a draft, with a reason. Every generation, submission,
//! return, approval, payment and reconciliation is a row of `roster_event`, which is
//! append-only. The status guard of m20261201_000003 is replaced by one that also allows
//! submitted → draft; every other backward step stays refused by the database itself.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum RosterEvent {
    Table,
    Id,
    RosterId,
    Step,
    Generation,
    ActorId,
    At,
    Reason,
}

#[derive(DeriveIden, Clone, Copy)]
enum Roster {
    Table,
    Id,
}

/// The legal status steps, now with the return (the domain's `RosterStatus::legal_steps`).
const LEGAL_STEPS: &str = "(OLD.status = 'draft' AND NEW.status = 'submitted') \
    OR (OLD.status = 'submitted' AND NEW.status = 'approved') \
    OR (OLD.status = 'submitted' AND NEW.status = 'draft') \
    OR (OLD.status = 'approved' AND NEW.status = 'paid') \
    OR (OLD.status = 'paid' AND NEW.status = 'reconciled')";

/// The forward-only steps of m20261201_000003, restored by `down`.
const FORWARD_STEPS: &str = "(OLD.status = 'draft' AND NEW.status = 'submitted') \
    OR (OLD.status = 'submitted' AND NEW.status = 'approved') \
    OR (OLD.status = 'approved' AND NEW.status = 'paid') \
    OR (OLD.status = 'paid' AND NEW.status = 'reconciled')";

/// m20261201_000003's conditions, unchanged.
const FROZEN_CHANGED: &str = "NEW.county_code <> OLD.county_code \
    OR NEW.period_start <> OLD.period_start OR NEW.period_end <> OLD.period_end \
    OR NEW.line_count <> OLD.line_count OR NEW.total_fen <> OLD.total_fen \
    OR NEW.generation <> OLD.generation";

const PAYMENT_CHANGED: &str = "OLD.status IN ('paid', 'reconciled') AND \
    (NEW.bank_batch_ref IS DISTINCT FROM OLD.bank_batch_ref \
     OR NEW.paid_on IS DISTINCT FROM OLD.paid_on OR NEW.paid_at IS DISTINCT FROM OLD.paid_at)";

fn pg_roster_guard(steps: &str) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION roster_guard() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           IF TG_OP = 'DELETE' THEN \
             IF OLD.status <> 'draft' THEN RAISE EXCEPTION 'a frozen roster is never removed'; END IF; \
             RETURN OLD; \
           END IF; \
           IF NEW.status <> OLD.status AND NOT ({steps}) THEN \
             RAISE EXCEPTION 'a roster moves only one step forward'; END IF; \
           IF OLD.status <> 'draft' AND ({FROZEN_CHANGED}) THEN \
             RAISE EXCEPTION 'a frozen roster is never changed'; END IF; \
           IF {PAYMENT_CHANGED} THEN \
             RAISE EXCEPTION 'a payment, once recorded, is never rewritten'; END IF; \
           RETURN NEW; \
         END $$"
    )
}

fn sqlite_status_trigger(steps: &str) -> String {
    format!(
        "CREATE TRIGGER roster_status_forward BEFORE UPDATE OF status ON roster \
         WHEN NEW.status <> OLD.status AND NOT ({steps}) \
         BEGIN SELECT RAISE(ABORT, 'a roster moves only one step forward'); END"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RosterEvent::Table)
                    .col(uuid(RosterEvent::Id).primary_key())
                    .col(uuid(RosterEvent::RosterId))
                    .col(string_len(RosterEvent::Step, 16))
                    .col(integer(RosterEvent::Generation))
                    .col(uuid(RosterEvent::ActorId))
                    .col(timestamp_with_time_zone(RosterEvent::At))
                    .col(string_len_null(RosterEvent::Reason, 200))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_roster_event_roster")
                            .from(RosterEvent::Table, RosterEvent::RosterId)
                            .to(Roster::Table, Roster::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_roster_event_roster")
                    .table(RosterEvent::Table)
                    .col(RosterEvent::RosterId)
                    .col(RosterEvent::At)
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        let statements: Vec<String> = match manager.get_database_backend() {
            DbBackend::Postgres => vec![
                pg_roster_guard(LEGAL_STEPS),
                "CREATE FUNCTION roster_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'a roster''s history is never rewritten'; END $$"
                    .into(),
                "CREATE TRIGGER roster_event_append_only BEFORE UPDATE OR DELETE ON roster_event \
                 FOR EACH ROW EXECUTE FUNCTION roster_event_guard()"
                    .into(),
                "CREATE TRIGGER roster_event_no_truncate BEFORE TRUNCATE ON roster_event \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()"
                    .into(),
            ],
            _ => vec![
                "DROP TRIGGER roster_status_forward".into(),
                sqlite_status_trigger(LEGAL_STEPS),
                "CREATE TRIGGER roster_event_no_update BEFORE UPDATE ON roster_event \
                 BEGIN SELECT RAISE(ABORT, 'a roster''s history is never rewritten'); END"
                    .into(),
                "CREATE TRIGGER roster_event_no_delete BEFORE DELETE ON roster_event \
                 BEGIN SELECT RAISE(ABORT, 'a roster''s history is never rewritten'); END"
                    .into(),
            ],
        };
        for s in statements {
            conn.execute_unprepared(&s).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let statements: Vec<String> = match manager.get_database_backend() {
            DbBackend::Postgres => vec![
                "DROP TRIGGER roster_event_no_truncate ON roster_event".into(),
                "DROP TRIGGER roster_event_append_only ON roster_event".into(),
                "DROP FUNCTION roster_event_guard()".into(),
                pg_roster_guard(FORWARD_STEPS),
            ],
            _ => vec![
                "DROP TRIGGER roster_event_no_delete".into(),
                "DROP TRIGGER roster_event_no_update".into(),
                "DROP TRIGGER roster_status_forward".into(),
                sqlite_status_trigger(FORWARD_STEPS),
            ],
        };
        for s in statements {
            conn.execute_unprepared(&s).await?;
        }
        manager
            .drop_table(Table::drop().table(RosterEvent::Table).to_owned())
            .await
    }
}
