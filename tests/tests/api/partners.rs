//! Partner organisations and apps: the city files them and issues client credentials;
//! `POST /auth/token` (OAuth 2.0 client credentials) with its standard errors; rotation with
//! overlap; a disabled app or organisation stopped on its next request; per-app rate limits.

use actix_web::{App, test as atest};
use base64::Engine as _;
use nuanxin_domain::StaffRole;
use nuanxin_tests::{TestApp, error_code, on_both_backends};
use serde_json::{Value, json};

use nuanxin_tests::CREATE_ORG;

fn ok(body: &Value) {
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
}

async fn token_request(
    app: &TestApp,
    body: &str,
    basic: Option<(&str, &str)>,
    content_type: &str,
) -> (u16, actix_web::http::header::HeaderMap, Value) {
    let mut req = atest::TestRequest::post()
        .uri("/auth/token")
        .insert_header(("content-type", content_type))
        .set_payload(body.to_owned());
    if let Some((id, secret)) = basic {
        let b = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        req = req.insert_header(("authorization", format!("Basic {b}")));
    }
    let (status, headers, json) = app.send(req).await;
    (status.as_u16(), headers, json)
}

on_both_backends!(the_city_issues_an_app_and_the_app_gets_a_token);
async fn the_city_issues_an_app_and_the_app_gets_a_token(app: &TestApp) {
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let (_, _, id, secret) = app.hospital_app(&city).await;
    assert!(id.starts_with("nx_"));
    // The secret is kept only as a hash.
    let stored = app.store.stored_rows("app_secret").await.expect("rows");
    assert!(!format!("{stored:?}").contains(&secret));

    // Body credentials and HTTP Basic both work; the answer is a short-lived bearer token.
    let (status, headers, body) = token_request(
        app,
        &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
        None,
        "application/x-www-form-urlencoded",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(
        body["expires_in"]
            .as_i64()
            .is_some_and(|s| (60..=900).contains(&s)),
        "{body}"
    );
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let token = body["access_token"].as_str().expect("token").to_owned();
    let me = app.gql(&token, "{ me { kind } }", json!({})).await;
    assert_eq!(me["data"]["me"]["kind"], "PARTNER", "{me}");
    let (status, _, body) = token_request(
        app,
        "grant_type=client_credentials",
        Some((&id, &secret)),
        "application/x-www-form-urlencoded",
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // The standard errors.
    let (status, headers, body) = token_request(
        app,
        "grant_type=client_credentials",
        Some((&id, "wrong")),
        "application/x-www-form-urlencoded",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "{body}"
    );
    assert!(
        headers.get("www-authenticate").is_some(),
        "a Basic failure says how to authenticate"
    );
    let (status, body) = app.client_token(&id, "wrong").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = app.client_token("nx_nobody", &secret).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    for (form, code) in [
        (
            format!("grant_type=password&client_id={id}&client_secret={secret}"),
            "unsupported_grant_type",
        ),
        (
            format!("client_id={id}&client_secret={secret}"),
            "invalid_request",
        ),
        (
            format!(
                "grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=all"
            ),
            "invalid_scope",
        ),
    ] {
        let (status, _, body) =
            token_request(app, &form, None, "application/x-www-form-urlencoded").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(code)),
            "{form}: {body}"
        );
    }
    let (status, _, body) = token_request(
        app,
        &format!("grant_type=client_credentials&client_secret={secret}"),
        Some((&id, &secret)),
        "application/x-www-form-urlencoded",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "two ways: {body}"
    );
    let (status, _, body) = token_request(
        app,
        "{\"grant_type\":\"client_credentials\"}",
        None,
        "application/json",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );

    // Only the city files organisations.
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let before = app.count("organisation").await;
    let refused = app
        .gql(&county, CREATE_ORG, json!({ "input": { "name": "x", "kind": "INSURER", "contractedRegions": ["411002"], "validFrom": "2026-01-01" } }))
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    assert_eq!(app.count("organisation").await, before);
    let list = app
        .gql(
            &city,
            "{ organisations { name kind apps { clientId active secrets { createdAt } } } }",
            json!({}),
        )
        .await;
    ok(&list);
    assert_eq!(
        list["data"]["organisations"][0]["apps"][0]["clientId"],
        id.as_str()
    );
    // A contract outside the city is refused with the field at fault.
    let outside = app
        .gql(&city, CREATE_ORG, json!({ "input": { "name": "x", "kind": "INSURER", "contractedRegions": ["110101"], "validFrom": "2026-01-01" } }))
        .await;
    assert_eq!(
        outside["errors"][0]["extensions"]["field"], "contractedRegions",
        "{outside}"
    );
}

on_both_backends!(a_rotated_secret_overlaps_then_the_old_one_stops);
async fn a_rotated_secret_overlaps_then_the_old_one_stops(app: &TestApp) {
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let (_, app_id, id, first) = app.hospital_app(&city).await;
    let rotate = "mutation($app: ID!, $h: Int!) { rotatePartnerAppSecret(appId: $app, overlapHours: $h) { clientId clientSecret app { secrets { expiresAt } } } }";
    let rotated = app
        .gql(&city, rotate, json!({ "app": app_id, "h": 24 }))
        .await;
    ok(&rotated);
    let second = rotated["data"]["rotatePartnerAppSecret"]["clientSecret"]
        .as_str()
        .expect("s")
        .to_owned();
    assert_eq!(
        rotated["data"]["rotatePartnerAppSecret"]["clientId"],
        id.as_str(),
        "the client id stays"
    );
    assert_eq!(
        app.client_token(&id, &first).await.0,
        200,
        "the old secret works during the overlap"
    );
    assert_eq!(app.client_token(&id, &second).await.0, 200);
    // A rotation without overlap stops every earlier secret at once.
    let rotated = app
        .gql(&city, rotate, json!({ "app": app_id, "h": 0 }))
        .await;
    ok(&rotated);
    let third = rotated["data"]["rotatePartnerAppSecret"]["clientSecret"]
        .as_str()
        .expect("s")
        .to_owned();
    assert_eq!(app.client_token(&id, &first).await.0, 401);
    assert_eq!(app.client_token(&id, &second).await.0, 401);
    assert_eq!(app.client_token(&id, &third).await.0, 200);
    let bad = app
        .gql(&city, rotate, json!({ "app": app_id, "h": -1 }))
        .await;
    assert_eq!(
        bad["errors"][0]["extensions"]["field"], "overlapHours",
        "{bad}"
    );
}

on_both_backends!(a_disabled_app_or_organisation_stops_on_its_next_request);
async fn a_disabled_app_or_organisation_stops_on_its_next_request(app: &TestApp) {
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let (org_id, app_id, id, secret) = app.hospital_app(&city).await;
    let (_, body) = app.client_token(&id, &secret).await;
    let token = body["access_token"].as_str().expect("token").to_owned();
    let me = "{ me { kind } }";
    assert_eq!(
        app.gql(&token, me, json!({})).await["data"]["me"]["kind"],
        "PARTNER"
    );
    let set_app = "mutation($app: ID!, $on: Boolean!) { setPartnerAppActive(appId: $app, active: $on) { active } }";
    ok(&app
        .gql(&city, set_app, json!({ "app": app_id, "on": false }))
        .await);
    let refused = app.gql(&token, me, json!({})).await;
    assert_eq!(error_code(&refused), Some("UNAUTHENTICATED"), "{refused}");
    assert_eq!(
        app.client_token(&id, &secret).await.0,
        401,
        "no new token either"
    );
    ok(&app
        .gql(&city, set_app, json!({ "app": app_id, "on": true }))
        .await);
    assert_eq!(
        app.gql(&token, me, json!({})).await["data"]["me"]["kind"],
        "PARTNER",
        "control: back on"
    );
    let set_org = "mutation($org: ID!, $on: Boolean!) { setOrganisationActive(organisationId: $org, active: $on) { active } }";
    ok(&app
        .gql(&city, set_org, json!({ "org": org_id, "on": false }))
        .await);
    assert_eq!(
        error_code(&app.gql(&token, me, json!({})).await),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(app.client_token(&id, &secret).await.0, 401);
}

on_both_backends!(each_app_has_its_own_request_budget);
async fn each_app_has_its_own_request_budget(app: &TestApp) {
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let (_, _, id_a, secret_a) = app.hospital_app(&city).await;
    let (_, _, id_b, secret_b) = app.hospital_app(&city).await;
    let token = |body: Value| body["access_token"].as_str().expect("token").to_owned();
    let a = token(app.client_token(&id_a, &secret_a).await.1);
    let b = token(app.client_token(&id_b, &secret_b).await.1);
    let svc = atest::init_service(App::new().configure(nuanxin_server::http::routes(
        app.state.clone().with_partner_rate(3),
    )))
    .await;
    app.allow(&a, "{ me { kind } }").await;
    app.allow(&b, "{ me { kind } }").await;
    let call = |t: &str| {
        atest::TestRequest::post()
            .uri("/graphql")
            .insert_header(("content-type", "application/json"))
            .insert_header(("authorization", format!("Bearer {t}")))
            .set_payload(json!({ "query": "{ me { kind } }" }).to_string())
            .to_request()
    };
    for _ in 0..3 {
        assert_eq!(
            atest::call_service(&svc, call(&a)).await.status().as_u16(),
            200
        );
    }
    let resp = atest::call_service(&svc, call(&a)).await;
    assert_eq!(resp.status().as_u16(), 429);
    assert!(resp.headers().get("retry-after").is_some());
    let body: Value = atest::read_body_json(resp).await;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    // Another app, and staff, are not held back by it.
    assert_eq!(
        atest::call_service(&svc, call(&b)).await.status().as_u16(),
        200
    );
    for _ in 0..5 {
        assert_eq!(
            atest::call_service(&svc, call(&city))
                .await
                .status()
                .as_u16(),
            200
        );
    }
}

on_both_backends!(the_command_line_files_organisations_and_apps);
async fn the_command_line_files_organisations_and_apps(app: &TestApp) {
    use nuanxin_server::partner_cli::{PartnerCommand, run};
    let before = app.count("organisation").await;
    run(
        &app.store,
        PartnerCommand::OrgAdd {
            name: "中国人寿许昌分公司".into(),
            kind: "insurer".into(),
            regions: "411002,411024".into(),
            valid_from: "2026-01-01".into(),
            valid_to: Some("2027-12-31".into()),
        },
    )
    .await
    .expect("org");
    assert_eq!(app.count("organisation").await, before + 1);
    assert!(
        run(
            &app.store,
            PartnerCommand::OrgAdd {
                name: "x".into(),
                kind: "bank".into(),
                regions: "411002".into(),
                valid_from: "2026-01-01".into(),
                valid_to: None,
            }
        )
        .await
        .is_err(),
        "an unknown kind is refused"
    );
    assert_eq!(app.count("organisation").await, before + 1);
    let system = nuanxin_domain::Principal::system("test");
    let org = app
        .store
        .organisations(&system)
        .await
        .expect("orgs")
        .pop()
        .expect("org");
    run(
        &app.store,
        PartnerCommand::AppAdd {
            org: org.id,
            name: "投保脚本".into(),
        },
    )
    .await
    .expect("app");
    assert_eq!(app.count("app_secret").await, 1);
}

on_both_backends!(consent_is_recorded_with_evidence_and_a_withdrawal_cuts_access);
async fn consent_is_recorded_with_evidence_and_a_withdrawal_cuts_access(app: &TestApp) {
    use nuanxin_domain::PartnerKind;
    use nuanxin_tests::gid;
    use sea_orm::ConnectionTrait;
    let (family, _) = app.family_at("411002001001", 1).await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let village = app.token(StaffRole::VillageWorker, "411002001001").await;
    // A hospital with a service link but no consent yet.
    let (org, hospital) = app.partner(PartnerKind::Hospital, &["411002"], &[]).await;
    app.store
        .link_service(
            org,
            family,
            "green_channel",
            chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("d"),
        )
        .await
        .expect("link");
    let read = "query($id: ID!) { family(id: $id) { id } }";
    let f = json!({ "id": gid("Family", family) });
    assert_eq!(
        error_code(&app.gql(&hospital, read, f.clone()).await),
        Some("NOT_FOUND"),
        "a link without consent"
    );

    let record = "mutation($input: RecordConsentInput!) { recordConsent(input: $input) { given purpose recipientKind evidenceId } }";
    let today = nuanxin_domain::time::china_today().to_string();
    let input = |given: bool, evidence: Option<&str>| {
        json!({ "input": { "familyId": gid("Family", family), "recipientKind": "HOSPITAL", "given": given,
            "effectiveOn": today, "evidenceId": evidence } })
    };
    let before = app.count("consent").await;
    let missing = app.gql(&township, record, input(true, None)).await;
    assert_eq!(
        missing["errors"][0]["extensions"]["field"], "evidenceId",
        "{missing}"
    );
    let refused = app.gql(&village, record, input(true, None)).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    assert_eq!(app.count("consent").await, before);

    // The signed form, uploaded as the family's attachment, then the consent.
    let req = actix_web::test::TestRequest::post()
        .uri(&format!(
            "/attachments?familyId={}&name=consent.pdf",
            gid("Family", family)
        ))
        .insert_header(("authorization", format!("Bearer {township}")))
        .set_payload(nuanxin_tests::CONSENT_FORM.to_vec());
    let (status, _, uploaded) = app.send(req).await;
    assert_eq!(status.as_u16(), 201, "{uploaded}");
    let evidence = uploaded["id"].as_str().expect("id").to_owned();
    let given = app
        .gql(&township, record, input(true, Some(&evidence)))
        .await;
    ok(&given);
    assert_eq!(given["data"]["recordConsent"]["purpose"], "GREEN_CHANNEL");
    ok(&app.gql(&hospital, read, f.clone()).await);

    // Withdrawn on the family's word: the hospital is cut off on its next request.
    ok(&app.gql(&township, record, input(false, None)).await);
    assert_eq!(
        error_code(&app.gql(&hospital, read, f.clone()).await),
        Some("NOT_FOUND")
    );
    let history = app
        .gql(
            &township,
            "query($f: ID!) { consents(familyId: $f) { given } }",
            json!({ "f": gid("Family", family) }),
        )
        .await;
    ok(&history);
    assert_eq!(
        history["data"]["consents"],
        json!([{ "given": false }, { "given": true }])
    );
    // The history is append-only in the database itself.
    let db = app.store.raw_connection();
    assert!(
        db.execute_unprepared("UPDATE consent SET given = true")
            .await
            .is_err()
    );
    assert!(db.execute_unprepared("DELETE FROM consent").await.is_err());
}

on_both_backends!(the_green_channel_answers_the_registration_window_and_nothing_more);
async fn the_green_channel_answers_the_registration_window_and_nothing_more(app: &TestApp) {
    use chrono::NaiveDate;
    use nuanxin_domain::{IdNumber, PartnerKind};
    use nuanxin_tests::gid;
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
    let (family, members) = app.family_at("411002001001", 1).await;
    let (quiet, quiet_members) = app.family_at("411002001001", 2).await;
    let father_id = IdNumber::compose("411002", d(1962, 4, 12), 3)
        .expect("id")
        .expose()
        .to_owned();
    let mother_id = IdNumber::compose("411002", d(1965, 8, 31), 2)
        .expect("id")
        .expose()
        .to_owned();
    let quiet_father = IdNumber::compose("411002", d(1962, 4, 12), 5)
        .expect("id")
        .expose()
        .to_owned();
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let (_, hospital) = app.partner(PartnerKind::Hospital, &["411002"], &[]).await;
    app.consent(family, PartnerKind::Hospital).await;

    let issue = "mutation($m: ID!) { issueGreenChannelCard(memberId: $m) { id cardNumber } }";
    let card = app
        .gql(&township, issue, json!({ "m": gid("Member", members[0]) }))
        .await;
    ok(&card);
    let card_no = card["data"]["issueGreenChannelCard"]["cardNumber"]
        .as_str()
        .expect("no")
        .to_owned();
    let again = app
        .gql(&township, issue, json!({ "m": gid("Member", members[0]) }))
        .await;
    assert_eq!(
        error_code(&again),
        Some("CONFLICT"),
        "one active card: {again}"
    );
    // The quiet family's father holds a card, but the family never consented.
    ok(&app
        .gql(
            &township,
            issue,
            json!({ "m": gid("Member", quiet_members[0]) }),
        )
        .await);

    let verify =
        "query($n: String!) { verifyGreenChannel(idNumber: $n) { eligible cardNumber surname } }";
    let logged = app.count("access_log").await;
    let yes = app.gql(&hospital, verify, json!({ "n": father_id })).await;
    ok(&yes);
    assert_eq!(
        yes["data"]["verifyGreenChannel"],
        json!({ "eligible": true, "cardNumber": card_no, "surname": "王" })
    );
    assert_eq!(
        app.count("access_log").await,
        logged + 1,
        "every check is logged"
    );
    for n in [&mother_id, &quiet_father] {
        let no = app.gql(&hospital, verify, json!({ "n": n })).await;
        assert_eq!(
            no["data"]["verifyGreenChannel"],
            json!({ "eligible": false, "cardNumber": null, "surname": null }),
            "{n}"
        );
    }
    let unknown = IdNumber::compose("411002", d(1950, 1, 1), 99)
        .expect("id")
        .expose()
        .to_owned();
    let no = app.gql(&hospital, verify, json!({ "n": unknown })).await;
    assert_eq!(no["data"]["verifyGreenChannel"]["eligible"], false);
    assert_eq!(
        app.count("access_log").await,
        logged + 4,
        "found or not, each call is logged"
    );
    // No partial match, no listing: a prefix is not an ID number.
    let partial = app
        .gql(&hospital, verify, json!({ "n": &father_id[..14] }))
        .await;
    assert_eq!(
        partial["errors"][0]["extensions"]["field"], "idNumber",
        "{partial}"
    );
    // Staff do not use the hospital's check.
    assert_eq!(
        error_code(&app.gql(&township, verify, json!({ "n": father_id })).await),
        Some("FORBIDDEN")
    );

    // The hospital records a green-channel visit for the card holder, and nothing else.
    let today = nuanxin_domain::time::china_today().to_string();
    let rec = "mutation($input: RecordCareInput!) { recordCare(input: $input) { kind performerKind feesWaivedFen } }";
    let visit = |member: uuid::Uuid, kind: &str| {
        json!({ "input": { "familyId": gid("Family", family), "memberId": gid("Member", member), "kind": kind,
            "occurredOn": today, "content": "绿色通道就诊，优先挂号", "department": "心内科", "feesWaivedFen": 3_000 } })
    };
    let done = app
        .gql(&hospital, rec, visit(members[0], "GREEN_CHANNEL_VISIT"))
        .await;
    ok(&done);
    assert_eq!(done["data"]["recordCare"]["performerKind"], "PARTNER");
    let before = app.count("care_record").await;
    assert_eq!(
        error_code(
            &app.gql(&hospital, rec, visit(members[1], "GREEN_CHANNEL_VISIT"))
                .await
        ),
        Some("NOT_FOUND"),
        "not a card holder"
    );
    assert_eq!(
        error_code(&app.gql(&hospital, rec, visit(members[0], "CHECKUP")).await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&app.gql(&hospital, rec, visit(members[0], "VISIT")).await),
        Some("FORBIDDEN")
    );
    assert_eq!(app.count("care_record").await, before);
    // It reads the card holder's family's chronic-disease records, not their care records.
    let cond = app
        .gql(
            &hospital,
            "query($f: ID!) { chronicConditions(familyId: $f) { disease } }",
            json!({ "f": gid("Family", family) }),
        )
        .await;
    ok(&cond);
    let care = app
        .gql(
            &hospital,
            "query($f: ID!) { careRecords(familyId: $f) { edges { cursor } } }",
            json!({ "f": gid("Family", family) }),
        )
        .await;
    assert!(care["errors"].is_array(), "{care}");
    let quiet_read = app
        .gql(
            &hospital,
            "query($id: ID!) { family(id: $id) { id } }",
            json!({ "id": gid("Family", quiet) }),
        )
        .await;
    assert_eq!(
        error_code(&quiet_read),
        Some("NOT_FOUND"),
        "a card without consent links nothing"
    );

    // A revoked card ends it for its holder, even while the family stays linked through
    // another member's card; the last card gone, the family is out of reach.
    let mother_card = app
        .gql(&township, issue, json!({ "m": gid("Member", members[1]) }))
        .await;
    ok(&mother_card);
    let revoke = "mutation($c: ID!) { revokeGreenChannelCard(cardId: $c) { revokedOn } }";
    let card_id = card["data"]["issueGreenChannelCard"]["id"].clone();
    ok(&app.gql(&township, revoke, json!({ "c": card_id })).await);
    let no = app.gql(&hospital, verify, json!({ "n": father_id })).await;
    assert_eq!(no["data"]["verifyGreenChannel"]["eligible"], false, "{no}");
    let yes = app.gql(&hospital, verify, json!({ "n": mother_id })).await;
    assert_eq!(yes["data"]["verifyGreenChannel"]["eligible"], true, "{yes}");
    let mother_card_id = mother_card["data"]["issueGreenChannelCard"]["id"].clone();
    ok(&app
        .gql(&township, revoke, json!({ "c": mother_card_id }))
        .await);
    let gone = app
        .gql(
            &hospital,
            "query($id: ID!) { family(id: $id) { id } }",
            json!({ "id": gid("Family", family) }),
        )
        .await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"));
}

on_both_backends!(a_unit_answers_the_referrals_assigned_to_it_and_nothing_else);
async fn a_unit_answers_the_referrals_assigned_to_it_and_nothing_else(app: &TestApp) {
    use nuanxin_domain::PartnerKind;
    use nuanxin_tests::gid;
    let (family, members) = app.family_at("411002001001", 1).await;
    let (other, other_members) = app.family_at("411002001001", 2).await;
    let city = app.token(StaffRole::CityAdmin, "411000").await;
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let (org, unit) = app
        .partner(PartnerKind::CivilAffairs, &["411002"], &[])
        .await;
    let linked = app
        .gql(
            &city,
            "mutation($org: ID!) { linkCareUnit(unitCode: \"civil_affairs\", organisationId: $org) }",
            json!({ "org": gid("Organisation", org) }),
        )
        .await;
    ok(&linked);
    app.consent(family, PartnerKind::CivilAffairs).await;
    let today = nuanxin_domain::time::china_today().to_string();
    let open = |f: uuid::Uuid, m: uuid::Uuid, workflow: &str, kind: Option<&str>| {
        json!({ "input": { "familyId": gid("Family", f), "memberId": gid("Member", m), "workflow": workflow,
            "referralKind": kind, "summary": "申请", "requestedFen": if workflow == "EMERGENCY_AID" { json!(1000) } else { json!(null) },
            "openedOn": today } })
    };
    let q = "mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }";
    let care_home = app
        .gql(
            &township,
            q,
            open(family, members[0], "REFERRAL", Some("CARE_HOME_ADMISSION")),
        )
        .await;
    ok(&care_home);
    let care_home = care_home["data"]["openCase"]["id"].clone();
    let legal = app
        .gql(
            &township,
            q,
            open(family, members[0], "REFERRAL", Some("LEGAL_AID")),
        )
        .await;
    ok(&legal);
    let aid = app
        .gql(
            &township,
            q,
            open(family, members[0], "EMERGENCY_AID", None),
        )
        .await;
    ok(&aid);
    // The other family's referral waits for that family's consent.
    let waiting = app
        .gql(
            &township,
            q,
            open(other, other_members[0], "REFERRAL", Some("ADOPTION")),
        )
        .await;
    ok(&waiting);

    let queue = "{ assignedReferrals { edges { node { id referralKind state priority } } } }";
    let seen = app.gql(&unit, queue, json!({})).await;
    ok(&seen);
    let ids: Vec<&Value> = seen["data"]["assignedReferrals"]["edges"]
        .as_array()
        .expect("e")
        .iter()
        .map(|e| &e["node"]["id"])
        .collect();
    assert_eq!(
        ids,
        [&care_home],
        "its unit's referral, of a consenting family: {seen}"
    );
    // The referral links the family's file (masked) to the unit.
    let file = app
        .gql(
            &unit,
            "query($id: ID!) { family(id: $id) { id members { name idNumber } } }",
            json!({ "id": gid("Family", family) }),
        )
        .await;
    ok(&file);
    assert!(
        file["data"]["family"]["members"][0]["idNumber"]
            .as_str()
            .is_some_and(|n| n.contains('*')),
        "{file}"
    );

    let mv =
        "mutation($input: MoveCaseInput!) { moveCase(input: $input) { state steps { to by } } }";
    let step = |case: &Value, to: &str| json!({ "input": { "caseId": case, "to": to, "note": "已安排床位" } });
    let before = app.count("care_case_step").await;
    for other_case in [
        &legal["data"]["openCase"]["id"],
        &aid["data"]["openCase"]["id"],
    ] {
        let body = app.gql(&unit, mv, step(other_case, "accepted")).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    }
    assert_eq!(app.count("care_case_step").await, before);
    let accepted = app.gql(&unit, mv, step(&care_home, "accepted")).await;
    ok(&accepted);
    let completed = app.gql(&unit, mv, step(&care_home, "completed")).await;
    ok(&completed);
    assert_eq!(completed["data"]["moveCase"]["steps"][1]["by"], "test app");
    // The unit opens nothing and reads no care records.
    let refused = app
        .gql(
            &unit,
            q,
            open(family, members[0], "REFERRAL", Some("ADOPTION")),
        )
        .await;
    assert!(refused["errors"].is_array(), "{refused}");
    // Its referral done, the family is out of the unit's reach.
    let gone = app
        .gql(
            &unit,
            "query($id: ID!) { family(id: $id) { id } }",
            json!({ "id": gid("Family", family) }),
        )
        .await;
    assert_eq!(error_code(&gone), Some("NOT_FOUND"), "{gone}");
    // The other family consents: its referral reaches the queue.
    app.consent(other, PartnerKind::CivilAffairs).await;
    let seen = app.gql(&unit, queue, json!({})).await;
    let kinds: Vec<&Value> = seen["data"]["assignedReferrals"]["edges"]
        .as_array()
        .expect("e")
        .iter()
        .map(|e| &e["node"]["referralKind"])
        .collect();
    assert!(kinds.contains(&&json!("ADOPTION")), "{seen}");
}

async fn gql_with_key(
    app: &TestApp,
    token: &str,
    key: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    app.allow(token, query).await;
    let mut req = atest::TestRequest::post()
        .uri("/graphql")
        .insert_header(("content-type", "application/json"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_payload(json!({ "query": query, "variables": variables }).to_string());
    if let Some(k) = key {
        req = req.insert_header(("idempotency-key", k));
    }
    app.send(req).await.2
}

on_both_backends!(an_insurer_enrols_files_policies_idempotently_and_decides_claims);
async fn an_insurer_enrols_files_policies_idempotently_and_decides_claims(app: &TestApp) {
    use nuanxin_domain::PartnerKind;
    use nuanxin_tests::gid;
    let (family, members) = app.family_at("411002001001", 1).await;
    let (no_consent, others) = app.family_at("411002001001", 2).await;
    let (inactive, _) = app.family_at("411002001001", 3).await;
    app.activate(family).await;
    app.activate(no_consent).await;
    app.consent(family, PartnerKind::Insurer).await;
    app.consent(inactive, PartnerKind::Insurer).await;
    let (_, insurer) = app.partner(PartnerKind::Insurer, &["411002"], &[]).await;

    let list = "query { enrolment(policyYear: 2027) { edges { node { memberId name idNumber birthDate sex regionCode } } } }";
    let logged = app.count("access_log").await;
    let seen = app.gql(&insurer, list, json!({})).await;
    ok(&seen);
    let edges = seen["data"]["enrolment"]["edges"]
        .as_array()
        .expect("edges");
    assert_eq!(
        edges.len(),
        2,
        "the consenting active family's two members only: {seen}"
    );
    assert!(edges.iter().all(|e| {
        e["node"]["idNumber"]
            .as_str()
            .is_some_and(|n| n.len() == 18 && !n.contains('*'))
    }));
    assert_eq!(
        app.count("access_log").await,
        logged + 2,
        "each clear read is logged"
    );
    // Nothing else: no phones, no health.
    let phone = app
        .gql(
            &insurer,
            "query($id: ID!) { member(id: $id) { phone } }",
            json!({ "id": gid("Member", members[0]) }),
        )
        .await;
    assert!(phone["errors"].is_array(), "{phone}");
    let health = app
        .gql(
            &insurer,
            "query($f: ID!) { chronicConditions(familyId: $f) { disease } }",
            json!({ "f": gid("Family", family) }),
        )
        .await;
    assert!(health["errors"].is_array(), "{health}");

    let upsert = "mutation($p: [PolicyInput!]!) { upsertPolicies(policyYear: 2027, policies: $p) { id policyNumber premiumFen } }";
    let policy = |no: &str, m: uuid::Uuid, premium: i64| {
        json!({ "policyNumber": no, "memberId": gid("Member", m), "coverageStart": "2027-01-01",
            "coverageEnd": "2027-12-31", "premiumFen": premium })
    };
    let body = json!({ "p": [policy("PICC-2027-0001", members[0], 5000), policy("PICC-2027-0002", members[1], 5000)] });
    let first = gql_with_key(app, &insurer, Some("run-2027-01"), upsert, body.clone()).await;
    ok(&first);
    assert_eq!(app.count("insurance_policy").await, 2);
    // The script is killed and run again: the same key and body answer the same.
    let replay = gql_with_key(app, &insurer, Some("run-2027-01"), upsert, body.clone()).await;
    assert_eq!(
        replay["data"], first["data"],
        "a replay returns the first result"
    );
    assert_eq!(app.count("insurance_policy").await, 2);
    let other = json!({ "p": [policy("PICC-2027-0001", members[0], 6000)] });
    let conflict = gql_with_key(app, &insurer, Some("run-2027-01"), upsert, other.clone()).await;
    assert_eq!(error_code(&conflict), Some("CONFLICT"), "{conflict}");
    // A correction under a new key updates in place.
    let fixed = gql_with_key(app, &insurer, Some("run-2027-02"), upsert, other).await;
    ok(&fixed);
    assert_eq!(fixed["data"]["upsertPolicies"][0]["premiumFen"], 6000);
    assert_eq!(app.count("insurance_policy").await, 2);
    // All or nothing: a member outside the enrolment spoils the whole batch.
    let spoiled = json!({ "p": [policy("PICC-2027-0002", members[1], 7000), policy("PICC-2027-0004", others[0], 5000)] });
    let refused = gql_with_key(app, &insurer, Some("run-2027-03"), upsert, spoiled).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["field"], "policies.1.memberId",
        "{refused}"
    );
    let mine = app
        .gql(
            &insurer,
            "{ insurancePolicies { policyNumber premiumFen } }",
            json!({}),
        )
        .await;
    assert!(
        mine["data"]["insurancePolicies"]
            .as_array()
            .expect("p")
            .iter()
            .any(|p| p["policyNumber"] == "PICC-2027-0002" && p["premiumFen"] == 5000),
        "the valid half was not written either: {mine}"
    );
    assert_eq!(app.count("insurance_policy").await, 2);
    let bad_year = json!({ "p": [{ "policyNumber": "PICC-2027-0009", "memberId": gid("Member", members[0]),
        "coverageStart": "2026-12-01", "coverageEnd": "2027-11-30", "premiumFen": 1 }] });
    let refused = gql_with_key(app, &insurer, None, upsert, bad_year).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["field"], "policies.0.coverageStart",
        "{refused}"
    );

    // Claims: the township files them, the insurer decides each once.
    let township = app.token(StaffRole::TownshipWorker, "411002001").await;
    let policy_id = first["data"]["upsertPolicies"][0]["id"].clone();
    let file = "mutation($p: ID!) { recordClaim(policyId: $p, amountFen: 200000, submittedOn: \"2026-11-30\", note: \"摔伤住院\") { id state } }";
    let c1 = app.gql(&township, file, json!({ "p": policy_id })).await;
    ok(&c1);
    let c2 = app.gql(&township, file, json!({ "p": policy_id })).await;
    ok(&c2);
    let decide =
        "mutation($c: ID!, $to: String!) { decideClaim(claimId: $c, to: $to) { state decidedOn } }";
    let c1 = c1["data"]["recordClaim"]["id"].clone();
    let c2 = c2["data"]["recordClaim"]["id"].clone();
    assert_eq!(
        error_code(
            &app.gql(&township, decide, json!({ "c": c1, "to": "paid" }))
                .await
        ),
        Some("FORBIDDEN")
    );
    let paid = app
        .gql(&insurer, decide, json!({ "c": c1, "to": "paid" }))
        .await;
    ok(&paid);
    assert_eq!(paid["data"]["decideClaim"]["state"], "paid");
    let again = app
        .gql(&insurer, decide, json!({ "c": c1, "to": "rejected" }))
        .await;
    assert_eq!(again["errors"][0]["extensions"]["field"], "to", "{again}");
    let odd = app
        .gql(&insurer, decide, json!({ "c": c2, "to": "approved" }))
        .await;
    assert_eq!(odd["errors"][0]["extensions"]["field"], "to", "{odd}");
    ok(&app
        .gql(&insurer, decide, json!({ "c": c2, "to": "rejected" }))
        .await);
    // Another insurer sees none of it.
    let (_, rival) = app.partner(PartnerKind::Insurer, &["411002"], &[]).await;
    assert_eq!(
        error_code(
            &app.gql(&rival, decide, json!({ "c": c2, "to": "paid" }))
                .await
        ),
        Some("NOT_FOUND")
    );
    let theirs = app
        .gql(&rival, "{ insurancePolicies { id } }", json!({}))
        .await;
    assert_eq!(theirs["data"]["insurancePolicies"], json!([]));
}
