//! Payment rosters (发放花名册): generation (at once, or as a background job), the
//! lifecycle, lines and totals.

use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;
use nuanxin_domain::policy::Operation;
use nuanxin_domain::{Principal, RegionCode};

use crate::connection::{self, Connection};
use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use nuanxin_domain::allowances::Rules;
use nuanxin_domain::registry::id_number::IdNumber;
use nuanxin_store::{LineOutcome, PaymentSearch, RosterFilter as StoreFilter, Store};

use crate::allowances::inputs::parse_month;
use crate::rosters::inputs::{GenerateRosterInput, LineOutcomeInput, RosterFilter};
use crate::rosters::objects::{Job, MonthPayment, PaymentHistoryLine, Roster};

#[derive(Default)]
pub struct RosterQuery;

#[Object]
impl RosterQuery {
    /// A family's payment history (发放记录): every month its rosters owed a member, paid,
    /// returned, re-paid or clawed back, with the roster and the bank's batch; optionally one
    /// member and one month ("was she paid for March?").
    #[graphql(
        guard = "Allowed(Operation::ReadRosters)",
        visible = "guard::may_read_rosters",
        complexity = "10 + 50 * child_complexity"
    )]
    async fn payment_history(
        &self,
        ctx: &Context<'_>,
        family_id: ID,
        member_id: Option<ID>,
        month: Option<String>,
    ) -> async_graphql::Result<Vec<PaymentHistoryLine>> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &family_id, "familyId").gql()?;
        let member = member_id
            .map(|m| ids::decode(Kind::Member, &m, "memberId"))
            .transpose()
            .gql()?;
        let month = month
            .as_deref()
            .map(|m| parse_month(m, "month"))
            .transpose()
            .gql()?;
        let lines = store
            .payment_history(principal(ctx), family, member, month)
            .await
            .gql()?;
        Ok(lines.into_iter().map(PaymentHistoryLine).collect())
    }

    /// My allowance (我的补助): every month the city approved for my family's members,
    /// newest first: paid, returned by the bank (with its reason), paid again, or on its way.
    #[graphql(
        guard = "Allowed(Operation::ReadOwnPayments)",
        visible = "guard::may_read_own_payments",
        complexity = "10 + 50 * child_complexity"
    )]
    async fn my_payments(
        &self,
        ctx: &Context<'_>,
        month: Option<String>,
    ) -> async_graphql::Result<Vec<PaymentHistoryLine>> {
        let store = ctx.data::<Store>()?;
        let month = month
            .as_deref()
            .map(|m| parse_month(m, "month"))
            .transpose()
            .gql()?;
        let lines = store.own_payments(principal(ctx), month).await.gql()?;
        Ok(lines.into_iter().map(PaymentHistoryLine).collect())
    }

    /// A county's month (本月发放情况): every parent of the county's families, with the
    /// month's roster lines (paid, returned with the bank's reason, failed, pending) or why
    /// there is none; `search` is part of a name, or an ID number (an exact match through
    /// the blind index, logged like `memberByIdNumber`).
    #[graphql(
        guard = "Allowed(Operation::ReadRosters)",
        visible = "guard::may_read_rosters",
        complexity = "10 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity"
    )]
    async fn county_payments(
        &self,
        ctx: &Context<'_>,
        county_code: String,
        month: String,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<MonthPayment>> {
        let store = ctx.data::<Store>()?;
        let rules = *ctx.data::<Rules>()?;
        let county = RegionCode::parse(&county_code)
            .map_err(|e| ApiError::bad_input("countyCode", e))
            .gql()?;
        let month = parse_month(&month, "month").gql()?;
        let search = match search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) if s.len() == 18 && s.chars().take(17).all(|c| c.is_ascii_digit()) => {
                Some(PaymentSearch::IdNumber(
                    IdNumber::parse(s)
                        .map_err(|e| ApiError::bad_input("search", e))
                        .gql()?,
                ))
            }
            Some(s) => Some(PaymentSearch::Name(
                nuanxin_domain::text::required(s, nuanxin_domain::text::limits::SEARCH)
                    .map_err(|e| ApiError::bad_input("search", e))
                    .gql()?,
            )),
        };
        let first_n = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let page = store
            .county_month_payments(
                principal(ctx),
                &county,
                month,
                search,
                first_n,
                after_id,
                rules,
                &guard::request_meta(ctx),
            )
            .await
            .gql()?;
        Ok(connection::of_page(
            page,
            after.is_some(),
            |r| r.member.id(),
            MonthPayment,
        ))
    }

    /// Rosters within the caller's region, newest first.
    #[graphql(
        guard = "Allowed(Operation::ReadRosters)",
        visible = "guard::may_read_rosters",
        complexity = "5 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity"
    )]
    async fn rosters(
        &self,
        ctx: &Context<'_>,
        filter: Option<RosterFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Roster>> {
        let store = ctx.data::<Store>()?;
        let first_n = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let filter = filter.unwrap_or_default();
        let store_filter = StoreFilter {
            county: filter
                .county_code
                .as_deref()
                .map(|c| {
                    RegionCode::parse(c).map_err(|e| ApiError::bad_input("filter.countyCode", e))
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
        Ok(connection::of_page(page, after.is_some(), |r| r.id, Roster))
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
        ctx.data::<crate::jobs::JobRunner>()?
            .spawn(job_id, async move {
                let report = crate::jobs::progress_reporter(store.clone(), job_id);
                let outcome = match store
                    .generate_roster(&p, &county, period, rules, &report)
                    .await
                {
                    Ok(r) => {
                        let n = r.line_count as u64;
                        let _ = store.update_job(job_id, n, n).await;
                        Ok(Some(r.id))
                    }
                    Err(e) => Err(crate::jobs::failure(job_id, e)),
                };
                crate::jobs::finish(&store, job_id, outcome).await;
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

    /// Sends a submitted roster back to its county as a draft (退回), with the reason the
    /// county will read (city admins); the county regenerates and submits it again.
    #[graphql(
        guard = "Allowed(Operation::ApproveRoster)",
        visible = "guard::may_approve_roster"
    )]
    async fn return_roster(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<Roster> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Roster, &id, "id").gql()?;
        Ok(Roster(
            store
                .return_roster(principal(ctx), id, &reason)
                .await
                .gql()?,
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

    /// Confirms the accounts changed after the roster was submitted (city admins): they
    /// become the accounts this roster pays, and the bank file may be produced.
    #[graphql(
        guard = "Allowed(Operation::ConfirmRosterAccounts)",
        visible = "guard::may_confirm_roster_accounts"
    )]
    async fn confirm_roster_accounts(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Roster> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Roster, &id, "id").gql()?;
        store
            .confirm_roster_accounts(principal(ctx), id)
            .await
            .gql()?;
        Ok(Roster(store.get_roster(principal(ctx), id).await.gql()?))
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
