//! Nuanxin's domain (暖心行动): pure Rust, no I/O. One module per capability — the
//! registry (family files, ID numbers, regions, eligibility), allowances (standards and
//! entitlements), rosters (payment rosters and their lifecycle), access (who may do what:
//! subjects, the policy, masks) — plus the value types they share (months, China time).

pub mod access;
pub mod allowances;
pub mod care;
pub mod month;
pub mod partners;
pub mod registry;
pub mod reports;
pub mod rosters;
pub mod text;
pub mod time;

#[cfg(test)]
mod every_word_is_written;

pub use access::policy::{
    self as policy, Audience, FieldAccess, Operation, PartnerKind, Resource, SensitiveField,
    StaffRole,
};
pub use access::principal::{self as principal, Principal, Reach, Subject};
pub use registry::family::{Family, FamilyStatus, Member, MemberRole, StatusChange};
pub use registry::id_number::{IdNumber, IdNumberError, Sex};
pub use registry::region::{Region, RegionCode, RegionLevel};
