//! The family's side of the mini-program: their own file (masked), each member's
//! entitlement explained in Chinese, and "my allowance" — which months the city approved,
//! which were paid, returned with the bank's reason, or paid again. Nothing of another
//! family, and not the county's roster.

use nuanxin_domain::StaffRole;
use nuanxin_domain::month::YearMonth;
use nuanxin_tests::{TestApp, error_code, gid, on_both_backends};
use serde_json::{Value, json};

const MY_PAYMENTS: &str = "query($m: String) { myPayments(month: $m) { month memberId kind amountFen attempt state reason explanation } }";
const ENTITLEMENT: &str = "query($id: ID!, $m: String!) { family(id: $id) { members { name entitlement(month: $m) { entitled amountFen explanation } } } }";

fn last_month() -> YearMonth {
    YearMonth::of(nuanxin_domain::time::china_today()).prev()
}

/// Last month's lines (the first roster also pays up to two years of arrears).
async fn payments(app: &TestApp, token: &str) -> Vec<Value> {
    let body = app
        .gql(token, MY_PAYMENTS, json!({ "m": last_month().to_string() }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["myPayments"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn step(app: &TestApp, token: &str, mutation: &str, id: &Value) -> Value {
    app.roster_step(token, mutation, id).await
}

async fn a_family_sees_its_own_allowance_month_by_month(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let (other, _) = app.family_at("411002001001", 2).await;
    app.activate(other).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let parent = app.family_member_token(family, members[0]);
    let month = last_month();

    // Each member's entitlement, explained in Chinese.
    let body = app
        .gql(
            &parent,
            ENTITLEMENT,
            json!({ "id": gid("Family", family), "m": month.to_string() }),
        )
        .await;
    let entitlement = &body["data"]["family"]["members"][0]["entitlement"];
    assert_eq!(entitlement["entitled"], true, "{body}");
    assert!(
        entitlement["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("元")),
        "{body}"
    );

    let roster = app
        .gql(
            &county,
            "mutation($c: String!, $p: String!) { generateRoster(input: { countyCode: $c, periodStart: $p }) { id } }",
            json!({ "c": "411002", "p": month.to_string() }),
        )
        .await["data"]["generateRoster"]["id"]
        .clone();
    // A draft may still change: the family does not see it yet.
    assert!(payments(app, &parent).await.is_empty());

    step(app, &county, "submitRoster", &roster).await;
    let approved = step(app, &city, "approveRoster", &roster).await;
    assert_eq!(
        approved["data"]["approveRoster"]["status"], "APPROVED",
        "{approved}"
    );
    let mine = payments(app, &parent).await;
    assert_eq!(mine.len(), 2, "father and mother, nobody else: {mine:?}");
    let all = app.gql(&parent, MY_PAYMENTS, json!({})).await;
    let every = all["data"]["myPayments"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert!(every > 2, "without a month: arrears too, newest first");
    assert_eq!(all["data"]["myPayments"][0]["month"], month.to_string());
    let ours = [gid("Member", members[0]), gid("Member", members[1])];
    assert!(
        mine.iter()
            .all(|l| ours.contains(&l["memberId"].as_str().unwrap_or_default().to_owned()))
    );
    assert!(
        mine.iter()
            .all(|l| l["state"] == "PENDING" && l["month"] == month.to_string())
    );
    assert!(
        mine[0]["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("元"))
    );

    let today = nuanxin_domain::time::china_today().to_string();
    app.gql(
        &city,
        "mutation($id: ID!, $on: NaiveDate!) { markRosterPaid(id: $id, bankBatchRef: \"XC-1\", paidOn: $on) { status } }",
        json!({ "id": roster, "on": today }),
    )
    .await;
    let lines = app
        .gql(
            &city,
            "query($id: ID!) { roster(id: $id) { lines(first: 100) { edges { node { id memberId month } } } } }",
            json!({ "id": roster }),
        )
        .await;
    let father_line = lines["data"]["roster"]["lines"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["node"]["memberId"] == ours[0] && e["node"]["month"] == month.to_string())
        .map(|e| e["node"]["id"].clone())
        .expect("the father's line");
    app.gql(
        &city,
        "mutation($id: ID!, $l: ID!) { reconcileRoster(id: $id, exceptions: [{ lineId: $l, outcome: \"returned\", reason: \"账户已销户\" }]) { status } }",
        json!({ "id": roster, "l": father_line }),
    )
    .await;
    let mine = payments(app, &parent).await;
    let father = mine
        .iter()
        .find(|l| l["memberId"] == ours[0])
        .expect("father");
    let mother = mine
        .iter()
        .find(|l| l["memberId"] == ours[1])
        .expect("mother");
    assert_eq!(father["state"], "RETURNED", "{mine:?}");
    assert_eq!(father["reason"], "账户已销户");
    assert_eq!(mother["state"], "PAID");

    // The roster behind a line is the county's, not the family's; staff see it.
    let roster_of = "query { myPayments { roster { id } } }";
    let refused = app.gql(&parent, roster_of, json!({})).await;
    assert!(
        refused["errors"].is_array() && refused["data"].is_null(),
        "{refused}"
    );
    let staff_view = app
        .gql(
            &county,
            "query($f: ID!) { paymentHistory(familyId: $f) { roster { id } } }",
            json!({ "f": gid("Family", family) }),
        )
        .await;
    assert!(
        staff_view["data"]["paymentHistory"][0]["roster"]["id"].is_string(),
        "{staff_view}"
    );
    // "My allowance" is a family's question: staff get no such list.
    let staff = app.gql(&county, MY_PAYMENTS, json!({})).await;
    assert_eq!(error_code(&staff), Some("FORBIDDEN"), "{staff}");
}
on_both_backends!(a_family_sees_its_own_allowance_month_by_month);

const SUBMIT: &str = "mutation($k: RequestKind!, $n: String, $p: String, $a: String) { submitRequest(kind: $k, note: $n, newPhone: $p, newAddress: $a) { id kind kindText state stateText note newPhone newAddress memberName } }";
const MY_REQUESTS: &str = "query { myRequests { id kind state answerNote answeredBy } }";
const OPEN_REQUESTS: &str = "query { familyRequests { id kind familyId memberName newPhone } }";
const ANSWER: &str = "mutation($id: ID!, $ok: Boolean!, $n: String) { answerRequest(id: $id, accept: $ok, note: $n) { state answerNote answeredBy } }";
const PHONE: &str = "query($id: ID!) { member(id: $id) { phone address } }";

/// A family asks; the village worker answers; a new phone reaches the file only when the
/// worker accepts it, and a worker elsewhere sees none of it.
async fn a_familys_requests_wait_for_a_worker(app: &TestApp) {
    let village = "411002001001";
    let (family, members) = app.family_at(village, 3).await;
    let (other, other_members) = app.family_at(village, 4).await;
    let parent = app.family_member_token(family, members[0]);
    let neighbour = app.family_member_token(other, other_members[0]);
    let worker = app.token(StaffRole::VillageWorker, village).await;
    let elsewhere = app.token(StaffRole::VillageWorker, "411002001002").await;

    let visit = app
        .gql(
            &parent,
            SUBMIT,
            json!({ "k": "VISIT", "n": "想有人来坐坐" }),
        )
        .await;
    let visit = &visit["data"]["submitRequest"];
    assert_eq!(visit["state"], "OPEN", "{visit}");
    assert_eq!(visit["kindText"], "申请走访");
    assert_eq!(visit["stateText"], "待处理");
    let bad = app
        .gql(
            &parent,
            SUBMIT,
            json!({ "k": "CONTACT_CHANGE", "p": "12345" }),
        )
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    assert_eq!(bad["errors"][0]["extensions"]["field"], "newPhone");
    let change = app
        .gql(
            &parent,
            SUBMIT,
            json!({ "k": "CONTACT_CHANGE", "p": "139 0000 2222" }),
        )
        .await;
    let change = &change["data"]["submitRequest"];
    assert_eq!(change["newPhone"], "139****2222", "{change}");

    // Nothing reached the file yet.
    let before = app
        .gql(&worker, PHONE, json!({ "id": gid("Member", members[0]) }))
        .await;
    assert_ne!(before["data"]["member"]["phone"], "139****2222", "{before}");

    // The worker of the village sees both; a worker elsewhere none; a neighbour not ours.
    let open = app.gql(&worker, OPEN_REQUESTS, json!({})).await;
    assert_eq!(
        open["data"]["familyRequests"].as_array().map(Vec::len),
        Some(2),
        "{open}"
    );
    let none = app.gql(&elsewhere, OPEN_REQUESTS, json!({})).await;
    assert_eq!(
        none["data"]["familyRequests"].as_array().map(Vec::len),
        Some(0),
        "{none}"
    );
    let theirs = app.gql(&neighbour, MY_REQUESTS, json!({})).await;
    assert_eq!(
        theirs["data"]["myRequests"].as_array().map(Vec::len),
        Some(0),
        "{theirs}"
    );
    let outside = app
        .gql(
            &elsewhere,
            ANSWER,
            json!({ "id": change["id"], "ok": true }),
        )
        .await;
    assert_eq!(error_code(&outside), Some("NOT_FOUND"), "{outside}");
    // A family cannot answer its own request.
    let own = app
        .gql(&parent, ANSWER, json!({ "id": change["id"], "ok": true }))
        .await;
    assert_eq!(error_code(&own), Some("FORBIDDEN"), "{own}");

    // Declining needs the reason the family reads.
    let silent = app
        .gql(&worker, ANSWER, json!({ "id": visit["id"], "ok": false }))
        .await;
    assert_eq!(error_code(&silent), Some("BAD_USER_INPUT"), "{silent}");
    let declined = app
        .gql(
            &worker,
            ANSWER,
            json!({ "id": visit["id"], "ok": false, "n": "本周已安排志愿者上门, 请留意电话" }),
        )
        .await;
    assert_eq!(
        declined["data"]["answerRequest"]["state"], "DECLINED",
        "{declined}"
    );
    let accepted = app
        .gql(&worker, ANSWER, json!({ "id": change["id"], "ok": true }))
        .await;
    assert_eq!(
        accepted["data"]["answerRequest"]["state"], "ACCEPTED",
        "{accepted}"
    );
    let again = app
        .gql(&worker, ANSWER, json!({ "id": change["id"], "ok": true }))
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");

    // The new phone is on file now; the family reads the answers.
    let after = app
        .gql(&worker, PHONE, json!({ "id": gid("Member", members[0]) }))
        .await;
    assert_eq!(after["data"]["member"]["phone"], "139****2222", "{after}");
    let mine = app.gql(&parent, MY_REQUESTS, json!({})).await;
    let list = mine["data"]["myRequests"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 2, "{mine}");
    assert!(
        list.iter()
            .any(|r| r["answerNote"] == "本周已安排志愿者上门, 请留意电话")
    );
    assert!(list.iter().all(|r| r["answeredBy"].is_string()));
}
on_both_backends!(a_familys_requests_wait_for_a_worker);

const MY_CONSENTS: &str = "query { myConsents { recipientKind given effectiveOn } }";
const WITHDRAW: &str =
    "mutation($k: PartnerKind!) { withdrawMyConsent(recipientKind: $k) { recipientKind given } }";
const PARTNER_READ: &str = "query($id: ID!) { family(id: $id) { id } }";

/// A family sees what it consented to and withdraws it from the phone; the partner loses
/// access on its next request. Giving consent stays at the office (the signed form).
async fn a_family_withdraws_its_consent_from_the_phone(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 5).await;
    let (other, other_members) = app.family_at("411002001001", 6).await;
    let (_, insurer) = app
        .partner(
            nuanxin_domain::PartnerKind::Insurer,
            &["411002"],
            &[family, other],
        )
        .await;
    let parent = app.family_member_token(family, members[0]);
    let neighbour = app.family_member_token(other, other_members[0]);
    let read = |f: uuid::Uuid| json!({ "id": gid("Family", f) });
    let before = app.gql(&insurer, PARTNER_READ, read(family)).await;
    assert!(
        before["data"]["family"]["id"].is_string(),
        "control: {before}"
    );

    let mine = app.gql(&parent, MY_CONSENTS, json!({})).await;
    assert_eq!(mine["data"]["myConsents"][0]["given"], true, "{mine}");
    assert_eq!(mine["data"]["myConsents"][0]["recipientKind"], "INSURER");
    let withdrawn = app.gql(&parent, WITHDRAW, json!({ "k": "INSURER" })).await;
    assert_eq!(
        withdrawn["data"]["withdrawMyConsent"]["given"], false,
        "{withdrawn}"
    );
    let after = app.gql(&insurer, PARTNER_READ, read(family)).await;
    assert_eq!(error_code(&after), Some("NOT_FOUND"), "{after}");
    // The neighbour's consent stands.
    let still = app.gql(&insurer, PARTNER_READ, read(other)).await;
    assert!(still["data"]["family"]["id"].is_string(), "{still}");
    let theirs = app.gql(&neighbour, MY_CONSENTS, json!({})).await;
    assert_eq!(
        theirs["data"]["myConsents"].as_array().map(Vec::len),
        Some(1),
        "{theirs}"
    );
    let history = app.gql(&parent, MY_CONSENTS, json!({})).await;
    assert_eq!(
        history["data"]["myConsents"].as_array().map(Vec::len),
        Some(2),
        "{history}"
    );
    assert_eq!(history["data"]["myConsents"][0]["given"], false);
    // Giving consent is not the phone's: the office records it with the signed form.
    let give = app
        .gql(
            &parent,
            "mutation($f: ID!) { recordConsent(input: { familyId: $f, recipientKind: INSURER, given: true, effectiveOn: \"2026-01-01\" }) { given } }",
            json!({ "f": gid("Family", family) }),
        )
        .await;
    assert!(
        give["data"].is_null() && give["errors"].is_array(),
        "{give}"
    );
    // Staff have no "my consents".
    let staff = app.token(StaffRole::CountyAdmin, "411002").await;
    let refused = app.gql(&staff, MY_CONSENTS, json!({})).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
}
on_both_backends!(a_family_withdraws_its_consent_from_the_phone);
