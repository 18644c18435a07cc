//! Families' requests (家庭诉求): what a family asks for in the mini-program, and how
//! workers answer.

pub mod objects;
pub mod roots;
