//! Webhooks for partner organisations, kept by the city: the receivers (with a signing
//! secret shown once) and the delivery log.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use nuanxin_domain::policy::Operation;
use nuanxin_store::{DeliveryRecord, DeliveryState, EndpointRecord, Store};

use crate::error::IntoGql;
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};

/// An event a partner's system may receive.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::partners::webhook::WebhookEvent")]
pub enum WebhookEvent {
    /// `referral.assigned`: a referral was assigned to one of the organisation's units.
    ReferralAssigned,
    /// `green_channel_card.issued`: a card was issued in the hospital's regions.
    GreenChannelCardIssued,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_store::DeliveryState")]
pub enum WebhookDeliveryState {
    Pending,
    Delivered,
    /// Every attempt failed.
    Failed,
}

pub struct WebhookEndpoint(EndpointRecord);

#[Object]
impl WebhookEndpoint {
    async fn id(&self) -> ID {
        ids::encode(Kind::WebhookEndpoint, self.0.id)
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    async fn events(&self) -> Vec<WebhookEvent> {
        self.0.events.iter().map(|e| (*e).into()).collect()
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A new receiver and its signing secret, shown this once.
#[derive(SimpleObject)]
pub struct WebhookEndpointCreated {
    pub endpoint: WebhookEndpoint,
    /// The receiver checks `X-Nuanxin-Signature` (`v1=` HMAC-SHA256 over
    /// `"<X-Nuanxin-Timestamp>.<body>"`) with it.
    pub signing_secret: String,
}

/// One event for one receiver, and how its attempts went.
pub struct WebhookDelivery(DeliveryRecord);

#[Object]
impl WebhookDelivery {
    async fn id(&self) -> ID {
        ids::encode(Kind::WebhookDelivery, self.0.id)
    }
    async fn endpoint_id(&self) -> ID {
        ids::encode(Kind::WebhookEndpoint, self.0.endpoint)
    }
    async fn event(&self) -> &str {
        &self.0.event
    }
    /// The exact body sent (it names no person).
    async fn payload(&self) -> &str {
        &self.0.payload
    }
    async fn state(&self) -> WebhookDeliveryState {
        self.0.state.into()
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.state == DeliveryState::Pending).then_some(self.0.next_attempt_at)
    }
    async fn last_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_attempt_at
    }
    /// The receiver's HTTP status at the last attempt (none: no answer).
    async fn last_status(&self) -> Option<i32> {
        self.0.last_status
    }
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// An organisation's webhook receivers.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
    ) -> async_graphql::Result<Vec<WebhookEndpoint>> {
        let store = ctx.data::<Store>()?;
        let org = ids::decode(Kind::Organisation, &organisation_id, "organisationId").gql()?;
        Ok(store
            .webhook_endpoints(principal(ctx), org)
            .await
            .gql()?
            .into_iter()
            .map(WebhookEndpoint)
            .collect())
    }

    /// The delivery log of an organisation's webhooks, newest first (at most 500).
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        state: Option<WebhookDeliveryState>,
        #[graphql(default = 50)] first: u32,
    ) -> async_graphql::Result<Vec<WebhookDelivery>> {
        let store = ctx.data::<Store>()?;
        let org = ids::decode(Kind::Organisation, &organisation_id, "organisationId").gql()?;
        Ok(store
            .webhook_deliveries(principal(ctx), org, state.map(Into::into), u64::from(first))
            .await
            .gql()?
            .into_iter()
            .map(WebhookDelivery)
            .collect())
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// A receiver for an organisation's events (HTTPS; plain HTTP only to this machine).
    /// The signing secret is shown once.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        url: String,
        events: Vec<WebhookEvent>,
    ) -> async_graphql::Result<WebhookEndpointCreated> {
        let store = ctx.data::<Store>()?;
        let org = ids::decode(Kind::Organisation, &organisation_id, "organisationId").gql()?;
        let secret = nuanxin_auth::new_client_secret()
            .map_err(|_| crate::error::ApiError::Internal)
            .gql()?;
        let events: Vec<_> = events.into_iter().map(Into::into).collect();
        let endpoint = store
            .add_webhook_endpoint(principal(ctx), org, &url, &events, &secret)
            .await
            .gql()?;
        Ok(WebhookEndpointCreated {
            endpoint: WebhookEndpoint(endpoint),
            signing_secret: secret,
        })
    }

    /// Turns a receiver off (its deliveries wait) or on again.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn set_webhook_endpoint_active(
        &self,
        ctx: &Context<'_>,
        endpoint_id: ID,
        active: bool,
    ) -> async_graphql::Result<WebhookEndpoint> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::WebhookEndpoint, &endpoint_id, "endpointId").gql()?;
        Ok(WebhookEndpoint(
            store
                .set_webhook_endpoint_active(principal(ctx), id, active)
                .await
                .gql()?,
        ))
    }
}
