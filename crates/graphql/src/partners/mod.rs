//! Partner organisations in the API: the city files organisations and apps, issues and
//! rotates client secrets, and disables them, and keeps each app's allow-list of operations.

pub mod objects;
pub mod operations;
pub mod roots;
