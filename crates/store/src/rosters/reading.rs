//! Reading rosters: one, a list, its lines with their outcomes, and its totals — each
//! through the caller's roster slice.

use std::collections::HashMap;

use nuanxin_domain::Principal;
use nuanxin_domain::policy::Operation;
use nuanxin_domain::rosters::RosterStatus;
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{ID_CHUNK, RosterFilter, RosterLineRecord, RosterRecord, Total, to_line, to_roster};
use crate::entity::{
    roster, roster_line as line, roster_line_outcome as outcome, roster_total as totals,
};
use crate::error::StoreError;
use crate::records::Page;
use crate::slice::require;
use crate::{Store, slice};

impl Store {
    pub async fn get_roster(&self, p: &Principal, id: Uuid) -> Result<RosterRecord, StoreError> {
        require(p, Operation::ReadRosters)?;
        let row = roster::Entity::find_by_id(id)
            .filter(slice::rosters(p))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "roster" })?;
        to_roster(row)
    }

    pub async fn list_rosters(
        &self,
        p: &Principal,
        filter: &RosterFilter,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<Page<RosterRecord>, StoreError> {
        require(p, Operation::ReadRosters)?;
        let mut q = roster::Entity::find().filter(slice::rosters(p));
        if let Some(c) = &filter.county {
            q = q.filter(roster::Column::CountyCode.eq(c.as_str()));
        }
        if let Some(s) = filter.status {
            q = q.filter(roster::Column::Status.eq(s.as_str()));
        }
        if let Some(m) = filter.month {
            q = q
                .filter(roster::Column::PeriodStart.lte(m.as_number()))
                .filter(roster::Column::PeriodEnd.gte(m.as_number()));
        }
        if let Some(a) = after {
            q = q.filter(roster::Column::Id.lt(a));
        }
        let mut rows = q
            .order_by_desc(roster::Column::Id)
            .limit(first + 1)
            .all(&self.db)
            .await?;
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(first as usize);
        Ok(Page {
            has_next_page,
            items: rows.into_iter().map(to_roster).collect::<Result<_, _>>()?,
        })
    }

    pub async fn roster_lines(
        &self,
        p: &Principal,
        roster_id: Uuid,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<Page<RosterLineRecord>, StoreError> {
        let roster = self.get_roster(p, roster_id).await?;
        let mut q = line::Entity::find().filter(line::Column::RosterId.eq(roster_id));
        if let Some(a) = after {
            q = q.filter(line::Column::Id.gt(a));
        }
        let mut rows = q
            .order_by_asc(line::Column::Id)
            .limit(first + 1)
            .all(&self.db)
            .await?;
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let outcomes = self
            .outcomes_for(&roster, rows.iter().map(|r| r.id))
            .await?;
        Ok(Page {
            has_next_page,
            items: rows
                .into_iter()
                .map(|r| to_line(r, &outcomes))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The outcomes of one roster's lines (see [`Self::outcomes_of_lines`]).
    pub(crate) async fn outcomes_for(
        &self,
        roster: &RosterRecord,
        line_ids: impl Iterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, (String, String)>, StoreError> {
        let rosters = HashMap::from([(roster.id, roster.clone())]);
        self.outcomes_of_lines(&rosters, line_ids.map(|l| (roster.id, l)))
            .await
    }

    /// The outcomes of lines of several rosters at once (lines of rosters not in `rosters`
    /// are left out), reconciled lines without an exception counting as paid.
    pub(crate) async fn outcomes_of_lines(
        &self,
        rosters: &HashMap<Uuid, RosterRecord>,
        lines: impl Iterator<Item = (Uuid, Uuid)>,
    ) -> Result<HashMap<Uuid, (String, String)>, StoreError> {
        let lines: Vec<(Uuid, Uuid)> = lines.filter(|(r, _)| rosters.contains_key(r)).collect();
        let ids: Vec<Uuid> = lines.iter().map(|(_, l)| *l).collect();
        let mut out: HashMap<Uuid, (String, String)> = HashMap::new();
        for chunk in ids.chunks(ID_CHUNK) {
            let rows = outcome::Entity::find()
                .filter(outcome::Column::LineId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?;
            out.extend(rows.into_iter().map(|o| (o.line_id, (o.outcome, o.reason))));
        }
        for (roster, line) in lines {
            if rosters.get(&roster).map(|r| r.status) == Some(RosterStatus::Reconciled) {
                out.entry(line)
                    .or_insert_with(|| ("paid".to_owned(), String::new()));
            }
        }
        Ok(out)
    }

    /// Totals by kind (from the roll-up), or by township (one grouped query).
    pub async fn roster_totals(
        &self,
        p: &Principal,
        roster_id: Uuid,
        by_township: bool,
    ) -> Result<Vec<Total>, StoreError> {
        self.get_roster(p, roster_id).await?;
        if !by_township {
            // By kind: the roll-up kept with the lines (`roster_total`).
            return Ok(totals::Entity::find()
                .filter(totals::Column::RosterId.eq(roster_id))
                .order_by_asc(totals::Column::Kind)
                .all(&self.db)
                .await?
                .into_iter()
                .map(|t| Total {
                    key: Some(t.kind),
                    line_count: t.line_count,
                    total_fen: t.total_fen,
                })
                .collect());
        }
        let key = line::Column::TownshipCode;
        let stmt = Query::select()
            .expr_as(Expr::col(key), Alias::new("k"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .expr_as(
                Expr::cust("CAST(SUM(amount_fen) AS BIGINT)"),
                Alias::new("total"),
            )
            .from(line::Entity)
            .and_where(line::Column::RosterId.eq(roster_id))
            .group_by_col(key)
            .order_by(key, sea_orm::sea_query::Order::Asc)
            .to_owned();
        let rows = self.db.query_all(&stmt).await?;
        rows.into_iter()
            .map(|r| {
                Ok(Total {
                    key: r.try_get("", "k")?,
                    line_count: r.try_get("", "n")?,
                    total_fen: r.try_get("", "total")?,
                })
            })
            .collect()
    }
}
