//! The registry (一户一档、一人一档): family files and their members, resident ID numbers,
//! the administrative region tree, and the eligibility rules of the programme.

pub mod eligibility;
pub mod family;
pub mod id_number;
pub mod import;
pub mod intake;
pub mod region;
