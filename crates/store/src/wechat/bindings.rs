//! Binding a WeChat user to a person (绑定): staff issue a one-time code for a family member
//! or a volunteer in their rows; the user redeems it with the ticket `wxLogin` gave them.
//! Nobody binds by typing an ID number. A person has at most one live binding and a WeChat
//! user at most one: a new binding ends the old ones, and every binding and unbinding stays
//! as a row (who, when, why).

use chrono::{DateTime, Duration, Utc};
use nuanxin_domain::{Operation, Principal, Resource};
use nuanxin_locale::msg;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::{
    binding_code as code, member, volunteer, wechat_binding as binding, wechat_ticket,
};
use crate::error::StoreError;
use crate::slice::{self, require};

use super::identity::{WechatIdentity, principal_of};

/// Whom a binding code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingTarget {
    Member(Uuid),
    Volunteer(Uuid),
}

/// A code as issued (the code itself is the caller's to show; only its hash is kept).
#[derive(Debug, Clone)]
pub struct IssuedBindingCode {
    pub id: Uuid,
    pub expires_at: DateTime<Utc>,
    /// The person's name, for the printed slip.
    pub for_name: String,
}

/// A binding as staff see it.
#[derive(Debug, Clone)]
pub struct WechatBindingRecord {
    pub id: Uuid,
    pub target: BindingTarget,
    pub via: String,
    pub bound_at: DateTime<Utc>,
    pub issued_by: Option<String>,
    pub unbound_at: Option<DateTime<Utc>>,
    pub unbound_by: Option<String>,
    pub unbound_reason: Option<String>,
}

/// Why a binding did not happen (nothing was written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindRefusal {
    /// The ticket is unknown, expired or spent: sign in with WeChat again.
    Ticket,
    /// No such code.
    UnknownCode,
    Expired,
    AlreadyUsed,
    /// The person can no longer be bound (deceased, a volunteer who left).
    Gone,
}

pub(super) const MEMBER: &str = "family_member";
pub(super) const VOLUNTEER: &str = "volunteer";

/// A person a binding is for, as loaded.
enum Person {
    Member(member::Model),
    Volunteer(volunteer::Model),
}

fn volunteer_rows(p: &Principal) -> Condition {
    slice::by_region_code(p, Resource::CareSite, volunteer::Column::RegionCode)
}

/// Ends the live bindings that `live` selects, with who and why (inside a transaction).
async fn end<C: ConnectionTrait>(
    conn: &C,
    live: Condition,
    by: Option<Uuid>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(binding::Entity::update_many()
        .col_expr(binding::Column::UnboundAt, Expr::value(now))
        .col_expr(binding::Column::UnboundBy, Expr::value(by))
        .col_expr(
            binding::Column::UnboundReason,
            Expr::value(reason.to_owned()),
        )
        .filter(binding::Column::UnboundAt.is_null())
        .filter(live)
        .exec(conn)
        .await?
        .rows_affected)
}

impl Store {
    /// The person named by `target`, if in the caller's rows and one who can be bound now:
    /// (family, name).
    async fn binding_person(
        &self,
        p: &Principal,
        target: BindingTarget,
    ) -> Result<(Option<Uuid>, String), StoreError> {
        match self.person_in_rows(p, target).await? {
            Some(Person::Member(m)) => {
                if m.deceased_on.is_some() {
                    return Err(StoreError::bad_input("memberId", msg!("binding-deceased")));
                }
                // A child signs in to nothing: the programme's mini-program is for adults.
                if m.birth_date > slice::minor_cutoff() {
                    return Err(StoreError::bad_input("memberId", msg!("binding-minor")));
                }
                Ok((Some(m.family_id), m.name))
            }
            Some(Person::Volunteer(v)) if v.active => Ok((None, v.name)),
            Some(Person::Volunteer(_)) | None => Err(StoreError::NotFound {
                what: match target {
                    BindingTarget::Member(_) => "member",
                    BindingTarget::Volunteer(_) => "volunteer",
                },
            }),
        }
    }

    /// Keeps a new binding code (its hash) for `target`, good for `ttl`.
    pub async fn issue_binding_code(
        &self,
        p: &Principal,
        target: BindingTarget,
        code_hash: &str,
        ttl: Duration,
    ) -> Result<IssuedBindingCode, StoreError> {
        require(p, Operation::ManageWechatBindings)?;
        let (family, for_name) = self.binding_person(p, target).await?;
        let (member_id, volunteer_id, kind) = match target {
            BindingTarget::Member(m) => (Some(m), None, MEMBER),
            BindingTarget::Volunteer(v) => (None, Some(v), VOLUNTEER),
        };
        let id = Uuid::now_v7();
        let now = self.clock.now();
        let expires_at = now + ttl;
        code::Entity::insert(code::ActiveModel {
            id: Set(id),
            code_hash: Set(code_hash.to_owned()),
            subject_kind: Set(kind.to_owned()),
            family_id: Set(family),
            member_id: Set(member_id),
            volunteer_id: Set(volunteer_id),
            issued_by: Set(p.actor_id()),
            issued_at: Set(now),
            expires_at: Set(expires_at),
            used_at: Set(None),
            binding_id: Set(None),
        })
        .exec_without_returning(&self.db)
        .await?;
        tracing::info!(code = %id, by = %p.actor_id(), kind, "binding code issued");
        Ok(IssuedBindingCode {
            id,
            expires_at,
            for_name,
        })
    }

    /// Redeems a binding code with a ticket, in one transaction: the ticket and the code are
    /// spent, the WeChat user's and the person's earlier bindings end, the new one is kept.
    /// `Ok(Err(_))` when it cannot be done (and nothing was written).
    pub async fn bind_wechat(
        &self,
        ticket_hash: &str,
        code_hash: &str,
    ) -> Result<Result<Principal, BindRefusal>, StoreError> {
        // The store's clock, so that expiry can be tested; WeChat's tickets are minutes.
        let now = self.clock.now();
        let txn = self.db.begin().await?;
        let Some(identity) = take_ticket(&txn, ticket_hash, now).await? else {
            return Ok(Err(BindRefusal::Ticket));
        };
        let Some(c) = code::Entity::find()
            .filter(code::Column::CodeHash.eq(code_hash))
            .one(&txn)
            .await?
        else {
            return Ok(Err(BindRefusal::UnknownCode));
        };
        if c.used_at.is_some() {
            return Ok(Err(BindRefusal::AlreadyUsed));
        }
        if c.expires_at <= now {
            return Ok(Err(BindRefusal::Expired));
        }
        let spent = code::Entity::update_many()
            .col_expr(code::Column::UsedAt, Expr::value(now))
            .filter(code::Column::Id.eq(c.id))
            .filter(code::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        if spent.rows_affected != 1 {
            return Ok(Err(BindRefusal::AlreadyUsed));
        }
        // Still someone to bind (read in this transaction: SQLite has one writer).
        let still_there = match (c.family_id, c.member_id, c.volunteer_id) {
            (Some(family), Some(m), _) => member::Entity::find_by_id(m)
                .filter(member::Column::FamilyId.eq(family))
                .filter(member::Column::DeceasedOn.is_null())
                .one(&txn)
                .await?
                .is_some(),
            (_, _, Some(v)) => volunteer::Entity::find_by_id(v)
                .filter(volunteer::Column::Active.eq(true))
                .one(&txn)
                .await?
                .is_some(),
            _ => false,
        };
        let principal =
            principal_of(c.family_id, c.member_id, c.volunteer_id).filter(|_| still_there);
        let Some(principal) = principal else {
            return Ok(Err(BindRefusal::Gone));
        };
        let Some(id) = bind_in(
            &txn,
            &identity,
            &c.subject_kind,
            (c.family_id, c.member_id, c.volunteer_id),
            BindVia::Code(c.issued_by),
            now,
        )
        .await?
        else {
            return Ok(Err(BindRefusal::Gone));
        };
        code::Entity::update_many()
            .col_expr(code::Column::BindingId, Expr::value(id))
            .filter(code::Column::Id.eq(c.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        tracing::info!(binding = %id, code = %c.id, kind = %c.subject_kind, "wechat bound");
        // With the reach its rows need (a volunteer's pairings), as every request sees it.
        Ok(self
            .recheck(&principal)
            .await?
            .map_err(|_| BindRefusal::Gone))
    }

    /// Ends a binding of a person in the caller's rows, with the reason.
    pub async fn unbind_wechat(
        &self,
        p: &Principal,
        id: Uuid,
        reason: &str,
    ) -> Result<WechatBindingRecord, StoreError> {
        require(p, Operation::ManageWechatBindings)?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(StoreError::bad_input(
                "reason",
                msg!("binding-reason-required"),
            ));
        }
        let row =
            binding::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .ok_or(StoreError::NotFound {
                    what: "wechat binding",
                })?;
        let target = target_of(&row).ok_or(StoreError::NotFound {
            what: "wechat binding",
        })?;
        // In the caller's rows, or not found (a binding outside them is not shown either).
        self.binding_person_in_rows(p, target).await?;
        if row.unbound_at.is_some() {
            return Err(StoreError::Conflict {
                field: Some("id".into()),
                message: msg!("binding-already-ended"),
            });
        }
        let txn = self.db.begin().await?;
        end(
            &txn,
            Condition::all().add(binding::Column::Id.eq(id)),
            Some(p.actor_id()),
            reason,
            self.clock.now(),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(binding = %id, by = %p.actor_id(), "wechat unbound");
        self.forget_accounts();
        let mut list = self.wechat_bindings(p, target).await?;
        list.retain(|b| b.id == id);
        list.pop().ok_or(StoreError::NotFound {
            what: "wechat binding",
        })
    }

    /// A member or volunteer in the caller's rows (living or not, active or not: the history
    /// of a binding stays readable).
    async fn person_in_rows(
        &self,
        p: &Principal,
        target: BindingTarget,
    ) -> Result<Option<Person>, StoreError> {
        Ok(match target {
            BindingTarget::Member(id) => member::Entity::find_by_id(id)
                .filter(slice::members(p))
                .one(&self.db)
                .await?
                .map(Person::Member),
            BindingTarget::Volunteer(id) => volunteer::Entity::find_by_id(id)
                .filter(volunteer_rows(p))
                .one(&self.db)
                .await?
                .map(Person::Volunteer),
        })
    }

    /// A binding's person in the caller's rows, or the binding is not found.
    async fn binding_person_in_rows(
        &self,
        p: &Principal,
        target: BindingTarget,
    ) -> Result<(), StoreError> {
        match self.person_in_rows(p, target).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound {
                what: "wechat binding",
            }),
        }
    }

    /// Every binding of a person in the caller's rows, newest first.
    pub async fn wechat_bindings(
        &self,
        p: &Principal,
        target: BindingTarget,
    ) -> Result<Vec<WechatBindingRecord>, StoreError> {
        require(p, Operation::ManageWechatBindings)?;
        self.binding_person_in_rows(p, target).await?;
        let of_person = match target {
            BindingTarget::Member(m) => binding::Column::MemberId.eq(m),
            BindingTarget::Volunteer(v) => binding::Column::VolunteerId.eq(v),
        };
        let rows = binding::Entity::find()
            .filter(of_person)
            .order_by_desc(binding::Column::BoundAt)
            .all(&self.db)
            .await?;
        let people: Vec<Uuid> = rows
            .iter()
            .flat_map(|r| [r.issued_by, r.unbound_by])
            .flatten()
            .collect();
        let names = self.staff_names(&people).await?;
        let name = |id: Option<Uuid>| id.and_then(|i| names.get(&i).cloned());
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(WechatBindingRecord {
                    id: r.id,
                    target: target_of(&r)?,
                    via: r.via,
                    bound_at: r.bound_at,
                    issued_by: name(r.issued_by),
                    unbound_at: r.unbound_at,
                    unbound_by: name(r.unbound_by),
                    unbound_reason: r.unbound_reason,
                })
            })
            .collect())
    }
}

fn target_of(row: &binding::Model) -> Option<BindingTarget> {
    match (row.member_id, row.volunteer_id) {
        (Some(m), _) => Some(BindingTarget::Member(m)),
        (_, Some(v)) => Some(BindingTarget::Volunteer(v)),
        _ => None,
    }
}

/// How a binding came about.
#[derive(Debug, Clone, Copy)]
pub(super) enum BindVia {
    /// A binding code, issued by this staff member.
    Code(Uuid),
    /// The user proved the phone number on file through WeChat.
    Phone,
}

/// Binds `identity` to the person named by (family, member, volunteer), inside the
/// caller's transaction: the WeChat user's earlier binding ends ("rebound"), so does the
/// person's ("superseded"), both kept as rows. `None` when the ids name nobody.
pub(super) async fn bind_in<C: ConnectionTrait>(
    txn: &C,
    identity: &WechatIdentity,
    subject_kind: &str,
    (family, member, volunteer): (Option<Uuid>, Option<Uuid>, Option<Uuid>),
    via: BindVia,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, StoreError> {
    let same_person = match (member, volunteer) {
        (Some(m), _) => binding::Column::MemberId.eq(m),
        (_, Some(v)) => binding::Column::VolunteerId.eq(v),
        _ => return Ok(None),
    };
    let same_user = Condition::all()
        .add(binding::Column::AppId.eq(identity.app_id.as_str()))
        .add(binding::Column::Openid.eq(identity.openid.as_str()));
    let replaced = end(txn, same_user, None, "rebound", now).await?;
    let superseded = end(
        txn,
        Condition::all()
            .add(same_person)
            .add(binding::Column::AppId.eq(identity.app_id.as_str())),
        None,
        "superseded",
        now,
    )
    .await?;
    let (via, issued_by) = match via {
        BindVia::Code(by) => ("binding_code", Some(by)),
        BindVia::Phone => ("phone", None),
    };
    let id = Uuid::now_v7();
    binding::Entity::insert(binding::ActiveModel {
        id: Set(id),
        app_id: Set(identity.app_id.clone()),
        openid: Set(identity.openid.clone()),
        unionid: Set(identity.unionid.clone()),
        subject_kind: Set(subject_kind.to_owned()),
        family_id: Set(family),
        member_id: Set(member),
        volunteer_id: Set(volunteer),
        via: Set(via.into()),
        bound_at: Set(now),
        issued_by: Set(issued_by),
        unbound_at: Set(None),
        unbound_by: Set(None),
        unbound_reason: Set(None),
    })
    .exec_without_returning(txn)
    .await?;
    tracing::info!(binding = %id, via, ended_for_this_user = replaced,
        ended_for_this_person = superseded, "wechat binding kept");
    Ok(Some(id))
}

/// Spends a ticket inside the binding's transaction: the identity it was issued for, or
/// `None` when it is unknown, expired or spent.
pub(super) async fn take_ticket<C: ConnectionTrait>(
    conn: &C,
    ticket_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<WechatIdentity>, StoreError> {
    let taken = wechat_ticket::Entity::update_many()
        .col_expr(wechat_ticket::Column::UsedAt, Expr::value(now))
        .filter(wechat_ticket::Column::TicketHash.eq(ticket_hash))
        .filter(wechat_ticket::Column::UsedAt.is_null())
        .filter(wechat_ticket::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    if taken.rows_affected != 1 {
        return Ok(None);
    }
    Ok(wechat_ticket::Entity::find_by_id(ticket_hash.to_owned())
        .one(conn)
        .await?
        .map(|t| WechatIdentity {
            app_id: t.app_id,
            openid: t.openid,
            unionid: t.unionid,
        }))
}
