//! Payment rosters: generation, lifecycle, lines, totals and jobs.

pub mod inputs;
pub mod objects;
pub mod roots;
