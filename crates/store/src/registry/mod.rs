//! The registry: family files and members (each read through the caller's slice), and the
//! region tree.

mod families;
mod import;
mod regions;

pub use families::{FactEntry, FamilyFilter};
pub use import::FamilyImportRecord;
pub use regions::demo_valid_from;
