//! The access log, for auditors: entries about the persons in their rows.

use async_graphql::{Context, ID, Object};
use nuanxin_domain::policy::Operation;

use crate::connection::{self, Connection};
use crate::error::IntoGql;
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use nuanxin_store::Store;

use crate::access::objects::AccessLogEntry;

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// Every read of sensitive personal information, newest first.
    #[graphql(
        guard = "Allowed(Operation::ReadAccessLog)",
        visible = "guard::may_read_access_log",
        complexity = "5 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity"
    )]
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        member_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<AccessLogEntry>> {
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
        Ok(connection::of_page(
            page,
            after.is_some(),
            |e| e.id,
            AccessLogEntry::from,
        ))
    }
}
