//! Events for partners: an organisation's webhook endpoints (kept by the city), the outbox
//! of deliveries — written in the same transaction as the event, so an event is never lost
//! nor sent for something that was rolled back — and the worker's side: claim what is due,
//! record each attempt. The outbox is the delivery log the city reads.
//!
//! A delivery carries no personal data: the event, an opaque id the partner's API answers
//! for, and what the partner needs to route it. Events go only where the family consents
//! to that kind of recipient.

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use nuanxin_domain::partners::webhook::{self, WebhookEvent};
use nuanxin_domain::{PartnerKind, Principal};
use nuanxin_locale::msg;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::apps::manages;
use crate::Store;
use crate::entity::{
    consent_state as cs, organisation as org, organisation_region as org_region,
    webhook_delivery as delivery, webhook_endpoint as endpoint,
};
use crate::error::StoreError;

const SECRET_FIELD: &str = "webhook_secret";

#[derive(Debug, Clone)]
pub struct EndpointRecord {
    pub id: Uuid,
    pub organisation: Uuid,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    /// Every attempt failed; the city may read why.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: Uuid,
    pub endpoint: Uuid,
    pub event: String,
    pub payload: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A delivery the worker has claimed: where to send what, signed with which secret.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: Uuid,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub payload: String,
    pub attempts: i32,
}

/// What one attempt gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The receiver answered 2xx.
    Delivered { status: u16 },
    /// Another status, or no answer (`status: None`: refused, timed out …).
    Failed { status: Option<u16>, error: String },
}

/// How the worker retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
}

fn endpoint_record(m: endpoint::Model) -> EndpointRecord {
    EndpointRecord {
        id: m.id,
        organisation: m.organisation_id,
        url: m.url,
        events: m
            .events
            .split(',')
            .filter_map(WebhookEvent::parse)
            .collect(),
        active: m.active,
        created_at: m.created_at,
    }
}

fn delivery_record(m: delivery::Model) -> DeliveryRecord {
    DeliveryRecord {
        id: m.id,
        endpoint: m.endpoint_id,
        event: m.event,
        payload: m.payload,
        state: DeliveryState::parse(&m.state),
        attempts: m.attempts,
        next_attempt_at: m.next_attempt_at,
        last_attempt_at: m.last_attempt_at,
        last_status: m.last_status,
        last_error: m.last_error,
        created_at: m.created_at,
        delivered_at: m.delivered_at,
    }
}

/// The API's opaque id of an object (`base64url("<Type>:<uuid>")`, as `nuanxin_graphql`
/// issues it; a test checks that a delivery's id is the one the API answers for).
fn api_id(type_name: &str, id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}"))
}

/// Whether a family's current consent covers a kind of recipient (and its purpose).
async fn consents<C: ConnectionTrait>(
    conn: &C,
    family: Uuid,
    kind: PartnerKind,
) -> Result<bool, StoreError> {
    Ok(cs::Entity::find()
        .filter(cs::Column::FamilyId.eq(family))
        .filter(crate::slice::consent_given(kind))
        .one(conn)
        .await?
        .is_some())
}

impl Store {
    /// A receiver for an organisation's events, with its signing secret (given by the
    /// caller, stored encrypted: it must be read back to sign).
    pub async fn add_webhook_endpoint(
        &self,
        p: &Principal,
        organisation: Uuid,
        url: &str,
        events: &[WebhookEvent],
        secret: &str,
    ) -> Result<EndpointRecord, StoreError> {
        manages(p)?;
        let url = url.trim();
        webhook::check_url(url).map_err(|e| StoreError::bad_input("url", e))?;
        if events.is_empty() {
            return Err(StoreError::bad_input("events", msg!("webhook-events-none")));
        }
        org::Entity::find_by_id(organisation)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound {
                what: "organisation",
            })?;
        let id = Uuid::now_v7();
        let mut names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let row = endpoint::ActiveModel {
            id: Set(id),
            organisation_id: Set(organisation),
            url: Set(url.to_owned()),
            secret_cipher: Set(self
                .vault
                .encrypt(SECRET_FIELD, id, secret)
                .map_err(|e| StoreError::Internal(e.to_string()))?),
            events: Set(names.join(",")),
            active: Set(true),
            created_at: Set(self.clock.now()),
        }
        .insert(&self.db)
        .await?;
        Ok(endpoint_record(row))
    }

    /// Turns a receiver off (no new deliveries; pending ones are not sent) or on again.
    pub async fn set_webhook_endpoint_active(
        &self,
        p: &Principal,
        id: Uuid,
        active: bool,
    ) -> Result<EndpointRecord, StoreError> {
        manages(p)?;
        let done = endpoint::Entity::update_many()
            .col_expr(endpoint::Column::Active, Expr::value(active))
            .filter(endpoint::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound { what: "endpoint" });
        }
        endpoint::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(endpoint_record)
            .ok_or(StoreError::NotFound { what: "endpoint" })
    }

    /// An organisation's receivers (never their secrets).
    pub async fn webhook_endpoints(
        &self,
        p: &Principal,
        organisation: Uuid,
    ) -> Result<Vec<EndpointRecord>, StoreError> {
        manages(p)?;
        Ok(endpoint::Entity::find()
            .filter(endpoint::Column::OrganisationId.eq(organisation))
            .order_by_asc(endpoint::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(endpoint_record)
            .collect())
    }

    /// The delivery log of an organisation, newest first.
    pub async fn webhook_deliveries(
        &self,
        p: &Principal,
        organisation: Uuid,
        state: Option<DeliveryState>,
        limit: u64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        manages(p)?;
        let endpoints = sea_orm::sea_query::Query::select()
            .column(endpoint::Column::Id)
            .from(endpoint::Entity)
            .and_where(endpoint::Column::OrganisationId.eq(organisation))
            .to_owned();
        let mut q = delivery::Entity::find()
            .filter(delivery::Column::EndpointId.in_subquery(endpoints))
            .order_by_desc(delivery::Column::Id)
            .limit(limit.min(500));
        if let Some(s) = state {
            q = q.filter(delivery::Column::State.eq(s.as_str()));
        }
        Ok(q.all(&self.db)
            .await?
            .into_iter()
            .map(delivery_record)
            .collect())
    }

    /// Writes one delivery per active receiver of `organisation` subscribed to `event`, in
    /// the caller's transaction.
    async fn enqueue<C: ConnectionTrait>(
        &self,
        conn: &C,
        organisation: Uuid,
        event: WebhookEvent,
        data: serde_json::Value,
    ) -> Result<(), StoreError> {
        let receivers = endpoint::Entity::find()
            .filter(endpoint::Column::OrganisationId.eq(organisation))
            .filter(endpoint::Column::Active.eq(true))
            .all(conn)
            .await?;
        let now = self.clock.now();
        for r in receivers
            .into_iter()
            .filter(|r| r.events.split(',').any(|e| e == event.as_str()))
        {
            let id = Uuid::now_v7();
            let payload = json!({
                "id": id,
                "event": event.as_str(),
                "occurredAt": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "data": data,
            });
            delivery::ActiveModel {
                id: Set(id),
                endpoint_id: Set(r.id),
                event: Set(event.as_str().to_owned()),
                payload: Set(payload.to_string()),
                state: Set(DeliveryState::Pending.as_str().to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                last_attempt_at: Set(None),
                last_status: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                delivered_at: Set(None),
            }
            .insert(conn)
            .await?;
        }
        Ok(())
    }

    /// `referral.assigned` for the organisation answering for the referral's unit, when
    /// the family consents to that kind of recipient.
    pub(crate) async fn referral_assigned<C: ConnectionTrait>(
        &self,
        conn: &C,
        case: &crate::entity::care_case::Model,
    ) -> Result<(), StoreError> {
        use crate::entity::care_unit as unit;
        let Some(code) = &case.unit_code else {
            return Ok(());
        };
        let Some(organisation) = unit::Entity::find_by_id(code.clone())
            .one(conn)
            .await?
            .and_then(|u| u.organisation_id)
        else {
            return Ok(());
        };
        let Some(o) = org::Entity::find_by_id(organisation)
            .filter(org::Column::Active.eq(true))
            .one(conn)
            .await?
        else {
            return Ok(());
        };
        let Some(kind) = PartnerKind::parse(&o.kind) else {
            return Ok(());
        };
        if !consents(conn, case.family_id, kind).await? {
            return Ok(());
        }
        let data = json!({ "referral": {
            "id": api_id("Case", case.id),
            "referralKind": case.referral_kind,
            "unitCode": code,
            "openedOn": case.opened_on,
        }});
        self.enqueue(conn, organisation, WebhookEvent::ReferralAssigned, data)
            .await
    }

    /// `green_channel_card.issued` for the active hospitals contracted for the family's
    /// region, when the family consents to share with hospitals.
    pub(crate) async fn card_issued<C: ConnectionTrait>(
        &self,
        conn: &C,
        card: &crate::entity::green_channel_card::Model,
        family: &crate::entity::family::Model,
    ) -> Result<(), StoreError> {
        if !consents(conn, family.id, PartnerKind::Hospital).await? {
            return Ok(());
        }
        let mut regions = vec![family.city_code.clone(), family.county_code.clone()];
        regions.extend(family.township_code.clone());
        regions.extend(family.village_code.clone());
        let contracted = sea_orm::sea_query::Query::select()
            .column(org_region::Column::OrganisationId)
            .from(org_region::Entity)
            .and_where(org_region::Column::RegionCode.is_in(regions))
            .to_owned();
        let hospitals = org::Entity::find()
            .filter(org::Column::Kind.eq(PartnerKind::Hospital.as_str()))
            .filter(org::Column::Active.eq(true))
            .filter(org::Column::Id.in_subquery(contracted))
            .all(conn)
            .await?;
        let data = json!({ "card": {
            "id": api_id("GreenChannelCard", card.id),
            "cardNumber": card.card_no,
            "issuedOn": card.issued_on,
            "countyCode": family.county_code,
        }});
        for h in hospitals {
            self.enqueue(
                conn,
                h.id,
                WebhookEvent::GreenChannelCardIssued,
                data.clone(),
            )
            .await?;
        }
        Ok(())
    }

    /// Claims up to `limit` due deliveries for `lease` (another worker, on this replica or
    /// another, skips them meanwhile), with what is needed to send them.
    pub async fn claim_due_deliveries(
        &self,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let now = self.clock.now();
        // A receiver turned off: its deliveries wait (unclaimed) until it is on again.
        let active = sea_orm::sea_query::Query::select()
            .column(endpoint::Column::Id)
            .from(endpoint::Entity)
            .and_where(endpoint::Column::Active.eq(true))
            .to_owned();
        let due = delivery::Entity::find()
            .filter(delivery::Column::State.eq(DeliveryState::Pending.as_str()))
            .filter(delivery::Column::EndpointId.in_subquery(active))
            .filter(delivery::Column::NextAttemptAt.lte(now))
            .order_by_asc(delivery::Column::NextAttemptAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        // Each receiver once per pass, its secret opened once.
        let mut ids: Vec<Uuid> = due.iter().map(|d| d.endpoint_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut targets = std::collections::HashMap::new();
        for t in endpoint::Entity::find()
            .filter(endpoint::Column::Id.is_in(ids))
            .filter(endpoint::Column::Active.eq(true))
            .all(&self.db)
            .await?
        {
            let secret = self
                .vault
                .decrypt(SECRET_FIELD, t.id, &t.secret_cipher)
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            targets.insert(t.id, (t.url, secret));
        }
        let mut claimed = Vec::with_capacity(due.len());
        for d in due {
            // Turned off since the first read: it waits too.
            let Some((url, secret)) = targets.get(&d.endpoint_id) else {
                continue;
            };
            // Claimed only if no one else moved it since we read it.
            let done = delivery::Entity::update_many()
                .col_expr(delivery::Column::NextAttemptAt, Expr::value(now + lease))
                .filter(delivery::Column::Id.eq(d.id))
                .filter(delivery::Column::State.eq(DeliveryState::Pending.as_str()))
                .filter(delivery::Column::NextAttemptAt.eq(d.next_attempt_at))
                .exec(&self.db)
                .await?;
            if done.rows_affected == 0 {
                continue;
            }
            claimed.push(DueDelivery {
                id: d.id,
                url: url.clone(),
                secret: secret.clone(),
                event: d.event,
                payload: d.payload,
                attempts: d.attempts,
            });
        }
        Ok(claimed)
    }

    /// Records one attempt: delivered, due again after the back-off, or failed for good
    /// after the last attempt.
    pub async fn record_delivery_attempt(
        &self,
        id: Uuid,
        outcome: &AttemptOutcome,
        retry: RetryPolicy,
    ) -> Result<DeliveryState, StoreError> {
        let now = self.clock.now();
        let row = delivery::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "delivery" })?;
        let attempts = row.attempts.saturating_add(1);
        let mut update = delivery::ActiveModel {
            id: Set(id),
            attempts: Set(attempts),
            last_attempt_at: Set(Some(now)),
            ..Default::default()
        };
        let state = match outcome {
            AttemptOutcome::Delivered { status } => {
                update.last_status = Set(Some(i32::from(*status)));
                update.last_error = Set(None);
                update.delivered_at = Set(Some(now));
                DeliveryState::Delivered
            }
            AttemptOutcome::Failed { status, error } => {
                update.last_status = Set(status.map(i32::from));
                update.last_error = Set(Some(error.chars().take(300).collect()));
                let tried = u32::try_from(attempts).unwrap_or(u32::MAX);
                if tried >= retry.max_attempts {
                    DeliveryState::Failed
                } else {
                    update.next_attempt_at = Set(now + webhook::retry_delay(tried, retry.base));
                    DeliveryState::Pending
                }
            }
        };
        update.state = Set(state.as_str().to_owned());
        update.update(&self.db).await?;
        Ok(state)
    }
}
