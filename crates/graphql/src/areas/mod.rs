//! The API by area; each area has its own Query/Mutation, merged at the root.

pub mod allowances;
pub mod audit;
pub mod regions;
pub mod registry;
pub mod rosters;
pub mod session;
