//! Access tokens. HS256 only: the header's `alg` is never trusted to pick the algorithm,
//! so `alg: none` or an RS/HS confusion is refused. `kid` selects among configured keys,
//! the first of which signs; older ones only verify, which is how keys rotate.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use nuanxin_domain::principal::{SubjectKind, TokenRef};
use nuanxin_domain::{PartnerKind, Principal, RegionCode, StaffRole, Subject};
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
    /// Which kind of subject `sub` is (`staff`, `partner`, `family_member`, `volunteer`);
    /// a kind this server does not know is refused.
    pub kind: String,
    /// Staff: the role (`city_admin`, …); partners: the organisation's kind (`insurer`, …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub role: String,
    /// Staff: the home region code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// Partners: the organisation; family members: the family.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub org: String,
    /// Username or app name, for logs and the access log.
    #[serde(default)]
    pub name: String,
    /// Family members and volunteers: the mini-program (WeChat app id) signed in through.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub app: String,
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
        self.issue_through(principal, None)
    }

    /// A token for a family member or volunteer signed in through the mini-program `app`
    /// (its WeChat app id): its requests run only that mini-program's registered operations.
    pub fn issue_through(
        &self,
        principal: &Principal,
        app: Option<&str>,
    ) -> Result<AccessToken, AuthError> {
        let (kid, secret) = self.keys.0.first().ok_or(AuthError::NoKeys)?;
        let now = Utc::now();
        let exp = now + self.settings.access_ttl;
        let kind = principal.kind().ok_or(AuthError::Invalid)?;
        let (role, region, org) = match &principal.subject {
            Subject::Staff {
                role, home_region, ..
            } => (
                role.as_str().to_owned(),
                home_region.to_string(),
                String::new(),
            ),
            Subject::Partner {
                organisation, kind, ..
            } => (
                kind.as_str().to_owned(),
                String::new(),
                organisation.to_string(),
            ),
            Subject::FamilyMember { family, .. } => {
                (String::new(), String::new(), family.to_string())
            }
            Subject::Volunteer { .. } => (String::new(), String::new(), String::new()),
            Subject::Anonymous | Subject::System { .. } => return Err(AuthError::Invalid),
        };
        let claims = Claims {
            sub: principal.actor_id().to_string(),
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            exp: exp.timestamp(),
            nbf: now.timestamp(),
            iat: now.timestamp(),
            jti: Uuid::new_v4().to_string(),
            kind: kind.as_str().to_owned(),
            role,
            region,
            org,
            name: principal.actor_name(),
            app: app.unwrap_or_default().to_owned(),
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
        let mut principal = Principal::of(subject_of(&c)?);
        principal.token = Some(TokenRef {
            id: c.jti,
            expires_at: DateTime::from_timestamp(c.exp, 0).ok_or(AuthError::Invalid)?,
            app: Some(c.app).filter(|a| !a.is_empty()),
        });
        Ok(principal)
    }
}

/// The subject a token speaks for, as the token says; the edge then re-checks the account.
fn subject_of(c: &Claims) -> Result<Subject, AuthError> {
    let id = |s: &str| Uuid::parse_str(s).map_err(|_| AuthError::Invalid);
    let sub = id(&c.sub)?;
    Ok(
        match SubjectKind::parse(&c.kind).ok_or(AuthError::Invalid)? {
            SubjectKind::Staff => Subject::Staff {
                user: sub,
                username: c.name.clone(),
                role: StaffRole::parse(&c.role).ok_or(AuthError::Invalid)?,
                home_region: RegionCode::parse(&c.region).map_err(|_| AuthError::Invalid)?,
            },
            SubjectKind::Partner => Subject::Partner {
                organisation: id(&c.org)?,
                kind: PartnerKind::parse(&c.role).ok_or(AuthError::Invalid)?,
                app: sub,
                name: c.name.clone(),
            },
            SubjectKind::FamilyMember => Subject::FamilyMember {
                family: id(&c.org)?,
                member: sub,
            },
            SubjectKind::Volunteer => Subject::Volunteer { volunteer: sub },
        },
    )
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
        let back = svc.verify(&t.token).expect("verify");
        assert_eq!(back.subject, p.subject);
        assert!(back.token.is_some());
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
    fn every_subject_kind_round_trips_and_unknown_kinds_are_refused() {
        let svc = service();
        let subjects = [
            Subject::Partner {
                organisation: Uuid::now_v7(),
                kind: PartnerKind::Hospital,
                app: Uuid::now_v7(),
                name: "hospital app".into(),
            },
            Subject::FamilyMember {
                family: Uuid::now_v7(),
                member: Uuid::now_v7(),
            },
            Subject::Volunteer {
                volunteer: Uuid::now_v7(),
            },
        ];
        for s in subjects {
            let t = svc.issue(&Principal::of(s.clone())).expect("issue").token;
            assert_eq!(svc.verify(&t).expect("verify").subject, s);
        }
        // The system and anonymous never get a token.
        assert!(svc.issue(&Principal::system("cli")).is_err());
        assert!(svc.issue(&Principal::anonymous()).is_err());
        // A token of a kind this server does not know, signed with the right key: refused.
        let (kid, secret) = svc.keys.0[0].clone();
        let mut claims = Claims {
            sub: Uuid::now_v7().to_string(),
            iss: "nuanxin".into(),
            aud: "nuanxin-api".into(),
            exp: (Utc::now() + Duration::minutes(5)).timestamp(),
            nbf: Utc::now().timestamp(),
            iat: Utc::now().timestamp(),
            jti: "j".into(),
            kind: "robot".into(),
            role: "city_admin".into(),
            region: "411000".into(),
            org: String::new(),
            name: "x".into(),
            app: String::new(),
        };
        let mut header = Header::new(ALG);
        header.kid = Some(kid);
        let key = EncodingKey::from_secret(&secret).expect("key");
        let forged = encode(&header, &claims, &key).expect("encode");
        assert_eq!(svc.verify(&forged).err(), Some(AuthError::Invalid));
        // Control: the same claims as a staff kind verify.
        claims.kind = "staff".into();
        let fine = encode(&header, &claims, &key).expect("encode");
        assert!(svc.verify(&fine).is_ok());
    }

    #[test]
    fn weak_keys_are_refused() {
        assert_eq!(
            JwtKeys::new(vec![("k".into(), b"short".to_vec())]).err(),
            Some(AuthError::WeakKey)
        );
    }
}
