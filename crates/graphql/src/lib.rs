//! Nuanxin's GraphQL API. Explicit output types, guards and `visible` from the policy,
//! DataLoaders for nested lists, typed errors, and limits on depth, complexity, aliases
//! and directives. No sea-orm here: every data access goes through the store.

mod access;
mod allowances;
mod connection;
pub mod contract;
pub mod error;
mod guard;
mod ids;
mod loaders;
mod registry;
mod rosters;
mod session;

use async_graphql::parser::types::{DocumentOperations, OperationType, Selection, SelectionSet};
use async_graphql::{EmptySubscription, MergedObject, Schema};
use nuanxin_auth::TokenService;
use nuanxin_domain::Principal;
use nuanxin_domain::allowances::Rules;
use nuanxin_store::{RequestMeta, Store};

use access::roots::AccessQuery;
use allowances::roots::{AllowanceMutation, AllowanceQuery};
use registry::roots::{RegionQuery, RegistryMutation, RegistryQuery};
pub use rosters::roots::decode_roster_id;
use rosters::roots::{RosterMutation, RosterQuery};
use session::roots::{SessionMutation, SessionQuery};

#[derive(MergedObject, Default)]
pub struct Query(
    SessionQuery,
    RegionQuery,
    RegistryQuery,
    AllowanceQuery,
    RosterQuery,
    AccessQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    SessionMutation,
    RegistryMutation,
    AllowanceMutation,
    RosterMutation,
);

pub type NuanxinSchema = Schema<Query, Mutation, EmptySubscription>;

/// Limits on what one request may ask for.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
    pub directives: usize,
    pub aliases: usize,
}

pub const LIMITS: Limits = Limits {
    depth: 10,
    complexity: 2_500,
    directives: 4,
    aliases: 30,
};

fn unlimited() -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
}

fn builder() -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    unlimited()
        .limit_depth(LIMITS.depth)
        .limit_complexity(LIMITS.complexity)
        .limit_directives(LIMITS.directives)
        .limit_recursive_depth(32)
        .disable_suggestions()
}

pub fn build_schema(store: Store, tokens: TokenService, rules: Rules) -> NuanxinSchema {
    builder()
        .data(store)
        .data(tokens)
        .data(rules)
        .extension(async_graphql::extensions::Tracing)
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
/// Introspection is for authenticated callers only, and shows each its own slice.
pub fn prepare(
    request: async_graphql::Request,
    store: &Store,
    principal: Principal,
    meta: RequestMeta,
) -> async_graphql::Request {
    let mut request = loaders::attach(request, store, &principal);
    if !principal.is_authenticated() {
        request = request.disable_introspection();
    }
    request.data(principal).data(meta)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PreflightError {
    #[error("the query uses {found} aliases; at most {limit} are allowed")]
    TooManyAliases { found: usize, limit: usize },
}

/// Looks at a query before execution: which kind of operation it selects (so the HTTP
/// edge can refuse mutations over GET) and how many aliases it uses (async-graphql 7 has
/// no alias limit). `Ok(None)` when it does not parse: execution reports that properly.
pub fn preflight(
    query: &str,
    operation_name: Option<&str>,
) -> Result<Option<OperationKind>, PreflightError> {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return Ok(None);
    };
    let mut aliases = 0;
    for fragment in doc.fragments.values() {
        aliases += count_aliases(&fragment.node.selection_set.node);
    }
    let mut kind = None;
    let mut visit = |name: Option<&str>, op: &async_graphql::parser::types::OperationDefinition| {
        aliases += count_aliases(&op.selection_set.node);
        if operation_name.is_none() || operation_name == name {
            kind.get_or_insert(match op.ty {
                OperationType::Query => OperationKind::Query,
                OperationType::Mutation => OperationKind::Mutation,
                OperationType::Subscription => OperationKind::Subscription,
            });
        }
    };
    match &doc.operations {
        DocumentOperations::Single(op) => visit(None, &op.node),
        DocumentOperations::Multiple(ops) => {
            for (name, op) in ops {
                visit(Some(name.as_str()), &op.node);
            }
        }
    }
    if aliases > LIMITS.aliases {
        return Err(PreflightError::TooManyAliases {
            found: aliases,
            limit: LIMITS.aliases,
        });
    }
    Ok(kind)
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some()) + count_aliases(&f.node.selection_set.node)
            }
            Selection::InlineFragment(fr) => count_aliases(&fr.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preflight_finds_the_operation_kind() {
        assert_eq!(
            preflight("{ me { username } }", None),
            Ok(Some(OperationKind::Query))
        );
        assert_eq!(
            preflight("mutation M { logout(refreshToken: \"x\") }", None),
            Ok(Some(OperationKind::Mutation))
        );
        assert_eq!(
            preflight(
                "query A { me { id } } mutation B { logout(refreshToken: \"x\") }",
                Some("B")
            ),
            Ok(Some(OperationKind::Mutation))
        );
        assert_eq!(preflight("{ not closed", None), Ok(None));
    }

    #[test]
    fn preflight_counts_aliases() {
        let many: String = (0..31).map(|i| format!("a{i}: me {{ id }} ")).collect();
        assert_eq!(
            preflight(&format!("{{ {many} }}"), None),
            Err(PreflightError::TooManyAliases {
                found: 31,
                limit: 30
            })
        );
        let few: String = (0..5).map(|i| format!("a{i}: me {{ id }} ")).collect();
        assert!(preflight(&format!("{{ {few} }}"), None).is_ok());
    }
}
