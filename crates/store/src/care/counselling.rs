//! Counselling (心理疏导): that a session took place is a row most staff may see; what was
//! said is a separate row, encrypted, that only the notes rule reaches (the author, a
//! counselling supervisor of the region). Every read of notes is logged.

use chrono::{NaiveDate, Utc};
use nuanxin_domain::Principal;
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::text;
use nuanxin_locale::msg;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use super::{member_of, reachable_family};
use crate::Store;
use crate::entity::{counselling_note as note, counselling_session as session};
use crate::error::StoreError;
use crate::records::RequestMeta;
use crate::slice::{self, require};

#[derive(Debug, Clone)]
pub struct CounsellingRecord {
    pub id: Uuid,
    pub family: Uuid,
    pub member: Option<Uuid>,
    pub held_on: NaiveDate,
    pub counsellor_name: String,
}

pub(crate) fn session_record(m: session::Model) -> CounsellingRecord {
    CounsellingRecord {
        id: m.id,
        family: m.family_id,
        member: m.member_id,
        held_on: m.held_on,
        counsellor_name: m.counsellor_name,
    }
}

/// The longest notes of one session.
const NOTES_MAX: usize = 20_000;

impl Store {
    pub async fn record_counselling(
        &self,
        p: &Principal,
        family: Uuid,
        member: Option<Uuid>,
        held_on: NaiveDate,
        notes: &str,
    ) -> Result<CounsellingRecord, StoreError> {
        require(p, Operation::RecordCounselling)?;
        let notes =
            text::required(notes, NOTES_MAX).map_err(|e| StoreError::bad_input("notes", e))?;
        if held_on > self.today() {
            return Err(StoreError::bad_input("heldOn", msg!("date-in-future")));
        }
        let txn = self.db.begin().await?;
        let family = reachable_family(&txn, p, Resource::CounsellingSession, family).await?;
        if let Some(m) = member {
            member_of(&txn, p, family.id, m).await?;
        }
        let id = Uuid::now_v7();
        let m = session::ActiveModel {
            id: Set(id),
            family_id: Set(family.id),
            member_id: Set(member),
            held_on: Set(held_on),
            counsellor_id: Set(p.actor_id()),
            counsellor_name: Set(p.actor_name()),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
        note::ActiveModel {
            session_id: Set(id),
            author_id: Set(p.actor_id()),
            notes_enc: Set(self.encrypt("counsellingNotes", id, &notes)?),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(session_record(m))
    }

    /// Sessions of a family: that they took place, by whom, when.
    pub async fn counselling_sessions(
        &self,
        p: &Principal,
        family: Uuid,
    ) -> Result<Vec<CounsellingRecord>, StoreError> {
        require(p, Operation::ReadCare)?;
        Ok(session::Entity::find()
            .filter(session::Column::FamilyId.eq(family))
            .filter(slice::of_families(
                p,
                Resource::CounsellingSession,
                session::Column::FamilyId,
            ))
            .filter(slice::about_members(p, session::Column::MemberId))
            .order_by_desc(session::Column::HeldOn)
            .order_by_desc(session::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(session_record)
            .collect())
    }

    /// The notes of sessions the caller reached, where the notes rule reaches them too;
    /// logged (one row per session's person) before they are released. A session whose
    /// notes are outside the rule reads as `None`.
    pub async fn counselling_notes(
        &self,
        p: &Principal,
        sessions: &[CounsellingRecord],
        meta: &RequestMeta,
    ) -> Result<Vec<Option<String>>, StoreError> {
        use nuanxin_domain::policy::{FieldAccess, SensitiveField};
        if p.field_access(SensitiveField::CounsellingNotes) == FieldAccess::Hidden {
            return Err(StoreError::forbidden(msg!(
                "forbidden-unmask",
                role = p.audience().word(),
                field = SensitiveField::CounsellingNotes.word()
            )));
        }
        let ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = note::Entity::find()
            .filter(note::Column::SessionId.is_in(ids))
            .filter(slice::counselling_notes(p))
            .all(&self.db)
            .await?;
        let released: Vec<&CounsellingRecord> = sessions
            .iter()
            .filter(|s| rows.iter().any(|r| r.session_id == s.id))
            .collect();
        self.log_reads(
            p,
            released.iter().map(|s| s.member),
            "counsellingNotes",
            "read",
            "counselling",
            meta,
        )
        .await?;
        sessions
            .iter()
            .map(|s| match rows.iter().find(|r| r.session_id == s.id) {
                Some(r) => self
                    .vault
                    .decrypt("counsellingNotes", s.id, &r.notes_enc)
                    .map(Some)
                    .map_err(|e| StoreError::Internal(e.to_string())),
                None => Ok(None),
            })
            .collect()
    }
}
