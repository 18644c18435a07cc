//! Events for partners: a referral assigned to a unit and a green-channel card issued reach
//! the organisation's receiver (a local stand-in HTTP server), signed with HMAC-SHA256 over
//! timestamp and body; a failing receiver is retried with back-off and then marked failed;
//! the city reads the delivery log. Events go only where the family consents.

use std::time::Duration;

use nuanxin_domain::{PartnerKind, StaffRole};
use nuanxin_server::webhooks::{Deliverer, WebhookSettings};
use nuanxin_tests::receiver::Receiver;
use nuanxin_tests::{TestApp, error_code, error_field, gid, on_both_backends};
use serde_json::{Value, json};

const CREATE: &str = "mutation($org: ID!, $url: String!, $events: [WebhookEvent!]!) { createWebhookEndpoint(organisationId: $org, url: $url, events: $events) { signingSecret endpoint { id url events active } } }";
const LOG: &str = "query($org: ID!) { webhookDeliveries(organisationId: $org) { event state attempts lastStatus lastError payload deliveredAt } }";

fn deliverer(max_attempts: u32) -> Deliverer {
    Deliverer::new(WebhookSettings {
        timeout: Duration::from_secs(5),
        max_attempts,
        retry_base: Duration::from_secs(30),
        poll: Duration::from_millis(50),
    })
    .expect("deliverer")
}

/// Moves the store's clock past every back-off.
fn later(app: &TestApp, minutes: i64) {
    app.store.fix_clock(Some(
        chrono::Utc::now() + chrono::Duration::minutes(minutes),
    ));
}

async fn endpoint(app: &TestApp, city: &str, org: uuid::Uuid, url: &str, event: &str) -> String {
    let body = app
        .gql(
            city,
            CREATE,
            json!({ "org": gid("Organisation", org), "url": url, "events": [event] }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["createWebhookEndpoint"]["signingSecret"]
        .as_str()
        .expect("secret")
        .to_owned()
}

fn open_referral(family: uuid::Uuid, member: uuid::Uuid) -> Value {
    json!({ "input": { "familyId": gid("Family", family), "memberId": gid("Member", member),
        "workflow": "REFERRAL", "referralKind": "CARE_HOME_ADMISSION", "summary": "申请入住养老院",
        "openedOn": nuanxin_domain::time::china_today().to_string() } })
}

on_both_backends!(a_referral_reaches_the_units_receiver_signed_and_retried);
async fn a_referral_reaches_the_units_receiver_signed_and_retried(app: &TestApp) {
    let receiver = Receiver::start(&[500]).await;
    let (family, members) = app.family_at("411002001001", 1).await;
    let (quiet, quiet_members) = app.family_at("411002001001", 2).await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let (org, _) = app
        .partner(PartnerKind::CivilAffairs, &["411002"], &[])
        .await;
    let linked = app
        .gql(
            &city,
            "mutation($org: ID!) { linkCareUnit(unitCode: \"civil_affairs\", organisationId: $org) }",
            json!({ "org": gid("Organisation", org) }),
        )
        .await;
    assert!(linked["errors"].is_null(), "{linked}");
    let secret = endpoint(app, &city, org, &receiver.url, "REFERRAL_ASSIGNED").await;
    app.consent(family, PartnerKind::CivilAffairs).await;

    let open = "mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }";
    let before = app.count("webhook_delivery").await;
    let case = app
        .gql(&township, open, open_referral(family, members[0]))
        .await;
    assert!(case["errors"].is_null(), "{case}");
    // The family without consent: the referral is filed, the unit hears nothing.
    let silent = app
        .gql(&township, open, open_referral(quiet, quiet_members[0]))
        .await;
    assert!(silent["errors"].is_null(), "{silent}");
    assert_eq!(app.count("webhook_delivery").await, before + 1);

    // First attempt: the receiver fails; the delivery waits for its back-off.
    let worker = deliverer(3);
    assert_eq!(worker.run_once(&app.store).await.expect("pass"), 1);
    assert_eq!(
        worker.run_once(&app.store).await.expect("pass"),
        0,
        "not due yet"
    );
    let log = app
        .gql(&city, LOG, json!({ "org": gid("Organisation", org) }))
        .await;
    let entry = &log["data"]["webhookDeliveries"][0];
    assert_eq!(
        (&entry["state"], &entry["attempts"], &entry["lastStatus"]),
        (&json!("PENDING"), &json!(1), &json!(500)),
        "{log}"
    );
    later(app, 5);
    assert_eq!(worker.run_once(&app.store).await.expect("pass"), 1);
    let log = app
        .gql(&city, LOG, json!({ "org": gid("Organisation", org) }))
        .await;
    let entry = &log["data"]["webhookDeliveries"][0];
    assert_eq!(
        (&entry["state"], &entry["attempts"], &entry["lastStatus"]),
        (&json!("DELIVERED"), &json!(2), &json!(200)),
        "{log}"
    );

    // Both attempts carried the same delivery, signed over timestamp and body.
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].headers["x-nuanxin-delivery"],
        got[1].headers["x-nuanxin-delivery"]
    );
    for r in &got {
        let ts: i64 = r.headers["x-nuanxin-timestamp"].parse().expect("timestamp");
        assert_eq!(
            r.headers["x-nuanxin-signature"],
            nuanxin_auth::webhook_signature(&secret, ts, &r.body),
            "the signature verifies with the secret the city was shown"
        );
        assert_ne!(
            r.headers["x-nuanxin-signature"],
            nuanxin_auth::webhook_signature("another secret", ts, &r.body)
        );
        assert_eq!(r.headers["x-nuanxin-event"], "referral.assigned");
    }
    let body: Value = serde_json::from_str(&got[1].body).expect("json");
    assert_eq!(body["event"], "referral.assigned");
    assert_eq!(
        body["data"]["referral"]["id"], case["data"]["openCase"]["id"],
        "the id is the one the API answers for"
    );
    assert_eq!(body["data"]["referral"]["unitCode"], "civil_affairs");
    // Nothing about the person travels.
    let member_row = app
        .store
        .stored_rows("member")
        .await
        .expect("rows")
        .into_iter()
        .find(|r| r["id"].as_str() == Some(members[0].to_string().as_str()))
        .expect("member");
    let name = member_row["name"].as_str().expect("name");
    assert!(!got[1].body.contains(name), "{}", got[1].body);

    // The log is the city's: a county admin may not read it.
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let refused = app
        .gql(&county, LOG, json!({ "org": gid("Organisation", org) }))
        .await;
    assert!(error_code(&refused).is_some(), "{refused}");
}

on_both_backends!(a_failing_receiver_is_retried_then_marked_failed);
async fn a_failing_receiver_is_retried_then_marked_failed(app: &TestApp) {
    let failing = Receiver::start(&[503, 503, 503]).await;
    let (family, members) = app.family_at("411002001001", 1).await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    // A hospital contracted for 魏都区 hears of the card; one contracted elsewhere does not.
    let (near, _) = app.partner(PartnerKind::Hospital, &["411002"], &[]).await;
    let (far, _) = app.partner(PartnerKind::Hospital, &["411024"], &[]).await;
    endpoint(app, &city, near, &failing.url, "GREEN_CHANNEL_CARD_ISSUED").await;
    let elsewhere = Receiver::start(&[]).await;
    endpoint(app, &city, far, &elsewhere.url, "GREEN_CHANNEL_CARD_ISSUED").await;
    app.consent(family, PartnerKind::Hospital).await;
    let before = app.count("webhook_delivery").await;
    let card = app
        .gql(
            &township,
            "mutation($m: ID!) { issueGreenChannelCard(memberId: $m) { id cardNumber } }",
            json!({ "m": gid("Member", members[0]) }),
        )
        .await;
    assert!(card["errors"].is_null(), "{card}");
    assert_eq!(app.count("webhook_delivery").await, before + 1);

    // A receiver turned off: its delivery waits; on again, it goes.
    let endpoints = app
        .gql(
            &city,
            "query($o: ID!) { webhookEndpoints(organisationId: $o) { id } }",
            json!({ "o": gid("Organisation", near) }),
        )
        .await;
    let near_endpoint = endpoints["data"]["webhookEndpoints"][0]["id"].clone();
    let toggle = "mutation($e: ID!, $on: Boolean!) { setWebhookEndpointActive(endpointId: $e, active: $on) { active } }";
    let off = app
        .gql(&city, toggle, json!({ "e": near_endpoint, "on": false }))
        .await;
    assert_eq!(
        off["data"]["setWebhookEndpointActive"]["active"], false,
        "{off}"
    );
    let worker = deliverer(2);
    assert_eq!(
        worker.run_once(&app.store).await.expect("pass"),
        0,
        "off: waits"
    );
    assert!(failing.received().is_empty());
    let on = app
        .gql(&city, toggle, json!({ "e": near_endpoint, "on": true }))
        .await;
    assert_eq!(
        on["data"]["setWebhookEndpointActive"]["active"], true,
        "{on}"
    );
    assert_eq!(worker.run_once(&app.store).await.expect("pass"), 1);
    later(app, 5);
    assert_eq!(worker.run_once(&app.store).await.expect("pass"), 1);
    later(app, 60);
    assert_eq!(
        worker.run_once(&app.store).await.expect("pass"),
        0,
        "no attempt after the last"
    );
    let log = app
        .gql(&city, LOG, json!({ "org": gid("Organisation", near) }))
        .await;
    let entry = &log["data"]["webhookDeliveries"][0];
    assert_eq!(entry["state"], "FAILED", "{log}");
    assert_eq!(entry["attempts"], 2);
    assert_eq!(entry["lastStatus"], 503);
    assert!(
        entry["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("503")),
        "{log}"
    );
    assert_eq!(failing.received().len(), 2);
    let body: Value = serde_json::from_str(&failing.received()[0].body).expect("json");
    assert_eq!(
        body["data"]["card"]["cardNumber"],
        card["data"]["issueGreenChannelCard"]["cardNumber"]
    );
    assert!(elsewhere.received().is_empty());
    let far_log = app
        .gql(&city, LOG, json!({ "org": gid("Organisation", far) }))
        .await;
    assert_eq!(far_log["data"]["webhookDeliveries"], json!([]), "{far_log}");
}

on_both_backends!(an_unreachable_receiver_and_bad_addresses);
async fn an_unreachable_receiver_and_bad_addresses(app: &TestApp) {
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let (family, members) = app.family_at("411002001001", 1).await;
    let (org, _) = app.partner(PartnerKind::Hospital, &["411002"], &[]).await;
    let before = app.count("webhook_endpoint").await;
    for url in [
        "http://hospital.example.cn/hook",
        "ftp://127.0.0.1/hook",
        "https://user:pw@hospital.example.cn/",
    ] {
        let body = app
            .gql(
                &city,
                CREATE,
                json!({ "org": gid("Organisation", org), "url": url, "events": ["GREEN_CHANNEL_CARD_ISSUED"] }),
            )
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{url}: {body}");
        assert_eq!(error_field(&body), Some("url"));
    }
    let none = app
        .gql(
            &city,
            CREATE,
            json!({ "org": gid("Organisation", org), "url": "https://hospital.example.cn/hook", "events": [] }),
        )
        .await;
    assert_eq!(error_code(&none), Some("BAD_USER_INPUT"), "{none}");
    assert_eq!(error_field(&none), Some("events"));
    assert_eq!(app.count("webhook_endpoint").await, before);

    // A port nobody listens on: the attempt is recorded as unreachable.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    endpoint(
        app,
        &city,
        org,
        &format!("http://127.0.0.1:{closed}/hook"),
        "GREEN_CHANNEL_CARD_ISSUED",
    )
    .await;
    assert_eq!(app.count("webhook_endpoint").await, before + 1);
    app.consent(family, PartnerKind::Hospital).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let card = app
        .gql(
            &township,
            "mutation($m: ID!) { issueGreenChannelCard(memberId: $m) { id } }",
            json!({ "m": gid("Member", members[0]) }),
        )
        .await;
    assert!(card["errors"].is_null(), "{card}");
    assert_eq!(deliverer(3).run_once(&app.store).await.expect("pass"), 1);
    let log = app
        .gql(&city, LOG, json!({ "org": gid("Organisation", org) }))
        .await;
    let entry = &log["data"]["webhookDeliveries"][0];
    assert_eq!(entry["state"], "PENDING", "{log}");
    assert!(entry["lastStatus"].is_null(), "{log}");
    assert_eq!(
        entry["lastError"], "the receiver could not be reached",
        "{log}"
    );
}
