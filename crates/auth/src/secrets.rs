//! Passwords (argon2id, PHC strings) and refresh tokens (random, stored as SHA-256).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("a password needs at least 10 characters")]
    TooShort,
    #[error("password hashing failed")]
    Hashing,
}

pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < 10 {
        return Err(PasswordError::TooShort);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| PasswordError::Hashing)
}

/// Constant-time check of a password against a stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// A new opaque refresh token (256 random bits).
pub fn new_refresh_token() -> Result<String, PasswordError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| PasswordError::Hashing)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps of a refresh token. A fast hash is right here: the token is
/// 256 random bits, not a guessable password.
pub fn hash_refresh_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A partner app's client id (public, like a username): `nx_` and 96 random bits in hex.
pub fn new_client_id() -> Result<String, PasswordError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|_| PasswordError::Hashing)?;
    Ok(format!(
        "nx_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// A partner app's client secret: 256 random bits, shown once, stored as SHA-256 (a fast
/// hash is right for a random secret, and the token endpoint must not cost a hash thread).
pub fn new_client_secret() -> Result<String, PasswordError> {
    new_refresh_token()
}

/// SHA-256 of a text, hex (request fingerprints for idempotency keys).
pub fn sha256_hex(text: &str) -> String {
    hash_refresh_token(text)
}

pub fn hash_client_secret(secret: &str) -> String {
    hash_refresh_token(secret)
}

/// A fresh one-time binding code (see `nuanxin_domain::access::binding`).
pub fn new_binding_code() -> Result<String, PasswordError> {
    let mut bytes = [0u8; nuanxin_domain::access::binding::LENGTH];
    getrandom::fill(&mut bytes).map_err(|_| PasswordError::Hashing)?;
    Ok(nuanxin_domain::access::binding::from_random(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert_eq!(hash_password("short"), Err(PasswordError::TooShort));
    }

    #[test]
    fn client_credentials_are_random() {
        let id = new_client_id().expect("id");
        assert!(id.starts_with("nx_") && id.len() == 27);
        assert_ne!(
            new_client_secret().expect("s"),
            new_client_secret().expect("s")
        );
        assert_eq!(hash_client_secret("x"), hash_refresh_token("x"));
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = new_refresh_token().expect("token");
        assert_ne!(a, new_refresh_token().expect("token"));
        assert_eq!(hash_refresh_token(&a).len(), 64);
    }
}
