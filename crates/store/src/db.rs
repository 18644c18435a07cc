//! The store handle: one connection pool, the vault, and a statement counter (so tests and
//! benchmarks can prove a page costs the same number of queries whatever its size).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use nuanxin_domain::{Principal, RegionCode};
use nuanxin_locale::msg;
use nuanxin_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

use crate::error::StoreError;
use crate::vault::Vault;

#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub database_url: String,
    /// How long a request waits for a pooled connection before the API answers 503.
    pub acquire_timeout: Duration,
    pub max_connections: u32,
    /// Connect on first use instead of at start (lets the server start while the database
    /// is still down, and answer 503 until it is up).
    pub lazy: bool,
    /// The city this registry serves (eligibility rule "registered in the city").
    pub city: RegionCode,
    /// Days a newly registered family waits at most for its emergency-aid contact.
    pub contact_days: u32,
    /// How many months back a status change or a move may take effect.
    pub backdate_limit_months: u32,
}

impl StoreConfig {
    pub fn new(database_url: impl Into<String>, city: RegionCode) -> Self {
        Self {
            database_url: database_url.into(),
            acquire_timeout: Duration::from_secs(3),
            max_connections: 10,
            lazy: false,
            city,
            contact_days: nuanxin_domain::care::schedule::DEFAULT_CONTACT_DAYS,
            backdate_limit_months: nuanxin_domain::registry::family::DEFAULT_BACKDATE_LIMIT_MONTHS,
        }
    }
}

/// The tables tests may count and read.
const TABLES: [&str; 69] = [
    "notice",
    "notice_acceptance",
    "mini_program_operation",
    "mini_program",
    "emergency_call_step",
    "emergency_call",
    "family_request",
    "wechat_access_token",
    "wechat_ticket",
    "wechat_spent_code",
    "binding_code",
    "wechat_binding",
    "bank_transfer",
    "roster_bank_file",
    "family_import_problem",
    "family_import",
    "webhook_delivery",
    "webhook_endpoint",
    "partner_operation",
    "insurance_policy",
    "insurance_claim",
    "idempotency_key",
    "green_channel_card",
    "consent",
    "consent_state",
    "app_secret",
    "care_unit",
    "care_service",
    "care_service_unit",
    "attachment",
    "care_record",
    "care_record_attachment",
    "care_case",
    "care_case_step",
    "care_pairing",
    "campaign",
    "chronic_condition",
    "counselling_session",
    "counselling_note",
    "emergency_device",
    "care_site",
    "volunteer_team",
    "activity",
    "activity_participant",
    "member_fact",
    "bank_account_change",
    "roster_event",
    "roster_account",
    "job",
    "organisation",
    "organisation_region",
    "partner_app",
    "service_link",
    "volunteer",
    "revoked_token",
    "allowance_standard",
    "bank_account",
    "roster_total",
    "roster",
    "roster_line",
    "roster_line_outcome",
    "family_region_change",
    "region",
    "family",
    "member",
    "family_status_history",
    "staff_user",
    "refresh_token",
    "access_log",
];

#[derive(Clone)]
pub struct Store {
    pub(crate) db: DatabaseConnection,
    pub(crate) vault: Arc<Vault>,
    pub(crate) city: RegionCode,
    statements: Arc<AtomicU64>,
    /// Callers as their accounts were looked up, by token id, for at most 30 s: the
    /// fresh look costs two queries, and a page of requests with one token pays it once.
    pub(crate) accounts: moka::sync::Cache<String, Principal>,
    pub(crate) health: crate::health::Health,
    /// A SQLite file's URL: migrations run on one connection of their own, since schema
    /// changes spread over a pool's connections raced (a trigger dropped on one connection
    /// was still there for the next statement on another).
    sqlite_file_url: Option<String>,
    pool_size: u32,
    pub(crate) clock: crate::clock::Clock,
    pub(crate) contact_days: u32,
    pub(crate) backdate_limit_months: u32,
    pub(crate) events: crate::events::Events,
    /// Writes access-log rows of concurrent reads together (group commit).
    pub(crate) access_log: crate::access_log_writer::AccessLogWriter,
}

/// How long the edge trusts a look at an account (the issue allows at most 30 s).
pub const ACCOUNT_CACHE_TTL: Duration = Duration::from_secs(30);

impl Store {
    pub async fn connect(config: &StoreConfig, vault: Vault) -> Result<Self, StoreError> {
        let sqlite = config.database_url.starts_with("sqlite:");
        let mut opts = ConnectOptions::new(config.database_url.clone());
        opts.acquire_timeout(config.acquire_timeout)
            .connect_timeout(config.acquire_timeout)
            .connect_lazy(config.lazy)
            .sqlx_logging(false);
        // An in-memory SQLite database is one per connection: one connection keeps it one
        // database. A file in WAL mode lets readers run beside the one writer, so a long
        // roster generation does not make every other request wait for the connection
        // (with one connection they all timed out); writers queue on SQLite's busy timeout.
        let memory =
            config.database_url.contains(":memory:") || config.database_url.contains("mode=memory");
        let pool_size = match (sqlite, memory) {
            (true, true) => 1,
            (true, false) => 4,
            (false, _) => config.max_connections,
        };
        opts.max_connections(pool_size);
        let mut db = Database::connect(opts).await.map_err(StoreError::from)?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_info| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        if sqlite && !config.lazy {
            db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;")
                .await
                .map_err(StoreError::from)?;
        }
        let store = Self {
            access_log: crate::access_log_writer::AccessLogWriter::start(db.clone()),
            db,
            vault: Arc::new(vault),
            city: config.city.clone(),
            statements,
            health: crate::health::Health::default(),
            sqlite_file_url: (sqlite && !memory).then(|| config.database_url.clone()),
            pool_size,
            clock: crate::clock::Clock::default(),
            contact_days: config.contact_days,
            backdate_limit_months: config.backdate_limit_months,
            accounts: moka::sync::Cache::builder()
                .max_capacity(50_000)
                .time_to_live(ACCOUNT_CACHE_TTL)
                .build(),
            events: crate::events::Events::default(),
        };
        store.start_listening();
        Ok(store)
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.sqlite_file_url {
            Some(url) => {
                let mut opts = ConnectOptions::new(url.clone());
                opts.max_connections(1).sqlx_logging(false);
                let single = Database::connect(opts).await.map_err(StoreError::from)?;
                let done = Migrator::up(&single, None).await.map_err(StoreError::from);
                let _ = single.close().await;
                done?;
            }
            None => Migrator::up(&self.db, None)
                .await
                .map_err(StoreError::from)?,
        }
        self.reseal_legacy().await?;
        self.index_phones().await?;
        self.backfill_account_history().await?;
        self.seed_catalogue().await?;
        self.seed_standards_if_empty().await
    }

    /// For a server that may not change the schema (it logs in as a role that owns
    /// nothing): refuses to start while migrations are pending, then does the data upkeep
    /// `migrate` would do.
    pub async fn ensure_migrated(&self) -> Result<(), StoreError> {
        // Read the migrations table directly: sea-orm's own check would try to create it,
        // which a role that owns nothing may not do.
        let backend = self.db.get_database_backend();
        let applied: Vec<String> = self
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                backend,
                "SELECT version FROM seaql_migrations",
            ))
            .await?
            .into_iter()
            .filter_map(|row| row.try_get::<String>("", "version").ok())
            .collect();
        let pending: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .filter(|name| !applied.contains(name))
            .collect();
        if !pending.is_empty() {
            return Err(StoreError::Internal(format!(
                "{} migrations are pending: run `nuanxin migrate` as the database owner first",
                pending.len()
            )));
        }
        self.reseal_legacy().await?;
        self.index_phones().await?;
        self.backfill_account_history().await?;
        self.seed_catalogue().await?;
        self.seed_standards_if_empty().await
    }

    /// Readiness: can the database answer a trivial query?
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await.map_err(StoreError::from)
    }

    /// How many connections the pool holds.
    pub fn pool_size(&self) -> u32 {
        self.pool_size
    }

    /// SQL statements executed through this store so far.
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    pub fn city(&self) -> &RegionCode {
        &self.city
    }

    pub fn is_postgres(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Postgres
    }

    /// Every row of a registry table as JSON, exactly as stored (tests read what is at
    /// rest: ciphertext, not clear values).
    pub async fn stored_rows(&self, table: &str) -> Result<Vec<serde_json::Value>, StoreError> {
        use sea_orm::FromQueryResult as _;
        if !TABLES.contains(&table) {
            return Err(StoreError::bad_input("table", msg!("db-unknown-table")));
        }
        let backend = self.db.get_database_backend();
        Ok(
            sea_orm::JsonValue::find_by_statement(sea_orm::Statement::from_string(
                backend,
                format!("SELECT * FROM {table}"),
            ))
            .all(&self.db)
            .await?,
        )
    }

    /// Counts rows of a registry table (tests prove nothing was half-written).
    pub async fn count_rows(&self, table: &str) -> Result<i64, StoreError> {
        if !TABLES.contains(&table) {
            return Err(StoreError::bad_input("table", msg!("db-unknown-table")));
        }
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await?
            .ok_or_else(|| StoreError::Internal("COUNT returned no row".into()))?;
        Ok(row.try_get::<i64>("", "n")?)
    }
}

#[cfg(feature = "test-support")]
impl Store {
    /// The raw connection: only for tests that set up what the API never writes.
    pub fn raw_connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The vault, to write what older versions wrote.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }
}

impl Store {
    /// Closes the pool (tests drop their database afterwards).
    pub async fn close(&self) {
        let _ = self.db.clone().close().await;
    }
}

impl Store {
    /// Refreshes the planner's statistics. After a bulk load the PostgreSQL planner would
    /// otherwise think a city holds a hundred families and hash-join every slice (measured:
    /// 20 ms instead of 0.2 ms for one lookup on 50,000 families).
    pub async fn analyze(&self) -> Result<(), StoreError> {
        self.db.execute_unprepared("ANALYZE").await?;
        Ok(())
    }

    /// Refreshes statistics of the roster tables only: a batch generation grows them by a
    /// million rows in a minute, faster than autovacuum notices (measured: loads slowed from
    /// 0.4 s to 1.7 s per county without it).
    pub async fn analyze_rosters(&self) -> Result<(), StoreError> {
        self.db
            .execute_unprepared("ANALYZE roster_line; ANALYZE roster")
            .await?;
        Ok(())
    }
}
