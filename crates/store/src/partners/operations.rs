//! The operations each partner app may run (its allow-list of persisted operations),
//! registered by city admins; the edge's look-up of a document by app and hash.

use chrono::{DateTime, Utc};
use nuanxin_locale::msg;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use uuid::Uuid;

use nuanxin_domain::Principal;

use super::apps::manages;
use crate::Store;
use crate::entity::{partner_app, partner_operation as op};
use crate::error::StoreError;

/// A document to register, already parsed and hashed by the gateway.
#[derive(Debug, Clone)]
pub struct NewOperation {
    pub hash: String,
    pub document: String,
    pub operation_names: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct OperationRecord {
    pub app: Uuid,
    pub hash: String,
    pub document: String,
    pub operation_names: Vec<String>,
    pub registered_by: String,
    pub registered_at: DateTime<Utc>,
}

/// At most this many operations per app: a partner integration runs a handful.
pub const MAX_OPERATIONS_PER_APP: usize = 200;

fn record(m: op::Model) -> OperationRecord {
    OperationRecord {
        app: m.app_id,
        hash: m.hash,
        document: m.document,
        operation_names: m
            .operation_names
            .split(',')
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect(),
        registered_by: m.registered_by,
        registered_at: m.registered_at,
    }
}

/// The documents not on an allow-list yet (each once), refused when the list would grow
/// beyond [`MAX_OPERATIONS_PER_APP`].
pub(super) fn not_yet_listed(
    existing: &[String],
    documents: Vec<NewOperation>,
) -> Result<Vec<NewOperation>, StoreError> {
    if documents.is_empty() {
        return Err(StoreError::bad_input("documents", msg!("operations-none")));
    }
    let mut fresh: Vec<NewOperation> = Vec::new();
    for d in documents {
        if !existing.contains(&d.hash) && !fresh.iter().any(|f| f.hash == d.hash) {
            fresh.push(d);
        }
    }
    if existing.len() + fresh.len() > MAX_OPERATIONS_PER_APP {
        return Err(StoreError::bad_input(
            "documents",
            msg!("operations-too-many", max = MAX_OPERATIONS_PER_APP),
        ));
    }
    Ok(fresh)
}

impl Store {
    /// Adds documents to an app's allow-list (a document already there stays as it was).
    pub async fn register_operations(
        &self,
        p: &Principal,
        app: Uuid,
        documents: Vec<NewOperation>,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        manages(p)?;
        let txn = self.db.begin().await?;
        partner_app::Entity::find_by_id(app)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "app" })?;
        let existing: Vec<String> = op::Entity::find()
            .filter(op::Column::AppId.eq(app))
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| m.hash)
            .collect();
        let fresh = not_yet_listed(&existing, documents)?;
        let now = Utc::now();
        if !fresh.is_empty() {
            op::Entity::insert_many(fresh.into_iter().map(|d| op::ActiveModel {
                app_id: Set(app),
                hash: Set(d.hash),
                document: Set(d.document),
                operation_names: Set(d.operation_names.join(",")),
                registered_by: Set(p.actor_name()),
                registered_at: Set(now),
            }))
            .exec(&txn)
            .await?;
        }
        txn.commit().await?;
        self.operations(p, app).await
    }

    /// An app's allow-list.
    pub async fn operations(
        &self,
        p: &Principal,
        app: Uuid,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        manages(p)?;
        Ok(op::Entity::find()
            .filter(op::Column::AppId.eq(app))
            .order_by_asc(op::Column::RegisteredAt)
            .order_by_asc(op::Column::Hash)
            .all(&self.db)
            .await?
            .into_iter()
            .map(record)
            .collect())
    }

    /// Takes a document off an app's allow-list: its next request with it is refused.
    pub async fn remove_operation(
        &self,
        p: &Principal,
        app: Uuid,
        hash: &str,
    ) -> Result<(), StoreError> {
        manages(p)?;
        let done = op::Entity::delete_many()
            .filter(op::Column::AppId.eq(app))
            .filter(op::Column::Hash.eq(hash))
            .exec(&self.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound { what: "operation" });
        }
        Ok(())
    }

    /// The document an app may run under `hash`, if it is on the app's allow-list (the
    /// edge's check, one primary-key read per partner request).
    pub async fn allowed_operation(
        &self,
        app: Uuid,
        hash: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(op::Entity::find_by_id((app, hash.to_owned()))
            .one(&self.db)
            .await?
            .map(|m| m.document))
    }

    /// A registered document by its hash alone, for callers without an allow-list (staff,
    /// anonymous sign-in) who send the hash of a document some app or mini-program
    /// registered.
    pub async fn registered_document(&self, hash: &str) -> Result<Option<String>, StoreError> {
        if let Some(m) = op::Entity::find()
            .filter(op::Column::Hash.eq(hash))
            .one(&self.db)
            .await?
        {
            return Ok(Some(m.document));
        }
        // A mini-program's sign-in runs before there is a token to name it.
        Ok(crate::entity::mini_program_operation::Entity::find()
            .filter(crate::entity::mini_program_operation::Column::Hash.eq(hash))
            .one(&self.db)
            .await?
            .map(|m| m.document))
    }
}
