//! Session: who is calling, signing in and out.

pub mod objects;
pub mod roots;
