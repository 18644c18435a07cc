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
const UPDATE: &str = "mutation($id: ID!) { updateMember(id: $id, input: { address: \"河南省许昌市新地址1号\" }) { id address } }";

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
            let before = app.count("member").await;
            let body = app.gql(&token, UPDATE, json!({ "id": mem(members) })).await;
            assert_eq!(
                outcome(&body, "updateMember"),
                update,
                "{role:?}@{home} update {what}: {body}"
            );
            assert_eq!(app.count("member").await, before);
        }
    }
}

on_both_backends!(list_is_sliced);
async fn list_is_sliced(app: &TestApp) {
    app.family_at("411002001001", 1).await;
    app.family_at("411002002001", 2).await;
    app.family_at("411024001001", 3).await;
    let q = "{ families(first: 50) { edges { node { regionCode } } } }";
    let count = async |role, home| {
        let body = app.gql(&app.token(role, home).await, q, json!({})).await;
        body["data"]["families"]["edges"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(usize::MAX)
    };
    assert_eq!(count(StaffRole::CityAdmin, "411000").await, 3);
    assert_eq!(count(StaffRole::CountyAdmin, "411002").await, 2);
    assert_eq!(count(StaffRole::CountyAdmin, "411024").await, 1);
    assert_eq!(count(StaffRole::TownshipWorker, "411002001").await, 1);
    assert_eq!(count(StaffRole::VillageWorker, "411002001002").await, 0);
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
            crate::registry::register_vars("411024001001", "41102419640212001"),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(nuanxin_tests::error_field(&body), Some("regionCode"));
    assert_eq!(app.count("family").await, before);
}
