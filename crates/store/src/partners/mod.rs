//! Partner organisations in the store: organisations, their apps and the apps' client
//! credentials (secret hashes only), managed by the city; the client-credentials check of
//! the token endpoint.

mod apps;
mod consent;
mod green_channel;
mod insurance;

pub use apps::{AppRecord, ClientRefusal, OrganisationRecord, SecretRecord};
pub use consent::ConsentRecord;
pub use green_channel::{CardRecord, GreenChannelCheck};
pub use insurance::{ClaimRecord, EnrolmentEntry, PolicyRecord};
