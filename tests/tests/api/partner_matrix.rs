//! The partner matrix: every partner kind × each resource × read and mutate × inside its
//! slice (a linked, consenting family) and out of it (no consent, another region, no link),
//! then the slice taken away (consent withdrawn, link ended, app disabled) — each denial
//! beside an allowed control. Lists and their `pageInfo` show nothing outside the slice.
//! (A rotated secret is in partners.rs; the allow-list in operations.rs.)

use nuanxin_domain::{PartnerKind, Principal, StaffRole, Subject};
use nuanxin_tests::{TestApp, error_code, gid, on_both_backends};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Got {
    Allowed,
    NotFound,
    /// FORBIDDEN, or a field its schema does not have.
    Denied,
}
use Got::*;

/// The three grants partners come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Insurer,
    Hospital,
    /// Civil affairs, justice, education, human resources, housing, other: referral units.
    Unit,
}

fn class(kind: PartnerKind) -> Class {
    match kind {
        PartnerKind::Insurer => Class::Insurer,
        PartnerKind::Hospital => Class::Hospital,
        _ => Class::Unit,
    }
}

fn got(body: &Value, field: &str) -> Got {
    match error_code(body) {
        None if !body["data"][field].is_null() => Allowed,
        Some("NOT_FOUND") => NotFound,
        Some("FORBIDDEN" | "BAD_USER_INPUT") => Denied,
        other => panic!("unexpected answer {other:?}: {body}"),
    }
}

/// (what, field, query, variables) for the families IN, OUT (no consent) and FAR.
struct World {
    inside: uuid::Uuid,
    inside_members: Vec<uuid::Uuid>,
    no_consent: uuid::Uuid,
    no_consent_members: Vec<uuid::Uuid>,
    far: uuid::Uuid,
}

async fn probe(app: &TestApp, token: &str, query: &str, vars: Value, field: &str) -> Got {
    got(&app.gql(token, query, vars).await, field)
}

const FAMILY: &str = "query($id: ID!) { family(id: $id) { id members { idNumber } } }";

async fn reads(app: &TestApp, w: &World, kind: PartnerKind, token: &str) {
    let c = class(kind);
    let fam = |f| json!({ "id": gid("Family", f) });
    let by_family = |f| json!({ "f": gid("Family", f) });
    let is = |yes: bool| if yes { Allowed } else { Denied };
    let table: Vec<(&str, &str, Value, &str, Got)> = vec![
        ("family inside", FAMILY, fam(w.inside), "family", Allowed),
        (
            "family without consent",
            FAMILY,
            fam(w.no_consent),
            "family",
            NotFound,
        ),
        (
            "family in another region, unlinked",
            FAMILY,
            fam(w.far),
            "family",
            NotFound,
        ),
        (
            "member inside",
            "query($id: ID!) { member(id: $id) { id } }",
            json!({ "id": gid("Member", w.inside_members[0]) }),
            "member",
            Allowed,
        ),
        // A hospital sees a family's card holders only (the mother holds no card).
        (
            "another member of the family inside",
            "query($id: ID!) { member(id: $id) { id } }",
            json!({ "id": gid("Member", w.inside_members[1]) }),
            "member",
            if c == Class::Hospital {
                NotFound
            } else {
                Allowed
            },
        ),
        (
            "member without consent",
            "query($id: ID!) { member(id: $id) { id } }",
            json!({ "id": gid("Member", w.no_consent_members[0]) }),
            "member",
            NotFound,
        ),
        (
            "chronic-disease records",
            "query($f: ID!) { chronicConditions(familyId: $f) { id } }",
            by_family(w.inside),
            "chronicConditions",
            is(c == Class::Hospital),
        ),
        (
            "care records",
            "query($f: ID!) { careRecords(familyId: $f) { edges { node { id } } } }",
            by_family(w.inside),
            "careRecords",
            Denied,
        ),
        (
            "timeline",
            "query($f: ID!) { familyTimeline(familyId: $f) { edges { cursor } } }",
            by_family(w.inside),
            "familyTimeline",
            Denied,
        ),
        (
            "counselling",
            "query($f: ID!) { counsellingSessions(familyId: $f) { id } }",
            by_family(w.inside),
            "counsellingSessions",
            Denied,
        ),
        (
            "consents",
            "query($f: ID!) { consents(familyId: $f) { given } }",
            by_family(w.inside),
            "consents",
            Denied,
        ),
        (
            "cases",
            "{ cases { edges { node { id } } } }",
            json!({}),
            "cases",
            Denied,
        ),
        (
            "rosters",
            "{ rosters { edges { node { id } } } }",
            json!({}),
            "rosters",
            Denied,
        ),
        (
            "access log",
            "{ accessLog { edges { node { id } } } }",
            json!({}),
            "accessLog",
            Denied,
        ),
        (
            "organisations",
            "{ organisations { id } }",
            json!({}),
            "organisations",
            Denied,
        ),
        (
            "enrolment",
            "{ enrolment(policyYear: 2027) { edges { node { memberId } } } }",
            json!({}),
            "enrolment",
            is(c == Class::Insurer),
        ),
        (
            "assigned referrals",
            "{ assignedReferrals { edges { node { id } } } }",
            json!({}),
            "assignedReferrals",
            is(c == Class::Unit),
        ),
    ];
    for (what, query, vars, field, expected) in table {
        assert_eq!(
            probe(app, token, query, vars, field).await,
            expected,
            "{kind:?} reads {what}"
        );
    }
    // The list and its pageInfo: exactly the family inside, nothing after it.
    let list = app
        .gql(
            token,
            "{ families(first: 1) { edges { node { id } } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        list["data"]["families"],
        json!({ "edges": [{ "node": { "id": gid("Family", w.inside) } }], "pageInfo": { "hasNextPage": false } }),
        "{kind:?} lists"
    );
    // Partners read ID numbers masked (the insurer's enrolment is its one clear purpose).
    let read = app.gql(token, FAMILY, fam(w.inside)).await;
    assert_eq!(
        read["data"]["family"]["members"].as_array().map(Vec::len),
        Some(if c == Class::Hospital { 1 } else { 2 }),
        "{kind:?}: {read}"
    );
    assert!(
        read["data"]["family"]["members"][0]["idNumber"]
            .as_str()
            .is_some_and(|n| n.contains("****")),
        "{kind:?}: {read}"
    );
}

async fn writes(app: &TestApp, w: &World, kind: PartnerKind, token: &str) {
    let c = class(kind);
    let today = nuanxin_domain::time::china_today().to_string();
    let visit = |family, member| {
        json!({ "input": { "familyId": gid("Family", family), "memberId": gid("Member", member),
            "kind": "GREEN_CHANNEL_VISIT", "occurredOn": today, "content": "绿色通道就诊",
            "department": "内科", "feesWaivedFen": 1_000 } })
    };
    let policy = |member| {
        json!({ "p": [{ "policyNumber": format!("M-{kind:?}-{member}"), "memberId": gid("Member", member),
            "coverageStart": "2027-01-01", "coverageEnd": "2027-12-31", "premiumFen": 5000 }] })
    };
    let record = "mutation($input: RecordCareInput!) { recordCare(input: $input) { id } }";
    let upsert =
        "mutation($p: [PolicyInput!]!) { upsertPolicies(policyYear: 2027, policies: $p) { id } }";
    let (care, policies, addresses) = (
        app.count("care_record").await,
        app.count("insurance_policy").await,
        stored(app, "member", "address").await,
    );
    let table: Vec<(&str, &str, Value, &str, Got)> = vec![
        (
            "update a member",
            "mutation($id: ID!) { updateMember(id: $id, input: { address: \"别处\" }) { id } }",
            json!({ "id": gid("Member", w.inside_members[0]) }),
            "updateMember",
            Denied,
        ),
        (
            "register a family",
            "mutation { registerFamily(input: { regionCode: \"411002001001\", members: [] }) { id } }",
            json!({}),
            "registerFamily",
            Denied,
        ),
        (
            "issue a card",
            "mutation($m: ID!) { issueGreenChannelCard(memberId: $m) { id } }",
            json!({ "m": gid("Member", w.inside_members[1]) }),
            "issueGreenChannelCard",
            Denied,
        ),
        (
            "green-channel visit without consent",
            record,
            visit(w.no_consent, w.no_consent_members[0]),
            "recordCare",
            if c == Class::Hospital {
                NotFound
            } else {
                Denied
            },
        ),
        (
            "green-channel visit inside",
            record,
            visit(w.inside, w.inside_members[0]),
            "recordCare",
            if c == Class::Hospital {
                Allowed
            } else {
                Denied
            },
        ),
        // The insurer: bad input on `policies.0.memberId` ("no such member in your
        // enrolment"), the others: no such mutation.
        (
            "a policy for a member without consent",
            upsert,
            policy(w.no_consent_members[0]),
            "upsertPolicies",
            Denied,
        ),
        (
            "a policy inside",
            upsert,
            policy(w.inside_members[0]),
            "upsertPolicies",
            if c == Class::Insurer { Allowed } else { Denied },
        ),
    ];
    for (what, query, vars, field, expected) in table {
        let body = app.gql(token, query, vars).await;
        assert_eq!(
            got(&body, field),
            expected,
            "{kind:?} writes {what}: {body}"
        );
    }
    // What was written is exactly what was allowed.
    assert_eq!(
        app.count("care_record").await,
        care + i64::from(c == Class::Hospital),
        "{kind:?}"
    );
    assert_eq!(
        app.count("insurance_policy").await,
        policies + i64::from(c == Class::Insurer),
        "{kind:?}"
    );
    assert_eq!(
        stored(app, "member", "address").await,
        addresses,
        "{kind:?}"
    );
}

async fn stored(app: &TestApp, table: &str, column: &str) -> Vec<Value> {
    app.store
        .stored_rows(table)
        .await
        .expect("rows")
        .into_iter()
        .map(|r| r[column].clone())
        .collect()
}

on_both_backends!(every_partner_kind_reaches_exactly_its_slice);
async fn every_partner_kind_reaches_exactly_its_slice(app: &TestApp) {
    let (inside, inside_members) = app.family_at("411002001001", 1).await;
    let (no_consent, no_consent_members) = app.family_at("411002001001", 2).await;
    let (far, _) = app.family_at("411024001001", 3).await;
    let w = World {
        inside,
        inside_members,
        no_consent,
        no_consent_members,
        far,
    };
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let since = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date");
    let mut partners = Vec::new();
    for kind in PartnerKind::ALL {
        // Contracted for 魏都区, linked to (and consented by) the family inside; linked to
        // the other family of the village too, which has not consented.
        let (org, token) = app.partner(kind, &["411002"], &[w.inside]).await;
        app.store
            .link_service(org, w.no_consent, "test", since)
            .await
            .expect("link");
        app.consent(w.far, kind).await;
        partners.push((kind, org, token));
    }
    // The hospital's link to a member is the member's card (the family without consent has
    // one too: a card is not consent).
    let issue = "mutation($m: ID!) { issueGreenChannelCard(memberId: $m) { id } }";
    for m in [w.inside_members[0], w.no_consent_members[0]] {
        let card = app
            .gql(&township, issue, json!({ "m": gid("Member", m) }))
            .await;
        assert!(card["errors"].is_null(), "{card}");
    }
    // Both parents have a chronic disease on file; only the father holds a card.
    let add =
        "mutation($input: AddChronicConditionInput!) { addChronicCondition(input: $input) { id } }";
    for (m, disease) in [
        (w.inside_members[0], "高血压"),
        (w.inside_members[1], "糖尿病"),
    ] {
        let body = app
            .gql(
                &township,
                add,
                json!({ "input": { "familyId": gid("Family", w.inside), "memberId": gid("Member", m),
                    "disease": disease, "schedule": "MONTHLY", "startedOn": "2026-01-05" } }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    for (kind, _, token) in &partners {
        reads(app, &w, *kind, token).await;
        writes(app, &w, *kind, token).await;
    }
    // The hospital reads the card holder's chronic-disease record, not the mother's; staff
    // (the control) read both.
    let diseases = async |t: &str| {
        app.gql(
            t,
            "query($f: ID!) { chronicConditions(familyId: $f) { disease } }",
            json!({ "f": gid("Family", w.inside) }),
        )
        .await["data"]["chronicConditions"]
            .clone()
    };
    let hospital = &partners
        .iter()
        .find(|p| p.0 == PartnerKind::Hospital)
        .expect("a hospital")
        .2;
    assert_eq!(diseases(hospital).await, json!([{ "disease": "高血压" }]));
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    assert_eq!(
        diseases(&county).await.as_array().map(Vec::len),
        Some(2),
        "staff read both"
    );

    // Taken away one kind at a time: the others (and staff) keep their reach.
    let system = Principal::system("test: a county office records a withdrawal");
    for (i, (kind, org, token)) in partners.iter().enumerate() {
        let (other_kind, _, other) = &partners[(i + 1) % partners.len()];
        let family = json!({ "id": gid("Family", w.inside) });
        let read = |t: &str| {
            let t = t.to_owned();
            let family = family.clone();
            async move { got(&app.gql(&t, FAMILY, family).await, "family") }
        };
        assert_eq!(read(token).await, Allowed, "{kind:?} before");

        // Consent withdrawn: cut on the next request; given again: back.
        app.store
            .record_consent(
                &system,
                w.inside,
                *kind,
                false,
                nuanxin_domain::time::china_today(),
                None,
            )
            .await
            .expect("withdrawal");
        assert_eq!(read(token).await, NotFound, "{kind:?} after the withdrawal");
        assert_eq!(
            read(other).await,
            Allowed,
            "{other_kind:?} keeps its consent"
        );
        assert_eq!(read(&township).await, Allowed, "staff keep theirs");
        app.consent(w.inside, *kind).await;
        assert_eq!(read(token).await, Allowed, "{kind:?} consent given again");

        // The link ended: a unit loses the family; the insurer's reach is its contracted
        // regions, the hospital's the member's card, so theirs stays.
        let links: Vec<Value> = app
            .store
            .stored_rows("service_link")
            .await
            .expect("links")
            .into_iter()
            .filter(|l| {
                l["organisation_id"].as_str() == Some(org.to_string().as_str())
                    && l["family_id"].as_str() == Some(w.inside.to_string().as_str())
            })
            .collect();
        for l in &links {
            let id = uuid::Uuid::parse_str(l["id"].as_str().expect("id")).expect("uuid");
            app.store
                .end_service_link(id, nuanxin_domain::time::china_today())
                .await
                .expect("end");
        }
        let expected = match class(*kind) {
            Class::Unit => NotFound,
            Class::Insurer | Class::Hospital => Allowed,
        };
        assert_eq!(read(token).await, expected, "{kind:?} after its link ended");
        assert_eq!(read(other).await, Allowed, "{other_kind:?} keeps its link");
    }

    // Each app disabled in turn: refused on its next request, whatever it asks; the next
    // one (still enabled) is the control, and staff for the last.
    for (i, (kind, _, token)) in partners.iter().enumerate() {
        let Ok(Subject::Partner { app: app_id, .. }) =
            app.tokens().verify(token).map(|p| p.subject)
        else {
            panic!("a partner token");
        };
        let me = "{ me { kind } }";
        assert_eq!(error_code(&app.gql(token, me, json!({})).await), None);
        app.store
            .set_app_active(
                &Principal::system("test: the city disables an app"),
                app_id,
                false,
            )
            .await
            .expect("disable");
        let body = app.gql(token, me, json!({})).await;
        assert_eq!(
            error_code(&body),
            Some("UNAUTHENTICATED"),
            "{kind:?} disabled: {body}"
        );
        let control = partners.get(i + 1).map_or(&township, |p| &p.2);
        assert_eq!(
            error_code(&app.gql(control, me, json!({})).await),
            None,
            "after {kind:?}"
        );
    }
}
