//! Payment rosters, their lines, totals and jobs as the API shows them.

use crate::error::locale;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use nuanxin_domain::RegionCode;

use crate::connection::{self, Connection};
use crate::error::IntoGql;
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use crate::loaders::{RegionNames, StaffNames};
use crate::registry::objects::Member;
use nuanxin_domain::allowances::AllowanceKind as DomainKind;
use nuanxin_domain::policy::Operation;
use nuanxin_store::{
    JobRecord, MonthPaymentRecord, PaymentRecord, RosterLineRecord, RosterRecord, Store, Total,
};

use crate::allowances::objects::AllowanceKind;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::rosters::RosterStatus")]
pub enum RosterStatus {
    Draft,
    Submitted,
    Approved,
    Paid,
    Reconciled,
}

/// A step of a roster's history (履历).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::rosters::RosterStep")]
pub enum RosterStep {
    /// Generated (生成), or regenerated while a draft.
    Generated,
    /// Submitted for approval (提交审核).
    Submitted,
    /// Sent back to the county as a draft (退回), with a reason.
    Returned,
    /// Approved (审批).
    Approved,
    /// Marked paid (确认发放).
    Paid,
    /// Reconciled with the bank's answer (对账).
    Reconciled,
}

/// Who did what to a roster, and when.
#[derive(SimpleObject)]
pub struct RosterHistoryEntry {
    pub step: RosterStep,
    /// The roster's generation the step acted on.
    pub generation: i32,
    pub by_id: ID,
    /// The staff member's name, as a person reads it.
    pub by_name: String,
    pub at: DateTime<Utc>,
    /// Why it was sent back (returns only).
    pub reason: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::rosters::LineType")]
pub enum LineType {
    /// Pays a month (the period's, arrears, or again after a returned payment).
    Regular,
    /// Takes back a month paid in error.
    Clawback,
    /// Pays (差额补发) or takes back (差额扣回) the difference for a month already paid when
    /// its standard changed afterwards.
    Adjustment,
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
        self.0.line_type.into()
    }
    /// 1 for a first payment; more when paying again after a returned or failed one.
    async fn attempt(&self) -> i32 {
        self.0.attempt
    }
    async fn township_code(&self) -> Option<String> {
        self.0.township.as_ref().map(|t| t.to_string())
    }
    async fn explanation(&self, ctx: &Context<'_>) -> String {
        self.0.explanation.render(locale(ctx))
    }
    /// Once the roster is reconciled: `paid`, `returned` or `failed`; `null` before.
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.as_ref().map(|(o, _)| o.as_str())
    }
    async fn outcome_reason(&self) -> Option<&str> {
        self.0.outcome.as_ref().map(|(_, r)| r.as_str())
    }
}

/// An account changed after its roster was submitted.
#[derive(SimpleObject)]
pub struct ChangedAccount {
    pub member_id: ID,
    pub changed_at: DateTime<Utc>,
}

/// A re-payment going to the same account the bank returned its month from.
#[derive(SimpleObject)]
pub struct UnchangedReturn {
    pub member_id: ID,
    pub month: String,
    /// The bank's reason for the return (e.g. 账户已销户).
    pub reason: String,
    /// The roster whose payment was returned.
    pub returned_in: ID,
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
    /// Who generated it last (制表人), by name.
    async fn generated_by_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        staff_name(ctx, Some(self.0.generated_by)).await
    }
    /// Who submitted it (提交人), by name.
    async fn submitted_by_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        staff_name(ctx, self.0.submitted_by).await
    }
    /// Who approved it (审批人), by name.
    async fn approved_by_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        staff_name(ctx, self.0.approved_by).await
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
    /// Every generation, submission, return, approval, payment and reconciliation, oldest
    /// first.
    #[graphql(complexity = "5 + 10 * child_complexity")]
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RosterHistoryEntry>> {
        let store = ctx.data::<Store>()?;
        let steps = store
            .roster_history(principal(ctx), self.0.id)
            .await
            .gql()?;
        Ok(steps
            .into_iter()
            .map(|s| RosterHistoryEntry {
                step: s.step.into(),
                generation: s.generation,
                by_id: ID(s.actor_id.to_string()),
                by_name: s.actor_name,
                at: s.at,
                reason: s.reason,
            })
            .collect())
    }
    #[graphql(complexity = "1 + 3 * child_complexity")]
    async fn totals_by_kind(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<KindTotal>> {
        let store = ctx.data::<Store>()?;
        let totals = store
            .roster_totals(principal(ctx), self.0.id, false)
            .await
            .gql()?;
        Ok(totals
            .into_iter()
            .map(|t: Total| KindTotal {
                kind: t.key.as_deref().and_then(DomainKind::parse).map(Into::into),
                line_count: t.line_count,
                total_fen: t.total_fen,
            })
            .collect())
    }
    #[graphql(complexity = "1 + 20 * child_complexity")]
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
    #[graphql(complexity = "5 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn lines(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<RosterLine>> {
        let store = ctx.data::<Store>()?;
        let first_n = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let page = store
            .roster_lines(principal(ctx), self.0.id, first_n, after_id)
            .await
            .gql()?;
        Ok(connection::of_page(
            page,
            after.is_some(),
            |l| l.id,
            RosterLine,
        ))
    }
    /// Members whose account changed after the roster was submitted, not yet confirmed by
    /// the city: the bank file is refused until `confirmRosterAccounts`.
    #[graphql(complexity = "1 + 10 * child_complexity")]
    async fn changed_accounts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ChangedAccount>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .roster_changed_accounts(principal(ctx), self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(|c| ChangedAccount {
                member_id: ids::encode(Kind::Member, c.member_id),
                changed_at: c.changed_at,
            })
            .collect())
    }
    /// The bank files produced for this roster (代发文件), with their control totals (one
    /// transfer per person) and checksum, oldest first.
    #[graphql(complexity = "5 + 10 * child_complexity")]
    async fn bank_files(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BankFile>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .bank_files(principal(ctx), self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(|f| BankFile {
                template: f.template,
                transfer_count: f.transfer_count,
                total_fen: f.total_fen,
                sha256: f.sha256,
                created_at: f.created_at,
            })
            .collect())
    }
    /// Re-payments (重发) whose member's account is still the one the bank returned the
    /// earlier payment from: check them with the family before the roster is paid.
    #[graphql(complexity = "5 + 10 * child_complexity")]
    async fn returned_to_unchanged_accounts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<UnchangedReturn>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .roster_unchanged_returns(principal(ctx), self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(|u| UnchangedReturn {
                member_id: ids::encode(Kind::Member, u.member_id),
                month: u.month.to_string(),
                reason: u.reason,
                returned_in: ids::encode(Kind::Roster, u.returned_in),
            })
            .collect())
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
    /// Why the job failed, in the reader's language.
    async fn error(&self, ctx: &Context<'_>) -> Option<String> {
        self.0.error.as_ref().map(|m| m.render(locale(ctx)))
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

/// A bank file produced for a roster: its layout, control totals and SHA-256.
#[derive(SimpleObject)]
pub struct BankFile {
    pub template: String,
    /// Transfers (one per person).
    pub transfer_count: i32,
    pub total_fen: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// Where one owed month stands with the bank.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum PaymentState {
    /// In a roster not yet paid (草稿 to 已审批).
    Pending,
    /// Sent to the bank (已发放), its answer not yet reconciled.
    Sent,
    /// Paid (发放成功).
    Paid,
    /// Returned by the bank (退回); the next roster pays it again.
    Returned,
    /// The bank could not pay it (发放失败); the next roster pays it again.
    Failed,
}

/// Where a parent's month stands in a county's month list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MonthState {
    /// Paid (发放成功), net of any claw-back.
    Paid,
    /// Returned by the bank (退回) or not paid (发放失败): the next roster pays it again.
    NotPaid,
    /// In a roster, not yet answered by the bank.
    Pending,
    /// Owed, but in no roster of the month yet.
    NotInRoster,
    /// Not owed this month; `reason` says why.
    NotEntitled,
}

/// A parent's month in a county (本月发放情况).
pub struct MonthPayment(pub MonthPaymentRecord);

#[Object]
impl MonthPayment {
    async fn member(&self) -> Member {
        Member(self.0.member.clone())
    }
    /// The month's lines (the latest attempt last).
    async fn lines(&self) -> Vec<PaymentHistoryLine> {
        self.0
            .lines
            .iter()
            .cloned()
            .map(PaymentHistoryLine)
            .collect()
    }
    async fn state(&self) -> MonthState {
        let latest = self
            .0
            .lines
            .iter()
            .filter(|l| l.line.line_type == nuanxin_domain::rosters::LineType::Regular)
            .max_by_key(|l| l.line.attempt);
        match latest {
            Some(l) => match l.line.outcome.as_ref().map(|(o, _)| o.as_str()) {
                Some("paid") => MonthState::Paid,
                Some(_) => MonthState::NotPaid,
                None => MonthState::Pending,
            },
            None => match &self.0.decision {
                Some(nuanxin_domain::allowances::Decision::NotEntitled { .. }) => {
                    MonthState::NotEntitled
                }
                _ => MonthState::NotInRoster,
            },
        }
    }
    /// Paid or to be paid this month, net of claw-backs, in fen.
    async fn amount_fen(&self) -> i64 {
        self.0.lines.iter().map(|l| l.line.amount_fen).sum()
    }
    /// Why not: the bank's reason for a returned or failed payment, or the engine's reason
    /// for a month not owed, or that no roster holds it yet.
    async fn reason(&self, ctx: &Context<'_>) -> Option<String> {
        let l = locale(ctx);
        if let Some((_, r)) = self
            .0
            .lines
            .iter()
            .rev()
            .find_map(|x| x.line.outcome.as_ref().filter(|(o, _)| o != "paid"))
        {
            return Some(r.clone()).filter(|r| !r.is_empty());
        }
        if !self.0.lines.is_empty() {
            return None;
        }
        match &self.0.decision {
            Some(nuanxin_domain::allowances::Decision::NotEntitled { reason }) => {
                Some(reason.render(l))
            }
            Some(_) => Some(nuanxin_locale::msg!("month-payment-not-in-roster").render(l)),
            None => None,
        }
    }
}

/// One month owed to a member, in the roster that holds it (发放记录).
pub struct PaymentHistoryLine(pub PaymentRecord);

#[Object]
impl PaymentHistoryLine {
    async fn month(&self) -> String {
        self.0.line.month.to_string()
    }
    async fn member_id(&self) -> ID {
        ids::encode(Kind::Member, self.0.line.member_id)
    }
    async fn kind(&self) -> AllowanceKind {
        self.0.line.kind.into()
    }
    /// Negative for a claw-back (扣回).
    async fn amount_fen(&self) -> i64 {
        self.0.line.amount_fen
    }
    async fn line_type(&self) -> LineType {
        self.0.line.line_type.into()
    }
    /// 1 for the first payment of the month, 2 and up for a re-payment (重发).
    async fn attempt(&self) -> i32 {
        self.0.line.attempt
    }
    async fn state(&self) -> PaymentState {
        match self.0.line.outcome.as_ref().map(|(o, _)| o.as_str()) {
            Some("returned") => PaymentState::Returned,
            Some("failed") => PaymentState::Failed,
            Some(_) => PaymentState::Paid,
            None if self.0.roster.status == nuanxin_domain::rosters::RosterStatus::Paid => {
                PaymentState::Sent
            }
            None => PaymentState::Pending,
        }
    }
    /// The bank's reason for a returned or failed payment.
    async fn reason(&self) -> Option<&str> {
        self.0
            .line
            .outcome
            .as_ref()
            .map(|(_, r)| r.as_str())
            .filter(|r| !r.is_empty())
    }
    async fn explanation(&self, ctx: &Context<'_>) -> String {
        self.0.line.explanation.render(locale(ctx))
    }
    /// The roster that holds it (staff; a family sees where its line stands, not the
    /// county's roster).
    #[graphql(
        guard = "Allowed(Operation::ReadRosters)",
        visible = "guard::may_read_rosters"
    )]
    async fn roster(&self) -> Roster {
        Roster(self.0.roster.clone())
    }
}

async fn staff_name(
    ctx: &Context<'_>,
    id: Option<uuid::Uuid>,
) -> async_graphql::Result<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    ctx.data::<StaffNames>()?.load_one(id).await.gql()
}
