//! The access log as the API shows it.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};

use crate::guard::{self};
use crate::ids::{self, Kind};
use nuanxin_store::AccessLogEntry as StoreAccessLogEntry;

/// One read of sensitive data (append-only).
#[derive(SimpleObject)]
#[graphql(visible = "guard::may_read_access_log")]
pub struct AccessLogEntry {
    pub id: ID,
    pub at: DateTime<Utc>,
    pub actor_id: ID,
    pub actor_name: String,
    pub actor_role: String,
    pub member_id: Option<ID>,
    pub fields: Vec<String>,
    pub operation: String,
    pub purpose: String,
    pub request_id: String,
}

impl From<StoreAccessLogEntry> for AccessLogEntry {
    fn from(e: StoreAccessLogEntry) -> Self {
        Self {
            id: ids::encode(Kind::AccessLog, e.id),
            at: e.at,
            actor_id: ID(e.actor_id.to_string()),
            actor_name: e.actor_name,
            actor_role: e.actor_role,
            member_id: e.member_id.map(|m| ids::encode(Kind::Member, m)),
            fields: e.fields,
            operation: e.operation,
            purpose: e.purpose,
            request_id: e.request_id,
        }
    }
}
