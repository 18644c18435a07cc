//! Tokens and secrets for Nuanxin: short-lived access JWTs (one pinned algorithm, key ids
//! for rotation, every registered claim required), argon2id password hashes and opaque
//! refresh tokens that are stored only as SHA-256 digests.

mod jwt;
mod secrets;
mod signing;
mod throttle;

pub use jwt::{AccessToken, AuthError, Claims, JwtKeys, TokenService, TokenSettings};
pub use secrets::{
    PasswordError, hash_client_secret, hash_password, hash_refresh_token, new_binding_code,
    new_client_id, new_client_secret, new_refresh_token, sha256_hex, verify_password,
};
pub use signing::webhook_signature;
pub use throttle::{
    KeyedLimit, LoginThrottle, RefusalBudget, ThrottleSettings, Throttled, max_concurrent_hashes,
};
