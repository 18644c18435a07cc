//! WeChat subscription messages (订阅消息) through the real app and the WeChat stand-in: a
//! family member who accepted a reminder gets one message when their request is answered,
//! a visit is arranged or an allowance month is paid; nothing without an acceptance; WeChat
//! down means a later try, WeChat saying the user did not accept means none; every try is
//! in the delivery log staff read.

use std::collections::HashMap;

use chrono::Duration;
use nuanxin_domain::StaffRole;
use nuanxin_domain::care::notices::NoticeKind;
use nuanxin_domain::month::YearMonth;
use nuanxin_server::notices::{NoticeSettings, Sender};
use nuanxin_tests::{StandIn, TestApp, gid, on_both_backends_with_wechat, wechat_at};
use serde_json::{Value, json};

const VILLAGE: &str = "411002001001";
const ACCEPT: &str = "mutation($k: [NoticeKind!]!) { acceptNotices(kinds: $k) { kind remaining } }";
const SUBMIT: &str = "mutation { submitRequest(kind: VISIT) { id } }";
const ANSWER: &str = "mutation($id: ID!, $ok: Boolean!, $n: String) { answerRequest(id: $id, accept: $ok, note: $n) { state } }";
const LOG: &str = "query($f: ID!) { notices(familyId: $f) { memberName kind kindText state stateText attempts lastError sentAt } }";

fn sender(app: &TestApp, standin: &StandIn) -> Sender {
    let templates = HashMap::from([
        (NoticeKind::AllowancePaid, "tmpl-paid".to_owned()),
        (NoticeKind::VisitScheduled, "tmpl-visit".to_owned()),
        (NoticeKind::RequestAnswered, "tmpl-answer".to_owned()),
    ]);
    Sender::new(
        wechat_at(standin, &app.store),
        NoticeSettings {
            templates,
            max_attempts: 3,
            ..NoticeSettings::default()
        },
    )
}

/// Binds `member` to the WeChat user `openid` with a worker's code: the member's token.
async fn bound(
    app: &TestApp,
    standin: &StandIn,
    worker: &str,
    member: uuid::Uuid,
    openid: &str,
) -> String {
    let login = app
        .gql_full(
            None,
            "mutation($c: String!) { wxLogin(code: $c) { bindingTicket } }",
            json!({ "c": standin.login_code(openid) }),
        )
        .await
        .1;
    let ticket = login["data"]["wxLogin"]["bindingTicket"].clone();
    let issued = app
        .gql(
            worker,
            "mutation($m: ID) { issueBindingCode(memberId: $m) { code } }",
            json!({ "m": gid("Member", member) }),
        )
        .await;
    let code = issued["data"]["issueBindingCode"]["code"].clone();
    let body = app
        .gql_full(None, "mutation($t: String!, $c: String!) { bindWechat(ticket: $t, bindingCode: $c) { accessToken } }", json!({ "t": ticket, "c": code }))
        .await
        .1;
    body["data"]["bindWechat"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("bound: {body}"))
        .to_owned()
}

async fn ask_and_answer(app: &TestApp, member: &str, worker: &str, accept: bool) {
    let asked = app.gql(member, SUBMIT, json!({})).await;
    let id = asked["data"]["submitRequest"]["id"].clone();
    let answered = app
        .gql(worker, ANSWER, json!({ "id": id, "ok": accept, "n": if accept { Value::Null } else { json!("本月名额已满，下月安排") } }))
        .await;
    assert!(answered["errors"].is_null(), "{answered}");
}

fn log(body: &Value) -> Vec<Value> {
    body["data"]["notices"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn an_accepted_reminder_brings_one_message(app: &TestApp, standin: &StandIn) {
    let (family, members) = app.family_at(VILLAGE, 1).await;
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let father = bound(app, standin, &worker, members[0], "notice-father").await;
    let send = sender(app, standin);
    standin.accept("notice-father", "tmpl-answer");

    // Not accepted in the mini-program: the answer brings no message.
    ask_and_answer(app, &father, &worker, true).await;
    assert_eq!(app.count("notice").await, 0);
    // Accepting nothing is a mistake of the page, said so; nothing is kept.
    let none = app.gql(&father, ACCEPT, json!({ "k": [] })).await;
    assert_eq!(
        nuanxin_tests::error_code(&none),
        Some("BAD_USER_INPUT"),
        "{none}"
    );
    assert_eq!(app.count("notice_acceptance").await, 0);
    // Accepted once: the next answer brings one.
    let accepted = app
        .gql(&father, ACCEPT, json!({ "k": ["REQUEST_ANSWERED"] }))
        .await;
    let remaining = accepted["data"]["acceptNotices"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["kind"] == "REQUEST_ANSWERED")
        .map(|a| a["remaining"].clone());
    assert_eq!(remaining, Some(json!(1)), "{accepted}");
    ask_and_answer(app, &father, &worker, false).await;
    assert_eq!(app.count("notice").await, 1);
    assert_eq!(send.run_once(&app.store).await.expect("a pass"), 1);
    let sent = standin.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["touser"], "notice-father");
    assert_eq!(sent[0]["template_id"], "tmpl-answer");
    assert_eq!(sent[0]["data"]["phrase2"]["value"], "未通过");
    assert_eq!(sent[0]["data"]["thing3"]["value"], "本月名额已满，下月安排");
    // The acceptance is used up: a third answer brings nothing.
    ask_and_answer(app, &father, &worker, true).await;
    assert_eq!(app.count("notice").await, 1);
    assert_eq!(send.run_once(&app.store).await.expect("a pass"), 0);

    let body = app
        .gql(&worker, LOG, json!({ "f": gid("Family", family) }))
        .await;
    let entries = log(&body);
    assert_eq!(entries.len(), 1, "{body}");
    assert_eq!(entries[0]["state"], "SENT");
    assert_eq!(entries[0]["kindText"], "诉求答复提醒");
    assert_eq!(entries[0]["memberName"], "王建国");
    // Another village's worker reads no log of this family.
    let elsewhere = app.token(StaffRole::VillageWorker, "411002001002").await;
    let refused = app
        .gql(&elsewhere, LOG, json!({ "f": gid("Family", family) }))
        .await;
    assert_eq!(
        nuanxin_tests::error_code(&refused),
        Some("NOT_FOUND"),
        "{refused}"
    );
}
on_both_backends_with_wechat!(an_accepted_reminder_brings_one_message);

async fn wechat_down_means_later_and_a_refusal_means_never(app: &TestApp, standin: &StandIn) {
    let (family, members) = app.family_at(VILLAGE, 1).await;
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let father = bound(app, standin, &worker, members[0], "notice-retry").await;
    let send = sender(app, standin);
    standin.accept("notice-retry", "tmpl-answer");
    app.gql(
        &father,
        ACCEPT,
        json!({ "k": ["REQUEST_ANSWERED", "REQUEST_ANSWERED"] }),
    )
    .await;
    ask_and_answer(app, &father, &worker, true).await;

    standin.set_down(true);
    assert_eq!(send.run_once(&app.store).await.expect("a pass"), 1);
    let body = app
        .gql(&worker, LOG, json!({ "f": gid("Family", family) }))
        .await;
    assert_eq!(log(&body)[0]["state"], "PENDING", "{body}");
    assert_eq!(log(&body)[0]["attempts"], 1);
    assert!(log(&body)[0]["lastError"].is_string(), "{body}");
    // Not due again yet.
    standin.set_down(false);
    assert_eq!(send.run_once(&app.store).await.expect("a pass"), 0);
    app.store
        .fix_clock(Some(chrono::Utc::now() + Duration::minutes(5)));
    assert_eq!(send.run_once(&app.store).await.expect("a pass"), 1);
    let body = app
        .gql(&worker, LOG, json!({ "f": gid("Family", family) }))
        .await;
    assert_eq!(log(&body)[0]["state"], "SENT", "{body}");
    assert_eq!(log(&body)[0]["attempts"], 2);

    // WeChat says the user did not accept this template: never tried again.
    standin.set_down(false);
    let other = sender_with(app, standin, "tmpl-not-accepted");
    ask_and_answer(app, &father, &worker, true).await;
    assert_eq!(other.run_once(&app.store).await.expect("a pass"), 1);
    app.store
        .fix_clock(Some(chrono::Utc::now() + Duration::hours(12)));
    assert_eq!(other.run_once(&app.store).await.expect("a pass"), 0);
    app.store.fix_clock(None);
    let body = app
        .gql(&worker, LOG, json!({ "f": gid("Family", family) }))
        .await;
    assert_eq!(log(&body)[0]["state"], "REFUSED", "{body}");
    assert_eq!(standin.sent().len(), 1);
}
on_both_backends_with_wechat!(wechat_down_means_later_and_a_refusal_means_never);

fn sender_with(app: &TestApp, standin: &StandIn, answer_template: &str) -> Sender {
    Sender::new(
        wechat_at(standin, &app.store),
        NoticeSettings {
            templates: HashMap::from([(NoticeKind::RequestAnswered, answer_template.to_owned())]),
            ..NoticeSettings::default()
        },
    )
}

async fn a_visit_arranged_and_a_month_paid_are_told(app: &TestApp, standin: &StandIn) {
    let (family, members) = app.family_at(VILLAGE, 1).await;
    app.activate(family).await;
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let father = bound(app, standin, &worker, members[0], "notice-paid-father").await;
    let mother = bound(app, standin, &worker, members[1], "notice-paid-mother").await;
    for (token, openid) in [
        (&father, "notice-paid-father"),
        (&mother, "notice-paid-mother"),
    ] {
        app.gql(
            token,
            ACCEPT,
            json!({ "k": ["ALLOWANCE_PAID", "VISIT_SCHEDULED"] }),
        )
        .await;
        standin.accept(openid, "tmpl-paid");
        standin.accept(openid, "tmpl-visit");
    }
    // A volunteer is paired with the family: both parents hear who will come.
    let (volunteer, _) = app.volunteer(&[]).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let paired = app
        .gql(&township, "mutation($input: PairFamilyInput!) { pairFamily(input: $input) { id } }", json!({ "input": {
            "familyId": gid("Family", family), "leaderName": "王书记", "workerVolunteerId": gid("Volunteer", volunteer),
            "schedule": "MONTHLY", "content": "每月上门陪伴", "answerableName": "王书记", "startsOn": "2026-12-05" } }))
        .await;
    assert!(paired["errors"].is_null(), "{paired}");
    assert_eq!(app.count("notice").await, 2);

    // A roster pays last month; the bank returns the father's line.
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let month = YearMonth::of(nuanxin_domain::time::china_today())
        .prev()
        .to_string();
    let roster = app
        .gql(&county, "mutation($c: String!, $p: String!) { generateRoster(input: { countyCode: $c, periodStart: $p }) { id } }", json!({ "c": "411002", "p": month }))
        .await["data"]["generateRoster"]["id"]
        .clone();
    app.roster_step(&county, "submitRoster", &roster).await;
    app.roster_step(&city, "approveRoster", &roster).await;
    let today = nuanxin_domain::time::china_today().to_string();
    app.gql(&city, "mutation($id: ID!, $on: NaiveDate!) { markRosterPaid(id: $id, bankBatchRef: \"XC-1\", paidOn: $on) { status } }", json!({ "id": roster, "on": today }))
        .await;
    let lines = app
        .gql(&city, "query($id: ID!) { roster(id: $id) { lines(first: 100) { edges { node { id memberId } } } } }", json!({ "id": roster }))
        .await;
    let fathers: Vec<Value> = lines["data"]["roster"]["lines"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["node"]["memberId"] == gid("Member", members[0]))
        .map(
            |e| json!({ "lineId": e["node"]["id"], "outcome": "returned", "reason": "账户已销户" }),
        )
        .collect();
    let reconciled = app
        .gql(&city, "mutation($id: ID!, $x: [LineOutcomeInput!]!) { reconcileRoster(id: $id, exceptions: $x) { status } }", json!({ "id": roster, "x": fathers }))
        .await;
    assert_eq!(
        reconciled["data"]["reconcileRoster"]["status"], "RECONCILED",
        "{reconciled}"
    );
    // The mother is told once (one acceptance, one message), the father not at all.
    assert_eq!(app.count("notice").await, 3);
    assert_eq!(
        sender(app, standin)
            .run_once(&app.store)
            .await
            .expect("a pass"),
        3
    );
    let sent = standin.sent();
    let paid: Vec<&Value> = sent
        .iter()
        .filter(|m| m["template_id"] == "tmpl-paid")
        .collect();
    assert_eq!(paid.len(), 1, "{sent:?}");
    assert_eq!(paid[0]["touser"], "notice-paid-mother");
    assert!(
        paid[0]["data"]["amount2"]["value"]
            .as_str()
            .is_some_and(|v| v.ends_with('元')),
        "{sent:?}"
    );
    let visits = sent
        .iter()
        .filter(|m| m["template_id"] == "tmpl-visit")
        .count();
    assert_eq!(visits, 2, "{sent:?}");
}
on_both_backends_with_wechat!(a_visit_arranged_and_a_month_paid_are_told);
