//! Partner organisations (合作单位) and their apps: how an app proves who it is (OAuth 2.0
//! client credentials), and the checks on what a city admin files about them.

pub mod oauth;
