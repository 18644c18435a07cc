//! Allowances end to end: standards, entitlements, bank accounts, rosters through their
//! whole lifecycle (arrears, a returned payment paid again, a late death clawed back),
//! maker-checker, concurrency, and the exports read back.

use actix_web::test::TestRequest;
use nuanxin_domain::StaffRole;
use nuanxin_domain::month::YearMonth;
use nuanxin_tests::{TestApp, error_code, error_field, gid, on_both_backends};
use serde_json::{Value, json};

const GENERATE: &str = "mutation($c: String!, $p: String!) { generateRoster(input: { countyCode: $c, periodStart: $p }) {
  id status generation lineCount totalFen totalsByKind { kind lineCount totalFen } totalsByTownship { townshipCode townshipName totalFen } } }";
const LINES: &str = "query($id: ID!) { roster(id: $id) { lines(first: 100) { edges { node {
  id memberId month amountFen lineType attempt explanation } } } } }";

fn this_month() -> YearMonth {
    YearMonth::of(nuanxin_domain::time::china_today())
}

async fn generate(app: &TestApp, token: &str, county: &str, month: YearMonth) -> Value {
    app.gql(
        token,
        GENERATE,
        json!({ "c": county, "p": month.to_string() }),
    )
    .await
}

async fn lines(app: &TestApp, token: &str, roster: &Value) -> Vec<Value> {
    let body = app.gql(token, LINES, json!({ "id": roster })).await;
    body["data"]["roster"]["lines"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["node"].clone())
        .collect()
}

async fn step(app: &TestApp, token: &str, mutation: &str, id: &Value) -> Value {
    app.roster_step(token, mutation, id).await
}

on_both_backends!(roster_lifecycle_arrears_retry_and_clawback);
async fn roster_lifecycle_arrears_retry_and_clawback(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let (father, mother) = (members[0], members[1]);
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let prev = this_month().prev();

    // Last month's roster: the family became active this month, so everything since its
    // eligibility start, capped at 24 months back, is owed: 25 months × 2 parents × 680.
    let body = generate(app, &county, "411002", prev).await;
    let roster = &body["data"]["generateRoster"];
    assert_eq!(roster["status"], "DRAFT", "{body}");
    assert_eq!(roster["lineCount"], 50);
    assert_eq!(roster["totalFen"], 50 * 68_000);
    assert_eq!(
        roster["totalsByKind"],
        json!([{ "kind": "SPECIAL_SUPPORT", "lineCount": 50, "totalFen": 3_400_000 }])
    );
    assert_eq!(
        roster["totalsByTownship"][0]["townshipName"],
        "魏都区城关镇"
    );
    let first_id = roster["id"].clone();

    // A draft regenerates idempotently.
    let body = generate(app, &county, "411002", prev).await;
    assert_eq!(body["data"]["generateRoster"]["generation"], 2, "{body}");
    assert_eq!(body["data"]["generateRoster"]["lineCount"], 50);
    assert_eq!(app.count("roster_line").await, 50);

    // Submit: frozen from here on.
    let (county_admin_id, maker) = app.staff(StaffRole::CountyAdmin, "411002").await;
    let body = step(app, &maker, "submitRoster", &first_id).await;
    assert_eq!(
        body["data"]["submitRoster"]["status"], "SUBMITTED",
        "{body}"
    );
    let body = generate(app, &county, "411002", prev).await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "a submitted roster is frozen: {body}"
    );

    // Maker-checker: the same person, promoted to the city since, cannot approve.
    app.store
        .set_staff_role(
            county_admin_id,
            StaffRole::CityAdmin,
            &nuanxin_domain::RegionCode::parse("411000").expect("city"),
        )
        .await
        .expect("promote");
    let same_person = maker.clone();
    let body = step(app, &same_person, "approveRoster", &first_id).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    // A county admin cannot approve at all; a city admin can.
    assert_eq!(
        error_code(&step(app, &county, "approveRoster", &first_id).await),
        Some("FORBIDDEN")
    );
    let body = step(app, &city, "approveRoster", &first_id).await;
    assert_eq!(
        body["data"]["approveRoster"]["status"], "APPROVED",
        "{body}"
    );

    let paid = app
        .gql(
            &city,
            "mutation($id: ID!, $on: NaiveDate!) { markRosterPaid(id: $id, bankBatchRef: \"ICBC-2026-0001\", paidOn: $on) { status bankBatchRef } }",
            json!({ "id": first_id, "on": nuanxin_domain::time::china_today().to_string() }),
        )
        .await;
    assert_eq!(paid["data"]["markRosterPaid"]["status"], "PAID", "{paid}");

    // The bank returned the mother's payment for last month.
    let all = lines(app, &city, &first_id).await;
    let returned = all
        .iter()
        .find(|l| l["memberId"] == gid("Member", mother) && l["month"] == prev.to_string())
        .expect("mother's line");
    // A bad outcome names the argument the clerk sent (`exceptions`), and changes nothing.
    let body = app
        .gql(
            &city,
            "mutation($id: ID!, $l: ID!) { reconcileRoster(id: $id, exceptions: [{ lineId: $l, outcome: \"lost\", reason: \"?\" }]) { status } }",
            json!({ "id": first_id, "l": returned["id"] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(
        nuanxin_tests::error_field(&body),
        Some("exceptions[0].outcome")
    );
    assert_eq!(app.count("roster_line_outcome").await, 0);
    let body = app
        .gql(
            &city,
            "mutation($id: ID!, $l: ID!) { reconcileRoster(id: $id, exceptions: [{ lineId: $l, outcome: \"returned\", reason: \"account closed\" }]) { status } }",
            json!({ "id": first_id, "l": returned["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["reconcileRoster"]["status"], "RECONCILED",
        "{body}"
    );

    // The father's death three months before is recorded late.
    let died = prev.plus(-3).first_day() + chrono::Duration::days(9);
    let body = app
        .gql(
            &county,
            "mutation($id: ID!, $d: NaiveDate!) { updateMember(id: $id, input: { deceasedOn: $d, evidence: \"死亡证明 No. 0001\" }) { deceasedOn } }",
            json!({ "id": gid("Member", father), "d": died.to_string() }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");

    // This month's roster: the widow's month, her returned payment again, and the
    // father's three months after his death clawed back.
    let body = generate(app, &county, "411002", this_month()).await;
    let second = &body["data"]["generateRoster"];
    assert_eq!(second["totalFen"], 68_000 + 68_000 - 3 * 68_000, "{body}");
    let got = lines(app, &county, &second["id"]).await;
    let mut summary: Vec<(String, String, i64, i64)> = got
        .iter()
        .map(|l| {
            (
                if l["memberId"] == gid("Member", father) {
                    "father"
                } else {
                    "mother"
                }
                .to_owned(),
                l["month"].as_str().unwrap_or("").to_owned(),
                l["amountFen"].as_i64().unwrap_or(0),
                l["attempt"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    summary.sort();
    let m = |k: i32| prev.plus(k).to_string();
    assert_eq!(
        summary,
        vec![
            ("father".into(), m(-2), -68_000, 1),
            ("father".into(), m(-1), -68_000, 1),
            ("father".into(), m(0), -68_000, 1),
            ("mother".into(), m(0), 68_000, 2),
            ("mother".into(), m(1), 68_000, 1),
        ]
    );
    assert!(
        got.iter().any(|l| l["lineType"] == "CLAWBACK"
            && l["explanation"].as_str().unwrap_or("").contains("去世"))
    );

    // A reconciled roster's lines cannot be touched by anyone: no API edits lines, and the
    // database refuses a regeneration of a frozen roster.
    assert_eq!(
        error_code(&generate(app, &county, "411002", prev).await),
        Some("CONFLICT")
    );
    assert_eq!(app.count("roster_line").await, 55);
}

on_both_backends!(concurrent_generations_and_approvals_pay_once);
async fn concurrent_generations_and_approvals_pay_once(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let month = this_month();
    // The draft exists; now two regenerations race for it.
    let first = generate(app, &county, "411002", month).await;
    let roster = first["data"]["generateRoster"]["id"].clone();
    let (a, b) = match app.postgres_url() {
        // PostgreSQL: make "at once" certain. A second session locks the roster row, both
        // generations read generation 1 and queue on that lock; it is released only once
        // both are waiting, so exactly one can move generation 1 → 2.
        Some(url) => {
            use sea_orm::{ConnectionTrait, TransactionTrait};
            let conn = sea_orm::Database::connect(url.as_str())
                .await
                .expect("second session");
            let holder = conn.begin().await.expect("begin");
            let uuid = roster_uuid(&roster);
            holder
                .execute_unprepared(&format!(
                    "SELECT id FROM roster WHERE id = '{uuid}' FOR UPDATE"
                ))
                .await
                .expect("lock");
            let release = async {
                for _ in 0..500 {
                    let waiting = conn
                        .query_one_raw(sea_orm::Statement::from_string(
                            sea_orm::DbBackend::Postgres,
                            "SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                             WHERE NOT l.granted AND a.datname = current_database()"
                                .to_owned(),
                        ))
                        .await
                        .ok()
                        .flatten()
                        .and_then(|r| r.try_get::<i64>("", "n").ok())
                        .unwrap_or(0);
                    if waiting >= 2 {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                holder.commit().await.expect("release");
            };
            let (a, b, ()) = tokio::join!(
                generate(app, &county, "411002", month),
                generate(app, &county, "411002", month),
                release
            );
            (a, b)
        }
        // SQLite has one writer: the second generation simply follows the first.
        None => {
            futures_join(
                generate(app, &county, "411002", month),
                generate(app, &county, "411002", month),
            )
            .await
        }
    };
    let outcomes = [error_code(&a), error_code(&b)];
    let wins = outcomes.iter().filter(|c| c.is_none()).count();
    let conflicts = outcomes.iter().filter(|c| **c == Some("CONFLICT")).count();
    assert_eq!(wins + conflicts, 2, "{a} {b}");
    if app.backend == nuanxin_tests::Backend::Postgres {
        assert_eq!(
            (wins, conflicts),
            (1, 1),
            "one generation wins, the other gets CONFLICT: {a} {b}"
        );
    }
    assert_eq!(app.count("roster").await, 1);
    assert_eq!(app.count("roster_line").await, 50, "no duplicate line");

    assert_eq!(
        step(app, &county, "submitRoster", &roster).await["data"]["submitRoster"]["status"],
        "SUBMITTED"
    );
    let (c1, c2) = (
        app.token(StaffRole::CityAdmin, "411000").await,
        app.token(StaffRole::CityAdmin, "411000").await,
    );
    let (a, b) = futures_join(
        step(app, &c1, "approveRoster", &roster),
        step(app, &c2, "approveRoster", &roster),
    )
    .await;
    let codes = [error_code(&a), error_code(&b)];
    assert_eq!(
        codes.iter().filter(|c| c.is_none()).count(),
        1,
        "exactly one approval: {a} {b}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == Some("CONFLICT")).count(),
        1,
        "{a} {b}"
    );
}

/// The UUID inside a roster's API id.
fn roster_uuid(id: &Value) -> String {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id.as_str().unwrap_or(""))
        .expect("api id");
    String::from_utf8(raw)
        .expect("utf-8")
        .trim_start_matches("Roster:")
        .to_owned()
}

async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    tokio::join!(a, b)
}

on_both_backends!(bank_accounts_are_masked_and_exports_read_back);
async fn bank_accounts_are_masked_and_exports_read_back(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let set = "mutation($id: ID!, $n: String!) { setBankAccount(memberId: $id, input: { kind: \"social_security_card\", bankName: \"许昌农商银行\", accountNumber: $n }) { accountNumber holderName } }";
    let body = app
        .gql(
            &county,
            set,
            json!({ "id": gid("Member", members[1]), "n": "6221-ABC" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("accountNumber"));
    let body = app
        .gql(
            &county,
            set,
            json!({ "id": gid("Member", members[1]), "n": "6221012345678901234" }),
        )
        .await;
    assert_eq!(
        body["data"]["setBankAccount"],
        json!({ "accountNumber": "***************1234", "holderName": "李秀英" }),
        "{body}"
    );

    let village = app.token(StaffRole::VillageWorker, "411002001001").await;
    let body = app
        .gql(
            &village,
            "query($id: ID!) { member(id: $id) { bankAccount { accountNumber } } }",
            json!({ "id": gid("Member", members[1]) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    // Control: the county admin reads it, masked (this answered INTERNAL while the
    // field's loader was never attached).
    let body = app
        .gql(
            &county,
            "query($id: ID!) { member(id: $id) { bankAccount { accountNumber bankName } } }",
            json!({ "id": gid("Member", members[1]) }),
        )
        .await;
    assert_eq!(
        body["data"]["member"]["bankAccount"],
        json!({ "accountNumber": "***************1234", "bankName": "许昌农商银行" }),
        "{body}"
    );

    let roster =
        generate(app, &county, "411002", this_month()).await["data"]["generateRoster"].clone();
    let id = roster["id"].as_str().expect("id").to_owned();

    // XLSX, masked: reads back with the right totals.
    let (status, headers, _) = app
        .send(
            TestRequest::get()
                .uri(&format!("/exports/rosters/{id}.xlsx"))
                .insert_header(("authorization", format!("Bearer {county}"))),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .contains("roster-411002-")
    );
    let bytes = download(app, &format!("/exports/rosters/{id}.xlsx"), &county).await;
    let rows = read_xlsx(&bytes);
    assert!(
        rows[0][0].starts_with("魏都区 ")
            && rows[0][0].contains("年")
            && rows[0][0].ends_with("(草稿)"),
        "a title with the county, the period and the status: {:?}",
        rows[0]
    );
    assert_eq!(rows[1][2], "姓名");
    assert_eq!(rows[1][6], "金额(元)");
    let total_row = rows.iter().find(|r| r[0] == "合计").expect("totals row");
    assert_eq!(
        total_row[6],
        format!("{}", roster["totalFen"].as_i64().unwrap_or(0) / 100),
        "{total_row:?}"
    );
    let data: Vec<&Vec<String>> = data_rows(&rows);
    assert_eq!(
        data.len() as i64,
        roster["lineCount"].as_i64().unwrap_or(-1)
    );
    let sum: f64 = data
        .iter()
        .map(|r| r[6].parse::<f64>().unwrap_or(0.0))
        .sum();
    assert_eq!(
        (sum * 100.0).round() as i64,
        roster["totalFen"].as_i64().unwrap_or(0)
    );
    assert!(
        data.iter().all(|r| r[3].contains("********")),
        "ID numbers masked"
    );
    let signatures = rows.last().expect("signature row");
    assert!(
        signatures[0].starts_with("制表人: county_admin 411002"),
        "{signatures:?}"
    );
    assert!(
        signatures.iter().any(|c| c == "审批人: "),
        "not approved yet: {signatures:?}"
    );
    let mother_rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == "李秀英").collect();
    assert!(
        mother_rows.iter().all(|r| r[10] == "***************1234"),
        "{mother_rows:?}"
    );

    // Unmasked: needs the grant and a purpose, and logs one row per person.
    let before = app.count("access_log").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let bytes = download(
        app,
        &format!("/exports/rosters/{id}.xlsx?purpose=bank%20payment%20file"),
        &city,
    )
    .await;
    let rows = read_xlsx(&bytes);
    assert!(rows.iter().any(|r| r[10] == "6221012345678901234"));
    assert_eq!(
        app.count("access_log").await,
        before + 1,
        "one person has an account"
    );
    let auditor = app.token(StaffRole::Auditor, "411000").await;
    let (status, _, body) = app
        .send(
            TestRequest::get()
                .uri(&format!("/exports/rosters/{id}.csv?purpose=curiosity"))
                .insert_header(("authorization", format!("Bearer {auditor}"))),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(app.count("access_log").await, before + 1);

    // CSV, with a BOM for Excel and the same totals; other counties cannot download it.
    let csv =
        String::from_utf8(download(app, &format!("/exports/rosters/{id}.csv"), &auditor).await)
            .expect("utf-8");
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.lines().next().unwrap_or("").contains("身份证号"));
    let total = format!("{}.00", roster["totalFen"].as_i64().unwrap_or(0) / 100);
    assert!(csv.lines().last().unwrap_or("").contains(&total), "{csv}");
    let other = app.token(StaffRole::CountyAdmin, "411024").await;
    let (status, _, _) = app
        .send(
            TestRequest::get()
                .uri(&format!("/exports/rosters/{id}.csv"))
                .insert_header(("authorization", format!("Bearer {other}"))),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = app
        .send(TestRequest::get().uri(&format!("/exports/rosters/{id}.csv")))
        .await;
    assert_eq!(status, 401);
}

async fn download(app: &TestApp, uri: &str, token: &str) -> Vec<u8> {
    let (status, _, bytes) = app.get_bytes(uri, Some(token)).await;
    assert_eq!(status, 200, "{uri}");
    bytes
}

/// The line rows of a printed roster: those numbered in the first column.
fn data_rows(rows: &[Vec<String>]) -> Vec<&Vec<String>> {
    rows.iter()
        .filter(|r| r.first().is_some_and(|c| c.parse::<u32>().is_ok()))
        .collect()
}

fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = book.worksheet_range("发放花名册").expect("sheet");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

on_both_backends!(generation_rules_are_enforced);
async fn generation_rules_are_enforced(app: &TestApp) {
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let body = generate(app, &county, "411024", this_month()).await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "another county: {body}"
    );
    let body = generate(app, &county, "411002", this_month().next()).await;
    assert_eq!(
        error_code(&body),
        Some("BAD_USER_INPUT"),
        "a future period: {body}"
    );
    assert_eq!(error_field(&body), Some("period"));
    let body = app
        .gql(&county, "mutation { generateRoster(input: { countyCode: \"411002\", periodStart: \"2024-02\", months: 3 }) { id } }", json!({}))
        .await;
    assert_eq!(error_field(&body), Some("months"), "{body}");
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let body = generate(app, &city, "411002", this_month()).await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "the city approves, the county generates: {body}"
    );
    assert_eq!(app.count("roster").await, 0);

    // A background generation reports its progress as a job.
    let (family, _) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let body = app
        .gql(&county, "mutation($p: String!) { startRosterGeneration(input: { countyCode: \"411002\", periodStart: $p }) { id status } }", json!({ "p": this_month().to_string() }))
        .await;
    let job = body["data"]["startRosterGeneration"]["id"].clone();
    assert_eq!(
        body["data"]["startRosterGeneration"]["status"], "running",
        "{body}"
    );
    let mut last = Value::Null;
    for _ in 0..400 {
        last = app
            .gql(
                &county,
                "query($id: ID!) { rosterJob(id: $id) { status done total rosterId error } }",
                json!({ "id": job }),
            )
            .await;
        if last["data"]["rosterJob"]["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(last["data"]["rosterJob"]["status"], "succeeded", "{last}");
    assert_eq!(last["data"]["rosterJob"]["done"], 50);
    assert!(last["data"]["rosterJob"]["rosterId"].is_string());
}

on_both_backends!(a_move_keeps_the_month_with_the_county_left);
async fn a_move_keeps_the_month_with_the_county_left(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let weidu = app.token(StaffRole::CountyAdmin, "411002").await;
    let yanling = app.token(StaffRole::CountyAdmin, "411024").await;
    let today = nuanxin_domain::time::china_today().to_string();
    let mv = "mutation($id: ID!, $d: NaiveDate!) { moveFamily(id: $id, regionCode: \"411024001002\", effectiveOn: $d, reason: \"moved in with relatives\") { regionCode } }";
    let body = app
        .gql(
            &yanling,
            mv,
            json!({ "id": gid("Family", family), "d": today }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("NOT_FOUND"),
        "only the county that has the family moves it: {body}"
    );
    let body = app
        .gql(
            &weidu,
            mv,
            json!({ "id": gid("Family", family), "d": today }),
        )
        .await;
    assert_eq!(
        body["data"]["moveFamily"]["regionCode"], "411024001002",
        "{body}"
    );
    // The family is now Yanling's to see, but this month is still Weidu's to pay.
    let q = "query($id: ID!, $m: String!) { member(id: $id) { entitlement(month: $m) { entitled countyCode } } }";
    let body = app
        .gql(
            &yanling,
            q,
            json!({ "id": gid("Member", members[1]), "m": this_month().to_string() }),
        )
        .await;
    assert_eq!(
        body["data"]["member"]["entitlement"]["countyCode"], "411002",
        "{body}"
    );
    let weidu_roster = generate(app, &weidu, "411002", this_month()).await;
    assert_eq!(
        weidu_roster["data"]["generateRoster"]["lineCount"], 50,
        "{weidu_roster}"
    );
    let yanling_roster = generate(app, &yanling, "411024", this_month()).await;
    assert_eq!(
        yanling_roster["data"]["generateRoster"]["lineCount"], 0,
        "{yanling_roster}"
    );
}

on_both_backends!(stored_explanations_lose_their_birth_dates);
async fn stored_explanations_lose_their_birth_dates(app: &TestApp) {
    use nuanxin_migration::{Migrator, MigratorTrait};
    use sea_orm::ConnectionTrait;
    let (family, _) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let roster = generate(app, &county, "411002", this_month().plus(-1)).await["data"]
        ["generateRoster"]["id"]
        .clone();
    step(app, &county, "submitRoster", &roster).await;
    let before = lines(app, &county, &roster).await;
    assert!(!before.is_empty());

    // Lines as the old code wrote them, in plain English text with the birth date (the
    // guard lifted for the set-up only). Lines written since are messages (JSON).
    let db = app.store.raw_connection();
    const LEGACY: &str = "680 CNY 特别扶助金 (special_support): wife born 1965-08-31 turned 60 in 2025-08; family active since 2020-01; standard of 2010-01";
    let old = format!("UPDATE roster_line SET explanation = '{LEGACY}'");
    let old = old.as_str();
    if app.backend == nuanxin_tests::Backend::Postgres {
        db.execute_unprepared("ALTER TABLE roster_line DISABLE TRIGGER roster_line_frozen")
            .await
            .expect("lift");
        db.execute_unprepared(old).await.expect("old text");
        db.execute_unprepared("ALTER TABLE roster_line ENABLE TRIGGER roster_line_frozen")
            .await
            .expect("guard");
    } else {
        db.execute_unprepared("DROP TRIGGER roster_line_no_update")
            .await
            .expect("lift");
        db.execute_unprepared(old).await.expect("old text");
        db.execute_unprepared("CREATE TRIGGER roster_line_no_update BEFORE UPDATE ON roster_line BEGIN SELECT RAISE(ABORT, 'roster lines are never edited'); END").await.expect("guard");
    }
    let aged = lines(app, &county, &roster).await;
    assert!(aged.iter().any(|l| {
        l["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("born 1965-08-31"))
    }));

    // The scrubbing migration, run again (with those after it).
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let scrub = names
        .iter()
        .position(|n| n.contains("scrub_birth_dates"))
        .expect("the scrubbing migration");
    Migrator::down(db, Some((names.len() - scrub) as u32))
        .await
        .expect("down");
    Migrator::up(db, None).await.expect("up");
    let after = lines(app, &county, &roster).await;
    let scrubbed = LEGACY.replace(" born 1965-08-31", "");
    assert_eq!(after.len(), before.len());
    for (a, b) in after.iter().zip(&before) {
        assert_eq!(a["amountFen"], b["amountFen"], "amounts unchanged");
        assert_eq!(
            a["explanation"],
            scrubbed.as_str(),
            "a legacy text reads as it was, date gone"
        );
    }
    // The guard is back: a line is never edited.
    assert!(db.execute_unprepared(old).await.is_err());
}

on_both_backends!(the_database_refuses_what_the_lifecycle_forbids);
async fn the_database_refuses_what_the_lifecycle_forbids(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let (family, _) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let roster = generate(app, &county, "411002", this_month().plus(-1)).await["data"]
        ["generateRoster"]["id"]
        .clone();
    let db = app.store.raw_connection();
    let pg = app.backend == nuanxin_tests::Backend::Postgres;
    let new_id = if pg {
        "gen_random_uuid()"
    } else {
        "randomblob(16)"
    };
    let add_line = format!(
        "INSERT INTO roster_line (id, roster_id, member_id, family_id, month, kind, amount_fen, line_type, attempt, township_code, explanation) \
         SELECT {new_id}, roster_id, member_id, family_id, month, kind, amount_fen, line_type, attempt + 5, township_code, explanation FROM roster_line LIMIT 1"
    );
    // Control: while the roster is a draft, the database takes a line.
    db.execute_unprepared(&add_line)
        .await
        .expect("a draft takes lines");
    db.execute_unprepared("DELETE FROM roster_line WHERE attempt > 4")
        .await
        .expect("and lets them go");

    step(app, &county, "submitRoster", &roster).await;
    assert!(
        db.execute_unprepared(&add_line).await.is_err(),
        "no line into a submitted roster"
    );
    assert!(
        db.execute_unprepared("UPDATE roster SET total_fen = total_fen + 100")
            .await
            .is_err()
    );
    assert!(
        db.execute_unprepared("UPDATE roster SET status = 'paid'")
            .await
            .is_err(),
        "never a step skipped"
    );
    assert!(db.execute_unprepared("DELETE FROM roster").await.is_err());

    let body = app
        .gql(
            &city,
            "mutation($id: ID!) { approveRoster(id: $id) { status } }",
            json!({ "id": roster }),
        )
        .await;
    assert_eq!(
        body["data"]["approveRoster"]["status"], "APPROVED",
        "{body}"
    );
    for back in ["draft", "submitted"] {
        assert!(
            db.execute_unprepared(&format!("UPDATE roster SET status = '{back}'"))
                .await
                .is_err(),
            "an approved roster never goes back to {back}"
        );
    }
    let body = app
        .gql(
            &city,
            "mutation($id: ID!, $on: NaiveDate!) { markRosterPaid(id: $id, bankBatchRef: \"B-7\", paidOn: $on) { status } }",
            json!({ "id": roster, "on": nuanxin_domain::time::china_today().to_string() }),
        )
        .await;
    assert_eq!(body["data"]["markRosterPaid"]["status"], "PAID", "{body}");
    assert!(
        db.execute_unprepared("UPDATE roster SET bank_batch_ref = 'B-8'")
            .await
            .is_err(),
        "a recorded payment is never rewritten"
    );
    let first_line = lines(app, &city, &roster).await[0]["id"].clone();
    let body = app
        .gql(
            &city,
            "mutation($id: ID!, $l: ID!) { reconcileRoster(id: $id, exceptions: [{ lineId: $l, outcome: \"returned\", reason: \"account closed\" }]) { status } }",
            json!({ "id": roster, "l": first_line }),
        )
        .await;
    assert_eq!(
        body["data"]["reconcileRoster"]["status"], "RECONCILED",
        "{body}"
    );
    assert_eq!(app.count("roster_line_outcome").await, 1);
    assert!(
        db.execute_unprepared("UPDATE roster_line_outcome SET outcome = 'paid'")
            .await
            .is_err()
    );
    assert!(
        db.execute_unprepared("DELETE FROM roster_line_outcome")
            .await
            .is_err()
    );
    assert_eq!(app.count("roster_line_outcome").await, 1);
    if pg {
        for table in ["access_log", "roster_line", "roster_line_outcome", "roster"] {
            assert!(
                db.execute_unprepared(&format!("TRUNCATE {table} CASCADE"))
                    .await
                    .is_err(),
                "TRUNCATE {table}"
            );
        }
    }
    // Nothing of it changed the roster.
    let lines_after = lines(app, &city, &roster).await;
    assert_eq!(lines_after.len() as i64, app.count("roster_line").await);
}

on_both_backends!(no_job_is_left_running_by_a_stop);
async fn no_job_is_left_running_by_a_stop(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let (user, _) = app.staff(StaffRole::CountyAdmin, "411002").await;
    let p = app
        .store
        .staff_user_by_id(user)
        .await
        .expect("account")
        .expect("exists")
        .principal();
    // A job whose runner died (no heartbeat) and one another replica is running now.
    let dead = app
        .store
        .create_job(&p, "roster_generation")
        .await
        .expect("job");
    let alive = app
        .store
        .create_job(&p, "roster_generation")
        .await
        .expect("job");
    app.store
        .raw_connection()
        // Job ids are time-ordered (UUIDv7): the first made is the smallest.
        .execute_unprepared("UPDATE job SET heartbeat_at = NULL WHERE id = (SELECT id FROM job ORDER BY id LIMIT 1)")
        .await
        .expect("silence the first job");
    let runner = app.state.jobs.clone();
    assert_eq!(runner.sweep_orphans().await.expect("sweep"), 1);
    let d = app.store.get_job(&p, dead).await.expect("job");
    assert_eq!(d.status, "failed");
    assert!(
        d.error
            .as_ref()
            .is_some_and(|e| e.render(nuanxin_locale::Locale::Zh).contains("请重新生成"))
    );
    assert_eq!(
        app.store.get_job(&p, alive).await.expect("job").status,
        "running",
        "control"
    );

    // A stop waits for running jobs, then marks what did not finish as failed.
    runner.spawn(alive, std::future::pending());
    runner.drain(std::time::Duration::from_millis(200)).await;
    let a = app.store.get_job(&p, alive).await.expect("job");
    assert_eq!(a.status, "failed", "{a:?}");
}

const SET_ACCOUNT: &str = "mutation($id: ID!, $n: String!, $h: String, $e: String) { setBankAccount(memberId: $id, input: { kind: \"bank_account\", bankName: \"许昌农商银行\", accountNumber: $n, holderName: $h, evidence: $e }) { accountNumber holderName } }";

on_both_backends!(a_changed_account_cannot_receive_an_approved_payment_unseen);
async fn a_changed_account_cannot_receive_an_approved_payment_unseen(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let mother = gid("Member", members[1]);
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let set = async |token: &str, number: &str, holder: Option<&str>, evidence: Option<&str>| {
        app.gql(
            token,
            SET_ACCOUNT,
            json!({ "id": mother, "n": number, "h": holder, "e": evidence }),
        )
        .await
    };

    // Who may set an account: the county, not the township (control: the county can).
    let body = set(&township, "6221000000000001", None, None).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    // An account in another person's name needs its evidence.
    let body = set(&county, "6221000000000001", Some("王小明"), None).await;
    assert_eq!(
        (error_code(&body), error_field(&body)),
        (Some("BAD_USER_INPUT"), Some("evidence")),
        "{body}"
    );
    assert_eq!(app.count("bank_account_change").await, 0, "nothing written");
    let body = set(&county, "6221000000000001", None, None).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(app.count("bank_account_change").await, 1);

    // Submitted and approved: the roster pays the account on file at submission.
    let roster = generate(app, &county, "411002", this_month().plus(-1)).await["data"]
        ["generateRoster"]["id"]
        .clone();
    step(app, &county, "submitRoster", &roster).await;
    let body = app
        .gql(
            &city,
            "mutation($id: ID!) { approveRoster(id: $id) { status } }",
            json!({ "id": roster }),
        )
        .await;
    assert_eq!(
        body["data"]["approveRoster"]["status"], "APPROVED",
        "{body}"
    );

    // The account is changed afterwards (history appended, never overwritten)…
    let body = set(&county, "6221999999999999", None, Some("new card 2026-11")).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(app.count("bank_account_change").await, 2);
    // …the roster flags it…
    let body = app
        .gql(
            &city,
            "query($id: ID!) { roster(id: $id) { changedAccounts { memberId } } }",
            json!({ "id": roster }),
        )
        .await;
    assert_eq!(
        body["data"]["roster"]["changedAccounts"],
        json!([{ "memberId": mother }]),
        "{body}"
    );
    // …and the bank file is refused until the city confirms it.
    let id = roster.as_str().expect("id").to_owned();
    let bank_file = format!("/exports/rosters/{id}.csv?purpose=bank%20payment%20file");
    let (status, _, body) = app
        .send(
            TestRequest::get()
                .uri(&bank_file)
                .insert_header(("authorization", format!("Bearer {city}"))),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    // The masked roster still shows the account it pays: the pinned one.
    let csv = String::from_utf8(download(app, &format!("/exports/rosters/{id}.csv"), &city).await)
        .expect("utf-8");
    assert!(csv.contains("0001") && !csv.contains("9999"), "{csv}");
    // The county may not confirm; the city may.
    let confirm =
        "mutation($id: ID!) { confirmRosterAccounts(id: $id) { changedAccounts { memberId } } }";
    assert_eq!(
        error_code(&app.gql(&county, confirm, json!({ "id": roster })).await),
        Some("FORBIDDEN")
    );
    let body = app.gql(&city, confirm, json!({ "id": roster })).await;
    assert_eq!(
        body["data"]["confirmRosterAccounts"]["changedAccounts"],
        json!([]),
        "{body}"
    );
    let csv = String::from_utf8(download(app, &bank_file, &city).await).expect("utf-8");
    assert!(
        csv.contains("6221999999999999"),
        "the confirmed account is paid: {csv}"
    );
    // The county never reads account numbers in the clear.
    let (status, _, _) = app
        .send(
            TestRequest::get()
                .uri(&bank_file)
                .insert_header(("authorization", format!("Bearer {county}"))),
        )
        .await;
    assert_eq!(status, 403);
}

/// A stop (SIGTERM) lets a request in flight finish, even one that runs past the 10 s
/// actix used to allow: here a submission waits 11 s on a row another session holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_lets_a_long_request_finish() {
    nuanxin_tests::run(
        nuanxin_tests::Backend::Postgres,
        a_stop_lets_a_long_request_finish_on,
    )
    .await;
}

async fn a_stop_lets_a_long_request_finish_on(app: &TestApp) {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (family, _) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let roster = generate(app, &county, "411002", this_month().plus(-1)).await["data"]
        ["generateRoster"]["id"]
        .clone();
    // Another session holds the roster's row: the submission will wait for it.
    let other = sea_orm::Database::connect(app.postgres_url().expect("postgres"))
        .await
        .expect("second session");
    let holder = other.begin().await.expect("begin");
    holder
        .execute_unprepared(&format!(
            "SELECT id FROM roster WHERE id = '{}' FOR UPDATE",
            roster_uuid(&roster)
        ))
        .await
        .expect("lock");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let server = nuanxin_server::bootstrap::http_server(
        app.state.clone(),
        &format!("127.0.0.1:{port}"),
        std::time::Duration::from_secs(30),
    )
    .expect("server");
    let handle = server.handle();
    let running = tokio::spawn(server);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let body = json!({
        "query": "mutation($id: ID!) { submitRoster(id: $id) { status } }",
        "variables": { "id": roster },
    })
    .to_string();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer {county}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let client = tokio::spawn(async move {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.expect("read");
        answer
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    // The stop SIGTERM asks for: no new connections, requests in flight may finish.
    let stopping = tokio::spawn(handle.stop(true));
    tokio::time::sleep(std::time::Duration::from_secs(11)).await;
    holder.rollback().await.expect("release the row");
    let answer = client.await.expect("client");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("SUBMITTED"), "{answer}");
    assert!(started.elapsed() > std::time::Duration::from_secs(10));
    stopping.await.expect("stopped");
    running.await.expect("server task").expect("server");
}

const RETURN: &str = "mutation($id: ID!, $r: String!) { returnRoster(id: $id, reason: $r) { id status generation submittedBy } }";
const HISTORY: &str =
    "query($id: ID!) { roster(id: $id) { status history { step generation byName reason } } }";

on_both_backends!(a_returned_roster_goes_back_to_the_county);
async fn a_returned_roster_goes_back_to_the_county(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let (family, _) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let (_, county) = app.staff(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let roster =
        generate(app, &county, "411002", this_month().prev()).await["data"]["generateRoster"]["id"]
            .clone();
    let body = step(app, &county, "submitRoster", &roster).await;
    assert_eq!(
        body["data"]["submitRoster"]["status"], "SUBMITTED",
        "{body}"
    );
    assert_eq!(app.count("roster_account").await, 2, "pinned on submission");

    // The county cannot send its own roster back; an empty reason is refused.
    let reason = "魏都区城关镇少报一户, 请核实后重新生成";
    let body = app
        .gql(&county, RETURN, json!({ "id": roster, "r": reason }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app
        .gql(&city, RETURN, json!({ "id": roster, "r": "  " }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("reason"), "{body}");
    let body = app.gql(&city, HISTORY, json!({ "id": roster })).await;
    assert_eq!(
        body["data"]["roster"]["status"], "SUBMITTED",
        "nothing moved: {body}"
    );

    // The city sends it back: a draft again, its pins gone, regenerated and resubmitted.
    let body = app
        .gql(&city, RETURN, json!({ "id": roster, "r": reason }))
        .await;
    let returned = &body["data"]["returnRoster"];
    assert_eq!(returned["status"], "DRAFT", "{body}");
    assert_eq!(returned["submittedBy"], Value::Null, "{body}");
    assert_eq!(app.count("roster_account").await, 0);
    let body = app
        .gql(&city, RETURN, json!({ "id": roster, "r": reason }))
        .await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "a draft is not returned: {body}"
    );
    assert_eq!(
        error_code(&step(app, &city, "approveRoster", &roster).await),
        Some("CONFLICT"),
        "a returned roster is not approved before it is submitted again"
    );
    let body = generate(app, &county, "411002", this_month().prev()).await;
    assert_eq!(body["data"]["generateRoster"]["generation"], 2, "{body}");
    assert_eq!(
        body["data"]["generateRoster"]["id"], roster,
        "the same roster"
    );
    let body = step(app, &county, "submitRoster", &roster).await;
    assert_eq!(
        body["data"]["submitRoster"]["status"], "SUBMITTED",
        "{body}"
    );
    assert_eq!(app.count("roster_account").await, 2, "pinned again");
    let body = step(app, &city, "approveRoster", &roster).await;
    assert_eq!(
        body["data"]["approveRoster"]["status"], "APPROVED",
        "{body}"
    );
    let body = app
        .gql(&city, RETURN, json!({ "id": roster, "r": reason }))
        .await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "an approved roster stays: {body}"
    );

    // The history, with names and the reason, for the county and an auditor alike.
    let auditor = app.token(StaffRole::Auditor, "411000").await;
    for token in [&county, &auditor] {
        let body = app.gql(token, HISTORY, json!({ "id": roster })).await;
        let history = body["data"]["roster"]["history"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let steps: Vec<&str> = history.iter().filter_map(|h| h["step"].as_str()).collect();
        assert_eq!(
            steps,
            [
                "GENERATED",
                "SUBMITTED",
                "RETURNED",
                "GENERATED",
                "SUBMITTED",
                "APPROVED"
            ],
            "{body}"
        );
        assert_eq!(history[2]["reason"], reason);
        assert_eq!(history[2]["byName"], "city_admin 411000");
        assert_eq!(history[1]["byName"], "county_admin 411002");
        assert_eq!(history[3]["generation"], 2);
        assert_eq!(history[1]["reason"], Value::Null);
    }
    // Names, not ids, where a person reads who did it.
    let body = app
        .gql(
            &auditor,
            "query($id: ID!) { roster(id: $id) { generatedByName submittedByName approvedByName } }",
            json!({ "id": roster }),
        )
        .await;
    assert_eq!(
        body["data"]["roster"],
        json!({ "generatedByName": "county_admin 411002", "submittedByName": "county_admin 411002", "approvedByName": "city_admin 411000" }),
        "{body}"
    );
    // The history is never rewritten, whoever asks.
    let db = app.store.raw_connection();
    assert!(
        db.execute_unprepared("UPDATE roster_event SET reason = 'x'")
            .await
            .is_err()
    );
    assert!(
        db.execute_unprepared("DELETE FROM roster_event")
            .await
            .is_err()
    );
    assert_eq!(app.count("roster_event").await, 6);
}

const HISTORY_OF: &str = "query($f: ID!, $m: ID, $month: String) { paymentHistory(familyId: $f, memberId: $m, month: $month) {
  month memberId amountFen lineType attempt state reason roster { id status bankBatchRef } } }";

on_both_backends!(a_familys_payment_history_answers_was_she_paid);
async fn a_familys_payment_history_answers_was_she_paid(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let (other_family, _) = app.family_at("411002002001", 2).await;
    app.activate(other_family).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let prev = this_month().prev();
    let roster =
        generate(app, &county, "411002", prev).await["data"]["generateRoster"]["id"].clone();
    let f = gid("Family", family);
    let father = gid("Member", members[0]);
    let ask = |month: Option<String>| json!({ "f": f, "m": father, "month": month });
    let body = app
        .gql(&county, HISTORY_OF, ask(Some(prev.to_string())))
        .await;
    let history = body["data"]["paymentHistory"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(history.len(), 1, "{body}");
    assert_eq!(history[0]["state"], "PENDING");

    step(app, &county, "submitRoster", &roster).await;
    step(app, &city, "approveRoster", &roster).await;
    let today = nuanxin_domain::time::china_today().to_string();
    app.gql(
        &city,
        "mutation($id: ID!, $on: NaiveDate!) { markRosterPaid(id: $id, bankBatchRef: \"XC-2026-11\", paidOn: $on) { status } }",
        json!({ "id": roster, "on": today }),
    )
    .await;
    let body = app
        .gql(&county, HISTORY_OF, ask(Some(prev.to_string())))
        .await;
    assert_eq!(body["data"]["paymentHistory"][0]["state"], "SENT", "{body}");
    assert_eq!(
        body["data"]["paymentHistory"][0]["roster"]["bankBatchRef"],
        "XC-2026-11"
    );
    // The bank returns the father's line for last month; this month's roster pays it again.
    let returned = history[0]["memberId"].clone();
    assert_eq!(returned, father);
    let line_id = lines(app, &city, &roster)
        .await
        .into_iter()
        .find(|l| l["memberId"] == father && l["month"] == prev.to_string())
        .map(|l| l["id"].clone())
        .expect("the father's line");
    let body = app
        .gql(
            &city,
            "mutation($id: ID!, $l: ID!) { reconcileRoster(id: $id, exceptions: [{ lineId: $l, outcome: \"returned\", reason: \"账户已销户\" }]) { status } }",
            json!({ "id": roster, "l": line_id }),
        )
        .await;
    assert_eq!(
        body["data"]["reconcileRoster"]["status"], "RECONCILED",
        "{body}"
    );
    // The bank's reason travels with the line into the exports.
    let gid_of = roster.as_str().unwrap_or_default();
    let rows = read_xlsx(&download(app, &format!("/exports/rosters/{gid_of}.xlsx"), &county).await);
    assert_eq!(rows[1][11], "结果");
    assert_eq!(rows[1][12], "退回原因");
    // Printed and signed: a subtotal per township equal to the API's, and the names.
    let body = app
        .gql(
            &county,
            "query($id: ID!) { roster(id: $id) { totalsByTownship { townshipName totalFen } } }",
            json!({ "id": roster }),
        )
        .await;
    let api: Vec<(String, i64)> = body["data"]["roster"]["totalsByTownship"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["townshipName"].as_str().unwrap_or("").to_owned(),
                t["totalFen"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    let printed: Vec<(String, i64)> = rows
        .iter()
        .filter(|r| r[0] == "小计")
        .map(|r| {
            (
                r[1].clone(),
                (r[6].parse::<f64>().unwrap_or(0.0) * 100.0).round() as i64,
            )
        })
        .collect();
    assert_eq!(api.len(), 2, "two townships: {body}");
    let mut sorted = printed.clone();
    sorted.sort();
    let mut api_sorted = api.clone();
    api_sorted.sort();
    assert_eq!(sorted, api_sorted, "{rows:?}");
    assert!(rows[0][0].ends_with("(已对账)"), "{:?}", rows[0]);
    let signatures = rows.last().expect("signatures");
    assert!(
        signatures.iter().any(|c| c == "审批人: city_admin 411000"),
        "{signatures:?}"
    );
    assert!(
        signatures
            .iter()
            .any(|c| c == "审核人: county_admin 411002"),
        "{signatures:?}"
    );
    let returned_rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[11] == "退回").collect();
    assert_eq!(returned_rows.len(), 1, "{rows:?}");
    assert_eq!(returned_rows[0][12], "账户已销户");
    assert!(
        rows.iter()
            .filter(|r| r[11] == "已发放")
            .all(|r| r[12].is_empty())
    );
    let next = generate(app, &county, "411002", this_month()).await["data"]["generateRoster"]["id"]
        .clone();

    let body = app
        .gql(&county, HISTORY_OF, ask(Some(prev.to_string())))
        .await;
    let history = body["data"]["paymentHistory"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        history.len(),
        2,
        "the month, returned and owed again: {body}"
    );
    assert_eq!(history[0]["state"], "RETURNED");
    assert_eq!(history[0]["reason"], "账户已销户");
    assert_eq!(history[0]["attempt"], 1);
    assert_eq!(history[1]["state"], "PENDING");
    assert_eq!(history[1]["attempt"], 2);
    assert_eq!(history[1]["roster"]["id"], next);
    // Paid again into the account it came back from: flagged until the account changes.
    const UNCHANGED: &str = "query($id: ID!) { roster(id: $id) { returnedToUnchangedAccounts { memberId month reason returnedIn } } }";
    let body = app.gql(&county, UNCHANGED, json!({ "id": next })).await;
    assert_eq!(
        body["data"]["roster"]["returnedToUnchangedAccounts"],
        json!([{ "memberId": father, "month": prev.to_string(), "reason": "账户已销户", "returnedIn": roster }]),
        "{body}"
    );
    let body = app.gql(&county, UNCHANGED, json!({ "id": roster })).await;
    assert_eq!(
        body["data"]["roster"]["returnedToUnchangedAccounts"],
        json!([]),
        "first payments are not re-payments: {body}"
    );
    let body = app
        .gql(
            &county,
            SET_ACCOUNT,
            json!({ "id": father, "n": "6230520460001234567", "e": "户主来电更换账户, 已核对存折" }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app.gql(&county, UNCHANGED, json!({ "id": next })).await;
    assert_eq!(
        body["data"]["roster"]["returnedToUnchangedAccounts"],
        json!([]),
        "a new account clears the flag: {body}"
    );
    // The whole family, every month: the mother's last month paid, nothing of another family.
    let body = app
        .gql(
            &county,
            HISTORY_OF,
            json!({ "f": f, "month": prev.to_string() }),
        )
        .await;
    let states: Vec<&str> = body["data"]["paymentHistory"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["state"].as_str())
        .collect();
    assert_eq!(states.len(), 3, "{body}");
    assert_eq!(states.iter().filter(|s| **s == "PAID").count(), 1, "{body}");
    let body = app.gql(&county, HISTORY_OF, json!({ "f": f })).await;
    let all = body["data"]["paymentHistory"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(all > 3, "every month of the family: {body}");
    let member_ids: std::collections::HashSet<String> = body["data"]["paymentHistory"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["memberId"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(member_ids.len(), 2, "the family's two parents only");

    // Another county's admin and a township worker elsewhere find no such family; a
    // volunteer is not offered the query at all.
    let elsewhere = app.token(StaffRole::CountyAdmin, "411024").await;
    let body = app.gql(&elsewhere, HISTORY_OF, json!({ "f": f })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let auditor = app.token(StaffRole::Auditor, "411000").await;
    let body = app.gql(&auditor, HISTORY_OF, json!({ "f": f })).await;
    assert_eq!(
        body["data"]["paymentHistory"]
            .as_array()
            .map_or(0, Vec::len),
        all,
        "{body}"
    );
    let body = app
        .gql(&county, HISTORY_OF, json!({ "f": f, "month": "2026/11" }))
        .await;
    assert_eq!(error_field(&body), Some("month"), "{body}");
}

const COUNTY_MONTH: &str = "query($c: String!, $m: String!, $s: String) { countyPayments(countyCode: $c, month: $m, search: $s, first: 50) {
  edges { node { member { id name role } state amountFen reason lines { state amountFen roster { id } } } } } }";

on_both_backends!(a_countys_month_says_who_was_paid_and_who_was_not_and_why);
async fn a_countys_month_says_who_was_paid_and_who_was_not_and_why(app: &TestApp) {
    let (paid_family, paid_members) = app.family_at("411002001001", 1).await;
    app.activate(paid_family).await;
    let (other, _) = app.family_at("411002002001", 2).await;
    app.activate(other).await;
    let (unverified, unverified_members) = app.family_at("411002001001", 3).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let prev = this_month().prev();
    let roster =
        generate(app, &county, "411002", prev).await["data"]["generateRoster"]["id"].clone();
    step(app, &county, "submitRoster", &roster).await;
    step(app, &city, "approveRoster", &roster).await;
    let today = nuanxin_domain::time::china_today().to_string();
    app.gql(
        &city,
        "mutation($id: ID!, $on: NaiveDate!) { markRosterPaid(id: $id, bankBatchRef: \"XC-M\", paidOn: $on) { status } }",
        json!({ "id": roster, "on": today }),
    )
    .await;
    let father = gid("Member", paid_members[0]);
    let line_id = lines(app, &city, &roster)
        .await
        .into_iter()
        .find(|l| l["memberId"] == father && l["month"] == prev.to_string())
        .map(|l| l["id"].clone())
        .expect("the father's line");
    let body = app
        .gql(
            &city,
            "mutation($id: ID!, $l: ID!) { reconcileRoster(id: $id, exceptions: [{ lineId: $l, outcome: \"returned\", reason: \"账户已销户\" }]) { status } }",
            json!({ "id": roster, "l": line_id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");

    let vars = |s: Option<&str>| json!({ "c": "411002", "m": prev.to_string(), "s": s });
    let body = app.gql(&county, COUNTY_MONTH, vars(None)).await;
    assert!(body["errors"].is_null(), "{body}");
    let rows: Vec<Value> = body["data"]["countyPayments"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(rows.len(), 6, "three families, two parents each: {body}");
    let of = |member: uuid::Uuid| {
        rows.iter()
            .find(|r| r["member"]["id"] == gid("Member", member))
            .cloned()
            .unwrap_or_default()
    };
    let returned = of(paid_members[0]);
    assert_eq!(returned["state"], "NOT_PAID", "{returned}");
    assert_eq!(returned["reason"], "账户已销户");
    assert_eq!(returned["lines"][0]["state"], "RETURNED");
    let paid = of(paid_members[1]);
    assert_eq!(paid["state"], "PAID", "{paid}");
    assert_eq!(paid["amountFen"], 68_000);
    assert!(paid["reason"].is_null());
    let not_owed = of(unverified_members[0]);
    assert_eq!(not_owed["state"], "NOT_ENTITLED", "{not_owed}");
    assert!(
        not_owed["reason"]
            .as_str()
            .is_some_and(|r| r.contains("尚未核实")),
        "{not_owed}"
    );
    assert!(not_owed["lines"].as_array().is_some_and(Vec::is_empty));
    let en = app.gql_in("en", &county, COUNTY_MONTH, vars(None)).await;
    assert!(en.to_string().contains("not yet verified"), "{en}");
    let _ = unverified;

    // By name: the three mothers; by ID number: the one father, and the search is logged.
    let body = app.gql(&county, COUNTY_MONTH, vars(Some("李秀英"))).await;
    let found = body["data"]["countyPayments"]["edges"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(found, 3, "{body}");
    let father_id = nuanxin_domain::registry::id_number::IdNumber::compose(
        "411002",
        chrono::NaiveDate::from_ymd_opt(1962, 4, 12).expect("date"),
        3,
    )
    .expect("id");
    let log = app.count("access_log").await;
    let body = app
        .gql(&county, COUNTY_MONTH, vars(Some(father_id.expose())))
        .await;
    let edges = body["data"]["countyPayments"]["edges"].clone();
    assert_eq!(edges.as_array().map_or(0, Vec::len), 1, "{body}");
    assert_eq!(edges[0]["node"]["member"]["id"], father);
    assert_eq!(
        app.count("access_log").await,
        log + 1,
        "the ID search is logged"
    );
    let mut mistyped = father_id.expose().to_owned();
    mistyped.replace_range(17.., if mistyped.ends_with('1') { "2" } else { "1" });
    let body = app.gql(&county, COUNTY_MONTH, vars(Some(&mistyped))).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("search"));

    // Another county's month is not this one's; the city reads it (allowed control).
    let yanling = app.token(StaffRole::CountyAdmin, "411024").await;
    let body = app.gql(&yanling, COUNTY_MONTH, vars(None)).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = app.gql(&city, COUNTY_MONTH, vars(None)).await;
    assert_eq!(
        body["data"]["countyPayments"]["edges"]
            .as_array()
            .map_or(0, Vec::len),
        6,
        "{body}"
    );
}

on_both_backends!(a_standard_raised_after_the_month_was_paid_is_topped_up_in_the_next_roster);
async fn a_standard_raised_after_the_month_was_paid_is_topped_up_in_the_next_roster(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let prev = this_month().prev();
    let roster =
        generate(app, &county, "411002", prev).await["data"]["generateRoster"]["id"].clone();
    step(app, &county, "submitRoster", &roster).await;
    step(app, &city, "approveRoster", &roster).await;
    // The city raises special support to 780 from last month, after it was paid at 680.
    let body = app
        .gql(
            &city,
            "mutation($f: String!) { addAllowanceStandard(input: { kind: SPECIAL_SUPPORT, monthlyFen: 78000, minAge: 49, effectiveFrom: $f }) { monthlyFen } }",
            json!({ "f": prev.to_string() }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let next = generate(app, &county, "411002", this_month()).await;
    let next_id = next["data"]["generateRoster"]["id"].clone();
    let got = lines(app, &county, &next_id).await;
    let mut summary: Vec<(String, String, i64)> = got
        .iter()
        .map(|l| {
            (
                l["month"].as_str().unwrap_or_default().to_owned(),
                l["lineType"].as_str().unwrap_or_default().to_owned(),
                l["amountFen"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    summary.sort();
    let (p, n) = (prev.to_string(), this_month().to_string());
    assert_eq!(
        summary,
        vec![
            (p.clone(), "ADJUSTMENT".into(), 10_000),
            (p, "ADJUSTMENT".into(), 10_000),
            (n.clone(), "REGULAR".into(), 78_000),
            (n, "REGULAR".into(), 78_000),
        ],
        "{next}"
    );
    let topup = got
        .iter()
        .find(|l| l["lineType"] == "ADJUSTMENT")
        .and_then(|l| l["explanation"].as_str())
        .unwrap_or_default();
    assert!(
        topup.starts_with("差额补发") && topup.contains("已发 680元"),
        "{topup}"
    );
    // The export calls it what the office calls it.
    let gid_of = next_id.as_str().unwrap_or_default();
    let rows = read_xlsx(&download(app, &format!("/exports/rosters/{gid_of}.xlsx"), &county).await);
    assert!(
        data_rows(&rows).iter().any(|r| r[7] == "差额补发"),
        "{rows:?}"
    );
}

const CLOSE_FROM: &str = "mutation($id: ID!, $on: NaiveDate) { changeFamilyStatus(id: $id, status: CLOSED, reason: \"户籍核查: 已于上月迁往外省\", effectiveOn: $on) { status statusHistory { to at effectiveOn } } }";

on_both_backends!(a_closure_back_dated_takes_back_the_months_paid_since_it_took_effect);
async fn a_closure_back_dated_takes_back_the_months_paid_since_it_took_effect(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    app.activate(family).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let prev = this_month().prev();
    let roster =
        generate(app, &county, "411002", prev).await["data"]["generateRoster"]["id"].clone();
    step(app, &county, "submitRoster", &roster).await;
    step(app, &city, "approveRoster", &roster).await;
    let today = app.store.today();
    let paid = app
        .gql(
            &city,
            "mutation($id: ID!, $on: NaiveDate!) { markRosterPaid(id: $id, bankBatchRef: \"XC-B\", paidOn: $on) { status } }",
            json!({ "id": roster, "on": today.to_string() }),
        )
        .await;
    assert!(paid["errors"].is_null(), "{paid}");
    let id = gid("Family", family);
    // Not in the future, not further back than the limit (60 months); nothing written.
    let history = app.count("family_status_history").await;
    for (on, words) in [
        (today.succ_opt().expect("tomorrow"), "不能晚于今天"),
        (
            today
                .checked_sub_months(chrono::Months::new(61))
                .expect("long ago"),
            "60 个月",
        ),
    ] {
        let body = app
            .gql(&city, CLOSE_FROM, json!({ "id": id, "on": on.to_string() }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(error_field(&body), Some("effectiveOn"));
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains(words),
            "{body}"
        );
    }
    assert_eq!(app.count("family_status_history").await, history);
    // Closed with effect from the first of last month, recorded today.
    let since = prev.first_day();
    let body = app
        .gql(
            &city,
            CLOSE_FROM,
            json!({ "id": id, "on": since.to_string() }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let last = body["data"]["changeFamilyStatus"]["statusHistory"]
        .as_array()
        .and_then(|h| h.last().cloned())
        .unwrap_or_default();
    assert_eq!(last["effectiveOn"], since.to_string(), "{body}");
    assert!(
        last["at"]
            .as_str()
            .is_some_and(|a| a.starts_with(&today.to_string()[..4]))
    );
    // This month's roster pays nothing and takes last month back, saying both dates.
    let next = generate(app, &county, "411002", this_month()).await;
    let got = lines(app, &county, &next["data"]["generateRoster"]["id"]).await;
    let kinds: Vec<(String, String, i64)> = got
        .iter()
        .map(|l| {
            (
                l["month"].as_str().unwrap_or_default().to_owned(),
                l["lineType"].as_str().unwrap_or_default().to_owned(),
                l["amountFen"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    let p = prev.to_string();
    assert_eq!(
        kinds,
        vec![
            (p.clone(), "CLAWBACK".to_owned(), -68_000),
            (p, "CLAWBACK".to_owned(), -68_000)
        ],
        "{next}"
    );
    let why = got[0]["explanation"].as_str().unwrap_or_default();
    assert!(why.contains("登记)起停发"), "{why}");
}

/// A GET with `token`: (status, headers, body bytes).
async fn get_bytes(
    app: &TestApp,
    uri: &str,
    token: &str,
) -> (u16, actix_web::http::header::HeaderMap, Vec<u8>) {
    let (status, headers, bytes) = app.get_bytes(uri, Some(token)).await;
    (status.as_u16(), headers, bytes)
}

on_both_backends!(the_bank_file_is_the_banks_and_its_answer_reconciles_the_roster);
async fn the_bank_file_is_the_banks_and_its_answer_reconciles_the_roster(app: &TestApp) {
    let (a, a_members) = app.family_at("411002001001", 1).await;
    app.activate(a).await;
    let (b, _) = app.family_at("411002002001", 2).await;
    app.activate(b).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    for (member, n) in [
        (a_members[0], "6221000011112222"),
        (a_members[1], "6221000033334444"),
    ] {
        let body = app
            .gql(
                &county,
                SET_ACCOUNT,
                json!({ "id": gid("Member", member), "n": n }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let prev = this_month().prev();
    let generated = generate(app, &county, "411002", prev).await;
    let roster = generated["data"]["generateRoster"]["id"].clone();
    let total = generated["data"]["generateRoster"]["totalFen"]
        .as_i64()
        .unwrap_or(0);
    let rid = roster.as_str().unwrap_or_default().to_owned();
    let uri = |t: &str| {
        format!("/exports/rosters/{rid}/bank-file?template={t}&purpose=monthly%20bank%20file")
    };
    step(app, &county, "submitRoster", &roster).await;
    // Not before approval; then one transfer per person, the totals the roster's.
    let (status, _, _) = get_bytes(app, &uri("generic_csv"), &city).await;
    assert_eq!(status, 409);
    step(app, &city, "approveRoster", &roster).await;
    let (status, headers, csv) = get_bytes(app, &uri("generic_csv"), &city).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&csv));
    let header = |h: &actix_web::http::header::HeaderMap, n: &str| {
        h.get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        header(&headers, "x-control-count"),
        "4",
        "four parents, one transfer each"
    );
    assert_eq!(header(&headers, "x-control-total-fen"), total.to_string());
    let text = String::from_utf8(csv.clone()).expect("utf-8");
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        vec![
            "序号",
            "户名",
            "账号",
            "开户行",
            "金额(元)",
            "附言",
            "业务编号"
        ]
    );
    let transfers: Vec<&Vec<&str>> = rows[1..].iter().filter(|r| r[0] != "合计").collect();
    assert_eq!(transfers.len(), 4);
    let sum: f64 = transfers
        .iter()
        .map(|r| r[4].parse::<f64>().unwrap_or(0.0))
        .sum();
    assert!((sum * 100.0 - total as f64).abs() < 0.5, "{sum} vs {total}");
    assert!(
        text.contains("6221000011112222"),
        "the bank gets the account in the clear"
    );
    // The county sees accounts masked only: no bank file for it (the city's above is the
    // allowed control).
    let (status, _, _) = get_bytes(app, &uri("generic_csv"), &county).await;
    assert_eq!(status, 403);
    // The older bank's layout: fixed width, in GBK.
    let (status, headers, gbk) = get_bytes(app, &uri("rcb_fixed_gbk"), &city).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8(gbk.clone()).is_err(), "not UTF-8");
    let (decoded, _, bad) = encoding_rs::GBK.decode(&gbk);
    assert!(!bad);
    assert!(decoded.contains("王建国"), "{decoded}");
    let first = decoded.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!("H000004{total:015}{}{:02}", prev.year(), prev.month())
    );
    // Both files are recorded with the roster, with their checksums.
    let body = app
        .gql(
            &city,
            "query($id: ID!) { roster(id: $id) { bankFiles { template transferCount totalFen sha256 } } }",
            json!({ "id": roster }),
        )
        .await;
    let files = body["data"]["roster"]["bankFiles"].clone();
    assert_eq!(files[0]["template"], "generic_csv", "{body}");
    assert_eq!(files[1]["template"], "rcb_fixed_gbk");
    assert_eq!(files[1]["transferCount"], 4);
    assert_eq!(files[1]["totalFen"], total);
    assert_eq!(files[1]["sha256"], header(&headers, "x-checksum-sha256"));
    // The bank pays; its result file returns the father's transfer.
    let today = nuanxin_domain::time::china_today().to_string();
    app.gql(
        &city,
        "mutation($id: ID!, $on: NaiveDate!) { markRosterPaid(id: $id, bankBatchRef: \"RCB-1\", paidOn: $on) { status } }",
        json!({ "id": roster, "on": today }),
    )
    .await;
    let father_ref = transfers
        .iter()
        .find(|r| r[2] == "6221000011112222")
        .map(|r| r[6].to_owned())
        .expect("the father's transfer");
    let post = |body: String| {
        TestRequest::post()
            .uri(&format!("/exports/rosters/{rid}/bank-result"))
            .insert_header(("authorization", format!("Bearer {city}")))
            .set_payload(body)
    };
    let mut result = String::from("业务编号,结果,原因\n");
    for r in &transfers {
        if r[6] == father_ref {
            result.push_str(&format!("{},退回,账户已销户\n", r[6]));
        } else {
            result.push_str(&format!("{},成功,\n", r[6]));
        }
    }
    // A reference not in the roster is refused, and nothing is reconciled.
    let (status, _, body) = app.send(post(format!("{result}XXXX00000,成功,\n"))).await;
    assert_eq!(status.as_u16(), 400, "{body}");
    assert!(body.to_string().contains("XXXX00000"));
    let (status, _, body) = app.send(post(result)).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(body["status"], "RECONCILED");
    let got = lines(app, &city, &roster).await;
    let father = gid("Member", a_members[0]);
    let body = app
        .gql(
            &city,
            "query($id: ID!) { roster(id: $id) { lines(first: 100) { edges { node { memberId outcome outcomeReason } } } } }",
            json!({ "id": roster }),
        )
        .await;
    let outcomes: Vec<(bool, String, String)> = body["data"]["roster"]["lines"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["node"]["memberId"] == father,
                e["node"]["outcome"].as_str().unwrap_or_default().to_owned(),
                e["node"]["outcomeReason"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(outcomes.len(), got.len());
    assert!(
        outcomes.iter().all(|(is_father, o, r)| if *is_father {
            o == "returned" && r == "账户已销户"
        } else {
            o == "paid"
        }),
        "{body}"
    );
}
