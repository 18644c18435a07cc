//! The accountability views of a region: overdue pairings, overdue chronic-disease
//! follow-ups, new families still owed their emergency-aid contact, and a campaign's
//! coverage — counted per township with the list behind each count. A fixed number of
//! queries whatever the region's size (one township or a whole county), judged in the
//! domain against the store's clock.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use nuanxin_domain::care::accountability::{self, ContactDuty, Coverage, Judged, RecurringDuty};
use nuanxin_domain::care::schedule::{DutyState, Schedule};
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::{Principal, RegionCode, RegionLevel, time};
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::Store;
use crate::entity::{
    care_case as case, care_pairing as pairing, care_record as rec, chronic_condition as cond,
    family as fam, region,
};
use crate::error::StoreError;
use crate::slice::{self, require};

/// One duty in a list: the pairing, chronic-disease record or family it is about.
#[derive(Debug, Clone)]
pub struct DutyRow {
    pub id: Uuid,
    pub family: Uuid,
    pub township: String,
    pub due_on: NaiveDate,
    pub last_done: Option<NaiveDate>,
    pub state: DutyState,
}

#[derive(Debug, Clone)]
pub struct TownshipCounts {
    pub code: String,
    pub name: String,
    pub overdue_pairings: u64,
    pub overdue_follow_ups: u64,
    pub contacts_overdue: u64,
    /// Due within the next seven days (not yet overdue).
    pub pairings_due_soon: u64,
    pub follow_ups_due_soon: u64,
    pub campaign: Option<Coverage>,
}

#[derive(Debug, Clone)]
pub struct CampaignCoverage {
    pub campaign: Uuid,
    pub name: String,
    pub total: Coverage,
    /// The campaign's families not yet visited for it, by township (per-family completion).
    pub not_visited: Vec<(Uuid, String)>,
}

#[derive(Debug, Clone)]
pub struct Accountability {
    pub region: String,
    pub today: NaiveDate,
    pub contact_days: u32,
    pub townships: Vec<TownshipCounts>,
    pub overdue_pairings: Vec<DutyRow>,
    pub overdue_follow_ups: Vec<DutyRow>,
    pub contacts_overdue: Vec<DutyRow>,
    pub pairings_due_soon: Vec<DutyRow>,
    pub follow_ups_due_soon: Vec<DutyRow>,
    pub campaign: Option<CampaignCoverage>,
}

fn overdue(judged: &[Judged]) -> Vec<DutyRow> {
    in_state(judged, DutyState::Overdue)
}

fn in_state(judged: &[Judged], state: DutyState) -> Vec<DutyRow> {
    let mut rows: Vec<DutyRow> = judged
        .iter()
        .filter(|j| j.state == state)
        .cloned()
        .map(|j| DutyRow {
            id: j.id,
            family: j.family,
            township: j.township,
            due_on: j.due_on,
            last_done: j.last_done,
            state: j.state,
        })
        .collect();
    rows.sort_by_key(|r| (r.due_on, r.id));
    rows
}

impl Store {
    pub async fn accountability(
        &self,
        p: &Principal,
        region: &RegionCode,
        campaign: Option<Uuid>,
    ) -> Result<Accountability, StoreError> {
        require(p, Operation::ReadAccountability)?;
        if !p.covers(Resource::Family, region) {
            return Err(StoreError::NotFound { what: "region" });
        }
        let today = self.today();
        let within = Condition::all()
            .add(slice::families_within(region))
            .add(slice::families(p));
        let families_in = Query::select()
            .column(fam::Column::Id)
            .from(fam::Entity)
            .cond_where(within.clone())
            .to_owned();

        // Townships of the region (the region itself when it is one).
        let townships: Vec<(String, String)> = match region.level() {
            RegionLevel::Township => region::Entity::find_by_id(region.as_str().to_owned())
                .one(&self.db)
                .await?
                .map(|r| vec![(r.code, r.name)])
                .unwrap_or_default(),
            RegionLevel::Village => vec![],
            _ => region::Entity::find()
                .filter(region::Column::Level.eq(RegionLevel::Township.as_str()))
                .filter(region::Column::Code.starts_with(region.prefix()))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|r| (r.code, r.name))
                .collect(),
        };
        // One row per family, pairing and chronic-disease record of the region: only the
        // columns a duty needs (the last visit and follow-up are kept on their rows).
        struct Fam {
            id: Uuid,
            township: String,
            region: String,
            registered_on: NaiveDate,
        }
        let families: Vec<Fam> = fam::Entity::find()
            .select_only()
            .columns([
                fam::Column::Id,
                fam::Column::TownshipCode,
                fam::Column::RegionCode,
                fam::Column::CreatedAt,
            ])
            .filter(within)
            .filter(fam::Column::Status.ne("closed"))
            .into_tuple::<(Uuid, Option<String>, String, chrono::DateTime<chrono::Utc>)>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|(id, township, region, created)| Fam {
                id,
                township: township.unwrap_or_default(),
                region,
                registered_on: time::china_date(created),
            })
            .collect();
        let by_id: HashMap<Uuid, &Fam> = families.iter().map(|f| (f.id, f)).collect();
        type DutyTuple = (Uuid, Uuid, String, NaiveDate, Option<NaiveDate>);
        let duties = |rows: Vec<DutyTuple>, default: Schedule| -> Vec<RecurringDuty> {
            rows.into_iter()
                .filter_map(|(id, family, schedule, started, last_done)| {
                    let f = by_id.get(&family)?;
                    Some(RecurringDuty {
                        id,
                        family,
                        township: f.township.clone(),
                        schedule: Schedule::parse(&schedule).unwrap_or(default),
                        started,
                        last_done,
                    })
                })
                .collect()
        };

        let pairings: Vec<DutyTuple> = pairing::Entity::find()
            .select_only()
            .columns([
                pairing::Column::Id,
                pairing::Column::FamilyId,
                pairing::Column::Schedule,
                pairing::Column::StartsOn,
                pairing::Column::LastVisitOn,
            ])
            .filter(pairing::Column::FamilyId.in_subquery(families_in.clone()))
            .filter(pairing::Column::EndedOn.is_null())
            .into_tuple()
            .all(&self.db)
            .await?;
        let judged_pairings =
            accountability::judge_recurring(duties(pairings, Schedule::Monthly), today);

        // Chronic-disease follow-ups (health data: only for those who read it).
        let judged_follow_ups = if p.allows(Operation::ReadHealth) {
            let conditions: Vec<DutyTuple> = cond::Entity::find()
                .select_only()
                .columns([
                    cond::Column::Id,
                    cond::Column::FamilyId,
                    cond::Column::Schedule,
                    cond::Column::StartedOn,
                    cond::Column::LastFollowUpOn,
                ])
                .filter(cond::Column::FamilyId.in_subquery(families_in.clone()))
                .filter(slice::of_families(
                    p,
                    Resource::HealthRecord,
                    cond::Column::FamilyId,
                ))
                .filter(cond::Column::EndedOn.is_null())
                .into_tuple()
                .all(&self.db)
                .await?;
            accountability::judge_recurring(duties(conditions, Schedule::Quarterly), today)
        } else {
            Vec::new()
        };

        // The emergency-aid contact of every family: a contact record or an aid case.
        let mut contacted: HashMap<Uuid, NaiveDate> = HashMap::new();
        for (f, d) in rec::Entity::find()
            .select_only()
            .column(rec::Column::FamilyId)
            .column_as(
                Expr::expr(Func::min(Expr::col(rec::Column::OccurredOn))),
                "first",
            )
            .filter(rec::Column::FamilyId.in_subquery(families_in.clone()))
            .filter(rec::Column::Kind.eq("emergency_contact"))
            .group_by(rec::Column::FamilyId)
            .into_tuple::<(Uuid, Option<NaiveDate>)>()
            .all(&self.db)
            .await?
            .into_iter()
            .chain(
                case::Entity::find()
                    .select_only()
                    .column(case::Column::FamilyId)
                    .column_as(
                        Expr::expr(Func::min(Expr::col(case::Column::OpenedOn))),
                        "first",
                    )
                    .filter(case::Column::FamilyId.in_subquery(families_in.clone()))
                    .filter(case::Column::Workflow.eq("emergency_aid"))
                    .group_by(case::Column::FamilyId)
                    .into_tuple::<(Uuid, Option<NaiveDate>)>()
                    .all(&self.db)
                    .await?,
            )
        {
            if let Some(d) = d {
                let e = contacted.entry(f).or_insert(d);
                *e = (*e).min(d);
            }
        }
        let contact_duties = families
            .iter()
            .map(|f| ContactDuty {
                family: f.id,
                township: f.township.clone(),
                registered_on: f.registered_on,
                contacted_on: contacted.get(&f.id).copied(),
            })
            .collect();
        let judged_contacts =
            accountability::judge_contacts(contact_duties, self.contact_days, today);

        // A campaign's coverage: families of its region (within this one) visited for it.
        let mut coverage: BTreeMap<String, Coverage> = BTreeMap::new();
        let campaign = match campaign {
            None => None,
            Some(id) => {
                let c = self.campaign_in_rows(p, id).await?;
                let visited: HashSet<Uuid> = rec::Entity::find()
                    .select_only()
                    .column(rec::Column::FamilyId)
                    .distinct()
                    .filter(rec::Column::CampaignId.eq(id))
                    .filter(rec::Column::FamilyId.in_subquery(families_in.clone()))
                    .into_tuple::<Uuid>()
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .collect();
                let mut total = Coverage::default();
                let mut not_visited = Vec::new();
                for f in families.iter().filter(|f| f.region.starts_with(&c.region)) {
                    let t = coverage.entry(f.township.clone()).or_default();
                    t.families += 1;
                    total.families += 1;
                    if visited.contains(&f.id) {
                        t.visited += 1;
                        total.visited += 1;
                    } else {
                        not_visited.push((f.id, f.township.clone()));
                    }
                }
                Some(CampaignCoverage {
                    campaign: c.id,
                    name: c.name,
                    total,
                    not_visited,
                })
            }
        };

        let codes: Vec<&str> = townships.iter().map(|(c, _)| c.as_str()).collect();
        let pairs = accountability::overdue_per_township(codes.iter().copied(), &judged_pairings);
        let follows =
            accountability::overdue_per_township(codes.iter().copied(), &judged_follow_ups);
        let contacts =
            accountability::overdue_per_township(codes.iter().copied(), &judged_contacts);
        let pairs_soon = accountability::per_township(
            codes.iter().copied(),
            &judged_pairings,
            DutyState::DueSoon,
        );
        let follows_soon = accountability::per_township(
            codes.iter().copied(),
            &judged_follow_ups,
            DutyState::DueSoon,
        );
        let townships = townships
            .iter()
            .map(|(code, name)| TownshipCounts {
                code: code.clone(),
                name: name.clone(),
                overdue_pairings: pairs.get(code).copied().unwrap_or(0),
                overdue_follow_ups: follows.get(code).copied().unwrap_or(0),
                contacts_overdue: contacts.get(code).copied().unwrap_or(0),
                pairings_due_soon: pairs_soon.get(code).copied().unwrap_or(0),
                follow_ups_due_soon: follows_soon.get(code).copied().unwrap_or(0),
                campaign: campaign
                    .as_ref()
                    .map(|_| coverage.get(code).copied().unwrap_or_default()),
            })
            .collect();
        Ok(Accountability {
            region: region.as_str().to_owned(),
            today,
            contact_days: self.contact_days,
            townships,
            overdue_pairings: overdue(&judged_pairings),
            overdue_follow_ups: overdue(&judged_follow_ups),
            contacts_overdue: overdue(&judged_contacts),
            pairings_due_soon: in_state(&judged_pairings, DutyState::DueSoon),
            follow_ups_due_soon: in_state(&judged_follow_ups, DutyState::DueSoon),
            campaign,
        })
    }
}

use sea_orm::Condition;
