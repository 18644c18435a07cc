//! The slice matrix: each staff role × (own region, a child region, a sibling region) ×
//! (read, update) is allowed or NOT_FOUND exactly as the policy says; the auditor reads
//! masked values and cannot mutate.

use nuanxin_domain::StaffRole;
use nuanxin_tests::{TestApp, error_code, gid, on_both_backends};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    NotFound,
    Forbidden,
}

const READ: &str =
    "query($id: ID!) { family(id: $id) { id regionCode members { idNumber phone } } }";
const UPDATE: &str = "mutation($id: ID!, $address: String!) { updateMember(id: $id, input: { address: $address }) { id address } }";

/// The address stored for a member, read from the table itself.
async fn stored_address(app: &TestApp, member: uuid::Uuid) -> Option<String> {
    app.store
        .stored_rows("member")
        .await
        .expect("rows")
        .into_iter()
        .find(|r| r["id"].as_str() == Some(member.to_string().as_str()))
        .and_then(|r| r["address"].as_str().map(str::to_owned))
}

fn outcome(body: &Value, field: &str) -> Expect {
    match error_code(body) {
        None if !body["data"][field].is_null() => Expect::Allowed,
        Some("NOT_FOUND") => Expect::NotFound,
        Some("FORBIDDEN") => Expect::Forbidden,
        other => panic!("unexpected answer {other:?}: {body}"),
    }
}

on_both_backends!(slice_matrix);
async fn slice_matrix(app: &TestApp) {
    // A and B: two villages of township 411002001; C: township 411002002 (same county);
    // D: another county (411024).
    let (a, a_members) = app.family_at("411002001001", 1).await;
    let (b, b_members) = app.family_at("411002001002", 2).await;
    let (c, c_members) = app.family_at("411002002001", 3).await;
    let (d, d_members) = app.family_at("411024001001", 4).await;
    let fam = |id| gid("Family", id);
    let mem = |ids: &Vec<uuid::Uuid>| gid("Member", ids[0]);

    use Expect::*;
    // (role, home, [(family, member, read, update, what)])
    let table = vec![
        (
            StaffRole::CityAdmin,
            "411000",
            vec![
                (a, &a_members, Allowed, Allowed, "own"),
                (d, &d_members, Allowed, Allowed, "child county"),
            ],
        ),
        (
            StaffRole::CountyAdmin,
            "411002",
            vec![
                (a, &a_members, Allowed, Allowed, "own"),
                (c, &c_members, Allowed, Allowed, "child township"),
                (d, &d_members, NotFound, NotFound, "sibling county"),
            ],
        ),
        (
            StaffRole::TownshipWorker,
            "411002001",
            vec![
                (a, &a_members, Allowed, Allowed, "own"),
                (b, &b_members, Allowed, Allowed, "child village"),
                (c, &c_members, NotFound, NotFound, "sibling township"),
            ],
        ),
        (
            StaffRole::VillageWorker,
            "411002001001",
            vec![
                (a, &a_members, Allowed, Allowed, "own"),
                (b, &b_members, NotFound, NotFound, "sibling village"),
            ],
        ),
        (
            StaffRole::Auditor,
            "411002",
            vec![
                (a, &a_members, Allowed, Forbidden, "own"),
                (c, &c_members, Allowed, Forbidden, "child township"),
                (d, &d_members, NotFound, Forbidden, "sibling county"),
            ],
        ),
    ];
    let mut n = 0;
    for (role, home, cases) in table {
        let token = app.token(role, home).await;
        for (family, members, read, update, what) in cases {
            let body = app.gql(&token, READ, json!({ "id": fam(family) })).await;
            assert_eq!(
                outcome(&body, "family"),
                read,
                "{role:?}@{home} read {what}: {body}"
            );
            if read == Allowed {
                let id = body["data"]["family"]["members"][0]["idNumber"]
                    .as_str()
                    .expect("id number");
                assert!(
                    id.contains("********"),
                    "{role:?} must see masked ID numbers, got {id}"
                );
            }
            // Each update writes an address of its own, so the table shows which went in.
            n += 1;
            let address = format!("河南省许昌市新地址{n}号");
            let body = app
                .gql(
                    &token,
                    UPDATE,
                    json!({ "id": mem(members), "address": address }),
                )
                .await;
            assert_eq!(
                outcome(&body, "updateMember"),
                update,
                "{role:?}@{home} update {what}: {body}"
            );
            assert_eq!(
                stored_address(app, members[0]).await == Some(address),
                update == Allowed,
                "{role:?}@{home} update {what}: the stored address"
            );
        }
    }
}

on_both_backends!(list_is_sliced);
async fn list_is_sliced(app: &TestApp) {
    app.family_at("411002001001", 1).await;
    app.family_at("411002002001", 2).await;
    app.family_at("411024001001", 3).await;
    app.family_at("411002001002", 4).await;
    let q = "{ families(first: 50) { edges { node { regionCode } } } }";
    let count = async |role, home| {
        let body = app.gql(&app.token(role, home).await, q, json!({})).await;
        body["data"]["families"]["edges"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(usize::MAX)
    };
    assert_eq!(count(StaffRole::CityAdmin, "411000").await, 4);
    assert_eq!(count(StaffRole::CountyAdmin, "411002").await, 3);
    assert_eq!(count(StaffRole::CountyAdmin, "411024").await, 1);
    assert_eq!(count(StaffRole::TownshipWorker, "411002001").await, 2);
    // Two villages of one township, one family each: each worker sees their own only.
    assert_eq!(count(StaffRole::VillageWorker, "411002001002").await, 1);
    assert_eq!(count(StaffRole::VillageWorker, "411002001001").await, 1);
    assert_eq!(count(StaffRole::VillageWorker, "411002002002").await, 0);
    // A filter cannot widen the slice: asking for another county gives nothing.
    let body = app
        .gql(
            &app.token(StaffRole::CountyAdmin, "411002").await,
            "{ families(filter: { regionCode: \"411024\" }) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["families"]["edges"], json!([]));
}

on_both_backends!(registration_outside_own_region_is_refused);
async fn registration_outside_own_region_is_refused(app: &TestApp) {
    let token = app.token(StaffRole::CountyAdmin, "411002").await;
    let before = app.count("family").await;
    let body = app
        .gql(
            &token,
            crate::registry::REGISTER,
            crate::registry::register_vars("411024001001", "41102419640212002"),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(nuanxin_tests::error_field(&body), Some("regionCode"));
    assert_eq!(app.count("family").await, before);
}

const READ_FAMILY: &str = "query($id: ID!) { family(id: $id) { id members { name } } }";
const READ_MEMBER: &str = "query($id: ID!) { member(id: $id) { id name } }";
const LIST: &str = "{ families(first: 50) { edges { node { id } } } }";

/// What one caller gets for a family and a member: Allowed, NotFound or Forbidden.
async fn reach(
    app: &TestApp,
    token: &str,
    family: uuid::Uuid,
    member: uuid::Uuid,
) -> (Expect, Expect) {
    let f = app
        .gql(token, READ_FAMILY, json!({ "id": gid("Family", family) }))
        .await;
    let m = app
        .gql(token, READ_MEMBER, json!({ "id": gid("Member", member) }))
        .await;
    (outcome(&f, "family"), outcome(&m, "member"))
}

async fn listed(app: &TestApp, token: &str) -> Vec<String> {
    let body = app.gql(token, LIST, json!({})).await;
    body["data"]["families"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
        .collect()
}

on_both_backends!(partners_families_and_volunteers_reach_exactly_their_rows);
async fn partners_families_and_volunteers_reach_exactly_their_rows(app: &TestApp) {
    use Expect::*;
    use nuanxin_domain::PartnerKind;
    let (a, a_members) = app.family_at("411002001001", 1).await;
    let (e, e_members) = app.family_at("411002002001", 2).await;
    let (d, d_members) = app.family_at("411024001001", 3).await;
    let fam = |id| gid("Family", id);

    // An insurer reaches the families of the regions it is contracted for — those that
    // consented to share with insurers (PIPL), and only those.
    let (_, insurer) = app.partner(PartnerKind::Insurer, &["411024"], &[]).await;
    assert_eq!(
        reach(app, &insurer, d, d_members[0]).await,
        (NotFound, NotFound),
        "no consent yet"
    );
    assert!(listed(app, &insurer).await.is_empty());
    app.consent(d, PartnerKind::Insurer).await;
    // Consent to a hospital is not consent to an insurer.
    app.consent(a, PartnerKind::Hospital).await;
    assert_eq!(
        reach(app, &insurer, d, d_members[0]).await,
        (Allowed, Allowed)
    );
    assert_eq!(
        reach(app, &insurer, a, a_members[0]).await,
        (NotFound, NotFound)
    );
    assert_eq!(listed(app, &insurer).await, [fam(d)]);

    // A hospital reaches the families linked to it, not its whole contracted county, and of
    // a family only the members who hold a card.
    let (org, hospital) = app.partner(PartnerKind::Hospital, &["411002"], &[a]).await;
    assert_eq!(
        reach(app, &hospital, a, a_members[1]).await,
        (Allowed, NotFound)
    );
    let card = app
        .store
        .issue_green_channel_card(
            &nuanxin_domain::Principal::system("test: a card for the mother"),
            a_members[1],
        )
        .await
        .expect("card");
    assert_eq!(
        reach(app, &hospital, a, a_members[1]).await,
        (Allowed, Allowed)
    );
    assert_eq!(
        reach(app, &hospital, e, e_members[0]).await,
        (NotFound, NotFound)
    );
    assert_eq!(
        reach(app, &hospital, d, d_members[0]).await,
        (NotFound, NotFound)
    );
    assert_eq!(listed(app, &hospital).await, [fam(a)]);
    // A withdrawal cuts the hospital off on its next request, link or no link.
    let system = nuanxin_domain::Principal::system("test: a withdrawal");
    app.store
        .record_consent(
            &system,
            a,
            PartnerKind::Hospital,
            false,
            nuanxin_domain::time::china_today(),
            None,
        )
        .await
        .expect("withdrawal");
    assert_eq!(
        reach(app, &hospital, a, a_members[1]).await,
        (NotFound, NotFound),
        "withdrawn"
    );
    assert!(listed(app, &hospital).await.is_empty());
    app.consent(a, PartnerKind::Hospital).await;
    assert_eq!(listed(app, &hospital).await, [fam(a)], "given again");

    // A volunteer reaches the paired family only.
    let (_, volunteer) = app.volunteer(&[e]).await;
    assert_eq!(
        reach(app, &volunteer, e, e_members[0]).await,
        (Allowed, Allowed)
    );
    assert_eq!(
        reach(app, &volunteer, a, a_members[0]).await,
        (NotFound, NotFound)
    );
    assert_eq!(listed(app, &volunteer).await, [fam(e)]);

    // A parent reaches their own family only.
    let parent = app.family_member_token(a, a_members[1]);
    assert_eq!(
        reach(app, &parent, a, a_members[0]).await,
        (Allowed, Allowed)
    );
    assert_eq!(
        reach(app, &parent, d, d_members[0]).await,
        (NotFound, NotFound)
    );
    assert_eq!(listed(app, &parent).await, [fam(a)]);

    // None of them may change a family file, inside their rows or outside.
    for (who, token, member) in [
        ("insurer", &insurer, d_members[0]),
        ("hospital", &hospital, a_members[0]),
        ("volunteer", &volunteer, e_members[0]),
        ("parent", &parent, a_members[0]),
        ("insurer outside", &insurer, a_members[0]),
    ] {
        let body = app
            .gql(
                token,
                UPDATE,
                json!({ "id": gid("Member", member), "address": "河南省许昌市别处1号" }),
            )
            .await;
        assert_eq!(outcome(&body, "updateMember"), Forbidden, "{who}: {body}");
    }
    assert_eq!(
        stored_address(app, a_members[0]).await.as_deref(),
        Some("河南省许昌市魏都区某街3号")
    );

    // Ending the service link leaves the card holder's link; revoking the card ends the
    // hospital's reach on its next request.
    let links = app.store.stored_rows("service_link").await.expect("links");
    let link = links
        .iter()
        .find(|l| l["organisation_id"].as_str() == Some(org.to_string().as_str()))
        .and_then(|l| l["id"].as_str())
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .expect("link");
    app.store
        .end_service_link(link, nuanxin_domain::time::china_today())
        .await
        .expect("end");
    assert_eq!(
        reach(app, &hospital, a, a_members[1]).await,
        (Allowed, Allowed)
    );
    app.store
        .revoke_green_channel_card(&nuanxin_domain::Principal::system("test: revoked"), card.id)
        .await
        .expect("revoke");
    assert_eq!(
        reach(app, &hospital, a, a_members[1]).await,
        (NotFound, NotFound)
    );
}

on_both_backends!(regions_rosters_and_jobs_go_through_the_rows_rules);
async fn regions_rosters_and_jobs_go_through_the_rows_rules(app: &TestApp) {
    use nuanxin_domain::PartnerKind;
    let codes = async |token: &str| -> Vec<String> {
        let body = app.gql(token, "{ regions { code } }", json!({})).await;
        body["data"]["regions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["code"].as_str().map(str::to_owned))
            .collect()
    };
    // Regions: the home (or contracted) region, below it, and its ancestors for context.
    let yanling = app.token(StaffRole::CountyAdmin, "411024").await;
    let seen = codes(&yanling).await;
    assert!(seen.contains(&"411024001".to_owned()) && seen.contains(&"411000".to_owned()));
    assert!(!seen.iter().any(|c| c.starts_with("411002")), "{seen:?}");
    let (_, insurer) = app.partner(PartnerKind::Insurer, &["411002"], &[]).await;
    let seen = codes(&insurer).await;
    assert!(seen.contains(&"411002001".to_owned()));
    assert!(!seen.iter().any(|c| c.starts_with("411024")), "{seen:?}");
    let (_, volunteer) = app.volunteer(&[]).await;
    let body = app.gql(&volunteer, "{ regions { code } }", json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    // Rosters: a county's roster is reached from its county and the city, not elsewhere.
    let (f, _) = app.family_at("411002001001", 1).await;
    app.activate(f).await;
    let weidu = app.token(StaffRole::CountyAdmin, "411002").await;
    let generate = "mutation { generateRoster(input: { countyCode: \"411002\", periodStart: \"2026-11\" }) { id } }";
    let body = app.gql(&weidu, generate, json!({})).await;
    let roster = body["data"]["generateRoster"]["id"]
        .as_str()
        .expect("roster")
        .to_owned();
    let read = "query($id: ID!) { roster(id: $id) { id } }";
    for (who, token, expect) in [
        ("own county", weidu.clone(), Expect::Allowed),
        (
            "city",
            app.token(StaffRole::CityAdmin, "411000").await,
            Expect::Allowed,
        ),
        (
            "county auditor",
            app.token(StaffRole::Auditor, "411002").await,
            Expect::Allowed,
        ),
        ("other county", yanling.clone(), Expect::NotFound),
        (
            "other county's auditor",
            app.token(StaffRole::Auditor, "411024").await,
            Expect::NotFound,
        ),
        (
            "township",
            app.token(StaffRole::TownshipWorker, "411002001").await,
            Expect::Forbidden,
        ),
        ("hospital", insurer.clone(), Expect::Forbidden),
    ] {
        let body = app.gql(&token, read, json!({ "id": roster })).await;
        assert_eq!(outcome(&body, "roster"), expect, "{who}: {body}");
    }
    // Another county may not generate for 魏都区 (a write outside its rows).
    let body = app.gql(&yanling, generate, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    // Jobs: followed by the person who started them, by no one else of the same county.
    let start = "mutation { startRosterGeneration(input: { countyCode: \"411002\", periodStart: \"2026-11\" }) { id } }";
    let body = app.gql(&weidu, start, json!({})).await;
    let job = body["data"]["startRosterGeneration"]["id"]
        .as_str()
        .expect("job")
        .to_owned();
    let poll = "query($id: ID!) { rosterJob(id: $id) { id } }";
    let colleague = app.token(StaffRole::CountyAdmin, "411002").await;
    assert_eq!(
        outcome(
            &app.gql(&weidu, poll, json!({ "id": job })).await,
            "rosterJob"
        ),
        Expect::Allowed
    );
    assert_eq!(
        outcome(
            &app.gql(&colleague, poll, json!({ "id": job })).await,
            "rosterJob"
        ),
        Expect::NotFound
    );
}
