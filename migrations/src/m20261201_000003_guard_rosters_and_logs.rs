//! What the database itself refuses, whoever asks: lines added to a roster once it is
//! submitted; a frozen roster's content changed, its status moved backwards or sideways, or
//! its payment facts rewritten; a reconciliation outcome changed or removed; and `TRUNCATE`
//! of the append-only tables (a row trigger never sees a TRUNCATE on PostgreSQL).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The roster's legal status steps (the domain's lifecycle), as SQL.
const NEXT_STATUS: &str = "(OLD.status = 'draft' AND NEW.status = 'submitted') \
    OR (OLD.status = 'submitted' AND NEW.status = 'approved') \
    OR (OLD.status = 'approved' AND NEW.status = 'paid') \
    OR (OLD.status = 'paid' AND NEW.status = 'reconciled')";

/// A frozen roster's content and, once set, its payment facts.
const FROZEN_CHANGED: &str = "NEW.county_code <> OLD.county_code \
    OR NEW.period_start <> OLD.period_start OR NEW.period_end <> OLD.period_end \
    OR NEW.line_count <> OLD.line_count OR NEW.total_fen <> OLD.total_fen \
    OR NEW.generation <> OLD.generation";

const PAYMENT_CHANGED: &str = "OLD.status IN ('paid', 'reconciled') AND \
    (NEW.bank_batch_ref IS DISTINCT FROM OLD.bank_batch_ref \
     OR NEW.paid_on IS DISTINCT FROM OLD.paid_on OR NEW.paid_at IS DISTINCT FROM OLD.paid_at)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let statements: Vec<String> = match manager.get_database_backend() {
            DbBackend::Postgres => vec![
                "CREATE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION '% is append-only: it is never truncated', TG_TABLE_NAME; END $$"
                    .into(),
                "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()"
                    .into(),
                "CREATE TRIGGER roster_line_no_truncate BEFORE TRUNCATE ON roster_line \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()"
                    .into(),
                "CREATE TRIGGER roster_line_outcome_no_truncate BEFORE TRUNCATE ON roster_line_outcome \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()"
                    .into(),
                "CREATE TRIGGER roster_no_truncate BEFORE TRUNCATE ON roster \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()"
                    .into(),
                "CREATE FUNCTION roster_line_insert_guard() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF (SELECT status FROM roster WHERE id = NEW.roster_id) IS DISTINCT FROM 'draft' THEN \
                     RAISE EXCEPTION 'lines are added to draft rosters only'; END IF; \
                   RETURN NEW; \
                 END $$"
                    .into(),
                "CREATE TRIGGER roster_line_insert_draft_only BEFORE INSERT ON roster_line \
                 FOR EACH ROW EXECUTE FUNCTION roster_line_insert_guard()"
                    .into(),
                "CREATE FUNCTION roster_line_outcome_guard() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'reconciliation outcomes are never changed'; END $$"
                    .into(),
                "CREATE TRIGGER roster_line_outcome_append_only BEFORE UPDATE OR DELETE ON roster_line_outcome \
                 FOR EACH ROW EXECUTE FUNCTION roster_line_outcome_guard()"
                    .into(),
                format!(
                    "CREATE FUNCTION roster_guard() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP = 'DELETE' THEN \
                         IF OLD.status <> 'draft' THEN RAISE EXCEPTION 'a frozen roster is never removed'; END IF; \
                         RETURN OLD; \
                       END IF; \
                       IF NEW.status <> OLD.status AND NOT ({NEXT_STATUS}) THEN \
                         RAISE EXCEPTION 'a roster moves only one step forward'; END IF; \
                       IF OLD.status <> 'draft' AND ({FROZEN_CHANGED}) THEN \
                         RAISE EXCEPTION 'a frozen roster is never changed'; END IF; \
                       IF {PAYMENT_CHANGED} THEN \
                         RAISE EXCEPTION 'a payment, once recorded, is never rewritten'; END IF; \
                       RETURN NEW; \
                     END $$"
                ),
                "CREATE TRIGGER roster_frozen BEFORE UPDATE OR DELETE ON roster \
                 FOR EACH ROW EXECUTE FUNCTION roster_guard()"
                    .into(),
            ],
            _ => vec![
                "CREATE TRIGGER roster_line_insert_draft_only BEFORE INSERT ON roster_line \
                 WHEN (SELECT status FROM roster WHERE id = NEW.roster_id) IS NOT 'draft' \
                 BEGIN SELECT RAISE(ABORT, 'lines are added to draft rosters only'); END"
                    .into(),
                "CREATE TRIGGER roster_line_outcome_no_update BEFORE UPDATE ON roster_line_outcome \
                 BEGIN SELECT RAISE(ABORT, 'reconciliation outcomes are never changed'); END"
                    .into(),
                "CREATE TRIGGER roster_line_outcome_no_delete BEFORE DELETE ON roster_line_outcome \
                 BEGIN SELECT RAISE(ABORT, 'reconciliation outcomes are never changed'); END"
                    .into(),
                format!(
                    "CREATE TRIGGER roster_status_forward BEFORE UPDATE OF status ON roster \
                     WHEN NEW.status <> OLD.status AND NOT ({NEXT_STATUS}) \
                     BEGIN SELECT RAISE(ABORT, 'a roster moves only one step forward'); END"
                ),
                format!(
                    "CREATE TRIGGER roster_frozen_content BEFORE UPDATE ON roster \
                     WHEN OLD.status <> 'draft' AND ({FROZEN_CHANGED}) \
                     BEGIN SELECT RAISE(ABORT, 'a frozen roster is never changed'); END"
                ),
                format!(
                    "CREATE TRIGGER roster_payment_fixed BEFORE UPDATE ON roster \
                     WHEN {} \
                     BEGIN SELECT RAISE(ABORT, 'a payment, once recorded, is never rewritten'); END",
                    PAYMENT_CHANGED.replace("IS DISTINCT FROM", "IS NOT")
                ),
                "CREATE TRIGGER roster_frozen_delete BEFORE DELETE ON roster \
                 WHEN OLD.status <> 'draft' \
                 BEGIN SELECT RAISE(ABORT, 'a frozen roster is never removed'); END"
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
        let statements: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "DROP TRIGGER roster_frozen ON roster",
                "DROP FUNCTION roster_guard()",
                "DROP TRIGGER roster_line_outcome_append_only ON roster_line_outcome",
                "DROP FUNCTION roster_line_outcome_guard()",
                "DROP TRIGGER roster_line_insert_draft_only ON roster_line",
                "DROP FUNCTION roster_line_insert_guard()",
                "DROP TRIGGER roster_no_truncate ON roster",
                "DROP TRIGGER roster_line_outcome_no_truncate ON roster_line_outcome",
                "DROP TRIGGER roster_line_no_truncate ON roster_line",
                "DROP TRIGGER access_log_no_truncate ON access_log",
                "DROP FUNCTION refuse_truncate()",
            ],
            _ => &[
                "DROP TRIGGER roster_frozen_delete",
                "DROP TRIGGER roster_payment_fixed",
                "DROP TRIGGER roster_frozen_content",
                "DROP TRIGGER roster_status_forward",
                "DROP TRIGGER roster_line_outcome_no_delete",
                "DROP TRIGGER roster_line_outcome_no_update",
                "DROP TRIGGER roster_line_insert_draft_only",
            ],
        };
        for s in statements {
            conn.execute_unprepared(s).await?;
        }
        Ok(())
    }
}
