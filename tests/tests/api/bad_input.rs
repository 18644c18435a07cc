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
            .contains("check character")
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

    // Too deep.
    let deep = "{ regions { children { children { children { children { children { children { children { children { children { code } } } } } } } } } } }";
    let body = app.gql(&token, deep, json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("too deep"),
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
