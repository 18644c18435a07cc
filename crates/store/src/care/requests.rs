//! Families' requests (家庭诉求) from the mini-program, and workers' answers. A family files
//! requests for its own family only; a worker reads and answers those of the families in
//! their rows. Accepting a contact change writes the new phone or address to the member's
//! file in the same transaction as the answer; nothing else a family sends touches the file.

use chrono::{DateTime, Utc};
use nuanxin_domain::access::mask;
use nuanxin_domain::care::notices::{self, NoticeKind};
use nuanxin_domain::care::requests::{RequestKind, RequestState, ValidRequest};
use nuanxin_domain::{Operation, Principal};
use nuanxin_locale::msg;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionTrait,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::{family, family_request as req, member};
use crate::error::StoreError;
use crate::slice::{self, require};

/// A request as the family and the worker see it (the new phone and address masked).
#[derive(Debug, Clone)]
pub struct FamilyRequestRecord {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Uuid,
    pub member_name: String,
    pub kind: RequestKind,
    pub note: Option<String>,
    pub new_phone_masked: Option<String>,
    pub new_address_masked: Option<String>,
    pub state: RequestState,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<String>,
    pub answer_note: Option<String>,
}

/// The most requests one list shows (a village's open requests are a handful).
const LIST_MAX: u64 = 200;

const PHONE_FIELD: &str = "requestPhone";

/// Requests of the families the caller's rows reach.
fn in_rows(p: &Principal) -> Condition {
    let families = Query::select()
        .column(family::Column::Id)
        .from(family::Entity)
        .cond_where(slice::families(p))
        .to_owned();
    Condition::all().add(req::Column::FamilyId.in_subquery(families))
}

impl Store {
    /// Files a request of the caller's own family.
    pub async fn submit_request(
        &self,
        p: &Principal,
        request: ValidRequest,
    ) -> Result<FamilyRequestRecord, StoreError> {
        require(p, Operation::SubmitRequests)?;
        let family_id = slice::own_families(p)
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound { what: "family" })?;
        let id = Uuid::now_v7();
        let phone_enc = request
            .new_phone
            .as_deref()
            .map(|ph| self.encrypt(PHONE_FIELD, id, ph))
            .transpose()?;
        req::ActiveModel {
            id: Set(id),
            family_id: Set(family_id),
            member_id: Set(p.actor_id()),
            kind: Set(request.kind.as_str().to_owned()),
            note: Set(request.note),
            new_phone_enc: Set(phone_enc),
            new_address: Set(request.new_address),
            state: Set(RequestState::Open.as_str().to_owned()),
            answered_by: Set(None),
            answered_at: Set(None),
            answer_note: Set(None),
            created_at: Set(self.clock.now()),
        }
        .insert(&self.db)
        .await?;
        tracing::info!(request = %id, kind = request.kind.as_str(), "family request filed");
        self.request_records(vec![self.request_row(id).await?])
            .await?
            .pop()
            .ok_or(StoreError::NotFound { what: "request" })
    }

    async fn request_row(&self, id: Uuid) -> Result<req::Model, StoreError> {
        req::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "request" })
    }

    /// The caller's own family's requests, newest first.
    pub async fn my_requests(&self, p: &Principal) -> Result<Vec<FamilyRequestRecord>, StoreError> {
        require(p, Operation::SubmitRequests)?;
        let rows = req::Entity::find()
            .filter(req::Column::FamilyId.is_in(slice::own_families(p)))
            .order_by_desc(req::Column::CreatedAt)
            .limit(LIST_MAX)
            .all(&self.db)
            .await?;
        self.request_records(rows).await
    }

    /// Requests of the families in the caller's rows (open ones only, or all), newest first.
    pub async fn family_requests(
        &self,
        p: &Principal,
        open_only: bool,
    ) -> Result<Vec<FamilyRequestRecord>, StoreError> {
        require(p, Operation::AnswerRequests)?;
        let mut q = req::Entity::find().filter(in_rows(p));
        if open_only {
            q = q.filter(req::Column::State.eq(RequestState::Open.as_str()));
        }
        let rows = q
            .order_by_desc(req::Column::CreatedAt)
            .limit(LIST_MAX)
            .all(&self.db)
            .await?;
        self.request_records(rows).await
    }

    /// Answers an open request of a family in the caller's rows. A declined request needs
    /// the reason the family will read; an accepted contact change is written to the file.
    pub async fn answer_request(
        &self,
        p: &Principal,
        id: Uuid,
        accept: bool,
        note: Option<String>,
    ) -> Result<FamilyRequestRecord, StoreError> {
        require(p, Operation::AnswerRequests)?;
        if !accept && note.is_none() {
            return Err(StoreError::bad_input(
                "note",
                msg!("request-decline-reason"),
            ));
        }
        let row = req::Entity::find_by_id(id)
            .filter(in_rows(p))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "request" })?;
        let state = if accept {
            RequestState::Accepted
        } else {
            RequestState::Declined
        };
        let now = self.clock.now();
        let note_for_notice = note.clone();
        let txn = self.db.begin().await?;
        let answered = req::Entity::update_many()
            .col_expr(req::Column::State, Expr::value(state.as_str()))
            .col_expr(req::Column::AnsweredBy, Expr::value(p.actor_id()))
            .col_expr(req::Column::AnsweredAt, Expr::value(now))
            .col_expr(req::Column::AnswerNote, Expr::value(note))
            .filter(req::Column::Id.eq(id))
            .filter(req::Column::State.eq(RequestState::Open.as_str()))
            .exec(&txn)
            .await?;
        if answered.rows_affected != 1 {
            return Err(StoreError::Conflict {
                field: Some("id".into()),
                message: msg!("request-already-answered"),
            });
        }
        if accept && row.kind == RequestKind::ContactChange.as_str() {
            let mut change = member::Entity::update_many()
                .col_expr(member::Column::UpdatedAt, Expr::value(now))
                .filter(member::Column::Id.eq(row.member_id));
            if let Some(enc) = &row.new_phone_enc {
                let phone = self
                    .vault
                    .decrypt(PHONE_FIELD, row.id, enc)
                    .map_err(|e| StoreError::Internal(e.to_string()))?;
                change = change
                    .col_expr(
                        member::Column::PhoneEnc,
                        Expr::value(self.encrypt("phone", row.member_id, &phone)?),
                    )
                    .col_expr(
                        member::Column::PhoneBidx,
                        Expr::value(self.phone_bidx(&phone)),
                    );
            }
            if let Some(address) = &row.new_address {
                change = change.col_expr(member::Column::Address, Expr::value(address.clone()));
            }
            change.exec(&txn).await?;
        }
        // The member who asked hears the answer, if they accepted a reminder of it.
        let asked = RequestKind::parse(&row.kind)
            .map(|k| {
                nuanxin_locale::Message::term("request-kind", k.as_str())
                    .render(nuanxin_locale::Locale::Zh)
            })
            .unwrap_or_default();
        crate::wechat::notices::queue(
            &txn,
            row.family_id,
            row.member_id,
            NoticeKind::RequestAnswered,
            notices::request_answered(&asked, accept, note_for_notice.as_deref()),
            now,
        )
        .await?;
        txn.commit().await?;
        tracing::info!(request = %id, by = %p.actor_id(), state = state.as_str(), "family request answered");
        self.request_records(vec![self.request_row(id).await?])
            .await?
            .pop()
            .ok_or(StoreError::NotFound { what: "request" })
    }

    /// Rows as records: members' names and workers' names in one query each.
    async fn request_records(
        &self,
        rows: Vec<req::Model>,
    ) -> Result<Vec<FamilyRequestRecord>, StoreError> {
        let member_ids: Vec<Uuid> = rows.iter().map(|r| r.member_id).collect();
        let names: std::collections::HashMap<Uuid, String> = member::Entity::find()
            .filter(member::Column::Id.is_in(member_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
        let workers: Vec<Uuid> = rows.iter().filter_map(|r| r.answered_by).collect();
        let staff = self.staff_names(&workers).await?;
        rows.into_iter()
            .map(|r| {
                let phone = r
                    .new_phone_enc
                    .as_deref()
                    .map(|enc| {
                        self.vault
                            .decrypt(PHONE_FIELD, r.id, enc)
                            .map(|ph| mask::phone(&ph))
                            .map_err(|e| StoreError::Internal(e.to_string()))
                    })
                    .transpose()?;
                Ok(FamilyRequestRecord {
                    id: r.id,
                    family_id: r.family_id,
                    member_id: r.member_id,
                    member_name: names.get(&r.member_id).cloned().unwrap_or_default(),
                    kind: RequestKind::parse(&r.kind)
                        .ok_or_else(|| StoreError::Internal(format!("request kind {}", r.kind)))?,
                    note: r.note,
                    new_phone_masked: phone,
                    new_address_masked: r.new_address.as_deref().map(mask::address),
                    state: RequestState::parse(&r.state).ok_or_else(|| {
                        StoreError::Internal(format!("request state {}", r.state))
                    })?,
                    created_at: r.created_at,
                    answered_at: r.answered_at,
                    answered_by: r.answered_by.and_then(|s| staff.get(&s).cloned()),
                    answer_note: r.answer_note,
                })
            })
            .collect()
    }
}
