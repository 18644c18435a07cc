//! Allowances: standards, entitlements, bank accounts and family moves.

pub mod inputs;
pub mod objects;
pub mod resolve;
pub mod roots;
