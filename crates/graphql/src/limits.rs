//! Limits on what one request may ask for, and the edge's look at a query before it runs:
//! bracket nesting (before any parser recurses), fields that run once per request, aliases,
//! and which kind of operation it is.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use nuanxin_locale::{Localised, Message, localised_error, msg};

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
    complexity: 5_000,
    directives: 4,
    aliases: 30,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Query,
    /// A query whose root fields are all introspection (`__schema`, `__type`,
    /// `__typename`), told apart by structure, never by an operation or fragment name: it
    /// runs without the depth limit (GraphiQL's and codegen tools' standard query nests
    /// about 13 levels) and in introspection-only mode, so no data field can ride along.
    Introspection,
    Mutation,
    Subscription,
}

#[derive(Debug, PartialEq, Eq)]
pub enum PreflightError {
    TooManyAliases { found: usize, limit: usize },
    TooDeep { found: usize, limit: usize },
    OncePerRequest { field: &'static str, found: usize },
}

impl Localised for PreflightError {
    fn message(&self) -> Message {
        match self {
            PreflightError::TooManyAliases { found, limit } => {
                msg!("query-too-many-aliases", found = *found, limit = *limit)
            }
            PreflightError::TooDeep { found, limit } => {
                msg!("query-too-deep", found = *found, limit = *limit)
            }
            PreflightError::OncePerRequest { field, found } => {
                msg!("query-once-per-request", field = *field, found = *found)
            }
        }
    }
}
localised_error!(PreflightError);

/// Fields that may run once per request: each is a guess an attacker would multiply with
/// aliases (a password, whether an ID number is registered elsewhere).
pub const ONCE_PER_REQUEST: [&str; 2] = ["login", "registerFamily"];

/// How deep brackets may nest in a query text, counted before anything parses it: the
/// parser and the value converters recurse, and a stack overflow aborts the whole process.
/// The deepest honest query (the introspection query) nests about 15.
pub const MAX_NESTING: usize = 64;

/// The deepest nesting of `{`, `[` and `(` in a GraphQL document, outside strings, block
/// strings and comments. Stops counting at `cap`, so a hostile document costs one pass.
pub fn nesting(query: &str, cap: usize) -> usize {
    let bytes = query.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                max = max.max(depth);
                if max >= cap {
                    return max;
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    max
}

/// Looks at a query before execution: which kind of operation it selects (so the HTTP
/// edge can refuse mutations over GET) and how many aliases it uses (async-graphql 7 has
/// no alias limit). `Ok(None)` when it does not parse: execution reports that properly.
pub fn preflight(
    query: &str,
    operation_name: Option<&str>,
) -> Result<Option<OperationKind>, PreflightError> {
    match parse_within_nesting(query)? {
        Some(doc) => check_document(&doc, operation_name),
        None => Ok(None),
    }
}

/// The document, parsed once its bracket nesting is known to be within [`MAX_NESTING`];
/// `Ok(None)` when it does not parse (execution reports that properly).
pub fn parse_within_nesting(query: &str) -> Result<Option<ExecutableDocument>, PreflightError> {
    let depth = nesting(query, MAX_NESTING + 1);
    if depth > MAX_NESTING {
        return Err(PreflightError::TooDeep {
            found: depth,
            limit: MAX_NESTING,
        });
    }
    Ok(async_graphql::parser::parse_query(query).ok())
}

/// The pre-flight checks that need the parsed document (once-per-request fields, aliases),
/// and the kind of the operation `operation_name` selects. For a document whose nesting
/// already passed (`nesting`).
pub fn check_document(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Result<Option<OperationKind>, PreflightError> {
    for field in ONCE_PER_REQUEST {
        let found = doc
            .fragments
            .values()
            .map(|f| count_named(&f.node.selection_set.node, field))
            .sum::<usize>()
            + doc
                .operations
                .iter()
                .map(|(_, op)| count_named(&op.node.selection_set.node, field))
                .sum::<usize>();
        if found > 1 {
            return Err(PreflightError::OncePerRequest { field, found });
        }
    }
    let mut aliases = 0;
    for fragment in doc.fragments.values() {
        aliases += count_aliases(&fragment.node.selection_set.node);
    }
    let mut kind = None;
    let mut visit = |name: Option<&str>, op: &async_graphql::parser::types::OperationDefinition| {
        aliases += count_aliases(&op.selection_set.node);
        if operation_name.is_none() || operation_name == name {
            kind.get_or_insert(match op.ty {
                OperationType::Query if introspection_only(&op.selection_set.node) => {
                    OperationKind::Introspection
                }
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
    // `None` when no operation has that name: execution says so in its own words.
    Ok(kind)
}

/// Every root selection is an introspection field (no fragments at the root: a spread
/// could bring in anything).
fn introspection_only(set: &SelectionSet) -> bool {
    !set.items.is_empty()
        && set.items.iter().all(|item| match &item.node {
            Selection::Field(f) => f.node.name.node.starts_with("__"),
            Selection::InlineFragment(_) | Selection::FragmentSpread(_) => false,
        })
}

fn count_named(set: &SelectionSet, name: &str) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => {
                usize::from(f.node.name.node == name)
                    + count_named(&f.node.selection_set.node, name)
            }
            Selection::InlineFragment(fr) => count_named(&fr.node.selection_set.node, name),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
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
    fn deep_nesting_is_refused_before_parsing() {
        for depth in [65, 300, 10_000, 100_000] {
            let selections = format!("{}{}", "{ a ".repeat(depth), "}".repeat(depth));
            let lists = format!("{{ a(x: {}1{}) }}", "[".repeat(depth), "]".repeat(depth));
            let objects = format!("{{ a(x: {}1{}) }}", "{b: ".repeat(depth), "}".repeat(depth));
            for q in [selections, lists, objects] {
                assert!(
                    matches!(preflight(&q, None), Err(PreflightError::TooDeep { .. })),
                    "depth {depth}"
                );
            }
        }
        // Brackets inside strings and comments do not count; honest queries pass.
        let quoted = format!(
            "{{ a(x: \"{}\") # {}\n }}",
            "[".repeat(500),
            "{".repeat(500)
        );
        assert_eq!(nesting(&quoted, 1000), 2);
        let block = format!("{{ a(x: \"\"\"{}\"\"\") }}", "{".repeat(500));
        assert_eq!(nesting(&block, 1000), 2);
        assert!(preflight("{ me { id } }", None).is_ok());
    }

    #[test]
    fn sign_in_and_registration_run_once_per_request() {
        let two = "mutation { a: login(username: \"u\", password: \"p\") { accessToken } b: login(username: \"u\", password: \"q\") { accessToken } }";
        assert_eq!(
            preflight(two, None),
            Err(PreflightError::OncePerRequest {
                field: "login",
                found: 2
            })
        );
        let via_fragment = "mutation { login(username: \"u\", password: \"p\") { accessToken } ...F } fragment F on Mutation { login(username: \"u\", password: \"q\") { accessToken } }";
        assert!(preflight(via_fragment, None).is_err());
        let one = "mutation { login(username: \"u\", password: \"p\") { accessToken } }";
        assert_eq!(preflight(one, None), Ok(Some(OperationKind::Mutation)));
    }

    #[test]
    fn introspection_is_told_apart_by_structure() {
        let standard = "query IntrospectionQuery { __schema { types { ...T } } } fragment T on __Type { name }";
        assert_eq!(
            preflight(standard, None),
            Ok(Some(OperationKind::Introspection))
        );
        // A data field beside it, or a root fragment, makes it an ordinary query.
        for q in [
            "query IntrospectionQuery { __schema { types { name } } me { id } }",
            "query IntrospectionQuery { ...F } fragment F on Query { __schema { types { name } } }",
        ] {
            assert_eq!(preflight(q, None), Ok(Some(OperationKind::Query)), "{q}");
        }
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
