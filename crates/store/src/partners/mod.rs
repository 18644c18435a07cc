//! Partner organisations in the store: organisations, their apps and the apps' client
//! credentials (secret hashes only), managed by the city; the client-credentials check of
//! the token endpoint; each app's allow-list of operations; webhooks for their events.

mod apps;
mod consent;
mod green_channel;
mod insurance;
mod mini_programs;
mod operations;
mod webhooks;

pub use apps::{AppRecord, ClientRefusal, OrganisationRecord, SecretRecord};
pub use consent::ConsentRecord;
pub use green_channel::{CardRecord, GreenChannelCheck};
pub use insurance::{ClaimRecord, EnrolmentEntry, PolicyRecord};
pub use mini_programs::MiniProgramRecord;
pub use operations::{MAX_OPERATIONS_PER_APP, NewOperation, OperationRecord};
pub use webhooks::{
    AttemptOutcome, DeliveryRecord, DeliveryState, DueDelivery, EndpointRecord, RetryPolicy,
};
