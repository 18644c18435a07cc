//! Allowances: dated standards, entitlements with their explanations, and who sees amounts
//! (village workers see whether, not how much), through the API.

use nuanxin_domain::StaffRole;
use nuanxin_domain::month::YearMonth;
use nuanxin_tests::{TestApp, error_code, error_field, gid, on_both_backends};
use serde_json::{Value, json};

fn this_month() -> YearMonth {
    YearMonth::of(nuanxin_domain::time::china_today())
}

on_both_backends!(standards_entitlements_and_who_sees_amounts);
async fn standards_entitlements_and_who_sees_amounts(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let add = "mutation($f: String!) { addAllowanceStandard(input: { kind: SPECIAL_SUPPORT, monthlyFen: 80000, minAge: 49, effectiveFrom: $f }) { monthlyFen effectiveFrom } }";
    let now = this_month();
    let body = app.gql(&county, add, json!({ "f": now.to_string() })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app.gql(&city, add, json!({ "f": now.to_string() })).await;
    assert_eq!(
        body["data"]["addAllowanceStandard"]["monthlyFen"], 80_000,
        "{body}"
    );
    let body = app.gql(&city, add, json!({ "f": "2014-01" })).await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "a change must start after the current one: {body}"
    );
    assert_eq!(error_field(&body), Some("effectiveFrom"));

    let body = app
        .gql(
            &city,
            "{ allowanceStandards { kind monthlyFen effectiveFrom effectiveTo } }",
            json!({}),
        )
        .await;
    let special: Vec<&Value> = body["data"]["allowanceStandards"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["kind"] == "SPECIAL_SUPPORT")
        .collect();
    assert_eq!(special.len(), 2, "history stays: {body}");
    assert_eq!(special[0]["effectiveTo"], now.prev().to_string());

    let q = "query($id: ID!, $m: String!) { member(id: $id) { entitlement(month: $m) { entitled reason amountFen explanation } } }";
    let body = app
        .gql(
            &county,
            q,
            json!({ "id": gid("Member", members[1]), "m": now.prev().to_string() }),
        )
        .await;
    let e = &body["data"]["member"]["entitlement"];
    assert_eq!(e["entitled"], true, "{body}");
    assert_eq!(e["amountFen"], 68_000);
    assert!(
        e["explanation"]
            .as_str()
            .unwrap_or("")
            .starts_with("特别扶助金 680元"),
        "{body}"
    );
    let body = app
        .gql(
            &county,
            q,
            json!({ "id": gid("Member", members[1]), "m": now.to_string() }),
        )
        .await;
    assert_eq!(
        body["data"]["member"]["entitlement"]["amountFen"], 80_000,
        "{body}"
    );
    let body = app
        .gql(
            &county,
            q,
            json!({ "id": gid("Member", members[1]), "m": "2016-05" }),
        )
        .await;
    assert_eq!(body["data"]["member"]["entitlement"]["entitled"], false);
    assert!(
        body["data"]["member"]["entitlement"]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("自次月即2016年6月起享受")
    );

    // The village worker sees whether, not how much.
    let village = app.token(StaffRole::VillageWorker, "411002001001").await;
    let status_only =
        "query($id: ID!, $m: String!) { member(id: $id) { entitlement(month: $m) { entitled } } }";
    let body = app
        .gql(
            &village,
            status_only,
            json!({ "id": gid("Member", members[1]), "m": now.to_string() }),
        )
        .await;
    assert_eq!(
        body["data"]["member"]["entitlement"]["entitled"], true,
        "{body}"
    );
    let body = app
        .gql(
            &village,
            q,
            json!({ "id": gid("Member", members[1]), "m": now.to_string() }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app
        .gql(&village, "{ rosters { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}
