//! End-to-end tests through the real actix-web app. Each `on_both_backends!` test runs on
//! SQLite and on PostgreSQL.

mod access;
mod allowances;
mod bad_input;
mod care;
mod contracts;
mod deploy;
mod edge;
mod emergency;
mod family_app;
mod guards;
mod imports;
mod introspection;
mod language;
mod mini_programs;
mod notices;
mod operations;
mod partner_matrix;
mod partners;
mod queries;
mod registry;
mod reports;
mod rosters;
mod session;
mod slice_matrix;
mod sources_of_truth;
mod subscriptions;
mod volunteer_app;
mod webhooks;
mod wechat;
