//! `nuanxin partner …`: the city's management of partner organisations and apps from the
//! command line (as the system, logged with its reason). Secrets are printed once.
//! Each app's allow-list is filed from the app's own `.graphql` files.

use anyhow::{anyhow, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use nuanxin_domain::{PartnerKind, Principal, RegionCode};
use nuanxin_store::{AppRecord, NewOperation, NewOrganisation, Store};
use uuid::Uuid;

#[derive(Subcommand)]
pub enum PartnerCommand {
    /// File an organisation (prints its id).
    OrgAdd {
        #[arg(long)]
        name: String,
        /// insurer, hospital, civil_affairs, justice, education, human_resources, housing, other
        #[arg(long)]
        kind: String,
        /// Contracted division codes, comma-separated.
        #[arg(long)]
        regions: String,
        /// YYYY-MM-DD
        #[arg(long)]
        valid_from: String,
        #[arg(long)]
        valid_to: Option<String>,
    },
    /// A new app of an organisation: prints its client id and secret (once).
    AppAdd {
        #[arg(long)]
        org: Uuid,
        #[arg(long)]
        name: String,
    },
    /// A new secret for an app (printed once); the old one works for --overlap-hours.
    AppRotate {
        #[arg(long)]
        app: Uuid,
        #[arg(long, default_value_t = 24)]
        overlap_hours: i64,
    },
    /// Disable an app (its tokens are refused on their next request).
    AppDisable {
        #[arg(long)]
        app: Uuid,
    },
    /// Let an app run the operations of these `.graphql` files (one document per file,
    /// registered byte for byte); prints each document's SHA-256.
    OpsAdd {
        #[arg(long)]
        app: Uuid,
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
    /// List the operations an app may run.
    OpsList {
        #[arg(long)]
        app: Uuid,
    },
    /// List organisations and apps.
    List,
    /// Register a WeChat mini-program by its AppID (prints its id).
    MiniProgramAdd {
        #[arg(long)]
        wechat_app_id: String,
        #[arg(long)]
        name: String,
    },
    /// Let a mini-program run the operations of these `.graphql` files (its users' tokens
    /// run nothing else); prints each document's SHA-256.
    MiniProgramOpsAdd {
        #[arg(long)]
        wechat_app_id: String,
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
}

/// The documents of `.graphql` files, checked and hashed, one per file.
fn documents_of(files: &[std::path::PathBuf]) -> anyhow::Result<Vec<NewOperation>> {
    let mut documents = Vec::with_capacity(files.len());
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| anyhow!("{}: {e}", f.display()))?;
        let doc = nuanxin_graphql::persisted::check_document(&text)
            .map_err(|e| anyhow!("{}: {e}", f.display()))?;
        documents.push(NewOperation {
            hash: doc.hash,
            document: doc.document,
            operation_names: doc.operation_names,
        });
    }
    Ok(documents)
}

fn date(s: &str, flag: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| anyhow!("{flag}: a date YYYY-MM-DD"))
}

fn print_credentials(app: &AppRecord, secret: &str) {
    println!("app {}", app.id);
    println!("client_id {}", app.client_id.as_deref().unwrap_or(""));
    println!("client_secret {secret}");
    eprintln!("store the secret now: it is not shown again");
}

pub async fn run(store: &Store, command: PartnerCommand) -> anyhow::Result<()> {
    let system = Principal::system("command line: partner management");
    match command {
        PartnerCommand::OrgAdd {
            name,
            kind,
            regions,
            valid_from,
            valid_to,
        } => {
            let Some(kind) = PartnerKind::parse(&kind) else {
                bail!(
                    "--kind: one of insurer, hospital, civil_affairs, justice, education, human_resources, housing, other"
                );
            };
            let contracted_regions = regions
                .split(',')
                .map(|r| RegionCode::parse(r.trim()).map_err(|e| anyhow!("--regions: {e}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let org = store
                .add_organisation(
                    &system,
                    NewOrganisation {
                        name,
                        kind,
                        contracted_regions,
                        valid_from: date(&valid_from, "--valid-from")?,
                        valid_to: valid_to
                            .as_deref()
                            .map(|d| date(d, "--valid-to"))
                            .transpose()?,
                    },
                )
                .await?;
            println!("organisation {}", org.id);
        }
        PartnerCommand::AppAdd { org, name } => {
            let client_id = nuanxin_auth::new_client_id().map_err(|e| anyhow!("{e}"))?;
            let secret = nuanxin_auth::new_client_secret().map_err(|e| anyhow!("{e}"))?;
            let app = store
                .add_partner_app(
                    &system,
                    org,
                    &name,
                    &client_id,
                    &nuanxin_auth::hash_client_secret(&secret),
                )
                .await?;
            print_credentials(&app, &secret);
        }
        PartnerCommand::AppRotate { app, overlap_hours } => {
            let secret = nuanxin_auth::new_client_secret().map_err(|e| anyhow!("{e}"))?;
            let app = store
                .rotate_app_secret(
                    &system,
                    app,
                    &nuanxin_auth::hash_client_secret(&secret),
                    chrono::Duration::hours(overlap_hours),
                )
                .await?;
            print_credentials(&app, &secret);
        }
        PartnerCommand::AppDisable { app } => {
            store.set_app_active(&system, app, false).await?;
            println!("app {app} disabled");
        }
        PartnerCommand::OpsAdd { app, files } => {
            let registered = store
                .register_operations(&system, app, documents_of(&files)?)
                .await?;
            for o in registered {
                println!("{}\t{}", o.hash, o.operation_names.join(","));
            }
        }
        PartnerCommand::OpsList { app } => {
            for o in store.operations(&system, app).await? {
                println!(
                    "{}\t{}\t{}",
                    o.hash,
                    o.operation_names.join(","),
                    o.registered_at.format("%Y-%m-%d %H:%M")
                );
            }
        }
        PartnerCommand::MiniProgramAdd {
            wechat_app_id,
            name,
        } => {
            let mp = store
                .add_mini_program(&system, &wechat_app_id, &name)
                .await?;
            println!("mini_program {}", mp.id);
        }
        PartnerCommand::MiniProgramOpsAdd {
            wechat_app_id,
            files,
        } => {
            let Some(mp) = store
                .mini_programs(&system)
                .await?
                .into_iter()
                .find(|m| m.wechat_app_id == wechat_app_id.trim())
            else {
                bail!(
                    "no mini-program with AppID {wechat_app_id}: add it first (mini-program-add)"
                );
            };
            let registered = store
                .register_mini_program_operations(&system, mp.id, documents_of(&files)?)
                .await?;
            for o in registered {
                println!("{}\t{}", o.hash, o.operation_names.join(","));
            }
        }
        PartnerCommand::List => {
            for o in store.organisations(&system).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    o.id,
                    o.kind.as_str(),
                    o.name,
                    o.contracted_regions.join(","),
                    if o.active { "active" } else { "disabled" }
                );
                for a in o.apps {
                    println!(
                        "  app {}\t{}\t{}\t{}",
                        a.id,
                        a.name,
                        a.client_id.unwrap_or_default(),
                        if a.active { "active" } else { "disabled" }
                    );
                }
            }
        }
    }
    Ok(())
}
