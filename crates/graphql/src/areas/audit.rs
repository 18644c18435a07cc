//! The access log, for auditors.

use async_graphql::{Context, ID, Object};
use nuanxin_domain::policy::Operation;
use nuanxin_store::Store;

use crate::error::IntoGql;
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use crate::types::{AccessLogConnection, AccessLogEdge, AccessLogEntry, page_info};

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Every read of sensitive personal information, newest first.
    #[graphql(
        guard = "Allowed(Operation::ReadAccessLog)",
        visible = "guard::may_read_access_log"
    )]
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        member_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<AccessLogConnection> {
        let store = ctx.data::<Store>()?;
        let first = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let member = member_id
            .map(|m| ids::decode(Kind::Member, &m, "memberId"))
            .transpose()
            .gql()?;
        let page = store
            .access_log(principal(ctx), member, first, after_id)
            .await
            .gql()?;
        let edges: Vec<AccessLogEdge> = page
            .items
            .into_iter()
            .map(|e| AccessLogEdge {
                cursor: ids::cursor(e.id),
                node: AccessLogEntry::from(e),
            })
            .collect();
        Ok(AccessLogConnection {
            page_info: page_info(&edges, |e| &e.cursor, page.has_next_page, after.is_some()),
            edges,
        })
    }
}
