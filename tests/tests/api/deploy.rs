//! What the deployment relies on (PostgreSQL only: SQLite has no roles). The gateways log
//! in as a role that owns nothing, as `deploy/postgres/roles.sql` sets up: it reads and
//! writes rows, and can neither drop nor disable a trigger, nor alter, truncate or create
//! a table — so the append-only log and the frozen rosters hold even against the server.

use nuanxin_tests::{Backend, TestApp, run};
use sea_orm::{ConnectionTrait, Database};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_application_role_owns_nothing() {
    run(Backend::Postgres, the_application_role_owns_nothing_on).await;
}

async fn the_application_role_owns_nothing_on(app: &TestApp) {
    let url = app.postgres_url().expect("a PostgreSQL test");
    // One access-log row, so that a DELETE has something to refuse.
    let (_, members) = app.family_at("411002001001", 1).await;
    let system = nuanxin_domain::Principal::system("test: a logged read");
    let member = app
        .store
        .get_member(&system, members[0])
        .await
        .expect("member");
    app.store
        .reveal(
            &system,
            &[&member],
            &[nuanxin_domain::SensitiveField::Phone],
            "test purpose",
            &Default::default(),
        )
        .await
        .expect("a logged read");
    assert_eq!(app.count("access_log").await, 1);
    let role = format!("nxapp_{}", uuid::Uuid::new_v4().simple());
    let admin = app.store.raw_connection();
    // The grants of roles.sql, for a role of this test's own.
    for sql in [
        format!("CREATE ROLE {role} LOGIN PASSWORD 'app-password'"),
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
    ] {
        admin
            .execute_unprepared(&sql)
            .await
            .expect("set up the role");
    }
    let (scheme, rest) = url.split_once("://").expect("url");
    let host_and_db = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let as_app = Database::connect(format!("{scheme}://{role}:app-password@{host_and_db}"))
        .await
        .expect("connect as the application role");

    // Rows: yes (control).
    as_app
        .execute_unprepared("SELECT count(*) FROM family")
        .await
        .expect("reads rows");
    as_app
        .execute_unprepared("UPDATE family SET updated_at = updated_at WHERE false")
        .await
        .expect("writes rows");
    // The schema and its guards: no.
    for sql in [
        "DROP TRIGGER access_log_no_change ON access_log",
        "ALTER TABLE access_log DISABLE TRIGGER access_log_no_change",
        "ALTER TABLE roster_line DISABLE TRIGGER ALL",
        "TRUNCATE access_log",
        "DELETE FROM access_log",
        "CREATE TABLE shadow (id int)",
        "DROP TABLE refresh_token",
    ] {
        assert!(as_app.execute_unprepared(sql).await.is_err(), "{sql}");
    }
    assert_eq!(app.count("access_log").await, 1, "the log is whole");
    as_app.close().await.ok();
    for sql in [
        format!("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"),
        format!("REVOKE USAGE ON SCHEMA public FROM {role}"),
        format!("DROP ROLE {role}"),
    ] {
        admin
            .execute_unprepared(&sql)
            .await
            .expect("clean up the role");
    }
}
