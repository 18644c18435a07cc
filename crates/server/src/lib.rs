//! The `nuanxin` server: configuration, start-up, the HTTP edge and the command line.

pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod exports;
pub mod http;
pub mod keys;
pub mod telemetry;
