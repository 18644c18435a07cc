//! WeChat sign-in through the real app and a local WeChat stand-in: a worker issues a
//! binding code, the family member signs in with `wx.login`'s code and binds with it, and
//! from then on signs in directly. WeChat's refusals and outages are typed errors; a code
//! works once; the session key reaches no answer and no log line; every replica shares one
//! access token.

use std::time::{Duration, Instant};

use nuanxin_domain::StaffRole;
use nuanxin_tests::{
    StandIn, TestApp, error_code, error_field, gid, logs, on_both_backends_with_wechat, run_wechat,
    wechat_at,
};
use serde_json::{Value, json};

const ISSUE: &str = "mutation($m: ID, $v: ID) { issueBindingCode(memberId: $m, volunteerId: $v) { code qrSvg forName expiresAt instructions } }";
const LOGIN: &str = "mutation($code: String!) { wxLogin(code: $code) { bound accessToken bindingTicket bindingTicketExpiresAt me { kind id familyId } } }";
const BIND: &str = "mutation($t: String!, $c: String!) { bindWechat(ticket: $t, bindingCode: $c) { bound accessToken me { kind id familyId } } }";
const BINDINGS: &str = "query($m: ID) { wechatBindings(memberId: $m) { id kind active via issuedBy unboundBy unboundReason } }";
const UNBIND: &str = "mutation($id: ID!, $r: String!) { unbindWechat(id: $id, reason: $r) { active unboundBy unboundReason } }";
const OWN_FAMILY: &str = "query($id: ID!) { family(id: $id) { id members { name idNumber } } }";

const VILLAGE: &str = "411002001001";

async fn anonymous(app: &TestApp, query: &str, variables: Value) -> Value {
    app.gql_full(None, query, variables).await.1
}

async fn wx_login(app: &TestApp, code: &str) -> Value {
    anonymous(app, LOGIN, json!({ "code": code })).await
}

/// A binding code for `member`, issued by a village worker of its village.
async fn issue(app: &TestApp, worker: &str, member: uuid::Uuid) -> Value {
    app.gql(worker, ISSUE, json!({ "m": gid("Member", member) }))
        .await
}

/// The printed code of a fresh binding code for `member`.
async fn code_for(app: &TestApp, worker: &str, member: uuid::Uuid) -> String {
    let issued = issue(app, worker, member).await;
    issued["data"]["issueBindingCode"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("a code: {issued}"))
        .to_owned()
}

/// wxLogin of an unbound user: their binding ticket.
async fn ticket(app: &TestApp, standin: &StandIn, openid: &str) -> String {
    let body = wx_login(app, &standin.login_code(openid)).await;
    assert_eq!(body["data"]["wxLogin"]["bound"], false, "{body}");
    body["data"]["wxLogin"]["bindingTicket"]
        .as_str()
        .expect("a ticket")
        .to_owned()
}

async fn a_family_member_binds_and_signs_in_with_wechat(app: &TestApp, standin: &StandIn) {
    let (family, members) = app.family_at(VILLAGE, 1).await;
    let father = members[0];
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let issued = issue(app, &worker, father).await;
    let slip = &issued["data"]["issueBindingCode"];
    let code = slip["code"].as_str().expect("a code").to_owned();
    assert_eq!(code.len(), 14, "printed as ABCD-EFGH-JKMN: {issued}");
    assert!(slip["qrSvg"].as_str().is_some_and(|s| s.contains("<svg")));
    assert_eq!(slip["forName"], "王建国");
    assert!(
        slip["instructions"]
            .as_str()
            .is_some_and(|s| s.contains("小程序"))
    );

    // An unbound WeChat user gets a ticket, not a token.
    let t = ticket(app, standin, "openid-father").await;
    // Typed back in lower case with spaces, as an elderly person might.
    let typed = code.to_lowercase().replace('-', " ");
    let bound = anonymous(app, BIND, json!({ "t": t, "c": typed })).await;
    let payload = &bound["data"]["bindWechat"];
    assert_eq!(payload["bound"], true, "{bound}");
    assert_eq!(payload["me"]["kind"], "FAMILY_MEMBER");
    assert_eq!(payload["me"]["id"], father.to_string());
    assert_eq!(payload["me"]["familyId"], gid("Family", family));
    let token = payload["accessToken"].as_str().expect("a token");

    // The token opens their own family, masked.
    let own = app
        .gql(token, OWN_FAMILY, json!({ "id": gid("Family", family) }))
        .await;
    assert_eq!(
        own["data"]["family"]["members"][0]["name"], "王建国",
        "{own}"
    );
    assert!(
        own["data"]["family"]["members"][0]["idNumber"]
            .as_str()
            .is_some_and(|n| n.contains('*')),
        "{own}"
    );
    // And not another family, even by its id.
    let (other, _) = app.family_at(VILLAGE, 2).await;
    let refused = app
        .gql(token, OWN_FAMILY, json!({ "id": gid("Family", other) }))
        .await;
    assert_eq!(error_code(&refused), Some("NOT_FOUND"), "{refused}");

    // Next time, wxLogin alone signs them in.
    let again = wx_login(app, &standin.login_code("openid-father")).await;
    assert_eq!(again["data"]["wxLogin"]["bound"], true, "{again}");
    assert_eq!(again["data"]["wxLogin"]["me"]["id"], father.to_string());

    // The code worked once: another WeChat user cannot use it again.
    let t2 = ticket(app, standin, "openid-stranger").await;
    let reused = anonymous(app, BIND, json!({ "t": t2, "c": code })).await;
    assert_eq!(error_code(&reused), Some("BAD_USER_INPUT"), "{reused}");
    assert_eq!(error_field(&reused), Some("bindingCode"));
    assert!(
        reused["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("用过"))
    );

    // The worker sees the binding, and who issued it.
    let list = app
        .gql(&worker, BINDINGS, json!({ "m": gid("Member", father) }))
        .await;
    let rows = list["data"]["wechatBindings"].as_array().expect("bindings");
    assert_eq!(rows.len(), 1, "{list}");
    assert_eq!(rows[0]["active"], true);
    assert_eq!(rows[0]["via"], "BINDING_CODE");
    assert!(rows[0]["issuedBy"].as_str().is_some());
}
on_both_backends_with_wechat!(a_family_member_binds_and_signs_in_with_wechat);

async fn a_login_code_works_once(app: &TestApp, standin: &StandIn) {
    let code = standin.login_code("openid-once");
    let first = wx_login(app, &code).await;
    assert_eq!(first["data"]["wxLogin"]["bound"], false, "control: {first}");
    let calls = standin.session_calls();
    let replay = wx_login(app, &code).await;
    assert_eq!(error_code(&replay), Some("UNAUTHENTICATED"), "{replay}");
    assert_eq!(
        standin.session_calls(),
        calls,
        "refused before WeChat is asked"
    );
    assert!(
        replay["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("用过"))
    );
}
on_both_backends_with_wechat!(a_login_code_works_once);

async fn wechat_refusals_and_outages_are_typed(app: &TestApp, standin: &StandIn) {
    let code_of = |body: &Value| error_code(body).map(str::to_owned);
    let ok = wx_login(app, &standin.login_code("openid-ok")).await;
    assert_eq!(ok["data"]["wxLogin"]["bound"], false, "control: {ok}");
    for (code, expected) in [
        ("not-a-wechat-code", "UNAUTHENTICATED"),
        ("risky:abc", "FORBIDDEN"),
        ("busy:abc", "RATE_LIMITED"),
    ] {
        let body = wx_login(app, code).await;
        assert_eq!(code_of(&body).as_deref(), Some(expected), "{code}: {body}");
    }
    let empty = wx_login(app, " ").await;
    assert_eq!(error_code(&empty), Some("BAD_USER_INPUT"), "{empty}");
    assert_eq!(error_field(&empty), Some("code"));

    standin.set_down(true);
    let down = wx_login(app, &standin.login_code("openid-ok")).await;
    assert_eq!(error_code(&down), Some("SERVICE_UNAVAILABLE"), "{down}");
    assert!(
        down["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("微信"))
    );
    standin.set_down(false);

    // Slow: the answer comes back after the gateway's timeout, not after WeChat's delay.
    standin.set_delay(Duration::from_secs(5));
    let started = Instant::now();
    let slow = wx_login(app, &standin.login_code("openid-ok")).await;
    let waited = started.elapsed();
    standin.set_delay(Duration::ZERO);
    assert_eq!(error_code(&slow), Some("SERVICE_UNAVAILABLE"), "{slow}");
    assert!(waited < Duration::from_secs(4), "waited {waited:?}");
    let back = wx_login(app, &standin.login_code("openid-ok")).await;
    assert_eq!(
        back["data"]["wxLogin"]["bound"], false,
        "control, WeChat is back: {back}"
    );
}
on_both_backends_with_wechat!(wechat_refusals_and_outages_are_typed);

async fn nobody_binds_by_typing_data(app: &TestApp, standin: &StandIn) {
    let (_, members) = app.family_at(VILLAGE, 3).await;
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let issued = issue(app, &worker, members[0]).await;
    let code = issued["data"]["issueBindingCode"]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let t = ticket(app, standin, "openid-guesser").await;
    for (typed, field_error) in [
        // An ID number, a name, a well-formed code nobody issued.
        ("411002196204120007", "binding-code-format"),
        ("王建国", "binding-code-format"),
        ("ABCD-EFGH-JKMN", "binding-code-unknown"),
    ] {
        let body = anonymous(app, BIND, json!({ "t": t, "c": typed })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{typed}: {body}");
        assert_eq!(error_field(&body), Some("bindingCode"), "{field_error}");
    }
    let forged = anonymous(app, BIND, json!({ "t": "forged-ticket", "c": code })).await;
    assert_eq!(error_code(&forged), Some("UNAUTHENTICATED"), "{forged}");
    // Control: the wrong attempts left the ticket good, and the issued code binds.
    let bound = anonymous(app, BIND, json!({ "t": t, "c": code })).await;
    assert_eq!(bound["data"]["bindWechat"]["bound"], true, "{bound}");
    // A spent ticket does not bind twice.
    let again = anonymous(app, BIND, json!({ "t": t, "c": code })).await;
    assert_eq!(error_code(&again), Some("UNAUTHENTICATED"), "{again}");
}
on_both_backends_with_wechat!(nobody_binds_by_typing_data);

/// One WeChat user bound again to someone else (two tickets from before the first binding):
/// the first binding ends as `rebound`, the second holds.
async fn a_wechat_user_is_bound_to_one_person(app: &TestApp, standin: &StandIn) {
    let (_, members) = app.family_at(VILLAGE, 9).await;
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let mut codes = Vec::new();
    for m in &members {
        codes.push(code_for(app, &worker, *m).await);
    }
    let t1 = ticket(app, standin, "openid-shared").await;
    let t2 = ticket(app, standin, "openid-shared").await;
    let first = anonymous(app, BIND, json!({ "t": t1, "c": codes[0] })).await;
    assert_eq!(first["data"]["bindWechat"]["bound"], true, "{first}");
    let second = anonymous(app, BIND, json!({ "t": t2, "c": codes[1] })).await;
    assert_eq!(second["data"]["bindWechat"]["bound"], true, "{second}");
    let now = wx_login(app, &standin.login_code("openid-shared")).await;
    assert_eq!(
        now["data"]["wxLogin"]["me"]["id"],
        members[1].to_string(),
        "{now}"
    );
    let father = app
        .gql(&worker, BINDINGS, json!({ "m": gid("Member", members[0]) }))
        .await;
    assert_eq!(
        father["data"]["wechatBindings"][0]["active"], false,
        "{father}"
    );
    assert_eq!(
        father["data"]["wechatBindings"][0]["unboundReason"],
        "rebound"
    );
}
on_both_backends_with_wechat!(a_wechat_user_is_bound_to_one_person);

/// Two phones racing with one code: exactly one is bound.
async fn a_binding_code_binds_one_user_even_at_once(app: &TestApp, standin: &StandIn) {
    let (_, members) = app.family_at(VILLAGE, 8).await;
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let code = code_for(app, &worker, members[0]).await;
    let (t1, t2) = (
        ticket(app, standin, "openid-race-1").await,
        ticket(app, standin, "openid-race-2").await,
    );
    let (a, b) = tokio::join!(
        anonymous(app, BIND, json!({ "t": t1, "c": code })),
        anonymous(app, BIND, json!({ "t": t2, "c": code })),
    );
    let bound = [&a, &b]
        .iter()
        .filter(|r| r["data"]["bindWechat"]["bound"] == true)
        .count();
    assert_eq!(bound, 1, "{a} {b}");
    let list = app
        .gql(&worker, BINDINGS, json!({ "m": gid("Member", members[0]) }))
        .await;
    assert_eq!(
        list["data"]["wechatBindings"].as_array().map(Vec::len),
        Some(1),
        "{list}"
    );
}
on_both_backends_with_wechat!(a_binding_code_binds_one_user_even_at_once);

async fn a_binding_code_expires(app: &TestApp, standin: &StandIn) {
    let (_, members) = app.family_at(VILLAGE, 4).await;
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let late = code_for(app, &worker, members[0]).await;
    let in_time = code_for(app, &worker, members[1]).await;
    app.store
        .fix_clock(Some(chrono::Utc::now() + chrono::Duration::hours(71)));
    let t = ticket(app, standin, "openid-mother").await;
    let bound = anonymous(app, BIND, json!({ "t": t, "c": in_time })).await;
    assert_eq!(
        bound["data"]["bindWechat"]["bound"], true,
        "control, within 72 h: {bound}"
    );
    app.store
        .fix_clock(Some(chrono::Utc::now() + chrono::Duration::hours(73)));
    let t = ticket(app, standin, "openid-father-late").await;
    let expired = anonymous(app, BIND, json!({ "t": t, "c": late })).await;
    assert_eq!(error_code(&expired), Some("BAD_USER_INPUT"), "{expired}");
    assert!(
        expired["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("过期"))
    );
    app.store.fix_clock(None);
}
on_both_backends_with_wechat!(a_binding_code_expires);

async fn codes_are_issued_for_adults_in_the_workers_rows(app: &TestApp, _standin: &StandIn) {
    let (_, members) = app.family_with(VILLAGE, 5, true).await;
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let elsewhere = app.token(StaffRole::VillageWorker, "411002001002").await;
    let ok = issue(app, &worker, members[0]).await;
    assert!(
        ok["data"]["issueBindingCode"]["code"].is_string(),
        "control: {ok}"
    );
    let outside = issue(app, &elsewhere, members[0]).await;
    assert_eq!(error_code(&outside), Some("NOT_FOUND"), "{outside}");
    let minor = issue(app, &worker, members[2]).await;
    assert_eq!(error_code(&minor), Some("BAD_USER_INPUT"), "{minor}");
    assert_eq!(error_field(&minor), Some("memberId"));
    let neither = app.gql(&worker, ISSUE, json!({})).await;
    assert_eq!(error_code(&neither), Some("BAD_USER_INPUT"), "{neither}");
    let auditor = app.token(StaffRole::Auditor, "411002").await;
    let refused = issue(app, &auditor, members[0]).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
}
on_both_backends_with_wechat!(codes_are_issued_for_adults_in_the_workers_rows);

async fn an_unbound_wechat_user_signs_in_to_nothing(app: &TestApp, standin: &StandIn) {
    let (_, members) = app.family_at(VILLAGE, 6).await;
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let code = code_for(app, &worker, members[0]).await;
    let t = ticket(app, standin, "openid-lost-phone").await;
    let bound = anonymous(app, BIND, json!({ "t": t, "c": code })).await;
    assert_eq!(bound["data"]["bindWechat"]["bound"], true, "{bound}");
    let list = app
        .gql(&worker, BINDINGS, json!({ "m": gid("Member", members[0]) }))
        .await;
    let id = list["data"]["wechatBindings"][0]["id"].clone();
    let no_reason = app
        .gql(&worker, UNBIND, json!({ "id": id, "r": " " }))
        .await;
    assert_eq!(error_field(&no_reason), Some("reason"), "{no_reason}");
    let ended = app
        .gql(&worker, UNBIND, json!({ "id": id, "r": "手机丢失" }))
        .await;
    assert_eq!(ended["data"]["unbindWechat"]["active"], false, "{ended}");
    assert_eq!(ended["data"]["unbindWechat"]["unboundReason"], "手机丢失");
    assert!(ended["data"]["unbindWechat"]["unboundBy"].is_string());
    let after = wx_login(app, &standin.login_code("openid-lost-phone")).await;
    assert_eq!(after["data"]["wxLogin"]["bound"], false, "{after}");
    let twice = app
        .gql(&worker, UNBIND, json!({ "id": id, "r": "再次" }))
        .await;
    assert_eq!(error_code(&twice), Some("CONFLICT"), "{twice}");
}
on_both_backends_with_wechat!(an_unbound_wechat_user_signs_in_to_nothing);

/// Two replicas (two WeChat clients on one database) asking at once fetch one token; when
/// WeChat refuses it as expired, one fetches the next and the call succeeds.
async fn every_replica_shares_one_access_token(app: &TestApp, standin: &StandIn) {
    let replicas = [
        wechat_at(standin, &app.store),
        wechat_at(standin, &app.store),
    ];
    let mut asks = Vec::new();
    for i in 0..6 {
        let w = replicas[i % 2].clone();
        asks.push(tokio::spawn(async move { w.access_token().await }));
    }
    let mut tokens = std::collections::HashSet::new();
    for a in asks {
        tokens.insert(a.await.expect("task").expect("a token"));
    }
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert_eq!(standin.token_fetches(), 1);
    let code = standin.phone_code("13800001111");
    assert_eq!(
        replicas[1].phone_number(&code).await,
        Ok(Some("13800001111".into()))
    );
    assert_eq!(standin.token_fetches(), 1, "the shared token served");
    standin.expire_tokens();
    let code = standin.phone_code("13900002222");
    assert_eq!(
        replicas[0].phone_number(&code).await,
        Ok(Some("13900002222".into()))
    );
    assert_eq!(
        standin.token_fetches(),
        2,
        "fetched once more after the refusal"
    );
    assert!(replicas[1].access_token().await.is_ok());
    assert_eq!(
        standin.token_fetches(),
        2,
        "the other replica takes the new one"
    );
}
on_both_backends_with_wechat!(every_replica_shares_one_access_token);

/// The session key WeChat sends along appears in no answer and no log line (logs captured
/// at every level, SQL included).
#[tokio::test(flavor = "current_thread")]
async fn the_session_key_never_leaves_the_server() {
    let (guard, captured) = logs::capture();
    let mut answers = String::new();
    run_wechat(
        nuanxin_tests::Backend::Sqlite,
        async |app: &TestApp, standin: &StandIn| {
            let (_, members) = app.family_at(VILLAGE, 7).await;
            let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
            let code = code_for(app, &worker, members[0]).await;
            let first = wx_login(app, &standin.login_code("openid-key")).await;
            let t = first["data"]["wxLogin"]["bindingTicket"].clone();
            let bound = anonymous(app, BIND, json!({ "t": t, "c": code })).await;
            let again = wx_login(app, &standin.login_code("openid-key")).await;
            for body in [first, bound, again] {
                answers.push_str(&body.to_string());
            }
        },
    )
    .await;
    drop(guard);
    let text = captured.text();
    assert!(
        answers.contains("accessToken") && text.contains("wechat login"),
        "control: the sign-in ran and was logged: {answers}"
    );
    assert!(
        !answers.contains(nuanxin_wechat::standin::SESSION_KEY),
        "{answers}"
    );
    assert!(
        !text.contains(nuanxin_wechat::standin::SESSION_KEY),
        "{text}"
    );
    assert!(
        !text.contains("test-secret"),
        "the app secret is not logged either"
    );
}

const BIND_PHONE: &str = "mutation($t: String!, $c: String!) { bindWechatByPhone(ticket: $t, phoneCode: $c) { bound accessToken me { kind id familyId } } }";
const SUBMIT_PHONE: &str =
    "mutation($p: String) { submitRequest(kind: CONTACT_CHANGE, newPhone: $p) { id } }";
const ANSWER: &str = "mutation($id: ID!) { answerRequest(id: $id, accept: true) { state } }";

/// A user who proves through WeChat the phone number on file is bound to that one adult;
/// a number nobody has, or one two people share, binds nobody and leaves the ticket good
/// for a worker's binding code; a child with the same number is never the one bound.
async fn a_proved_phone_number_binds_its_one_holder(app: &TestApp, standin: &StandIn) {
    // The grandchild (a minor) has the father's number on file too.
    let (family, members) = app.family_with(VILLAGE, 2, true).await;
    let (father, mother) = (members[0], members[1]);
    let father_phone = "13800000035";
    let t = ticket(app, standin, "phone-father").await;
    let bound = anonymous(
        app,
        BIND_PHONE,
        json!({ "t": t, "c": standin.phone_code(father_phone) }),
    )
    .await;
    assert_eq!(bound["data"]["bindWechatByPhone"]["bound"], true, "{bound}");
    assert_eq!(
        bound["data"]["bindWechatByPhone"]["me"]["id"],
        father.to_string(),
        "{bound}"
    );
    let worker = app.token(StaffRole::VillageWorker, VILLAGE).await;
    let history = app
        .gql(&worker, BINDINGS, json!({ "m": gid("Member", father) }))
        .await;
    assert_eq!(
        history["data"]["wechatBindings"][0]["via"], "PHONE",
        "{history}"
    );
    assert_eq!(
        history["data"]["wechatBindings"][0]["active"], true,
        "{history}"
    );

    // A number nobody has on file: refused, and the same ticket still takes a code.
    let t = ticket(app, standin, "phone-stranger").await;
    let unknown = anonymous(
        app,
        BIND_PHONE,
        json!({ "t": t, "c": standin.phone_code("13900000000") }),
    )
    .await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"), "{unknown}");
    assert_eq!(error_field(&unknown), Some("phoneCode"), "{unknown}");
    let code = code_for(app, &worker, mother).await;
    let by_code = anonymous(app, BIND, json!({ "t": t, "c": code })).await;
    assert_eq!(
        by_code["data"]["bindWechat"]["me"]["id"],
        mother.to_string(),
        "{by_code}"
    );

    // The mother reports the father's number as hers; once a worker confirms it, the
    // number is shared by two adults and binds neither.
    let mother_token = by_code["data"]["bindWechat"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let asked = app
        .gql(&mother_token, SUBMIT_PHONE, json!({ "p": father_phone }))
        .await;
    let request = asked["data"]["submitRequest"]["id"].clone();
    let answered = app.gql(&worker, ANSWER, json!({ "id": request })).await;
    assert_eq!(
        answered["data"]["answerRequest"]["state"], "ACCEPTED",
        "{answered}"
    );
    let t = ticket(app, standin, "phone-someone").await;
    let shared = anonymous(
        app,
        BIND_PHONE,
        json!({ "t": t, "c": standin.phone_code(father_phone) }),
    )
    .await;
    assert_eq!(error_code(&shared), Some("BAD_USER_INPUT"), "{shared}");
    assert!(
        shared["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("不止一个人"),
        "{shared}"
    );
    let _ = family;
}
on_both_backends_with_wechat!(a_proved_phone_number_binds_its_one_holder);

/// Phones kept before the phone index existed are indexed when the store starts.
async fn phones_on_file_before_the_index_are_indexed_at_start(app: &TestApp, standin: &StandIn) {
    use sea_orm::ConnectionTrait as _;
    let (_, members) = app.family_at(VILLAGE, 3).await;
    app.store
        .raw_connection()
        .execute_unprepared("UPDATE member SET phone_bidx = NULL")
        .await
        .expect("forget the index");
    let t = ticket(app, standin, "phone-early").await;
    let before = anonymous(
        app,
        BIND_PHONE,
        json!({ "t": t, "c": standin.phone_code("13800000049") }),
    )
    .await;
    assert_eq!(error_code(&before), Some("BAD_USER_INPUT"), "{before}");
    app.store.migrate().await.expect("start again");
    let after = anonymous(
        app,
        BIND_PHONE,
        json!({ "t": t, "c": standin.phone_code("13800000049") }),
    )
    .await;
    assert_eq!(
        after["data"]["bindWechatByPhone"]["me"]["id"],
        members[0].to_string(),
        "{after}"
    );
}
on_both_backends_with_wechat!(phones_on_file_before_the_index_are_indexed_at_start);
