//! An emergency call and its steps as the API shows them.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use nuanxin_domain::Operation;
use nuanxin_store::{CallStepRecord, EmergencyCallRecord, Store};

use crate::error::{IntoGql, locale};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use crate::registry::objects::Family;

/// How far up the escalation ladder a call has gone.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::emergency::CallLevel")]
pub enum CallLevel {
    /// 村(居): the village worker and the paired volunteer
    Village,
    /// 乡镇(街道)
    Township,
    /// 县(市、区)
    County,
}

/// Where a call stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::emergency::CallState")]
pub enum CallState {
    /// 待接听 (it escalates)
    Open,
    /// 已接听
    Acknowledged,
    /// 已结束
    Closed,
}

/// One step of a call.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::emergency::CallStep")]
pub enum CallStep {
    /// 发起呼叫
    Raised,
    /// 已送达 (to one listener)
    Delivered,
    /// 已接听
    Acknowledged,
    /// 已升级 (nobody answered in time)
    Escalated,
    /// 已结束
    Closed,
}

pub struct EmergencyCall(pub EmergencyCallRecord);

#[Object]
impl EmergencyCall {
    async fn id(&self) -> ID {
        ids::encode(Kind::EmergencyCall, self.0.id)
    }
    async fn family_id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family_id)
    }
    /// The family's file, read through the caller's own slice and masks (how to reach them).
    #[graphql(
        guard = "Allowed(Operation::ReadFamilies)",
        visible = "guard::may_read_families"
    )]
    async fn family(&self, ctx: &Context<'_>) -> async_graphql::Result<Family> {
        let store = ctx.data::<Store>()?;
        Ok(Family(
            store
                .get_family(principal(ctx), self.0.family_id)
                .await
                .gql()?,
        ))
    }
    /// Who pressed the button: the member's name, or the device's serial number.
    async fn raised_by(&self) -> &str {
        &self.0.raised_by
    }
    /// Whether a registered device raised it (not the mini-program).
    async fn by_device(&self) -> bool {
        self.0.by_device
    }
    async fn raised_at(&self) -> DateTime<Utc> {
        self.0.raised_at
    }
    async fn level(&self) -> CallLevel {
        self.0.level.into()
    }
    /// The level in the reader's language ("乡镇(街道)").
    async fn level_text(&self, ctx: &Context<'_>) -> String {
        self.0.level.word().render(locale(ctx))
    }
    /// Since when it has waited at its level.
    async fn level_since(&self) -> DateTime<Utc> {
        self.0.level_since
    }
    async fn state(&self) -> CallState {
        self.0.state.into()
    }
    /// Where it stands, in the reader's language ("待接听").
    async fn state_text(&self, ctx: &Context<'_>) -> String {
        self.0.state.word().render(locale(ctx))
    }
    /// Who took it on.
    async fn acknowledged_by(&self) -> Option<&str> {
        self.0.acknowledged_by.as_deref()
    }
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.0.acknowledged_at
    }
    async fn closed_by(&self) -> Option<&str> {
        self.0.closed_by.as_deref()
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// What was done.
    async fn close_note(&self) -> Option<&str> {
        self.0.close_note.as_deref()
    }
    /// Every step, in order: raised, delivered (to whom), acknowledged, escalated, closed.
    async fn steps(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<EmergencyCallStep>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .emergency_call_steps(principal(ctx), self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(EmergencyCallStep)
            .collect())
    }
}

pub struct EmergencyCallStep(pub CallStepRecord);

#[Object]
impl EmergencyCallStep {
    async fn step(&self) -> CallStep {
        self.0.step.into()
    }
    /// The step in the reader's language ("已送达").
    async fn step_text(&self, ctx: &Context<'_>) -> String {
        self.0.step.word().render(locale(ctx))
    }
    async fn level(&self) -> CallLevel {
        self.0.level.into()
    }
    /// Who: a worker's username, a volunteer, a member, a device, or the escalation job.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// A change to a call, as a listener receives it.
pub struct EmergencyCallEvent {
    pub step: nuanxin_domain::care::emergency::CallStep,
    pub call: EmergencyCallRecord,
}

#[Object]
impl EmergencyCallEvent {
    /// What happened: raised, escalated (to the listener's level, say), acknowledged, closed.
    async fn step(&self) -> CallStep {
        self.step.into()
    }
    async fn step_text(&self, ctx: &Context<'_>) -> String {
        self.step.word().render(locale(ctx))
    }
    async fn call(&self) -> EmergencyCall {
        EmergencyCall(self.call.clone())
    }
}

/// A device's credential, shown once: the device sends it with its serial number (HTTP
/// Basic) to `POST /emergency/device-calls`.
#[derive(SimpleObject)]
pub struct DeviceCredential {
    pub device_id: ID,
    pub serial: String,
    /// Shown this once; only its hash is kept. Issuing again replaces it.
    pub secret: String,
}
