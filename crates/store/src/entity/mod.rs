//! sea-orm entities. Private to the store: callers get domain types or records, never
//! models, so a new column cannot reach a partner by accident.

pub mod access_log;
pub mod family;
pub mod family_status_history;
pub mod member;
pub mod refresh_token;
pub mod region;
pub mod staff_user;
