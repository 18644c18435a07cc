//! The hardened HTTP edge: media types, methods, request ids, health, and a clean 503
//! while the database is down.

use actix_web::test::TestRequest;
use nuanxin_auth::{JwtKeys, TokenService, TokenSettings};
use nuanxin_domain::{RegionCode, StaffRole};
use nuanxin_store::{Store, StoreConfig, Vault, VaultKeys};
use nuanxin_tests::{TestApp, error_code, on_both_backends};
use serde_json::json;

on_both_backends!(only_json_posts_and_get_queries);
async fn only_json_posts_and_get_queries(app: &TestApp) {
    let token = app.token(StaffRole::CityAdmin, "411000").await;
    let auth = ("authorization", format!("Bearer {token}"));

    // A form post (what a cross-site page can send) is refused.
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (status, _, body) = app
            .send(
                TestRequest::post()
                    .uri("/graphql")
                    .insert_header(("content-type", ct))
                    .insert_header(auth.clone())
                    .set_payload(r#"{"query":"{ me { id } }"}"#),
            )
            .await;
        assert_eq!(status, 415, "{ct}");
        assert_eq!(error_code(&body), Some("UNSUPPORTED_MEDIA_TYPE"));
    }
    let (status, _, _) = app
        .send(
            TestRequest::post()
                .uri("/graphql")
                .insert_header(auth.clone())
                .set_payload(r#"{"query":"{ me { id } }"}"#),
        )
        .await;
    assert_eq!(status, 415, "no content type");

    // GET runs queries…
    let (status, headers, body) = app
        .send(
            TestRequest::get()
                .uri("/graphql?query=%7B%20me%20%7B%20username%20%7D%20%7D")
                .insert_header(auth.clone()),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert!(
        body["data"]["me"]["username"]
            .as_str()
            .is_some_and(|u| u.starts_with("city_admin-")),
        "{body}"
    );

    // …but never mutations. `logout` signs out the very token it is sent with: had the GET
    // run it, the token would be refused afterwards.
    let (status, headers, body) = app
        .send(
            TestRequest::get()
                .uri("/graphql?query=mutation%20%7B%20logout%20%7D")
                .insert_header(auth.clone()),
        )
        .await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(
        headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    let me = TestRequest::get()
        .uri("/graphql?query=%7B%20me%20%7B%20username%20%7D%20%7D")
        .insert_header(auth.clone());
    assert_eq!(app.send(me).await.0, 200, "the token still works");

    // GraphiQL is for development mode only.
    let (status, _, _) = app
        .send(
            TestRequest::get()
                .uri("/graphql")
                .insert_header(("accept", "text/html")),
        )
        .await;
    assert_eq!(status, 400);
}

on_both_backends!(media_type_is_negotiated);
async fn media_type_is_negotiated(app: &TestApp) {
    let token = app.token(StaffRole::CityAdmin, "411000").await;
    let post = |accept: &'static str, query: &'static str| {
        TestRequest::post()
            .uri("/graphql")
            .insert_header(("content-type", "application/json"))
            .insert_header(("accept", accept))
            .insert_header(("authorization", format!("Bearer {token}")))
            .set_payload(json!({ "query": query }).to_string())
    };
    let ct = |h: &actix_web::http::header::HeaderMap| {
        h.get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };

    let (status, h, _) = app.send(post("application/json", "{ me { id } }")).await;
    assert_eq!(
        (status.as_u16(), ct(&h).as_deref()),
        (200, Some("application/json"))
    );
    let (status, h, _) = app
        .send(post("application/graphql-response+json", "{ me { id } }"))
        .await;
    assert_eq!(
        (status.as_u16(), ct(&h).as_deref()),
        (200, Some("application/graphql-response+json"))
    );
    // A validation error: 200 for application/json (legacy), 400 for the new type.
    let (status, _, body) = app.send(post("application/json", "{ nope }")).await;
    assert_eq!(status, 200);
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    // No "did you mean": suggestions would leak hidden fields.
    assert!(
        !body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Did you mean"),
        "{body}"
    );
    let (status, _, _) = app
        .send(post(
            "application/graphql-response+json, application/json;q=0.9",
            "{ nope }",
        ))
        .await;
    assert_eq!(status, 400);
}

on_both_backends!(request_ids_are_echoed_and_in_errors);
async fn request_ids_are_echoed_and_in_errors(app: &TestApp) {
    let (_, headers, body) = app
        .send(
            TestRequest::post()
                .uri("/graphql")
                .insert_header(("content-type", "application/json"))
                .insert_header(("x-request-id", "desk-42-abc"))
                .set_payload(r#"{"query":"{ families { edges { cursor } } }"}"#),
        )
        .await;
    assert_eq!(
        headers.get("x-request-id").and_then(|v| v.to_str().ok()),
        Some("desk-42-abc")
    );
    assert_eq!(
        body["errors"][0]["extensions"]["requestId"], "desk-42-abc",
        "{body}"
    );
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));

    // Without one, a fresh id is made; a hostile one is replaced.
    let (_, headers, _) = app
        .send(
            TestRequest::get()
                .uri("/healthz")
                .insert_header(("x-request-id", "<script>")),
        )
        .await;
    let id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(id.len(), 36, "{id}");
}

on_both_backends!(health_and_readiness);
async fn health_and_readiness(app: &TestApp) {
    let (status, _, body) = app.send(TestRequest::get().uri("/healthz")).await;
    assert_eq!(
        (status.as_u16(), body["status"].as_str()),
        (200, Some("ok"))
    );
    let (status, _, body) = app.send(TestRequest::get().uri("/readyz")).await;
    assert_eq!(
        (status.as_u16(), body["status"].as_str()),
        (200, Some("ready"))
    );
}

/// A database that is down: requests get a clean 503 quickly, with no internals, and
/// readiness says so while liveness stays green.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_down_gives_a_clean_503() {
    let vault = Vault::new(&VaultKeys::generate("t").expect("keys")).expect("vault");
    // Port 1 on loopback: nothing listens there.
    let mut config = StoreConfig::new(
        "postgres://nobody@127.0.0.1:1/nuanxin",
        RegionCode::parse("411000").expect("city"),
    );
    config.lazy = true;
    config.acquire_timeout = std::time::Duration::from_millis(500);
    let store = Store::connect(&config, vault).await.expect("lazy connect");
    let tokens = TokenService::new(
        JwtKeys::generate("t").expect("jwt"),
        TokenSettings::default(),
    );
    let token = tokens
        .issue(&nuanxin_domain::Principal::staff(
            uuid::Uuid::now_v7(),
            "clerk",
            StaffRole::CountyAdmin,
            RegionCode::parse("411002").expect("county"),
        ))
        .expect("token")
        .token;
    let state = nuanxin_server::bootstrap::state_from(store, tokens, false, 100 * 1024);
    let app = actix_web::test::init_service(
        actix_web::App::new().configure(nuanxin_server::http::routes(state)),
    )
    .await;

    let started = std::time::Instant::now();
    let req = TestRequest::post()
        .uri("/graphql")
        .insert_header(("content-type", "application/json"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_payload(r#"{"query":"{ families { edges { node { id } } } }"}"#)
        .to_request();
    let resp = actix_web::test::call_service(&app, req).await;
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = actix_web::test::read_body_json(resp).await;
    assert_eq!(error_code(&body), Some("SERVICE_UNAVAILABLE"), "{body}");
    let text = body.to_string();
    for leak in ["127.0.0.1", "Connection", "sqlx", "refused", "postgres"] {
        assert!(!text.contains(leak), "the 503 body leaks {leak:?}: {text}");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "a dead database must not hang requests"
    );

    let resp =
        actix_web::test::call_service(&app, TestRequest::get().uri("/readyz").to_request()).await;
    assert_eq!(resp.status(), 503);
    let resp =
        actix_web::test::call_service(&app, TestRequest::get().uri("/healthz").to_request()).await;
    assert_eq!(resp.status(), 200);
}

on_both_backends!(no_nesting_aborts_the_process);
async fn no_nesting_aborts_the_process(app: &TestApp) {
    let token = app.token(StaffRole::CityAdmin, "411000").await;
    for depth in [300usize, 1_000, 3_000, 10_000] {
        let documents = [
            (
                "selections",
                format!("{{ me {}{} }}", "{ a ".repeat(depth), "}".repeat(depth)),
                json!({}),
            ),
            (
                "list values",
                format!(
                    "{{ families(filter: {{ name: {}\"x\"{} }}) {{ edges {{ cursor }} }} }}",
                    "[".repeat(depth),
                    "]".repeat(depth)
                ),
                json!({}),
            ),
            (
                "object values",
                format!(
                    "{{ families(filter: {}{}) {{ edges {{ cursor }} }} }}",
                    "{ name: ".repeat(depth),
                    "}".repeat(depth)
                ),
                json!({}),
            ),
        ];
        for (kind, query, variables) in documents {
            for t in [None, Some(token.as_str())] {
                let (status, body) = app.gql_full(t, &query, variables.clone()).await;
                assert_eq!(status, 400, "{kind} at depth {depth}: {body}");
                assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{kind}: {body}");
            }
        }
        // Variables nested as deep: refused as JSON before anything converts them.
        let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let body = format!(
            "{{\"query\":\"query($v: [Int]) {{ me {{ id }} }}\",\"variables\":{{\"v\":{nested}}}}}"
        );
        let (status, _, answer) = app
            .send(
                TestRequest::post()
                    .uri("/graphql")
                    .insert_header(("content-type", "application/json"))
                    .set_payload(body),
            )
            .await;
        assert_eq!(status, 400, "variables at depth {depth}: {answer}");
    }
    // Control: the process is alive and an honest request works.
    let (status, body) = app
        .gql_full(Some(&token), "{ me { username } }", json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The standard introspection query of GraphiQL and codegen tools (graphql-js), 13 levels
/// deep through `TypeRef`.
const STANDARD_INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name } types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

on_both_backends!(graphql_semantics_and_tooling);
async fn graphql_semantics_and_tooling(app: &TestApp) {
    let token = app.token(StaffRole::CountyAdmin, "411002").await;
    // The standard introspection query works for staff…
    let (status, body) = app
        .gql_full(Some(&token), STANDARD_INTROSPECTION, json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let types = body["data"]["__schema"]["types"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert!(types > 20, "{body}");
    // …shows the caller's slice only (no access log for a county admin)…
    assert!(!body.to_string().contains("AccessLogEntry"));
    // …and gives no way around the depth limit: a data field as deep is still refused.
    let deep_data = "{ families { edges { node { members { entitlement(month: \"2026-01\") { month } } } } } __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }";
    let (_, body) = app.gql_full(Some(&token), deep_data, json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["data"].is_null(), "{body}");
    // Anonymous callers still get none.
    let (_, body) = app.gql_full(None, STANDARD_INTROSPECTION, json!({})).await;
    assert!(body["data"]["__schema"].is_null(), "{body}");

    // A field error that nulls `data` is an executed request: 200, also under
    // application/graphql-response+json; a request that does not parse is 400 there.
    let ask = |q: &str| {
        TestRequest::post()
            .uri("/graphql")
            .insert_header(("content-type", "application/json"))
            .insert_header(("accept", "application/graphql-response+json"))
            .insert_header(("authorization", format!("Bearer {token}")))
            .set_payload(json!({ "query": q }).to_string())
    };
    let (status, headers, body) = app
        .send(ask(
            "{ family(id: \"RmFtaWx5OjAxOTAwMDAwLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA\") { id } }",
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let (status, _, body) = app.send(ask("{ family(id: ")).await;
    assert_eq!(status, 400, "{body}");

    // Every response says no-store: errors at the edge and health checks too.
    for req in [
        TestRequest::post().uri("/graphql").set_payload("{}"),
        TestRequest::get().uri("/healthz"),
    ] {
        let (_, headers, _) = app.send(req).await;
        assert_eq!(
            headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
    }
}

/// The embedded default (a SQLite file): a long write — a roster generation holds its
/// transaction for seconds — must not make every other request wait for the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_sqlite_file_reads_go_on_beside_a_long_write() {
    nuanxin_tests::run(nuanxin_tests::Backend::SqliteFile, async |app: &TestApp| {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let token = app.token(StaffRole::CityAdmin, "411000").await;
        app.gql(&token, "{ me { id } }", json!({})).await;
        // A writer holds the write lock, as a generation does.
        let writer = app.store.raw_connection().begin().await.expect("begin");
        writer
            .execute_unprepared("UPDATE region SET name = name WHERE code = '411000'")
            .await
            .expect("write");
        let (status, body) = app
            .gql_full(Some(&token), "{ regions { code } }", json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(body["errors"].is_null(), "{body}");
        writer.commit().await.expect("commit");
    })
    .await;
}

/// A TCP stand-in in front of PostgreSQL that can be switched off: while "down" it accepts
/// connections and never answers (a database that hangs), while "up" it forwards.
async fn switchable_proxy(target: String) -> (u16, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let up = std::sync::Arc::new(AtomicBool::new(false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let flag = up.clone();
    tokio::spawn(async move {
        // Bounded: the proxy lives as long as the test's runtime.
        while let Ok((mut client, _)) = listener.accept().await {
            let up = flag.load(Ordering::Acquire);
            let target = target.clone();
            tokio::spawn(async move {
                if !up {
                    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
                    return;
                }
                if let Ok(mut server) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    (port, up)
}

/// While the database is known to be down, requests fail in well under a second (not
/// each after the acquire timeout), and when it answers again they succeed, no restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_known_down_fails_fast_and_recovers() {
    nuanxin_tests::run(nuanxin_tests::Backend::Postgres, async |app: &TestApp| {
        let url = app.postgres_url().expect("postgres");
        let (scheme, rest) = url.split_once("://").expect("url");
        let (creds, host_db) = rest.rsplit_once('@').expect("user@host");
        let (host, db) = host_db.split_once('/').expect("host/db");
        let (port, up) = switchable_proxy(host.to_owned()).await;
        let mut config = StoreConfig::new(
            format!("{scheme}://{creds}@127.0.0.1:{port}/{db}"),
            RegionCode::parse("411000").expect("city"),
        );
        config.lazy = true;
        config.acquire_timeout = std::time::Duration::from_secs(2);
        config.max_connections = 2;
        let vault = Vault::new(&VaultKeys::generate("t").expect("keys")).expect("vault");
        let store = Store::connect(&config, vault).await.expect("lazy connect");
        let state =
            nuanxin_server::bootstrap::state_from(store, app.tokens().clone(), false, 100 * 1024);
        let service = actix_web::test::init_service(
            actix_web::App::new().configure(nuanxin_server::http::routes(state)),
        )
        .await;
        let token = app.token(StaffRole::CityAdmin, "411000").await;
        let ask = || {
            TestRequest::post()
                .uri("/graphql")
                .insert_header(("content-type", "application/json"))
                .insert_header(("authorization", format!("Bearer {token}")))
                .set_payload(r#"{"query":"{ regions { code } }"}"#)
                .to_request()
        };
        // The first request finds out (after the acquire timeout)…
        let resp = actix_web::test::call_service(&service, ask()).await;
        assert_eq!(resp.status(), 503);
        // …the next ones are told at once, with Retry-After.
        let started = std::time::Instant::now();
        let resp = actix_web::test::call_service(&service, ask()).await;
        assert_eq!(resp.status(), 503);
        assert_eq!(
            resp.headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("1")
        );
        assert!(
            started.elapsed() < std::time::Duration::from_millis(500),
            "known down, refused at once: {:?}",
            started.elapsed()
        );
        // The database answers again: requests succeed without a restart.
        up.store(true, std::sync::atomic::Ordering::Release);
        let mut recovered = false;
        for _ in 0..40 {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            let resp = actix_web::test::call_service(&service, ask()).await;
            if resp.status() == 200 {
                recovered = true;
                break;
            }
        }
        assert!(recovered, "no recovery within 10 s");
    })
    .await;
}

on_both_backends!(field_errors_null_their_parents_as_the_spec_says);
async fn field_errors_null_their_parents_as_the_spec_says(app: &TestApp) {
    let (family, _) = app.family_at("411002001001", 1).await;
    let id = nuanxin_tests::gid("Family", family);
    let county = app.token(StaffRole::CountyAdmin, "411002").await;
    let village = app.token(StaffRole::VillageWorker, "411002001001").await;

    // A non-null root field fails: `data` itself is null, not a partial object.
    let (_, body) = app
        .gql_full(
            Some(&county),
            "{ me { username } family(id: \"RmFtaWx5OjAxOTAwMDAwLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA\") { id } }",
            json!({}),
        )
        .await;
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // A non-null field deep down fails: the null climbs through the non-null positions
    // (RevealedMember! in Member!, in [Member!]!, in Family!) to the root.
    let (_, body) = app
        .gql_full(
            Some(&county),
            "query($id: ID!) { family(id: $id) { id members { id revealed(purpose: \"x\") { idNumber } } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(body["data"].is_null(), "{body}");

    // A nullable field fails: it is null, its key is there, and its parent is whole.
    let (status, body) = app
        .gql_full(
            Some(&village),
            "query($id: ID!) { family(id: $id) { id members { id bankAccount { accountNumber } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let members = body["data"]["family"]["members"]
        .as_array()
        .expect("members");
    assert_eq!(members.len(), 2, "{body}");
    for m in members {
        assert!(m["id"].is_string());
        assert!(
            m.as_object().is_some_and(|o| o.contains_key("bankAccount"))
                && m["bankAccount"].is_null(),
            "{body}"
        );
    }
}

on_both_backends!(excess_load_is_shed_early_and_lists_cost_what_they_load);
async fn excess_load_is_shed_early_and_lists_cost_what_they_load(app: &TestApp) {
    let token = app.token(StaffRole::CityAdmin, "411000").await;
    // Every admission slot taken (requests in flight): the next one is told at once.
    let slots = app.state.admission.available_permits() as u32;
    let held = app
        .state
        .admission
        .clone()
        .acquire_many_owned(slots)
        .await
        .expect("slots");
    let (status, headers, body) = app
        .send(
            TestRequest::post()
                .uri("/graphql")
                .insert_header(("content-type", "application/json"))
                .insert_header(("authorization", format!("Bearer {token}")))
                .set_payload(r#"{"query":"{ me { id } }"}"#),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    drop(held);
    // Control: with a slot free, it is served.
    let (status, _) = app.gql_full(Some(&token), "{ me { id } }", json!({})).await;
    assert_eq!(status, 200);

    // A page of 100 families with their members' entitlements is within the limit…
    let page = |alias: &str| {
        format!(
            "{alias}: families(first: 100) {{ edges {{ node {{ id members {{ name entitlement(month: \"2026-10\") {{ entitled amountFen }} }} }} }} }}"
        )
    };
    let (_, body) = app
        .gql_full(Some(&token), &format!("{{ {} }}", page("a")), json!({}))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    // …three of them in one request are not: members count four times their fields.
    let (_, body) = app
        .gql_full(
            Some(&token),
            &format!("{{ {} {} {} }}", page("a"), page("b"), page("c")),
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body.to_string().contains("complex"), "{body}");
}
