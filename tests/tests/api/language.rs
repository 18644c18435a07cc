//! Chinese first: what a person reads comes in Chinese unless the request asks for English
//! (`Accept-Language`); `extensions.code` and `field` are the same in both, for programs.

use actix_web::test::TestRequest;
use nuanxin_domain::StaffRole;
use nuanxin_domain::month::YearMonth;
use nuanxin_tests::{TestApp, error_code, error_field, gid, on_both_backends};
use serde_json::{Value, json};

use crate::registry::{REGISTER, register_vars};

const ENTITLEMENT: &str = "query($id: ID!, $m: String!) { member(id: $id) { entitlement(month: $m) { entitled explanation reason } } allowanceStandards { kindName } }";

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or("")
}

on_both_backends!(errors_and_explanations_are_chinese_unless_english_is_asked_for);
async fn errors_and_explanations_are_chinese_unless_english_is_asked_for(app: &TestApp) {
    let county = app.token(StaffRole::CountyAdmin, "411002").await;

    // A mistyped ID number: the same code and field, the words in the reader's language.
    let mut bad = register_vars("411002001002", "41100219700101004");
    let typed = bad["input"]["members"][0]["idNumber"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let wrong = if typed.ends_with('1') { "2" } else { "1" };
    bad["input"]["members"][0]["idNumber"] = json!(format!("{}{wrong}", &typed[..17]));
    let zh = app.gql(&county, REGISTER, bad.clone()).await;
    let en = app
        .gql_in("en-US,en;q=0.9", &county, REGISTER, bad.clone())
        .await;
    let zh_explicit = app.gql_in("zh-CN,zh;q=0.9", &county, REGISTER, bad).await;
    for body in [&zh, &en, &zh_explicit] {
        assert_eq!(error_code(body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(error_field(body), Some("members[0].idNumber"), "{body}");
    }
    let check = typed.chars().last().unwrap_or('0');
    assert_eq!(
        message(&zh),
        format!("身份证号第18位校验码应为 {check}, 现在是 {wrong}, 可能有一位输错了, 请核对"),
        "{zh}"
    );
    assert_eq!(message(&zh_explicit), message(&zh));
    assert_eq!(
        message(&en),
        format!(
            "the check character is {wrong}, but the other 17 characters give {check}: a digit was probably mistyped"
        ),
        "{en}"
    );

    // A refusal names the role and the operation as the office says them.
    let (family, members) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let month = YearMonth::of(nuanxin_domain::time::china_today()).plus(-1);
    let roster = app
        .gql(
            &county,
            "mutation($p: String!) { generateRoster(input: { countyCode: \"411002\", periodStart: $p }) { id } }",
            json!({ "p": month.to_string() }),
        )
        .await;
    let roster_id = roster["data"]["generateRoster"]["id"].clone();
    assert!(roster_id.is_string(), "{roster}");
    let approve = "mutation($id: ID!) { approveRoster(id: $id) { id } }";
    let zh = app.gql(&county, approve, json!({ "id": roster_id })).await;
    let en = app
        .gql_in("en", &county, approve, json!({ "id": roster_id }))
        .await;
    assert_eq!(error_code(&zh), Some("FORBIDDEN"), "{zh}");
    assert_eq!(error_code(&en), Some("FORBIDDEN"), "{en}");
    assert_eq!(
        message(&zh),
        "您的角色 (县(市、区)级管理员) 无权使用: 审批花名册"
    );
    assert_eq!(
        message(&en),
        "your role (county admin) may not use: approve a roster"
    );

    // Something missing (or outside the slice) says what, in words.
    let nobody = gid("Family", uuid::Uuid::now_v7());
    let q = "query($id: ID!) { family(id: $id) { id } }";
    let zh = app.gql(&county, q, json!({ "id": nobody })).await;
    let en = app.gql_in("en", &county, q, json!({ "id": nobody })).await;
    assert_eq!(error_code(&zh), Some("NOT_FOUND"), "{zh}");
    assert!(message(&zh).starts_with("未找到家庭档案"), "{zh}");
    assert!(message(&en).starts_with("family not found"), "{en}");

    // An entitlement's explanation and its allowance's name.
    let vars = json!({ "id": gid("Member", members[1]), "m": month.to_string() });
    let zh = app.gql(&county, ENTITLEMENT, vars.clone()).await;
    let en = app.gql_in("en", &county, ENTITLEMENT, vars).await;
    assert_eq!(
        zh["data"]["allowanceStandards"][0]["kindName"], "特别扶助金",
        "{zh}"
    );
    assert_eq!(
        en["data"]["allowanceStandards"][0]["kindName"], "special support allowance",
        "{en}"
    );
    let (zh, en) = (
        &zh["data"]["member"]["entitlement"],
        &en["data"]["member"]["entitlement"],
    );
    assert_eq!(zh["entitled"], true, "{zh}");
    let (zh_text, en_text) = (
        zh["explanation"].as_str().unwrap_or(""),
        en["explanation"].as_str().unwrap_or(""),
    );
    assert!(zh_text.starts_with("特别扶助金 680元: 女方"), "{zh_text}");
    assert!(
        zh_text.contains("周岁") && zh_text.contains("年"),
        "{zh_text}"
    );
    assert!(
        en_text.starts_with("680 CNY special support allowance: wife turned"),
        "{en_text}"
    );
}

on_both_backends!(the_edge_and_the_exports_speak_the_readers_language);
async fn the_edge_and_the_exports_speak_the_readers_language(app: &TestApp) {
    // Before any GraphQL runs: a request without a token for an export.
    let get = |lang: Option<&str>| {
        let req = TestRequest::get().uri("/exports/rosters/x.csv");
        match lang {
            Some(l) => req.insert_header(("accept-language", l)),
            None => req,
        }
    };
    let (status, _, zh) = app.send(get(None)).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&zh), Some("UNAUTHENTICATED"));
    assert_eq!(message(&zh), "请先登录");
    let (_, _, en) = app.send(get(Some("en"))).await;
    assert_eq!(error_code(&en), Some("UNAUTHENTICATED"));
    assert!(message(&en).starts_with("log in first"), "{en}");

    // A roster's CSV: Chinese headers by default, English ones on request.
    let (family, _) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let month = YearMonth::of(nuanxin_domain::time::china_today()).plus(-1);
    let roster = app
        .gql(
            &county,
            "mutation($p: String!) { generateRoster(input: { countyCode: \"411002\", periodStart: $p }) { id } }",
            json!({ "p": month.to_string() }),
        )
        .await;
    let id = roster["data"]["generateRoster"]["id"]
        .as_str()
        .expect("roster")
        .to_owned();
    let csv = |lang: &'static str| {
        TestRequest::get()
            .uri(&format!("/exports/rosters/{id}.csv"))
            .insert_header(("authorization", format!("Bearer {county}")))
            .insert_header(("accept-language", lang))
    };
    let (status, _, zh) = app.send(csv("zh-CN")).await;
    assert_eq!(status, 200);
    let zh = zh.as_str().unwrap_or_default().to_owned();
    let (_, _, en) = app.send(csv("en")).await;
    let en = en.as_str().unwrap_or_default().to_owned();
    let header = |text: &str| {
        text.trim_start_matches('\u{feff}')
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    };
    assert!(
        header(&zh).starts_with("序号,乡镇(街道),姓名,身份证号"),
        "{zh}"
    );
    assert!(
        header(&en).starts_with("No.,Township,Name,ID number"),
        "{en}"
    );
    assert!(zh.contains("特别扶助金") && zh.contains("合计"), "{zh}");
    assert!(
        en.contains("special support allowance") && en.contains("Total"),
        "{en}"
    );
    // The same lines and amounts in both.
    assert_eq!(zh.lines().count(), en.lines().count());
}
