//! Consent to share with a kind of partner for its purpose: an append-only history (the
//! database refuses edits) and the current state beside it, written in one transaction.
//! Partner queries check the state in SQL, so a withdrawal cuts access on the next request.

use chrono::{NaiveDate, Utc};
use nuanxin_domain::partners::ConsentPurpose;
use nuanxin_domain::policy::Operation;
use nuanxin_domain::{PartnerKind, Principal};
use nuanxin_locale::msg;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::{attachment, consent, consent_state, family as fam};
use crate::error::StoreError;
use crate::slice::{self, require};

#[derive(Debug, Clone)]
pub struct ConsentRecord {
    pub id: Uuid,
    pub family: Uuid,
    pub recipient: PartnerKind,
    pub purpose: ConsentPurpose,
    pub given: bool,
    pub effective_on: NaiveDate,
    pub evidence: Option<Uuid>,
    pub recorded_at: chrono::DateTime<Utc>,
}

fn record(m: consent::Model) -> Option<ConsentRecord> {
    Some(ConsentRecord {
        recipient: PartnerKind::parse(&m.recipient_kind)?,
        purpose: ConsentPurpose::parse(&m.purpose)?,
        id: m.id,
        family: m.family_id,
        given: m.given,
        effective_on: m.effective_on,
        evidence: m.evidence_id,
        recorded_at: m.recorded_at,
    })
}

impl Store {
    /// Records a family's consent to share with `recipient` for its purpose, or its
    /// withdrawal. A consent needs its evidence (the signed form, uploaded as an attachment
    /// of the family); a withdrawal is honoured on the family's word.
    pub async fn record_consent(
        &self,
        p: &Principal,
        family: Uuid,
        recipient: PartnerKind,
        given: bool,
        effective_on: NaiveDate,
        evidence: Option<Uuid>,
    ) -> Result<ConsentRecord, StoreError> {
        require(p, Operation::RecordConsent)?;
        self.write_consent(p, family, recipient, given, effective_on, evidence)
            .await
    }

    /// A family member withdraws their family's consent to share with `recipient`, from
    /// today, in the mini-program: a withdrawal is honoured on the family's word, and
    /// partner access ends on their next request.
    pub async fn withdraw_own_consent(
        &self,
        p: &Principal,
        recipient: PartnerKind,
    ) -> Result<ConsentRecord, StoreError> {
        require(p, Operation::ManageOwnConsents)?;
        let family = slice::own_families(p)
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound { what: "family" })?;
        self.write_consent(p, family, recipient, false, self.today(), None)
            .await
    }

    /// The caller's own family's consents and withdrawals, newest first.
    pub async fn own_consents(&self, p: &Principal) -> Result<Vec<ConsentRecord>, StoreError> {
        require(p, Operation::ManageOwnConsents)?;
        Ok(consent::Entity::find()
            .filter(consent::Column::FamilyId.is_in(slice::own_families(p)))
            .order_by_desc(consent::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(record)
            .collect())
    }

    async fn write_consent(
        &self,
        p: &Principal,
        family: Uuid,
        recipient: PartnerKind,
        given: bool,
        effective_on: NaiveDate,
        evidence: Option<Uuid>,
    ) -> Result<ConsentRecord, StoreError> {
        if effective_on > self.today() {
            return Err(StoreError::bad_input("effectiveOn", msg!("date-in-future")));
        }
        if given && evidence.is_none() {
            return Err(StoreError::bad_input(
                "evidenceId",
                msg!("consent-needs-evidence"),
            ));
        }
        let txn = self.db.begin().await?;
        fam::Entity::find_by_id(family)
            .filter(slice::families(p))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "family" })?;
        if let Some(e) = evidence {
            attachment::Entity::find_by_id(e)
                .filter(attachment::Column::FamilyId.eq(family))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    StoreError::bad_input("evidenceId", msg!("attachment-other-family"))
                })?;
        }
        let purpose = ConsentPurpose::of_kind(recipient);
        let now = Utc::now();
        let m = consent::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(family),
            recipient_kind: Set(recipient.as_str().into()),
            purpose: Set(purpose.as_str().into()),
            given: Set(given),
            effective_on: Set(effective_on),
            evidence_id: Set(evidence),
            recorded_by: Set(p.actor_id()),
            recorded_at: Set(now),
        }
        .insert(&txn)
        .await?;
        consent_state::Entity::insert(consent_state::ActiveModel {
            family_id: Set(family),
            recipient_kind: Set(recipient.as_str().into()),
            purpose: Set(purpose.as_str().into()),
            given: Set(given),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                consent_state::Column::FamilyId,
                consent_state::Column::RecipientKind,
                consent_state::Column::Purpose,
            ])
            .update_columns([
                consent_state::Column::Given,
                consent_state::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec(&txn)
        .await?;
        txn.commit().await?;
        record(m).ok_or_else(|| StoreError::Internal("consent kind".into()))
    }

    /// A family's consents and withdrawals, newest first.
    pub async fn consents(
        &self,
        p: &Principal,
        family: Uuid,
    ) -> Result<Vec<ConsentRecord>, StoreError> {
        require(p, Operation::RecordConsent)?;
        let reachable = sea_orm::sea_query::Query::select()
            .column(fam::Column::Id)
            .from(fam::Entity)
            .cond_where(slice::families(p))
            .to_owned();
        Ok(consent::Entity::find()
            .filter(consent::Column::FamilyId.eq(family))
            .filter(consent::Column::FamilyId.in_subquery(reachable))
            .order_by_desc(consent::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(record)
            .collect())
    }
}
