//! The `nuanxin` server: configuration, start-up, the HTTP edge and the command line.

pub mod attachments;
pub mod bootstrap;
pub mod caller;
pub mod cli;
pub mod config;
pub mod emergency;
pub mod exports;
pub mod http;
pub mod imports;
pub mod keys;
pub mod notices;
pub mod oauth;
pub mod partner_cli;
pub mod persisted;
pub mod replies;
pub mod state;
pub mod subscriptions;
pub mod telemetry;
pub mod webhooks;
