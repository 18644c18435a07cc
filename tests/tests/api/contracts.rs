//! Per-audience contracts: `deploy/contracts/<audience>.graphql` is generated from the code,
//! each audience's live introspection (through the real app, with a real token) is exactly
//! its file (partners get none at run time: the file is theirs to read), and the staff-only types appear in no other audience's file — so a field
//! added to one of them changes no partner's, family's or volunteer's contract.

use std::collections::BTreeSet;

use nuanxin_domain::{Audience, StaffRole};
use nuanxin_graphql::contract;
use nuanxin_tests::{TestApp, on_both_backends};
use serde_json::json;

fn contract_file(audience: Audience) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(format!("deploy/contracts/{}.graphql", audience.name())))
        .unwrap_or_default()
}

#[tokio::test]
async fn contract_files_are_generated_from_the_code() {
    for audience in contract::audiences() {
        assert!(
            contract_file(audience) == contract::render(audience).await,
            "deploy/contracts/{}.graphql is stale: run `cargo run -q -- schema --contracts deploy/contracts`",
            audience.name()
        );
    }
}

fn type_names(sdl: &str) -> BTreeSet<String> {
    sdl.lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            match words.next() {
                Some("type" | "input" | "enum" | "scalar") => words.next().map(str::to_owned),
                _ => None,
            }
        })
        .collect()
}

#[tokio::test]
async fn staff_only_types_are_in_no_other_contract() {
    let staff: BTreeSet<String> = StaffRole::ALL
        .into_iter()
        .flat_map(|r| type_names(&contract_file(Audience::Staff(r))))
        .collect();
    let others: Vec<Audience> = contract::audiences()
        .into_iter()
        .filter(|a| !matches!(a, Audience::Staff(_)))
        .collect();
    let shared: BTreeSet<String> = others
        .iter()
        .flat_map(|a| type_names(&contract_file(*a)))
        .collect();
    let staff_only: Vec<&String> = staff.difference(&shared).collect();
    for ty in [
        "Roster",
        "RosterLine",
        "Job",
        "AccessLogEntry",
        "AllowanceStandard",
    ] {
        assert!(
            staff_only.iter().any(|t| *t == ty),
            "{ty} should be staff-only: {staff_only:?}"
        );
    }
    for a in &others {
        let text = contract_file(*a);
        for ty in &staff_only {
            assert!(
                !text
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w == ty.as_str()),
                "{} mentions the staff-only type {ty}",
                a.name()
            );
        }
    }
    // Control: a shared type does appear in other contracts.
    assert!(contract_file(Audience::Volunteer).contains("type Member {"));
}

on_both_backends!(live_introspection_equals_each_contract);
async fn live_introspection_equals_each_contract(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    let tokens = app.token_per_audience(family, members[0], &[]).await;
    assert_eq!(tokens.len() + 1, contract::audiences().len());
    for (audience, token) in tokens {
        let body = app.gql(&token, contract::INTROSPECTION, json!({})).await;
        if audience.grant().registered_operations_only {
            // Partners and mini-program users get no introspection at run time, even for a
            // registered document: their contract file is their documentation.
            assert!(
                body["data"]["__schema"].is_null(),
                "{}: {body}",
                audience.name()
            );
            assert!(
                contract_file(audience).contains("Introspection is off for this audience"),
                "{}",
                audience.name()
            );
            continue;
        }
        assert!(body["errors"].is_null(), "{}: {body}", audience.name());
        let live = contract::sdl_from_introspection(&body["data"]);
        let file = contract_file(audience);
        assert!(
            file.ends_with(&live),
            "{}'s live introspection differs from deploy/contracts/{}.graphql",
            audience.name(),
            audience.name()
        );
    }
    // Anonymous callers get no introspection at all; their file documents what they may call.
    let (_, body) = app.gql_full(None, contract::INTROSPECTION, json!({})).await;
    assert!(body["data"]["__schema"].is_null(), "{body}");
    assert!(contract_file(Audience::Anonymous).contains("login("));
}
