//! Mini-programs are partners of a kind: a family member's or volunteer's token names the
//! mini-program it was issued through and runs only the operations the city registered
//! for that mini-program, within its budget. Each refusal beside an allowed control.

use nuanxin_domain::{Principal, StaffRole, Subject};
use nuanxin_tests::{TestApp, WECHAT_APP_ID, error_code, on_both_backends};
use serde_json::{Value, json};

const MY_PAYMENTS: &str = "query { myPayments { month } }";
const MY_REQUESTS: &str = "query { myRequests { id } }";

async fn raw(app: &TestApp, token: &str, query: &str) -> (u16, Value) {
    let (status, body) = app
        .gql_unregistered(Some(token), json!({ "query": query }))
        .await;
    (status.as_u16(), body)
}

async fn a_mini_program_runs_only_its_registered_operations(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    let parent = app.family_member_token(family, members[0]);
    // Registered (the helper files it, as the city would): runs.
    let ok = app.gql(&parent, MY_PAYMENTS, json!({})).await;
    assert!(ok["errors"].is_null(), "{ok}");
    // Sent again by hash alone: runs too.
    let hash = nuanxin_graphql::persisted::document_hash(MY_PAYMENTS);
    let (status, by_hash) = app
        .gql_unregistered(
            Some(&parent),
            json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }),
        )
        .await;
    assert_eq!(status.as_u16(), 200, "{by_hash}");
    assert!(by_hash["data"]["myPayments"].is_array(), "{by_hash}");
    // Not registered: refused before it runs, though the policy would allow it.
    let (status, refused) = raw(app, &parent, MY_REQUESTS).await;
    assert_eq!(
        (status, error_code(&refused)),
        (403, Some("PERSISTED_QUERY_NOT_ALLOWED")),
        "{refused}"
    );

    // A token that names no mini-program, or one the city never registered: nothing runs.
    let subject = Principal::of(Subject::FamilyMember {
        family,
        member: members[0],
    });
    let bare = app.token_for(&subject);
    let (status, body) = raw(app, &bare, MY_PAYMENTS).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, Some("PERSISTED_QUERY_NOT_ALLOWED")),
        "{body}"
    );
    let elsewhere = app
        .tokens()
        .issue_through(&subject, Some("wx0someone0else000"))
        .expect("token")
        .token;
    let (status, body) = raw(app, &elsewhere, MY_PAYMENTS).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, Some("PERSISTED_QUERY_NOT_ALLOWED")),
        "{body}"
    );

    // The city switches the mini-program off: refused; on again: runs.
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let listed = app
        .gql(
            &city,
            "{ miniPrograms { id wechatAppId active } }",
            json!({}),
        )
        .await;
    let programs = listed["data"]["miniPrograms"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ours = programs
        .iter()
        .find(|p| p["wechatAppId"] == WECHAT_APP_ID)
        .unwrap_or_else(|| panic!("{listed}"));
    let switch = "mutation($id: ID!, $on: Boolean!) { setMiniProgramActive(miniProgramId: $id, active: $on) { active } }";
    let off = app
        .gql(&city, switch, json!({ "id": ours["id"], "on": false }))
        .await;
    assert_eq!(
        off["data"]["setMiniProgramActive"]["active"], false,
        "{off}"
    );
    let (status, body) = raw(app, &parent, MY_PAYMENTS).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, Some("PERSISTED_QUERY_NOT_ALLOWED")),
        "{body}"
    );
    app.gql(&city, switch, json!({ "id": ours["id"], "on": true }))
        .await;
    let (status, body) = raw(app, &parent, MY_PAYMENTS).await;
    assert_eq!(status, 200, "{body}");
}
on_both_backends!(a_mini_program_runs_only_its_registered_operations);

/// The city registers a mini-program and its operations; a county admin may not.
async fn the_city_registers_mini_programs(app: &TestApp) {
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let add = "mutation($a: String!) { registerMiniProgram(wechatAppId: $a, name: \"暖心志愿者\") { id wechatAppId active } }";
    let refused = app
        .gql(&county, add, json!({ "a": "wx1234567890abcdef" }))
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let added = app
        .gql(&city, add, json!({ "a": "wx1234567890abcdef" }))
        .await;
    assert_eq!(
        added["data"]["registerMiniProgram"]["active"], true,
        "{added}"
    );
    let again = app
        .gql(&city, add, json!({ "a": "wx1234567890abcdef" }))
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
    let bad = app.gql(&city, add, json!({ "a": "not-an-app-id" })).await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    let id = added["data"]["registerMiniProgram"]["id"].clone();
    let ops = "mutation($id: ID!, $d: [String!]!) { registerMiniProgramOperations(miniProgramId: $id, documents: $d) { sha256Hash operationNames } }";
    let filed = app
        .gql(
            &city,
            ops,
            json!({ "id": id, "d": ["query MyVisits { myVisitsDue(withinDays: 7) { id } }"] }),
        )
        .await;
    assert_eq!(
        filed["data"]["registerMiniProgramOperations"][0]["operationNames"],
        json!(["MyVisits"]),
        "{filed}"
    );
    // A volunteer signed in through it runs that operation.
    let (family, _) = app.family_at("411002001001", 1).await;
    let v = app
        .store
        .create_volunteer(
            "志愿者乙",
            &[family],
            chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
        )
        .await
        .expect("volunteer");
    let token = app
        .tokens()
        .issue_through(
            &Principal::of(Subject::Volunteer { volunteer: v }),
            Some("wx1234567890abcdef"),
        )
        .expect("token")
        .token;
    let (status, body) = raw(
        app,
        &token,
        "query MyVisits { myVisitsDue(withinDays: 7) { id } }",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["myVisitsDue"].is_array(), "{body}");
}
on_both_backends!(the_city_registers_mini_programs);

async fn send_with(
    state: &nuanxin_server::http::AppState,
    token: &str,
    query: &str,
) -> (u16, Value) {
    let service = actix_web::test::init_service(
        actix_web::App::new().configure(nuanxin_server::http::routes(state.clone())),
    )
    .await;
    let req = actix_web::test::TestRequest::post()
        .uri("/graphql")
        .insert_header(("content-type", "application/json"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_payload(json!({ "query": query }).to_string())
        .to_request();
    let resp = actix_web::test::call_service(&service, req).await;
    let status = resp.status().as_u16();
    let body = actix_web::test::read_body(resp).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// A mini-program's users share its budget, and each has their own within it.
async fn mini_program_users_are_rate_limited(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    let parent = app.family_member_token(family, members[0]);
    let other = app.family_member_token(family, members[1]);
    app.allow(&parent, MY_PAYMENTS).await;
    let per_user = app.state.clone().with_mini_program_rate(1000, 3);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(send_with(&per_user, &parent, MY_PAYMENTS).await.0);
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    let (status, body) = send_with(&per_user, &parent, MY_PAYMENTS).await;
    assert_eq!(
        (status, error_code(&body)),
        (429, Some("RATE_LIMITED")),
        "{body}"
    );
    // Another user of the same mini-program still has their budget.
    assert_eq!(send_with(&per_user, &other, MY_PAYMENTS).await.0, 200);
    // The mini-program's own budget holds all its users together.
    let per_app = app.state.clone().with_mini_program_rate(2, 100);
    assert_eq!(send_with(&per_app, &parent, MY_PAYMENTS).await.0, 200);
    assert_eq!(send_with(&per_app, &other, MY_PAYMENTS).await.0, 200);
    assert_eq!(send_with(&per_app, &other, MY_PAYMENTS).await.0, 429);
}
on_both_backends!(mini_program_users_are_rate_limited);
