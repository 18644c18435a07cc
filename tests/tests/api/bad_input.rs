//! Bad input gets a typed error naming the field at fault, and nothing is half-written:
//! rows are counted before and after each attempt.

use actix_web::test::TestRequest;
use nuanxin_domain::StaffRole;
use nuanxin_tests::{TestApp, error_code, error_field, on_both_backends};
use serde_json::json;

use crate::registry::{REGISTER, id, register_vars};

async fn counts(app: &TestApp) -> [i64; 3] {
    [
        app.count("family").await,
        app.count("member").await,
        app.count("family_status_history").await,
    ]
}

on_both_backends!(bad_registrations_are_typed_and_write_nothing);
async fn bad_registrations_are_typed_and_write_nothing(app: &TestApp) {
    app.family_at("411002001001", 1).await;
    let token = app.token(StaffRole::CountyAdmin, "411002").await;
    let system = nuanxin_domain::Principal::system("test: read the fixture back");
    let existing = app
        .store
        .list_families(&system, &Default::default(), 1, None)
        .await
        .expect("list")
        .items
        .remove(0);
    let existing_member = app
        .store
        .members_of_families(&system, &[existing.family.id])
        .await
        .expect("members")
        .remove(&existing.family.id)
        .expect("members")
        .remove(0);
    let existing_id = app
        .store
        .reveal(
            &system,
            &[&existing_member],
            &[nuanxin_domain::SensitiveField::IdNumber],
            "test setup",
            &Default::default(),
        )
        .await
        .expect("reveal")
        .remove(0)
        .id_number
        .expect("clear");

    let before = counts(app).await;
    let good = register_vars("411002001002", "41100219700101004");

    // A malformed ID number (wrong check character).
    let mut vars = good.clone();
    let mut bad = id("41100219700101004");
    bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
    vars["input"]["members"][0]["idNumber"] = json!(bad);
    let body = app.gql(&token, REGISTER, vars).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("members[0].idNumber"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("校验码应为")
    );

    // An impossible birth date inside the ID number.
    let mut vars = good.clone();
    vars["input"]["members"][0]["idNumber"] = json!(id("41100219650231002"));
    let body = app.gql(&token, REGISTER, vars).await;
    assert_eq!(error_field(&body), Some("members[0].idNumber"), "{body}");

    // A living person already on file, as the second member.
    let mut vars = good.clone();
    let mut second = vars["input"]["members"][0].clone();
    second["role"] = json!("FATHER");
    second["idNumber"] = json!(existing_id);
    vars["input"]["members"]
        .as_array_mut()
        .expect("members")
        .push(second);
    let body = app.gql(&token, REGISTER, vars).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(error_field(&body), Some("members[1].idNumber"));

    // An unknown region.
    let body = app
        .gql(
            &token,
            REGISTER,
            register_vars("411002009009", "41100219650831002"),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("regionCode"));

    // An unknown household-registration region on a member.
    let mut vars = good.clone();
    vars["input"]["members"][0]["hukouRegionCode"] = json!("411002001999");
    let body = app.gql(&token, REGISTER, vars).await;
    assert_eq!(
        error_field(&body),
        Some("members[0].hukouRegionCode"),
        "{body}"
    );

    // A missing required field.
    let mut vars = good.clone();
    vars["input"]
        .as_object_mut()
        .expect("input")
        .remove("members");
    let body = app.gql(&token, REGISTER, vars).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("members"));

    // An empty name.
    let mut vars = good.clone();
    vars["input"]["members"][0]["name"] = json!("  ");
    let body = app.gql(&token, REGISTER, vars).await;
    assert_eq!(error_field(&body), Some("members[0].name"), "{body}");

    // A death date in the future.
    let mut vars = good.clone();
    vars["input"]["childDeathDate"] = json!("2999-01-01");
    let body = app.gql(&token, REGISTER, vars).await;
    assert_eq!(error_field(&body), Some("childDeathDate"), "{body}");

    assert_eq!(
        counts(app).await,
        before,
        "nothing was written by any refused registration"
    );

    // And the good one goes through.
    let body = app.gql(&token, REGISTER, good).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        counts(app).await,
        [before[0] + 1, before[1] + 1, before[2] + 1]
    );
}

on_both_backends!(oversized_and_too_deep_requests_are_refused);
async fn oversized_and_too_deep_requests_are_refused(app: &TestApp) {
    let token = app.token(StaffRole::CityAdmin, "411000").await;
    let before = counts(app).await;

    // Oversized body: 413 before anything runs.
    let huge = format!(
        "{{\"query\":\"{{ me {{ id }} }}\",\"variables\":{{\"pad\":\"{}\"}}}}",
        "x".repeat(120 * 1024)
    );
    let (status, _, body) = app
        .send(
            TestRequest::post()
                .uri("/graphql")
                .insert_header(("content-type", "application/json"))
                .insert_header(("authorization", format!("Bearer {token}")))
                .set_payload(huge),
        )
        .await;
    assert_eq!(status, 413);
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");

    // Too deep (and, since every level of children multiplies the regions loaded, far
    // too costly: whichever limit speaks first refuses it before it runs).
    let deep = "{ regions { children { children { children { children { children { children { children { children { children { code } } } } } } } } } } }";
    let body = app.gql(&token, deep, json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("too deep") || message.contains("too complex"),
        "{body}"
    );

    // Too many aliases.
    let aliases: String = (0..40).map(|i| format!("a{i}: me {{ id }} ")).collect();
    let (status, body) = app
        .gql_full(Some(&token), &format!("{{ {aliases} }}"), json!({}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

    // Too complex: a page of 100 with many fields per member.
    let wide = "{ families(first: 100) { edges { node { id regionCode regionName status honourCertificateNo createdAt updatedAt childDeathDate laterChildDate
       members { id name role sex age idNumber phone address hukouRegionCode deceasedOn familyId }
       statusHistory { from to reason at actorId } } } } }";
    let body = app.gql(&token, wide, json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("too complex"),
        "{body}"
    );

    // Bad IDs and cursors.
    let body = app
        .gql(&token, "{ family(id: \"not-an-id\") { id } }", json!({}))
        .await;
    assert_eq!(error_field(&body), Some("id"), "{body}");
    let body = app
        .gql(
            &token,
            "{ families(first: 1000) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_field(&body), Some("first"), "{body}");

    assert_eq!(counts(app).await, before);
}

on_both_backends!(text_a_clerk_types_is_checked_before_it_is_stored);
async fn text_a_clerk_types_is_checked_before_it_is_stored(app: &TestApp) {
    let token = app.token(StaffRole::CountyAdmin, "411002").await;
    let good = register_vars("411002001003", "41100219650831002");
    let before = counts(app).await;
    let long = "长".repeat(10_000);
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        ("members[0].name", json!(long), "10,000-character name"),
        ("members[0].name", json!("张\u{0}秀英"), "NUL byte"),
        ("members[0].name", json!("张秀英\n李"), "line break"),
        ("members[0].name", json!("张秀英😀"), "emoji"),
        (
            "members[0].address",
            json!(long),
            "10,000-character address",
        ),
        (
            "members[0].idNumber",
            json!(id("41100220990101002")),
            "born in the future",
        ),
        (
            "members[0].idNumber",
            json!(id("41100219650831001")),
            "a MOTHER with a man's number",
        ),
        (
            "honourCertificateNo",
            json!(long),
            "10,000-character certificate",
        ),
    ];
    for (field, value, what) in cases {
        let mut vars = good.clone();
        match field {
            "honourCertificateNo" => vars["input"]["honourCertificateNo"] = value,
            f => {
                let key = f.trim_start_matches("members[0].");
                vars["input"]["members"][0][key] = value;
            }
        }
        let body = app.gql(&token, REGISTER, vars).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{what}: {body}");
        assert_eq!(error_field(&body), Some(field), "{what}: {body}");
        assert_eq!(counts(app).await, before, "{what}: nothing written");
    }
    // Control: the good one goes in.
    let body = app.gql(&token, REGISTER, good).await;
    assert!(body["errors"].is_null(), "{body}");
    let family = body["data"]["registerFamily"]["id"].clone();
    let member = body["data"]["registerFamily"]["members"][0]["id"].clone();

    // A reason of 10,000 characters; a corrected name with a control character.
    let history = app.count("family_status_history").await;
    let body = app
        .gql(
            &token,
            "mutation($id: ID!, $r: String!) { changeFamilyStatus(id: $id, status: VERIFIED, reason: $r) { status } }",
            json!({ "id": family, "r": long }),
        )
        .await;
    assert_eq!(
        (error_code(&body), error_field(&body)),
        (Some("BAD_USER_INPUT"), Some("reason")),
        "{body}"
    );
    assert_eq!(app.count("family_status_history").await, history);
    let body = app
        .gql(
            &token,
            "mutation($id: ID!) { updateMember(id: $id, input: { name: \"张秀英\\u0007\" }) { name } }",
            json!({ "id": member }),
        )
        .await;
    assert_eq!(error_field(&body), Some("name"), "{body}");

    // A month is written YYYY-MM: "2026-1" is refused.
    let body = app
        .gql(
            &token,
            "query($id: ID!) { member(id: $id) { entitlement(month: \"2026-1\") { entitled } } }",
            json!({ "id": member }),
        )
        .await;
    assert_eq!(
        (error_code(&body), error_field(&body)),
        (Some("BAD_USER_INPUT"), Some("month")),
        "{body}"
    );

    // Filters: `%` and `_` match only themselves, names are searched with at most 30
    // characters, ages stay within 0..150.
    let search = async |vars: serde_json::Value| {
        app.gql(
            &token,
            "query($f: FamilyFilter) { families(filter: $f) { edges { node { id } } } }",
            vars,
        )
        .await
    };
    let found = |b: &serde_json::Value| b["data"]["families"]["edges"].as_array().map(Vec::len);
    assert_eq!(
        found(&search(json!({ "f": { "name": "张" } })).await),
        Some(1),
        "control"
    );
    assert_eq!(
        found(&search(json!({ "f": { "name": "%" } })).await),
        Some(0)
    );
    assert_eq!(
        found(&search(json!({ "f": { "name": "_" } })).await),
        Some(0)
    );
    let body = search(json!({ "f": { "name": "长".repeat(31) } })).await;
    assert_eq!(error_field(&body), Some("filter.name"), "{body}");
    let body = search(json!({ "f": { "wifeAgeMin": 2147483647 } })).await;
    assert_eq!(error_field(&body), Some("filter.wifeAgeMin"), "{body}");
}

on_both_backends!(roster_steps_check_their_input);
async fn roster_steps_check_their_input(app: &TestApp) {
    let county = app.token(StaffRole::CountyAdmin, "411024").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let generate = "mutation { generateRoster(input: { countyCode: \"411024\", periodStart: \"2026-10\" }) { id lineCount } }";
    // No active family in 鄢陵县: an empty roster is not submitted.
    let body = app.gql(&county, generate, json!({})).await;
    assert_eq!(body["data"]["generateRoster"]["lineCount"], 0, "{body}");
    let empty = body["data"]["generateRoster"]["id"].clone();
    let submit = "mutation($id: ID!) { submitRoster(id: $id) { status } }";
    let body = app.gql(&county, submit, json!({ "id": empty })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

    // With a family it goes through; the bank cannot have paid before the approval.
    let (family, _) = app.family_at("411024001001", 1).await;
    app.activate(family).await;
    let body = app.gql(&county, generate, json!({})).await;
    let roster = body["data"]["generateRoster"]["id"].clone();
    let body = app.gql(&county, submit, json!({ "id": roster })).await;
    assert_eq!(
        body["data"]["submitRoster"]["status"], "SUBMITTED",
        "{body}"
    );
    let body = app
        .gql(
            &city,
            "mutation($id: ID!) { approveRoster(id: $id) { status } }",
            json!({ "id": roster }),
        )
        .await;
    assert_eq!(
        body["data"]["approveRoster"]["status"], "APPROVED",
        "{body}"
    );
    let pay = "mutation($id: ID!, $on: NaiveDate!) { markRosterPaid(id: $id, bankBatchRef: \"B-1\", paidOn: $on) { status } }";
    let body = app
        .gql(&city, pay, json!({ "id": roster, "on": "2020-01-01" }))
        .await;
    assert_eq!(
        (error_code(&body), error_field(&body)),
        (Some("BAD_USER_INPUT"), Some("paidOn")),
        "{body}"
    );
    let today = nuanxin_domain::time::china_today().to_string();
    let body = app
        .gql(&city, pay, json!({ "id": roster, "on": today }))
        .await;
    assert_eq!(
        body["data"]["markRosterPaid"]["status"], "PAID",
        "control: {body}"
    );
}
