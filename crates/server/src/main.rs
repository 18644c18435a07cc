//! `nuanxin`: run `nuanxin --help`. With no arguments it serves the API on the embedded
//! SQLite default.

#![recursion_limit = "256"]

use clap::Parser as _;
use nuanxin_server::cli::{Cli, run};

/// mimalloc instead of the C library's allocator, which keeps what a thread freed in that
/// thread's arena: measured under 50 concurrent sign-ins (argon2id, 19 MiB each), glibc
/// grew by one hash's memory per attempt and never gave it back; see bench/README.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config_json = std::env::var("NUANXIN_LOG_JSON").is_ok_and(|v| v == "1" || v == "true");
    nuanxin_server::telemetry::init(config_json);
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
