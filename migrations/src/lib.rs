//! Nuanxin's schema migrations. One file per change, named
//! `mYYYYMMDD_HHMMSS_<verb>_<noun>.rs`; a landed file is never edited.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_create_registry;
mod m20261129_000002_create_allowances;
mod m20261201_000001_create_subjects;
mod m20261201_000002_scrub_birth_dates;
mod m20261201_000003_guard_rosters_and_logs;
mod m20261201_000004_add_job_heartbeat;
mod m20261201_000005_create_bank_account_history;
mod m20261201_000006_create_member_facts;
mod m20261202_000001_create_care_work;
mod m20261202_000002_add_partner_credentials;
mod m20261202_000003_create_consents;
mod m20261202_000004_create_green_channel_cards;
mod m20261202_000005_create_insurance;
mod m20261202_000006_create_operation_allow_list;
mod m20261202_000007_create_webhooks;
mod m20261202_000008_index_links_by_family;
mod m20261202_000009_create_roster_history;
mod m20261202_000010_create_family_import;
mod m20261202_000011_add_status_effective_on;
mod m20261202_000012_create_bank_files;
mod m20261202_000013_create_wechat_bindings;
mod m20261202_000014_create_family_requests;
mod m20261203_000015_create_emergency_calls;
mod m20261204_000016_add_phone_index;
mod m20261204_000017_create_mini_programs;
mod m20261204_000018_create_notices;
mod m20261204_000019_one_open_call_per_family;
mod m20261204_000020_create_roster_totals;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_registry::Migration),
            Box::new(m20261129_000002_create_allowances::Migration),
            Box::new(m20261201_000001_create_subjects::Migration),
            Box::new(m20261201_000002_scrub_birth_dates::Migration),
            Box::new(m20261201_000003_guard_rosters_and_logs::Migration),
            Box::new(m20261201_000004_add_job_heartbeat::Migration),
            Box::new(m20261201_000005_create_bank_account_history::Migration),
            Box::new(m20261201_000006_create_member_facts::Migration),
            Box::new(m20261202_000001_create_care_work::Migration),
            Box::new(m20261202_000002_add_partner_credentials::Migration),
            Box::new(m20261202_000003_create_consents::Migration),
            Box::new(m20261202_000004_create_green_channel_cards::Migration),
            Box::new(m20261202_000005_create_insurance::Migration),
            Box::new(m20261202_000006_create_operation_allow_list::Migration),
            Box::new(m20261202_000007_create_webhooks::Migration),
            Box::new(m20261202_000008_index_links_by_family::Migration),
            Box::new(m20261202_000009_create_roster_history::Migration),
            Box::new(m20261202_000010_create_family_import::Migration),
            Box::new(m20261202_000011_add_status_effective_on::Migration),
            Box::new(m20261202_000012_create_bank_files::Migration),
            Box::new(m20261202_000013_create_wechat_bindings::Migration),
            Box::new(m20261202_000014_create_family_requests::Migration),
            Box::new(m20261203_000015_create_emergency_calls::Migration),
            Box::new(m20261204_000016_add_phone_index::Migration),
            Box::new(m20261204_000017_create_mini_programs::Migration),
            Box::new(m20261204_000018_create_notices::Migration),
            Box::new(m20261204_000019_one_open_call_per_family::Migration),
            Box::new(m20261204_000020_create_roster_totals::Migration),
        ]
    }
}
