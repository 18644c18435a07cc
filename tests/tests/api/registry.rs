//! Registration, corrections, the status lifecycle and eligibility, through the API.

use nuanxin_domain::StaffRole;
use nuanxin_domain::registry::id_number::check_character;
use nuanxin_tests::{TestApp, error_code, error_field, gid, on_both_backends};
use serde_json::{Value, json};

pub const REGISTER: &str = "mutation($input: RegisterFamilyInput!) {
  registerFamily(input: $input) {
    id regionCode regionName status
    members { id name role sex idNumber phone address hukouRegionCode }
    statusHistory { from to reason }
  }
}";

/// A valid ID number from its first 17 digits.
pub fn id(first17: &str) -> String {
    format!("{first17}{}", check_character(first17))
}

/// Variables for a family with one mother whose ID starts with `first17`.
pub fn register_vars(village: &str, first17: &str) -> Value {
    json!({ "input": {
        "regionCode": village,
        "honourCertificateNo": "豫许0012345",
        "honourCertificateDate": "1989-01-15",
        "childDeathDate": "2015-03-08",
        "members": [{
            "role": "MOTHER",
            "name": "张秀英",
            "idNumber": id(first17),
            "phone": "138 0000 1234",
            "address": "河南省许昌市魏都区东大街12号",
            "hukouRegionCode": village
        }]
    }})
}

on_both_backends!(register_family_and_read_it_back_masked);
async fn register_family_and_read_it_back_masked(app: &TestApp) {
    let token = app.token(StaffRole::TownshipWorker, "411002001").await;
    let body = app
        .gql(
            &token,
            REGISTER,
            register_vars("411002001003", "41100219650831002"),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let family = &body["data"]["registerFamily"];
    assert_eq!(family["status"], "REGISTERED");
    assert_eq!(family["regionName"], "魏都区城关镇南村");
    let member = &family["members"][0];
    let full = id("41100219650831002");
    assert_eq!(
        member["idNumber"],
        format!("411002**********{}", &full[16..])
    );
    assert_eq!(member["phone"], "138****1234");
    assert_eq!(member["address"], "河南省许昌市****");
    assert_eq!(member["sex"], "FEMALE");
    assert_eq!(
        family["statusHistory"],
        json!([{ "from": null, "to": "REGISTERED", "reason": "registered" }])
    );
    // The clear value is not at rest: the stored row holds only ciphertext and a digest.
    let rows = app.store.stored_rows("member").await.expect("rows");
    assert_eq!(rows.len(), 1);
    let stored = rows[0].to_string();
    for clear in [full.as_str(), "13800001234", "1380000"] {
        assert!(
            !stored.contains(clear),
            "{clear} is stored in the clear: {stored}"
        );
    }
    for column in ["id_number_enc", "id_number_bidx", "phone_enc"] {
        let value = rows[0][column].as_str().unwrap_or_default();
        assert!(
            value.len() > 20,
            "{column} holds a ciphertext or digest: {stored}"
        );
    }
    // Control: the name, which is not encrypted, is found the same way.
    assert!(stored.contains("张秀英"));
}

const CHANGE: &str = "mutation($id: ID!, $status: FamilyStatus!, $reason: String!) {
  changeFamilyStatus(id: $id, status: $status, reason: $reason) { status statusHistory { from to reason } }
}";

on_both_backends!(status_lifecycle_is_appended_and_illegal_moves_refused);
async fn status_lifecycle_is_appended_and_illegal_moves_refused(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    let id = gid("Family", family);
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;

    // Illegal: registered → active skips verification.
    let before = app.count("family_status_history").await;
    let body = app
        .gql(
            &county,
            CHANGE,
            json!({ "id": id, "status": "ACTIVE", "reason": "skip" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("status"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("已核实")
    );
    assert_eq!(app.count("family_status_history").await, before);

    // A reason is required.
    let body = app
        .gql(
            &county,
            CHANGE,
            json!({ "id": id, "status": "VERIFIED", "reason": " " }),
        )
        .await;
    assert_eq!(error_field(&body), Some("reason"), "{body}");

    // Verification is the county's act, not the township's.
    let body = app
        .gql(
            &township,
            CHANGE,
            json!({ "id": id, "status": "VERIFIED", "reason": "checked" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    for (status, reason) in [("VERIFIED", "certificate checked"), ("ACTIVE", "approved")] {
        let body = app
            .gql(
                &county,
                CHANGE,
                json!({ "id": id, "status": status, "reason": reason }),
            )
            .await;
        assert_eq!(
            body["data"]["changeFamilyStatus"]["status"], status,
            "{body}"
        );
    }
    // The township may suspend an active family.
    let body = app
        .gql(
            &township,
            CHANGE,
            json!({ "id": id, "status": "SUSPENDED", "reason": "whereabouts unknown" }),
        )
        .await;
    let history = body["data"]["changeFamilyStatus"]["statusHistory"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let tos: Vec<&str> = history.iter().filter_map(|h| h["to"].as_str()).collect();
    assert_eq!(
        tos,
        ["REGISTERED", "VERIFIED", "ACTIVE", "SUSPENDED"],
        "{body}"
    );
    assert_eq!(history[3]["from"], "ACTIVE");
}

const EVALUATE: &str = "mutation($id: ID!) { evaluateEligibility(familyId: $id) {
  eligible ruleSetVersion reasons { rule satisfied explanation } } }";

on_both_backends!(eligibility_explains_every_rule);
async fn eligibility_explains_every_rule(app: &TestApp) {
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let (eligible, _) = app.family_at("411002001001", 1).await;
    let body = app
        .gql(&county, EVALUATE, json!({ "id": gid("Family", eligible) }))
        .await;
    let d = &body["data"]["evaluateEligibility"];
    assert_eq!(d["eligible"], true, "{body}");
    assert_eq!(
        d["ruleSetVersion"],
        nuanxin_domain::registry::eligibility::RULE_SET_VERSION
    );
    assert_eq!(d["reasons"].as_array().map(Vec::len), Some(4));

    // A family with a later adoption and no certificate: not eligible, and says why.
    let mut vars = register_vars("411002001002", "41100219660101002");
    vars["input"]["laterChildDate"] = json!("2019-06-01");
    vars["input"]["honourCertificateNo"] = Value::Null;
    let body = app.gql(&county, REGISTER, vars).await;
    let id = body["data"]["registerFamily"]["id"].clone();
    let body = app.gql(&county, EVALUATE, json!({ "id": id })).await;
    let d = &body["data"]["evaluateEligibility"];
    assert_eq!(d["eligible"], false, "{body}");
    let failed: Vec<&str> = d["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["satisfied"] == false)
        .filter_map(|r| r["rule"].as_str())
        .collect();
    assert_eq!(failed, ["HONOUR_CERTIFICATE", "NO_LATER_CHILD"]);
    // The outcome is recorded on the family.
    let body = app
        .gql(
            &county,
            "query($id: ID!) { family(id: $id) { lastEligibility { eligible ruleSetVersion } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["family"]["lastEligibility"]["eligible"], false,
        "{body}"
    );
}

on_both_backends!(update_member_validates_and_corrects);
async fn update_member_validates_and_corrects(app: &TestApp) {
    let (_, members) = app.family_at("411002001001", 1).await;
    let token = app.token(StaffRole::VillageWorker, "411002001001").await;
    let q = "mutation($id: ID!, $input: UpdateMemberInput!) { updateMember(id: $id, input: $input) { name phone } }";
    let body = app
        .gql(
            &token,
            q,
            json!({ "id": gid("Member", members[0]), "input": { "phone": "12345" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("phone"));
    let body = app
        .gql(&token, q, json!({ "id": gid("Member", members[0]), "input": { "phone": "13912345678", "name": "王建民" } }))
        .await;
    assert_eq!(
        body["data"]["updateMember"],
        json!({ "name": "王建民", "phone": "139****5678" }),
        "{body}"
    );
}

on_both_backends!(ciphertexts_are_bound_to_their_rows);
async fn ciphertexts_are_bound_to_their_rows(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let (_, members) = app.family_at("411002001001", 1).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let reveal = async |member| {
        app.gql(
            &county,
            "query($id: ID!) { member(id: $id) { revealed(purpose: \"annual verification\") { idNumber phone } } }",
            json!({ "id": gid("Member", member) }),
        )
        .await
    };
    let father = reveal(members[0]).await;
    assert!(father["errors"].is_null(), "{father}");
    let mother_id = reveal(members[1]).await["data"]["member"]["revealed"]["idNumber"].clone();

    // Someone with write access to the database copies the mother's ciphertext onto the
    // father's row: it does not decrypt there, and his file does not show her number.
    let db = app.store.raw_connection();
    // (By role: the only family here; ids are stored differently on the two backends.)
    let copied = db
        .execute_unprepared(
            "UPDATE member SET id_number_enc = (SELECT id_number_enc FROM member WHERE role = 'mother') WHERE role = 'father'",
        )
        .await
        .expect("copy");
    assert_eq!(copied.rows_affected(), 1);
    let body = reveal(members[0]).await;
    assert_eq!(error_code(&body), Some("INTERNAL"), "{body}");
    assert!(!body.to_string().contains(mother_id.as_str().unwrap_or("?")));
    // Control: her own row still reads.
    assert_eq!(
        reveal(members[1]).await["data"]["member"]["revealed"]["idNumber"],
        mother_id
    );

    // A value an earlier version wrote (bound to its field only) is sealed again for its
    // row when the store migrates, and reads as before.
    let legacy = app
        .store
        .vault()
        .encrypt_legacy("phone", "13912345678")
        .expect("v1");
    let set = db
        .execute_unprepared(&format!(
            "UPDATE member SET phone_enc = '{legacy}' WHERE role = 'mother'"
        ))
        .await
        .expect("legacy");
    assert_eq!(set.rows_affected(), 1);
    app.store.migrate().await.expect("migrate");
    let body = reveal(members[1]).await;
    assert_eq!(
        body["data"]["member"]["revealed"]["phone"], "13912345678",
        "{body}"
    );
    let rows = app.store.stored_rows("member").await.expect("rows");
    assert!(
        rows.iter()
            .all(|r| r["phone_enc"].as_str().is_none_or(|p| p.starts_with("v2:"))),
        "{rows:?}"
    );
}

on_both_backends!(a_duplicate_is_refused_logged_and_limited);
async fn a_duplicate_is_refused_logged_and_limited(app: &TestApp) {
    // A family in 鄢陵县; a clerk of 魏都区 registers one of its parents again.
    let (_, yanling) = app.family_at("411024001001", 1).await;
    let system = nuanxin_domain::Principal::system("test: read the fixture");
    let on_file = app
        .store
        .reveal(
            &system,
            &[&app
                .store
                .get_member(&system, yanling[1])
                .await
                .expect("member")],
            &[nuanxin_domain::SensitiveField::IdNumber],
            "test fixture",
            &Default::default(),
        )
        .await
        .expect("reveal")[0]
        .id_number
        .clone()
        .expect("id");
    let (clerk_id, clerk) = app.staff(StaffRole::TownshipWorker, "411002001").await;
    let attempt = |n: usize| {
        let _ = n;
        let mut vars = register_vars("411002001003", "41100219650831002");
        vars["input"]["members"][0]["idNumber"] = json!(on_file);
        vars
    };
    let families = app.count("family").await;
    let log = app.count("access_log").await;
    let body = app.gql(&clerk, REGISTER, attempt(0)).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(error_field(&body), Some("members[0].idNumber"));
    assert_eq!(
        body["errors"][0]["message"],
        "此人已经建档; 如需转移档案, 请联系市级管理员"
    );
    assert!(
        !body.to_string().contains("鄢陵"),
        "nothing about where: {body}"
    );
    assert_eq!(app.count("family").await, families, "nothing written");
    // Logged like a lookup: who asked, about whom — visible to 鄢陵县's auditor.
    assert_eq!(app.count("access_log").await, log + 1);
    let auditor = app.token(StaffRole::Auditor, "411024").await;
    let body = app
        .gql(
            &auditor,
            "{ accessLog(first: 5) { edges { node { actorId operation memberId } } } }",
            json!({}),
        )
        .await;
    let entry = &body["data"]["accessLog"]["edges"][0]["node"];
    assert_eq!(entry["operation"], "registerFamily", "{body}");
    assert_eq!(entry["actorId"], clerk_id.to_string());
    assert_eq!(entry["memberId"], gid("Member", yanling[1]));

    // Limited: five refusals an hour, then the clerk waits, even for an honest family.
    for n in 1..5 {
        let body = app.gql(&clerk, REGISTER, attempt(n)).await;
        assert_eq!(error_code(&body), Some("CONFLICT"), "{n}: {body}");
    }
    let honest = register_vars("411002001003", "41100219650831082");
    let (status, body) = app.gql_full(Some(&clerk), REGISTER, honest.clone()).await;
    assert_eq!(
        (status.as_u16(), error_code(&body)),
        (429, Some("RATE_LIMITED")),
        "{body}"
    );
    // Control: another clerk registers the honest family.
    let other = app.token(StaffRole::TownshipWorker, "411002001").await;
    let body = app.gql(&other, REGISTER, honest).await;
    assert!(body["errors"].is_null(), "{body}");
}

const FACT: &str = "mutation($id: ID!, $input: UpdateMemberInput!) { updateMember(id: $id, input: $input) { deceasedOn hukouRegionCode } }";
const HISTORY: &str = "query($id: ID!) { member(id: $id) { deceasedOn factHistory { id fact value evidence corrects } } }";

on_both_backends!(deaths_and_moves_are_dated_facts_with_history);
async fn deaths_and_moves_are_dated_facts_with_history(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let (_, members) = app.family_at("411002001001", 1).await;
    let father = gid("Member", members[0]);
    let village = app.token(StaffRole::VillageWorker, "411002001001").await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;

    // A village worker corrects a phone number, but records no death.
    let body = app
        .gql(
            &village,
            FACT,
            json!({ "id": father, "input": { "phone": "13912340000" } }),
        )
        .await;
    assert!(body["errors"].is_null(), "control: {body}");
    let body = app
        .gql(
            &village,
            FACT,
            json!({ "id": father, "input": { "deceasedOn": "2026-03-20" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    // A death is recorded on evidence.
    let body = app
        .gql(
            &township,
            FACT,
            json!({ "id": father, "input": { "deceasedOn": "2026-03-20" } }),
        )
        .await;
    assert_eq!(
        (error_code(&body), error_field(&body)),
        (Some("BAD_USER_INPUT"), Some("evidence")),
        "{body}"
    );
    assert_eq!(app.count("member_fact").await, 0, "nothing written");
    // A death further back than the limit (60 months) is refused, naming the field.
    let body = app
        .gql(
            &township,
            FACT,
            json!({ "id": father, "input": { "deceasedOn": "2019-01-01", "evidence": "死亡证明 No. 4110020312" } }),
        )
        .await;
    assert_eq!(error_field(&body), Some("deceasedOn"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("60 个月"),
        "{body}"
    );
    assert_eq!(app.count("member_fact").await, 0, "nothing written");
    let body = app
        .gql(
            &township,
            FACT,
            json!({ "id": father, "input": { "deceasedOn": "2026-03-20", "evidence": "死亡证明 No. 4110020312" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateMember"]["deceasedOn"], "2026-03-20",
        "{body}"
    );
    // Recorded in error: cleared by a new entry that says what it corrects.
    let body = app
        .gql(
            &township,
            FACT,
            json!({ "id": father, "input": { "deceasedOn": null, "evidence": "the certificate was another person's" } }),
        )
        .await;
    assert!(
        body["data"]["updateMember"]["deceasedOn"].is_null(),
        "{body}"
    );
    let body = app.gql(&township, HISTORY, json!({ "id": father })).await;
    let history = body["data"]["member"]["factHistory"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(history.len(), 2, "{body}");
    assert_eq!(history[0]["value"], "2026-03-20");
    assert!(history[1]["value"].is_null());
    assert_eq!(history[1]["corrects"], history[0]["id"]);
    // The village worker does not read the history; the auditor does.
    assert_eq!(
        error_code(&app.gql(&village, HISTORY, json!({ "id": father })).await),
        Some("FORBIDDEN")
    );
    let auditor = app.token(StaffRole::Auditor, "411002").await;
    assert!(app.gql(&auditor, HISTORY, json!({ "id": father })).await["errors"].is_null());
    // Never edited in place.
    assert!(
        app.store
            .raw_connection()
            .execute_unprepared("UPDATE member_fact SET value = '2026-01-01'")
            .await
            .is_err()
    );
}
