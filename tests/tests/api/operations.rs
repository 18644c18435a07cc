//! Each partner app runs only the operations the city registered for it: the document sent
//! whole or as its SHA-256 alone; anything else is PERSISTED_QUERY_NOT_ALLOWED and runs
//! nothing. Staff are not restricted. Registration is the city admin's, all or nothing,
//! through the API and the command line.

use actix_web::test as atest;
use nuanxin_domain::StaffRole;
use nuanxin_tests::{TestApp, error_code, on_both_backends, uuid_of};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const ME: &str = "query Me { me { kind } }";
const REGISTER: &str = "mutation($app: ID!, $docs: [String!]!) { registerPartnerOperations(appId: $app, documents: $docs) { sha256Hash operationNames registeredBy } }";

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn by_hash(hash: &str) -> Value {
    json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } })
}

async fn partner_token(app: &TestApp, city: &str) -> (Value, String) {
    let (_, app_id, id, secret) = app.hospital_app(city).await;
    let (status, body) = app.client_token(&id, &secret).await;
    assert_eq!(status, 200, "{body}");
    (
        app_id,
        body["access_token"].as_str().expect("token").to_owned(),
    )
}

on_both_backends!(an_app_runs_only_the_operations_registered_for_it);
async fn an_app_runs_only_the_operations_registered_for_it(app: &TestApp) {
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let (app_id, hospital) = partner_token(app, &city).await;
    let (other_app, other) = partner_token(app, &city).await;
    let whole = json!({ "query": ME });

    // Nothing registered yet: refused before anything runs; staff are not restricted.
    let (status, body) = app.gql_unregistered(Some(&hospital), whole.clone()).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_ALLOWED"));
    assert!(body["data"].is_null(), "{body}");
    let (status, body) = app.gql_unregistered(Some(&city), whole.clone()).await;
    assert_eq!((status.as_u16(), error_code(&body)), (200, None), "{body}");

    // The city registers the document; its hash is the SHA-256 of its bytes.
    let before = app.count("partner_operation").await;
    let reg = app
        .gql(&city, REGISTER, json!({ "app": app_id, "docs": [ME] }))
        .await;
    assert!(reg["errors"].is_null(), "{reg}");
    let hash = sha256(ME);
    let registered = &reg["data"]["registerPartnerOperations"][0];
    assert_eq!(registered["sha256Hash"], json!(hash));
    assert_eq!(registered["operationNames"], json!(["Me"]));
    assert!(
        registered["registeredBy"]
            .as_str()
            .is_some_and(|b| b.starts_with("city_admin")),
        "{reg}"
    );
    assert_eq!(app.count("partner_operation").await, before + 1);

    // Now the app runs it, whole or by its hash alone, over POST and GET.
    let (status, body) = app.gql_unregistered(Some(&hospital), whole.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["me"]["kind"], "PARTNER", "{body}");
    let (status, body) = app.gql_unregistered(Some(&hospital), by_hash(&hash)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["me"]["kind"], "PARTNER", "{body}");
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let get = atest::TestRequest::get()
        .uri(&format!(
            "/graphql?extensions={}",
            ext.replace('{', "%7B")
                .replace('}', "%7D")
                .replace('"', "%22")
                .replace(':', "%3A")
                .replace(',', "%2C")
                .replace(' ', "%20")
        ))
        .insert_header(("authorization", format!("Bearer {hospital}")));
    let (status, _, body) = app.send(get).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["me"]["kind"], "PARTNER", "{body}");

    // `extensions` over GET that is not JSON is refused as such.
    let bad = atest::TestRequest::get()
        .uri("/graphql?extensions=%7Bnot-json")
        .insert_header(("authorization", format!("Bearer {hospital}")));
    let (status, _, body) = app.send(bad).await;
    assert_eq!(status.as_u16(), 400, "{body}");
    assert_eq!(error_code(&body), Some("BAD_REQUEST"));

    // One byte more is another document; a hash beside another document is refused.
    let (status, body) = app
        .gql_unregistered(Some(&hospital), json!({ "query": format!("{ME} ") }))
        .await;
    assert_eq!(
        (status.as_u16(), error_code(&body)),
        (403, Some("PERSISTED_QUERY_NOT_ALLOWED"))
    );
    let mut mismatched = by_hash(&hash);
    mismatched["query"] = json!("query Me { me { kind id } }");
    let (status, body) = app.gql_unregistered(Some(&hospital), mismatched).await;
    assert_eq!(
        (status.as_u16(), error_code(&body)),
        (400, Some("BAD_USER_INPUT")),
        "{body}"
    );
    let (status, body) = app
        .gql_unregistered(
            Some(&hospital),
            json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "00" } } }),
        )
        .await;
    assert_eq!(
        (status.as_u16(), error_code(&body)),
        (400, Some("BAD_USER_INPUT")),
        "{body}"
    );

    // Allow-lists are per app: the organisation's other app has registered nothing.
    let (status, body) = app.gql_unregistered(Some(&other), by_hash(&hash)).await;
    assert_eq!(
        (status.as_u16(), error_code(&body)),
        (403, Some("PERSISTED_QUERY_NOT_ALLOWED")),
        "{body}"
    );
    let listed = app
        .gql(
            &city,
            "query($a: ID!) { partnerOperations(appId: $a) { sha256Hash } }",
            json!({ "a": other_app }),
        )
        .await;
    assert_eq!(listed["data"]["partnerOperations"], json!([]), "{listed}");

    // Staff may send the hash of a registered document; an unknown hash asks for the text.
    let (status, body) = app.gql_unregistered(Some(&city), by_hash(&hash)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["me"]["kind"], "STAFF", "{body}");
    let (status, body) = app
        .gql_unregistered(Some(&city), by_hash(&sha256("{ me { id } }")))
        .await;
    assert_eq!(
        (status.as_u16(), error_code(&body)),
        (200, Some("PERSISTED_QUERY_NOT_FOUND")),
        "{body}"
    );

    // Taken off the list: the next request is refused.
    let removed = app
        .gql(
            &city,
            "mutation($a: ID!, $h: String!) { removePartnerOperation(appId: $a, sha256Hash: $h) }",
            json!({ "a": app_id, "h": hash }),
        )
        .await;
    assert_eq!(removed["data"]["removePartnerOperation"], true, "{removed}");
    let (status, body) = app.gql_unregistered(Some(&hospital), by_hash(&hash)).await;
    assert_eq!(
        (status.as_u16(), error_code(&body)),
        (403, Some("PERSISTED_QUERY_NOT_ALLOWED")),
        "{body}"
    );
}

on_both_backends!(registering_operations_is_the_citys_and_all_or_nothing);
async fn registering_operations_is_the_citys_and_all_or_nothing(app: &TestApp) {
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let (app_id, _) = partner_token(app, &city).await;
    let before = app.count("partner_operation").await;

    // A county admin may not (the field is not even in its schema); the city may.
    let refused = app
        .gql(&county, REGISTER, json!({ "app": app_id, "docs": [ME] }))
        .await;
    assert!(error_code(&refused).is_some(), "{refused}");
    assert_eq!(app.count("partner_operation").await, before);

    // One bad document among good ones: nothing is registered, and the error says which.
    for bad in ["query { ", " "] {
        let body = app
            .gql(&city, REGISTER, json!({ "app": app_id, "docs": [ME, bad] }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{bad}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "documents");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("第 2 个文档")),
            "{body}"
        );
    }
    assert_eq!(app.count("partner_operation").await, before);

    // Registering twice keeps one row; two operations in one file are one document.
    let two = "query Me { me { kind } }\nquery Name { me { name } }";
    for _ in 0..2 {
        let body = app
            .gql(&city, REGISTER, json!({ "app": app_id, "docs": [ME, two] }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    assert_eq!(app.count("partner_operation").await, before + 2);
}

on_both_backends!(the_command_line_registers_an_apps_graphql_files);
async fn the_command_line_registers_an_apps_graphql_files(app: &TestApp) {
    use nuanxin_server::partner_cli::{PartnerCommand, run};
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let (app_id, hospital) = partner_token(app, &city).await;
    let dir = std::env::temp_dir().join(format!("nuanxin-ops-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("me.graphql");
    std::fs::write(&file, format!("{ME}\n")).expect("write");
    let id = uuid_of(&app_id);
    run(
        &app.store,
        PartnerCommand::OpsAdd {
            app: id,
            files: vec![file.clone()],
        },
    )
    .await
    .expect("registered");
    let (status, body) = app
        .gql_unregistered(Some(&hospital), by_hash(&sha256(&format!("{ME}\n"))))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["me"]["kind"], "PARTNER");
    // A file that is not GraphQL is refused and registers nothing.
    let bad = dir.join("bad.graphql");
    std::fs::write(&bad, "SELECT * FROM member").expect("write");
    let before = app.count("partner_operation").await;
    assert!(
        run(
            &app.store,
            PartnerCommand::OpsAdd {
                app: id,
                files: vec![file, bad],
            },
        )
        .await
        .is_err()
    );
    assert_eq!(app.count("partner_operation").await, before);
    let _ = std::fs::remove_dir_all(dir);
}
