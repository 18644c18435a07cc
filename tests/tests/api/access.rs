//! Unmasked reads: a stated purpose, a policy grant, and exactly one access-log row per
//! person; masked reads write nothing. Only auditors read the log.

use nuanxin_domain::StaffRole;
use nuanxin_tests::{TestApp, error_code, error_field, gid, on_both_backends};
use serde_json::json;

const PAGE_REVEALED: &str = "query($purpose: String!) { families(first: 3) { edges { node {
  members { id idNumber revealed(purpose: $purpose) { idNumber phone } } } } } }";
const PAGE_MASKED: &str =
    "{ families(first: 3) { edges { node { members { idNumber phone address } } } } }";

on_both_backends!(unmasked_read_logs_one_row_per_person);
async fn unmasked_read_logs_one_row_per_person(app: &TestApp) {
    for n in 1..=3 {
        app.family_at("411002001001", n).await;
    }
    let county = app.token(StaffRole::CountyAdmin, "411002").await;

    let before = app.count("access_log").await;
    let body = app.gql(&county, PAGE_MASKED, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        app.count("access_log").await,
        before,
        "a masked read writes no log row"
    );

    let body = app
        .gql(
            &county,
            PAGE_REVEALED,
            json!({ "purpose": "annual verification visit" }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let revealed = &body["data"]["families"]["edges"][0]["node"]["members"][0]["revealed"];
    let clear = revealed["idNumber"].as_str().expect("clear id");
    assert_eq!(clear.len(), 18);
    assert!(!clear.contains('*'));
    assert_eq!(
        app.count("access_log").await,
        before + 6,
        "3 families × 2 members, one row each"
    );

    // The auditor sees who read what, and why.
    let auditor = app.token(StaffRole::Auditor, "411000").await;
    let body = app
        .gql(&auditor, "{ accessLog(first: 10) { edges { node { actorRole fields operation purpose requestId memberId } } } }", json!({}))
        .await;
    let rows = body["data"]["accessLog"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rows.len(), 6, "{body}");
    for row in &rows {
        let node = &row["node"];
        assert_eq!(node["actorRole"], "county_admin");
        assert_eq!(node["fields"], json!(["idNumber", "phone"]));
        assert_eq!(node["operation"], "reveal");
        assert_eq!(node["purpose"], "annual verification visit");
        assert!(!node["requestId"].as_str().unwrap_or("").is_empty());
        assert!(node["memberId"].is_string());
    }
}

on_both_backends!(unmasking_needs_purpose_and_grant);
async fn unmasking_needs_purpose_and_grant(app: &TestApp) {
    app.family_at("411002001001", 1).await;
    let before = app.count("access_log").await;

    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let body = app
        .gql(&county, PAGE_REVEALED, json!({ "purpose": "" }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("purpose"));

    // A village worker may unmask phones for visits, never ID numbers.
    let village = app.token(StaffRole::VillageWorker, "411002001001").await;
    let body = app
        .gql(&village, PAGE_REVEALED, json!({ "purpose": "home visit" }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    assert_eq!(
        app.count("access_log").await,
        before,
        "refused reads write nothing and reveal nothing"
    );
    let q = "{ families { edges { node { members { revealed(purpose: \"home visit\") { phone } } } } } }";
    let body = app.gql(&village, q, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(app.count("access_log").await, before + 2);

    // The auditor reads masked only.
    let auditor = app.token(StaffRole::Auditor, "411000").await;
    let body = app.gql(&auditor, q, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    assert_eq!(app.count("access_log").await, before + 2);
}

on_both_backends!(only_auditors_read_the_log);
async fn only_auditors_read_the_log(app: &TestApp) {
    for (role, home) in [
        (StaffRole::CityAdmin, "411000"),
        (StaffRole::CountyAdmin, "411002"),
        (StaffRole::TownshipWorker, "411002001"),
        (StaffRole::VillageWorker, "411002001001"),
    ] {
        let body = app
            .gql(
                &app.token(role, home).await,
                "{ accessLog { edges { node { id } } } }",
                json!({}),
            )
            .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{role:?}: {body}");
    }
    // Partners, volunteers and families never read it, inside their rows or not.
    let (family, members) = app.family_at("411002001001", 1).await;
    for (audience, token) in app.token_per_audience(family, members[0], &[family]).await {
        let body = app
            .gql(&token, "{ accessLog { edges { node { id } } } }", json!({}))
            .await;
        let expect = if audience == nuanxin_domain::Audience::Staff(StaffRole::Auditor) {
            None
        } else {
            Some("FORBIDDEN")
        };
        assert_eq!(error_code(&body), expect, "{}: {body}", audience.name());
    }
    let (status, body) = app
        .gql_full(None, "{ accessLog { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
}

const BY_ID: &str = "query($n: String!) { memberByIdNumber(idNumber: $n) { id name idNumber } }";

on_both_backends!(lookup_by_id_number_is_exact_sliced_and_audited);
async fn lookup_by_id_number_is_exact_sliced_and_audited(app: &TestApp) {
    let (_, members) = app.family_at("411002001001", 7).await;
    let system = nuanxin_domain::Principal::system("test: read the fixture back");
    let rec = app
        .store
        .get_member(&system, members[0])
        .await
        .expect("member");
    let meta = nuanxin_store::RequestMeta::default();
    let clear = app
        .store
        .reveal(
            &system,
            &[&rec],
            &[nuanxin_domain::SensitiveField::IdNumber],
            "test setup",
            &meta,
        )
        .await
        .expect("reveal")
        .remove(0)
        .id_number
        .expect("id");
    let before = app.count("access_log").await;

    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let body = app
        .gql(&county, BY_ID, json!({ "n": clear.to_lowercase() }))
        .await;
    assert_eq!(
        body["data"]["memberByIdNumber"]["id"],
        gid("Member", members[0]),
        "{body}"
    );
    assert!(
        body["data"]["memberByIdNumber"]["idNumber"]
            .as_str()
            .unwrap_or("")
            .contains("********")
    );
    assert_eq!(app.count("access_log").await, before + 1);

    // Another county cannot find the person, and the attempt is still logged.
    let other = app.token(StaffRole::CountyAdmin, "411024").await;
    let body = app.gql(&other, BY_ID, json!({ "n": clear })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert_eq!(app.count("access_log").await, before + 2);

    // A malformed number is a typed input error, naming the field.
    let body = app
        .gql(&county, BY_ID, json!({ "n": "411002196213010011" }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("idNumber"));
}

const LOG: &str =
    "{ accessLog(first: 50) { edges { node { memberId actorRole actorName operation } } } }";

fn logged_members(body: &serde_json::Value) -> Vec<Option<String>> {
    body["data"]["accessLog"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["node"]["memberId"].as_str().map(str::to_owned))
        .collect()
}

on_both_backends!(a_county_auditor_sees_only_their_countys_log);
async fn a_county_auditor_sees_only_their_countys_log(app: &TestApp) {
    let (_, weidu) = app.family_at("411002001001", 1).await;
    let (_, yanling) = app.family_at("411024001001", 2).await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let q = "query($id: ID!) { member(id: $id) { revealed(purpose: \"annual verification\") { idNumber } } }";
    for m in [weidu[0], yanling[0]] {
        let body = app.gql(&city, q, json!({ "id": gid("Member", m) })).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    // A lookup that finds no one is logged about no one.
    let body = app
        .gql(
            &city,
            "{ memberByIdNumber(idNumber: \"11010519491231002X\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    // The system's reads are logged as the system, with its reason.
    let system = nuanxin_domain::Principal::system("test: a bulk check");
    let rec = app
        .store
        .get_member(&system, yanling[1])
        .await
        .expect("member");
    app.store
        .reveal(
            &system,
            &[&rec],
            &[nuanxin_domain::SensitiveField::Phone],
            "bulk check",
            &Default::default(),
        )
        .await
        .expect("reveal");

    let weidu_auditor = app.token(StaffRole::Auditor, "411002").await;
    let seen = logged_members(&app.gql(&weidu_auditor, LOG, json!({})).await);
    assert_eq!(
        seen,
        [Some(gid("Member", weidu[0]))],
        "only 魏都区's person"
    );

    let yanling_auditor = app.token(StaffRole::Auditor, "411024").await;
    let seen = logged_members(&app.gql(&yanling_auditor, LOG, json!({})).await);
    assert_eq!(seen.len(), 2, "鄢陵县's two reads: {seen:?}");
    assert!(seen.iter().all(|m| m.is_some()));

    // Control: the city auditor sees everything, including the lookup about no one.
    let body = app
        .gql(
            &app.token(StaffRole::Auditor, "411000").await,
            LOG,
            json!({}),
        )
        .await;
    let seen = logged_members(&body);
    assert_eq!(seen.len(), 4, "{body}");
    assert!(seen.contains(&None));
    let nodes: Vec<&serde_json::Value> = body["data"]["accessLog"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["node"])
        .collect();
    assert!(
        nodes
            .iter()
            .any(|n| n["actorRole"] == "system" && n["actorName"] == "system: test: a bulk check"),
        "{body}"
    );
    assert!(
        !nodes
            .iter()
            .any(|n| n["actorRole"] == "system" && n["actorName"] == "city_admin")
    );
}

on_both_backends!(no_visible_fields_rebuild_a_masked_id_number);
async fn no_visible_fields_rebuild_a_masked_id_number(app: &TestApp) {
    use nuanxin_domain::month::YearMonth;
    use nuanxin_domain::registry::id_number::candidates_for_mask;
    // Fixture mothers are born 1965-08-31, fathers 1962-04-12.
    let (family, members) = app.family_at("411002001001", 4).await;
    app.activate(family).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let mut seen = String::new();
    // Every field about the member a county admin may read masked, for two years of months.
    let mut month = YearMonth::of(nuanxin_domain::time::china_today()).plus(-24);
    for _ in 0..24 {
        // In both languages: each writes dates its own way.
        for language in ["zh-CN", "en"] {
            let body = app
                .gql_in(
                    language,
                    &county,
                    "query($id: ID!, $m: String!) { member(id: $id) { idNumber sex age name entitlement(month: $m) { entitled reason kind amountFen explanation countyCode } } }",
                    json!({ "id": gid("Member", members[1]), "m": month.to_string() }),
                )
                .await;
            assert!(body["errors"].is_null(), "{body}");
            seen.push_str(&body.to_string());
        }
        month = month.plus(1);
    }
    // The roster's lines and its masked export.
    let body = app
        .gql(
            &county,
            "mutation($p: String!) { generateRoster(input: { countyCode: \"411002\", periodStart: $p }) { id lines(first: 100) { edges { node { explanation } } } } }",
            json!({ "p": month.plus(-1).to_string() }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    seen.push_str(&body.to_string());
    let roster = body["data"]["generateRoster"]["id"]
        .as_str()
        .expect("roster")
        .to_owned();
    let (status, _, csv) = app
        .send(
            actix_web::test::TestRequest::get()
                .uri(&format!("/exports/rosters/{roster}.csv"))
                .insert_header(("authorization", format!("Bearer {county}"))),
        )
        .await;
    assert_eq!(status, 200);
    seen.push_str(&csv.to_string());

    for birth in [
        "1965-08-31",
        "19650831",
        "1965年8月31日",
        "1962年4月12日",
        "1962-04-12",
        "19620412",
    ] {
        assert!(
            !seen.contains(birth),
            "the birth date {birth} is visible: {seen}"
        );
    }
    // The most anyone can infer is the birth year and month (the amount switches the month
    // after the 49th birthday): the mask must still leave many candidates.
    let masked =
        serde_json::from_str::<serde_json::Value>(&seen[..seen.find("}}}").map_or(0, |i| i + 3)])
            .ok()
            .and_then(|v| v["data"]["member"]["idNumber"].as_str().map(str::to_owned))
            .expect("a masked ID number");
    assert!(
        seen.contains("turned"),
        "control: English explanations were read"
    );
    assert!(
        seen.contains("周岁"),
        "control: Chinese explanations were read"
    );
    let candidates = candidates_for_mask(&masked, 1965, 8);
    assert!(
        candidates >= 100,
        "{masked}: only {candidates} candidate numbers"
    );
}

/// A burst of lookups while another session holds the access log's table locked: no
/// lookup answers before its log row is written, and once the lock goes the rows that
/// queued meanwhile are written together — two inserts for the burst (the one that was
/// blocked, then all the others), not one each. PostgreSQL only (SQLite has no table locks
/// of this kind); the grouping is what `bench/floor` measures as commits per lookup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_lookups_waits_for_its_log_rows_and_shares_their_commit() {
    nuanxin_tests::run(
        nuanxin_tests::Backend::Postgres,
        a_burst_of_lookups_waits_for_its_log_rows_and_shares_their_commit_on,
    )
    .await;
}

async fn a_burst_of_lookups_waits_for_its_log_rows_and_shares_their_commit_on(app: &TestApp) {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Within the test server's admission (twice its pool of 5).
    const BURST: usize = 8;
    let system = nuanxin_domain::Principal::system("test: read the fixture back");
    let mut clear = Vec::new();
    for n in 1..=BURST / 2 {
        let (_, members) = app.family_at("411002001001", n as u16).await;
        for m in members {
            let rec = app.store.get_member(&system, m).await.expect("member");
            let revealed = app
                .store
                .reveal(
                    &system,
                    &[&rec],
                    &[nuanxin_domain::SensitiveField::IdNumber],
                    "test setup",
                    &Default::default(),
                )
                .await
                .expect("reveal");
            clear.push(revealed[0].id_number.clone().expect("id"));
        }
    }
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    // Control: one lookup on its own (the second: the first also looks up the account),
    // and what it costs in statements.
    let mut alone = 0;
    for _ in 0..2 {
        let before = app.store.statement_count();
        let body = app.gql(&county, BY_ID, json!({ "n": clear[0] })).await;
        assert!(body["errors"].is_null(), "{body}");
        alone = app.store.statement_count() - before;
    }
    let logged = app.count("access_log").await;

    let url = app.postgres_url().expect("a PostgreSQL test");
    let other = sea_orm::Database::connect(url)
        .await
        .expect("another session");
    let lock = other.begin().await.expect("begin");
    lock.execute_unprepared("LOCK TABLE access_log IN SHARE ROW EXCLUSIVE MODE")
        .await
        .expect("lock the log");
    let answered = AtomicUsize::new(0);
    let before = app.store.statement_count();
    let (county, answered) = (&county, &answered);
    let lookups = futures_util::future::join_all(clear.iter().map(|n| async move {
        let body = app.gql(county, BY_ID, json!({ "n": n })).await;
        answered.fetch_add(1, Ordering::SeqCst);
        body
    }));
    let release = async {
        // Until the first insert waits on the lock, then long enough for the rest to queue.
        let waiting = "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"access_log\"%'";
        for _ in 0..200 {
            let seen = other
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DatabaseBackend::Postgres,
                    waiting,
                ))
                .await
                .expect("look");
            if seen.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        assert_eq!(
            answered.load(Ordering::SeqCst),
            0,
            "no lookup answers before its log row is written"
        );
        lock.commit().await.expect("release the log");
    };
    let (bodies, ()) = tokio::join!(lookups, release);
    for body in &bodies {
        assert!(body["data"]["memberByIdNumber"]["id"].is_string(), "{body}");
    }
    assert_eq!(
        app.store.statement_count() - before,
        BURST as u64 * (alone - 1) + 2,
        "one insert for the blocked lookup, one for all that queued behind it"
    );
    assert_eq!(app.count("access_log").await, logged + BURST as i64);
    other.close().await.ok();
}
