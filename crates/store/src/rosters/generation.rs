//! Roster generation: loads a county's families, timelines and payment history, plans the
//! lines in the domain, and writes them (idempotent while a draft; one winner when
//! generations race).

use chrono::Utc;
use nuanxin_domain::allowances::{AllowanceKind, Rules};
use nuanxin_domain::month::YearMonth;
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::rosters::{
    self as allowance, ExistingLine, LineState, LineType, Period, PlannedLine, RosterStatus,
    RosterStep,
};
use nuanxin_domain::{Principal, RegionCode, RegionLevel, time};
use nuanxin_locale::{Message, msg};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use super::{ID_CHUNK, RosterRecord, conflict, period_label};
use crate::Store;
use crate::allowances::FamilyScope;
use crate::entity::{
    family as fam, family_region_change as moves, roster, roster_line as line,
    roster_line_outcome as outcome, roster_total as totals,
};
use crate::error::StoreError;
use crate::slice::require;

impl Store {
    /// Builds (or rebuilds, while a draft) `county`'s roster for `period`, in one
    /// transaction. `progress(done, total)` is called as lines are written.
    pub async fn generate_roster(
        &self,
        p: &Principal,
        county: &RegionCode,
        period: Period,
        rules: Rules,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<RosterRecord, StoreError> {
        require(p, Operation::GenerateRoster)?;
        if county.level() != RegionLevel::County || !p.covers(Resource::Roster, county) {
            return Err(StoreError::forbidden(msg!(
                "roster-other-county",
                county = county.as_str()
            )));
        }
        if period.end < period.start {
            return Err(StoreError::bad_input("period", msg!("roster-period-order")));
        }
        let this_month = YearMonth::of(time::china_today());
        if period.end > this_month {
            return Err(StoreError::bad_input(
                "period",
                msg!("roster-period-not-begun", month = period.end),
            ));
        }
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let existing = roster::Entity::find()
            .filter(roster::Column::CountyCode.eq(county.as_str()))
            .filter(roster::Column::PeriodStart.eq(period.start.as_number()))
            .filter(roster::Column::PeriodEnd.eq(period.end.as_number()))
            .one(&txn)
            .await?;
        let (roster_id, generation) = match existing {
            Some(r) if r.status != RosterStatus::Draft.as_str() => {
                return Err(conflict(msg!(
                    "roster-frozen",
                    period = period_label(period),
                    status = RosterStatus::parse(&r.status).map_or_else(
                        || Message::new("verbatim").with("text", r.status.as_str()),
                        RosterStatus::word
                    )
                )));
            }
            Some(r) => {
                let claimed = roster::Entity::update_many()
                    .col_expr(roster::Column::Generation, Expr::value(r.generation + 1))
                    .col_expr(roster::Column::GeneratedBy, Expr::value(p.actor_id()))
                    .col_expr(roster::Column::GeneratedAt, Expr::value(now))
                    .filter(roster::Column::Id.eq(r.id))
                    .filter(roster::Column::Status.eq(RosterStatus::Draft.as_str()))
                    .filter(roster::Column::Generation.eq(r.generation))
                    .exec(&txn)
                    .await?;
                if claimed.rows_affected != 1 {
                    return Err(conflict(msg!("roster-busy")));
                }
                totals::Entity::delete_many()
                    .filter(totals::Column::RosterId.eq(r.id))
                    .exec(&txn)
                    .await?;
                line::Entity::delete_many()
                    .filter(line::Column::RosterId.eq(r.id))
                    .exec(&txn)
                    .await?;
                (r.id, r.generation + 1)
            }
            None => {
                let id = Uuid::now_v7();
                roster::Entity::insert(roster::ActiveModel {
                    id: Set(id),
                    county_code: Set(county.as_str().to_owned()),
                    period_start: Set(period.start.as_number()),
                    period_end: Set(period.end.as_number()),
                    status: Set(RosterStatus::Draft.as_str().to_owned()),
                    generation: Set(1),
                    line_count: Set(0),
                    total_fen: Set(0),
                    generated_by: Set(p.actor_id()),
                    generated_at: Set(now),
                    submitted_by: Set(None),
                    submitted_at: Set(None),
                    approved_by: Set(None),
                    approved_at: Set(None),
                    paid_by: Set(None),
                    paid_at: Set(None),
                    bank_batch_ref: Set(None),
                    paid_on: Set(None),
                    reconciled_by: Set(None),
                    reconciled_at: Set(None),
                    created_at: Set(now),
                })
                .exec(&txn)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict { .. } => conflict(msg!("roster-created-meanwhile")),
                    other => other,
                })?;
                (id, 1)
            }
        };

        let window_start = period.start.plus(-(rules.arrears_cap_months as i32));
        let clock = std::time::Instant::now();
        // Families filed in the county now, plus those that have moved away since (usually
        // none): the county may have paid them months it must claw back.
        let moved_away: Vec<Uuid> = txn
            .query_all(&moved_away_from(county))
            .await?
            .iter()
            .map(|row| row.try_get("", "family_id"))
            .collect::<Result<_, _>>()?;
        let here = FamilyScope::County(county);
        let mut timelines = self.load_timelines(&txn, here).await?;
        let mut existing_lines = self
            .existing_lines(&txn, here, window_start, period.end)
            .await?;
        if !moved_away.is_empty() {
            let away = FamilyScope::Ids(&moved_away);
            timelines.extend(self.load_timelines(&txn, away).await?);
            existing_lines.extend(
                self.existing_lines(&txn, away, window_start, period.end)
                    .await?,
            );
        }
        let standards = self.all_standards(&txn).await?;
        let loaded_ms = clock.elapsed().as_millis() as u64;
        let planned = allowance::plan_roster(
            county,
            period,
            &timelines,
            &existing_lines,
            &standards,
            rules,
        );
        let planned_ms = clock.elapsed().as_millis() as u64;
        let total = planned.len() as u64;
        progress(0, total);
        // PostgreSQL: ten arrays through UNNEST, one statement per 20,000 lines (parsed and
        // bound once, whatever the size). SQLite: multi-row inserts within its parameter limit.
        let pg = self.is_postgres();
        let chunk = if pg { 20_000 } else { 2_000 };
        let mut done = 0;
        for part in planned.chunks(chunk) {
            let written = if pg {
                insert_lines_pg(&txn, roster_id, part).await
            } else {
                let rows: Vec<line::ActiveModel> =
                    part.iter().map(|l| line_model(roster_id, l)).collect();
                line::Entity::insert_many(rows).exec(&txn).await.map(|_| ())
            };
            written.map_err(|e| match StoreError::from(e) {
                StoreError::Conflict { .. } => conflict(msg!("roster-line-taken")),
                other => other,
            })?;
            done += part.len() as u64;
            progress(done, total);
        }
        let rolled_up = roll_up(county, period, roster_id, &planned);
        if !rolled_up.is_empty() {
            totals::Entity::insert_many(rolled_up).exec(&txn).await?;
        }
        let sum: i64 = planned.iter().map(|l| l.amount_fen).sum();
        roster::Entity::update_many()
            .col_expr(roster::Column::LineCount, Expr::value(planned.len() as i32))
            .col_expr(roster::Column::TotalFen, Expr::value(sum))
            .filter(roster::Column::Id.eq(roster_id))
            .exec(&txn)
            .await?;
        super::history::record_step(
            &txn,
            roster_id,
            RosterStep::Generated,
            generation,
            p.actor_id(),
            now,
            None,
        )
        .await?;
        txn.commit().await?;
        tracing::info!(
            %county,
            period = %period_label(period),
            lines = planned.len(),
            total_fen = sum,
            loaded_ms,
            planned_ms,
            written_ms = clock.elapsed().as_millis() as u64,
            "roster generated"
        );
        self.get_roster(
            &Principal::system("read back the roster just generated"),
            roster_id,
        )
        .await
    }

    pub(crate) async fn existing_lines(
        &self,
        txn: &DatabaseTransaction,
        scope: FamilyScope<'_>,
        from: YearMonth,
        to: YearMonth,
    ) -> Result<Vec<ExistingLine>, StoreError> {
        let mut out = Vec::new();
        match scope {
            FamilyScope::County(_) => {
                self.existing_lines_of(txn, scope, from, to, &mut out)
                    .await?
            }
            FamilyScope::Ids(ids) => {
                for chunk in ids.chunks(ID_CHUNK) {
                    self.existing_lines_of(txn, FamilyScope::Ids(chunk), from, to, &mut out)
                        .await?;
                }
            }
        }
        Ok(out)
    }

    pub(crate) async fn existing_lines_of(
        &self,
        txn: &DatabaseTransaction,
        scope: FamilyScope<'_>,
        from: YearMonth,
        to: YearMonth,
        out: &mut Vec<ExistingLine>,
    ) -> Result<(), StoreError> {
        let stmt = Query::select()
            .columns([
                (line::Entity, line::Column::MemberId),
                (line::Entity, line::Column::FamilyId),
                (line::Entity, line::Column::Month),
                (line::Entity, line::Column::Kind),
                (line::Entity, line::Column::AmountFen),
                (line::Entity, line::Column::LineType),
                (line::Entity, line::Column::Attempt),
            ])
            .expr_as(
                Expr::col((roster::Entity, roster::Column::Status)),
                Alias::new("roster_status"),
            )
            .expr_as(
                Expr::col((roster::Entity, roster::Column::CountyCode)),
                Alias::new("roster_county"),
            )
            .expr_as(
                Expr::col((outcome::Entity, outcome::Column::Outcome)),
                Alias::new("outcome"),
            )
            .from(line::Entity)
            .join(
                JoinType::InnerJoin,
                roster::Entity,
                Expr::col((roster::Entity, roster::Column::Id))
                    .equals((line::Entity, line::Column::RosterId)),
            )
            .join(
                JoinType::LeftJoin,
                outcome::Entity,
                Expr::col((outcome::Entity, outcome::Column::LineId))
                    .equals((line::Entity, line::Column::Id)),
            )
            .and_where(scope.condition((line::Entity, line::Column::FamilyId), self.is_postgres()))
            .and_where(Expr::col((line::Entity, line::Column::Month)).gte(from.as_number()))
            .and_where(Expr::col((line::Entity, line::Column::Month)).lte(to.as_number()))
            .to_owned();
        let rows = txn.query_all(&stmt).await?;
        for row in rows {
            let status: String = row.try_get("", "roster_status")?;
            let outcome: Option<String> = row.try_get("", "outcome")?;
            let state = match (outcome.as_deref(), status.as_str()) {
                (Some("returned" | "failed"), _) => LineState::Unpaid,
                (_, "paid" | "reconciled") => LineState::Paid,
                _ => LineState::Pending,
            };
            let bad = || StoreError::Internal("damaged roster line".into());
            out.push(ExistingLine {
                member_id: row.try_get("", "member_id")?,
                family_id: row.try_get("", "family_id")?,
                month: YearMonth::from_number(row.try_get("", "month")?).ok_or_else(bad)?,
                kind: AllowanceKind::parse(&row.try_get::<String>("", "kind")?).ok_or_else(bad)?,
                amount_fen: row.try_get("", "amount_fen")?,
                line_type: LineType::parse(&row.try_get::<String>("", "line_type")?)
                    .ok_or_else(bad)?,
                attempt: row.try_get("", "attempt")?,
                state,
                county: RegionCode::parse(&row.try_get::<String>("", "roster_county")?)
                    .map_err(|_| bad())?,
            });
        }
        Ok(())
    }
}

/// Families a county's roster must consider: those filed in it now, and those it paid in
/// the window (they may have moved or died since: claw-backs).
/// Families filed in `county` at some time that have moved to another county since: the
/// county may have paid them months it must now claw back. Moves are rare, and every moved
/// family has its regions in `family_region_change` (registration included), so this reads
/// that small table rather than the county's payment history.
fn moved_away_from(county: &RegionCode) -> SelectStatement {
    Query::select()
        .distinct()
        .column((moves::Entity, moves::Column::FamilyId))
        .from(moves::Entity)
        .join(
            JoinType::InnerJoin,
            fam::Entity,
            Expr::col((fam::Entity, fam::Column::Id))
                .equals((moves::Entity, moves::Column::FamilyId)),
        )
        .and_where(
            Expr::col((moves::Entity, moves::Column::RegionCode))
                .like(format!("{}%", county.as_str())),
        )
        .and_where(Expr::col((fam::Entity, fam::Column::CountyCode)).ne(county.as_str()))
        .to_owned()
}

/// The roster's lines summed by kind (lines, distinct families, amount): the roll-up the
/// monthly report reads, written with the lines.
fn roll_up(
    county: &RegionCode,
    period: Period,
    roster_id: Uuid,
    lines: &[PlannedLine],
) -> Vec<totals::ActiveModel> {
    let mut by_kind: std::collections::BTreeMap<&str, (i64, std::collections::HashSet<Uuid>, i64)> =
        std::collections::BTreeMap::new();
    for l in lines {
        let t = by_kind.entry(l.kind.as_str()).or_default();
        t.0 += 1;
        t.1.insert(l.family_id);
        t.2 += l.amount_fen;
    }
    by_kind
        .into_iter()
        .map(|(kind, (lines, families, fen))| totals::ActiveModel {
            roster_id: Set(roster_id),
            kind: Set(kind.to_owned()),
            county_code: Set(county.as_str().to_owned()),
            period_start: Set(period.start.as_number()),
            line_count: Set(lines),
            family_count: Set(families.len() as i64),
            total_fen: Set(fen),
        })
        .collect()
}

async fn insert_lines_pg(
    txn: &DatabaseTransaction,
    roster_id: Uuid,
    lines: &[PlannedLine],
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::{DbBackend, Statement, Value};
    const SQL: &str = "INSERT INTO roster_line \
        (id, roster_id, member_id, family_id, month, kind, amount_fen, line_type, attempt, township_code, explanation) \
        SELECT u.id, $1, u.member_id, u.family_id, u.month, u.kind, u.amount_fen, u.line_type, u.attempt, \
               NULLIF(u.township, ''), u.explanation \
        FROM UNNEST($2::uuid[], $3::uuid[], $4::uuid[], $5::int4[], $6::text[], $7::int8[], $8::text[], \
                    $9::int4[], $10::text[], $11::text[]) \
          AS u(id, member_id, family_id, month, kind, amount_fen, line_type, attempt, township, explanation)";
    let col = |f: &dyn Fn(&PlannedLine) -> Value| -> Vec<Value> { lines.iter().map(f).collect() };
    let array = |ty: sea_orm::sea_query::ArrayType, values: Vec<Value>| {
        Value::Array(ty, Some(Box::new(values)))
    };
    use sea_orm::sea_query::ArrayType as A;
    let values = vec![
        Value::from(roster_id),
        array(A::Uuid, col(&|_| Value::from(Uuid::now_v7()))),
        array(A::Uuid, col(&|l| Value::from(l.member_id))),
        array(A::Uuid, col(&|l| Value::from(l.family_id))),
        array(A::Int, col(&|l| Value::from(l.month.as_number()))),
        array(A::String, col(&|l| Value::from(l.kind.as_str()))),
        array(A::BigInt, col(&|l| Value::from(l.amount_fen))),
        array(A::String, col(&|l| Value::from(l.line_type.as_str()))),
        array(A::Int, col(&|l| Value::from(l.attempt))),
        array(
            A::String,
            col(&|l| {
                Value::from(
                    l.township
                        .as_ref()
                        .map_or_else(String::new, |t| t.as_str().to_owned()),
                )
            }),
        ),
        array(A::String, col(&|l| Value::from(l.explanation.to_stored()))),
    ];
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        SQL,
        values,
    ))
    .await?;
    Ok(())
}

fn line_model(roster_id: Uuid, l: &PlannedLine) -> line::ActiveModel {
    line::ActiveModel {
        id: Set(Uuid::now_v7()),
        roster_id: Set(roster_id),
        member_id: Set(l.member_id),
        family_id: Set(l.family_id),
        month: Set(l.month.as_number()),
        kind: Set(l.kind.as_str().to_owned()),
        amount_fen: Set(l.amount_fen),
        line_type: Set(l.line_type.as_str().to_owned()),
        attempt: Set(l.attempt),
        township_code: Set(l.township.as_ref().map(|t| t.as_str().to_owned())),
        explanation: Set(l.explanation.to_stored()),
    }
}

impl Store {
    /// Counties that have families filed now (batch generation).
    pub async fn counties_with_families(&self) -> Result<Vec<RegionCode>, StoreError> {
        let codes: Vec<String> = fam::Entity::find()
            .select_only()
            .column(fam::Column::CountyCode)
            .distinct()
            .order_by_asc(fam::Column::CountyCode)
            .into_tuple()
            .all(&self.db)
            .await?;
        codes
            .iter()
            .map(|c| RegionCode::parse(c).map_err(|e| StoreError::Internal(e.to_string())))
            .collect()
    }
}
