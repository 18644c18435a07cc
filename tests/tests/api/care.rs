//! Care work through the real app: a township's month (pair, visit, emergency aid, a
//! referral, a follow-up) and the county's overdue view; every workflow step per audience;
//! counselling notes; the volunteer slice and minors; the timeline's cursors; attachments;
//! flat query counts.

use actix_web::test as atest;
use chrono::{Days, NaiveDate, TimeZone, Utc};
use nuanxin_domain::StaffRole;
use nuanxin_domain::care::workflow::Workflow;
use nuanxin_domain::policy::{Audience, Machine};
use nuanxin_tests::{TestApp, error_code, error_field, gid, on_both_backends};
use serde_json::{Value, json};

fn ok(body: &Value) {
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
}

fn today(app: &TestApp) -> NaiveDate {
    app.store.today()
}

/// Fixes the store's clock at noon (China time) on `day`.
fn fix_day(app: &TestApp, day: NaiveDate) {
    let noon = nuanxin_domain::time::china()
        .from_local_datetime(&day.and_hms_opt(12, 0, 0).expect("noon"))
        .single()
        .expect("time")
        .with_timezone(&Utc);
    app.store.fix_clock(Some(noon));
}

const RECORD: &str = "mutation($input: RecordCareInput!) { recordCare(input: $input) {
  id kind serviceCode occurredOn performerName pairingId conditionId correctsId attachments { id url } } }";
const OPEN: &str = "mutation($input: OpenCaseInput!) { openCase(input: $input) {
  id state priority unitCode workflow nextStates } }";
const MOVE: &str = "mutation($input: MoveCaseInput!) { moveCase(input: $input) {
  id state approvedFen disbursedFen steps { from to by amountFen } } }";
const ACCOUNTABILITY: &str = "query($region: String!, $campaign: ID) {
  accountability(regionCode: $region, campaignId: $campaign) { asOf contactDays
    townships { townshipCode overduePairings overdueFollowUps contactsOverdue campaignFamilies campaignVisited }
    overduePairings { id familyId dueOn lastDoneOn state }
    overdueFollowUps { id familyId dueOn }
    contactsOverdue { familyId dueOn }
    campaign { families visited coveragePerMille notVisitedFamilyIds } } }";

async fn record(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql(token, RECORD, json!({ "input": input })).await
}

async fn open_aid(app: &TestApp, token: &str, family: uuid::Uuid) -> Value {
    app.gql(
        token,
        OPEN,
        json!({ "input": { "familyId": gid("Family", family), "workflow": "EMERGENCY_AID",
            "summary": "突发重病，住院费用困难", "requestedFen": 500_000, "openedOn": today(app).to_string() } }),
    )
    .await
}

async fn move_case(
    app: &TestApp,
    token: &str,
    case: &Value,
    to: &str,
    amount: Option<i64>,
) -> Value {
    app.gql(
        token,
        MOVE,
        json!({ "input": { "caseId": case, "to": to, "note": "经核实", "amountFen": amount } }),
    )
    .await
}

on_both_backends!(a_township_runs_a_month_of_care_work);
async fn a_township_runs_a_month_of_care_work(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    let (quiet_family, _) = app.family_at("411002001001", 2).await;
    let (township_id, township) = app.staff(StaffRole::TownshipWorker, "411002001").await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let day = today(app);

    // The catalogue is data: six categories, the seed's services and their units.
    let cat = app
        .gql(
            &township,
            "{ careServices { code category nameZh unitCodes } careUnits { code nameZh } }",
            json!({}),
        )
        .await;
    ok(&cat);
    let services = cat["data"]["careServices"].as_array().expect("services");
    assert!(services.len() >= 20);
    for c in [
        "LIFE",
        "SPIRITUAL",
        "ELDERLY",
        "HEALTH",
        "REBIRTH",
        "PUBLICITY",
    ] {
        assert!(services.iter().any(|s| s["category"] == c), "{c}");
    }

    // Pair the family under 五定一包; a second active pairing is refused by the database.
    let pair = |worker: String| {
        json!({ "input": { "familyId": gid("Family", family), "leaderName": "张书记",
            "workerStaffId": worker, "schedule": "MONTHLY", "content": "每月上门看望，陪同就医",
            "answerableName": "刘主任", "startsOn": day.to_string() } })
    };
    let q = "mutation($input: PairFamilyInput!) { pairFamily(input: $input) { id workerName schedule answerableName } }";
    let paired = app.gql(&township, q, pair(township_id.to_string())).await;
    ok(&paired);
    let pairing = paired["data"]["pairFamily"]["id"].clone();
    let before = app.count("care_pairing").await;
    let again = app.gql(&township, q, pair(township_id.to_string())).await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
    assert_eq!(app.count("care_pairing").await, before);

    // A visit logged against the pairing.
    let visit = record(
        app,
        &township,
        json!({ "familyId": gid("Family", family), "kind": "VISIT", "occurredOn": day.to_string(),
            "content": "上门看望，送米面油", "goodsFen": 20_000, "pairingId": pairing }),
    )
    .await;
    ok(&visit);
    assert_eq!(visit["data"]["recordCare"]["pairingId"], pairing);
    assert_eq!(visit["data"]["recordCare"]["serviceCode"], "home_visit");

    // Emergency aid: the township assesses, the county approves, the township pays out
    // and closes; who approved is in the steps.
    let case = open_aid(app, &township, family).await;
    ok(&case);
    let case_id = case["data"]["openCase"]["id"].clone();
    assert_eq!(case["data"]["openCase"]["state"], "requested");
    ok(&move_case(app, &township, &case_id, "assessed", None).await);
    let steps = app.count("care_case_step").await;
    let refused = move_case(app, &township, &case_id, "approved", Some(300_000)).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    assert_eq!(app.count("care_case_step").await, steps);
    let approved = move_case(app, &county, &case_id, "approved", Some(300_000)).await;
    ok(&approved);
    assert_eq!(approved["data"]["moveCase"]["approvedFen"], 300_000);
    let paid = move_case(app, &township, &case_id, "disbursed", None).await;
    ok(&paid);
    assert_eq!(paid["data"]["moveCase"]["disbursedFen"], 300_000);
    let closed = move_case(app, &township, &case_id, "closed", None).await;
    ok(&closed);
    let steps = closed["data"]["moveCase"]["steps"]
        .as_array()
        .expect("steps");
    assert_eq!(steps.len(), 4);
    assert_eq!(steps[1]["to"], "approved");
    assert!(
        steps[1]["by"]
            .as_str()
            .is_some_and(|b| b.starts_with("county_admin")),
        "{closed}"
    );

    // Refer the father (64, partly disabled) to a public care home: the disabled come first.
    let assessed = record(
        app,
        &township,
        json!({ "familyId": gid("Family", family), "memberId": gid("Member", members[0]),
            "kind": "DISABILITY_ASSESSMENT", "disabilityLevel": "PARTIAL",
            "occurredOn": day.to_string(), "content": "日常生活能力评估：部分失能" }),
    )
    .await;
    ok(&assessed);
    let referral = app
        .gql(
            &township,
            OPEN,
            json!({ "input": { "familyId": gid("Family", family), "memberId": gid("Member", members[0]),
                "workflow": "REFERRAL", "referralKind": "CARE_HOME_ADMISSION",
                "summary": "申请优先入住公办养老院", "openedOn": day.to_string() } }),
        )
        .await;
    ok(&referral);
    assert_eq!(referral["data"]["openCase"]["priority"], "DISABLED");
    assert_eq!(referral["data"]["openCase"]["unitCode"], "civil_affairs");

    // A chronic disease with monthly follow-ups, and one follow-up.
    let cond = app
        .gql(
            &township,
            "mutation($input: AddChronicConditionInput!) { addChronicCondition(input: $input) { id schedule } }",
            json!({ "input": { "familyId": gid("Family", family), "memberId": gid("Member", members[1]),
                "disease": "高血压", "schedule": "MONTHLY", "startedOn": day.to_string() } }),
        )
        .await;
    ok(&cond);
    let condition = cond["data"]["addChronicCondition"]["id"].clone();
    let follow = record(
        app,
        &township,
        json!({ "familyId": gid("Family", family), "kind": "FOLLOW_UP", "conditionId": condition,
            "occurredOn": day.to_string(), "content": "血压 150/95，调整用药" }),
    )
    .await;
    ok(&follow);

    // Today nothing of the family is overdue; the family without a contact is not yet.
    let view = app
        .gql(&county, ACCOUNTABILITY, json!({ "region": "411002" }))
        .await;
    ok(&view);
    let a = &view["data"]["accountability"];
    assert_eq!(
        a["overduePairings"].as_array().map(Vec::len),
        Some(0),
        "{view}"
    );
    assert_eq!(
        a["contactsOverdue"].as_array().map(Vec::len),
        Some(0),
        "{view}"
    );

    // Twenty-five days on: the monthly pairing is due within the week, not yet overdue.
    fix_day(app, day.checked_add_days(Days::new(25)).expect("day"));
    let soon = app
        .gql(
            &county,
            "query($region: String!) { accountability(regionCode: $region) {
              townships { townshipCode pairingsDueSoon } pairingsDueSoon { id } overduePairings { id } } }",
            json!({ "region": "411002001" }),
        )
        .await;
    ok(&soon);
    assert_eq!(
        soon["data"]["accountability"]["pairingsDueSoon"][0]["id"], pairing,
        "{soon}"
    );
    assert_eq!(
        soon["data"]["accountability"]["townships"][0]["pairingsDueSoon"],
        1
    );
    assert_eq!(
        soon["data"]["accountability"]["overduePairings"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // Forty days on (a fixed clock): the pairing and the follow-up are overdue, and the
    // other family never got its emergency-aid contact.
    fix_day(app, day.checked_add_days(Days::new(40)).expect("day"));
    let view = app
        .gql(&county, ACCOUNTABILITY, json!({ "region": "411002" }))
        .await;
    ok(&view);
    let a = &view["data"]["accountability"];
    assert_eq!(a["contactDays"], 7);
    assert_eq!(a["overduePairings"][0]["id"], pairing, "{view}");
    assert_eq!(a["overdueFollowUps"][0]["id"], condition, "{view}");
    let late: Vec<&Value> = a["contactsOverdue"]
        .as_array()
        .expect("list")
        .iter()
        .collect();
    assert_eq!(
        late.len(),
        1,
        "the family with an aid case was contacted: {view}"
    );
    assert_eq!(late[0]["familyId"], gid("Family", quiet_family));
    let township_row = a["townships"]
        .as_array()
        .expect("townships")
        .iter()
        .find(|t| t["townshipCode"] == "411002001")
        .cloned()
        .expect("the township");
    assert_eq!(township_row["overduePairings"], 1);
    assert_eq!(township_row["overdueFollowUps"], 1);
    assert_eq!(township_row["contactsOverdue"], 1);

    // A visit today clears the pairing; a contact clears the other family.
    let later = day
        .checked_add_days(Days::new(40))
        .expect("day")
        .to_string();
    ok(&record(
        app,
        &township,
        json!({ "familyId": gid("Family", family), "kind": "VISIT", "occurredOn": later,
            "content": "月度走访", "pairingId": pairing }),
    )
    .await);
    ok(&record(
        app,
        &township,
        json!({ "familyId": gid("Family", quiet_family), "kind": "EMERGENCY_CONTACT",
            "occurredOn": later, "content": "电话联系，告知紧急救助渠道" }),
    )
    .await);
    let view = app
        .gql(&county, ACCOUNTABILITY, json!({ "region": "411002" }))
        .await;
    let a = &view["data"]["accountability"];
    assert_eq!(
        a["overduePairings"].as_array().map(Vec::len),
        Some(0),
        "{view}"
    );
    assert_eq!(
        a["contactsOverdue"].as_array().map(Vec::len),
        Some(0),
        "{view}"
    );
    assert_eq!(a["overdueFollowUps"].as_array().map(Vec::len), Some(1));
}

/// Walks a fresh case to `state` with the city (which may take any legal step).
async fn case_in(
    app: &TestApp,
    city: &str,
    family: uuid::Uuid,
    workflow: Workflow,
    state: &str,
) -> Value {
    let path: &[(&str, Option<i64>)] = match (workflow, state) {
        (Workflow::EmergencyAid, "requested") | (Workflow::Referral, "referred") => &[],
        (Workflow::EmergencyAid, "assessed") => &[("assessed", None)],
        (Workflow::EmergencyAid, "approved") => &[("assessed", None), ("approved", Some(1000))],
        (Workflow::EmergencyAid, "declined") => &[("assessed", None), ("declined", None)],
        (Workflow::EmergencyAid, "disbursed") => &[
            ("assessed", None),
            ("approved", Some(1000)),
            ("disbursed", None),
        ],
        (Workflow::Referral, "accepted") => &[("accepted", None)],
        other => panic!("no path to {other:?}"),
    };
    let input = match workflow {
        Workflow::EmergencyAid => {
            json!({ "familyId": gid("Family", family), "workflow": "EMERGENCY_AID",
            "summary": "求助", "requestedFen": 1000, "openedOn": today(app).to_string() })
        }
        Workflow::Referral => json!({ "familyId": gid("Family", family), "workflow": "REFERRAL",
            "referralKind": "LEGAL_AID", "summary": "法律援助", "openedOn": today(app).to_string() }),
    };
    let opened = app.gql(city, OPEN, json!({ "input": input })).await;
    ok(&opened);
    let id = opened["data"]["openCase"]["id"].clone();
    for (to, amount) in path {
        ok(&move_case(app, city, &id, to, *amount).await);
    }
    id
}

on_both_backends!(every_workflow_step_is_taken_or_refused_per_audience);
async fn every_workflow_step_is_taken_or_refused_per_audience(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let audiences = [
        (StaffRole::CountyAdmin, "411002"),
        (StaffRole::TownshipWorker, "411002001"),
        (StaffRole::VillageWorker, "411002001001"),
        (StaffRole::Auditor, "411002"),
    ];
    for workflow in Workflow::ALL {
        let machine = Machine::of_workflow(workflow);
        for (from, to) in workflow.steps() {
            for (role, home) in audiences {
                let token = app.token(role, home).await;
                let case = case_in(app, &city, family, workflow, from).await;
                let steps = app.count("care_case_step").await;
                let amount = (*to == "approved").then_some(1000);
                let body = move_case(app, &token, &case, to, amount).await;
                let allowed = Audience::Staff(role).grant().may_step(machine, from, to)
                    && Audience::Staff(role)
                        .grant()
                        .allows(nuanxin_domain::Operation::MoveCase);
                if allowed {
                    ok(&body);
                    assert_eq!(body["data"]["moveCase"]["state"], *to);
                    assert_eq!(app.count("care_case_step").await, steps + 1);
                } else {
                    assert_eq!(
                        error_code(&body),
                        Some("FORBIDDEN"),
                        "{role:?} {from}→{to}: {body}"
                    );
                    assert_eq!(
                        app.count("care_case_step").await,
                        steps,
                        "{role:?} {from}→{to}"
                    );
                }
            }
        }
    }
    // Illegal steps are refused as such, for everyone, and change nothing.
    let case = case_in(app, &city, family, Workflow::EmergencyAid, "requested").await;
    let steps = app.count("care_case_step").await;
    for (to, amount) in [("disbursed", Some(1000)), ("paid", None), ("closed", None)] {
        let after_close = to == "closed";
        let body = move_case(app, &city, &case, to, amount).await;
        if after_close {
            // requested → closed is legal (withdrawn); a second close is not.
            ok(&body);
            let again = move_case(app, &city, &case, "closed", None).await;
            assert_eq!(error_code(&again), Some("BAD_USER_INPUT"), "{again}");
            assert_eq!(error_field(&again), Some("to"));
        } else {
            assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
            assert_eq!(app.count("care_case_step").await, steps);
        }
    }
    // Approval without an amount is refused with the field at fault.
    let case = case_in(app, &city, family, Workflow::EmergencyAid, "assessed").await;
    let body = move_case(app, &city, &case, "approved", None).await;
    assert_eq!(error_field(&body), Some("amountFen"), "{body}");
}

const SESSIONS_WITH_NOTES: &str =
    "query($f: ID!) { counsellingSessions(familyId: $f) { id counsellorName notes } }";
const SESSIONS: &str =
    "query($f: ID!) { counsellingSessions(familyId: $f) { id counsellorName heldOn } }";

on_both_backends!(counselling_notes_are_for_their_author_and_supervisors);
async fn counselling_notes_are_for_their_author_and_supervisors(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    let author = app.token(StaffRole::Counsellor, "411002").await;
    let colleague = app.token(StaffRole::Counsellor, "411002").await;
    let supervisor = app.token(StaffRole::CounsellingSupervisor, "411002").await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let held = app
        .gql(
            &author,
            "mutation($input: RecordCounsellingInput!) { recordCounselling(input: $input) { id } }",
            json!({ "input": { "familyId": gid("Family", family), "memberId": gid("Member", members[1]),
                "heldOn": today(app).to_string(), "notes": "失独后失眠，情绪低落，约两周后再谈" } }),
        )
        .await;
    ok(&held);
    let f = json!({ "f": gid("Family", family) });
    let logged = app.count("access_log").await;
    let mine = app.gql(&author, SESSIONS_WITH_NOTES, f.clone()).await;
    ok(&mine);
    assert_eq!(
        mine["data"]["counsellingSessions"][0]["notes"],
        "失独后失眠，情绪低落，约两周后再谈"
    );
    assert_eq!(
        app.count("access_log").await,
        logged + 1,
        "the read is logged"
    );
    let theirs = app.gql(&colleague, SESSIONS_WITH_NOTES, f.clone()).await;
    ok(&theirs);
    assert!(
        theirs["data"]["counsellingSessions"][0]["notes"].is_null(),
        "{theirs}"
    );
    let sup = app.gql(&supervisor, SESSIONS_WITH_NOTES, f.clone()).await;
    assert_eq!(
        sup["data"]["counsellingSessions"][0]["notes"],
        "失独后失眠，情绪低落，约两周后再谈"
    );
    // The city sees that a session took place, never what was said.
    let took_place = app.gql(&city, SESSIONS, f.clone()).await;
    ok(&took_place);
    assert_eq!(
        took_place["data"]["counsellingSessions"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let refused = app.gql(&city, SESSIONS_WITH_NOTES, f.clone()).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    assert_eq!(
        refused["errors"][0]["path"],
        json!(["counsellingSessions", 0, "notes"])
    );
    assert!(
        refused["data"]["counsellingSessions"][0]["notes"].is_null(),
        "{refused}"
    );
    let fields = app
        .gql(
            &city,
            "{ __type(name: \"CounsellingSession\") { fields { name } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = fields["data"]["__type"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(
        names.contains(&"heldOn") && !names.contains(&"notes"),
        "{names:?}"
    );
    // Stored encrypted: the clear text is nowhere in the row.
    let stored = app
        .store
        .stored_rows("counselling_note")
        .await
        .expect("rows");
    assert!(!format!("{stored:?}").contains("失眠"));
}

on_both_backends!(a_volunteer_reaches_only_paired_families_adults_and_visits);
async fn a_volunteer_reaches_only_paired_families_adults_and_visits(app: &TestApp) {
    let (paired, members) = app.family_with("411002001001", 1, true).await;
    let (other, _) = app.family_at("411002001001", 2).await;
    let (_, volunteer) = app.volunteer(&[paired]).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let grandchild = members[2];
    let day = today(app).to_string();
    // A record about the grandchild (school place) and one about the family.
    ok(&record(app, &township, json!({ "familyId": gid("Family", paired), "memberId": gid("Member", grandchild),
        "kind": "SERVICE", "serviceCode": "school_place", "occurredOn": day, "content": "协调入学" })).await);
    ok(&record(
        app,
        &township,
        json!({ "familyId": gid("Family", paired), "kind": "VISIT",
        "occurredOn": day, "content": "节日慰问" }),
    )
    .await);

    let fams = app
        .gql(
            &volunteer,
            "{ families { edges { node { id members { id name } } } } }",
            json!({}),
        )
        .await;
    ok(&fams);
    let edges = fams["data"]["families"]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 1);
    let names: Vec<&Value> = edges[0]["node"]["members"]
        .as_array()
        .expect("m")
        .iter()
        .collect();
    assert_eq!(names.len(), 2, "no minors for a volunteer: {fams}");
    let q =
        "query($f: ID!) { careRecords(familyId: $f) { edges { node { kind memberId content } } } }";
    let recs = app
        .gql(&volunteer, q, json!({ "f": gid("Family", paired) }))
        .await;
    ok(&recs);
    let recs = recs["data"]["careRecords"]["edges"]
        .as_array()
        .expect("edges");
    assert_eq!(recs.len(), 1, "the record about the minor stays hidden");
    assert_eq!(recs[0]["node"]["kind"], "VISIT");
    // Control: the township sees both, and its read of the minor's record is logged.
    let logged = app.count("access_log").await;
    let all = app
        .gql(&township, q, json!({ "f": gid("Family", paired) }))
        .await;
    assert_eq!(
        all["data"]["careRecords"]["edges"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(app.count("access_log").await, logged + 1);

    // The volunteer logs a visit of their pairing; nothing else, nowhere else.
    let visit = record(
        app,
        &volunteer,
        json!({ "familyId": gid("Family", paired), "kind": "VISIT",
        "occurredOn": day, "content": "陪老人聊天", "location": "家中" }),
    )
    .await;
    ok(&visit);
    assert!(!visit["data"]["recordCare"]["pairingId"].is_null());
    assert_eq!(
        visit["data"]["recordCare"]["performerName"]
            .as_str()
            .map(|s| s.starts_with("volunteer")),
        Some(true)
    );
    let before = app.count("care_record").await;
    let elsewhere = record(
        app,
        &volunteer,
        json!({ "familyId": gid("Family", other), "kind": "VISIT",
        "occurredOn": day, "content": "x" }),
    )
    .await;
    assert_eq!(error_code(&elsewhere), Some("NOT_FOUND"), "{elsewhere}");
    let service = record(
        app,
        &volunteer,
        json!({ "familyId": gid("Family", paired), "kind": "SERVICE",
        "occurredOn": day, "content": "x" }),
    )
    .await;
    assert_eq!(error_code(&service), Some("FORBIDDEN"), "{service}");
    let health = record(
        app,
        &volunteer,
        json!({ "familyId": gid("Family", paired), "memberId": gid("Member", members[0]),
        "kind": "CHECKUP", "occurredOn": day, "content": "x" }),
    )
    .await;
    assert_eq!(error_code(&health), Some("FORBIDDEN"), "{health}");
    assert_eq!(app.count("care_record").await, before);
    // No health, no counselling, no cases in a volunteer's schema.
    for field in [
        "chronicConditions",
        "counsellingSessions",
        "cases",
        "accountability",
    ] {
        let body = app
            .gql(
                &volunteer,
                &format!("{{ {field}(familyId: \"x\") {{ __typename }} }}"),
                json!({}),
            )
            .await;
        assert!(body["data"].is_null(), "{field}: {body}");
    }
}

on_both_backends!(timeline_pages_stay_stable_while_records_arrive);
async fn timeline_pages_stay_stable_while_records_arrive(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let day = today(app);
    for i in 0..24u64 {
        let on = day.checked_sub_days(Days::new(i % 8)).expect("day");
        ok(&record(
            app,
            &township,
            json!({ "familyId": gid("Family", family), "kind": "VISIT",
            "occurredOn": on.to_string(), "content": format!("走访 {i}") }),
        )
        .await);
    }
    let q = "query($f: ID!, $after: String) { familyTimeline(familyId: $f, first: 10, after: $after) {
      edges { cursor node { on kind careRecord { id content } statusChange { to } } } pageInfo { hasNextPage endCursor } } }";
    let page = |after: Value| {
        app.gql(
            &township,
            q,
            json!({ "f": gid("Family", family), "after": after }),
        )
    };
    let mut seen: Vec<Value> = Vec::new();
    let first = page(Value::Null).await;
    ok(&first);
    let mut cursor = first["data"]["familyTimeline"]["pageInfo"]["endCursor"].clone();
    seen.extend(
        first["data"]["familyTimeline"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"].clone()),
    );
    // New records of today arrive between pages: they sort before the cursor.
    for i in 0..3 {
        ok(&record(
            app,
            &township,
            json!({ "familyId": gid("Family", family), "kind": "VISIT",
            "occurredOn": day.to_string(), "content": format!("新记录 {i}") }),
        )
        .await);
    }
    loop {
        let body = page(cursor.clone()).await;
        ok(&body);
        let t = &body["data"]["familyTimeline"];
        seen.extend(
            t["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"].clone()),
        );
        if t["pageInfo"]["hasNextPage"] != true {
            break;
        }
        cursor = t["pageInfo"]["endCursor"].clone();
    }
    let contents: Vec<&str> = seen
        .iter()
        .filter_map(|n| n["careRecord"]["content"].as_str())
        .collect();
    assert_eq!(
        contents.len(),
        24,
        "every old record once, none of the new: {contents:?}"
    );
    let mut unique = contents.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 24);
    assert!(!contents.iter().any(|c| c.starts_with("新记录")));
    // Newest first, and the registration's status entry comes last (it is the oldest).
    let days: Vec<&str> = seen.iter().filter_map(|n| n["on"].as_str()).collect();
    let mut sorted = days.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(days, sorted);
    // A garbage cursor is a typed error.
    let bad = page(json!("not-a-cursor")).await;
    assert_eq!(error_field(&bad), Some("after"), "{bad}");
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

async fn upload(
    app: &TestApp,
    token: &str,
    family: &str,
    name: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let uri = format!(
        "/attachments?familyId={family}&name={}",
        name.bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    );
    let req = atest::TestRequest::post()
        .uri(&uri)
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", "application/octet-stream"))
        .set_payload(body);
    let (status, _, json) = app.send(req).await;
    (status.as_u16(), json)
}

on_both_backends!(attachments_are_checked_by_content_and_served_by_the_policy);
async fn attachments_are_checked_by_content_and_served_by_the_policy(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    let (other_family, _) = app.family_at("411024001001", 2).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let elsewhere = app.token(StaffRole::CountyAdmin, "411024").await;
    let fid = gid("Family", family);
    let before = app.count("attachment").await;
    let (status, body) = upload(app, &township, &fid, "走访照片.png", PNG.to_vec()).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(body["contentType"], "image/png");
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(PNG)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(body["sha256"], digest);
    // Refused: too large, a script named .png, a path for a name, no token.
    let mut big = PNG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let (status, body) = upload(app, &township, &fid, "big.png", big).await;
    assert_eq!(status, 413, "{body}");
    let (status, body) = upload(
        app,
        &township,
        &fid,
        "photo.png",
        b"#!/bin/sh\necho hi\n".to_vec(),
    )
    .await;
    assert_eq!(status, 415, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "file");
    let (status, body) = upload(app, &township, &fid, "../../etc/passwd", PNG.to_vec()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "name");
    let (status, _) = upload(app, &elsewhere, &fid, "x.png", PNG.to_vec()).await;
    assert_eq!(status, 404, "another county's family is not found");
    assert_eq!(app.count("attachment").await, before + 1);

    // Download through the same policy: the bytes for the township, NOT_FOUND elsewhere.
    let get = |token: &str| {
        atest::TestRequest::get()
            .uri(&format!("/attachments/{id}"))
            .insert_header(("authorization", format!("Bearer {token}")))
    };
    let app_svc = atest::init_service(
        actix_web::App::new().configure(nuanxin_server::http::routes(app.state.clone())),
    )
    .await;
    let resp = atest::call_service(&app_svc, get(&township).to_request()).await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert_eq!(atest::read_body(resp).await.as_ref(), PNG);
    let (status, _, _) = app.send(get(&elsewhere)).await;
    assert_eq!(status.as_u16(), 404);

    // A record may link only attachments of its own family.
    let day = today(app).to_string();
    let linked = record(
        app,
        &township,
        json!({ "familyId": fid, "kind": "VISIT", "occurredOn": day,
        "content": "走访", "attachmentIds": [id] }),
    )
    .await;
    ok(&linked);
    assert_eq!(
        linked["data"]["recordCare"]["attachments"][0]["url"],
        format!("/attachments/{id}")
    );
    let county_b = app.token(StaffRole::CountyAdmin, "411024").await;
    let wrong = record(
        app,
        &county_b,
        json!({ "familyId": gid("Family", other_family), "kind": "VISIT",
        "occurredOn": day, "content": "走访", "attachmentIds": [id] }),
    )
    .await;
    assert_eq!(error_field(&wrong), Some("attachmentIds"), "{wrong}");
}

on_both_backends!(care_records_are_append_only_and_corrected_by_new_records);
async fn care_records_are_append_only_and_corrected_by_new_records(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let (family, _) = app.family_at("411002001001", 1).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let day = today(app).to_string();
    let first = record(
        app,
        &township,
        json!({ "familyId": gid("Family", family), "kind": "VISIT",
        "occurredOn": day, "content": "送米面油", "goodsFen": 200_000 }),
    )
    .await;
    ok(&first);
    let old = first["data"]["recordCare"]["id"].clone();
    let fixed = record(app, &township, json!({ "familyId": gid("Family", family), "kind": "VISIT",
        "occurredOn": day, "content": "送米面油（更正金额）", "goodsFen": 20_000, "correctsId": old })).await;
    ok(&fixed);
    assert_eq!(fixed["data"]["recordCare"]["correctsId"], old);
    // Bad input is typed and writes nothing.
    let before = app.count("care_record").await;
    let tomorrow = today(app).succ_opt().expect("day").to_string();
    for (input, field) in [
        (
            json!({ "familyId": gid("Family", family), "kind": "VISIT", "occurredOn": tomorrow, "content": "x" }),
            "occurredOn",
        ),
        (
            json!({ "familyId": gid("Family", family), "kind": "VISIT", "occurredOn": day, "content": "x", "moneyFen": -5 }),
            "moneyFen",
        ),
        (
            json!({ "familyId": gid("Family", family), "kind": "CHECKUP", "occurredOn": day, "content": "x" }),
            "memberId",
        ),
        (
            json!({ "familyId": gid("Family", family), "kind": "VISIT", "occurredOn": day, "content": "x", "serviceCode": "nope" }),
            "serviceCode",
        ),
    ] {
        let body = record(app, &township, input).await;
        assert_eq!(error_field(&body), Some(field), "{body}");
    }
    assert_eq!(app.count("care_record").await, before);
    // The database itself refuses an edit or a removal.
    let db = app.store.raw_connection();
    assert!(
        db.execute_unprepared("UPDATE care_record SET goods_fen = 0")
            .await
            .is_err()
    );
    assert!(
        db.execute_unprepared("DELETE FROM care_record")
            .await
            .is_err()
    );
    assert_eq!(app.count("care_record").await, before);
}

on_both_backends!(timeline_and_accountability_cost_the_same_whatever_their_size);
async fn timeline_and_accountability_cost_the_same_whatever_their_size(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let day = today(app);
    for i in 0..110u64 {
        let on = day.checked_sub_days(Days::new(i % 30)).expect("day");
        ok(&record(
            app,
            &township,
            json!({ "familyId": gid("Family", family), "kind": "VISIT",
            "occurredOn": on.to_string(), "content": format!("走访 {i}") }),
        )
        .await);
    }
    ok(&open_aid(app, &township, family).await);
    let q = "query($f: ID!, $n: Int!) { familyTimeline(familyId: $f, first: $n) { edges { node { on kind
      careRecord { id attachments { id } } case { id steps { to } } } } } }";
    let mut costs = Vec::new();
    for n in [20, 100] {
        let before = app.store.statement_count();
        let body = app
            .gql(&township, q, json!({ "f": gid("Family", family), "n": n }))
            .await;
        ok(&body);
        assert_eq!(
            body["data"]["familyTimeline"]["edges"]
                .as_array()
                .map(Vec::len),
            Some(n as usize)
        );
        costs.push(app.store.statement_count() - before);
    }
    assert_eq!(costs[0], costs[1], "timeline of 20 vs 100: {costs:?}");

    for i in 0..6u16 {
        app.family_at(
            if i % 2 == 0 {
                "411002001001"
            } else {
                "411002002001"
            },
            10 + i,
        )
        .await;
    }
    // The first request of a token also looks at its account (then cached).
    app.gql(&county, "{ me { id } }", json!({})).await;
    let mut costs = Vec::new();
    for region in ["411002001", "411002"] {
        let before = app.store.statement_count();
        let body = app
            .gql(&county, ACCOUNTABILITY, json!({ "region": region }))
            .await;
        ok(&body);
        costs.push(app.store.statement_count() - before);
    }
    assert_eq!(costs[0], costs[1], "a township vs a county: {costs:?}");
}

on_both_backends!(campaign_coverage_counts_visited_families_per_township);
async fn campaign_coverage_counts_visited_families_per_township(app: &TestApp) {
    let (a, _) = app.family_at("411002001001", 1).await;
    let (_b, _) = app.family_at("411002001001", 2).await;
    let (c, _) = app.family_at("411002002001", 3).await;
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let day = today(app);
    let created = app
        .gql(
            &county,
            "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id name } }",
            json!({ "input": { "name": "2027年春节慰问", "regionCode": "411002",
                "startsOn": day.to_string(), "endsOn": day.checked_add_days(Days::new(20)).expect("d").to_string(),
                "moneyFen": 50_000, "goodsDescription": "米、面、油", "goodsFen": 15_000 } }),
        )
        .await;
    ok(&created);
    let campaign = created["data"]["createCampaign"]["id"].clone();
    // A township may not declare one; it sees the county's.
    let refused = app
        .gql(
            &township,
            "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }",
            json!({ "input": { "name": "x", "regionCode": "411002001", "startsOn": day.to_string(),
                "endsOn": day.to_string(), "moneyFen": 1 } }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let seen = app
        .gql(&township, "{ campaigns { id name } }", json!({}))
        .await;
    assert_eq!(seen["data"]["campaigns"][0]["id"], campaign);
    ok(&record(app, &township, json!({ "familyId": gid("Family", a), "kind": "VISIT", "campaignId": campaign,
        "occurredOn": day.to_string(), "content": "春节慰问", "moneyFen": 50_000, "goodsFen": 15_000 })).await);
    let county_visit = record(app, &county, json!({ "familyId": gid("Family", c), "kind": "VISIT", "campaignId": campaign,
        "occurredOn": day.checked_add_days(Days::new(30)).map(|_| day).expect("d").to_string(), "content": "春节慰问" })).await;
    ok(&county_visit);
    let view = app
        .gql(
            &county,
            ACCOUNTABILITY,
            json!({ "region": "411002", "campaign": campaign }),
        )
        .await;
    ok(&view);
    let a_ = &view["data"]["accountability"];
    assert_eq!(a_["campaign"]["families"], 3, "{view}");
    assert_eq!(a_["campaign"]["visited"], 2);
    assert_eq!(a_["campaign"]["coveragePerMille"], 666);
    assert_eq!(
        a_["campaign"]["notVisitedFamilyIds"],
        json!([gid("Family", _b)]),
        "per-family completion"
    );
    let t1 = a_["townships"]
        .as_array()
        .expect("t")
        .iter()
        .find(|t| t["townshipCode"] == "411002001")
        .cloned()
        .expect("t1");
    assert_eq!(
        (
            t1["campaignFamilies"].clone(),
            t1["campaignVisited"].clone()
        ),
        (json!(2), json!(1))
    );
    // A visit outside the window is refused with the field at fault.
    let late = record(
        app,
        &township,
        json!({ "familyId": gid("Family", a), "kind": "VISIT", "campaignId": campaign,
        "occurredOn": day.checked_sub_days(Days::new(1)).expect("d").to_string(), "content": "x" }),
    )
    .await;
    assert_eq!(error_field(&late), Some("occurredOn"), "{late}");
}

on_both_backends!(reading_a_minor_is_logged_and_reading_adults_is_not);
async fn reading_a_minor_is_logged_and_reading_adults_is_not(app: &TestApp) {
    let (with_child, members) = app.family_with("411002001001", 1, true).await;
    let (adults, _) = app.family_at("411002001001", 2).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let q = "query($id: ID!) { family(id: $id) { members { name role } } }";
    let logged = app.count("access_log").await;
    let body = app
        .gql(&township, q, json!({ "id": gid("Family", adults) }))
        .await;
    ok(&body);
    assert_eq!(
        app.count("access_log").await,
        logged,
        "adults: nothing logged"
    );
    let body = app
        .gql(&township, q, json!({ "id": gid("Family", with_child) }))
        .await;
    ok(&body);
    assert_eq!(
        body["data"]["family"]["members"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(
        app.count("access_log").await,
        logged + 1,
        "the minor's read is logged"
    );
    let one = app
        .gql(
            &township,
            "query($id: ID!) { member(id: $id) { name } }",
            json!({ "id": gid("Member", members[2]) }),
        )
        .await;
    ok(&one);
    assert_eq!(app.count("access_log").await, logged + 2);
}

on_both_backends!(care_outside_the_callers_region_is_not_found);
async fn care_outside_the_callers_region_is_not_found(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let other_county = app.token(StaffRole::CountyAdmin, "411024").await;
    let other_township = app.token(StaffRole::TownshipWorker, "411002002").await;
    let case = open_aid(app, &township, family).await;
    ok(&case);
    let case_id = case["data"]["openCase"]["id"].clone();
    let f = gid("Family", family);
    for token in [&other_county, &other_township] {
        let body = app
            .gql(
                token,
                "query($id: ID!) { case(id: $id) { id } }",
                json!({ "id": case_id }),
            )
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
        let body = app
            .gql(
                token,
                "query($f: ID!) { familyTimeline(familyId: $f) { edges { cursor } } }",
                json!({ "f": f }),
            )
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
        let body = app
            .gql(token, "{ cases { edges { node { id } } } }", json!({}))
            .await;
        assert_eq!(
            body["data"]["cases"]["edges"].as_array().map(Vec::len),
            Some(0),
            "{body}"
        );
        let before = app.count("care_case_step").await;
        let body = move_case(app, token, &case_id, "assessed", None).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
        assert_eq!(app.count("care_case_step").await, before);
        let body = open_aid(app, token, family).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    }
    let body = app
        .gql(&other_county, ACCOUNTABILITY, json!({ "region": "411002" }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    // Control: the family's own township reads all of it.
    let body = app
        .gql(
            &township,
            "query($id: ID!) { case(id: $id) { id } }",
            json!({ "id": case_id }),
        )
        .await;
    ok(&body);
    let body = app
        .gql(&township, "{ cases { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["cases"]["edges"].as_array().map(Vec::len),
        Some(1)
    );
}

on_both_backends!(sites_volunteers_activities_and_devices);
async fn sites_volunteers_activities_and_devices(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let village = app.token(StaffRole::VillageWorker, "411002001001").await;
    let site = app
        .gql(
            &township,
            "mutation($input: AddCareSiteInput!) { addCareSite(input: $input) { id name teams { id name } } }",
            json!({ "input": { "name": "东关莲花暖心家园", "regionCode": "411002001",
                "venue": "东关社区日间照料中心", "teamName": "东关暖心志愿服务队" } }),
        )
        .await;
    ok(&site);
    let site_id = site["data"]["addCareSite"]["id"].clone();
    let team = site["data"]["addCareSite"]["teams"][0]["id"].clone();
    let added = app
        .gql(
            &township,
            "mutation($input: AddVolunteerInput!) { addVolunteer(input: $input) { id name phoneMasked } }",
            json!({ "input": { "teamId": team, "name": "赵志愿", "phone": "13912345678" } }),
        )
        .await;
    ok(&added);
    assert_eq!(added["data"]["addVolunteer"]["phoneMasked"], "139****5678");
    let stored = app.store.stored_rows("volunteer").await.expect("rows");
    assert!(
        !format!("{stored:?}").contains("13912345678"),
        "the phone is encrypted at rest"
    );
    let volunteer = added["data"]["addVolunteer"]["id"].clone();
    let activity = app
        .gql(
            &township,
            "mutation($input: RecordActivityInput!) { recordActivity(input: $input) { invited attended } }",
            json!({ "input": { "siteId": site_id, "title": "重阳节茶话会", "heldOn": today(app).to_string(),
                "participants": [
                    { "memberId": gid("Member", members[0]), "attended": true },
                    { "memberId": gid("Member", members[1]), "attended": false },
                    { "volunteerId": volunteer, "attended": true } ] } }),
        )
        .await;
    ok(&activity);
    assert_eq!(activity["data"]["recordActivity"]["invited"], 3);
    assert_eq!(activity["data"]["recordActivity"]["attended"], 2);
    // A village worker reads the sites, but does not manage them.
    let sites = app.gql(&village, "{ careSites { name } }", json!({})).await;
    assert_eq!(sites["data"]["careSites"][0]["name"], "东关莲花暖心家园");
    let refused = app
        .gql(&village, "mutation($input: AddCareSiteInput!) { addCareSite(input: $input) { id } }",
            json!({ "input": { "name": "x", "regionCode": "411002001001", "venue": "x", "teamName": "x" } }))
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    // An emergency-call device, once per serial.
    let q = "mutation($input: RegisterDeviceInput!) { registerEmergencyDevice(input: $input) { id serial } }";
    let input = json!({ "input": { "familyId": gid("Family", family), "memberId": gid("Member", members[0]), "serial": "SOS-0001" } });
    ok(&app.gql(&village, q, input.clone()).await);
    let again = app.gql(&village, q, input).await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
    assert_eq!(app.count("emergency_device").await, 1);
}

on_both_backends!(the_timeline_shows_each_caller_only_what_it_may_see);
async fn the_timeline_shows_each_caller_only_what_it_may_see(app: &TestApp) {
    let (family, members) = app.family_at("411002001001", 1).await;
    let (_, volunteer) = app.volunteer(&[family]).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let counsellor = app.token(StaffRole::Counsellor, "411002").await;
    ok(&open_aid(app, &township, family).await);
    ok(&app
        .gql(
            &counsellor,
            "mutation($input: RecordCounsellingInput!) { recordCounselling(input: $input) { id } }",
            json!({ "input": { "familyId": gid("Family", family), "memberId": gid("Member", members[0]),
                "heldOn": today(app).to_string(), "notes": "谈话记录" } }),
        )
        .await);
    ok(&record(
        app,
        &township,
        json!({ "familyId": gid("Family", family), "kind": "VISIT",
        "occurredOn": today(app).to_string(), "content": "走访" }),
    )
    .await);
    ok(&record(
        app,
        &township,
        json!({ "familyId": gid("Family", family), "memberId": gid("Member", members[1]),
        "kind": "CHECKUP", "occurredOn": today(app).to_string(), "content": "体检正常" }),
    )
    .await);
    let kinds = |body: &Value| -> Vec<String> {
        let mut k: Vec<String> = body["data"]["familyTimeline"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| {
                let n = &e["node"];
                match n["kind"].as_str() {
                    Some("CARE_RECORD") => format!(
                        "CARE_RECORD:{}",
                        n["careRecord"]["kind"].as_str().unwrap_or("")
                    ),
                    other => other.unwrap_or("").to_owned(),
                }
            })
            .collect();
        k.sort();
        k
    };
    let staff_q =
        "query($f: ID!) { familyTimeline(familyId: $f) { edges { node { kind careRecord { kind }
      case { state } counsellingSession { counsellorName } pairing { id } } } } }";
    let seen = app
        .gql(&township, staff_q, json!({ "f": gid("Family", family) }))
        .await;
    ok(&seen);
    assert_eq!(
        kinds(&seen),
        [
            "CARE_RECORD:CHECKUP",
            "CARE_RECORD:VISIT",
            "CASE",
            "COUNSELLING_SESSION",
            "PAIRING",
            "STATUS_CHANGE"
        ],
        "{seen}"
    );
    // The volunteer: the visit, the pairing and the registration; no health, case or
    // counselling (nor the fields to ask for them).
    let vol_q = "query($f: ID!) { familyTimeline(familyId: $f) { edges { node { kind careRecord { kind } pairing { id } } } } }";
    let seen = app
        .gql(&volunteer, vol_q, json!({ "f": gid("Family", family) }))
        .await;
    ok(&seen);
    assert_eq!(
        kinds(&seen),
        ["CARE_RECORD:VISIT", "PAIRING", "STATUS_CHANGE"],
        "{seen}"
    );
    let asked = app
        .gql(&volunteer, staff_q, json!({ "f": gid("Family", family) }))
        .await;
    assert!(asked["errors"].is_array(), "{asked}");
}

on_both_backends!(care_slice_matrix_follows_the_policy);
/// Every network audience × (a family it reaches, one it does not) × (read, write) of care
/// records, expected from the policy's declaration: not granted ⇒ FORBIDDEN (anonymous:
/// UNAUTHENTICATED), granted and inside ⇒ allowed, granted and outside ⇒ NOT_FOUND.
async fn care_slice_matrix_follows_the_policy(app: &TestApp) {
    use nuanxin_domain::Operation;
    let (inside, members) = app.family_at("411002001001", 1).await;
    let (outside, _) = app.family_at("411024001001", 2).await;
    let tokens = app.token_per_audience(inside, members[0], &[inside]).await;
    let read = "query($f: ID!) { careRecords(familyId: $f) { edges { node { id } } } }";
    let outcome = |body: &Value, field: &str| -> &'static str {
        match error_code(body) {
            None if !body["data"][field].is_null() => "allowed",
            Some("NOT_FOUND") => "not found",
            Some("FORBIDDEN") => "forbidden",
            other => panic!("unexpected {other:?}: {body}"),
        }
    };
    let mut checked = 0;
    for (audience, token) in &tokens {
        let grant = audience.grant();
        // The city admin's rows are the whole city: the other county is inside for them.
        let city_wide = *audience == Audience::Staff(StaffRole::CityAdmin);
        for (family, is_inside) in [(inside, true), (outside, city_wide)] {
            let expect = |op: Operation| match (grant.allows(op), is_inside) {
                (false, _) => "forbidden",
                (true, true) => "allowed",
                (true, false) => "not found",
            };
            let body = app
                .gql(token, read, json!({ "f": gid("Family", family) }))
                .await;
            assert_eq!(
                outcome(&body, "careRecords"),
                expect(Operation::ReadCare),
                "{} read {is_inside}: {body}",
                audience.name()
            );
            let before = app.count("care_record").await;
            let body = record(
                app,
                token,
                json!({ "familyId": gid("Family", family), "kind": "VISIT",
                "occurredOn": today(app).to_string(), "content": "走访" }),
            )
            .await;
            let expected = expect(Operation::RecordCare);
            assert_eq!(
                outcome(&body, "recordCare"),
                expected,
                "{} write {is_inside}: {body}",
                audience.name()
            );
            let after = app.count("care_record").await;
            assert_eq!(
                after,
                before + u64::from(expected == "allowed") as i64,
                "{}",
                audience.name()
            );
            checked += 1;
        }
    }
    assert!(checked >= 2 * 17, "{checked}");
    // Anonymous callers are asked to log in.
    let (_, body) = app
        .gql_full(None, read, json!({ "f": gid("Family", inside) }))
        .await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}
