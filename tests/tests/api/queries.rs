//! Reading the registry: pagination, filters, the region tree, and no N+1.

use nuanxin_domain::StaffRole;
use nuanxin_tests::{TestApp, on_both_backends};
use serde_json::json;

const PAGE: &str = "query($first: Int!) { families(first: $first) { edges { node {
  id regionName status members { name idNumber phone age } statusHistory { to } } } pageInfo { hasNextPage } } }";

on_both_backends!(statement_count_does_not_grow_with_page_size);
async fn statement_count_does_not_grow_with_page_size(app: &TestApp) {
    nuanxin_store::demo::seed_families(&app.store, 60, 7, |_| {})
        .await
        .expect("seed");
    let token = app.token(StaffRole::CityAdmin, "411000").await;
    // The first request of a token also looks at its account (then cached for 30 s).
    app.gql(&token, "{ me { id } }", json!({})).await;
    let mut costs = Vec::new();
    for first in [10, 50] {
        let before = app.store.statement_count();
        let body = app.gql(&token, PAGE, json!({ "first": first })).await;
        let after = app.store.statement_count();
        let edges = body["data"]["families"]["edges"].as_array().map(Vec::len);
        assert_eq!(edges, Some(first), "{body}");
        assert_eq!(
            body["data"]["families"]["edges"][0]["node"]["members"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        costs.push(after - before);
    }
    assert_eq!(
        costs[0], costs[1],
        "SQL statements for 10 vs 50 families: {costs:?}"
    );
    assert!(costs[0] <= 5, "a page costs {} statements", costs[0]);
}

const PAGE_WITH_ENTITLEMENTS: &str =
    "query($first: Int!) { families(first: $first) { edges { node {
  id members { name entitlement(month: \"2026-10\") { entitled amountFen explanation } } } } } }";

on_both_backends!(entitlements_of_a_page_cost_the_same_whatever_its_size);
async fn entitlements_of_a_page_cost_the_same_whatever_its_size(app: &TestApp) {
    nuanxin_store::demo::seed_families(&app.store, 60, 7, |_| {})
        .await
        .expect("seed");
    let token = app.token(StaffRole::CityAdmin, "411000").await;
    app.gql(&token, "{ me { id } }", json!({})).await;
    let mut costs = Vec::new();
    for first in [5, 50] {
        let before = app.store.statement_count();
        let body = app
            .gql(&token, PAGE_WITH_ENTITLEMENTS, json!({ "first": first }))
            .await;
        let after = app.store.statement_count();
        assert!(body["errors"].is_null(), "{body}");
        let members: usize = body["data"]["families"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"]["members"].as_array().map_or(0, Vec::len))
            .sum();
        assert!(members >= first, "{body}");
        costs.push(after - before);
    }
    assert_eq!(
        costs[0], costs[1],
        "SQL statements for 5 vs 50 families with entitlements: {costs:?}"
    );
}

on_both_backends!(pagination_and_filters);
async fn pagination_and_filters(app: &TestApp) {
    for n in 1..=5 {
        app.family_at("411002001001", n).await;
    }
    let token = app.token(StaffRole::CountyAdmin, "411002").await;
    let q = "query($after: String) { families(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }";
    let mut seen = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let body = app.gql(&token, q, json!({ "after": after })).await;
        let conn = &body["data"]["families"];
        for e in conn["edges"].as_array().into_iter().flatten() {
            seen.push(e["node"]["id"].as_str().unwrap_or("").to_owned());
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 5);
    seen.dedup();
    assert_eq!(seen.len(), 5, "no family twice across pages");

    // Fixture mothers were born 1965-08-31; fathers 1962.
    let count = async |filter: serde_json::Value| {
        let body = app
            .gql(&token, "query($f: FamilyFilter) { families(filter: $f, first: 100) { edges { node { id } } } }", json!({ "f": filter }))
            .await;
        body["data"]["families"]["edges"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(usize::MAX)
    };
    let age = nuanxin_domain::time::age_on(
        chrono::NaiveDate::from_ymd_opt(1965, 8, 31).expect("date"),
        nuanxin_domain::time::china_today(),
    );
    assert_eq!(
        count(json!({ "wifeAgeMin": age, "wifeAgeMax": age })).await,
        5
    );
    assert_eq!(count(json!({ "wifeAgeMin": age + 1 })).await, 0);
    assert_eq!(count(json!({ "wifeAgeMax": age - 1 })).await, 0);
    assert_eq!(count(json!({ "name": "秀英" })).await, 5);
    assert_eq!(count(json!({ "name": "不存在" })).await, 0);
    assert_eq!(count(json!({ "status": "REGISTERED" })).await, 5);
    assert_eq!(count(json!({ "status": "ACTIVE" })).await, 0);
    assert_eq!(count(json!({ "regionCode": "411002001" })).await, 5);
    assert_eq!(count(json!({ "regionCode": "411002002" })).await, 0);
}

on_both_backends!(region_tree_is_sliced);
async fn region_tree_is_sliced(app: &TestApp) {
    let token = app.token(StaffRole::CountyAdmin, "411002").await;
    let body = app
        .gql(
            &token,
            "{ regions { code level children { code } } }",
            json!({}),
        )
        .await;
    let regions = body["data"]["regions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let codes: Vec<&str> = regions.iter().filter_map(|r| r["code"].as_str()).collect();
    assert!(
        codes.contains(&"411000") && codes.contains(&"411002") && codes.contains(&"411002001001"),
        "{body}"
    );
    assert!(
        !codes.iter().any(|c| c.starts_with("411024")),
        "no sibling county: {codes:?}"
    );
    let city = regions
        .iter()
        .find(|r| r["code"] == "411000")
        .expect("city");
    assert_eq!(
        city["children"],
        json!([{ "code": "411002" }]),
        "only the caller's branch below the city"
    );
}
