//! DataLoaders: nested lists load in one query per level, whatever the page size. Each
//! loader carries the caller's principal, so batching never widens the slice; they are
//! made per request.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use nuanxin_domain::{Principal, Region, RegionCode};
use nuanxin_store::{MemberRecord, StatusHistoryEntry, Store, StoreError};
use uuid::Uuid;

pub struct MembersLoader {
    store: Store,
    principal: Principal,
}

impl Loader<Uuid> for MembersLoader {
    type Value = Vec<MemberRecord>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.store.members_of_families(&self.principal, keys).await.map_err(Arc::new)
    }
}

pub struct HistoryLoader {
    store: Store,
    principal: Principal,
}

impl Loader<Uuid> for HistoryLoader {
    type Value = Vec<StatusHistoryEntry>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.store.status_histories(&self.principal, keys).await.map_err(Arc::new)
    }
}

pub struct RegionChildrenLoader {
    store: Store,
    principal: Principal,
}

impl Loader<RegionCode> for RegionChildrenLoader {
    type Value = Vec<Region>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[RegionCode]) -> Result<HashMap<RegionCode, Self::Value>, Self::Error> {
        self.store.region_children(&self.principal, keys).await.map_err(Arc::new)
    }
}

/// Region names are reference data, not personal data: no principal needed.
pub struct RegionNameLoader {
    store: Store,
}

impl Loader<RegionCode> for RegionNameLoader {
    type Value = String;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[RegionCode]) -> Result<HashMap<RegionCode, Self::Value>, Self::Error> {
        self.store.region_names(keys).await.map_err(Arc::new)
    }
}

/// Adds this request's loaders to a GraphQL request.
pub fn attach(request: async_graphql::Request, store: &Store, principal: &Principal) -> async_graphql::Request {
    let spawn = |fut| {
        tokio::spawn(fut);
    };
    request
        .data(DataLoader::new(
            MembersLoader {
                store: store.clone(),
                principal: principal.clone(),
            },
            spawn,
        ))
        .data(DataLoader::new(
            HistoryLoader {
                store: store.clone(),
                principal: principal.clone(),
            },
            spawn,
        ))
        .data(DataLoader::new(
            RegionChildrenLoader {
                store: store.clone(),
                principal: principal.clone(),
            },
            spawn,
        ))
        .data(DataLoader::new(RegionNameLoader { store: store.clone() }, spawn))
}
