//! `raiseEmergencyCall` for a family member; `emergencyCalls` / `emergencyCall`,
//! `acknowledgeEmergencyCall` / `closeEmergencyCall` for those whose rows reach the family;
//! `issueDeviceCredential` for the workers who register devices.

use async_graphql::{Context, ID, Object};
use nuanxin_domain::Operation;
use nuanxin_store::Store;

use crate::emergency::objects::{DeviceCredential, EmergencyCall};
use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};

#[derive(Default)]
pub struct EmergencyQuery;

#[Object]
impl EmergencyQuery {
    /// Emergency calls of the families in my rows, newest first (only those not yet
    /// closed, unless asked): what a worker opening the app sees first.
    #[graphql(
        guard = "Allowed(Operation::ReceiveEmergencyCalls)",
        visible = "guard::may_receive_emergency_calls"
    )]
    async fn emergency_calls(
        &self,
        ctx: &Context<'_>,
        unfinished_only: Option<bool>,
    ) -> async_graphql::Result<Vec<EmergencyCall>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .emergency_calls(principal(ctx), unfinished_only.unwrap_or(true))
            .await
            .gql()?
            .into_iter()
            .map(EmergencyCall)
            .collect())
    }

    #[graphql(
        guard = "Allowed(Operation::ReceiveEmergencyCalls)",
        visible = "guard::may_receive_emergency_calls"
    )]
    async fn emergency_call(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<EmergencyCall> {
        let id = ids::decode(Kind::EmergencyCall, &id, "id").gql()?;
        let store = ctx.data::<Store>()?;
        Ok(EmergencyCall(
            store.emergency_call(principal(ctx), id).await.gql()?,
        ))
    }
}

#[derive(Default)]
pub struct EmergencyMutation;

#[Object]
impl EmergencyMutation {
    /// The emergency button (紧急呼叫): reaches the village worker and the paired volunteer
    /// at once, then the township and the county while nobody answers. Pressed again while
    /// the call is still open, it gives back the same call.
    #[graphql(
        guard = "Allowed(Operation::RaiseEmergencyCall)",
        visible = "guard::may_raise_emergency_calls"
    )]
    async fn raise_emergency_call(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<EmergencyCall> {
        let store = ctx.data::<Store>()?;
        Ok(EmergencyCall(
            store.raise_emergency_call(principal(ctx)).await.gql()?,
        ))
    }

    /// Takes a call on (接听); the first to answer has it, the others are told.
    #[graphql(
        guard = "Allowed(Operation::AnswerEmergencyCalls)",
        visible = "guard::may_answer_emergency_calls"
    )]
    async fn acknowledge_emergency_call(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<EmergencyCall> {
        let id = ids::decode(Kind::EmergencyCall, &id, "id").gql()?;
        let store = ctx.data::<Store>()?;
        Ok(EmergencyCall(
            store
                .acknowledge_emergency_call(principal(ctx), id)
                .await
                .gql()?,
        ))
    }

    /// Closes a call (结束) with what was done.
    #[graphql(
        guard = "Allowed(Operation::AnswerEmergencyCalls)",
        visible = "guard::may_answer_emergency_calls"
    )]
    async fn close_emergency_call(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
    ) -> async_graphql::Result<EmergencyCall> {
        let id = ids::decode(Kind::EmergencyCall, &id, "id").gql()?;
        let store = ctx.data::<Store>()?;
        Ok(EmergencyCall(
            store
                .close_emergency_call(principal(ctx), id, note.as_deref().unwrap_or_default())
                .await
                .gql()?,
        ))
    }

    /// Gives a registered emergency-call device its secret (shown once), with which it
    /// raises calls on its own; issuing again replaces the old one.
    #[graphql(
        guard = "Allowed(Operation::ManageEmergencyDevices)",
        visible = "guard::may_manage_emergency_devices"
    )]
    async fn issue_device_credential(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
    ) -> async_graphql::Result<DeviceCredential> {
        let id = ids::decode(Kind::Device, &device_id, "deviceId").gql()?;
        let secret = nuanxin_auth::new_client_secret()
            .map_err(|_| ApiError::Internal)
            .gql()?;
        let store = ctx.data::<Store>()?;
        let serial = store
            .set_device_credential(principal(ctx), id, &nuanxin_auth::sha256_hex(&secret))
            .await
            .gql()?;
        Ok(DeviceCredential {
            device_id,
            serial,
            secret,
        })
    }
}

/// An emergency call's id as the API gives it (the device endpoint answers with it).
pub fn encode_call_id(id: uuid::Uuid) -> String {
    ids::encode(Kind::EmergencyCall, id).to_string()
}
