//! Test support: a real store (SQLite in memory, or a fresh PostgreSQL database per test),
//! the real actix-web app, tokens, and fixtures on the demo region tree.
//!
//! PostgreSQL is used when reachable at `NUANXIN_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); with `NUANXIN_REQUIRE_POSTGRES=1` (CI) an
//! unreachable PostgreSQL fails the test instead of skipping it.

// As the server crate: the schema's async resolvers nest deeper than 128 in a release build.
#![recursion_limit = "256"]
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::{App, test as atest};
use chrono::NaiveDate;
use futures_util::FutureExt as _;
use nuanxin_auth::{JwtKeys, TokenService, TokenSettings, hash_password};
use nuanxin_domain::registry::intake::{NewFamily, NewMember, parse_new_family};
use nuanxin_domain::{
    IdNumber, MemberRole, PartnerKind, Principal, RegionCode, RegionLevel, StaffRole, Subject, time,
};
use nuanxin_server::bootstrap::state_from;
use nuanxin_server::http::{AppState, routes};
use nuanxin_store::{NewOrganisation, NewStaffUser, Store, StoreConfig, Vault, VaultKeys, demo};
pub use nuanxin_wechat::StandIn;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use uuid::Uuid;

pub use serde_json;

pub mod logs;
pub mod receiver;
pub mod ws;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    /// SQLite in a temporary file, as the embedded default runs (a pool, WAL).
    SqliteFile,
}

pub const CITY: &str = "411000";
/// A minimal PDF (the evidence of a consent in fixtures).
pub const CONSENT_FORM: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n";
pub const PASSWORD: &str = "correct horse battery";
pub const CREATE_ORG: &str = "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { id name kind contractedRegions active } }";
pub const CREATE_APP: &str = "mutation($org: ID!) { createPartnerApp(organisationId: $org, name: \"挂号窗口核验\") { clientId clientSecret app { id active } } }";

/// One test's world: its own database, the app state and the keys.
pub struct TestApp {
    pub backend: Backend,
    pub state: AppState,
    pub store: Store,
    pub jwt_keys: JwtKeys,
    vault_keys: VaultKeys,
    url: String,
    pg_cleanup: Option<(String, String)>,
}

fn pg_admin_url() -> String {
    std::env::var("NUANXIN_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn pg_required() -> bool {
    std::env::var("NUANXIN_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let cut = base.rfind('/').map_or(base.len(), |i| i);
    let mut out = format!("{}/{db}", &base[..cut]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl TestApp {
    /// A fresh world on `backend`, with the demo region tree loaded; `None` when PostgreSQL
    /// is not reachable and not required.
    pub async fn new(backend: Backend) -> Option<Self> {
        let (url, pg_cleanup) = match backend {
            Backend::Sqlite => ("sqlite::memory:".to_owned(), None),
            Backend::SqliteFile => {
                let dir = std::env::temp_dir().join(format!("nuanxin-test-{}", Uuid::new_v4()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                (format!("sqlite://{}/test.db?mode=rwc", dir.display()), None)
            }
            Backend::Postgres => {
                let admin = pg_admin_url();
                let conn = match Database::connect(admin.as_str()).await {
                    Ok(c) => c,
                    Err(e) if !pg_required() => {
                        eprintln!("SKIPPED on PostgreSQL: {admin} unreachable ({e})");
                        return None;
                    }
                    Err(e) => panic!(
                        "PostgreSQL is required (NUANXIN_REQUIRE_POSTGRES=1) but {admin} is unreachable: {e}"
                    ),
                };
                let name = format!("nxt_{}", Uuid::new_v4().simple());
                conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                (with_database(&admin, &name), Some((admin, name)))
            }
        };
        let vault_keys = VaultKeys::generate("test").expect("keys");
        let vault = Vault::new(&vault_keys).expect("vault");
        let mut config = StoreConfig::new(url.clone(), RegionCode::parse(CITY).expect("city"));
        config.max_connections = 5;
        let store = Store::connect(&config, vault).await.expect("connect");
        store.migrate().await.expect("migrate");
        demo::seed_regions(&store).await.expect("regions");
        // The tests' mini-program, which family members' and volunteers' tokens name.
        store
            .add_mini_program(
                &Principal::system("test fixture: the city registers its mini-program"),
                WECHAT_APP_ID,
                "暖心行动",
            )
            .await
            .expect("the mini-program");
        let jwt_keys = JwtKeys::generate("test").expect("jwt keys");
        let tokens = TokenService::new(jwt_keys.clone(), TokenSettings::default());
        let state = state_from(store.clone(), tokens, false, 100 * 1024);
        Some(Self {
            backend,
            state,
            store,
            jwt_keys,
            vault_keys,
            url,
            pg_cleanup,
        })
    }

    /// A real server for this test's app, listening on 127.0.0.1.
    pub fn listen(&self) -> Listening {
        Listening::start(self.state.clone())
    }

    /// Another gateway replica on this test's database: its own store (its own pool and,
    /// on PostgreSQL, its own LISTEN), the same keys. Close its store when done.
    pub async fn replica(&self) -> AppState {
        let mut config = StoreConfig::new(self.url.clone(), RegionCode::parse(CITY).expect("city"));
        config.max_connections = 5;
        let store = Store::connect(&config, Vault::new(&self.vault_keys).expect("vault"))
            .await
            .expect("connect the replica");
        state_from(store, self.state.tokens.clone(), false, 100 * 1024)
    }

    /// Drops the PostgreSQL test database (best effort).
    pub async fn cleanup(self) {
        // Closed on every backend: an open pool's maintenance task left running while the
        // test's runtime shuts down can spin (seen as a SQLite test that never ended).
        self.store.close().await;
        let Some((admin, name)) = &self.pg_cleanup else {
            return;
        };
        if let Ok(conn) = Database::connect(admin.as_str()).await {
            let _ = conn
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            conn.close().await.ok();
        }
    }

    /// The URL of this test's own PostgreSQL database (`None` on SQLite), for tests that
    /// need a second, independent session (to hold a lock, say).
    pub fn postgres_url(&self) -> Option<String> {
        self.pg_cleanup
            .as_ref()
            .map(|(admin, name)| with_database(admin, name))
    }

    pub fn tokens(&self) -> &TokenService {
        &self.state.tokens
    }

    /// An access token for a new staff account of `role` at `region` (the edge looks at
    /// the account on every request, so a token needs one). The account has no usable
    /// password.
    pub async fn token(&self, role: StaffRole, region: &str) -> String {
        self.staff(role, region).await.1
    }

    /// A new staff account of `role` at `region` and a token for it: (account id, token).
    pub async fn staff(&self, role: StaffRole, region: &str) -> (Uuid, String) {
        let user = self
            .store
            .create_staff_user(NewStaffUser {
                username: format!("{}-{}", role.as_str(), Uuid::new_v4().simple()),
                display_name: format!("{} {region}", role.as_str()),
                password_hash: "!no-password".into(),
                role,
                home_region: RegionCode::parse(region).expect("region"),
            })
            .await
            .expect("create test account");
        (user.id, self.token_for(&user.principal()))
    }

    /// An access token for `p` as it stands (any subject the server issues tokens for).
    pub fn token_for(&self, p: &Principal) -> String {
        self.tokens().issue(p).expect("issue").token
    }

    /// A partner organisation of `kind` contracted for `regions`, with an active service
    /// link to each of `linked` families, and a token for its app: (organisation, token).
    pub async fn partner(
        &self,
        kind: PartnerKind,
        regions: &[&str],
        linked: &[Uuid],
    ) -> (Uuid, String) {
        let (org, app) = self
            .store
            .create_organisation(
                NewOrganisation {
                    name: format!("{} organisation", kind.as_str()),
                    kind,
                    contracted_regions: regions
                        .iter()
                        .map(|r| RegionCode::parse(r).expect("region"))
                        .collect(),
                    valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
                    valid_to: None,
                },
                "test app",
            )
            .await
            .expect("organisation");
        for f in linked {
            self.consent(*f, kind).await;
            self.store
                .link_service(
                    org,
                    *f,
                    "test",
                    NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
                )
                .await
                .expect("link");
        }
        let token = self.token_for(&Principal::of(Subject::Partner {
            organisation: org,
            kind,
            app,
            name: "test app".into(),
        }));
        (org, token)
    }

    /// Records the family's consent to share with partners of `kind` (with a scanned form
    /// as its evidence), as a county office would.
    pub async fn consent(&self, family: Uuid, kind: PartnerKind) {
        let system = Principal::system("test fixture: a signed consent form");
        let form =
            nuanxin_domain::care::attachment::check("知情同意书.pdf", CONSENT_FORM).expect("a PDF");
        let evidence = self
            .store
            .store_attachment(&system, family, form, CONSENT_FORM.to_vec())
            .await
            .expect("evidence");
        self.store
            .record_consent(
                &system,
                family,
                kind,
                true,
                time::china_today(),
                Some(evidence.id),
            )
            .await
            .expect("consent");
    }

    /// A volunteer paired with `families`, and a token: (volunteer, token).
    pub async fn volunteer(&self, families: &[Uuid]) -> (Uuid, String) {
        let v = self
            .store
            .create_volunteer(
                "测试志愿者",
                families,
                NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
            )
            .await
            .expect("volunteer");
        (
            v,
            self.mini_program_token(&Principal::of(Subject::Volunteer { volunteer: v })),
        )
    }

    /// A token for every network audience but the anonymous one: staff at homes that reach
    /// 411002001001, partners contracted for 411002 (linked to `linked`), a volunteer paired
    /// with `family`, and `member` of `family`.
    pub async fn token_per_audience(
        &self,
        family: Uuid,
        member: Uuid,
        linked: &[Uuid],
    ) -> Vec<(nuanxin_domain::Audience, String)> {
        use nuanxin_domain::Audience;
        let mut tokens = Vec::new();
        for (role, home) in [
            (StaffRole::CityAdmin, "411000"),
            (StaffRole::CountyAdmin, "411002"),
            (StaffRole::TownshipWorker, "411002001"),
            (StaffRole::VillageWorker, "411002001001"),
            (StaffRole::Auditor, "411002"),
            (StaffRole::Counsellor, "411002"),
            (StaffRole::CounsellingSupervisor, "411002"),
        ] {
            tokens.push((Audience::Staff(role), self.token(role, home).await));
        }
        for kind in PartnerKind::ALL {
            let (_, t) = self.partner(kind, &["411002"], linked).await;
            tokens.push((Audience::Partner(kind), t));
        }
        tokens.push((Audience::Volunteer, self.volunteer(&[family]).await.1));
        tokens.push((
            Audience::FamilyMember,
            self.family_member_token(family, member),
        ));
        tokens
    }

    /// A token for a family member, as `wxLogin` issues it once they are bound.
    pub fn family_member_token(&self, family: Uuid, member: Uuid) -> String {
        self.mini_program_token(&Principal::of(Subject::FamilyMember { family, member }))
    }

    /// A token for a family member or volunteer, as signed in through the tests'
    /// mini-program ([`WECHAT_APP_ID`]).
    pub fn mini_program_token(&self, p: &Principal) -> String {
        self.tokens()
            .issue_through(p, Some(WECHAT_APP_ID))
            .expect("issue")
            .token
    }

    /// Verifies and activates a family, as the city would.
    pub async fn activate(&self, family: Uuid) {
        let system = Principal::system("test fixture: activate a family");
        for to in [
            nuanxin_domain::FamilyStatus::Verified,
            nuanxin_domain::FamilyStatus::Active,
        ] {
            self.store
                .change_family_status(
                    &system,
                    family,
                    to,
                    "verified against the household register",
                    None,
                )
                .await
                .expect("status change");
        }
    }

    /// A real account, for the login tests.
    pub async fn create_user(&self, username: &str, role: StaffRole, region: &str) {
        self.store
            .create_staff_user(NewStaffUser {
                username: username.into(),
                display_name: username.into(),
                password_hash: hash_password(PASSWORD).expect("hash"),
                role,
                home_region: RegionCode::parse(region).expect("region"),
            })
            .await
            .expect("create user");
    }

    /// Sends a raw request through the real actix-web app.
    pub async fn send(&self, req: atest::TestRequest) -> (StatusCode, HeaderMap, Value) {
        let app = atest::init_service(App::new().configure(routes(self.state.clone()))).await;
        let resp = atest::call_service(&app, req.to_request()).await;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = atest::read_body(resp).await;
        let json = serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
        (status, headers, json)
    }

    /// When `token` is a partner app's (or a mini-program user's), registers `document` on
    /// the app's (the mini-program's) allow-list, as
    /// the city does for every operation a partner runs: tests of what the *policy* lets a
    /// partner do send their documents through a registered allow-list, as a real app
    /// would. The allow-list's own tests send raw requests ([`TestApp::gql_unregistered`]).
    pub async fn allow(&self, token: &str, document: &str) {
        let Ok(p) = self.tokens().verify(token) else {
            return;
        };
        let city = Principal::system("test fixture: the city registers the app's operation");
        let new = || {
            let doc = nuanxin_graphql::persisted::check_document(document).expect("a document");
            vec![nuanxin_store::NewOperation {
                hash: doc.hash,
                document: doc.document,
                operation_names: doc.operation_names,
            }]
        };
        let mini_program = p.token.as_ref().and_then(|t| t.app.clone());
        match (p.subject, mini_program) {
            (Subject::Partner { app, .. }, _) => {
                self.store
                    .register_operations(&city, app, new())
                    .await
                    .expect("register the operation");
            }
            (Subject::FamilyMember { .. } | Subject::Volunteer { .. }, Some(app_id)) => {
                let programs = self
                    .store
                    .mini_programs(&city)
                    .await
                    .expect("mini-programs");
                if let Some(mp) = programs.into_iter().find(|m| m.wechat_app_id == app_id) {
                    self.store
                        .register_mini_program_operations(&city, mp.id, new())
                        .await
                        .expect("register the operation");
                }
            }
            _ => {}
        }
    }

    /// POSTs a GraphQL request as JSON (a partner's document registered first, see
    /// [`TestApp::allow`]).
    pub async fn gql_full(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (StatusCode, Value) {
        if let Some(t) = token {
            self.allow(t, query).await;
        }
        self.gql_unregistered(token, json!({ "query": query, "variables": variables }))
            .await
    }

    /// POSTs a GraphQL request body exactly as given, registering nothing.
    pub async fn gql_unregistered(&self, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut req = atest::TestRequest::post()
            .uri("/graphql")
            .insert_header(("content-type", "application/json"))
            .set_payload(body.to_string());
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        let (status, _, body) = self.send(req).await;
        (status, body)
    }

    /// A hospital contracted for 魏都区 and one app of it, filed by the city admin whose
    /// token is `city`: (organisation id, app id, client id, secret).
    pub async fn hospital_app(&self, city: &str) -> (Value, Value, String, String) {
        let org = self
            .gql(
                city,
                CREATE_ORG,
                json!({ "input": { "name": "许昌市中心医院", "kind": "HOSPITAL", "contractedRegions": ["411002"],
                    "validFrom": "2026-01-01" } }),
            )
            .await;
        assert!(org["errors"].is_null(), "{org}");
        let org_id = org["data"]["createOrganisation"]["id"].clone();
        let created = self.gql(city, CREATE_APP, json!({ "org": org_id })).await;
        assert!(created["errors"].is_null(), "{created}");
        let c = &created["data"]["createPartnerApp"];
        (
            org_id,
            c["app"]["id"].clone(),
            c["clientId"].as_str().expect("client id").to_owned(),
            c["clientSecret"].as_str().expect("secret").to_owned(),
        )
    }

    /// `POST /auth/token` with client credentials in the form body: (status, body).
    pub async fn client_token(&self, id: &str, secret: &str) -> (u16, Value) {
        let req = atest::TestRequest::post()
            .uri("/auth/token")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(format!(
                "grant_type=client_credentials&client_id={id}&client_secret={secret}"
            ));
        let (status, _, body) = self.send(req).await;
        (status.as_u16(), body)
    }

    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        self.gql_full(Some(token), query, variables).await.1
    }

    /// GETs a file (an export, a template): (status, headers, the bytes as sent).
    pub async fn get_bytes(
        &self,
        uri: &str,
        token: Option<&str>,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let service = atest::init_service(
            actix_web::App::new().configure(nuanxin_server::http::routes(self.state.clone())),
        )
        .await;
        let mut req = atest::TestRequest::get().uri(uri);
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        let resp = atest::call_service(&service, req.to_request()).await;
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, headers, atest::read_body(resp).await.to_vec())
    }

    /// [`TestApp::gql`] with an `Accept-Language` header (the API answers in Chinese
    /// without one).
    pub async fn gql_in(
        &self,
        accept_language: &str,
        token: &str,
        query: &str,
        variables: Value,
    ) -> Value {
        self.allow(token, query).await;
        let req = atest::TestRequest::post()
            .uri("/graphql")
            .insert_header(("content-type", "application/json"))
            .insert_header(("accept-language", accept_language))
            .insert_header(("authorization", format!("Bearer {token}")))
            .set_payload(json!({ "query": query, "variables": variables }).to_string());
        self.send(req).await.2
    }

    /// One step of a roster's lifecycle (`submitRoster`, `approveRoster`, …) by id.
    pub async fn roster_step(&self, token: &str, mutation: &str, id: &Value) -> Value {
        self.gql(
            token,
            &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id status }} }}"),
            json!({ "id": id }),
        )
        .await
    }

    pub async fn count(&self, table: &str) -> i64 {
        self.store.count_rows(table).await.expect("count")
    }

    /// Registers a family at `village` with a father and a mother, directly in the store.
    /// `n` makes the ID numbers unique across a test. Returns (family id, member ids).
    pub async fn family_at(&self, village: &str, n: u16) -> (Uuid, Vec<Uuid>) {
        self.family_with(village, n, false).await
    }

    /// As [`Self::family_at`], with a grandchild (a minor, born 2015) as the third member
    /// when `grandchild` is set.
    pub async fn family_with(&self, village: &str, n: u16, grandchild: bool) -> (Uuid, Vec<Uuid>) {
        let region = RegionCode::parse(village).expect("region");
        let county = region.ancestor_at(RegionLevel::County).expect("county");
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        let member = |role: MemberRole, born: NaiveDate, seq: u16, name: &str| NewMember {
            role,
            name: name.into(),
            id_number: IdNumber::compose(county.as_str(), born, seq)
                .expect("id")
                .expose()
                .to_owned(),
            phone: Some(format!("138{:08}", u32::from(seq) * 7)),
            address: Some(format!("河南省许昌市魏都区某街{seq}号")),
            hukou_region: village.into(),
            deceased_on: None,
        };
        let family = NewFamily {
            region: village.into(),
            honour_certificate_no: Some(format!("豫许{n:05}")),
            honour_certificate_date: Some(d(1988, 3, 1)),
            child_death_date: Some(d(2016, 5, 20)),
            later_child_date: None,
            members: {
                let mut m = vec![
                    member(MemberRole::Father, d(1962, 4, 12), n * 2 + 1, "王建国"),
                    member(MemberRole::Mother, d(1965, 8, 31), n * 2, "李秀英"),
                ];
                if grandchild {
                    m.push(member(
                        MemberRole::Grandchild,
                        d(2015, 6, 1),
                        n * 2 + 1,
                        "王小明",
                    ));
                }
                m
            },
        };
        let system = Principal::system("test fixture: register a family");
        let family = parse_new_family(
            &family,
            &RegionCode::parse(CITY).expect("city"),
            time::china_today(),
        )
        .expect("valid family");
        let rec = self
            .store
            .register_family(&system, family, &Default::default())
            .await
            .expect("register family");
        let members = self
            .store
            .members_of_families(&system, &[rec.family.id])
            .await
            .expect("members")
            .remove(&rec.family.id)
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.id())
            .collect();
        (rec.family.id, members)
    }
}

/// The opaque API id of a family or member, as the API would issue it.
pub fn gid(kind: &str, id: Uuid) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// The uuid inside a global id (the inverse of [`gid`]).
pub fn uuid_of(id: &Value) -> Uuid {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id.as_str().unwrap_or(""))
        .expect("a global id");
    let text = String::from_utf8(raw).expect("utf8");
    text.split_once(':')
        .and_then(|(_, u)| Uuid::parse_str(u).ok())
        .expect("a uuid")
}

/// The `extensions.code` of the first error, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

pub fn error_field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

/// Runs a test body on one backend, then drops its database.
pub async fn run<F>(backend: Backend, body: F)
where
    F: AsyncFnOnce(&TestApp),
{
    let Some(app) = TestApp::new(backend).await else {
        return;
    };
    let outcome = std::panic::AssertUnwindSafe(body(&app))
        .catch_unwind()
        .await;
    app.cleanup().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// The app and secret the tests' WeChat stand-in knows.
pub const WECHAT_APP_ID: &str = "wx0test0000000000";
const WECHAT_SECRET: &str = "test-secret";

/// How long the tests' gateway waits for WeChat.
pub const WECHAT_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(800);

/// A WeChat client at `standin`, as a gateway replica on `store` would have it.
pub fn wechat_at(standin: &StandIn, store: &Store) -> nuanxin_wechat::WeChat {
    nuanxin_wechat::WeChat::new(
        nuanxin_wechat::WeChatConfig {
            base_url: standin.base_url.clone(),
            app_id: WECHAT_APP_ID.into(),
            app_secret: WECHAT_SECRET.into(),
            timeout: WECHAT_TIMEOUT,
        },
        store.clone(),
    )
    .expect("wechat client")
}

/// Runs a test body on one backend with WeChat configured at a fresh local stand-in.
pub async fn run_wechat<F>(backend: Backend, body: F)
where
    F: AsyncFnOnce(&TestApp, &StandIn),
{
    let Some(mut app) = TestApp::new(backend).await else {
        return;
    };
    let standin = StandIn::start(WECHAT_APP_ID, WECHAT_SECRET)
        .await
        .expect("wechat stand-in");
    app.state = nuanxin_server::bootstrap::state_with_rules(
        app.store.clone(),
        app.state.tokens.clone(),
        false,
        100 * 1024,
        Default::default(),
        wechat_at(&standin, &app.store),
    );
    let outcome = std::panic::AssertUnwindSafe(body(&app, &standin))
        .catch_unwind()
        .await;
    app.cleanup().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Declares a test that runs on SQLite and on PostgreSQL with WeChat at a stand-in.
#[macro_export]
macro_rules! on_both_backends_with_wechat {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::run_wechat($crate::Backend::Sqlite, super::$name).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::run_wechat($crate::Backend::Postgres, super::$name).await;
            }
        }
    };
}

/// Declares a test that runs on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::run($crate::Backend::Sqlite, super::$name).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::run($crate::Backend::Postgres, super::$name).await;
            }
        }
    };
}

/// A real HTTP server (one worker) on 127.0.0.1, stopped when dropped.
pub struct Listening {
    pub addr: std::net::SocketAddr,
    handle: actix_web::dev::ServerHandle,
}

impl Listening {
    pub fn start(state: AppState) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server =
            actix_web::HttpServer::new(move || App::new().configure(routes(state.clone())))
                .workers(1)
                .disable_signals()
                .listen(listener)
                .expect("listen")
                .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self { addr, handle }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/graphql/ws", self.addr)
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move { handle.stop(false).await });
        }
    }
}
