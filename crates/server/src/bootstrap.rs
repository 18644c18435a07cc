//! Start-up: keys, store, migrations, schema; and the demo city.

use anyhow::{Context, anyhow};
use nuanxin_auth::{TokenService, TokenSettings, hash_password};
use nuanxin_domain::allowances::Rules;
use nuanxin_domain::{RegionCode, StaffRole};
use nuanxin_store::{NewStaffUser, Store, StoreConfig, Vault, demo};

use crate::config::Config;
use crate::http::AppState;
use crate::keys;

/// The password of every demo account (demo mode only; printed in the log and README).
pub const DEMO_PASSWORD: &str = "nuanxin-demo-2026";

/// Demo accounts: one per level, two counties so the slice can be seen at work.
pub const DEMO_USERS: [(&str, StaffRole, &str, &str); 7] = [
    ("city.admin", StaffRole::CityAdmin, "411000", "许昌市管理员"),
    (
        "weidu.admin",
        StaffRole::CountyAdmin,
        "411002",
        "魏都区管理员",
    ),
    (
        "yanling.admin",
        StaffRole::CountyAdmin,
        "411024",
        "鄢陵县管理员",
    ),
    (
        "weidu.township",
        StaffRole::TownshipWorker,
        "411002001",
        "魏都区城关镇专干",
    ),
    (
        "weidu.village",
        StaffRole::VillageWorker,
        "411002001001",
        "城关镇东村专干",
    ),
    ("city.auditor", StaffRole::Auditor, "411000", "市审计员"),
    (
        "weidu.auditor",
        StaffRole::Auditor,
        "411002",
        "魏都区审计员",
    ),
];

pub async fn connect_store(config: &Config) -> anyhow::Result<(Store, TokenService)> {
    if config.is_sqlite() {
        config.prepare_sqlite_dir()?;
    }
    let keys = keys::load(config)?;
    let vault = Vault::new(&keys.vault).map_err(|e| anyhow!("vault: {e}"))?;
    let mut store_config = StoreConfig::new(config.database_url.clone(), config.city.clone());
    store_config.acquire_timeout = config.db_acquire_timeout;
    store_config.max_connections = config.db_max_connections;
    store_config.contact_days = config.contact_days;
    store_config.backdate_limit_months = config.backdate_limit_months;
    let store = Store::connect(&store_config, vault)
        .await
        .with_context(|| {
            format!(
                "connecting to the database ({})",
                redact(&config.database_url)
            )
        })?;
    let tokens = TokenService::new(
        keys.jwt,
        TokenSettings {
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ..TokenSettings::default()
        },
    );
    Ok((store, tokens))
}

pub async fn app_state(config: &Config) -> anyhow::Result<AppState> {
    let (store, tokens) = connect_store(config).await?;
    if config.migrate_on_start {
        store.migrate().await.context("applying migrations")?;
    } else {
        store
            .ensure_migrated()
            .await
            .context("checking the schema (NUANXIN_MIGRATE_ON_START=0)")?;
    }
    let wechat = match &config.wechat {
        Some(w) => nuanxin_wechat::WeChat::new(w.clone(), store.clone())
            .map_err(|e| anyhow!("WeChat client: {e}"))?,
        None => nuanxin_wechat::WeChat::off(),
    };
    Ok(state_with_rules(
        store,
        tokens,
        config.dev_mode,
        config.body_limit_bytes,
        config.allowance_rules,
        wechat,
    )
    .with_partner_rate(config.partner_rate_per_minute)
    .with_mini_program_rate(
        config.mini_program_rate_per_minute,
        config.mini_program_user_rate_per_minute,
    ))
}

/// App state with the default allowance rules (tests).
pub fn state_from(
    store: Store,
    tokens: TokenService,
    dev_mode: bool,
    body_limit: usize,
) -> AppState {
    state_with_rules(
        store,
        tokens,
        dev_mode,
        body_limit,
        Rules::default(),
        nuanxin_wechat::WeChat::off(),
    )
}

pub fn state_with_rules(
    store: Store,
    tokens: TokenService,
    dev_mode: bool,
    body_limit: usize,
    rules: Rules,
    wechat: nuanxin_wechat::WeChat,
) -> AppState {
    let jobs = nuanxin_graphql::jobs::JobRunner::start(store.clone());
    // Twice the pool by default; NUANXIN_MAX_IN_FLIGHT overrides (bench/load_shed.sh
    // measures with and without).
    let max_in_flight = std::env::var("NUANXIN_MAX_IN_FLIGHT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2 * store.pool_size() as usize);
    AppState {
        schema: nuanxin_graphql::build_schema(
            store.clone(),
            tokens.clone(),
            rules,
            jobs.clone(),
            wechat.clone(),
        ),
        wechat,
        jobs,
        introspection: nuanxin_graphql::build_introspection_schema(
            store.clone(),
            tokens.clone(),
            rules,
        ),
        store,
        tokens,
        dev_mode,
        body_limit,
        rules,
        admission: std::sync::Arc::new(tokio::sync::Semaphore::new(max_in_flight)),
        partner_rate: nuanxin_auth::KeyedLimit::per_minute(crate::config::DEFAULT_PARTNER_RATE),
        mini_program_rate: nuanxin_auth::KeyedLimit::per_minute(
            crate::config::DEFAULT_MINI_PROGRAM_RATE,
        ),
        mini_program_user_rate: nuanxin_auth::KeyedLimit::per_minute(
            crate::config::DEFAULT_MINI_PROGRAM_USER_RATE,
        ),
        client_throttle: nuanxin_auth::LoginThrottle::new(nuanxin_auth::ThrottleSettings::default()),
        device_throttle: nuanxin_auth::LoginThrottle::new(nuanxin_auth::ThrottleSettings::default()),
        documents: std::sync::Arc::default(),
        ws: crate::subscriptions::WsSettings::default(),
    }
}

/// The HTTP server as `nuanxin serve` runs it. On SIGTERM (or a graceful stop) it stops
/// accepting and lets requests in flight finish for up to `grace` (30 s by default; actix's
/// default cut them at 10 s); the caller then drains the job runner with the same grace.
pub fn http_server(
    state: AppState,
    bind: &str,
    grace: std::time::Duration,
) -> anyhow::Result<actix_web::dev::Server> {
    Ok(actix_web::HttpServer::new(move || {
        actix_web::App::new().configure(crate::http::routes(state.clone()))
    })
    .bind(bind)
    .with_context(|| format!("binding {bind}"))?
    .shutdown_timeout(grace.as_secs())
    .run())
}

/// Seeds the demo city: regions, demo accounts and `families` synthetic families.
/// Safe to run twice: existing accounts and families are left alone.
pub async fn seed_demo(
    store: &Store,
    families: u64,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<u64> {
    demo::seed_regions(store).await?;
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| anyhow!("{e}"))?;
    for (username, role, region, name) in DEMO_USERS {
        if store.staff_user_by_username(username).await?.is_some() {
            continue;
        }
        store
            .create_staff_user(NewStaffUser {
                username: username.into(),
                display_name: name.into(),
                password_hash: hash.clone(),
                role,
                home_region: RegionCode::parse(region)?,
            })
            .await?;
    }
    Ok(demo::seed_families(store, families, 20_261_129, &mut progress).await?)
}

/// Hides a password in a database URL for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
