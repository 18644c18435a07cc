//! Partner organisations in the API: the city files organisations and apps, issues and
//! rotates client secrets, and disables them.

pub mod objects;
pub mod roots;
