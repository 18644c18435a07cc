//! The API by area; each area has its own Query/Mutation, merged at the root.

pub mod audit;
pub mod regions;
pub mod registry;
pub mod session;
