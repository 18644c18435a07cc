//! Partner organisations in the API: the city files organisations and apps, issues and
//! rotates client secrets, and disables them, keeps each app's allow-list of operations and
//! each organisation's webhooks.

pub mod mini_programs;
pub mod objects;
pub mod operations;
pub mod roots;
pub mod webhooks;
