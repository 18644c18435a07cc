//! One connection type for every list (Relay-style): async-graphql's own, named
//! `<Node>Connection` and `<Node>Edge`, with the standard `PageInfo` (its start and end
//! cursors come from the edges). Cursors are opaque.

use async_graphql::OutputType;
use async_graphql::connection::{
    self, DefaultConnectionName, DefaultEdgeName, DisableNodesField, Edge, EmptyFields,
};
use nuanxin_store::Page;
use uuid::Uuid;

use crate::ids;

pub type Connection<T> = connection::Connection<
    String,
    T,
    EmptyFields,
    EmptyFields,
    DefaultConnectionName,
    DefaultEdgeName,
    DisableNodesField,
>;

/// A page of store records as a connection: `key` gives each record's cursor, `node` its
/// GraphQL object. A previous page exists when the request came with a cursor.
pub fn of_page<R, T: OutputType>(
    page: Page<R>,
    had_cursor: bool,
    key: impl Fn(&R) -> Uuid,
    node: impl Fn(R) -> T,
) -> Connection<T> {
    let mut c = Connection::new(had_cursor, page.has_next_page);
    c.edges.extend(
        page.items
            .into_iter()
            .map(|r| Edge::new(ids::cursor(key(&r)), node(r))),
    );
    c
}
