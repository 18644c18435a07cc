//! Nuanxin's GraphQL API. Explicit output types, guards and `visible` from the policy,
//! DataLoaders for nested lists, typed errors, and limits on depth, complexity, aliases
//! and directives. No sea-orm here: every data access goes through the store.

mod access;
mod allowances;
mod care;
mod connection;
pub mod contract;
pub mod documents;
mod emergency;
pub mod error;
mod guard;
mod ids;
pub mod jobs;
pub mod limits;
mod loaders;
pub mod nulls;
mod partners;
pub mod persisted;
mod registry;
mod reports;
mod requests;
mod rosters;
mod session;
mod wechat;

use async_graphql::{MergedObject, Schema};
use nuanxin_auth::TokenService;
use nuanxin_domain::Principal;
use nuanxin_domain::allowances::Rules;
use nuanxin_store::{RequestMeta, Store};

pub use error::not_found;
pub use limits::{LIMITS, Limits, OperationKind, PreflightError, preflight};

use access::roots::AccessQuery;
use allowances::roots::{AllowanceMutation, AllowanceQuery};
pub use care::roots::attachment_ids;
use care::roots::{CareMutation, CareQuery};
pub use emergency::roots::encode_call_id;
use emergency::roots::{EmergencyMutation, EmergencyQuery};
pub use emergency::subscription::Subscription;
use partners::mini_programs::{MiniProgramMutation, MiniProgramQuery};
use partners::operations::{OperationMutation, OperationQuery};
use partners::roots::{PartnerMutation, PartnerQuery};
use partners::webhooks::{WebhookMutation, WebhookQuery};
use registry::import::ImportQuery;
pub use registry::import::encode_job_id;
use registry::roots::{RegionQuery, RegistryMutation, RegistryQuery};
use reports::roots::ReportQuery;
use requests::roots::{RequestMutation, RequestQuery};
pub use rosters::roots::decode_roster_id;
use rosters::roots::{RosterMutation, RosterQuery};
use session::roots::{SessionMutation, SessionQuery};
use wechat::bindings::{WechatBindingMutation, WechatBindingQuery};
use wechat::notices::{NoticeMutation, NoticeQuery};
use wechat::sign_in::WechatSignInMutation;

#[derive(MergedObject, Default)]
pub struct Query(
    SessionQuery,
    RegionQuery,
    RegistryQuery,
    ImportQuery,
    AllowanceQuery,
    RosterQuery,
    ReportQuery,
    AccessQuery,
    CareQuery,
    PartnerQuery,
    OperationQuery,
    MiniProgramQuery,
    WebhookQuery,
    WechatBindingQuery,
    NoticeQuery,
    RequestQuery,
    EmergencyQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    SessionMutation,
    RegistryMutation,
    AllowanceMutation,
    RosterMutation,
    CareMutation,
    PartnerMutation,
    OperationMutation,
    MiniProgramMutation,
    WebhookMutation,
    WechatSignInMutation,
    WechatBindingMutation,
    NoticeMutation,
    RequestMutation,
    EmergencyMutation,
);

pub type NuanxinSchema = Schema<Query, Mutation, Subscription>;

fn unlimited() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription)
}

fn builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    unlimited()
        .limit_depth(LIMITS.depth)
        .limit_complexity(LIMITS.complexity)
        .limit_directives(LIMITS.directives)
        .limit_recursive_depth(32)
        .disable_suggestions()
}

pub fn build_schema(
    store: Store,
    tokens: TokenService,
    rules: Rules,
    jobs: jobs::JobRunner,
    wechat: nuanxin_wechat::WeChat,
) -> NuanxinSchema {
    builder()
        .data(jobs)
        .data(wechat)
        .data(wechat::WechatSignInLimit::default())
        .data(store)
        .data(tokens)
        .data(rules)
        .data(nuanxin_auth::LoginThrottle::new(
            nuanxin_auth::ThrottleSettings::default(),
        ))
        .data(registry::roots::DuplicateRefusals(
            nuanxin_auth::RefusalBudget::per_hour(5),
        ))
        .finish()
}

/// The schema that runs introspection-only requests ([`OperationKind::Introspection`]):
/// the same types and data, every limit but the depth limit.
pub fn build_introspection_schema(
    store: Store,
    tokens: TokenService,
    rules: Rules,
) -> NuanxinSchema {
    unlimited()
        .limit_complexity(LIMITS.complexity)
        .limit_directives(LIMITS.directives)
        .limit_recursive_depth(32)
        .disable_suggestions()
        .data(store)
        .data(tokens)
        .data(rules)
        .finish()
}

/// The full SDL (all audiences); `schema.graphql` is this text, checked by a test.
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// The schema without a store, its data or limits: what the contract files are rendered
/// from, and what the guard-coverage test runs every field against (a resolver that gets
/// past its guard then fails for want of a store, so a missing guard shows).
pub fn bare_schema() -> NuanxinSchema {
    unlimited().finish()
}

/// Adds the caller, the request id and this request's DataLoaders to a request.
/// Introspection is for authenticated callers only, and shows each its own slice; an
/// audience the policy keeps to registered operations (partners) gets none at run time.
pub fn prepare(
    request: async_graphql::Request,
    store: &Store,
    rules: Rules,
    principal: Principal,
    meta: RequestMeta,
) -> async_graphql::Request {
    let mut request = loaders::attach(request, store, &principal, rules, &meta);
    if !principal.is_authenticated() || principal.grant().registered_operations_only {
        request = request.disable_introspection();
    }
    request.data(principal).data(meta)
}
