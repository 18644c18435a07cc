//! Emergency calls (紧急呼叫) through the API: a family member presses the button, the
//! village worker of that village sees and acknowledges it, a worker elsewhere sees
//! nothing; an unanswered call climbs the ladder against the store's clock; every step is
//! recorded. The call event crosses replicas on PostgreSQL (LISTEN/NOTIFY).

use chrono::Duration;
use nuanxin_domain::StaffRole;
use nuanxin_tests::{TestApp, error_code, gid, on_both_backends};
use serde_json::{Value, json};

const RAISE: &str = "mutation { raiseEmergencyCall { id state level raisedBy } }";
const LIST: &str = "query { emergencyCalls { id state level family { id } steps { step actor } } }";
const ACK: &str =
    "mutation($id: ID!) { acknowledgeEmergencyCall(id: $id) { id state acknowledgedBy } }";
const CLOSE: &str = "mutation($id: ID!, $n: String) { closeEmergencyCall(id: $id, note: $n) { id state closeNote } }";

fn ids(body: &Value) -> Vec<String> {
    body["data"]["emergencyCalls"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn a_call_reaches_the_village_and_is_answered_once(app: &TestApp) {
    let village = "411002001001";
    let (family, members) = app.family_at(village, 1).await;
    let parent = app.family_member_token(family, members[0]);
    let mut events = app.store.call_events();

    let raised = app.gql(&parent, RAISE, json!({})).await;
    let call = raised["data"]["raiseEmergencyCall"]["id"].clone();
    assert_eq!(
        raised["data"]["raiseEmergencyCall"]["state"], "OPEN",
        "{raised}"
    );
    // Pressed again while open: the same call, not a second one.
    let again = app.gql(&parent, RAISE, json!({})).await;
    assert_eq!(again["data"]["raiseEmergencyCall"]["id"], call, "{again}");
    assert_eq!(app.count("emergency_call").await, 1);
    let event = tokio::time::timeout(std::time::Duration::from_secs(5), events.recv())
        .await
        .expect("the call event arrives")
        .expect("event");
    assert_eq!(
        event.step,
        nuanxin_domain::care::emergency::CallStep::Raised
    );

    let worker = app.token(StaffRole::VillageWorker, village).await;
    let elsewhere = app.token(StaffRole::VillageWorker, "411002001002").await;
    let listed = app.gql(&worker, LIST, json!({})).await;
    assert_eq!(
        ids(&listed),
        vec![call.as_str().unwrap_or_default().to_owned()],
        "{listed}"
    );
    let other = app.gql(&elsewhere, LIST, json!({})).await;
    assert!(ids(&other).is_empty(), "{other}");
    let refused = app.gql(&elsewhere, ACK, json!({ "id": call })).await;
    assert_eq!(error_code(&refused), Some("NOT_FOUND"), "{refused}");

    let acked = app.gql(&worker, ACK, json!({ "id": call })).await;
    assert_eq!(
        acked["data"]["acknowledgeEmergencyCall"]["state"], "ACKNOWLEDGED",
        "{acked}"
    );
    let twice = app.gql(&worker, ACK, json!({ "id": call })).await;
    assert_eq!(error_code(&twice), Some("CONFLICT"), "{twice}");
    // A note past its limit: refused by name, and the call is still there to close.
    let long = app
        .gql(&worker, CLOSE, json!({ "id": call, "n": "长".repeat(501) }))
        .await;
    assert_eq!(error_code(&long), Some("BAD_USER_INPUT"), "{long}");
    assert_eq!(long["errors"][0]["extensions"]["field"], "note", "{long}");
    let closed = app
        .gql(
            &worker,
            CLOSE,
            json!({ "id": call, "n": "电话联系, 已送医" }),
        )
        .await;
    assert_eq!(
        closed["data"]["closeEmergencyCall"]["state"], "CLOSED",
        "{closed}"
    );
    let steps = app
        .gql(
            &worker,
            "query($id: ID!) { emergencyCall(id: $id) { steps { step } } }",
            json!({ "id": call }),
        )
        .await;
    let names: Vec<&str> = steps["data"]["emergencyCall"]["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["step"].as_str())
        .collect();
    assert_eq!(names, ["RAISED", "ACKNOWLEDGED", "CLOSED"], "{steps}");
    // An auditor reads no calls at all (the policy grants none).
    let auditor = app.token(StaffRole::Auditor, village).await;
    let denied = app.gql(&auditor, LIST, json!({})).await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"), "{denied}");
}
on_both_backends!(a_call_reaches_the_village_and_is_answered_once);

async fn an_unanswered_call_climbs_the_ladder(app: &TestApp) {
    let village = "411002001001";
    let (family, members) = app.family_at(village, 1).await;
    let parent = app.family_member_token(family, members[0]);
    let raised = app.gql(&parent, RAISE, json!({})).await;
    assert_eq!(
        raised["data"]["raiseEmergencyCall"]["level"], "VILLAGE",
        "{raised}"
    );
    let after = Duration::minutes(3);
    // Not yet: nothing climbs.
    assert_eq!(
        app.store
            .escalate_emergency_calls(after)
            .await
            .expect("job"),
        0
    );
    let now = chrono::Utc::now();
    app.store.fix_clock(Some(now + Duration::minutes(4)));
    assert_eq!(
        app.store
            .escalate_emergency_calls(after)
            .await
            .expect("job"),
        1
    );
    // Run again at once (another replica): no second climb.
    assert_eq!(
        app.store
            .escalate_emergency_calls(after)
            .await
            .expect("job"),
        0
    );
    app.store.fix_clock(Some(now + Duration::minutes(8)));
    assert_eq!(
        app.store
            .escalate_emergency_calls(after)
            .await
            .expect("job"),
        1
    );
    app.store.fix_clock(Some(now + Duration::minutes(60)));
    assert_eq!(
        app.store
            .escalate_emergency_calls(after)
            .await
            .expect("job"),
        0,
        "the county is the top"
    );
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let listed = app.gql(&county, LIST, json!({})).await;
    assert_eq!(
        listed["data"]["emergencyCalls"][0]["level"], "COUNTY",
        "{listed}"
    );
    app.store.fix_clock(None);
}
on_both_backends!(an_unanswered_call_climbs_the_ladder);

fn basic(serial: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{serial}:{secret}"))
    )
}

async fn press(app: &TestApp, authorization: Option<&str>) -> (u16, Value) {
    let mut req = actix_web::test::TestRequest::post().uri("/emergency/device-calls");
    if let Some(a) = authorization {
        req = req.insert_header(("authorization", a.to_owned()));
    }
    let (status, _, body) = app.send(req).await;
    (status.as_u16(), body)
}

/// A registered device with its credential raises a call for its member; without the
/// credential, with a wrong one, or once the device is given a new one, it is refused,
/// and a guesser is slowed down.
async fn a_device_raises_a_call_with_its_own_credential(app: &TestApp) {
    let village = "411002001001";
    let (family, members) = app.family_at(village, 1).await;
    let worker = app.token(StaffRole::VillageWorker, village).await;
    let registered = app
        .gql(
            &worker,
            "mutation($input: RegisterDeviceInput!) { registerEmergencyDevice(input: $input) { id serial } }",
            json!({ "input": { "familyId": gid("Family", family), "memberId": gid("Member", members[0]), "serial": "SOS-7001" } }),
        )
        .await;
    let device = registered["data"]["registerEmergencyDevice"]["id"].clone();
    // Registered but never given a secret: refused.
    assert_eq!(
        press(app, Some(&basic("SOS-7001", "anything"))).await.0,
        401
    );
    let issue = "mutation($d: ID!) { issueDeviceCredential(deviceId: $d) { serial secret } }";
    let issued = app.gql(&worker, issue, json!({ "d": device })).await;
    let secret = issued["data"]["issueDeviceCredential"]["secret"]
        .as_str()
        .expect("a secret")
        .to_owned();
    assert_eq!(
        issued["data"]["issueDeviceCredential"]["serial"], "SOS-7001",
        "{issued}"
    );
    // Another village's worker may not give this device a secret.
    let elsewhere = app.token(StaffRole::VillageWorker, "411002001002").await;
    let refused = app.gql(&elsewhere, issue, json!({ "d": device })).await;
    assert_eq!(error_code(&refused), Some("NOT_FOUND"), "{refused}");

    let (status, body) = press(app, None).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, Some("UNAUTHENTICATED")),
        "{body}"
    );
    let (status, body) = press(app, Some(&basic("SOS-7001", "not-the-secret"))).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, Some("UNAUTHENTICATED")),
        "{body}"
    );
    let (status, body) = press(app, Some(&basic("SOS-9999", &secret))).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(app.count("emergency_call").await, 0);

    let (status, body) = press(app, Some(&basic("SOS-7001", &secret))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "OPEN", "{body}");
    let listed = app.gql(&worker, LIST, json!({})).await;
    assert_eq!(
        ids(&listed),
        vec![body["callId"].as_str().unwrap_or_default().to_owned()],
        "{listed}"
    );
    let who = app
        .gql(
            &worker,
            "query { emergencyCalls { raisedBy byDevice } }",
            json!({}),
        )
        .await;
    assert_eq!(
        who["data"]["emergencyCalls"][0]["raisedBy"], "SOS-7001",
        "{who}"
    );

    // A new secret replaces the old one.
    let again = app.gql(&worker, issue, json!({ "d": device })).await;
    assert!(
        again["data"]["issueDeviceCredential"]["secret"].is_string(),
        "{again}"
    );
    assert_eq!(press(app, Some(&basic("SOS-7001", &secret))).await.0, 401);

    // Guessing is slowed: after a few wrong secrets the serial waits.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(press(app, Some(&basic("SOS-7001", "guess"))).await.0);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}
on_both_backends!(a_device_raises_a_call_with_its_own_credential);

/// A frightened caller presses many times at once (the phone and the device, or two
/// replicas): one call. Without the partial unique index the database keeps, 16 presses at
/// once made two calls on PostgreSQL in about half the runs.
async fn presses_at_the_same_instant_are_one_call(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    let parent = nuanxin_domain::Principal::of(nuanxin_domain::Subject::FamilyMember {
        family,
        member: members[0],
    });
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(16));
    let presses: Vec<_> = (0..16)
        .map(|_| {
            let (store, parent, start) = (app.store.clone(), parent.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                store.raise_emergency_call(&parent).await
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for press in presses {
        let call = press.await.expect("task").expect("every press is answered");
        ids.insert(call.id);
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(app.count("emergency_call").await, 1);
}
on_both_backends!(presses_at_the_same_instant_are_one_call);
