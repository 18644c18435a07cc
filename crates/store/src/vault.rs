//! The PII vault: AES-256-GCM encryption at rest with key ids (for rotation) and a keyed
//! HMAC-SHA-256 blind index for exact-match lookup without decrypting every row.
//!
//! Envelope: `v2:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`. The field name *and the row*
//! (the member's id) are bound as associated data, so a phone ciphertext cannot be passed
//! off as an ID number, nor one person's ID number copied onto another's row: it no longer
//! decrypts there. `v1` envelopes (field only) are read once more by [`Vault::open_legacy`]
//! to be sealed again as `v2` when the store migrates, and refused everywhere else.

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;
use uuid::Uuid;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum VaultError {
    #[error("vault key {0:?} must be 32 bytes (base64 of 32 random bytes)")]
    BadKey(String),
    #[error("no vault key with id {0:?} is configured; was a retired key removed too early?")]
    UnknownKey(String),
    #[error("an encrypted value is damaged or was encrypted for another field")]
    Damaged,
    #[error("the vault needs at least one encryption key")]
    NoKeys,
    #[error("the system random number generator failed")]
    Random,
}

/// The associated data of a value: its field and its row.
fn bound(field: &str, row: Uuid) -> Vec<u8> {
    let mut aad = Vec::with_capacity(field.len() + 17);
    aad.extend_from_slice(field.as_bytes());
    aad.push(0);
    aad.extend_from_slice(row.as_bytes());
    aad
}

/// Keys as configured: encryption keys by id (the first is current) and the index key.
#[derive(Clone)]
pub struct VaultKeys {
    pub encryption: Vec<(String, [u8; 32])>,
    pub index: [u8; 32],
}

impl VaultKeys {
    /// Fresh random keys, for a first run on SQLite and for tests.
    pub fn generate(kid: &str) -> Result<Self, VaultError> {
        let mut enc = [0u8; 32];
        let mut index = [0u8; 32];
        getrandom::fill(&mut enc).map_err(|_| VaultError::Random)?;
        getrandom::fill(&mut index).map_err(|_| VaultError::Random)?;
        Ok(Self {
            encryption: vec![(kid.to_owned(), enc)],
            index,
        })
    }

    /// Parses `kid:base64key` pairs (comma-separated, current first) and a base64 index key.
    pub fn parse(encryption: &str, index: &str) -> Result<Self, VaultError> {
        let mut keys = Vec::new();
        for pair in encryption
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (kid, b64) = pair
                .split_once(':')
                .ok_or_else(|| VaultError::BadKey(pair.chars().take(8).collect()))?;
            keys.push((kid.to_owned(), decode_key(kid, b64)?));
        }
        if keys.is_empty() {
            return Err(VaultError::NoKeys);
        }
        Ok(Self {
            encryption: keys,
            index: decode_key("index", index)?,
        })
    }

    pub fn encode_key(key: &[u8; 32]) -> String {
        B64.encode(key)
    }
}

fn decode_key(kid: &str, b64: &str) -> Result<[u8; 32], VaultError> {
    B64.decode(b64.trim())
        .ok()
        .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
        .ok_or_else(|| VaultError::BadKey(kid.to_owned()))
}

pub struct Vault {
    current: String,
    ciphers: BTreeMap<String, Aes256Gcm>,
    index_key: [u8; 32],
}

impl Vault {
    pub fn new(keys: &VaultKeys) -> Result<Self, VaultError> {
        let (current, _) = keys.encryption.first().ok_or(VaultError::NoKeys)?;
        let mut ciphers = BTreeMap::new();
        for (kid, key) in &keys.encryption {
            let cipher =
                Aes256Gcm::new_from_slice(key).map_err(|_| VaultError::BadKey(kid.clone()))?;
            ciphers.insert(kid.clone(), cipher);
        }
        Ok(Self {
            current: current.clone(),
            ciphers,
            index_key: keys.index,
        })
    }

    pub fn current_key_id(&self) -> &str {
        &self.current
    }

    pub fn encrypt(&self, field: &str, row: Uuid, clear: &str) -> Result<String, VaultError> {
        self.seal("v2", &bound(field, row), clear)
    }

    /// A `v1` envelope (field only): what earlier versions wrote, for the tests of the
    /// upgrade path.
    pub fn encrypt_legacy(&self, field: &str, clear: &str) -> Result<String, VaultError> {
        self.seal("v1", field.as_bytes(), clear)
    }

    fn seal(&self, version: &str, aad: &[u8], clear: &str) -> Result<String, VaultError> {
        let cipher = self
            .ciphers
            .get(&self.current)
            .ok_or_else(|| VaultError::UnknownKey(self.current.clone()))?;
        let mut nonce_bytes = [0u8; 12];
        getrandom::fill(&mut nonce_bytes).map_err(|_| VaultError::Random)?;
        let nonce = Nonce::from(nonce_bytes);
        let ct = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: clear.as_bytes(),
                    aad,
                },
            )
            .map_err(|_| VaultError::Damaged)?;
        let mut blob = Vec::with_capacity(12 + ct.len());
        blob.extend_from_slice(&nonce_bytes);
        blob.extend_from_slice(&ct);
        Ok(format!("{version}:{}:{}", self.current, B64.encode(blob)))
    }

    /// The clear value of `field` on `row`; an envelope sealed for another field or row is
    /// `Damaged`.
    pub fn decrypt(&self, field: &str, row: Uuid, envelope: &str) -> Result<String, VaultError> {
        self.open("v2", &bound(field, row), envelope)
    }

    /// Reads a `v1` envelope (field only), to seal it again for its row; nothing else reads
    /// them.
    pub fn open_legacy(&self, field: &str, envelope: &str) -> Result<String, VaultError> {
        self.open("v1", field.as_bytes(), envelope)
    }

    fn open(&self, version: &str, aad: &[u8], envelope: &str) -> Result<String, VaultError> {
        let mut parts = envelope.splitn(3, ':');
        let (Some(v), Some(kid), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(VaultError::Damaged);
        };
        if v != version {
            return Err(VaultError::Damaged);
        }
        let cipher = self
            .ciphers
            .get(kid)
            .ok_or_else(|| VaultError::UnknownKey(kid.to_owned()))?;
        let blob = B64.decode(body).map_err(|_| VaultError::Damaged)?;
        if blob.len() < 12 + 16 {
            return Err(VaultError::Damaged);
        }
        let (nonce_bytes, ct) = blob.split_at(12);
        let nonce_arr: [u8; 12] = nonce_bytes.try_into().map_err(|_| VaultError::Damaged)?;
        let clear = cipher
            .decrypt(&Nonce::from(nonce_arr), Payload { msg: ct, aad })
            .map_err(|_| VaultError::Damaged)?;
        String::from_utf8(clear).map_err(|_| VaultError::Damaged)
    }

    /// Deterministic keyed digest of a clear value for `field`, hex-encoded.
    pub fn blind_index(&self, field: &str, clear: &str) -> String {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.index_key)
            .expect("HMAC accepts a key of any length");
        mac.update(field.as_bytes());
        mac.update(&[0]);
        mac.update(clear.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_field_and_row_binding() {
        let vault = Vault::new(&VaultKeys::generate("k1").expect("keys")).expect("vault");
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let env = vault
            .encrypt("idNumber", alice, "11010519491231002X")
            .expect("enc");
        assert!(env.starts_with("v2:k1:"));
        assert!(!env.contains("19491231"));
        assert_eq!(
            vault.decrypt("idNumber", alice, &env).expect("dec"),
            "11010519491231002X"
        );
        assert_eq!(
            vault.decrypt("phone", alice, &env),
            Err(VaultError::Damaged)
        );
        assert_eq!(
            vault.decrypt("idNumber", bob, &env),
            Err(VaultError::Damaged),
            "copied onto another person's row, it does not decrypt"
        );
        // A fresh nonce each time.
        assert_ne!(
            env,
            vault
                .encrypt("idNumber", alice, "11010519491231002X")
                .expect("enc")
        );
    }

    #[test]
    fn legacy_envelopes_are_read_only_to_be_sealed_again() {
        let vault = Vault::new(&VaultKeys::generate("k1").expect("keys")).expect("vault");
        let old = vault.encrypt_legacy("phone", "13800001234").expect("enc");
        assert!(old.starts_with("v1:"));
        assert_eq!(
            vault.decrypt("phone", Uuid::nil(), &old),
            Err(VaultError::Damaged)
        );
        assert_eq!(
            vault.open_legacy("phone", &old).expect("legacy"),
            "13800001234"
        );
        let new = vault
            .encrypt("phone", Uuid::nil(), "13800001234")
            .expect("enc");
        assert_eq!(vault.open_legacy("phone", &new), Err(VaultError::Damaged));
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let old = VaultKeys::generate("k1").expect("keys");
        let old_vault = Vault::new(&old).expect("vault");
        let env = old_vault
            .encrypt("phone", Uuid::nil(), "13800001234")
            .expect("enc");
        let mut rotated = VaultKeys::generate("k2").expect("keys");
        rotated.encryption.push(old.encryption[0].clone());
        rotated.index = old.index;
        let vault = Vault::new(&rotated).expect("vault");
        assert_eq!(
            vault.decrypt("phone", Uuid::nil(), &env).expect("dec"),
            "13800001234"
        );
        assert!(
            vault
                .encrypt("phone", Uuid::nil(), "1")
                .expect("enc")
                .starts_with("v2:k2:")
        );
        assert_eq!(
            vault.blind_index("phone", "1"),
            old_vault.blind_index("phone", "1")
        );
    }

    #[test]
    fn parse_keys() {
        let k = VaultKeys::generate("a").expect("keys");
        let text = format!("a:{}", VaultKeys::encode_key(&k.encryption[0].1));
        let parsed = VaultKeys::parse(&text, &VaultKeys::encode_key(&k.index)).expect("parse");
        assert_eq!(parsed.encryption[0].0, "a");
        assert!(matches!(
            VaultKeys::parse("a:short", "x"),
            Err(VaultError::BadKey(_))
        ));
        assert_eq!(VaultKeys::parse("", "x").err(), Some(VaultError::NoKeys));
    }
}
