//! GraphQL subscriptions over WebSocket at `/graphql/ws`, in `graphql-transport-ws` with
//! the protocol's close codes (async-graphql's own handler closes with 1002/1011 where the
//! protocol says 4401/4403, so it is written here: the protocol in [`protocol`], one
//! connection's life in [`connection`]).

mod connection;
pub mod protocol;

pub use connection::{WsSettings, upgrade};
