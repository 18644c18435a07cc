//! The hospital green channel (绿色通道): cards issued by staff, the registration window's
//! check (exact match through the blind index, within the hospital's rows: card holders
//! whose families consent; every call logged), and what a hospital may write.

use chrono::{NaiveDate, Utc};
use nuanxin_domain::policy::Operation;
use nuanxin_domain::{IdNumber, Principal};
use nuanxin_locale::msg;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::{green_channel_card as card, member as mem};
use crate::error::StoreError;
use crate::records::RequestMeta;
use crate::slice::{self, require};

#[derive(Debug, Clone)]
pub struct CardRecord {
    pub id: Uuid,
    pub member: Uuid,
    pub card_no: String,
    pub issued_on: NaiveDate,
    pub revoked_on: Option<NaiveDate>,
}

/// What the registration window learns: eligible or not, and for a card holder the card
/// number and the surname (to match the person at the desk), nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GreenChannelCheck {
    pub eligible: bool,
    pub card_no: Option<String>,
    pub surname: Option<String>,
}

fn card_record(m: card::Model) -> CardRecord {
    CardRecord {
        id: m.id,
        member: m.member_id,
        card_no: m.card_no,
        issued_on: m.issued_on,
        revoked_on: m.revoked_on,
    }
}

impl Store {
    /// Issues a member (living, in the caller's rows) a green-channel card.
    pub async fn issue_green_channel_card(
        &self,
        p: &Principal,
        member: Uuid,
    ) -> Result<CardRecord, StoreError> {
        require(p, Operation::IssueGreenChannelCard)?;
        let m = mem::Entity::find_by_id(member)
            .filter(slice::members(p))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "member" })?;
        if m.deceased_on.is_some() {
            return Err(StoreError::bad_input("memberId", msg!("member-deceased")));
        }
        let id = Uuid::now_v7();
        let tail = id.simple().to_string();
        let card_no = format!(
            "LS{}{}",
            &m.hukou_region_code[..6.min(m.hukou_region_code.len())],
            tail[tail.len() - 8..].to_uppercase()
        );
        let family = crate::entity::family::Entity::find_by_id(m.family_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "member" })?;
        let txn = self.db.begin().await?;
        let row = card::ActiveModel {
            id: Set(id),
            family_id: Set(m.family_id),
            member_id: Set(m.id),
            card_no: Set(card_no),
            issued_on: Set(self.today()),
            revoked_on: Set(None),
            issued_by: Set(p.actor_id()),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Conflict {
                field: Some("memberId".into()),
                message: msg!("card-exists"),
            },
            other => other,
        })?;
        // The hospitals hear of it (a webhook), in this same transaction.
        self.card_issued(&txn, &row, &family).await?;
        txn.commit().await?;
        Ok(card_record(row))
    }

    pub async fn revoke_green_channel_card(
        &self,
        p: &Principal,
        card_id: Uuid,
    ) -> Result<CardRecord, StoreError> {
        require(p, Operation::IssueGreenChannelCard)?;
        let reachable = sea_orm::sea_query::Query::select()
            .column(mem::Column::Id)
            .from(mem::Entity)
            .cond_where(slice::members(p))
            .to_owned();
        let row = card::Entity::find_by_id(card_id)
            .filter(card::Column::MemberId.in_subquery(reachable))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "card" })?;
        if row.revoked_on.is_some() {
            return Err(StoreError::Conflict {
                field: Some("cardId".into()),
                message: msg!("card-revoked-already"),
            });
        }
        let today = self.today();
        card::Entity::update_many()
            .col_expr(card::Column::RevokedOn, Expr::value(today))
            .filter(card::Column::Id.eq(card_id))
            .exec(&self.db)
            .await?;
        Ok(CardRecord {
            revoked_on: Some(today),
            ..card_record(row)
        })
    }

    /// The check at the registration window. Only an exact ID number matches; a person
    /// outside the caller's rows (no card, no consent) is simply not eligible; every call is
    /// written to the access log before the answer leaves.
    pub async fn verify_green_channel(
        &self,
        p: &Principal,
        id_number: &IdNumber,
        meta: &RequestMeta,
    ) -> Result<GreenChannelCheck, StoreError> {
        require(p, Operation::VerifyGreenChannel)?;
        let bidx = self.vault.blind_index("idNumber", id_number.expose());
        let member = mem::Entity::find()
            .filter(slice::members(p))
            .filter(mem::Column::IdNumberBidx.eq(bidx))
            .filter(mem::Column::DeceasedOn.is_null())
            .one(&self.db)
            .await?;
        let active = match &member {
            Some(m) => {
                card::Entity::find()
                    .filter(card::Column::MemberId.eq(m.id))
                    .filter(card::Column::RevokedOn.is_null())
                    .order_by_desc(card::Column::Id)
                    .one(&self.db)
                    .await?
            }
            None => None,
        };
        self.log_reads(
            p,
            [member.as_ref().map(|m| m.id)],
            "greenChannel",
            "verifyGreenChannel",
            "green-channel registration check",
            meta,
        )
        .await?;
        Ok(match (member, active) {
            (Some(m), Some(c)) => GreenChannelCheck {
                eligible: true,
                card_no: Some(c.card_no),
                surname: m.name.chars().next().map(String::from),
            },
            _ => GreenChannelCheck {
                eligible: false,
                card_no: None,
                surname: None,
            },
        })
    }

    /// Whether a member holds an active card (what a hospital may write about).
    pub(crate) async fn holds_card<C: sea_orm::ConnectionTrait>(
        conn: &C,
        member: Uuid,
    ) -> Result<bool, StoreError> {
        Ok(card::Entity::find()
            .filter(card::Column::MemberId.eq(member))
            .filter(card::Column::RevokedOn.is_null())
            .one(conn)
            .await?
            .is_some())
    }
}
