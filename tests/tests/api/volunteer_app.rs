//! The volunteer's side of the mini-program: the visits due today and this week in their
//! own pairings, and logging a visit (date, place, what was done), which moves the next
//! visit on. Nothing outside the pairing.

use nuanxin_domain::StaffRole;
use nuanxin_tests::{TestApp, error_code, gid, on_both_backends};
use serde_json::{Value, json};

const DUE: &str = "query($d: Int) { myVisitsDue(withinDays: $d) { id familyId nextVisitDue lastVisitOn visitState } }";
const LOG: &str = "mutation($input: RecordCareInput!) { recordCare(input: $input) { id pairingId occurredOn location } }";

fn due_ids(body: &Value) -> Vec<String> {
    body["data"]["myVisitsDue"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["familyId"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn a_volunteer_sees_their_visits_and_logs_one(app: &TestApp) {
    let village = "411002001001";
    let (paired, _) = app.family_at(village, 1).await;
    let (someone_elses, _) = app.family_at(village, 2).await;
    let (volunteer, token) = app.volunteer(&[paired]).await;
    let _ = volunteer;
    let (_, other_token) = app.volunteer(&[someone_elses]).await;

    // Paired since 2020 and never visited: overdue, and only their own family.
    let body = app.gql(&token, DUE, json!({ "d": 0 })).await;
    assert_eq!(due_ids(&body), vec![gid("Family", paired)], "{body}");
    assert_eq!(body["data"]["myVisitsDue"][0]["visitState"], "OVERDUE");
    let pairing = body["data"]["myVisitsDue"][0]["id"].clone();
    let theirs = app.gql(&other_token, DUE, json!({})).await;
    assert_eq!(
        due_ids(&theirs),
        vec![gid("Family", someone_elses)],
        "{theirs}"
    );

    // A visit logged today, with where it happened.
    let today = nuanxin_domain::time::china_today().to_string();
    let logged = app
        .gql(
            &token,
            LOG,
            json!({ "input": {
                "familyId": gid("Family", paired), "kind": "VISIT", "pairingId": pairing,
                "occurredOn": today, "content": "陪老人聊天, 帮忙打扫院子", "location": "老人家中"
            } }),
        )
        .await;
    assert_eq!(
        logged["data"]["recordCare"]["location"], "老人家中",
        "{logged}"
    );
    let body = app.gql(&token, DUE, json!({ "d": 7 })).await;
    assert!(
        due_ids(&body).is_empty(),
        "next month's visit is not this week's: {body}"
    );
    let all = app
        .gql(
            &token,
            "query { pairings { edges { node { lastVisitOn nextVisitDue visitState } } } }",
            json!({}),
        )
        .await;
    let node = &all["data"]["pairings"]["edges"][0]["node"];
    assert_eq!(node["lastVisitOn"], today.as_str(), "{all}");
    assert_eq!(node["visitState"], "ON_TRACK");

    // Not a family outside the pairing.
    let outside = app
        .gql(
            &token,
            LOG,
            json!({ "input": {
                "familyId": gid("Family", someone_elses), "kind": "VISIT",
                "occurredOn": today, "content": "上门"
            } }),
        )
        .await;
    assert_eq!(error_code(&outside), Some("NOT_FOUND"), "{outside}");

    // The family sees who visits them and when next; the other family only its own.
    let family_members = app
        .store
        .members_of_families(&nuanxin_domain::Principal::system("test"), &[paired])
        .await
        .expect("members");
    let parent_id = family_members[&paired][0].id();
    let parent = app.family_member_token(paired, parent_id);
    let visits = app
        .gql(
            &parent,
            "query { myVisits { familyId workerName nextVisitDue lastVisitOn } }",
            json!({}),
        )
        .await;
    let list = visits["data"]["myVisits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 1, "{visits}");
    assert_eq!(list[0]["familyId"], gid("Family", paired));
    assert_eq!(list[0]["workerName"], "测试志愿者");
    assert_eq!(list[0]["lastVisitOn"], today.as_str());
    let refused = app
        .gql(&token, "query { myVisits { id } }", json!({}))
        .await;
    assert_eq!(
        error_code(&refused),
        Some("FORBIDDEN"),
        "a volunteer has myVisitsDue: {refused}"
    );

    // A worker's "my visits" are their own pairings: none here.
    let worker = app.token(StaffRole::VillageWorker, village).await;
    let body = app.gql(&worker, DUE, json!({})).await;
    assert!(due_ids(&body).is_empty(), "{body}");
}
on_both_backends!(a_volunteer_sees_their_visits_and_logs_one);
