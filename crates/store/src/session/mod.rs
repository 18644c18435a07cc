//! Session: the accounts behind tokens (staff users and their refresh tokens; partner
//! organisations and apps, volunteers and family members as subjects), the fresh look at
//! each account on every request, and revoked access tokens.

mod staff;
mod subjects;

pub use staff::{NewStaffUser, RefreshOutcome, StaffUserRecord};
pub use subjects::{NewOrganisation, Refusal};
