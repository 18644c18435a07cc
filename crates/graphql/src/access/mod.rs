//! Access: the access log (who read which sensitive value, and why).

pub mod objects;
pub mod roots;
