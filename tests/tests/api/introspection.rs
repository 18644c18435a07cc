//! Each audience's introspection shows only what it may use; anonymous callers get none.

use nuanxin_domain::StaffRole;
use nuanxin_tests::{TestApp, on_both_backends};
use serde_json::{Value, json};

const FIELDS: &str = "{ __schema { queryType { fields { name } } mutationType { fields { name } } }
  member: __type(name: \"Member\") { fields { name } }
  revealed: __type(name: \"RevealedMember\") { fields { name } } }";

fn names(v: &Value) -> Vec<String> {
    v["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect()
}

on_both_backends!(introspection_shows_only_the_callers_slice);
async fn introspection_shows_only_the_callers_slice(app: &TestApp) {
    let (status, body) = app.gql_full(None, FIELDS, json!({})).await;
    assert_eq!(status, 200);
    assert!(
        body["data"]["__schema"].is_null(),
        "anonymous callers get no introspection: {body}"
    );

    let see = async |role, home| {
        let body = app
            .gql(&app.token(role, home).await, FIELDS, json!({}))
            .await;
        let data = &body["data"];
        (
            names(&data["__schema"]["queryType"]),
            names(&data["__schema"]["mutationType"]),
            names(&data["member"]),
            names(&data["revealed"]),
        )
    };

    let (q, m, member, revealed) = see(StaffRole::CountyAdmin, "411002").await;
    assert!(q.contains(&"families".into()) && q.contains(&"memberByIdNumber".into()));
    assert!(!q.contains(&"accessLog".into()));
    assert!(m.contains(&"registerFamily".into()) && m.contains(&"changeFamilyStatus".into()));
    assert!(member.contains(&"revealed".into()));
    assert_eq!(revealed, ["idNumber", "phone", "address"]);

    let (q, m, member, revealed) = see(StaffRole::VillageWorker, "411002001001").await;
    assert!(q.contains(&"families".into()));
    assert!(!q.contains(&"memberByIdNumber".into()) && !q.contains(&"accessLog".into()));
    assert!(m.contains(&"updateMember".into()));
    assert!(!m.contains(&"registerFamily".into()) && !m.contains(&"changeFamilyStatus".into()));
    assert!(member.contains(&"revealed".into()));
    assert_eq!(
        revealed,
        ["phone", "address"],
        "a village worker never unmasks ID numbers"
    );

    let (q, m, member, _) = see(StaffRole::Auditor, "411000").await;
    assert!(q.contains(&"accessLog".into()) && q.contains(&"families".into()));
    assert!(!m.contains(&"registerFamily".into()) && !m.contains(&"updateMember".into()));
    assert!(
        !member.contains(&"revealed".into()),
        "auditors read masked only"
    );
}
