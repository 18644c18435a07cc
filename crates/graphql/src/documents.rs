//! Parsed documents, kept. A client sends the same few documents over and over (a desk's
//! lookup, a list page, an insurer's enrolment), and parsing one with async-graphql's
//! parser costs more than resolving a small answer: before this cache every request was
//! parsed twice (the edge's pre-flight, then execution). Now a document is parsed once per
//! process, and execution is handed a copy of the parsed form (`Request::set_parsed_query`).

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;

use crate::limits::{OperationKind, PreflightError, check_document, parse_within_nesting};

/// Parsed documents by their text, bounded by the total length of the texts kept (a
/// parsed document takes roughly ten times its text). Documents that fail the nesting
/// check or do not parse are never kept, and moka's admission policy keeps one-off
/// documents (an attacker's stream of unique texts) from pushing out the frequent ones.
pub struct Documents {
    parsed: moka::sync::Cache<String, Arc<ExecutableDocument>>,
}

impl Documents {
    /// A cache holding documents of at most `text_bytes` of text in all.
    pub fn new(text_bytes: u64) -> Self {
        Self {
            parsed: moka::sync::Cache::builder()
                .max_capacity(text_bytes)
                .weigher(|text: &String, _| u32::try_from(text.len()).unwrap_or(u32::MAX))
                .build(),
        }
    }

    /// The edge's pre-flight (see `limits::preflight`), from the kept parse when there is
    /// one: the kind of operation the request selects (`None` when its document does not
    /// parse or names no such operation; execution reports that properly). The parse is
    /// handed to the request, so that execution does not parse again.
    pub fn look(
        &self,
        request: &mut async_graphql::Request,
    ) -> Result<Option<OperationKind>, PreflightError> {
        let doc = match self.parsed.get(&request.query) {
            Some(doc) => doc,
            None => {
                let Some(doc) = parse_within_nesting(&request.query)? else {
                    return Ok(None);
                };
                let doc = Arc::new(doc);
                self.parsed.insert(request.query.clone(), doc.clone());
                doc
            }
        };
        let kind = check_document(&doc, request.operation_name.as_deref())?;
        request.set_parsed_query(ExecutableDocument::clone(&doc));
        Ok(kind)
    }
}

impl Default for Documents {
    /// 1 MiB of document text: thousands of distinct documents, about 10 MB parsed.
    fn default() -> Self {
        Self::new(1 << 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::preflight;

    fn request(query: &str, operation: Option<&str>) -> async_graphql::Request {
        let request = async_graphql::Request::new(query);
        match operation {
            Some(name) => request.operation_name(name),
            None => request,
        }
    }

    #[test]
    fn a_kept_document_answers_as_a_fresh_parse_does() {
        let docs = Documents::default();
        let cases = [
            ("{ me { username } }", None),
            ("mutation M { logout(refreshToken: \"x\") }", None),
            (
                "query A { me { id } } mutation B { logout(refreshToken: \"x\") }",
                Some("B"),
            ),
            (
                "query A { me { id } } mutation B { logout(refreshToken: \"x\") }",
                Some("A"),
            ),
            ("query A { me { id } }", Some("Missing")),
            ("{ __schema { types { name } } }", None),
            ("{ not closed", None),
        ];
        for _ in 0..2 {
            for (q, op) in cases {
                let mut request = request(q, op);
                assert_eq!(docs.look(&mut request), preflight(q, op), "{q} {op:?}");
            }
        }
        // The documents that parsed are kept; the one that did not is not.
        docs.parsed.run_pending_tasks();
        assert_eq!(docs.parsed.entry_count(), 5);
    }

    #[test]
    fn a_kept_document_still_meets_the_limits() {
        let docs = Documents::default();
        let two = "{ a: login(username: \"x\", password: \"y\") { accessToken } b: login(username: \"x\", password: \"z\") { accessToken } }";
        for _ in 0..2 {
            assert!(matches!(
                docs.look(&mut request(two, None)),
                Err(PreflightError::OncePerRequest { .. })
            ));
        }
        let deep = format!("{}{}", "{ a ".repeat(70), "}".repeat(70));
        assert!(matches!(
            docs.look(&mut request(&deep, None)),
            Err(PreflightError::TooDeep { .. })
        ));
        docs.parsed.run_pending_tasks();
        assert_eq!(docs.parsed.entry_count(), 1, "the deep one is not kept");
    }
}
