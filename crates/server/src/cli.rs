//! The command line: `nuanxin serve [--demo]`, `migrate`, `schema`, `policy`, `user add`,
//! `regions import`, `demo`, `keys`.

use std::io::{BufRead as _, Write as _};

use anyhow::{Context, anyhow, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use nuanxin_auth::hash_password;
use nuanxin_domain::{Region, RegionCode, StaffRole};
use nuanxin_store::NewStaffUser;

use crate::bootstrap::{self, DEMO_PASSWORD, DEMO_USERS};
use crate::config::Config;
use nuanxin_locale::{Arg, Locale, msg};

#[derive(Parser)]
#[command(
    name = "nuanxin",
    about = "Nuanxin (暖心): the Warm Heart Action registry and GraphQL API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The language of what the roster commands print and export: zh (the default) or en.
    #[arg(long, global = true, env = "NUANXIN_LANG", default_value = "zh")]
    pub lang: String,
}

#[derive(Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API (the default).
    Serve {
        /// Seed the demo city (Xuchang 许昌市) with demo accounts and synthetic families.
        #[arg(long)]
        demo: bool,
        /// How many synthetic families the demo gets.
        #[arg(long, default_value_t = 300)]
        families: u64,
        /// Start a local WeChat stand-in and sign mini-programs in through it (demo and
        /// tests: login codes are `standin:<openid>:<anything>`).
        #[arg(long)]
        wechat_standin: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the GraphQL SDL (schema.graphql is this output), or what one audience may use
    /// (deploy/contracts/<audience>.graphql), or write every audience's contract.
    Schema {
        /// An audience: anonymous, city_admin, …, partner_insurer, family_member, volunteer.
        #[arg(long)]
        audience: Option<String>,
        /// Write every audience's contract into this folder (deploy/contracts).
        #[arg(long, conflicts_with = "audience")]
        contracts: Option<std::path::PathBuf>,
    },
    /// Print the permission matrix (docs/permissions.md is this output).
    Policy,
    /// Seed the demo city into the database and exit (for benchmarks).
    Demo {
        #[arg(long, default_value_t = 300)]
        families: u64,
        /// Also seed care work (pairings, cases, care records) for this county's families.
        #[arg(long)]
        care_county: Option<String>,
        /// Care records per family, with `--care-county`.
        #[arg(long, default_value_t = 30)]
        care_records: u32,
        /// Also: the first N families consent to hospitals and their fathers get cards.
        #[arg(long, default_value_t = 0)]
        green_channel: u64,
        /// Also: the first N families consent to share with insurers.
        #[arg(long, default_value_t = 0)]
        insurance: u64,
    },
    /// Print fresh keys as environment lines, for production configuration.
    Keys,
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Partner organisations and their apps (client credentials).
    Partner {
        #[command(subcommand)]
        command: crate::partner_cli::PartnerCommand,
    },
    /// Reference data: administrative divisions.
    Regions {
        #[command(subcommand)]
        command: RegionCommand,
    },
    /// Payment rosters (发放花名册).
    Roster {
        #[command(subcommand)]
        command: RosterCommand,
    },
    /// Synthetic data for the roster benchmark (run with NUANXIN_CITY=410000).
    BenchData {
        #[arg(long, default_value_t = 100)]
        counties: u32,
        #[arg(long, default_value_t = 5_000)]
        families_per_county: u64,
    },
}

#[derive(Subcommand)]
pub enum RosterCommand {
    /// Generate (or regenerate, while a draft) one county's roster, as that county's admin.
    Generate {
        #[arg(long)]
        county: String,
        /// First month of the period, YYYY-MM.
        #[arg(long)]
        period: String,
        /// 1, 3 (quarter) or 12 (year).
        #[arg(long, default_value_t = 1)]
        months: i32,
    },
    /// Generate the month's roster of every county that has families (benchmarks, batch runs).
    GenerateAll {
        #[arg(long)]
        period: String,
        /// Counties generated at the same time.
        #[arg(long, default_value_t = 4)]
        parallel: usize,
    },
    /// Export a roster as XLSX or CSV. Account numbers are masked unless --purpose is given
    /// (then each person is written to the access log).
    Export {
        /// The roster's id (UUID or API id).
        #[arg(long)]
        id: String,
        #[arg(long, default_value = "xlsx")]
        format: String,
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long)]
        purpose: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a staff account. The password is read from NUANXIN_PASSWORD or standard input.
    Add {
        #[arg(long)]
        username: String,
        /// city_admin, county_admin, township_worker, village_worker or auditor.
        #[arg(long)]
        role: String,
        /// Home region code (city 6 digits, county 6, township 9, village 12).
        #[arg(long)]
        region: String,
        #[arg(long, default_value = "")]
        name: String,
    },
}

#[derive(Subcommand)]
pub enum RegionCommand {
    /// Import regions from a CSV file: code,name,valid_from[,valid_to] (dates YYYY-MM-DD).
    Import { file: std::path::PathBuf },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let locale = Locale::from_accept_language(Some(&cli.lang));
    let command = cli.command.unwrap_or(Command::Serve {
        wechat_standin: false,
        demo: false,
        families: 300,
    });
    match command {
        Command::Schema {
            audience: None,
            contracts: None,
        } => {
            print!("{}", nuanxin_graphql::sdl());
            Ok(())
        }
        Command::Schema {
            audience: Some(name),
            ..
        } => {
            let audience = nuanxin_domain::Audience::parse(&name)
                .filter(|a| *a != nuanxin_domain::Audience::System)
                .ok_or_else(|| {
                    let names: Vec<&str> = nuanxin_graphql::contract::audiences()
                        .into_iter()
                        .map(|a| a.name())
                        .collect();
                    anyhow!("--audience is one of: {}", names.join(", "))
                })?;
            print!("{}", nuanxin_graphql::contract::render(audience).await);
            Ok(())
        }
        Command::Schema {
            contracts: Some(dir),
            ..
        } => {
            std::fs::create_dir_all(&dir)?;
            for audience in nuanxin_graphql::contract::audiences() {
                let path = dir.join(format!("{}.graphql", audience.name()));
                std::fs::write(&path, nuanxin_graphql::contract::render(audience).await)
                    .with_context(|| format!("writing {}", path.display()))?;
                println!("wrote {}", path.display());
            }
            Ok(())
        }
        Command::Policy => {
            print!("{}", nuanxin_domain::policy::render_markdown());
            Ok(())
        }
        Command::Keys => {
            print!("{}", crate::keys::fresh_env_lines()?);
            Ok(())
        }
        Command::Migrate => {
            let config = Config::from_env()?;
            let (store, _) = bootstrap::connect_store(&config).await?;
            store.migrate().await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Demo {
            families,
            care_county,
            care_records,
            green_channel,
            insurance,
        } => {
            let config = Config::from_env()?;
            let state = bootstrap::app_state(&config).await?;
            seed_with_progress(&state.store, families).await?;
            if let Some(county) = care_county {
                let county = RegionCode::parse(&county)
                    .map_err(|e| anyhow::anyhow!("--care-county: {e}"))?;
                let added = nuanxin_store::demo::seed_care(
                    &state.store,
                    &county,
                    care_records,
                    |done, total| eprint!("\rseeding care work: {done}/{total} families"),
                )
                .await?;
                eprintln!();
                tracing::info!(families = added, "care work seeded");
            }
            if insurance > 0 {
                let consents =
                    nuanxin_store::demo::seed_insurance_consent(&state.store, insurance).await?;
                tracing::info!(consents, "insurance consents seeded");
            }
            if green_channel > 0 {
                let cards =
                    nuanxin_store::demo::seed_green_channel(&state.store, green_channel).await?;
                tracing::info!(cards, "green-channel cards seeded");
            }
            Ok(())
        }
        Command::Serve {
            demo,
            families,
            wechat_standin,
        } => serve(demo, families, wechat_standin).await,
        Command::Partner { command } => {
            let config = Config::from_env()?;
            let state = bootstrap::app_state(&config).await?;
            crate::partner_cli::run(&state.store, command).await
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    region,
                    name,
                },
        } => {
            let config = Config::from_env()?;
            let state = bootstrap::app_state(&config).await?;
            let role = StaffRole::parse(&role)
                .ok_or_else(|| anyhow!("unknown role {role:?}; use city_admin, county_admin, township_worker, village_worker or auditor"))?;
            let region = RegionCode::parse(&region).map_err(|e| anyhow!("--region: {e}"))?;
            let password = match std::env::var("NUANXIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    eprint!("password for {username}: ");
                    std::io::stderr().flush().ok();
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let hash = hash_password(&password).map_err(|e| anyhow!("{e}"))?;
            let user = state
                .store
                .create_staff_user(NewStaffUser {
                    username: username.clone(),
                    display_name: if name.is_empty() { username.clone() } else { name },
                    password_hash: hash,
                    role,
                    home_region: region,
                })
                .await
                .map_err(|e| anyhow!("{e}; import regions first with `nuanxin regions import` if the region is unknown"))?;
            println!(
                "created {} ({}) for region {}",
                user.username,
                user.role.as_str(),
                user.home_region
            );
            Ok(())
        }
        Command::Roster { command } => roster(command, locale).await,
        Command::BenchData {
            counties,
            families_per_county,
        } => {
            let config = Config::from_env()?;
            let state = bootstrap::app_state(&config).await?;
            let started = std::time::Instant::now();
            let added = nuanxin_store::demo::seed_bench(
                &state.store,
                counties,
                families_per_county,
                |done, total| {
                    if done % 20_000 == 0 || done == total {
                        eprint!("\rbenchmark families: {done}/{total}");
                    }
                },
            )
            .await?;
            eprintln!();
            println!(
                "added {added} families in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Regions {
            command: RegionCommand::Import { file },
        } => {
            let config = Config::from_env()?;
            let state = bootstrap::app_state(&config).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let regions = parse_regions_csv(&text)?;
            state.store.upsert_regions(&regions).await?;
            println!("imported {} regions", regions.len());
            Ok(())
        }
    }
}

async fn seed_with_progress(store: &nuanxin_store::Store, families: u64) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let added = bootstrap::seed_demo(store, families, |done| {
        if done % 5_000 == 0 || done == families {
            eprint!("\rseeding demo families: {done}/{families}");
        }
    })
    .await?;
    if added > 0 {
        eprintln!();
    }
    tracing::info!(
        added,
        seconds = started.elapsed().as_secs_f64(),
        "demo city ready"
    );
    Ok(())
}

/// The app id and secret the WeChat stand-in of `serve --wechat-standin` knows.
pub const STANDIN_APP_ID: &str = "wx0demo0standin0";
const STANDIN_SECRET: &str = "standin-secret";

async fn serve(demo: bool, families: u64, wechat_standin: bool) -> anyhow::Result<()> {
    let mut config = Config::from_env()?;
    let standin = if wechat_standin {
        let standin = nuanxin_wechat::StandIn::start(STANDIN_APP_ID, STANDIN_SECRET)
            .await
            .context("starting the WeChat stand-in")?;
        tracing::info!(base_url = %standin.base_url, app_id = STANDIN_APP_ID,
            "WeChat stand-in: login codes are standin:<openid>:<anything>");
        config.wechat = Some(nuanxin_wechat::WeChatConfig {
            base_url: standin.base_url.clone(),
            app_id: STANDIN_APP_ID.into(),
            app_secret: STANDIN_SECRET.into(),
            timeout: std::time::Duration::from_secs(3),
        });
        Some(standin)
    } else {
        None
    };
    let state = bootstrap::app_state(&config).await?;
    state.jobs.sweep_orphans().await?;
    if demo {
        seed_with_progress(&state.store, families).await?;
        let names: Vec<&str> = DEMO_USERS.iter().map(|u| u.0).collect();
        tracing::info!(accounts = ?names, password = DEMO_PASSWORD, "demo accounts (demo mode only)");
    }
    tracing::info!(
        bind = %config.bind,
        database = %bootstrap::redact(&config.database_url),
        dev_mode = config.dev_mode,
        "serving GraphQL at /graphql"
    );
    let jobs = state.jobs.clone();
    let webhooks = crate::webhooks::Deliverer::new(config.webhooks)?.spawn(state.store.clone());
    let escalation = crate::emergency::spawn_escalation(state.store.clone(), config.escalation);
    let notices = crate::notices::Sender::new(state.wechat.clone(), config.notices.clone())
        .spawn(state.store.clone());
    bootstrap::http_server(state, &config.bind, config.shutdown_grace)?.await?;
    webhooks.abort();
    escalation.abort();
    notices.abort();
    jobs.drain(config.shutdown_grace).await;
    drop(standin);
    Ok(())
}

fn parse_regions_csv(text: &str) -> anyhow::Result<Vec<Region>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || (i == 0 && line.starts_with("code")) {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if cols.len() < 3 {
            bail!("line {}: expected code,name,valid_from[,valid_to]", i + 1);
        }
        let date = |s: &str| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .with_context(|| format!("line {}: bad date {s:?}", i + 1))
        };
        out.push(Region {
            code: RegionCode::parse(cols[0]).map_err(|e| anyhow!("line {}: {e}", i + 1))?,
            name: cols[1].to_owned(),
            valid_from: date(cols[2])?,
            valid_to: cols
                .get(3)
                .filter(|s| !s.is_empty())
                .map(|s| date(s))
                .transpose()?,
        });
    }
    Ok(out)
}

fn progress_bar(label: &str) -> impl Fn(u64, u64) + Send + Sync + 'static {
    let label = label.to_owned();
    move |done, total| {
        let width: u64 = 30;
        let filled = (done * width)
            .checked_div(total)
            .unwrap_or(width)
            .min(width);
        eprint!(
            "\r{label} [{}{}] {done}/{total}",
            "#".repeat(filled as usize),
            ".".repeat((width - filled) as usize)
        );
        std::io::stderr().flush().ok();
    }
}

async fn roster(command: RosterCommand, locale: Locale) -> anyhow::Result<()> {
    use nuanxin_domain::Principal;
    use nuanxin_domain::month::YearMonth;
    use nuanxin_domain::rosters::Period;

    let config = Config::from_env()?;
    let state = bootstrap::app_state(&config).await?;
    let store = &state.store;
    // The command line acts as the system, with its reason in the log, never as a
    // disguised staff role.
    let as_cli = |county: &RegionCode| {
        Principal::system(format!("command line: roster generation for {county}"))
    };
    match command {
        RosterCommand::Generate {
            county,
            period,
            months,
        } => {
            let county = RegionCode::parse(&county).map_err(|e| anyhow!("--county: {e}"))?;
            let start: YearMonth = period.parse().map_err(|e| anyhow!("--period: {e}"))?;
            let period = Period {
                start,
                end: start.plus(months.max(1) - 1),
            };
            let bar = progress_bar(&format!("{county} {}", nuanxin_store::period_label(period)));
            let r = store
                .generate_roster(
                    &as_cli(&county),
                    &county,
                    period,
                    config.allowance_rules,
                    &bar,
                )
                .await?;
            eprintln!();
            println!(
                "{}",
                msg!(
                    "cli-roster-generated",
                    id = r.id.to_string(),
                    status = r.status.word(),
                    lines = r.line_count,
                    amount = Arg::Fen(r.total_fen)
                )
                .render(locale)
            );
        }
        RosterCommand::GenerateAll { period, parallel } => {
            use futures_util::StreamExt as _;
            let start: YearMonth = period.parse().map_err(|e| anyhow!("--period: {e}"))?;
            let period = Period { start, end: start };
            let counties = store.counties_with_families().await?;
            let started = std::time::Instant::now();
            let rules = config.allowance_rules;
            // Counties are independent transactions: overlap one county's SQL with
            // another's planning.
            let mut results = futures_util::stream::iter(counties.iter().cloned())
                .map(|county| {
                    let principal = as_cli(&county);
                    async move {
                        store
                            .generate_roster(&principal, &county, period, rules, &|_, _| {})
                            .await
                    }
                })
                .buffer_unordered(parallel.max(1));
            let (mut lines, mut fen, mut done) = (0i64, 0i64, 0usize);
            while let Some(r) = results.next().await {
                let r = r?;
                lines += i64::from(r.line_count);
                fen += r.total_fen;
                done += 1;
                if done % 10 == 0 {
                    store.analyze_rosters().await?;
                }
                eprint!(
                    "\r{}",
                    msg!(
                        "cli-rosters-progress",
                        done = done,
                        counties = counties.len(),
                        lines = lines
                    )
                    .render(locale)
                );
            }
            eprintln!();
            println!(
                "{}",
                msg!(
                    "cli-rosters-generated",
                    count = counties.len(),
                    month = start,
                    lines = lines,
                    amount = Arg::Fen(fen),
                    seconds = format!("{:.1}", started.elapsed().as_secs_f64())
                )
                .render(locale)
            );
        }
        RosterCommand::Export {
            id,
            format,
            out,
            purpose,
        } => {
            let roster_id = uuid::Uuid::parse_str(&id).or_else(|_| {
                nuanxin_graphql::decode_roster_id(&id).map_err(|e| anyhow!("--id: {e}"))
            })?;
            let system = Principal::system("command line: roster export");
            let meta = nuanxin_store::RequestMeta {
                request_id: format!("cli-{}", uuid::Uuid::new_v4()),
                client: None,
                idempotency_key: None,
            };
            let (roster, rows) = store
                .roster_export(&system, roster_id, purpose.as_deref(), &meta)
                .await?;
            let bytes = match format.as_str() {
                "xlsx" => {
                    let heading = store.roster_heading(&roster).await?;
                    crate::exports::xlsx(&roster, &heading, &rows, locale)?
                }
                "csv" => crate::exports::csv(&roster, &rows, locale),
                other => bail!("--format is xlsx or csv, not {other:?}"),
            };
            std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{}",
                msg!(
                    "cli-roster-written",
                    path = out.display().to_string(),
                    lines = rows.len()
                )
                .render(locale)
            );
        }
    }
    Ok(())
}
