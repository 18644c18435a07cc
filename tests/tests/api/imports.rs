//! Bulk import of families (批量导入) through the real app: the template, a file with each
//! kind of row error (reported by row and column, nothing written), a clean file checked
//! (dry run: nothing written) and then written whole, another county's file refused, and
//! 10,000 rows through the job API.

use actix_web::test::TestRequest;
use chrono::NaiveDate;
use nuanxin_domain::StaffRole;
use nuanxin_domain::registry::id_number::IdNumber;
use nuanxin_tests::{TestApp, on_both_backends};
use serde_json::{Value, json};

const IMPORT: &str =
    "query($id: ID!) { familyImport(id: $id) { id status done total dryRun committed
  families members problemCount problems { row column columnName message } error } }";

fn id(born: (i32, u32, u32), sequence: u16) -> String {
    let d = NaiveDate::from_ymd_opt(born.0, born.1, born.2).expect("date");
    IdNumber::compose("411002", d, sequence)
        .expect("id")
        .expose()
        .to_owned()
}

/// The template's header line (Chinese), fetched as a clerk would.
async fn header(app: &TestApp) -> String {
    let (status, _, body) = app
        .send(TestRequest::get().uri("/imports/families/template.csv"))
        .await;
    assert_eq!(status, 200);
    let text = body
        .as_str()
        .unwrap_or_default()
        .trim_start_matches('\u{feff}')
        .to_owned();
    let first = text.lines().next().unwrap_or_default().to_owned();
    assert!(first.starts_with("户号,村(社区)代码,光荣证号"), "{first}");
    first
}

/// One CSV row: household, village, role, name, ID number, child's death date.
fn row(household: &str, village: &str, role: &str, name: &str, id: &str, died: &str) -> String {
    format!("{household},{village},豫许0012345,1989-01-15,{died},,{role},{name},{id},,,{village},")
}

async fn upload(app: &TestApp, token: &str, csv: &str, dry_run: bool) -> (u16, Value) {
    let req = TestRequest::post()
        .uri(&format!("/imports/families?dryRun={dry_run}"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "text/csv"))
        .set_payload(csv.to_owned());
    let (status, _, body) = app.send(req).await;
    (status.as_u16(), body)
}

/// Polls the import until its job has ended.
async fn finished(app: &TestApp, token: &str, job: &Value) -> Value {
    for _ in 0..3000 {
        let body = app.gql(token, IMPORT, json!({ "id": job })).await;
        let i = &body["data"]["familyImport"];
        if i["status"] != "running" {
            assert!(body["errors"].is_null(), "{body}");
            return i.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the import did not finish");
}

async fn import(app: &TestApp, token: &str, csv: &str, dry_run: bool) -> Value {
    let (status, body) = upload(app, token, csv, dry_run).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["dryRun"], dry_run);
    finished(app, token, &body["jobId"]).await
}

on_both_backends!(a_file_with_row_errors_names_each_and_writes_nothing);
async fn a_file_with_row_errors_names_each_and_writes_nothing(app: &TestApp) {
    // On file already: the father of fixture 1 (411002, born 1962-04-12, sequence 3).
    app.family_at("411002001001", 1).await;
    let on_file = id((1962, 4, 12), 3);
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let v = "411002001001";
    let mut bad_check = id((1960, 2, 2), 1);
    bad_check.replace_range(17.., if bad_check.ends_with('1') { "2" } else { "1" });
    let lines = [
        header(app).await,
        row("1", v, "父亲", "王建国", &id((1960, 1, 1), 1), "2015-03-08"), // 2: good
        row("1", v, "母亲", "李秀英", &id((1962, 1, 1), 2), "2015-03-08"), // 3: good
        row("2", v, "父亲", "刘强", &bad_check, "2015-03-08"),             // 4: check character
        row("3", v, "父亲", "赵刚", &id((1961, 3, 3), 1), "2015-02-30"),   // 5: impossible date
        row("4", v, "父亲", "钱进", &id((1960, 1, 1), 1), "2015-03-08"),   // 6: same as row 2
        row("5", v, "父亲", "孙立", &on_file, "2015-03-08"),               // 7: on file already
        row(
            "6",
            "411002001999",
            "母亲",
            "周敏",
            &id((1963, 4, 4), 2),
            "2015-03-08",
        ), // 8: no such village
    ];
    let csv = lines.join("\r\n");
    let (families, members, log) = (
        app.count("family").await,
        app.count("member").await,
        app.count("access_log").await,
    );
    let report = import(app, &county, &csv, false).await;
    assert_eq!(report["status"], "succeeded", "{report}");
    assert_eq!(report["committed"], false, "{report}");
    let problems: Vec<(i64, String)> = report["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["row"].as_i64().unwrap_or(0),
                p["column"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        vec![
            (4, "idNumber".to_owned()),
            (5, "childDeathDate".to_owned()),
            (6, "idNumber".to_owned()),
            (7, "idNumber".to_owned()),
            (8, "regionCode".to_owned()),
            (8, "hukouRegionCode".to_owned()),
        ],
        "{report}"
    );
    let words: Vec<&str> = report["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["message"].as_str().unwrap_or(""))
        .collect();
    assert!(words[0].contains("校验码"), "{words:?}");
    assert!(words[1].contains("2015-02-30"), "{words:?}");
    assert!(words[2].contains("第 2 行"), "{words:?}");
    assert!(words[3].contains("已经建档"), "{words:?}");
    assert!(words[4].contains("411002001999"), "{words:?}");
    assert_eq!(report["problems"][0]["columnName"], "身份证号");
    assert_eq!(report["problemCount"], 6);
    // Nothing written, not even the good family; the on-file check was logged.
    assert_eq!(app.count("family").await, families);
    assert_eq!(app.count("member").await, members);
    assert_eq!(app.count("access_log").await, log + 1);
}

on_both_backends!(a_clean_file_is_checked_then_written_whole);
async fn a_clean_file_is_checked_then_written_whole(app: &TestApp) {
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let csv = [
        header(app).await,
        row(
            "A",
            "411002001001",
            "父亲",
            "王建国",
            &id((1960, 1, 1), 1),
            "2015-03-08",
        ),
        row(
            "A",
            "411002001001",
            "母亲",
            "李秀英",
            &id((1962, 1, 1), 2),
            "2015-03-08",
        ),
        row(
            "B",
            "411002002001",
            "母亲",
            "张桂兰",
            &id((1963, 5, 6), 4),
            "2016-07-01",
        ),
    ]
    .join("\n");
    let before = app.count("family").await;
    // The XLSX template, filled in with its example family, checks clean as it is.
    let template = template_xlsx(app).await;
    let req = TestRequest::post()
        .uri("/imports/families?dryRun=true")
        .insert_header(("authorization", format!("Bearer {county}")))
        .set_payload(template);
    let (status, _, body) = app.send(req).await;
    assert_eq!(status, 202, "{body}");
    let from_xlsx = finished(app, &county, &body["jobId"]).await;
    assert_eq!(from_xlsx["problemCount"], 0, "{from_xlsx}");
    assert_eq!(
        (from_xlsx["families"].clone(), from_xlsx["members"].clone()),
        (json!(1), json!(2))
    );
    let checked = import(app, &county, &csv, true).await;
    assert_eq!(checked["problemCount"], 0, "{checked}");
    assert_eq!(
        (checked["families"].clone(), checked["members"].clone()),
        (json!(2), json!(3))
    );
    assert_eq!(checked["dryRun"], true);
    assert_eq!(checked["committed"], false);
    assert_eq!(
        app.count("family").await,
        before,
        "a dry run writes nothing"
    );

    let written = import(app, &county, &csv, false).await;
    assert_eq!(written["committed"], true, "{written}");
    assert_eq!(
        (written["done"].clone(), written["total"].clone()),
        (json!(3), json!(3))
    );
    assert_eq!(app.count("family").await, before + 2);
    // Every row is on file, as registerFamily files it (masked, registered).
    let body = app
        .gql(
            &county,
            "{ families(first: 10, filter: { regionCode: \"411002002001\" }) { edges { node { status honourCertificateNo members { name role idNumber } } } } }",
            json!({}),
        )
        .await;
    let node = &body["data"]["families"]["edges"][0]["node"];
    assert_eq!(node["status"], "REGISTERED", "{body}");
    assert_eq!(node["members"][0]["name"], "张桂兰");
    assert!(
        node["members"][0]["idNumber"]
            .as_str()
            .is_some_and(|i| i.contains("****"))
    );
    // The same file again: every person is on file now.
    let again = import(app, &county, &csv, false).await;
    assert_eq!(again["problemCount"], 3, "{again}");
    assert_eq!(app.count("family").await, before + 2);

    // Another county's villages are not this county's to register.
    let yanling = [
        header(app).await,
        row(
            "1",
            "411024001001",
            "母亲",
            "吴芳",
            &id((1964, 2, 3), 6),
            "2015-03-08",
        ),
    ]
    .join("\n");
    let refused = import(app, &county, &yanling, false).await;
    assert_eq!(refused["committed"], false);
    assert_eq!(refused["problems"][0]["column"], "regionCode", "{refused}");
    assert!(
        refused["problems"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("不在您的管辖范围内")
    );
    assert_eq!(app.count("family").await, before + 2);
    // The county there may (allowed control).
    let theirs = app.token(StaffRole::CountyAdmin, "411024").await;
    let done = import(app, &theirs, &yanling, false).await;
    assert_eq!(done["committed"], true, "{done}");

    // An auditor registers nothing; a county admin cannot read another's import.
    let auditor = app.token(StaffRole::Auditor, "411000").await;
    let (status, body) = upload(app, &auditor, &csv, true).await;
    assert_eq!(status, 403, "{body}");
    let other = app
        .gql(&theirs, IMPORT, json!({ "id": written["id"] }))
        .await;
    assert_eq!(
        other["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{other}"
    );
    // Not a spreadsheet at all.
    let (status, body) = upload(app, &county, "\u{0}\u{1}garbage\"\"\"", false).await;
    assert!(status == 400 || status == 202, "{body}");
}

on_both_backends!(ten_thousand_rows_go_through_the_job);
async fn ten_thousand_rows_go_through_the_job(app: &TestApp) {
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let start = NaiveDate::from_ymd_opt(1950, 1, 1).expect("date");
    let mut lines = vec![header(app).await];
    for i in 0..5_000u32 {
        let born = start + chrono::Days::new(u64::from(i));
        let ymd = |d: NaiveDate| {
            (
                chrono::Datelike::year(&d),
                chrono::Datelike::month(&d),
                chrono::Datelike::day(&d),
            )
        };
        let h = format!("H{i}");
        lines.push(row(
            &h,
            "411002001001",
            "父亲",
            "王建国",
            &id(ymd(born), 1),
            "2015-03-08",
        ));
        lines.push(row(
            &h,
            "411002001001",
            "母亲",
            "李秀英",
            &id(ymd(born), 2),
            "2015-03-08",
        ));
    }
    let csv = lines.join("\n");
    let before = app.count("member").await;
    let started = std::time::Instant::now();
    let report = import(app, &county, &csv, false).await;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "10,000 rows imported"
    );
    assert_eq!(report["committed"], true, "{}", report["problems"]);
    assert_eq!(report["total"], 10_000);
    assert_eq!(report["done"], 10_000);
    assert_eq!(report["families"], 5_000);
    assert_eq!(app.count("member").await, before + 10_000);
}

async fn template_xlsx(app: &TestApp) -> Vec<u8> {
    let (status, _, bytes) = app.get_bytes("/imports/families/template.xlsx", None).await;
    assert_eq!(status, 200);
    bytes
}
