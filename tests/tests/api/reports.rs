//! The monthly report upward (定期报告): a county's month and the city's as the sum of its
//! counties, figures that add up to the registry and the rosters, in the API and in the
//! spreadsheet; only for those who send or receive reports, only for their region.

use actix_web::test::TestRequest;
use nuanxin_domain::StaffRole;
use nuanxin_domain::month::YearMonth;
use nuanxin_tests::{TestApp, error_code, error_field, gid, on_both_backends};
use serde_json::{Value, json};

const REPORT: &str = "query($r: String!, $m: String!) { monthlyReport(regionCode: $r, month: $m) {
  regionCode regionName month monthLabel
  figures { families familiesByStatus { status count } newFiles closedFiles movedOut
    allowances { kind lineCount totalFen } allowanceLines allowanceTotalFen care { category count } careRecords }
  counties { countyCode countyName rosterStatus figures { families familiesByStatus { status count } newFiles closedFiles movedOut
    allowances { kind lineCount totalFen } allowanceLines allowanceTotalFen careRecords care { category count } } } } }";

fn count_of(list: &Value, key: &str, value: &str, field: &str) -> i64 {
    list.as_array()
        .into_iter()
        .flatten()
        .find(|e| e[key] == value)
        .and_then(|e| e[field].as_i64())
        .unwrap_or(-1)
}

fn county<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["counties"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["countyCode"] == code)
        .map(|c| &c["figures"])
        .unwrap_or(&Value::Null)
}

on_both_backends!(the_monthly_report_adds_up_to_the_registry_and_the_rosters);
async fn the_monthly_report_adds_up_to_the_registry_and_the_rosters(app: &TestApp) {
    let month = YearMonth::of(app.store.today());
    let m = month.to_string();
    // 魏都区: two active families, a roster and a home visit; 鄢陵县: a file opened and
    // closed within the month.
    let (a, _) = app.family_at("411002001001", 1).await;
    let (b, _) = app.family_at("411002002001", 2).await;
    app.activate(a).await;
    app.activate(b).await;
    let (c, _) = app.family_at("411024001001", 3).await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let closed = app
        .gql(
            &city,
            "mutation($id: ID!) { changeFamilyStatus(id: $id, status: CLOSED, reason: \"户籍核查不符\") { status } }",
            json!({ "id": gid("Family", c) }),
        )
        .await;
    assert!(closed["errors"].is_null(), "{closed}");
    let weidu = app.token(StaffRole::CountyAdmin, "411002").await;
    // Last month's roster is another month's: not in this month's report.
    let earlier = app
        .gql(
            &weidu,
            "mutation($p: String!) { generateRoster(input: { countyCode: \"411002\", periodStart: $p }) { lineCount } }",
            json!({ "p": month.plus(-1).to_string() }),
        )
        .await;
    assert!(
        earlier["data"]["generateRoster"]["lineCount"]
            .as_i64()
            .unwrap_or(0)
            > 0,
        "{earlier}"
    );
    let roster = app
        .gql(
            &weidu,
            "mutation($p: String!) { generateRoster(input: { countyCode: \"411002\", periodStart: $p }) { id lineCount totalFen totalsByKind { kind lineCount totalFen } } }",
            json!({ "p": m }),
        )
        .await;
    assert!(roster["errors"].is_null(), "{roster}");
    let roster = &roster["data"]["generateRoster"];
    assert!(roster["lineCount"].as_i64().unwrap_or(0) > 0, "{roster}");
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let visit = app
        .gql(
            &township,
            "mutation($input: RecordCareInput!) { recordCare(input: $input) { id } }",
            json!({ "input": { "familyId": gid("Family", a), "kind": "VISIT", "serviceCode": "home_visit",
                "occurredOn": app.store.today().to_string(), "content": "入户走访, 老人身体尚好" } }),
        )
        .await;
    assert!(visit["errors"].is_null(), "{visit}");

    // The city's report: a part per county, and their sum.
    let body = app
        .gql(&city, REPORT, json!({ "r": "411000", "m": m }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let report = &body["data"]["monthlyReport"];
    assert_eq!(report["month"], m.as_str());
    assert!(
        report["monthLabel"]
            .as_str()
            .is_some_and(|l| l.contains('年'))
    );
    let weidu_part = county(report, "411002");
    let yanling_part = county(report, "411024");
    assert_eq!(weidu_part["families"], 2, "{report}");
    assert_eq!(
        count_of(&weidu_part["familiesByStatus"], "status", "ACTIVE", "count"),
        2
    );
    assert_eq!(weidu_part["newFiles"], 2);
    assert_eq!(yanling_part["families"], 1);
    assert_eq!(
        count_of(
            &yanling_part["familiesByStatus"],
            "status",
            "CLOSED",
            "count"
        ),
        1
    );
    assert_eq!(
        count_of(
            &yanling_part["familiesByStatus"],
            "status",
            "REGISTERED",
            "count"
        ),
        0
    );
    assert_eq!(yanling_part["newFiles"], 1);
    assert_eq!(yanling_part["closedFiles"], 1);
    // The roster's own totals, kind by kind.
    assert_eq!(weidu_part["allowanceLines"], roster["lineCount"]);
    assert_eq!(weidu_part["allowanceTotalFen"], roster["totalFen"]);
    for t in roster["totalsByKind"].as_array().into_iter().flatten() {
        let kind = t["kind"].as_str().unwrap_or_default();
        assert_eq!(
            count_of(&weidu_part["allowances"], "kind", kind, "lineCount"),
            t["lineCount"].as_i64().unwrap_or(-2)
        );
        assert_eq!(
            count_of(&weidu_part["allowances"], "kind", kind, "totalFen"),
            t["totalFen"].as_i64().unwrap_or(-2)
        );
    }
    assert_eq!(yanling_part["allowanceLines"], 0);
    let parts = report["counties"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        parts
            .iter()
            .find(|p| p["countyCode"] == "411002")
            .map(|p| p["rosterStatus"].clone()),
        Some(json!("DRAFT"))
    );
    assert_eq!(
        parts
            .iter()
            .find(|p| p["countyCode"] == "411024")
            .map(|p| p["rosterStatus"].clone()),
        Some(Value::Null)
    );
    assert_eq!(weidu_part["careRecords"], 1);
    assert_eq!(
        count_of(&weidu_part["care"], "category", "LIFE", "count"),
        1
    );
    // The city is the sum of its parts, and the registry's count.
    let total = &report["figures"];
    let sum = |f: &str| {
        parts
            .iter()
            .map(|p| p["figures"][f].as_i64().unwrap_or(0))
            .sum::<i64>()
    };
    for f in [
        "families",
        "newFiles",
        "closedFiles",
        "allowanceLines",
        "allowanceTotalFen",
        "careRecords",
    ] {
        assert_eq!(total[f].as_i64(), Some(sum(f)), "{f}");
    }
    assert_eq!(total["families"].as_i64(), Some(app.count("family").await));
    assert_eq!(
        total["careRecords"].as_i64(),
        Some(app.count("care_record").await)
    );

    // A county sends its own report up; it does not read another county's or the city's.
    let own = app
        .gql(&weidu, REPORT, json!({ "r": "411002", "m": m }))
        .await;
    assert!(own["errors"].is_null(), "{own}");
    assert_eq!(own["data"]["monthlyReport"]["figures"], *weidu_part);
    for other in ["411024", "411000"] {
        let body = app.gql(&weidu, REPORT, json!({ "r": other, "m": m })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{other}: {body}");
    }
    // A township worker has no reports; a township has none either.
    let body = app
        .gql(&township, REPORT, json!({ "r": "411002", "m": m }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app
        .gql(&city, REPORT, json!({ "r": "411002001", "m": m }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(error_field(&body), Some("regionCode"));
    let body = app
        .gql(&city, REPORT, json!({ "r": "411000", "m": "2026/11" }))
        .await;
    assert_eq!(error_field(&body), Some("month"), "{body}");
    // An auditor of the city reads the same figures.
    let auditor = app.token(StaffRole::Auditor, "411000").await;
    let audited = app
        .gql(&auditor, REPORT, json!({ "r": "411000", "m": m }))
        .await;
    assert_eq!(
        audited["data"]["monthlyReport"]["figures"], *total,
        "{audited}"
    );
    // The month before: nothing was on file yet.
    let before = app
        .gql(
            &city,
            REPORT,
            json!({ "r": "411000", "m": month.plus(-1).to_string() }),
        )
        .await;
    assert_eq!(
        before["data"]["monthlyReport"]["figures"]["families"], 0,
        "{before}"
    );

    // The spreadsheet: the same figures, a row per county and the 合计.
    let req = TestRequest::get()
        .uri(&format!("/exports/reports/411000/{m}.xlsx"))
        .insert_header(("authorization", format!("Bearer {city}")));
    let (status, _, _) = app.send(req).await;
    assert_eq!(status, 200);
    let bytes = download(app, &format!("/exports/reports/411000/{m}.xlsx"), &city).await;
    let rows = read_report(&bytes);
    let header = &rows[nuanxin_server::exports::REPORT_HEADER_ROW as usize];
    assert_eq!(header[0], "县(市、区)");
    assert_eq!(header[1], "家庭数");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(usize::MAX);
    let row = |name: &str| rows.iter().find(|r| r.first().is_some_and(|c| c == name));
    let weidu_row = row("魏都区").expect("a row for 魏都区");
    assert_eq!(weidu_row[col("家庭数")], "2");
    assert_eq!(weidu_row[col("享受中")], "2");
    assert_eq!(weidu_row[col("花名册状态")], "草稿");
    assert_eq!(weidu_row[col("生活关怀")], "1");
    let total_row = row("合计").expect("a total row");
    assert_eq!(total_row[col("家庭数")], total["families"].to_string());
    assert_eq!(total_row[col("终止")], "1");
    let amount = total["allowanceTotalFen"].as_i64().unwrap_or(0);
    let special = col("特别扶助金金额(元)");
    let comfort = col("生育关怀抚慰金金额(元)");
    let yuan = |s: &str| s.parse::<f64>().unwrap_or(-1.0);
    assert!(
        ((yuan(&total_row[special]) + yuan(&total_row[comfort])) * 100.0 - amount as f64).abs()
            < 0.5
    );
    // A county cannot download the city's.
    let req = TestRequest::get()
        .uri(&format!("/exports/reports/411000/{m}.xlsx"))
        .insert_header(("authorization", format!("Bearer {weidu}")));
    let (status, _, body) = app.send(req).await;
    assert_eq!(status, 404, "{body}");
}

async fn download(app: &TestApp, uri: &str, token: &str) -> Vec<u8> {
    let (status, _, bytes) = app.get_bytes(uri, Some(token)).await;
    assert_eq!(status, 200, "{uri}");
    bytes
}

fn read_report(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = book.worksheet_range("定期报告").expect("sheet");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

// The report's allowance totals come from the roll-up kept with the lines
// (`roster_total`); after every step of a roster's life — generate, regenerate, submit,
// approve, pay, reconcile with a returned payment, a late death clawed back in the next
// month — they equal the naive sum over the lines, as do the roll-up's own rows (with the
// families they pay).
on_both_backends!(the_report_totals_from_the_roll_up_equal_the_sum_of_the_lines);
async fn the_report_totals_from_the_roll_up_equal_the_sum_of_the_lines(app: &TestApp) {
    let mut families = Vec::new();
    for n in 1..=2 {
        let (family, members) = app.family_at("411002001001", n).await;
        app.activate(family).await;
        families.push(members);
    }
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let this = YearMonth::of(nuanxin_domain::time::china_today());
    let prev = this.prev();
    let generate = |month: YearMonth| {
        let county = county.clone();
        async move {
            let body = app
                .gql(
                    &county,
                    "mutation($p: String!) { generateRoster(input: { countyCode: \"411002\", periodStart: $p }) { id } }",
                    json!({ "p": month.to_string() }),
                )
                .await;
            assert!(body["errors"].is_null(), "{body}");
            body["data"]["generateRoster"]["id"].clone()
        }
    };
    agree(app, &city, [prev, this], "before any roster").await;
    let first = generate(prev).await;
    agree(app, &city, [prev, this], "generated").await;
    assert!(
        !line_totals(app, prev).await.is_empty(),
        "the month has lines"
    );
    generate(prev).await;
    agree(app, &city, [prev, this], "regenerated").await;
    for (who, step) in [(&county, "submitRoster"), (&city, "approveRoster")] {
        let body = app.roster_step(who, step, &first).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let body = app
        .gql(
            &city,
            "mutation($id: ID!, $on: NaiveDate!) { markRosterPaid(id: $id, bankBatchRef: \"B-1\", paidOn: $on) { status } }",
            json!({ "id": first, "on": nuanxin_domain::time::china_today().to_string() }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    agree(app, &city, [prev, this], "paid").await;
    let lines = app
        .gql(
            &city,
            "query($id: ID!) { roster(id: $id) { lines(first: 5) { edges { node { id } } } } }",
            json!({ "id": first }),
        )
        .await;
    let returned = lines["data"]["roster"]["lines"]["edges"][0]["node"]["id"].clone();
    let body = app
        .gql(
            &city,
            "mutation($id: ID!, $l: ID!) { reconcileRoster(id: $id, exceptions: [{ lineId: $l, outcome: \"returned\", reason: \"account closed\" }]) { status } }",
            json!({ "id": first, "l": returned }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    agree(app, &city, [prev, this], "reconciled").await;
    let died = prev.plus(-2).first_day();
    let body = app
        .gql(
            &county,
            "mutation($id: ID!, $d: NaiveDate!) { updateMember(id: $id, input: { deceasedOn: $d, evidence: \"死亡证明 No. 0002\" }) { deceasedOn } }",
            json!({ "id": gid("Member", families[0][0]), "d": died.to_string() }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    generate(this).await;
    agree(app, &city, [prev, this], "clawed back").await;
    let clawed: i64 = line_totals(app, this)
        .await
        .values()
        .map(|(_, fen)| *fen)
        .sum();
    assert!(
        clawed < 3 * 68_000,
        "the claw-back is in this month's lines: {clawed}"
    );
}

/// The report's totals, the roll-up's rows and the lines summed by hand agree, in `months`.
async fn agree(app: &TestApp, city: &str, months: [YearMonth; 2], moment: &str) {
    for month in months {
        let (from_report, from_lines) = (
            report_totals(app, city, month).await,
            line_totals(app, month).await,
        );
        assert_eq!(
            from_report, from_lines,
            "{moment}, {month}: report against lines"
        );
        assert_eq!(
            roll_up_rows(app, month).await,
            line_rows(app, month).await,
            "{moment}, {month}: roll-up rows against lines"
        );
    }
}

/// (lines, fen) by kind as the monthly report gives them for the county.
async fn report_totals(
    app: &TestApp,
    token: &str,
    month: YearMonth,
) -> std::collections::BTreeMap<String, (i64, i64)> {
    let body = app
        .gql(
            token,
            REPORT,
            json!({ "r": "411002", "m": month.to_string() }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["monthlyReport"]["figures"]["allowances"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["lineCount"].as_i64() != Some(0))
        .map(|t| {
            (
                t["kind"].as_str().unwrap_or("").to_lowercase(),
                (
                    t["lineCount"].as_i64().unwrap_or(-1),
                    t["totalFen"].as_i64().unwrap_or(-1),
                ),
            )
        })
        .collect()
}

/// The same, summed over the lines by hand (the naive aggregate the roll-up replaces).
async fn line_totals(
    app: &TestApp,
    month: YearMonth,
) -> std::collections::BTreeMap<String, (i64, i64)> {
    line_rows(app, month)
        .await
        .into_iter()
        .map(|(kind, lines, _, fen)| (kind, (lines, fen)))
        .collect()
}

const BY_HAND: &str = "SELECT l.kind AS kind, COUNT(*) AS lines, COUNT(DISTINCT l.family_id) AS families, \
     CAST(SUM(l.amount_fen) AS BIGINT) AS fen FROM roster_line l JOIN roster r ON r.id = l.roster_id \
     WHERE r.county_code = '411002' AND r.period_start = {month} GROUP BY l.kind ORDER BY l.kind";
const ROLLED_UP: &str = "SELECT kind, line_count AS lines, family_count AS families, total_fen AS fen \
     FROM roster_total WHERE county_code = '411002' AND period_start = {month} ORDER BY kind";

async fn line_rows(app: &TestApp, month: YearMonth) -> Vec<(String, i64, i64, i64)> {
    rows(app, BY_HAND, month).await
}

async fn roll_up_rows(app: &TestApp, month: YearMonth) -> Vec<(String, i64, i64, i64)> {
    rows(app, ROLLED_UP, month).await
}

async fn rows(app: &TestApp, sql: &str, month: YearMonth) -> Vec<(String, i64, i64, i64)> {
    use sea_orm::ConnectionTrait;
    let db = app.store.raw_connection();
    let sql = sql.replace("{month}", &month.as_number().to_string());
    db.query_all_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql,
    ))
    .await
    .expect("sum by hand")
    .iter()
    .map(|r| {
        (
            r.try_get::<String>("", "kind").expect("kind"),
            r.try_get::<i64>("", "lines").expect("lines"),
            r.try_get::<i64>("", "families").expect("families"),
            r.try_get::<i64>("", "fen").expect("fen"),
        )
    })
    .collect()
}
