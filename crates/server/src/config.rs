//! Configuration from the environment (and flags), with defaults that let one command run
//! the server on an embedded SQLite file.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use nuanxin_domain::RegionCode;
use nuanxin_domain::allowances::{Rules, SwitchRule};

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://data/nuanxin.db?mode=rwc` by default; `postgres://…` in production.
    pub database_url: String,
    pub bind: String,
    /// The city this registry serves.
    pub city: RegionCode,
    /// Development mode: GraphiQL at GET /graphql, human-readable logs.
    pub dev_mode: bool,
    pub json_logs: bool,
    /// `kid:base64key,…` (first signs). Falls back to the key file on SQLite.
    pub jwt_keys: Option<String>,
    /// `kid:base64key,…` (first encrypts) and the blind-index key.
    pub vault_keys: Option<String>,
    pub vault_index_key: Option<String>,
    pub key_file: PathBuf,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub db_acquire_timeout: Duration,
    pub db_max_connections: u32,
    pub body_limit_bytes: usize,
    /// Allowance rules: when the 70 → 680 switch happens and how far arrears reach back.
    pub allowance_rules: Rules,
    /// Apply migrations when the server starts (the SQLite default); off where the server
    /// logs in as a role that owns nothing and `nuanxin migrate` runs as the owner.
    pub migrate_on_start: bool,
    /// How long a stop waits for requests in flight and running jobs.
    pub shutdown_grace: Duration,
    /// Days a newly registered family waits at most for its emergency-aid contact.
    pub contact_days: u32,
    /// How many months back a status change or a move may take effect.
    pub backdate_limit_months: u32,
    /// Requests per partner app and minute.
    pub partner_rate_per_minute: u32,
    /// Requests per mini-program and minute, and per user of one.
    pub mini_program_rate_per_minute: u32,
    pub mini_program_user_rate_per_minute: u32,
    /// How webhooks are sent and retried.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// The WeChat mini-program (`NUANXIN_WECHAT_APP_ID`, `_APP_SECRET`, `_BASE_URL`,
    /// `_TIMEOUT_MS`); WeChat sign-in is off without it.
    pub wechat: Option<nuanxin_wechat::WeChatConfig>,
    /// How long an emergency call waits for an acknowledgement before it climbs to the
    /// next level (`NUANXIN_EMERGENCY_ESCALATE_AFTER_SECS`, 3 minutes by default).
    pub escalation: crate::emergency::EscalationSettings,
    /// WeChat subscription messages: each kind's template (`NUANXIN_WECHAT_TEMPLATE_*`).
    pub notices: crate::notices::NoticeSettings,
}

/// Requests one mini-program may make a minute, all its users together, unless configured
/// (`NUANXIN_MINI_PROGRAM_RATE_PER_MINUTE`): a hundred a second.
pub const DEFAULT_MINI_PROGRAM_RATE: u32 = 6000;
/// Requests one user of a mini-program may make a minute unless configured
/// (`NUANXIN_MINI_PROGRAM_USER_RATE_PER_MINUTE`): a page makes a few; a loop makes many.
pub const DEFAULT_MINI_PROGRAM_USER_RATE: u32 = 120;

/// Requests a partner app may make a minute unless configured
/// (`NUANXIN_PARTNER_RATE_PER_MINUTE`): ten a second, far above an enrolment script's need.
pub const DEFAULT_PARTNER_RATE: u32 = 600;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let database_url =
            env("DATABASE_URL").unwrap_or_else(|| "sqlite://data/nuanxin.db?mode=rwc".into());
        let city = env("NUANXIN_CITY").unwrap_or_else(|| "411000".into());
        let city = RegionCode::parse(&city)
            .context("NUANXIN_CITY must be a city's 6-digit division code")?;
        let acquire_ms: u64 = env("NUANXIN_DB_ACQUIRE_TIMEOUT_MS")
            .map(|v| v.parse())
            .transpose()
            .context("NUANXIN_DB_ACQUIRE_TIMEOUT_MS must be a number of milliseconds")?
            .unwrap_or(3000);
        let max_conn: u32 = env("NUANXIN_DB_MAX_CONNECTIONS")
            .map(|v| v.parse())
            .transpose()
            .context("NUANXIN_DB_MAX_CONNECTIONS must be a number")?
            .unwrap_or(16);
        let switch = match env("NUANXIN_ALLOWANCE_SWITCH").as_deref() {
            None | Some("month_after_birthday") => SwitchRule::MonthAfterBirthday,
            Some("birthday_month") => SwitchRule::BirthdayMonth,
            Some(other) => bail!(
                "NUANXIN_ALLOWANCE_SWITCH is month_after_birthday or birthday_month, not {other:?}"
            ),
        };
        let arrears_cap_months: u32 = env("NUANXIN_ARREARS_CAP_MONTHS")
            .map(|v| v.parse())
            .transpose()
            .context("NUANXIN_ARREARS_CAP_MONTHS must be a number of months")?
            .unwrap_or(24);
        let shutdown_secs: u64 = env("NUANXIN_SHUTDOWN_SECS")
            .map(|v| v.parse())
            .transpose()
            .context("NUANXIN_SHUTDOWN_SECS must be a number of seconds")?
            .unwrap_or(30);
        let contact_days: u32 = env("NUANXIN_EMERGENCY_CONTACT_DAYS")
            .map(|v| v.parse())
            .transpose()
            .context("NUANXIN_EMERGENCY_CONTACT_DAYS must be a number of days")?
            .unwrap_or(nuanxin_domain::care::schedule::DEFAULT_CONTACT_DAYS);
        if !(1..=90).contains(&contact_days) {
            bail!("NUANXIN_EMERGENCY_CONTACT_DAYS is between 1 and 90 days");
        }
        let backdate_limit_months: u32 = env("NUANXIN_BACKDATE_LIMIT_MONTHS")
            .map(|v| v.parse())
            .transpose()
            .context("NUANXIN_BACKDATE_LIMIT_MONTHS must be a number of months")?
            .unwrap_or(nuanxin_domain::registry::family::DEFAULT_BACKDATE_LIMIT_MONTHS);
        if !(1..=240).contains(&backdate_limit_months) {
            bail!("NUANXIN_BACKDATE_LIMIT_MONTHS is between 1 and 240 months");
        }
        let partner_rate_per_minute: u32 = env("NUANXIN_PARTNER_RATE_PER_MINUTE")
            .map(|v| v.parse())
            .transpose()
            .context("NUANXIN_PARTNER_RATE_PER_MINUTE must be a number")?
            .unwrap_or(DEFAULT_PARTNER_RATE)
            .max(1);
        let per_minute = |name: &str, default: u32| -> anyhow::Result<u32> {
            Ok(env(name)
                .map(|v| v.parse::<u32>())
                .transpose()
                .with_context(|| format!("{name} must be a number"))?
                .unwrap_or(default)
                .max(1))
        };
        let mini_program_rate_per_minute = per_minute(
            "NUANXIN_MINI_PROGRAM_RATE_PER_MINUTE",
            DEFAULT_MINI_PROGRAM_RATE,
        )?;
        let mini_program_user_rate_per_minute = per_minute(
            "NUANXIN_MINI_PROGRAM_USER_RATE_PER_MINUTE",
            DEFAULT_MINI_PROGRAM_USER_RATE,
        )?;
        let defaults = crate::webhooks::WebhookSettings::default();
        let secs = |name: &str, default: Duration| -> anyhow::Result<Duration> {
            Ok(env(name)
                .map(|v| v.parse::<u64>())
                .transpose()
                .with_context(|| format!("{name} must be a number of seconds"))?
                .map_or(default, Duration::from_secs))
        };
        let webhooks = crate::webhooks::WebhookSettings {
            timeout: secs("NUANXIN_WEBHOOK_TIMEOUT_SECS", defaults.timeout)?,
            retry_base: secs("NUANXIN_WEBHOOK_RETRY_BASE_SECS", defaults.retry_base)?,
            max_attempts: env("NUANXIN_WEBHOOK_MAX_ATTEMPTS")
                .map(|v| v.parse())
                .transpose()
                .context("NUANXIN_WEBHOOK_MAX_ATTEMPTS must be a number")?
                .unwrap_or(defaults.max_attempts)
                .clamp(1, 50),
            poll: defaults.poll,
        };
        let wechat = match (
            env("NUANXIN_WECHAT_APP_ID"),
            env("NUANXIN_WECHAT_APP_SECRET"),
        ) {
            (Some(app_id), Some(app_secret)) => Some(nuanxin_wechat::WeChatConfig {
                base_url: env("NUANXIN_WECHAT_BASE_URL")
                    .unwrap_or_else(|| nuanxin_wechat::WECHAT_BASE_URL.into()),
                app_id,
                app_secret,
                timeout: Duration::from_millis(
                    env("NUANXIN_WECHAT_TIMEOUT_MS")
                        .map(|v| v.parse::<u64>())
                        .transpose()
                        .context("NUANXIN_WECHAT_TIMEOUT_MS must be a number of milliseconds")?
                        .unwrap_or(3000)
                        .clamp(100, 30_000),
                ),
            }),
            (None, None) => None,
            _ => bail!("set both NUANXIN_WECHAT_APP_ID and NUANXIN_WECHAT_APP_SECRET, or neither"),
        };
        let escalate_after = secs(
            "NUANXIN_EMERGENCY_ESCALATE_AFTER_SECS",
            Duration::from_secs(
                nuanxin_domain::care::emergency::DEFAULT_ESCALATE_AFTER.num_seconds() as u64,
            ),
        )?;
        if !(Duration::from_secs(10)..=Duration::from_secs(3600)).contains(&escalate_after) {
            bail!("NUANXIN_EMERGENCY_ESCALATE_AFTER_SECS is between 10 and 3600 seconds");
        }
        let mut notices = crate::notices::NoticeSettings::default();
        for kind in nuanxin_domain::care::notices::NoticeKind::ALL {
            if let Some(template) = env(&crate::notices::template_variable(kind)) {
                notices.templates.insert(kind, template);
            }
        }
        let config = Self {
            notices,
            escalation: crate::emergency::EscalationSettings::new(escalate_after),
            wechat,
            webhooks,
            partner_rate_per_minute,
            mini_program_rate_per_minute,
            mini_program_user_rate_per_minute,
            contact_days,
            backdate_limit_months,
            database_url,
            bind: env("NUANXIN_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            city,
            dev_mode: env("NUANXIN_DEV").is_some_and(|v| v == "1" || v == "true"),
            json_logs: env("NUANXIN_LOG_JSON").is_some_and(|v| v == "1" || v == "true"),
            jwt_keys: env("NUANXIN_JWT_KEYS"),
            vault_keys: env("NUANXIN_VAULT_KEYS"),
            vault_index_key: env("NUANXIN_VAULT_INDEX_KEY"),
            key_file: env("NUANXIN_KEY_FILE")
                .map_or_else(|| PathBuf::from("data/keys.json"), PathBuf::from),
            jwt_issuer: env("NUANXIN_JWT_ISSUER").unwrap_or_else(|| "nuanxin".into()),
            jwt_audience: env("NUANXIN_JWT_AUDIENCE").unwrap_or_else(|| "nuanxin-api".into()),
            db_acquire_timeout: Duration::from_millis(acquire_ms),
            db_max_connections: max_conn,
            body_limit_bytes: 100 * 1024,
            allowance_rules: Rules {
                switch,
                arrears_cap_months,
            },
            migrate_on_start: !env("NUANXIN_MIGRATE_ON_START")
                .is_some_and(|v| v == "0" || v == "false"),
            shutdown_grace: Duration::from_secs(shutdown_secs),
        };
        if !config.is_sqlite()
            && (config.jwt_keys.is_none()
                || config.vault_keys.is_none()
                || config.vault_index_key.is_none())
        {
            bail!(
                "with PostgreSQL, set NUANXIN_JWT_KEYS, NUANXIN_VAULT_KEYS and NUANXIN_VAULT_INDEX_KEY \
                 (a local key file is only for the embedded SQLite default); `nuanxin keys` prints fresh ones"
            );
        }
        Ok(config)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// Creates the directory of a SQLite file database, so the first run just works.
    pub fn prepare_sqlite_dir(&self) -> anyhow::Result<()> {
        if let Some(rest) = self.database_url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or_default();
            if let Some(dir) = std::path::Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
        }
        Ok(())
    }
}
