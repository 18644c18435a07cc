//! A county's month (本月发放情况): for every parent of the county's families, whether the
//! month was paid, returned, failed or is still pending, or why it was not in a roster at
//! all (the entitlement engine's reason); searchable by name, or by ID number through the
//! blind index (logged like any lookup by ID number).

use nuanxin_domain::allowances::{Decision, Rules};
use nuanxin_domain::month::YearMonth;
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::registry::id_number::IdNumber;
use nuanxin_domain::{MemberRole, Principal, RegionCode, RegionLevel};
use nuanxin_locale::msg;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::payments::PaymentRecord;
use crate::Store;
use crate::entity::{family as fam, member as mem, roster_line as line};
use crate::error::StoreError;
use crate::records::{MemberRecord, Page, RequestMeta};
use crate::slice::{self, require};

/// Who to look for in a county's month.
#[derive(Debug, Clone)]
pub enum PaymentSearch {
    /// Part of a name.
    Name(String),
    /// An exact ID number (logged).
    IdNumber(IdNumber),
}

/// One parent's month: the roster lines of the month (often one), and what the engine says
/// the parent is owed (when the caller may see entitlements).
#[derive(Debug, Clone)]
pub struct MonthPaymentRecord {
    pub member: MemberRecord,
    pub lines: Vec<PaymentRecord>,
    pub decision: Option<Decision>,
}

impl Store {
    /// The parents of `county`'s families the caller reaches, a page at a time (by id), with
    /// their lines for `month` and the reason when there is none.
    #[allow(clippy::too_many_arguments)]
    pub async fn county_month_payments(
        &self,
        p: &Principal,
        county: &RegionCode,
        month: YearMonth,
        search: Option<PaymentSearch>,
        first: u64,
        after: Option<Uuid>,
        rules: Rules,
        meta: &RequestMeta,
    ) -> Result<Page<MonthPaymentRecord>, StoreError> {
        require(p, Operation::ReadRosters)?;
        if county.level() != RegionLevel::County {
            return Err(StoreError::bad_input(
                "countyCode",
                msg!("month-payments-county"),
            ));
        }
        // A report or a month list reaches as far as the caller's rosters do.
        let reached = p.covers(Resource::Roster, county);
        if !reached {
            return Err(StoreError::NotFound { what: "region" });
        }
        let families = Query::select()
            .column(fam::Column::Id)
            .from(fam::Entity)
            .and_where(fam::Column::CountyCode.eq(county.as_str()))
            .to_owned();
        let mut q = mem::Entity::find()
            .filter(slice::members(p))
            .filter(mem::Column::FamilyId.in_subquery(families))
            .filter(
                mem::Column::Role.is_in([MemberRole::Father.as_str(), MemberRole::Mother.as_str()]),
            );
        let by_id = match &search {
            Some(PaymentSearch::Name(name)) => {
                q = q.filter(mem::Column::Name.contains(name.trim()));
                false
            }
            Some(PaymentSearch::IdNumber(id)) => {
                require(p, Operation::LookupMemberByIdNumber)?;
                q = q.filter(
                    mem::Column::IdNumberBidx.eq(self.vault.blind_index("idNumber", id.expose())),
                );
                true
            }
            None => false,
        };
        if let Some(after) = after {
            q = q.filter(mem::Column::Id.gt(after));
        }
        let mut rows = q
            .order_by_asc(mem::Column::Id)
            .limit(first + 1)
            .all(&self.db)
            .await?;
        if by_id {
            self.log_reads(
                p,
                rows.iter()
                    .map(|r| Some(r.id))
                    .chain(rows.is_empty().then_some(None)),
                "idNumber",
                "countyPayments",
                "search by ID number",
                meta,
            )
            .await?;
        }
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let lines = line::Entity::find()
            .filter(line::Column::MemberId.is_in(ids.clone()))
            .filter(line::Column::Month.eq(month.as_number()))
            .order_by_asc(line::Column::Attempt)
            .order_by_asc(line::Column::Id)
            .all(&self.db)
            .await?;
        let mut records = self.payment_records(p, lines).await?;
        // Only this county's rosters: a family that moved is paid by each county for its own
        // months.
        records.retain(|r| &r.roster.county == county);
        let decisions = if p.allows(Operation::ReadEntitlementStatus) {
            let keys: Vec<(Uuid, YearMonth)> = ids.iter().map(|m| (*m, month)).collect();
            Some(self.member_entitlements(p, &keys, rules).await?)
        } else {
            None
        };
        let items = rows
            .into_iter()
            .map(|row| {
                let id = row.id;
                Ok(MonthPaymentRecord {
                    lines: records
                        .iter()
                        .filter(|r| r.line.member_id == id)
                        .cloned()
                        .collect(),
                    decision: decisions
                        .as_ref()
                        .and_then(|d| d.get(&(id, month)).cloned()),
                    member: self.member_record(row)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Page {
            items,
            has_next_page,
        })
    }
}
