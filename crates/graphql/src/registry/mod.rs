//! The registry: the region tree, family files and members.

pub mod import;
pub mod inputs;
pub mod objects;
pub mod roots;
