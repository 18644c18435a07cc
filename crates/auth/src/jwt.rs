//! Access tokens. HS256 only: the header's `alg` is never trusted to pick the algorithm,
//! so `alg: none` or an RS/HS confusion is refused. `kid` selects among configured keys,
//! the first of which signs; older ones only verify, which is how keys rotate.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use nuanxin_domain::{Principal, RegionCode, StaffRole};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

const ALG: Algorithm = Algorithm::HS256;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("the access token has expired; refresh it or log in again")]
    Expired,
    #[error("the access token is not valid")]
    Invalid,
    #[error("a signing key must be at least 32 bytes")]
    WeakKey,
    #[error("no JWT signing key is configured")]
    NoKeys,
}

/// Signing keys by id; the first signs, all verify.
#[derive(Clone)]
pub struct JwtKeys(Vec<(String, Vec<u8>)>);

impl JwtKeys {
    pub fn new(keys: Vec<(String, Vec<u8>)>) -> Result<Self, AuthError> {
        if keys.is_empty() {
            return Err(AuthError::NoKeys);
        }
        if keys.iter().any(|(_, k)| k.len() < 32) {
            return Err(AuthError::WeakKey);
        }
        Ok(Self(keys))
    }

    /// A random key, for a first run on SQLite and for tests.
    pub fn generate(kid: &str) -> Result<Self, AuthError> {
        let mut key = vec![0u8; 32];
        getrandom::fill(&mut key).map_err(|_| AuthError::NoKeys)?;
        Self::new(vec![(kid.to_owned(), key)])
    }

    pub fn keys(&self) -> &[(String, Vec<u8>)] {
        &self.0
    }
}

#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    /// Access-token lifetime; capped at 15 minutes.
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            issuer: "nuanxin".into(),
            audience: "nuanxin-api".into(),
            access_ttl: Duration::minutes(15),
            refresh_ttl: Duration::days(14),
        }
    }
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    /// Staff role (`city_admin`, …).
    pub role: String,
    /// Home region code.
    pub region: String,
    /// Username, for logs and the access log.
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct TokenService {
    keys: JwtKeys,
    settings: TokenSettings,
}

impl TokenService {
    pub fn new(keys: JwtKeys, mut settings: TokenSettings) -> Self {
        settings.access_ttl = settings.access_ttl.min(Duration::minutes(15));
        Self { keys, settings }
    }

    pub fn settings(&self) -> &TokenSettings {
        &self.settings
    }

    pub fn issue(&self, principal: &Principal) -> Result<AccessToken, AuthError> {
        let (kid, secret) = self.keys.0.first().ok_or(AuthError::NoKeys)?;
        let now = Utc::now();
        let exp = now + self.settings.access_ttl;
        let role = match principal.audience {
            nuanxin_domain::Audience::Staff(r) => r.as_str(),
            nuanxin_domain::Audience::Anonymous => return Err(AuthError::Invalid),
        };
        let claims = Claims {
            sub: principal.user_id.to_string(),
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            exp: exp.timestamp(),
            nbf: now.timestamp(),
            iat: now.timestamp(),
            jti: Uuid::new_v4().to_string(),
            role: role.to_owned(),
            region: principal
                .home_region
                .as_ref()
                .map(|r| r.to_string())
                .unwrap_or_default(),
            name: principal.username.clone(),
        };
        let mut header = Header::new(ALG);
        header.kid = Some(kid.clone());
        let key = EncodingKey::from_secret(secret).map_err(|_| AuthError::WeakKey)?;
        let token = encode(&header, &claims, &key).map_err(|_| AuthError::Invalid)?;
        Ok(AccessToken {
            token,
            expires_at: exp,
        })
    }

    /// Verifies signature, algorithm, key id and every registered claim, and turns the
    /// token into the caller's principal.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let header = decode_header(token).map_err(|_| AuthError::Invalid)?;
        if header.alg != ALG {
            return Err(AuthError::Invalid);
        }
        let kid = header.kid.ok_or(AuthError::Invalid)?;
        let (_, secret) = self
            .keys
            .0
            .iter()
            .find(|(k, _)| *k == kid)
            .ok_or(AuthError::Invalid)?;
        let mut validation = Validation::new(ALG);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        let key = DecodingKey::from_secret(secret).map_err(|_| AuthError::Invalid)?;
        let data = decode::<Claims>(token, &key, &validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => AuthError::Expired,
            _ => AuthError::Invalid,
        })?;
        let c = data.claims;
        let user_id = Uuid::parse_str(&c.sub).map_err(|_| AuthError::Invalid)?;
        let role = StaffRole::parse(&c.role).ok_or(AuthError::Invalid)?;
        let region = RegionCode::parse(&c.region).map_err(|_| AuthError::Invalid)?;
        Ok(Principal::staff(user_id, c.name, role, region))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn service() -> TokenService {
        TokenService::new(
            JwtKeys::generate("k1").expect("keys"),
            TokenSettings::default(),
        )
    }

    fn principal() -> Principal {
        Principal::staff(
            Uuid::now_v7(),
            "alice",
            StaffRole::CountyAdmin,
            RegionCode::parse("411002").expect("code"),
        )
    }

    #[test]
    fn round_trip() {
        let svc = service();
        let p = principal();
        let t = svc.issue(&p).expect("issue");
        assert_eq!(svc.verify(&t.token).expect("verify"), p);
    }

    #[test]
    fn ttl_is_capped_at_fifteen_minutes() {
        let svc = TokenService::new(
            JwtKeys::generate("k1").expect("keys"),
            TokenSettings {
                access_ttl: Duration::hours(5),
                ..TokenSettings::default()
            },
        );
        let t = svc.issue(&principal()).expect("issue");
        assert!(t.expires_at <= Utc::now() + Duration::minutes(15) + Duration::seconds(1));
    }

    #[test]
    fn alg_none_is_refused() {
        let svc = service();
        let t = svc.issue(&principal()).expect("issue").token;
        let payload = t.split('.').nth(1).expect("payload");
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        assert_eq!(
            svc.verify(&format!("{header}.{payload}.")),
            Err(AuthError::Invalid)
        );
    }

    #[test]
    fn another_key_is_refused_and_rotation_keeps_old_tokens() {
        let old = service();
        let t = old.issue(&principal()).expect("issue").token;
        assert_eq!(service().verify(&t), Err(AuthError::Invalid));
        let mut keys = JwtKeys::generate("k2").expect("keys").0;
        keys.extend(old.keys.0.clone());
        let rotated =
            TokenService::new(JwtKeys::new(keys).expect("keys"), TokenSettings::default());
        assert!(rotated.verify(&t).is_ok());
    }

    #[test]
    fn weak_keys_are_refused() {
        assert_eq!(
            JwtKeys::new(vec![("k".into(), b"short".to_vec())]).err(),
            Some(AuthError::WeakKey)
        );
    }
}
