//! Subscriptions at `/graphql/ws` over real sockets to real listening servers: the
//! `graphql-transport-ws` close codes (each beside an allowed control), the policy's rows
//! for who hears a call, a token's expiry and sign-out ending its subscriptions, and a call
//! raised through one gateway replica reaching a worker connected to another (two servers
//! on one PostgreSQL).

use std::time::Duration;

use chrono::Utc;
use nuanxin_auth::{TokenService, TokenSettings};
use nuanxin_domain::StaffRole;
use nuanxin_tests::ws::{WsClient, WsEvent};
use nuanxin_tests::{Listening, TestApp, on_both_backends};
use serde_json::{Value, json};

const CALLS: &str =
    "subscription { emergencyCalls { step call { id level state family { id } } } }";
const RAISE: &str = "mutation { raiseEmergencyCall { id } }";

fn init_with(token: &str) -> Value {
    json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })
}

async fn closed_with(url: &str, first: Value) -> WsEvent {
    let mut c = WsClient::connect(url).await;
    c.send(first).await;
    c.next().await
}

/// The next `next` message of operation `id`, skipping nothing else.
fn step_of(event: &WsEvent) -> (&str, &str) {
    match event {
        WsEvent::Message(m) => (
            m["id"].as_str().unwrap_or_default(),
            m["payload"]["data"]["emergencyCalls"]["step"]
                .as_str()
                .unwrap_or_default(),
        ),
        WsEvent::Closed(..) => ("", ""),
    }
}

async fn the_protocol_close_codes(app: &TestApp) {
    let mut state = app.state.clone();
    state.ws.init_timeout = Duration::from_millis(300);
    let server = Listening::start(state);
    let url = server.ws_url();
    let worker = app.token(StaffRole::VillageWorker, "411002001001").await;

    // The allowed control: a village worker's token is acknowledged and may subscribe.
    let mut ok = WsClient::signed_in(&url, &worker).await;
    ok.subscribe("a", CALLS).await;
    assert_eq!(
        ok.next_within(Duration::from_millis(300)).await,
        None,
        "nothing to hear yet"
    );

    // No token, a bad one, an expired one: 4401.
    let none = closed_with(&url, json!({ "type": "connection_init" })).await;
    assert_eq!(none.close_code(), Some(4401), "{none:?}");
    let bad = closed_with(&url, init_with("not.a.token")).await;
    assert_eq!(bad.close_code(), Some(4401), "{bad:?}");
    let (kid, key) = app.jwt_keys.keys()[0].clone();
    let expired = expired_token(app, &kid, &key).await;
    let gone = closed_with(&url, init_with(&expired)).await;
    assert_eq!(
        gone,
        WsEvent::Closed(4401, "Unauthorized: token expired".into())
    );
    // A genuine caller whose audience hears no calls: 4403.
    let auditor = app.token(StaffRole::Auditor, "411002").await;
    let forbidden = closed_with(&url, init_with(&auditor)).await;
    assert_eq!(forbidden.close_code(), Some(4403), "{forbidden:?}");
    // Subscribing before the acknowledgement: 4401.
    let early = closed_with(
        &url,
        json!({ "type": "subscribe", "id": "1", "payload": { "query": CALLS } }),
    )
    .await;
    assert_eq!(early.close_code(), Some(4401), "{early:?}");
    // Not a protocol message: 4400.
    let mut c = WsClient::connect(&url).await;
    c.send_text("hello".into()).await;
    assert_eq!(c.next().await.close_code(), Some(4400));
    // Silence: 4408 once the init timeout has passed.
    let mut quiet = WsClient::connect(&url).await;
    assert_eq!(quiet.next().await.close_code(), Some(4408));
    // A second init: 4429; an id already running: 4409.
    let mut twice = WsClient::signed_in(&url, &worker).await;
    twice.send(init_with(&worker)).await;
    assert_eq!(twice.next().await.close_code(), Some(4429));
    let mut dup = WsClient::signed_in(&url, &worker).await;
    dup.subscribe("x", CALLS).await;
    dup.subscribe("y", CALLS).await;
    dup.subscribe("x", CALLS).await;
    assert_eq!(
        dup.next().await,
        WsEvent::Closed(4409, "Subscriber for x already exists".into())
    );

    // The control connection is still open and answers a protocol ping.
    ok.send(json!({ "type": "ping" })).await;
    assert_eq!(ok.next().await, WsEvent::Message(json!({ "type": "pong" })));
    // An operation the audience may not run is an `error` for that id, not a close.
    ok.subscribe("b", "mutation { raiseEmergencyCall { id } }")
        .await;
    let refused = ok.next().await;
    let WsEvent::Message(m) = &refused else {
        panic!("{refused:?}")
    };
    assert_eq!(
        (m["type"].as_str(), m["id"].as_str()),
        (Some("error"), Some("b")),
        "{m}"
    );
    assert_eq!(m["payload"][0]["extensions"]["code"], "FORBIDDEN", "{m}");
}
on_both_backends!(the_protocol_close_codes);

async fn expired_token(app: &TestApp, kid: &str, key: &[u8]) -> String {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let (sub, _) = app.staff(StaffRole::VillageWorker, "411002001001").await;
    let settings = app.tokens().settings();
    let now = Utc::now().timestamp();
    let claims = nuanxin_auth::Claims {
        sub: sub.to_string(),
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
        exp: now - 120,
        nbf: now - 900,
        iat: now - 900,
        jti: "old".into(),
        kind: "staff".into(),
        role: "village_worker".into(),
        region: "411002001001".into(),
        org: String::new(),
        name: "old".into(),
        app: String::new(),
    };
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.into());
    encode(
        &header,
        &claims,
        &EncodingKey::from_secret(key).expect("key"),
    )
    .expect("sign")
}

/// A token running out and a sign-out both end the connection (4401), each beside a
/// connection that stays.
async fn expiry_and_sign_out_end_subscriptions(app: &TestApp) {
    let mut state = app.state.clone();
    state.ws.recheck_every = Duration::from_millis(200);
    let server = Listening::start(state);
    let url = server.ws_url();
    let user = app
        .store
        .create_staff_user(nuanxin_store::NewStaffUser {
            username: "short-lived".into(),
            display_name: "short-lived".into(),
            password_hash: "!no-password".into(),
            role: StaffRole::VillageWorker,
            home_region: nuanxin_domain::RegionCode::parse("411002001001").expect("region"),
        })
        .await
        .expect("the worker");
    let principal = user.principal();
    let short = TokenService::new(
        app.jwt_keys.clone(),
        TokenSettings {
            access_ttl: chrono::Duration::seconds(2),
            ..app.tokens().settings().clone()
        },
    )
    .issue(&principal)
    .expect("token")
    .token;
    let staying = app.token(StaffRole::VillageWorker, "411002001001").await;
    let leaving = app.token(StaffRole::VillageWorker, "411002001001").await;
    let mut stays = WsClient::signed_in(&url, &staying).await;
    let mut runs_out = WsClient::signed_in(&url, &short).await;
    let mut signs_out = WsClient::signed_in(&url, &leaving).await;
    for c in [&mut stays, &mut runs_out, &mut signs_out] {
        c.subscribe("calls", CALLS).await;
    }
    let out = app.gql(&leaving, "mutation { logout }", json!({})).await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    assert_eq!(
        signs_out.next().await,
        WsEvent::Closed(4401, "Unauthorized: token revoked".into())
    );
    assert_eq!(
        runs_out.next().await,
        WsEvent::Closed(4401, "Unauthorized: token expired".into())
    );
    stays.send(json!({ "type": "ping" })).await;
    assert_eq!(
        stays.next().await,
        WsEvent::Message(json!({ "type": "pong" }))
    );
}
on_both_backends!(expiry_and_sign_out_end_subscriptions);

/// Each listener hears only the calls of families in its rows, at its level of the
/// ladder: the village's worker at once, the county's admin once the call has climbed to
/// the county, another county's admin never.
async fn each_listener_hears_only_its_rows(app: &TestApp) {
    let server = app.listen();
    let url = server.ws_url();
    let village = "411002001001";
    let (family, members) = app.family_at(village, 1).await;
    let parent = app.family_member_token(family, members[0]);
    let mut listeners = Vec::new();
    for (role, region) in [
        (StaffRole::VillageWorker, village),
        (StaffRole::VillageWorker, "411002001002"),
        (StaffRole::CountyAdmin, "411002"),
        (StaffRole::CountyAdmin, "411003"),
    ] {
        let token = app.token(role, region).await;
        let mut c = WsClient::signed_in(&url, &token).await;
        c.subscribe("calls", CALLS).await;
        listeners.push(c);
    }
    let raised = app.gql(&parent, RAISE, json!({})).await;
    let call = raised["data"]["raiseEmergencyCall"]["id"].clone();
    assert!(call.is_string(), "{raised}");
    let heard = listeners[0].next().await;
    assert_eq!(step_of(&heard), ("calls", "RAISED"), "{heard:?}");
    let WsEvent::Message(m) = &heard else {
        panic!()
    };
    assert_eq!(
        m["payload"]["data"]["emergencyCalls"]["call"]["id"], call,
        "{m}"
    );
    for other in &mut listeners[1..] {
        assert_eq!(other.next_within(Duration::from_millis(300)).await, None);
    }
    // Unanswered: it climbs to the township, then to the county.
    let now = Utc::now();
    let after = chrono::Duration::minutes(3);
    app.store
        .fix_clock(Some(now + chrono::Duration::minutes(4)));
    assert_eq!(
        app.store
            .escalate_emergency_calls(after)
            .await
            .expect("job"),
        1
    );
    app.store
        .fix_clock(Some(now + chrono::Duration::minutes(8)));
    assert_eq!(
        app.store
            .escalate_emergency_calls(after)
            .await
            .expect("job"),
        1
    );
    app.store.fix_clock(None);
    let county = listeners[2].next().await;
    assert_eq!(step_of(&county), ("calls", "ESCALATED"), "{county:?}");
    let WsEvent::Message(m) = &county else {
        panic!()
    };
    assert_eq!(
        m["payload"]["data"]["emergencyCalls"]["call"]["level"], "COUNTY",
        "{m}"
    );
    assert_eq!(step_of(&listeners[0].next().await), ("calls", "ESCALATED"));
    assert_eq!(step_of(&listeners[0].next().await), ("calls", "ESCALATED"));
    assert_eq!(
        listeners[1].next_within(Duration::from_millis(300)).await,
        None
    );
    assert_eq!(
        listeners[3].next_within(Duration::from_millis(300)).await,
        None,
        "another county"
    );
}
on_both_backends!(each_listener_hears_only_its_rows);

/// Two gateway replicas on one PostgreSQL: a call raised through the first reaches a
/// township worker connected to the second, who acknowledges it there, and the village
/// worker connected to the first hears the acknowledgement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_raised_on_one_replica_reaches_another() {
    nuanxin_tests::run(nuanxin_tests::Backend::Postgres, async |app: &TestApp| {
        let first = app.listen();
        let replica = app.replica().await;
        let second = Listening::start(replica.clone());
        let village = "411002001001";
        let (family, members) = app.family_at(village, 1).await;
        let parent = app.family_member_token(family, members[0]);
        let township = app.token(StaffRole::TownshipWorker, "411002001").await;
        let villager = app.token(StaffRole::VillageWorker, village).await;
        let mut on_second = WsClient::signed_in(&second.ws_url(), &township).await;
        on_second.subscribe("calls", CALLS).await;
        let mut on_first = WsClient::signed_in(&first.ws_url(), &villager).await;
        on_first.subscribe("calls", CALLS).await;
        // Both are listening (LISTEN is set up when a store connects).
        tokio::time::sleep(Duration::from_millis(300)).await;

        let raised = app.gql(&parent, RAISE, json!({})).await;
        let call = raised["data"]["raiseEmergencyCall"]["id"].clone();
        assert_eq!(step_of(&on_first.next().await), ("calls", "RAISED"));
        // The township hears it once it climbs (through the first replica's job).
        let now = Utc::now();
        app.store
            .fix_clock(Some(now + chrono::Duration::minutes(4)));
        assert_eq!(
            app.store
                .escalate_emergency_calls(chrono::Duration::minutes(3))
                .await
                .expect("job"),
            1
        );
        app.store.fix_clock(None);
        let heard = on_second.next().await;
        assert_eq!(step_of(&heard), ("calls", "ESCALATED"), "{heard:?}");
        let WsEvent::Message(m) = &heard else {
            panic!()
        };
        assert_eq!(
            m["payload"]["data"]["emergencyCalls"]["call"]["id"], call,
            "{m}"
        );
        // Acknowledged on the second replica, over the same socket.
        on_second
            .send(json!({ "type": "subscribe", "id": "ack", "payload": {
                "query": "mutation($id: ID!) { acknowledgeEmergencyCall(id: $id) { state } }",
                "variables": { "id": call } } }))
            .await;
        let mut acked = None;
        for _ in 0..4 {
            if let WsEvent::Message(m) = on_second.next().await
                && m["id"] == "ack"
                && m["type"] == "next"
            {
                acked = Some(m);
                break;
            }
        }
        let acked = acked.expect("the acknowledgement's answer");
        assert_eq!(
            acked["payload"]["data"]["acknowledgeEmergencyCall"]["state"], "ACKNOWLEDGED",
            "{acked}"
        );
        let mut steps = Vec::new();
        while let Some(WsEvent::Message(m)) = on_first.next_within(Duration::from_secs(5)).await {
            let step = m["payload"]["data"]["emergencyCalls"]["step"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            steps.push(step.clone());
            if step == "ACKNOWLEDGED" {
                break;
            }
        }
        assert_eq!(steps, ["ESCALATED", "ACKNOWLEDGED"]);
        replica.store.close().await;
    })
    .await;
}

/// A volunteer subscribes through the mini-program: only its registered operations, and
/// within its budget, as over HTTP.
async fn a_mini_program_user_subscribes_within_its_list_and_budget(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    let (_, volunteer) = app.volunteer(&[family]).await;
    let state = app.state.clone().with_mini_program_rate(1000, 3);
    let server = Listening::start(state);
    let mut c = WsClient::signed_in(&server.ws_url(), &volunteer).await;
    // Not registered for the mini-program: an error for that id, the connection stays.
    c.subscribe("unlisted", CALLS).await;
    let refused = c.next().await;
    let WsEvent::Message(m) = &refused else {
        panic!("{refused:?}")
    };
    assert_eq!(
        m["payload"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_ALLOWED",
        "{m}"
    );
    // Registered: runs (nothing to hear yet).
    app.allow(&volunteer, CALLS).await;
    c.subscribe("listed", CALLS).await;
    assert_eq!(c.next_within(Duration::from_millis(300)).await, None);
    c.subscribe("third", CALLS).await;
    assert_eq!(c.next_within(Duration::from_millis(300)).await, None);
    // The fourth operation of this minute is over the user's budget of three.
    c.subscribe("over", CALLS).await;
    let over = c.next().await;
    let WsEvent::Message(m) = &over else {
        panic!("{over:?}")
    };
    assert_eq!(
        (
            m["id"].as_str(),
            m["payload"][0]["extensions"]["code"].as_str()
        ),
        (Some("over"), Some("RATE_LIMITED")),
        "{m}"
    );
}
on_both_backends!(a_mini_program_user_subscribes_within_its_list_and_budget);
