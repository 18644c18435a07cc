//! Nuanxin's persistence layer. Every repository function takes the caller's
//! [`Principal`](nuanxin_domain::Principal) and ANDs the policy's slice into its SQL, so a
//! row outside the caller's reach is never even loaded.

mod access;
mod access_log_writer;
mod allowances;
mod care;
mod clock;
mod db;
pub mod demo;
mod entity;
mod error;
mod events;
mod health;
mod partners;
mod records;
mod registry;
mod reports;
mod reseal;
mod rosters;
mod session;
mod slice;
pub mod vault;
mod wechat;

pub use allowances::{BankAccountRecord, NewStandard};
pub use care::*;
pub use db::{Store, StoreConfig};
pub use error::StoreError;
pub use events::CallEvent;
pub use partners::*;
pub use records::{
    AccessLogEntry, EligibilitySnapshot, FamilyRecord, MemberRecord, Page, RequestMeta, Revealed,
    StatusHistoryEntry,
};
pub use registry::{FactEntry, FamilyFilter, FamilyImportRecord};
pub use reports::{CountyMonth, MonthlyReport};
pub use rosters::{
    BankFileRecord, BankResult, ChangedAccount, ExportRow, JobRecord, LineOutcome,
    MonthPaymentRecord, PaymentRecord, PaymentSearch, RosterFilter, RosterHeading,
    RosterLineRecord, RosterRecord, RosterStepRecord, Total, UnchangedReturn, period_label,
};
pub use session::{NewOrganisation, NewStaffUser, RefreshOutcome, Refusal, StaffUserRecord};
pub use vault::{Vault, VaultError, VaultKeys};
pub use wechat::*;
