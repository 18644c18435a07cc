//! Emergency calls (紧急呼叫): the button, the subscription that carries a call to those on
//! the ladder, acknowledging and closing, and a device's credential.

pub mod objects;
pub mod roots;
pub mod subscription;
