//! End-to-end tests through the real actix-web app. Each `on_both_backends!` test runs on
//! SQLite and on PostgreSQL.

mod access_log;
mod auth;
mod bad_input;
mod edge;
mod introspection;
mod queries;
mod registry;
mod rosters;
mod slice_matrix;
mod sources_of_truth;
