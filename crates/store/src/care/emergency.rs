//! Emergency calls (紧急呼叫) in the store: raised by a family member or by a registered
//! device that proved its credential, acknowledged and closed by those whose rows reach the
//! family, escalated by the job when nobody answers; every step kept with who and when, and
//! every change announced to all replicas ([`crate::events`]).

use chrono::{DateTime, Duration, Utc};
use nuanxin_domain::care::emergency::{self as rules, CallLevel, CallState, CallStep};
use nuanxin_domain::policy::{Resource, hears_emergency_calls_from};
use nuanxin_domain::{Operation, Principal, text};
use nuanxin_locale::{Localised, msg};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::{
    emergency_call as call, emergency_call_step as step, emergency_device as device, family as fam,
    member as mem,
};
use crate::error::StoreError;
use crate::events::CallEvent;
use crate::slice::{self, FamilyPlace, require};

/// A call as a listener sees it: the family is read through the listener's own slice.
#[derive(Debug, Clone)]
pub struct EmergencyCallRecord {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    /// Who pressed the button: the member's name, or the device's serial number.
    pub raised_by: String,
    pub by_device: bool,
    pub level: CallLevel,
    pub state: CallState,
    pub raised_at: DateTime<Utc>,
    pub level_since: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_note: Option<String>,
}

/// One recorded step of a call.
#[derive(Debug, Clone)]
pub struct CallStepRecord {
    pub step: CallStep,
    pub level: CallLevel,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// The most calls one list shows.
const LIST_MAX: u64 = 200;

fn record(m: call::Model) -> Result<EmergencyCallRecord, StoreError> {
    let bad = |what: &str| StoreError::Internal(format!("emergency call {}: {what}", m.id));
    Ok(EmergencyCallRecord {
        id: m.id,
        family_id: m.family_id,
        member_id: m.member_id,
        by_device: m.device_id.is_some(),
        raised_by: m.raised_by_name,
        level: CallLevel::parse(&m.level).ok_or_else(|| bad("level"))?,
        state: CallState::parse(&m.state).ok_or_else(|| bad("state"))?,
        raised_at: m.raised_at,
        level_since: m.level_since,
        acknowledged_by: m.acknowledged_by_name,
        acknowledged_at: m.acknowledged_at,
        closed_by: m.closed_by_name,
        closed_at: m.closed_at,
        close_note: m.close_note,
    })
}

fn in_rows(p: &Principal) -> sea_orm::Condition {
    slice::of_families(p, Resource::EmergencyCall, call::Column::FamilyId)
}

async fn add_step<C: ConnectionTrait>(
    conn: &C,
    call_id: Uuid,
    step_: CallStep,
    level: CallLevel,
    actor: Option<Uuid>,
    actor_name: String,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    step::ActiveModel {
        id: Set(Uuid::now_v7()),
        call_id: Set(call_id),
        step: Set(step_.as_str().to_owned()),
        level: Set(level.as_str().to_owned()),
        actor_id: Set(actor),
        actor_name: Set(actor_name),
        at: Set(at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The event of a change to `call`, with the family's place for listeners to sort by.
    async fn event_of(
        &self,
        call: &EmergencyCallRecord,
        step_: CallStep,
    ) -> Result<CallEvent, StoreError> {
        let f = fam::Entity::find_by_id(call.family_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "family" })?;
        Ok(CallEvent {
            call: call.id,
            family: f.id,
            city: f.city_code,
            county: f.county_code,
            township: f.township_code,
            village: f.village_code,
            step: step_,
            level: call.level,
        })
    }

    /// A family member presses the emergency button for their own family.
    pub async fn raise_emergency_call(
        &self,
        p: &Principal,
    ) -> Result<EmergencyCallRecord, StoreError> {
        require(p, Operation::RaiseEmergencyCall)?;
        let family = slice::own_families(p)
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound { what: "family" })?;
        let member = mem::Entity::find_by_id(p.actor_id())
            .filter(mem::Column::FamilyId.eq(family))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "member" })?;
        self.raise(p, family, Some(member.id), None, member.name)
            .await
    }

    /// A registered emergency-call device raises a call for its member, having proved its
    /// credential (its serial number and the SHA-256 of its secret). A wrong serial, a wrong
    /// secret, an inactive device and one without a credential are one refusal to the
    /// device, so a guesser learns nothing; the log says which.
    pub async fn raise_device_call(
        &self,
        serial: &str,
        secret_sha256: &str,
    ) -> Result<EmergencyCallRecord, StoreError> {
        let refused = || StoreError::forbidden(msg!("device-credential-wrong"));
        let Some(d) = device::Entity::find()
            .filter(device::Column::Serial.eq(serial.trim()))
            .one(&self.db)
            .await?
        else {
            tracing::info!("device call refused: unknown serial");
            return Err(refused());
        };
        let matches = d.credential_hash.as_deref().is_some_and(|h| {
            h.len() == secret_sha256.len()
                && h.bytes()
                    .zip(secret_sha256.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        });
        if !d.active || !matches {
            tracing::info!(device = %d.id, active = d.active, "device call refused");
            return Err(refused());
        }
        let system = Principal::system(format!("emergency-call device {}", d.serial));
        self.raise(
            &system,
            d.family_id,
            Some(d.member_id),
            Some(d.id),
            d.serial,
        )
        .await
    }

    async fn raise(
        &self,
        p: &Principal,
        family: Uuid,
        member: Option<Uuid>,
        device_id: Option<Uuid>,
        raised_by: String,
    ) -> Result<EmergencyCallRecord, StoreError> {
        super::reachable_family(&self.db, p, Resource::EmergencyCall, family).await?;
        // Pressing the button again while a call is still being handled gives that call
        // back rather than a second one (a frightened caller presses many times).
        let txn = self.db.begin().await?;
        let unfinished = call::Entity::find()
            .filter(call::Column::FamilyId.eq(family))
            .filter(call::Column::State.ne(CallState::Closed.as_str()))
            .order_by_desc(call::Column::RaisedAt)
            .one(&txn)
            .await?;
        if let Some(existing) = unfinished {
            txn.commit().await?;
            tracing::info!(call = %existing.id, "emergency button pressed again");
            return record(existing);
        }
        let now = self.clock.now();
        let id = Uuid::now_v7();
        let level = CallLevel::Village;
        let inserted = call::ActiveModel {
            id: Set(id),
            family_id: Set(family),
            member_id: Set(member),
            device_id: Set(device_id),
            raised_by_name: Set(raised_by),
            level: Set(level.as_str().to_owned()),
            state: Set(CallState::Open.as_str().to_owned()),
            raised_at: Set(now),
            level_since: Set(now),
            acknowledged_by: Set(None),
            acknowledged_by_name: Set(None),
            acknowledged_at: Set(None),
            closed_by: Set(None),
            closed_by_name: Set(None),
            closed_at: Set(None),
            close_note: Set(None),
        }
        .insert(&txn)
        .await;
        match inserted {
            Ok(_) => {}
            // Pressed at the same instant elsewhere (the database keeps one unfinished call
            // per family): that call is this press's answer too.
            Err(e) => {
                let e = StoreError::from(e);
                if !matches!(e, StoreError::Conflict { .. }) {
                    return Err(e);
                }
                drop(txn);
                let existing = call::Entity::find()
                    .filter(call::Column::FamilyId.eq(family))
                    .filter(call::Column::State.ne(CallState::Closed.as_str()))
                    .one(&self.db)
                    .await?
                    .ok_or(e)?;
                tracing::info!(call = %existing.id, "emergency button pressed twice at once");
                return record(existing);
            }
        }
        add_step(
            &txn,
            id,
            CallStep::Raised,
            level,
            Some(p.actor_id()).filter(|a| !a.is_nil()),
            p.actor_name(),
            now,
        )
        .await?;
        txn.commit().await?;
        tracing::warn!(call = %id, family = %family, "emergency call raised");
        let raised = self.call_row(id).await?;
        self.announce(self.event_of(&raised, CallStep::Raised).await?)
            .await;
        Ok(raised)
    }

    async fn call_row(&self, id: Uuid) -> Result<EmergencyCallRecord, StoreError> {
        record(
            call::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .ok_or(StoreError::NotFound {
                    what: "emergency call",
                })?,
        )
    }

    /// A call of a family in the caller's rows.
    pub async fn emergency_call(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<EmergencyCallRecord, StoreError> {
        require(p, Operation::ReceiveEmergencyCalls)?;
        self.call_in_rows(p, id).await
    }

    async fn call_in_rows(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<EmergencyCallRecord, StoreError> {
        record(
            call::Entity::find_by_id(id)
                .filter(in_rows(p))
                .one(&self.db)
                .await?
                .ok_or(StoreError::NotFound {
                    what: "emergency call",
                })?,
        )
    }

    /// Calls of the families in the caller's rows (only the unfinished ones, or all),
    /// newest first.
    pub async fn emergency_calls(
        &self,
        p: &Principal,
        unfinished_only: bool,
    ) -> Result<Vec<EmergencyCallRecord>, StoreError> {
        require(p, Operation::ReceiveEmergencyCalls)?;
        let mut q = call::Entity::find().filter(in_rows(p));
        if unfinished_only {
            q = q.filter(call::Column::State.ne(CallState::Closed.as_str()));
        }
        q.order_by_desc(call::Column::RaisedAt)
            .limit(LIST_MAX)
            .all(&self.db)
            .await?
            .into_iter()
            .map(record)
            .collect()
    }

    /// Every step of a call in the caller's rows, in order.
    pub async fn emergency_call_steps(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<Vec<CallStepRecord>, StoreError> {
        self.emergency_call(p, id).await?;
        step::Entity::find()
            .filter(step::Column::CallId.eq(id))
            .order_by_asc(step::Column::At)
            .order_by_asc(step::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| {
                let bad = || StoreError::Internal(format!("call step {}", s.id));
                Ok(CallStepRecord {
                    step: CallStep::parse(&s.step).ok_or_else(bad)?,
                    level: CallLevel::parse(&s.level).ok_or_else(bad)?,
                    actor: s.actor_name,
                    at: s.at,
                })
            })
            .collect()
    }

    /// Whether `p` is to hear of this event at all: the family lies in its rows and the
    /// call has climbed to its level of the ladder. Decided without a query, so that one
    /// event does not cost a query per connected listener; [`Store::deliver_call`] then
    /// reads the call through the listener's slice.
    fn may_hear(&self, p: &Principal, e: &CallEvent) -> bool {
        p.allows(Operation::ReceiveEmergencyCalls)
            && rules::hears(hears_emergency_calls_from(p.audience()), e.level)
            && slice::place_in_rows(
                p,
                Resource::EmergencyCall,
                &FamilyPlace {
                    id: e.family,
                    city: &e.city,
                    county: &e.county,
                    township: e.township.as_deref(),
                    village: e.village.as_deref(),
                },
            )
    }

    /// The call behind an event, for a listener who may hear it; the first time it reaches
    /// this listener (raised, or escalated to the listener's level) the delivery is
    /// recorded with who and when.
    pub async fn deliver_call(
        &self,
        p: &Principal,
        e: &CallEvent,
    ) -> Result<Option<EmergencyCallRecord>, StoreError> {
        if !self.may_hear(p, e) {
            return Ok(None);
        }
        let call = match self.emergency_call(p, e.call).await {
            Ok(c) => c,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(other) => return Err(other),
        };
        let from = hears_emergency_calls_from(p.audience());
        let first_time = match e.step {
            CallStep::Raised => true,
            CallStep::Escalated => from == Some(e.level),
            _ => false,
        };
        if first_time {
            add_step(
                &self.db,
                call.id,
                CallStep::Delivered,
                e.level,
                Some(p.actor_id()),
                p.actor_name(),
                self.clock.now(),
            )
            .await?;
        }
        Ok(Some(call))
    }

    /// Takes a call on (接听): the first to answer has it; a second is told who did.
    pub async fn acknowledge_emergency_call(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<EmergencyCallRecord, StoreError> {
        require(p, Operation::AnswerEmergencyCalls)?;
        let current = self.call_in_rows(p, id).await?;
        rules::acknowledge(current.state).map_err(conflict)?;
        let now = self.clock.now();
        let update = call::Entity::update_many()
            .col_expr(
                call::Column::State,
                Expr::value(CallState::Acknowledged.as_str()),
            )
            .col_expr(call::Column::AcknowledgedBy, Expr::value(p.actor_id()))
            .col_expr(
                call::Column::AcknowledgedByName,
                Expr::value(p.actor_name()),
            )
            .col_expr(call::Column::AcknowledgedAt, Expr::value(now))
            .filter(call::Column::State.eq(CallState::Open.as_str()));
        let step = (CallStep::Acknowledged, current.level);
        let done = self
            .take_step(id, update, step, Some(p.actor_id()), p.actor_name(), now)
            .await?
            // Someone else answered between our look and our write.
            .ok_or_else(|| conflict(rules::CallError::AlreadyAcknowledged))?;
        tracing::info!(call = %id, "emergency call acknowledged");
        Ok(done)
    }

    /// Moves a call one step in one transaction — the conditional `update` (which says
    /// from where) and the step's row — then announces it. `None` when the update found the
    /// call no longer where it was (another replica or person moved it first).
    async fn take_step(
        &self,
        id: Uuid,
        update: sea_orm::UpdateMany<call::Entity>,
        (step_, level): (CallStep, CallLevel),
        actor: Option<Uuid>,
        actor_name: String,
        now: DateTime<Utc>,
    ) -> Result<Option<EmergencyCallRecord>, StoreError> {
        let txn = self.db.begin().await?;
        let changed = update.filter(call::Column::Id.eq(id)).exec(&txn).await?;
        if changed.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(None);
        }
        add_step(&txn, id, step_, level, actor, actor_name, now).await?;
        txn.commit().await?;
        let moved = self.call_row(id).await?;
        self.announce(self.event_of(&moved, step_).await?).await;
        Ok(Some(moved))
    }

    /// Closes a call (结束), with what was done.
    pub async fn close_emergency_call(
        &self,
        p: &Principal,
        id: Uuid,
        note: &str,
    ) -> Result<EmergencyCallRecord, StoreError> {
        require(p, Operation::AnswerEmergencyCalls)?;
        let note = text::optional(note, rules::NOTE_MAX).map_err(|_| {
            StoreError::bad_input("note", msg!("call-note-too-long", max = rules::NOTE_MAX))
        })?;
        let current = self.call_in_rows(p, id).await?;
        rules::close(current.state).map_err(conflict)?;
        let now = self.clock.now();
        let update = call::Entity::update_many()
            .col_expr(call::Column::State, Expr::value(CallState::Closed.as_str()))
            .col_expr(call::Column::ClosedBy, Expr::value(p.actor_id()))
            .col_expr(call::Column::ClosedByName, Expr::value(p.actor_name()))
            .col_expr(call::Column::ClosedAt, Expr::value(now))
            .col_expr(call::Column::CloseNote, Expr::value(note))
            .filter(call::Column::State.ne(CallState::Closed.as_str()));
        let step = (CallStep::Closed, current.level);
        self.take_step(id, update, step, Some(p.actor_id()), p.actor_name(), now)
            .await?
            .ok_or_else(|| conflict(rules::CallError::AlreadyClosed))
    }

    /// The escalation job: every open call that has waited `after` at its level climbs
    /// one level, recorded and announced. Replicas may all run it: each climb is a
    /// conditional update, so a call climbs once however many look. Returns how many
    /// climbed.
    pub async fn escalate_emergency_calls(&self, after: Duration) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let waiting = call::Entity::find()
            .filter(call::Column::State.eq(CallState::Open.as_str()))
            .filter(call::Column::Level.ne(CallLevel::County.as_str()))
            .filter(call::Column::LevelSince.lte(now - after))
            .limit(LIST_MAX)
            .all(&self.db)
            .await?;
        let mut climbed = 0;
        for m in waiting {
            let c = record(m)?;
            let Some(next) = rules::escalation(c.state, c.level, c.level_since, now, after) else {
                continue;
            };
            let update = call::Entity::update_many()
                .col_expr(call::Column::Level, Expr::value(next.as_str()))
                .col_expr(call::Column::LevelSince, Expr::value(now))
                .filter(call::Column::State.eq(CallState::Open.as_str()))
                .filter(call::Column::Level.eq(c.level.as_str()));
            let system = format!("system: no answer within {} s", after.num_seconds());
            let step = (CallStep::Escalated, next);
            if self
                .take_step(c.id, update, step, None, system, now)
                .await?
                .is_some()
            {
                tracing::warn!(call = %c.id, level = next.as_str(), "emergency call escalated");
                climbed += 1;
            }
        }
        Ok(climbed)
    }

    /// Gives a registered device its credential (the SHA-256 of a secret shown once);
    /// a new one replaces the old.
    pub async fn set_device_credential(
        &self,
        p: &Principal,
        device_id: Uuid,
        secret_sha256: &str,
    ) -> Result<String, StoreError> {
        require(p, Operation::ManageEmergencyDevices)?;
        let d = device::Entity::find_by_id(device_id)
            .filter(slice::of_families(
                p,
                Resource::CareRecord,
                device::Column::FamilyId,
            ))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound {
                what: "emergency device",
            })?;
        device::Entity::update_many()
            .col_expr(device::Column::CredentialHash, Expr::value(secret_sha256))
            .filter(device::Column::Id.eq(d.id))
            .exec(&self.db)
            .await?;
        tracing::info!(device = %d.id, by = %p.actor_name(), "device credential issued");
        Ok(d.serial)
    }
}

fn conflict(e: rules::CallError) -> StoreError {
    StoreError::Conflict {
        field: Some("id".into()),
        message: e.message(),
    }
}
