//! Persisted operations: the documents a city admin registers for a partner app (its
//! allow-list), and how a request names one — Apollo's `extensions.persistedQuery`
//! (`{"version": 1, "sha256Hash": "…"}`), with or without the document beside it.
//!
//! A document is registered exactly as the app's `.graphql` file holds it; its hash is the
//! SHA-256 of those bytes, so a script can compute it with any standard library. A file
//! with several operations is one document (the request names one with `operationName`).

use async_graphql::parser::types::DocumentOperations;

use crate::limits::{PreflightError, preflight};
use nuanxin_locale::{Localised, Message, localised_error, msg};

/// The largest document an app may register (the request body limit is larger; a
/// partner's operation is a page at most).
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024;

/// A document checked for registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersistedDocument {
    pub hash: String,
    pub document: String,
    pub operation_names: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum DocumentError {
    Empty,
    TooLarge,
    /// The parser's own words (for the programmer who wrote the document).
    NotGraphql(String),
    Limits(PreflightError),
}

impl From<PreflightError> for DocumentError {
    fn from(e: PreflightError) -> Self {
        DocumentError::Limits(e)
    }
}

impl Localised for DocumentError {
    fn message(&self) -> Message {
        match self {
            DocumentError::Empty => msg!("document-empty"),
            DocumentError::TooLarge => {
                msg!("document-too-large", kilobytes = MAX_DOCUMENT_BYTES / 1024)
            }
            DocumentError::NotGraphql(detail) => {
                msg!("document-not-graphql", detail = detail.as_str())
            }
            DocumentError::Limits(e) => e.message(),
        }
    }
}
localised_error!(DocumentError);

/// SHA-256 of a document's bytes, lowercase hex: the name a client sends.
pub fn document_hash(document: &str) -> String {
    nuanxin_auth::sha256_hex(document)
}

/// Parses a document for registration: GraphQL, within the request limits, every operation
/// named when there are several.
pub fn check_document(document: &str) -> Result<PersistedDocument, DocumentError> {
    if document.trim().is_empty() {
        return Err(DocumentError::Empty);
    }
    if document.len() > MAX_DOCUMENT_BYTES {
        return Err(DocumentError::TooLarge);
    }
    preflight(document, None)?;
    let parsed = async_graphql::parser::parse_query(document)
        .map_err(|e| DocumentError::NotGraphql(e.to_string()))?;
    // The parser refuses an anonymous operation beside others, so a document is either
    // one anonymous operation or named ones. Queries, mutations and subscriptions alike (a
    // mini-program's volunteers listen for emergency calls with a registered document).
    let mut names = Vec::new();
    if let DocumentOperations::Multiple(ops) = &parsed.operations {
        names.extend(ops.keys().map(ToString::to_string));
    }
    names.sort();
    Ok(PersistedDocument {
        hash: document_hash(document),
        document: document.to_owned(),
        operation_names: names,
    })
}

/// Why a request's `persistedQuery` extension is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PersistedQueryError {
    #[error(
        "extensions.persistedQuery must be {{\"version\": 1, \"sha256Hash\": \"<64 hex digits>\"}}"
    )]
    Malformed,
    #[error("the document does not have the SHA-256 that extensions.persistedQuery names")]
    HashMismatch,
}

/// The hash a request names in `extensions.persistedQuery`, checked against the document
/// when both are sent; `None` when it names none (no hashing then: most callers are not
/// restricted, and their requests need no hash).
pub fn named_hash(request: &async_graphql::Request) -> Result<Option<String>, PersistedQueryError> {
    let Some(value) = request.extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let json = value
        .clone()
        .into_json()
        .map_err(|_| PersistedQueryError::Malformed)?;
    let version = json.get("version").and_then(serde_json::Value::as_i64);
    let hash = match (
        version,
        json.get("sha256Hash").and_then(serde_json::Value::as_str),
    ) {
        (Some(1), Some(h)) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            h.to_ascii_lowercase()
        }
        _ => return Err(PersistedQueryError::Malformed),
    };
    if !request.query.is_empty() && hash != document_hash(&request.query) {
        return Err(PersistedQueryError::HashMismatch);
    }
    Ok(Some(hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_named_by_the_sha256_of_its_bytes() {
        let doc = check_document(
            "query Verify($id: String!) { verifyGreenChannel(idNumber: $id) { eligible } }\n",
        )
        .expect("a document");
        assert_eq!(doc.operation_names, ["Verify"]);
        assert_eq!(doc.hash.len(), 64);
        // One byte more is another document.
        assert_ne!(doc.hash, document_hash(&format!("{} ", doc.document)));
    }

    #[test]
    fn documents_are_checked_before_registration() {
        assert_eq!(check_document("  "), Err(DocumentError::Empty));
        assert!(matches!(
            check_document("query { "),
            Err(DocumentError::NotGraphql(_))
        ));
        assert!(check_document("subscription S { calls { id } }").is_ok());
        assert!(matches!(
            check_document(&format!("{}{}", "{a".repeat(70), "}".repeat(70))),
            Err(DocumentError::Limits(_))
        ));
        let two = check_document("query A { me { id } }\nmutation B { logout }").expect("two");
        assert_eq!(two.operation_names, ["A", "B"]);
        assert_eq!(
            check_document("{ me { id } }")
                .expect("anonymous")
                .operation_names,
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_request_names_its_document_by_hash() {
        let doc = "{ me { id } }";
        let h = document_hash(doc);
        let with = |query: &str, ext: serde_json::Value| {
            let mut r = async_graphql::Request::new(query);
            r.extensions.insert(
                "persistedQuery".into(),
                async_graphql::Value::from_json(ext).expect("value"),
            );
            named_hash(&r)
        };
        assert_eq!(
            with("", serde_json::json!({"version": 1, "sha256Hash": h})),
            Ok(Some(h.clone()))
        );
        assert_eq!(
            with(doc, serde_json::json!({"version": 1, "sha256Hash": h})),
            Ok(Some(h.clone()))
        );
        assert_eq!(
            with(
                "{ me { name } }",
                serde_json::json!({"version": 1, "sha256Hash": h})
            ),
            Err(PersistedQueryError::HashMismatch)
        );
        assert_eq!(
            with("", serde_json::json!({"version": 2, "sha256Hash": h})),
            Err(PersistedQueryError::Malformed)
        );
        assert_eq!(
            with("", serde_json::json!({"version": 1, "sha256Hash": "abc"})),
            Err(PersistedQueryError::Malformed)
        );
        // Naming no hash, a request is not hashed here (the edge hashes a whole document
        // only for a caller kept to registered operations, by `document_hash`).
        assert_eq!(named_hash(&async_graphql::Request::new(doc)), Ok(None));
        assert_eq!(document_hash(doc), h);
        assert_eq!(named_hash(&async_graphql::Request::new("")), Ok(None));
    }
}
