//! Care records (帮扶记录): append-only (the database refuses edits); a correction is a new
//! record pointing at the one it corrects. Health kinds fall under the health rule.

use chrono::{NaiveDate, Utc};
use nuanxin_domain::Principal;
use nuanxin_domain::care::records::{Details, PerformerKind, RecordKind, ValidRecord};
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_locale::{Message, msg};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionTrait,
};
use uuid::Uuid;

use super::{log_minor_reads, member_of, performer, reachable_family};
use crate::Store;
use crate::entity::{
    attachment as att, campaign, care_pairing as pairing, care_record as rec,
    care_record_attachment as rec_att, care_service as svc, chronic_condition as cond,
};
use crate::error::StoreError;
use crate::records::{Page, RequestMeta};
use crate::slice::{self, require};

/// A record to write, already checked in the domain.
#[derive(Debug, Clone)]
pub struct NewCareRecord {
    pub family: Uuid,
    pub member: Option<Uuid>,
    pub service_code: Option<String>,
    pub record: ValidRecord,
    pub pairing: Option<Uuid>,
    pub campaign: Option<Uuid>,
    pub condition: Option<Uuid>,
    pub corrects: Option<Uuid>,
    pub attachments: Vec<Uuid>,
}

#[derive(Debug, Clone)]
pub struct CareRecordRow {
    pub id: Uuid,
    pub family: Uuid,
    pub member: Option<Uuid>,
    pub kind: RecordKind,
    pub service_code: String,
    pub occurred_on: NaiveDate,
    pub performer_kind: PerformerKind,
    pub performer_name: String,
    pub content: String,
    pub outcome: Option<String>,
    pub money_fen: i64,
    pub goods_fen: i64,
    pub details: Details,
    pub pairing: Option<Uuid>,
    pub campaign: Option<Uuid>,
    pub condition: Option<Uuid>,
    pub corrects: Option<Uuid>,
    pub attachments: Vec<Uuid>,
    pub created_at: chrono::DateTime<Utc>,
}

pub(crate) fn row(m: rec::Model, attachments: Vec<Uuid>) -> Result<CareRecordRow, StoreError> {
    Ok(CareRecordRow {
        kind: RecordKind::parse(&m.kind)
            .ok_or_else(|| StoreError::Internal(format!("record kind {}", m.kind)))?,
        performer_kind: PerformerKind::parse(&m.performer_kind)
            .ok_or_else(|| StoreError::Internal(format!("performer {}", m.performer_kind)))?,
        details: serde_json::from_str(&m.details).unwrap_or_default(),
        id: m.id,
        family: m.family_id,
        member: m.member_id,
        service_code: m.service_code,
        occurred_on: m.occurred_on,
        performer_name: m.performer_name,
        content: m.content,
        outcome: m.outcome,
        money_fen: m.money_fen,
        goods_fen: m.goods_fen,
        pairing: m.pairing_id,
        campaign: m.campaign_id,
        condition: m.condition_id,
        corrects: m.corrects_id,
        attachments,
        created_at: m.created_at,
    })
}

fn health_kinds() -> Vec<&'static str> {
    RecordKind::ALL
        .into_iter()
        .filter(|k| k.is_health())
        .map(|k| k.as_str())
        .collect()
}

/// The care records a principal may read: non-health kinds under the care-record rule,
/// health kinds under the health rule (and only with the health operation), none about
/// minors for an audience that does not reach them.
pub(crate) fn readable(p: &Principal) -> Condition {
    let health = health_kinds();
    let mut any = Condition::any().add(
        Condition::all()
            .add(rec::Column::Kind.is_not_in(health.clone()))
            .add(slice::of_families(
                p,
                Resource::CareRecord,
                rec::Column::FamilyId,
            )),
    );
    if p.allows(Operation::ReadHealth) {
        any = any.add(Condition::all().add(rec::Column::Kind.is_in(health)).add(
            slice::of_families(p, Resource::HealthRecord, rec::Column::FamilyId),
        ));
    }
    Condition::all()
        .add(any)
        .add(slice::about_members(p, rec::Column::MemberId))
}

/// The care records of one family (already reached) that the principal may read: the
/// same rule as [`readable`], decided on the family row in hand.
pub(crate) fn readable_of(p: &Principal, family: &crate::entity::family::Model) -> Condition {
    let health = health_kinds();
    let care = slice::family_in_rows(p, Resource::CareRecord, family);
    let health_ok =
        p.allows(Operation::ReadHealth) && slice::family_in_rows(p, Resource::HealthRecord, family);
    let kinds = match (care, health_ok) {
        (true, true) => Condition::all(),
        (true, false) => Condition::all().add(rec::Column::Kind.is_not_in(health)),
        (false, true) => Condition::all().add(rec::Column::Kind.is_in(health)),
        (false, false) => Condition::all().add(sea_orm::sea_query::Expr::cust("1 = 0")),
    };
    Condition::all()
        .add(rec::Column::FamilyId.eq(family.id))
        .add(kinds)
        .add(slice::about_members(p, rec::Column::MemberId))
}

impl Store {
    /// Writes one care record (and its attachment links) in one transaction.
    pub async fn record_care(
        &self,
        p: &Principal,
        new: NewCareRecord,
    ) -> Result<CareRecordRow, StoreError> {
        let kind = new.record.kind;
        // A hospital (RecordGreenChannel) writes green-channel visits and follow-ups of card
        // holders only; everyone else as their operations say.
        let hospital_only = !p.allows(Operation::RecordHealth)
            && p.allows(Operation::RecordGreenChannel)
            && matches!(kind, RecordKind::GreenChannelVisit | RecordKind::FollowUp);
        let resource = if kind.is_health() {
            if !hospital_only {
                require(p, Operation::RecordHealth)?;
            }
            Resource::HealthRecord
        } else {
            require(p, Operation::RecordCare)?;
            Resource::CareRecord
        };
        let today = self.today();
        let txn = self.db.begin().await?;
        let family = reachable_family(&txn, p, resource, new.family).await?;
        let mut member = new.member;
        let mut condition = None;
        if let Some(c) = new.condition {
            let c = cond::Entity::find_by_id(c)
                .filter(cond::Column::FamilyId.eq(family.id))
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound {
                    what: "chronic-disease record",
                })?;
            if member.is_some_and(|m| m != c.member_id) {
                return Err(StoreError::bad_input(
                    "conditionId",
                    msg!("follow-up-other-member"),
                ));
            }
            member = Some(c.member_id);
            condition = Some(c.id);
        } else if kind == RecordKind::FollowUp {
            return Err(StoreError::bad_input(
                "conditionId",
                msg!("follow-up-needs-condition"),
            ));
        }
        if let Some(m) = member {
            member_of(&txn, p, family.id, m).await?;
            if hospital_only && !Store::holds_card(&txn, m).await? {
                return Err(StoreError::NotFound {
                    what: "card holder",
                });
            }
        } else if kind.needs_member() {
            return Err(StoreError::bad_input(
                "memberId",
                msg!(
                    "record-needs-member",
                    kind = Message::term("record-kind", kind.as_str())
                ),
            ));
        }
        let (performer_kind, performer_id, performer_name) = performer(p);
        let pairing_id = self
            .pairing_for_record(&txn, p, performer_kind, family.id, kind, new.pairing, today)
            .await?;
        if let Some(c) = new.campaign {
            let c = campaign::Entity::find_by_id(c)
                .filter(slice::by_region_code(
                    p,
                    Resource::Campaign,
                    campaign::Column::RegionCode,
                ))
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound { what: "campaign" })?;
            if !family.region_code.starts_with(&c.region_code) {
                return Err(StoreError::bad_input(
                    "campaignId",
                    msg!("campaign-family-outside"),
                ));
            }
            if new.record.occurred_on < c.starts_on || new.record.occurred_on > c.ends_on {
                return Err(StoreError::bad_input(
                    "occurredOn",
                    msg!("campaign-dates", from = c.starts_on, to = c.ends_on),
                ));
            }
        }
        let service_code = new
            .service_code
            .clone()
            .unwrap_or_else(|| kind.default_service().to_owned());
        if svc::Entity::find_by_id(service_code.clone())
            .one(&txn)
            .await?
            .is_none()
        {
            return Err(StoreError::bad_input(
                "serviceCode",
                msg!("service-unknown", code = service_code.as_str()),
            ));
        }
        if let Some(old) = new.corrects {
            let old = rec::Entity::find_by_id(old)
                .filter(rec::Column::FamilyId.eq(family.id))
                .filter(readable(p))
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound {
                    what: "care record",
                })?;
            if old.kind != kind.as_str() {
                return Err(StoreError::bad_input(
                    "correctsId",
                    msg!("record-correction-kind"),
                ));
            }
        }
        let mut attachments = new.attachments.clone();
        attachments.sort();
        attachments.dedup();
        if !attachments.is_empty() {
            let found: Vec<Uuid> = att::Entity::find()
                .select_only()
                .column(att::Column::Id)
                .filter(att::Column::Id.is_in(attachments.clone()))
                .filter(att::Column::FamilyId.eq(family.id))
                .into_tuple()
                .all(&txn)
                .await?;
            if found.len() != attachments.len() {
                return Err(StoreError::bad_input(
                    "attachmentIds",
                    msg!("attachment-other-family"),
                ));
            }
        }
        let now = Utc::now();
        let details = serde_json::to_string(&new.record.details)
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let model = rec::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(family.id),
            member_id: Set(member),
            kind: Set(kind.as_str().into()),
            service_code: Set(service_code),
            occurred_on: Set(new.record.occurred_on),
            performer_kind: Set(performer_kind.as_str().into()),
            performer_id: Set(performer_id),
            performer_name: Set(performer_name),
            content: Set(new.record.content.clone()),
            outcome: Set(new.record.outcome.clone()),
            money_fen: Set(new.record.money_fen),
            goods_fen: Set(new.record.goods_fen),
            details: Set(details),
            pairing_id: Set(pairing_id),
            campaign_id: Set(new.campaign),
            condition_id: Set(condition),
            corrects_id: Set(new.corrects),
            created_by: Set(p.actor_id()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        // The duties' roll-ups, in the record's transaction: a pairing's last visit, a
        // chronic-disease record's last follow-up (only ever moved forward).
        let on = new.record.occurred_on;
        if let Some(pid) = pairing_id.filter(|_| kind == RecordKind::Visit) {
            pairing::Entity::update_many()
                .col_expr(
                    pairing::Column::LastVisitOn,
                    sea_orm::sea_query::Expr::value(on),
                )
                .filter(pairing::Column::Id.eq(pid))
                .filter(
                    Condition::any()
                        .add(pairing::Column::LastVisitOn.is_null())
                        .add(pairing::Column::LastVisitOn.lt(on)),
                )
                .exec(&txn)
                .await?;
        }
        if let Some(cid) = condition.filter(|_| kind == RecordKind::FollowUp) {
            cond::Entity::update_many()
                .col_expr(
                    cond::Column::LastFollowUpOn,
                    sea_orm::sea_query::Expr::value(on),
                )
                .filter(cond::Column::Id.eq(cid))
                .filter(
                    Condition::any()
                        .add(cond::Column::LastFollowUpOn.is_null())
                        .add(cond::Column::LastFollowUpOn.lt(on)),
                )
                .exec(&txn)
                .await?;
        }
        for a in &attachments {
            rec_att::ActiveModel {
                record_id: Set(model.id),
                attachment_id: Set(*a),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        row(model, attachments)
    }

    /// Which pairing a record counts for: the one named (it must be this family's and
    /// active), or for a volunteer their own (a volunteer records visits of their pairing
    /// and nothing else).
    #[allow(clippy::too_many_arguments)]
    async fn pairing_for_record<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        p: &Principal,
        performer: PerformerKind,
        family: Uuid,
        kind: RecordKind,
        named: Option<Uuid>,
        today: NaiveDate,
    ) -> Result<Option<Uuid>, StoreError> {
        let mut q = pairing::Entity::find()
            .filter(pairing::Column::FamilyId.eq(family))
            .filter(pairing::Column::StartsOn.lte(today))
            .filter(pairing::Column::EndedOn.is_null());
        if let Some(id) = named {
            q = q.filter(pairing::Column::Id.eq(id));
        }
        if performer == PerformerKind::Volunteer {
            if kind != RecordKind::Visit {
                return Err(StoreError::forbidden(msg!("volunteer-own-pairing")));
            }
            q = q.filter(pairing::Column::VolunteerId.eq(p.actor_id()));
        } else if named.is_none() {
            return Ok(None);
        }
        match q.one(conn).await? {
            Some(found) => Ok(Some(found.id)),
            None => Err(StoreError::NotFound {
                what: "active pairing",
            }),
        }
    }

    /// A family's care records (health kinds only for those who read health data), newest
    /// first by when they were written. Reads about minors are logged.
    pub async fn care_records(
        &self,
        p: &Principal,
        family: Uuid,
        first: u64,
        after: Option<Uuid>,
        meta: &RequestMeta,
    ) -> Result<Page<CareRecordRow>, StoreError> {
        require(p, Operation::ReadCare)?;
        let family = reachable_family(&self.db, p, Resource::Family, family).await?;
        let mut q = rec::Entity::find()
            .filter(readable_of(p, &family))
            .order_by_desc(rec::Column::Id)
            .limit(first + 1);
        if let Some(a) = after {
            q = q.filter(rec::Column::Id.lt(a));
        }
        let rows = q.all(&self.db).await?;
        let (rows, has_next_page) = super::cut(rows, first);
        let items = self.with_attachments(rows).await?;
        log_minor_reads(
            &self.db,
            p,
            items.iter().filter_map(|r| r.member),
            "careRecord",
            meta,
        )
        .await?;
        Ok(Page {
            items,
            has_next_page,
        })
    }

    /// Records with their attachment ids (one query for the whole page).
    pub(crate) async fn with_attachments(
        &self,
        rows: Vec<rec::Model>,
    ) -> Result<Vec<CareRecordRow>, StoreError> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut links: std::collections::HashMap<Uuid, Vec<Uuid>> = Default::default();
        if !ids.is_empty() {
            for l in rec_att::Entity::find()
                .filter(rec_att::Column::RecordId.is_in(ids))
                .all(&self.db)
                .await?
            {
                links.entry(l.record_id).or_default().push(l.attachment_id);
            }
        }
        rows.into_iter()
            .map(|r| {
                let a = links.remove(&r.id).unwrap_or_default();
                row(r, a)
            })
            .collect()
    }
}
