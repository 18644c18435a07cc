//! Payment rosters (发放花名册): generation (at once, or as a background job), the
//! lifecycle, lines and totals.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use nuanxin_domain::allowances::Rules;
use nuanxin_domain::rosters::{self as domain, Period, RosterStatus as DomainStatus};
use nuanxin_domain::policy::Operation;
use nuanxin_domain::{Principal, RegionCode};
use nuanxin_store::{
    JobRecord, LineOutcome, RosterFilter as StoreFilter, RosterLineRecord, RosterRecord, Store,
    Total,
};

use crate::areas::allowances::{AllowanceKind, parse_month};
use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use crate::loaders::RegionNames;
use crate::types::{PageInfo, page_info};

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RosterStatus {
    Draft,
    Submitted,
    Approved,
    Paid,
    Reconciled,
}

impl From<DomainStatus> for RosterStatus {
    fn from(s: DomainStatus) -> Self {
        match s {
            DomainStatus::Draft => Self::Draft,
            DomainStatus::Submitted => Self::Submitted,
            DomainStatus::Approved => Self::Approved,
            DomainStatus::Paid => Self::Paid,
            DomainStatus::Reconciled => Self::Reconciled,
        }
    }
}

impl From<RosterStatus> for DomainStatus {
    fn from(s: RosterStatus) -> Self {
        match s {
            RosterStatus::Draft => Self::Draft,
            RosterStatus::Submitted => Self::Submitted,
            RosterStatus::Approved => Self::Approved,
            RosterStatus::Paid => Self::Paid,
            RosterStatus::Reconciled => Self::Reconciled,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum LineType {
    /// Pays a month (the period's, arrears, or again after a returned payment).
    Regular,
    /// Takes back a month paid in error.
    Clawback,
}

#[derive(SimpleObject)]
pub struct KindTotal {
    pub kind: Option<AllowanceKind>,
    pub line_count: i64,
    pub total_fen: i64,
}

#[derive(SimpleObject)]
pub struct TownshipTotal {
    pub township_code: Option<String>,
    pub township_name: Option<String>,
    pub line_count: i64,
    pub total_fen: i64,
}

/// One payment (or claw-back) of one person for one month.
pub struct RosterLine(pub RosterLineRecord);

#[Object]
impl RosterLine {
    async fn id(&self) -> ID {
        ids::encode(Kind::RosterLine, self.0.id)
    }
    async fn member_id(&self) -> ID {
        ids::encode(Kind::Member, self.0.member_id)
    }
    async fn family_id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family_id)
    }
    /// `YYYY-MM`: the month paid (earlier than the period for arrears).
    async fn month(&self) -> String {
        self.0.month.to_string()
    }
    async fn kind(&self) -> AllowanceKind {
        self.0.kind.into()
    }
    /// In fen; negative for a claw-back.
    async fn amount_fen(&self) -> i64 {
        self.0.amount_fen
    }
    async fn line_type(&self) -> LineType {
        match self.0.line_type {
            domain::LineType::Regular => LineType::Regular,
            domain::LineType::Clawback => LineType::Clawback,
        }
    }
    /// 1 for a first payment; more when paying again after a returned or failed one.
    async fn attempt(&self) -> i32 {
        self.0.attempt
    }
    async fn township_code(&self) -> Option<String> {
        self.0.township.as_ref().map(|t| t.to_string())
    }
    async fn explanation(&self) -> &str {
        &self.0.explanation
    }
    /// Once the roster is reconciled: `paid`, `returned` or `failed`; `null` before.
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.as_ref().map(|(o, _)| o.as_str())
    }
    async fn outcome_reason(&self) -> Option<&str> {
        self.0.outcome.as_ref().map(|(_, r)| r.as_str())
    }
}

#[derive(SimpleObject)]
pub struct RosterLineEdge {
    pub cursor: String,
    pub node: RosterLine,
}

#[derive(SimpleObject)]
pub struct RosterLineConnection {
    pub edges: Vec<RosterLineEdge>,
    pub page_info: PageInfo,
}

/// A county's payment roster for a period.
pub struct Roster(pub RosterRecord);

#[Object]
impl Roster {
    async fn id(&self) -> ID {
        ids::encode(Kind::Roster, self.0.id)
    }
    async fn county_code(&self) -> &str {
        self.0.county.as_str()
    }
    async fn county_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        ctx.data::<RegionNames>()?
            .load_one(self.0.county.clone())
            .await
            .gql()
    }
    /// `YYYY-MM`.
    async fn period_start(&self) -> String {
        self.0.period.start.to_string()
    }
    async fn period_end(&self) -> String {
        self.0.period.end.to_string()
    }
    async fn status(&self) -> RosterStatus {
        self.0.status.into()
    }
    /// How many times the draft was generated.
    async fn generation(&self) -> i32 {
        self.0.generation
    }
    async fn line_count(&self) -> i32 {
        self.0.line_count
    }
    /// In fen (claw-backs subtracted).
    async fn total_fen(&self) -> i64 {
        self.0.total_fen
    }
    async fn generated_at(&self) -> DateTime<Utc> {
        self.0.generated_at
    }
    async fn submitted_by(&self) -> Option<ID> {
        self.0.submitted_by.map(|u| ID(u.to_string()))
    }
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    async fn approved_by(&self) -> Option<ID> {
        self.0.approved_by.map(|u| ID(u.to_string()))
    }
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    async fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.0.paid_at
    }
    async fn bank_batch_ref(&self) -> Option<&str> {
        self.0.bank_batch_ref.as_deref()
    }
    async fn paid_on(&self) -> Option<NaiveDate> {
        self.0.paid_on
    }
    async fn reconciled_at(&self) -> Option<DateTime<Utc>> {
        self.0.reconciled_at
    }
    async fn totals_by_kind(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<KindTotal>> {
        let store = ctx.data::<Store>()?;
        let totals = store
            .roster_totals(principal(ctx), self.0.id, false)
            .await
            .gql()?;
        Ok(totals
            .into_iter()
            .map(|t: Total| KindTotal {
                kind: t
                    .key
                    .as_deref()
                    .and_then(domain::AllowanceKind::parse)
                    .map(Into::into),
                line_count: t.line_count,
                total_fen: t.total_fen,
            })
            .collect())
    }
    async fn totals_by_township(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<TownshipTotal>> {
        let store = ctx.data::<Store>()?;
        let totals = store
            .roster_totals(principal(ctx), self.0.id, true)
            .await
            .gql()?;
        let codes: Vec<RegionCode> = totals
            .iter()
            .filter_map(|t| t.key.as_deref().and_then(|k| RegionCode::parse(k).ok()))
            .collect();
        let names = ctx.data::<RegionNames>()?.load_many(codes).await.gql()?;
        Ok(totals
            .into_iter()
            .map(|t| TownshipTotal {
                township_name: t
                    .key
                    .as_deref()
                    .and_then(|k| RegionCode::parse(k).ok())
                    .and_then(|c| names.get(&c).cloned()),
                township_code: t.key,
                line_count: t.line_count,
                total_fen: t.total_fen,
            })
            .collect())
    }
    async fn lines(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<RosterLineConnection> {
        let store = ctx.data::<Store>()?;
        let first_n = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let page = store
            .roster_lines(principal(ctx), self.0.id, first_n, after_id)
            .await
            .gql()?;
        let edges: Vec<RosterLineEdge> = page
            .items
            .into_iter()
            .map(|l| RosterLineEdge {
                cursor: ids::cursor(l.id),
                node: RosterLine(l),
            })
            .collect();
        Ok(RosterLineConnection {
            page_info: page_info(&edges, |e| &e.cursor, page.has_next_page, after.is_some()),
            edges,
        })
    }
    /// Authenticated download paths (send the same Authorization header).
    async fn export_paths(&self) -> Vec<String> {
        let id = ids::encode(Kind::Roster, self.0.id).0;
        vec![
            format!("/exports/rosters/{id}.xlsx"),
            format!("/exports/rosters/{id}.csv"),
        ]
    }
}

#[derive(SimpleObject)]
pub struct RosterEdge {
    pub cursor: String,
    pub node: Roster,
}

#[derive(SimpleObject)]
pub struct RosterConnection {
    pub edges: Vec<RosterEdge>,
    pub page_info: PageInfo,
}

/// A background generation.
pub struct Job(pub JobRecord);

#[Object]
impl Job {
    async fn id(&self) -> ID {
        ids::encode(Kind::Job, self.0.id)
    }
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// `running`, `succeeded` or `failed`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn done(&self) -> i64 {
        self.0.done
    }
    async fn total(&self) -> i64 {
        self.0.total
    }
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    async fn roster_id(&self) -> Option<ID> {
        self.0.roster_id.map(|r| ids::encode(Kind::Roster, r))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

#[derive(InputObject, Default)]
pub struct RosterFilter {
    pub county_code: Option<String>,
    pub status: Option<RosterStatus>,
    /// Rosters whose period includes this month (`YYYY-MM`).
    pub month: Option<String>,
}

#[derive(InputObject)]
pub struct GenerateRosterInput {
    pub county_code: String,
    /// The first month of the period, `YYYY-MM`.
    pub period_start: String,
    /// 1 (monthly, the default), 3 (a quarter starting Jan/Apr/Jul/Oct) or 12 (a year from January).
    #[graphql(default = 1)]
    pub months: i32,
}

impl GenerateRosterInput {
    fn parse(&self) -> Result<(RegionCode, Period), ApiError> {
        let county = RegionCode::parse(&self.county_code)
            .map_err(|e| ApiError::bad_input("countyCode", e.to_string()))?;
        let start = parse_month(&self.period_start, "periodStart")?;
        let ok = match self.months {
            1 => true,
            3 => start.month() % 3 == 1,
            12 => start.month() == 1,
            _ => false,
        };
        if !ok {
            return Err(ApiError::bad_input(
                "months",
                "a period is one month, a quarter starting in Jan/Apr/Jul/Oct (3) or a calendar year (12)",
            ));
        }
        Ok((
            county,
            Period {
                start,
                end: start.plus(self.months - 1),
            },
        ))
    }
}

#[derive(InputObject)]
pub struct LineOutcomeInput {
    pub line_id: ID,
    /// `returned` or `failed`.
    pub outcome: String,
    pub reason: String,
}

#[derive(Default)]
pub struct RosterQuery;

#[Object]
impl RosterQuery {
    /// Rosters within the caller's region, newest first.
    #[graphql(
        guard = "Allowed(Operation::ReadRosters)",
        visible = "guard::may_read_rosters"
    )]
    async fn rosters(
        &self,
        ctx: &Context<'_>,
        filter: Option<RosterFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<RosterConnection> {
        let store = ctx.data::<Store>()?;
        let first_n = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let filter = filter.unwrap_or_default();
        let store_filter = StoreFilter {
            county: filter
                .county_code
                .as_deref()
                .map(|c| {
                    RegionCode::parse(c)
                        .map_err(|e| ApiError::bad_input("filter.countyCode", e.to_string()))
                })
                .transpose()
                .gql()?,
            status: filter.status.map(Into::into),
            month: filter
                .month
                .as_deref()
                .map(|m| parse_month(m, "filter.month"))
                .transpose()
                .gql()?,
        };
        let page = store
            .list_rosters(principal(ctx), &store_filter, first_n, after_id)
            .await
            .gql()?;
        let edges: Vec<RosterEdge> = page
            .items
            .into_iter()
            .map(|r| RosterEdge {
                cursor: ids::cursor(r.id),
                node: Roster(r),
            })
            .collect();
        Ok(RosterConnection {
            page_info: page_info(&edges, |e| &e.cursor, page.has_next_page, after.is_some()),
            edges,
        })
    }

    #[graphql(
        guard = "Allowed(Operation::ReadRosters)",
        visible = "guard::may_read_rosters"
    )]
    async fn roster(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Roster> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Roster, &id, "id").gql()?;
        Ok(Roster(store.get_roster(principal(ctx), id).await.gql()?))
    }

    /// A background generation started by the caller.
    #[graphql(
        guard = "Allowed(Operation::GenerateRoster)",
        visible = "guard::may_generate_roster"
    )]
    async fn roster_job(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Job> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Job, &id, "id").gql()?;
        Ok(Job(store.get_job(principal(ctx), id).await.gql()?))
    }
}

#[derive(Default)]
pub struct RosterMutation;

#[Object]
impl RosterMutation {
    /// Generates (or regenerates, while a draft) a county's roster for a period and waits for
    /// it. Concurrent generations of one roster: one wins, the others get CONFLICT.
    #[graphql(
        guard = "Allowed(Operation::GenerateRoster)",
        visible = "guard::may_generate_roster"
    )]
    async fn generate_roster(
        &self,
        ctx: &Context<'_>,
        input: GenerateRosterInput,
    ) -> async_graphql::Result<Roster> {
        let store = ctx.data::<Store>()?;
        let rules = ctx.data::<Rules>()?;
        let (county, period) = input.parse().gql()?;
        Ok(Roster(
            store
                .generate_roster(principal(ctx), &county, period, *rules, &|_, _| {})
                .await
                .gql()?,
        ))
    }

    /// Starts a generation in the background and returns its job; poll `rosterJob`.
    #[graphql(
        guard = "Allowed(Operation::GenerateRoster)",
        visible = "guard::may_generate_roster"
    )]
    async fn start_roster_generation(
        &self,
        ctx: &Context<'_>,
        input: GenerateRosterInput,
    ) -> async_graphql::Result<Job> {
        let store = ctx.data::<Store>()?.clone();
        let rules = *ctx.data::<Rules>()?;
        let (county, period) = input.parse().gql()?;
        let p: Principal = principal(ctx).clone();
        let job_id = store.create_job(&p, "roster_generation").await.gql()?;
        let job = store.get_job(&p, job_id).await.gql()?;
        tokio::spawn(async move {
            let progress_store = store.clone();
            let report = move |done: u64, total: u64| {
                let s = progress_store.clone();
                tokio::spawn(async move {
                    let _ = s.update_job(job_id, done, total).await;
                });
            };
            let result = store
                .generate_roster(&p, &county, period, rules, &report)
                .await;
            let outcome = match result {
                Ok(r) => {
                    let n = r.line_count as u64;
                    let _ = store.update_job(job_id, n, n).await;
                    Ok(r.id)
                }
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = store.finish_job(job_id, outcome).await {
                tracing::error!(%e, "could not record the end of a roster job");
            }
        });
        Ok(Job(job))
    }

    /// Freezes a draft and sends it to the city (county admins).
    #[graphql(
        guard = "Allowed(Operation::SubmitRoster)",
        visible = "guard::may_submit_roster"
    )]
    async fn submit_roster(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Roster> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Roster, &id, "id").gql()?;
        Ok(Roster(store.submit_roster(principal(ctx), id).await.gql()?))
    }

    /// Approves a submitted roster (city admins; never the submitter).
    #[graphql(
        guard = "Allowed(Operation::ApproveRoster)",
        visible = "guard::may_approve_roster"
    )]
    async fn approve_roster(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Roster> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Roster, &id, "id").gql()?;
        Ok(Roster(
            store.approve_roster(principal(ctx), id).await.gql()?,
        ))
    }

    /// Records the bank's batch reference and payment date.
    #[graphql(
        guard = "Allowed(Operation::MarkRosterPaid)",
        visible = "guard::may_mark_roster_paid"
    )]
    async fn mark_roster_paid(
        &self,
        ctx: &Context<'_>,
        id: ID,
        bank_batch_ref: String,
        paid_on: NaiveDate,
    ) -> async_graphql::Result<Roster> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Roster, &id, "id").gql()?;
        Ok(Roster(
            store
                .mark_roster_paid(principal(ctx), id, &bank_batch_ref, paid_on)
                .await
                .gql()?,
        ))
    }

    /// Records the lines the bank returned or could not pay (the next roster pays them
    /// again); every other line counts as paid.
    #[graphql(
        guard = "Allowed(Operation::ReconcileRoster)",
        visible = "guard::may_reconcile_roster"
    )]
    async fn reconcile_roster(
        &self,
        ctx: &Context<'_>,
        id: ID,
        exceptions: Vec<LineOutcomeInput>,
    ) -> async_graphql::Result<Roster> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Roster, &id, "id").gql()?;
        let mut parsed = Vec::with_capacity(exceptions.len());
        for (i, e) in exceptions.into_iter().enumerate() {
            parsed.push(LineOutcome {
                line_id: ids::decode(
                    Kind::RosterLine,
                    &e.line_id,
                    &format!("exceptions[{i}].lineId"),
                )
                .gql()?,
                outcome: e.outcome,
                reason: e.reason,
            });
        }
        Ok(Roster(
            store
                .reconcile_roster(principal(ctx), id, &parsed)
                .await
                .gql()?,
        ))
    }
}

/// Parses a roster's API id (for the HTTP export route).
pub fn decode_roster_id(id: &str) -> Result<uuid::Uuid, ApiError> {
    ids::decode(Kind::Roster, &ID(id.to_owned()), "id")
}
