//! Generated artefacts stay in step with the code.

fn repo_file(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_default()
}

#[test]
fn schema_graphql_is_generated_from_the_code() {
    let sdl = nuanxin_graphql::sdl();
    assert!(
        repo_file("schema.graphql") == sdl,
        "schema.graphql is stale: run `cargo run -q -- schema > schema.graphql`"
    );
}

#[test]
fn permissions_doc_is_generated_from_the_policy() {
    let md = nuanxin_domain::policy::render_markdown();
    assert!(
        repo_file("docs/permissions.md") == md,
        "docs/permissions.md is stale: run `cargo run -q -- policy > docs/permissions.md`"
    );
}
