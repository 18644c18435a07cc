//! Nuanxin's domain (暖心行动): pure Rust, no I/O. Value types, the family file, the rules
//! (eligibility) and the access policy that every other layer enforces.

pub mod allowance;
pub mod eligibility;
pub mod family;
pub mod id_number;
pub mod mask;
pub mod month;
pub mod policy;
pub mod principal;
pub mod region;
pub mod time;

pub use family::{Family, FamilyStatus, Member, MemberRole, StatusChange};
pub use id_number::{IdNumber, IdNumberError, Sex};
pub use policy::{Audience, FieldAccess, Operation, SensitiveField, StaffRole};
pub use principal::Principal;
pub use region::{Region, RegionCode, RegionLevel};
