//! Benchmark (not a test): how long an emergency call takes from `raiseEmergencyCall` on
//! one gateway replica to a worker's socket on another, with 1,000 subscriptions open on
//! that other replica — against the database's own limit, a bare `pg_notify` heard by a
//! bare `LISTEN` on another connection, in the same run. Run by `bench/subscriptions.sh`.
//!
//! Two replicas are two stores (each its own pool and its own LISTEN connection) and two
//! actix servers in one process, on one PostgreSQL: what crosses between them is only what
//! PostgreSQL carries.

#![recursion_limit = "256"]

use std::time::{Duration, Instant};

use nuanxin_domain::StaffRole;
use nuanxin_tests::ws::{WsClient, WsEvent};
use nuanxin_tests::{Backend, Listening, TestApp};
use serde_json::json;

const CALLS: &str = "subscription { emergencyCalls { step call { id } } }";
const VILLAGE: &str = "411002001001";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Every region the demo tree has at village level, but the family's own.
fn other_villages() -> Vec<String> {
    nuanxin_store::demo::regions()
        .into_iter()
        .map(|r| r.code.to_string())
        .filter(|c| c.len() == 12 && c != VILLAGE)
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let subscriptions = env_usize("SUBSCRIPTIONS", 1000);
    let hearing = env_usize("HEARING", 10);
    let rounds = env_usize("ROUNDS", 50);
    let app = TestApp::new(Backend::Postgres)
        .await
        .expect("PostgreSQL (NUANXIN_TEST_DATABASE_URL)");
    let first = app.listen();
    let replica = app.replica().await;
    let second = Listening::start(replica.clone());

    eprintln!(
        "opening {subscriptions} subscriptions on the second replica ({hearing} of them hear the calls)"
    );
    let others = other_villages();
    let mut listeners = Vec::with_capacity(subscriptions);
    for i in 0..subscriptions {
        let village = if i < hearing {
            VILLAGE.to_owned()
        } else {
            others[i % others.len()].clone()
        };
        let token = app.token(StaffRole::VillageWorker, &village).await;
        let mut c = WsClient::signed_in(&second.ws_url(), &token).await;
        c.subscribe("calls", CALLS).await;
        listeners.push(c);
    }
    let hear = &mut listeners[..hearing];
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut ours = Vec::with_capacity(rounds * hearing);
    for round in 0..rounds {
        let (family, members) = app
            .family_at(VILLAGE, u16::try_from(round + 1).unwrap_or(1))
            .await;
        let parent = app.family_member_token(family, members[0]);
        app.allow(&parent, "mutation { raiseEmergencyCall { id } }")
            .await;
        let started = Instant::now();
        let raised = app
            .gql(&parent, "mutation { raiseEmergencyCall { id } }", json!({}))
            .await;
        assert!(raised["errors"].is_null(), "{raised}");
        let waits = hear.iter_mut().map(|c| async move {
            match c.next().await {
                WsEvent::Message(_) => started.elapsed(),
                WsEvent::Closed(code, why) => panic!("closed {code} {why}"),
            }
        });
        ours.extend(futures_util::future::join_all(waits).await);
    }
    drop(first);

    // The database's own limit: a bare NOTIFY on one connection, heard on another.
    let url = app.postgres_url().expect("a PostgreSQL url");
    let mut listen = sea_orm::sqlx::postgres::PgListener::connect(&url)
        .await
        .expect("listen");
    listen.listen("bench_bare").await.expect("LISTEN");
    let pool = sea_orm::sqlx::PgPool::connect(&url).await.expect("pool");
    let bare_rounds = rounds * hearing;
    let mut bare = Vec::with_capacity(bare_rounds);
    // One round first, unmeasured: the connections' first statements are prepared.
    sea_orm::sqlx::query("SELECT pg_notify('bench_bare', 'warm')")
        .execute(&pool)
        .await
        .expect("notify");
    listen.recv().await.expect("heard");
    for i in 0..bare_rounds {
        let started = Instant::now();
        sea_orm::sqlx::query("SELECT pg_notify('bench_bare', $1)")
            .bind(i.to_string())
            .execute(&pool)
            .await
            .expect("notify");
        listen.recv().await.expect("heard");
        bare.push(started.elapsed());
    }
    pool.close().await;

    ours.sort();
    bare.sort();
    let (p50, p99) = (percentile(&ours, 0.5), percentile(&ours, 0.99));
    let (b50, b99) = (percentile(&bare, 0.5), percentile(&bare, 0.99));
    println!("| path | samples | p50 | p99 |");
    println!("|---|---|---|---|");
    println!(
        "| raiseEmergencyCall on replica A → `next` on a socket of replica B ({subscriptions} open) | {} | {:.1} ms | {:.1} ms |",
        ours.len(),
        ms(p50),
        ms(p99)
    );
    println!(
        "| bare `pg_notify` → `LISTEN` on another connection | {} | {:.2} ms | {:.2} ms |",
        bare.len(),
        ms(b50),
        ms(b99)
    );
    println!(
        "ratio (ours / bare): p50 {:.0}x, p99 {:.0}x",
        ms(p50) / ms(b50).max(0.001),
        ms(p99) / ms(b99).max(0.001)
    );
    replica.store.close().await;
    drop(listeners);
    app.cleanup().await;
}
