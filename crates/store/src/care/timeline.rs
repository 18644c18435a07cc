//! A family's timeline: each source read sorted by the same key and cut at the same
//! cursor (one query per source, whatever the page size), merged in the domain. A source
//! the caller may not read is not queried at all.

use chrono::{NaiveDate, TimeZone, Utc};
use nuanxin_domain::Principal;
use nuanxin_domain::care::timeline::{self, TimelineKey};
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::time;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::cases::{CaseRecord, case_record};
use super::counselling::{CounsellingRecord, session_record};
use super::pairings::{PairingRecord, pairing_record};
use super::records::{CareRecordRow, readable_of};
use super::{log_minor_reads, reachable_family};
use crate::Store;
use crate::entity::{
    care_case as case, care_pairing as pairing, care_record as rec, counselling_session as session,
    family_status_history as hist, roster, roster_line as line,
};
use crate::error::StoreError;
use crate::records::RequestMeta;
use crate::slice::{self, require};

/// One item of the timeline.
#[derive(Debug, Clone)]
pub enum TimelineEntry {
    Care(Box<CareRecordRow>),
    Case(CaseRecord),
    Counselling(CounsellingRecord),
    Pairing(PairingRecord),
    StatusChange {
        from: Option<String>,
        to: String,
        reason: String,
    },
    AllowanceLine {
        member: Uuid,
        month: i32,
        kind: String,
        amount_fen: i64,
        line_type: String,
    },
}

#[derive(Debug, Clone)]
pub struct TimelineItem {
    pub key: TimelineKey,
    pub entry: TimelineEntry,
}

/// `day < d OR (day = d AND id < cursor id)`: rows after the cursor, newest first.
fn after_day(
    day: impl ColumnTrait + Copy,
    id: impl ColumnTrait + Copy,
    c: Option<TimelineKey>,
) -> Condition {
    match c {
        None => Condition::all(),
        Some(k) => Condition::any()
            .add(day.lt(k.on))
            .add(Condition::all().add(day.eq(k.on)).add(id.lt(k.id))),
    }
}

fn china_midnight(day: NaiveDate) -> chrono::DateTime<Utc> {
    time::china()
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

fn yyyymm(day: NaiveDate) -> i32 {
    use chrono::Datelike;
    day.year() * 100 + day.month() as i32
}

fn month_start(m: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(m / 100, (m % 100).clamp(1, 12) as u32, 1).unwrap_or(NaiveDate::MIN)
}

impl Store {
    /// A page of a family's timeline after `cursor`, newest first: (items, more follow).
    pub async fn family_timeline(
        &self,
        p: &Principal,
        family: Uuid,
        first: u64,
        cursor: Option<TimelineKey>,
        meta: &RequestMeta,
    ) -> Result<(Vec<TimelineItem>, bool), StoreError> {
        require(p, Operation::ReadCare)?;
        let family_row = reachable_family(&self.db, p, Resource::Family, family).await?;
        let family = family_row.id;
        let in_rows = |r: Resource| slice::family_in_rows(p, r, &family_row);
        let n = first + 1;
        let mut sources: Vec<Vec<TimelineItem>> = Vec::new();

        let rows = rec::Entity::find()
            .filter(readable_of(p, &family_row))
            .filter(after_day(rec::Column::OccurredOn, rec::Column::Id, cursor))
            .order_by_desc(rec::Column::OccurredOn)
            .order_by_desc(rec::Column::Id)
            .limit(n)
            .all(&self.db)
            .await?;
        let records = self.with_attachments(rows).await?;
        log_minor_reads(
            &self.db,
            p,
            records.iter().filter_map(|r| r.member),
            "careRecord",
            meta,
        )
        .await?;
        sources.push(
            records
                .into_iter()
                .map(|r| TimelineItem {
                    key: TimelineKey {
                        on: r.occurred_on,
                        id: r.id,
                    },
                    entry: TimelineEntry::Care(Box::new(r)),
                })
                .collect(),
        );

        if in_rows(Resource::Case) {
            let rows = case::Entity::find()
                .filter(case::Column::FamilyId.eq(family))
                .filter(slice::about_members(p, case::Column::MemberId))
                .filter(after_day(case::Column::OpenedOn, case::Column::Id, cursor))
                .order_by_desc(case::Column::OpenedOn)
                .order_by_desc(case::Column::Id)
                .limit(n)
                .all(&self.db)
                .await?;
            sources.push(
                rows.into_iter()
                    .map(|m| {
                        let key = TimelineKey {
                            on: m.opened_on,
                            id: m.id,
                        };
                        case_record(m).map(|c| TimelineItem {
                            key,
                            entry: TimelineEntry::Case(c),
                        })
                    })
                    .collect::<Result<_, _>>()?,
            );
        }

        if in_rows(Resource::CounsellingSession) {
            let rows = session::Entity::find()
                .filter(session::Column::FamilyId.eq(family))
                .filter(slice::about_members(p, session::Column::MemberId))
                .filter(after_day(
                    session::Column::HeldOn,
                    session::Column::Id,
                    cursor,
                ))
                .order_by_desc(session::Column::HeldOn)
                .order_by_desc(session::Column::Id)
                .limit(n)
                .all(&self.db)
                .await?;
            sources.push(
                rows.into_iter()
                    .map(|m| TimelineItem {
                        key: TimelineKey {
                            on: m.held_on,
                            id: m.id,
                        },
                        entry: TimelineEntry::Counselling(session_record(m)),
                    })
                    .collect(),
            );
        }

        if in_rows(Resource::Pairing) {
            let rows = pairing::Entity::find()
                .filter(pairing::Column::FamilyId.eq(family))
                .filter(after_day(
                    pairing::Column::StartsOn,
                    pairing::Column::Id,
                    cursor,
                ))
                .order_by_desc(pairing::Column::StartsOn)
                .order_by_desc(pairing::Column::Id)
                .limit(n)
                .all(&self.db)
                .await?;
            sources.push(
                rows.into_iter()
                    .map(|m| TimelineItem {
                        key: TimelineKey {
                            on: m.starts_on,
                            id: m.id,
                        },
                        entry: TimelineEntry::Pairing(pairing_record(m)),
                    })
                    .collect(),
            );
        }

        // Status changes: the family's own history (read with the family file).
        let mut q = hist::Entity::find().filter(hist::Column::FamilyId.eq(family));
        if let Some(k) = cursor {
            let start = china_midnight(k.on);
            let next = china_midnight(k.on.succ_opt().unwrap_or(k.on));
            q = q.filter(
                Condition::any().add(hist::Column::At.lt(start)).add(
                    Condition::all()
                        .add(hist::Column::At.lt(next))
                        .add(hist::Column::Id.lt(k.id)),
                ),
            );
        }
        let rows = q
            .order_by_desc(hist::Column::At)
            .order_by_desc(hist::Column::Id)
            .limit(n)
            .all(&self.db)
            .await?;
        sources.push(
            rows.into_iter()
                .map(|h| TimelineItem {
                    key: TimelineKey {
                        on: time::china_date(h.at),
                        id: h.id,
                    },
                    entry: TimelineEntry::StatusChange {
                        from: h.from_status,
                        to: h.to_status,
                        reason: h.reason,
                    },
                })
                .filter(|i| i.key.is_after(cursor))
                .collect(),
        );

        // Allowance lines of rosters past their draft (a draft is regenerated, its lines
        // are not yet anyone's history), for those who read amounts.
        if p.allows(Operation::ReadEntitlementAmounts) {
            let frozen = Query::select()
                .column(roster::Column::Id)
                .from(roster::Entity)
                .and_where(roster::Column::Status.ne("draft"))
                .to_owned();
            let mut q = line::Entity::find()
                .filter(line::Column::FamilyId.eq(family))
                .filter(line::Column::RosterId.in_subquery(frozen))
                .filter(slice::about_members(p, line::Column::MemberId));
            if let Some(k) = cursor.filter(|k| month_start(yyyymm(k.on)) < k.on) {
                // A cursor after the first of its month: that month's lines all follow it.
                q = q.filter(line::Column::Month.lte(yyyymm(k.on)));
            } else if let Some(k) = cursor {
                let m = yyyymm(k.on);
                q = q.filter(
                    Condition::any().add(line::Column::Month.lt(m)).add(
                        Condition::all()
                            .add(line::Column::Month.eq(m))
                            .add(line::Column::Id.lt(k.id)),
                    ),
                );
            }
            let rows = q
                .order_by_desc(line::Column::Month)
                .order_by_desc(line::Column::Id)
                .limit(n)
                .all(&self.db)
                .await?;
            sources.push(
                rows.into_iter()
                    .map(|l| TimelineItem {
                        key: TimelineKey {
                            on: month_start(l.month),
                            id: l.id,
                        },
                        entry: TimelineEntry::AllowanceLine {
                            member: l.member_id,
                            month: l.month,
                            kind: l.kind,
                            amount_fen: l.amount_fen,
                            line_type: l.line_type,
                        },
                    })
                    .filter(|i| i.key.is_after(cursor))
                    .collect(),
            );
        }
        Ok(timeline::merge(sources, first as usize, |i| i.key))
    }
}
