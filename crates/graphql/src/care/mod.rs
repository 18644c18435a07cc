//! Care work in the API: the catalogue, care records, cases, pairings, campaigns, health,
//! counselling, the community, a family's timeline and the accountability views.

pub mod inputs;
pub mod objects;
pub mod roots;
pub mod views;
