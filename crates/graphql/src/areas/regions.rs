//! The region tree.

use async_graphql::{Context, Object};
use nuanxin_domain::policy::Operation;
use nuanxin_store::Store;

use crate::error::IntoGql;
use crate::guard::{self, Allowed, principal};
use crate::types::Region;

#[derive(Default)]
pub struct RegionQuery;

#[Object]
impl RegionQuery {
    /// The caller's home region with its ancestors and everything below it, by code;
    /// use `children` to walk it as a tree.
    #[graphql(
        guard = "Allowed(Operation::ReadRegions)",
        visible = "guard::may_read_regions"
    )]
    async fn regions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Region>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .regions_visible(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(Region)
            .collect())
    }
}
