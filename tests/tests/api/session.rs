//! Session: access tokens (expiry, audience, algorithm, key, subject kind), the account
//! looked at again on every request (disabled, demoted, moved, signed out), and
//! refresh-token rotation with re-use detection, through the real app.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use nuanxin_auth::Claims;
use nuanxin_domain::{PartnerKind, RegionCode, StaffRole};
use nuanxin_tests::{PASSWORD, TestApp, error_code, gid, on_both_backends};
use serde_json::{Value, json};

const ME: &str = "{ me { username role homeRegionCode homeRegionName } }";
const LOGIN: &str = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
  accessToken refreshToken accessTokenExpiresAt me { username role } } }";
const REFRESH: &str =
    "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }";
const LOGOUT: &str = "mutation($t: String!) { logout(refreshToken: $t) }";

fn claims(app: &TestApp, sub: uuid::Uuid) -> Claims {
    let now = chrono::Utc::now().timestamp();
    let settings = app.tokens().settings();
    Claims {
        sub: sub.to_string(),
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
        exp: now + 600,
        nbf: now,
        iat: now,
        jti: "t".into(),
        kind: "staff".into(),
        role: "city_admin".into(),
        region: "411000".into(),
        org: String::new(),
        name: "forger".into(),
        app: String::new(),
    }
}

fn sign(app: &TestApp, claims: &Claims, key: &[u8], kid: &str) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.into());
    let _ = app;
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(key).expect("key"),
    )
    .expect("sign")
}

async fn me_status(app: &TestApp, token: &str) -> (u16, Value) {
    let (status, body) = app.gql_full(Some(token), ME, json!({})).await;
    (status.as_u16(), body)
}

on_both_backends!(bad_access_tokens_are_refused);
async fn bad_access_tokens_are_refused(app: &TestApp) {
    let (kid, key) = app.jwt_keys.keys()[0].clone();
    let (sub, _) = app.staff(StaffRole::CityAdmin, "411000").await;

    // The honest token works.
    let good = sign(app, &claims(app, sub), &key, &kid);
    let (status, body) = me_status(app, &good).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["me"]["role"], "CITY_ADMIN");

    let mut expired = claims(app, sub);
    expired.exp = chrono::Utc::now().timestamp() - 120;
    expired.nbf = expired.exp - 900;
    let (status, body) = me_status(app, &sign(app, &expired, &key, &kid)).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, Some("UNAUTHENTICATED")),
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("登录已过期")
    );

    let mut wrong_aud = claims(app, sub);
    wrong_aud.aud = "someone-else".into();
    let (status, _) = me_status(app, &sign(app, &wrong_aud, &key, &kid)).await;
    assert_eq!(status, 401, "wrong audience");

    let mut wrong_iss = claims(app, sub);
    wrong_iss.iss = "evil".into();
    let (status, _) = me_status(app, &sign(app, &wrong_iss, &key, &kid)).await;
    assert_eq!(status, 401, "wrong issuer");

    let mut not_yet = claims(app, sub);
    not_yet.nbf = chrono::Utc::now().timestamp() + 3600;
    let (status, _) = me_status(app, &sign(app, &not_yet, &key, &kid)).await;
    assert_eq!(status, 401, "not valid before nbf");

    let (status, _) = me_status(app, &sign(app, &claims(app, sub), &[7u8; 32], &kid)).await;
    assert_eq!(status, 401, "wrong key");

    let (status, _) = me_status(app, &sign(app, &claims(app, sub), &key, "unknown-kid")).await;
    assert_eq!(status, 401, "unknown kid");

    // alg: none, with a valid-looking payload and no signature.
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","typ":"JWT","kid":"{kid}"}}"#));
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(app, sub)).expect("json"));
    let (status, _) = me_status(app, &format!("{header}.{payload}.")).await;
    assert_eq!(status, 401, "alg none");

    // A token missing nbf is refused: every registered claim is required.
    let mut raw = serde_json::to_value(claims(app, sub)).expect("json");
    raw.as_object_mut().expect("object").remove("nbf");
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some(kid.clone());
    let no_nbf = encode(&h, &raw, &EncodingKey::from_secret(&key).expect("key")).expect("sign");
    let (status, _) = me_status(app, &no_nbf).await;
    assert_eq!(status, 401, "missing nbf");

    // A genuine signature on a kind of subject this server does not know: refused.
    let mut robot = claims(app, sub);
    robot.kind = "robot".into();
    let (status, _) = me_status(app, &sign(app, &robot, &key, &kid)).await;
    assert_eq!(status, 401, "unknown subject kind");
    // A staff token for an id with no account: refused (control: the account's own works).
    let ghost = claims(app, uuid::Uuid::now_v7());
    let (status, body) = me_status(app, &sign(app, &ghost, &key, &kid)).await;
    assert_eq!(status, 401, "no such account: {body}");
    let (status, _) = me_status(app, &sign(app, &claims(app, sub), &key, &kid)).await;
    assert_eq!(status, 200);
}

on_both_backends!(login_refresh_reuse_and_logout);
async fn login_refresh_reuse_and_logout(app: &TestApp) {
    app.create_user("weidu.clerk", StaffRole::CountyAdmin, "411002")
        .await;

    let body = app
        .gql_full(
            None,
            LOGIN,
            json!({ "u": "weidu.clerk", "p": "wrong password!" }),
        )
        .await
        .1;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    let body = app
        .gql_full(None, LOGIN, json!({ "u": "nobody", "p": PASSWORD }))
        .await
        .1;
    assert_eq!(
        body["errors"][0]["message"], "用户名或密码错误",
        "no user enumeration"
    );

    let body = app
        .gql_full(None, LOGIN, json!({ "u": "weidu.clerk", "p": PASSWORD }))
        .await
        .1;
    let login = &body["data"]["login"];
    assert_eq!(login["me"]["role"], "COUNTY_ADMIN", "{body}");
    let access = login["accessToken"].as_str().expect("access").to_owned();
    let first_refresh = login["refreshToken"].as_str().expect("refresh").to_owned();
    let (status, body) = me_status(app, &access).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["me"]["homeRegionName"], "魏都区");

    // Rotation: the first refresh token buys a new pair…
    let body = app
        .gql_full(None, REFRESH, json!({ "t": first_refresh }))
        .await
        .1;
    let second_refresh = body["data"]["refreshToken"]["refreshToken"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_ne!(second_refresh, first_refresh);

    // …and presenting it again revokes the whole chain, including the newer token.
    let body = app
        .gql_full(None, REFRESH, json!({ "t": first_refresh }))
        .await
        .1;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("已被使用过")
    );
    let body = app
        .gql_full(None, REFRESH, json!({ "t": second_refresh }))
        .await
        .1;
    assert_eq!(
        error_code(&body),
        Some("UNAUTHENTICATED"),
        "the chain is revoked: {body}"
    );

    // Logout revokes a fresh login's refresh token.
    let body = app
        .gql_full(None, LOGIN, json!({ "u": "weidu.clerk", "p": PASSWORD }))
        .await
        .1;
    let refresh = body["data"]["login"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let body = app.gql_full(None, LOGOUT, json!({ "t": refresh })).await.1;
    assert_eq!(body["data"]["logout"], true, "{body}");
    let body = app.gql_full(None, REFRESH, json!({ "t": refresh })).await.1;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");

    // Garbage refresh tokens are simply refused.
    let body = app
        .gql_full(None, REFRESH, json!({ "t": "garbage" }))
        .await
        .1;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

const FAMILY: &str = "query($id: ID!) { family(id: $id) { id } }";

on_both_backends!(the_account_is_looked_at_on_every_request);
async fn the_account_is_looked_at_on_every_request(app: &TestApp) {
    let (weidu, _) = app.family_at("411002001001", 1).await;
    let (yanling, _) = app.family_at("411024001001", 2).await;
    let (id, token) = app.staff(StaffRole::CountyAdmin, "411002").await;
    let read = async |token: &str, family| {
        app.gql(token, FAMILY, json!({ "id": gid("Family", family) }))
            .await
    };
    let body = read(&token, weidu).await;
    assert_eq!(error_code(&body), None, "{body}");

    // Disabled: refused on the very next request, not when the token expires.
    app.store
        .set_staff_active(id, false)
        .await
        .expect("disable");
    let (status, body) = me_status(app, &token).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, Some("UNAUTHENTICATED")),
        "{body}"
    );
    // Control: enabled again, the same token works.
    app.store.set_staff_active(id, true).await.expect("enable");
    assert_eq!(me_status(app, &token).await.0, 200);

    // Moved to another county: the same token now reaches that county, not the old one.
    app.store
        .set_staff_role(
            id,
            StaffRole::CountyAdmin,
            &RegionCode::parse("411024").expect("code"),
        )
        .await
        .expect("move");
    assert_eq!(error_code(&read(&token, weidu).await), Some("NOT_FOUND"));
    assert_eq!(error_code(&read(&token, yanling).await), None);

    // Demoted to a village worker: the county's operations are refused at once.
    app.store
        .set_staff_role(
            id,
            StaffRole::VillageWorker,
            &RegionCode::parse("411024001001").expect("code"),
        )
        .await
        .expect("demote");
    let (_, body) = me_status(app, &token).await;
    assert_eq!(body["data"]["me"]["role"], "VILLAGE_WORKER", "{body}");
    let body = app
        .gql(
            &token,
            "mutation($id: ID!) { changeFamilyStatus(id: $id, status: VERIFIED, reason: \"checked\") { status } }",
            json!({ "id": gid("Family", yanling) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
}

on_both_backends!(logout_signs_out_the_access_token_itself);
async fn logout_signs_out_the_access_token_itself(app: &TestApp) {
    let (id, token) = app.staff(StaffRole::CityAdmin, "411000").await;
    let other = app.token_for(
        &app.store
            .staff_user_by_id(id)
            .await
            .expect("account")
            .expect("exists")
            .principal(),
    );
    assert_eq!(me_status(app, &token).await.0, 200);
    let body = app.gql(&token, "mutation { logout }", json!({})).await;
    assert_eq!(body["data"]["logout"], true, "{body}");
    let (status, body) = me_status(app, &token).await;
    assert_eq!(status, 401, "a signed-out token is refused: {body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("您已退出登录")),
        "{body}"
    );
    // Control: another token of the same account (another device) still works.
    assert_eq!(me_status(app, &other).await.0, 200);
    // Anonymous may still end a login by its refresh token, and has no access token to end.
    let body = app.gql_full(None, "mutation { logout }", json!({})).await.1;
    assert_eq!(body["data"]["logout"], false, "{body}");
}

on_both_backends!(partner_and_volunteer_accounts_are_looked_at_too);
async fn partner_and_volunteer_accounts_are_looked_at_too(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 3).await;
    let (org, token) = app
        .partner(PartnerKind::Hospital, &["411002"], &[family])
        .await;
    let read = async |token: &str| {
        app.gql(token, FAMILY, json!({ "id": gid("Family", family) }))
            .await
    };
    assert_eq!(error_code(&read(&token).await), None);
    app.store
        .set_organisation_active(org, false)
        .await
        .expect("disable");
    let (status, _) = me_status(app, &token).await;
    assert_eq!(status, 401, "a disabled organisation's app is refused");
    app.store
        .set_organisation_active(org, true)
        .await
        .expect("enable");
    assert_eq!(
        error_code(&read(&token).await),
        None,
        "control: enabled again"
    );

    let (_, volunteer) = app.volunteer(&[family]).await;
    let (_, body) = me_status(app, &volunteer).await;
    assert_eq!(
        body["data"]["me"]["username"]
            .as_str()
            .map(|u| u.starts_with("volunteer")),
        Some(true),
        "{body}"
    );
    assert_eq!(error_code(&read(&volunteer).await), None);
}

on_both_backends!(password_guessing_is_slowed);
async fn password_guessing_is_slowed(app: &TestApp) {
    use actix_web::test::TestRequest;
    app.create_user("weidu.desk", StaffRole::CountyAdmin, "411002")
        .await;
    app.create_user("yanling.desk", StaffRole::CountyAdmin, "411024")
        .await;

    // Thirty guesses in one request, the right password among them: refused whole.
    let guesses: String = (0..30)
        .map(|i| {
            let p = if i == 17 {
                PASSWORD.to_owned()
            } else {
                format!("guess number {i}")
            };
            format!("g{i}: login(username: \"weidu.desk\", password: \"{p}\") {{ accessToken }} ")
        })
        .collect();
    let (status, body) = app
        .gql_full(None, &format!("mutation {{ {guesses} }}"), json!({}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert!(!body.to_string().contains("accessToken\":\""), "{body}");

    // Five wrong passwords in a row, then the username backs off: even the right one waits.
    for _ in 0..5 {
        let body = app
            .gql_full(
                None,
                LOGIN,
                json!({ "u": "weidu.desk", "p": "not the password" }),
            )
            .await
            .1;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    }
    let (status, headers, body) = app
        .send(
            TestRequest::post()
                .uri("/graphql")
                .insert_header(("content-type", "application/json"))
                .set_payload(
                    json!({ "query": LOGIN, "variables": { "u": "weidu.desk", "p": PASSWORD } })
                        .to_string(),
                ),
        )
        .await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(error_code(&body), Some("RATE_LIMITED"));
    assert!(
        headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|s| s >= 1),
        "{headers:?}"
    );
    // Control: another username is not slowed.
    let body = app
        .gql_full(None, LOGIN, json!({ "u": "yanling.desk", "p": PASSWORD }))
        .await
        .1;
    assert!(body["data"]["login"]["accessToken"].is_string(), "{body}");

    // One address trying many usernames is limited too (30 a minute).
    let from = |ip: [u8; 4]| std::net::SocketAddr::from((ip, 40000));
    let mut limited = None;
    let started = std::time::Instant::now();
    for i in 0..60 {
        let (status, _, _) = app
            .send(
                TestRequest::post()
                    .uri("/graphql")
                    .peer_addr(from([203, 0, 113, 7]))
                    .insert_header(("content-type", "application/json"))
                    .set_payload(json!({ "query": LOGIN, "variables": { "u": format!("nobody{i}"), "p": "x" } }).to_string()),
            )
            .await;
        if status == 429 {
            limited = Some(i);
            break;
        }
    }
    // The budget is 30 at once, refilled one every 2 s: on a slow machine a few more
    // attempts get through while the loop runs, never fewer than 30.
    let refills = (started.elapsed().as_secs() / 2) as usize + 1;
    assert!(
        limited.is_some_and(|i| (30..=30 + refills).contains(&i)),
        "refused at attempt {limited:?} (refills allowed: {refills})"
    );
    // Control: another address may still try.
    let (status, _, body) = app
        .send(
            TestRequest::post()
                .uri("/graphql")
                .peer_addr(from([203, 0, 113, 8]))
                .insert_header(("content-type", "application/json"))
                .set_payload(
                    json!({ "query": LOGIN, "variables": { "u": "yanling.desk", "p": PASSWORD } })
                        .to_string(),
                ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Log lines are one per event: a username with a line break cannot forge another.
#[tokio::test(flavor = "current_thread")]
async fn a_username_cannot_forge_a_log_line() {
    let (_guard, captured) = nuanxin_tests::logs::capture();
    nuanxin_tests::run(nuanxin_tests::Backend::Sqlite, async |app: &TestApp| {
        let forged = "nobody\n2026-12-01T00:00:00Z  INFO login user=\"city.admin\"";
        let body = app
            .gql_full(None, LOGIN, json!({ "u": forged, "p": "wrong password" }))
            .await
            .1;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    })
    .await;
    let text = captured.text();
    assert!(
        text.contains("failed login"),
        "control: the attempt is logged: {text}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("2026-12-01T00:00:00Z")),
        "a forged line: {text}"
    );
}
