//! sea-orm entities. Private to the store: callers get domain types or records, never
//! models, so a new column cannot reach a partner by accident.

pub mod access_log;
pub mod allowance_standard;
pub mod bank_account;
pub mod bank_account_change;
pub mod family;
pub mod family_region_change;
pub mod family_status_history;
pub mod job;
pub mod member;
pub mod member_fact;
pub mod organisation;
pub mod organisation_region;
pub mod pairing;
pub mod partner_app;
pub mod refresh_token;
pub mod region;
pub mod revoked_token;
pub mod roster;
pub mod roster_account;
pub mod roster_line;
pub mod roster_line_outcome;
pub mod service_link;
pub mod staff_user;
pub mod volunteer;
