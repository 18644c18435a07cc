//! The API by area; each area has its own Query/Mutation, merged at the root.

pub mod audit;
pub mod registry;
pub mod regions;
pub mod session;
