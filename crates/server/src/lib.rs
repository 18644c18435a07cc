//! The `nuanxin` server: configuration, start-up, the HTTP edge and the command line.

// The schema's merged roots nest async resolvers deeper than the default limit of 128 when
// a release build computes their layout (seen when the mini-program and reminder roots
// were merged in).
#![recursion_limit = "256"]

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
