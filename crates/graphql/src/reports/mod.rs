//! The monthly report upward (定期报告): a county's or the city's month in figures.

pub mod objects;
pub mod roots;
