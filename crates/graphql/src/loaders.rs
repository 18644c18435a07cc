//! DataLoaders: nested lists load in one query per level, whatever the page size. Each
//! loader carries the caller's principal, so batching never widens the slice; they are
//! made per request.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use nuanxin_domain::allowances::{Decision, Rules};
use nuanxin_domain::month::YearMonth;
use nuanxin_domain::{Principal, Region, RegionCode};
use nuanxin_store::{MemberRecord, StatusHistoryEntry, Store, StoreError};
use uuid::Uuid;

/// The request-scoped, caching loaders as they are stored in the request data.
pub type Members = DataLoader<MembersLoader, HashMapCache>;
pub type Histories = DataLoader<HistoryLoader, HashMapCache>;
pub type RegionChildren = DataLoader<RegionChildrenLoader, HashMapCache>;
pub type RegionNames = DataLoader<RegionNameLoader, HashMapCache>;
pub type BankAccounts = DataLoader<BankAccountLoader, HashMapCache>;
pub type Entitlements = DataLoader<EntitlementLoader, HashMapCache>;
pub type CaseSteps = DataLoader<CaseStepLoader, HashMapCache>;
pub type StaffNames = DataLoader<StaffNameLoader, HashMapCache>;

/// Staff members' names (who generated, submitted, approved), in one query per page.
pub struct StaffNameLoader {
    store: Store,
}

impl Loader<Uuid> for StaffNameLoader {
    type Value = String;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.store.staff_names(keys).await.map_err(Arc::new)
    }
}

/// The steps of a page's cases, in one query.
pub struct CaseStepLoader {
    store: Store,
    principal: Principal,
}

impl Loader<Uuid> for CaseStepLoader {
    type Value = Vec<nuanxin_store::CaseStepRecord>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for s in self
            .store
            .case_steps(&self.principal, keys)
            .await
            .map_err(Arc::new)?
        {
            out.entry(s.case).or_default().push(s);
        }
        Ok(out)
    }
}

/// Entitlements of a page's members for a month, in one batch (a constant number of
/// queries whatever the page size; measured before: a few queries per member).
pub struct EntitlementLoader {
    store: Store,
    principal: Principal,
    rules: Rules,
}

impl Loader<(Uuid, YearMonth)> for EntitlementLoader {
    type Value = Decision;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[(Uuid, YearMonth)],
    ) -> Result<HashMap<(Uuid, YearMonth), Self::Value>, Self::Error> {
        self.store
            .member_entitlements(&self.principal, keys, self.rules)
            .await
            .map_err(Arc::new)
    }
}

pub struct MembersLoader {
    store: Store,
    principal: Principal,
    /// For the access log: a read of a minor's record is logged.
    meta: nuanxin_store::RequestMeta,
}

impl Loader<Uuid> for MembersLoader {
    type Value = Vec<MemberRecord>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.store
            .members_of_families_read(&self.principal, keys, &self.meta)
            .await
            .map_err(Arc::new)
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
        self.store
            .status_histories(&self.principal, keys)
            .await
            .map_err(Arc::new)
    }
}

pub struct RegionChildrenLoader {
    store: Store,
    principal: Principal,
}

impl Loader<RegionCode> for RegionChildrenLoader {
    type Value = Vec<Region>;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[RegionCode],
    ) -> Result<HashMap<RegionCode, Self::Value>, Self::Error> {
        self.store
            .region_children(&self.principal, keys)
            .await
            .map_err(Arc::new)
    }
}

pub struct BankAccountLoader {
    store: Store,
    principal: Principal,
}

impl Loader<Uuid> for BankAccountLoader {
    type Value = nuanxin_store::BankAccountRecord;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.store
            .bank_accounts(&self.principal, keys)
            .await
            .map_err(Arc::new)
    }
}

/// Region names are reference data, not personal data: no principal needed.
pub struct RegionNameLoader {
    store: Store,
}

impl Loader<RegionCode> for RegionNameLoader {
    type Value = String;
    type Error = Arc<StoreError>;

    async fn load(
        &self,
        keys: &[RegionCode],
    ) -> Result<HashMap<RegionCode, Self::Value>, Self::Error> {
        self.store.region_names(keys).await.map_err(Arc::new)
    }
}

/// Adds this request's loaders to a GraphQL request. They cache for the request, so a
/// list resolver can prime them for its whole page in one batch (see `families`): the
/// query count then does not depend on how the per-item loads happen to be scheduled.
pub fn attach(
    request: async_graphql::Request,
    store: &Store,
    principal: &Principal,
    rules: Rules,
    meta: &nuanxin_store::RequestMeta,
) -> async_graphql::Request {
    let spawn = |fut| {
        tokio::spawn(fut);
    };
    request
        .data(DataLoader::with_cache(
            MembersLoader {
                store: store.clone(),
                principal: principal.clone(),
                meta: meta.clone(),
            },
            spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            HistoryLoader {
                store: store.clone(),
                principal: principal.clone(),
            },
            spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            RegionChildrenLoader {
                store: store.clone(),
                principal: principal.clone(),
            },
            spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            EntitlementLoader {
                store: store.clone(),
                principal: principal.clone(),
                rules,
            },
            spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            BankAccountLoader {
                store: store.clone(),
                principal: principal.clone(),
            },
            spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            CaseStepLoader {
                store: store.clone(),
                principal: principal.clone(),
            },
            spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            RegionNameLoader {
                store: store.clone(),
            },
            spawn,
            HashMapCache::default(),
        ))
        .data(DataLoader::with_cache(
            StaffNameLoader {
                store: store.clone(),
            },
            spawn,
            HashMapCache::default(),
        ))
}
