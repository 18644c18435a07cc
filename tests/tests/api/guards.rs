//! Guard coverage. Every root field and mutation of the schema (read from the code, not from
//! a list kept by hand) is run by every audience against a schema with no store behind it:
//! a field the audience cannot see must be refused by its guard (FORBIDDEN or
//! UNAUTHENTICATED), and a field it can see must get past its guard. A resolver added
//! without a guard runs, fails for want of a store, and this test names it.
//!
//! The second half does the same, through the real app on real data, for every object
//! field that reads a sensitive value (the masked fields, the unmasking fields, bank
//! accounts, entitlement amounts): hidden ⇒ refused by the gateway's guard, visible ⇒ read.

use std::collections::{BTreeSet, HashMap};

use async_graphql::parser::types::{
    BaseType, ServiceDocument, Type, TypeKind, TypeSystemDefinition,
};
use nuanxin_domain::Audience;
use nuanxin_graphql::contract;
use nuanxin_tests::{TestApp, gid, on_both_backends};
use serde_json::{Value, json};

fn full_schema() -> ServiceDocument {
    async_graphql::parser::parse_schema(nuanxin_graphql::sdl()).expect("the SDL parses")
}

/// A value of `ty` that passes validation (only required arguments get one).
fn dummy(doc: &ServiceDocument, ty: &Type) -> String {
    match &ty.base {
        BaseType::List(inner) => format!("[{}]", dummy(doc, inner)),
        BaseType::Named(name) => match name.as_str() {
            "String" | "ID" => "\"x\"".into(),
            "Int" => "1".into(),
            "Float" => "1.0".into(),
            "Boolean" => "true".into(),
            "NaiveDate" => "\"2026-01-01\"".into(),
            "DateTime" => "\"2026-01-01T00:00:00Z\"".into(),
            other => {
                let def = doc.definitions.iter().find_map(|d| match d {
                    TypeSystemDefinition::Type(t) if t.node.name.node == other => Some(&t.node),
                    _ => None,
                });
                match def.map(|d| &d.kind) {
                    Some(TypeKind::Enum(e)) => e.values[0].node.value.node.to_string(),
                    Some(TypeKind::InputObject(i)) => {
                        let fields: Vec<String> = i
                            .fields
                            .iter()
                            .filter(|f| !f.node.ty.node.nullable && f.node.default_value.is_none())
                            .map(|f| {
                                format!("{}: {}", f.node.name.node, dummy(doc, &f.node.ty.node))
                            })
                            .collect();
                        format!("{{ {} }}", fields.join(", "))
                    }
                    _ => "\"x\"".into(),
                }
            }
        },
    }
}

fn is_object(doc: &ServiceDocument, ty: &Type) -> bool {
    let mut t = ty;
    while let BaseType::List(inner) = &t.base {
        t = inner;
    }
    let BaseType::Named(name) = &t.base else {
        return false;
    };
    doc.definitions.iter().any(|d| {
        matches!(d, TypeSystemDefinition::Type(t)
            if t.node.name.node == name.as_str() && matches!(t.node.kind, TypeKind::Object(_)))
    })
}

/// (operation keyword, field name, a document that runs just that field)
fn root_fields(doc: &ServiceDocument) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for d in &doc.definitions {
        let TypeSystemDefinition::Type(t) = d else {
            continue;
        };
        let keyword = match t.node.name.node.as_str() {
            "Query" => "query",
            "Mutation" => "mutation",
            _ => continue,
        };
        let TypeKind::Object(o) = &t.node.kind else {
            continue;
        };
        for f in &o.fields {
            let f = &f.node;
            let args: Vec<String> = f
                .arguments
                .iter()
                .filter(|a| !a.node.ty.node.nullable && a.node.default_value.is_none())
                .map(|a| format!("{}: {}", a.node.name.node, dummy(doc, &a.node.ty.node)))
                .collect();
            let args = if args.is_empty() {
                String::new()
            } else {
                format!("({})", args.join(", "))
            };
            let selection = if is_object(doc, &f.ty.node) {
                " { __typename }"
            } else {
                ""
            };
            out.push((
                keyword,
                f.name.node.to_string(),
                format!("{keyword} {{ {}{args}{selection} }}", f.name.node),
            ));
        }
    }
    out
}

/// What `audience` sees: type → its field names, from its own introspection.
async fn visible(audience: Audience) -> HashMap<String, BTreeSet<String>> {
    let principal = contract::sample_principal(audience).expect("network audience");
    let response = nuanxin_graphql::bare_schema()
        .execute(async_graphql::Request::new(contract::INTROSPECTION).data(principal))
        .await;
    let data = serde_json::to_value(&response.data).expect("json");
    let mut out = HashMap::new();
    for t in data["__schema"]["types"].as_array().into_iter().flatten() {
        let fields = t["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["name"].as_str().map(str::to_owned))
            .collect();
        out.insert(t["name"].as_str().unwrap_or_default().to_owned(), fields);
    }
    out
}

fn refused(body: &Value) -> bool {
    matches!(
        body["errors"][0]["extensions"]["code"].as_str(),
        Some("FORBIDDEN" | "UNAUTHENTICATED")
    )
}

#[tokio::test]
async fn every_root_field_and_mutation_has_a_guard() {
    let doc = full_schema();
    let fields = root_fields(&doc);
    assert!(
        fields.len() > 20,
        "the walk found the schema's roots: {}",
        fields.len()
    );
    let schema = nuanxin_graphql::bare_schema();
    let mut holes = Vec::new();
    let (mut refusals, mut admissions) = (0, 0);
    for audience in contract::audiences() {
        let seen = visible(audience).await;
        for (keyword, name, query) in &fields {
            let root = if *keyword == "query" {
                "Query"
            } else {
                "Mutation"
            };
            let may = seen.get(root).is_some_and(|f| f.contains(name));
            let principal = contract::sample_principal(audience).expect("principal");
            let response = schema
                .execute(async_graphql::Request::new(query.as_str()).data(principal))
                .await;
            let body = serde_json::to_value(&response).expect("json");
            let invalid = body["errors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["path"].is_null()));
            if invalid {
                holes.push(format!(
                    "{}: {query} does not validate: {body}",
                    audience.name()
                ));
                continue;
            }
            match (may, refused(&body)) {
                (false, true) => refusals += 1,
                (true, false) => admissions += 1,
                (false, false) => holes.push(format!(
                    "{root}.{name} runs for {} without a guard: {body}",
                    audience.name()
                )),
                (true, true) => holes.push(format!(
                    "{root}.{name} is shown to {} but its guard refuses: {body}",
                    audience.name()
                )),
            }
        }
    }
    assert!(holes.is_empty(), "{}", holes.join("\n"));
    assert!(
        refusals > 100 && admissions > 50,
        "{refusals} refusals, {admissions} admissions"
    );
}

/// Sensitive object fields, each as a selection on a member.
const SENSITIVE: [(&str, &str, &str); 15] = [
    (
        "Member",
        "factHistory",
        "factHistory { fact value evidence }",
    ),
    ("Member", "idNumber", "idNumber"),
    ("Member", "phone", "phone"),
    ("Member", "address", "address"),
    ("Member", "bankAccount", "bankAccount { accountNumber }"),
    (
        "Member",
        "revealedAccountNumber",
        "revealedAccountNumber(purpose: \"guard coverage\")",
    ),
    (
        "Member",
        "revealed",
        "revealed(purpose: \"guard coverage\") { __typename }",
    ),
    (
        "RevealedMember",
        "idNumber",
        "revealed(purpose: \"guard coverage\") { idNumber }",
    ),
    (
        "RevealedMember",
        "phone",
        "revealed(purpose: \"guard coverage\") { phone }",
    ),
    (
        "RevealedMember",
        "address",
        "revealed(purpose: \"guard coverage\") { address }",
    ),
    (
        "Member",
        "entitlement",
        "entitlement(month: \"2026-10\") { entitled }",
    ),
    (
        "Entitlement",
        "kind",
        "entitlement(month: \"2026-10\") { kind }",
    ),
    (
        "Entitlement",
        "amountFen",
        "entitlement(month: \"2026-10\") { amountFen }",
    ),
    (
        "Entitlement",
        "countyCode",
        "entitlement(month: \"2026-10\") { countyCode }",
    ),
    (
        "Entitlement",
        "explanation",
        "entitlement(month: \"2026-10\") { explanation }",
    ),
];

#[test]
fn the_sensitive_list_covers_every_field_of_the_sensitive_types() {
    // A field added to one of these types must be added to the walk above.
    let doc = full_schema();
    for ty in ["RevealedMember", "Entitlement", "BankAccount"] {
        let fields: Vec<String> = doc
            .definitions
            .iter()
            .find_map(|d| match d {
                TypeSystemDefinition::Type(t) if t.node.name.node == ty => match &t.node.kind {
                    TypeKind::Object(o) => Some(
                        o.fields
                            .iter()
                            .map(|f| f.node.name.node.to_string())
                            .collect(),
                    ),
                    _ => None,
                },
                _ => None,
            })
            .expect("type");
        for f in fields {
            let covered = SENSITIVE.iter().any(|(t, n, _)| *t == ty && *n == f)
                || (ty == "Entitlement" && ["month", "entitled", "reason"].contains(&f.as_str()))
                || (ty == "BankAccount"
                    && ["kind", "bankName", "holderName", "accountNumber"].contains(&f.as_str()));
            assert!(covered, "{ty}.{f} is not in the guard walk");
        }
    }
}

on_both_backends!(every_sensitive_field_is_guarded_for_every_audience);
async fn every_sensitive_field_is_guarded_for_every_audience(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 5).await;
    app.activate(family).await;
    let tokens = app.token_per_audience(family, members[1], &[family]).await;
    // A hospital sees card holders only: give every member a card so that it sees them all.
    for m in &members {
        app.store
            .issue_green_channel_card(&nuanxin_domain::Principal::system("test: cards"), *m)
            .await
            .expect("card");
    }
    let mut holes = Vec::new();
    for (audience, token) in &tokens {
        let seen = visible(*audience).await;
        for (ty, field, selection) in SENSITIVE {
            let may = seen.get(ty).is_some_and(|f| f.contains(field));
            let q =
                format!("query($id: ID!) {{ family(id: $id) {{ id members {{ {selection} }} }} }}");
            let body = app
                .gql(token, &q, json!({ "id": gid("Family", family) }))
                .await;
            let refusal = body["errors"].as_array().into_iter().flatten().find(|e| {
                matches!(
                    e["extensions"]["code"].as_str(),
                    Some("FORBIDDEN" | "UNAUTHENTICATED")
                )
            });
            // The gateway's guards word their refusal "无权使用"; the store's own checks
            // (its second line) word theirs differently, so a missing guard shows here.
            let by_guard = refusal.is_some_and(|e| {
                e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("无权使用"))
            });
            match (may, refusal.is_some()) {
                (true, false) => {
                    // Visible means readable: no error at all (an unattached loader would
                    // answer INTERNAL here).
                    if body["data"]["family"]["id"].is_null() || !body["errors"].is_null() {
                        holes.push(format!(
                            "{ty}.{field} is shown to {} but not read: {body}",
                            audience.name()
                        ));
                    }
                }
                (false, true) if by_guard => {}
                (false, _) => holes.push(format!(
                    "{ty}.{field} is read by {} without its guard: {body}",
                    audience.name()
                )),
                (true, true) => holes.push(format!(
                    "{ty}.{field} is shown to {} but refused: {body}",
                    audience.name()
                )),
            }
        }
    }
    assert!(holes.is_empty(), "{}", holes.join("\n"));
}
