//! Each partner app's allow-list of persisted operations, kept by the city: register the
//! documents of the app's `.graphql` files, list them, take one off.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use nuanxin_domain::policy::Operation;
use nuanxin_locale::{Localised, msg};
use nuanxin_store::{NewOperation, OperationRecord, Store};

use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use crate::persisted::{MAX_DOCUMENT_BYTES, check_document};

/// An operation an app may run.
#[derive(SimpleObject)]
pub struct PartnerOperation {
    /// The SHA-256 of the document's bytes (lowercase hex): what a client may send alone,
    /// as `extensions.persistedQuery.sha256Hash`.
    pub sha256_hash: String,
    pub operation_names: Vec<String>,
    pub document: String,
    pub registered_by: String,
    pub registered_at: DateTime<Utc>,
}

impl From<OperationRecord> for PartnerOperation {
    fn from(r: OperationRecord) -> Self {
        PartnerOperation {
            sha256_hash: r.hash,
            operation_names: r.operation_names,
            document: r.document,
            registered_by: r.registered_by,
            registered_at: r.registered_at,
        }
    }
}

/// Documents to register, each parsed, checked and hashed (the first at fault is named by
/// its place in the list).
pub(crate) fn checked_documents(documents: &[String]) -> Result<Vec<NewOperation>, ApiError> {
    if documents.len() > nuanxin_store::MAX_OPERATIONS_PER_APP {
        return Err(ApiError::bad_input(
            "documents",
            msg!(
                "operations-too-many",
                max = nuanxin_store::MAX_OPERATIONS_PER_APP
            ),
        ));
    }
    let mut checked = Vec::with_capacity(documents.len());
    for (i, d) in documents.iter().enumerate() {
        let doc = check_document(d).map_err(|e| {
            ApiError::bad_input(
                "documents",
                msg!(
                    "operation-document-bad",
                    number = i + 1,
                    max = MAX_DOCUMENT_BYTES,
                    reason = e.message()
                ),
            )
        })?;
        checked.push(NewOperation {
            hash: doc.hash,
            document: doc.document,
            operation_names: doc.operation_names,
        });
    }
    Ok(checked)
}

#[derive(Default)]
pub struct OperationQuery;

#[Object]
impl OperationQuery {
    /// The operations an app may run.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn partner_operations(
        &self,
        ctx: &Context<'_>,
        app_id: ID,
    ) -> async_graphql::Result<Vec<PartnerOperation>> {
        let store = ctx.data::<Store>()?;
        let app = ids::decode(Kind::PartnerApp, &app_id, "appId").gql()?;
        Ok(store
            .operations(principal(ctx), app)
            .await
            .gql()?
            .into_iter()
            .map(PartnerOperation::from)
            .collect())
    }
}

#[derive(Default)]
pub struct OperationMutation;

#[Object]
impl OperationMutation {
    /// Lets an app run these documents (each the exact text of one of its `.graphql`
    /// files); all or nothing. The app's tokens run nothing else.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn register_partner_operations(
        &self,
        ctx: &Context<'_>,
        app_id: ID,
        documents: Vec<String>,
    ) -> async_graphql::Result<Vec<PartnerOperation>> {
        let store = ctx.data::<Store>()?;
        let app = ids::decode(Kind::PartnerApp, &app_id, "appId").gql()?;
        let checked = checked_documents(&documents).gql()?;
        Ok(store
            .register_operations(principal(ctx), app, checked)
            .await
            .gql()?
            .into_iter()
            .map(PartnerOperation::from)
            .collect())
    }

    /// Takes an operation off an app's allow-list; its next request with it is refused.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn remove_partner_operation(
        &self,
        ctx: &Context<'_>,
        app_id: ID,
        sha256_hash: String,
    ) -> async_graphql::Result<bool> {
        let store = ctx.data::<Store>()?;
        let app = ids::decode(Kind::PartnerApp, &app_id, "appId").gql()?;
        store
            .remove_operation(principal(ctx), app, &sha256_hash.to_ascii_lowercase())
            .await
            .gql()?;
        Ok(true)
    }
}
