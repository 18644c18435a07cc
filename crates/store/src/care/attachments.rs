//! Attachments, kept in the database (every gateway replica reads them) with their sha256;
//! reached through the family they belong to, under the care-record rule.

use chrono::Utc;
use nuanxin_domain::Principal;
use nuanxin_domain::care::attachment::CheckedFile;
use nuanxin_domain::policy::{Operation, Resource};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::reachable_family;
use crate::Store;
use crate::entity::attachment as att;
use crate::error::StoreError;
use crate::slice::{self, require};

#[derive(Debug, Clone)]
pub struct AttachmentRecord {
    pub id: Uuid,
    pub family: Uuid,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: chrono::DateTime<Utc>,
}

/// An attachment with its bytes, for download.
#[derive(Debug, Clone)]
pub struct AttachmentFile {
    pub record: AttachmentRecord,
    pub bytes: Vec<u8>,
}

fn record(m: &att::Model) -> AttachmentRecord {
    AttachmentRecord {
        id: m.id,
        family: m.family_id,
        name: m.name.clone(),
        content_type: m.content_type.clone(),
        size_bytes: m.size_bytes,
        sha256: m.sha256.clone(),
        uploaded_at: m.uploaded_at,
    }
}

impl Store {
    /// Stores a checked file for a family the caller may write care records for.
    pub async fn store_attachment(
        &self,
        p: &Principal,
        family: Uuid,
        file: CheckedFile,
        bytes: Vec<u8>,
    ) -> Result<AttachmentRecord, StoreError> {
        require(p, Operation::RecordCare)?;
        reachable_family(&self.db, p, Resource::CareRecord, family).await?;
        let sha256 = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        let model = att::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(family),
            name: Set(file.name),
            content_type: Set(file.content_type.into()),
            size_bytes: Set(bytes.len() as i64),
            sha256: Set(sha256),
            content: Set(bytes),
            uploaded_by: Set(p.actor_id()),
            uploaded_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        Ok(record(&model))
    }

    /// An attachment with its bytes, when its family is in the caller's care-record rows;
    /// NOT_FOUND otherwise (outside the slice and missing look the same).
    pub async fn attachment(&self, p: &Principal, id: Uuid) -> Result<AttachmentFile, StoreError> {
        require(p, Operation::ReadCare)?;
        let m = att::Entity::find_by_id(id)
            .filter(slice::of_families(
                p,
                Resource::CareRecord,
                att::Column::FamilyId,
            ))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "attachment" })?;
        Ok(AttachmentFile {
            record: record(&m),
            bytes: m.content,
        })
    }
}
