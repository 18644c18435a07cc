//! The OAuth 2.0 client-credentials grant (RFC 6749 §4.4, §2.3.1, §5.2), parsed without I/O:
//! a form-encoded body, the client's credentials in an HTTP Basic header *or* in the body
//! (never both), and the standard error codes an insurer's script can act on.

use thiserror::Error;

/// The error codes of RFC 6749 §5.2 this endpoint answers with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OAuthError {
    /// 400: a parameter is missing, repeated, or credentials came two ways.
    #[error("{0}")]
    InvalidRequest(String),
    /// 401: unknown client, wrong secret, disabled app or organisation.
    #[error("{0}")]
    InvalidClient(String),
    /// 400: only `client_credentials` is offered.
    #[error("only grant_type=client_credentials is supported")]
    UnsupportedGrantType,
    /// 400: a scope was asked for; apps get what the policy grants their kind.
    #[error("scopes are not used: an app gets what its organisation's kind is granted")]
    InvalidScope,
}

impl OAuthError {
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient(_) => "invalid_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::InvalidScope => "invalid_scope",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            OAuthError::InvalidClient(_) => 401,
            _ => 400,
        }
    }
}

/// How the client sent its credentials (a 401 after Basic must say `WWW-Authenticate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsVia {
    Basic,
    Body,
}

/// A well-formed token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub client_id: String,
    pub client_secret: String,
    pub via: CredentialsVia,
}

/// Decodes `application/x-www-form-urlencoded` (`+` is a space, `%XX` a byte).
pub fn parse_form(body: &str) -> Result<Vec<(String, String)>, OAuthError> {
    let bad = || OAuthError::InvalidRequest("the body is not a valid form".into());
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((
                percent_decode(k).ok_or_else(bad)?,
                percent_decode(v).ok_or_else(bad)?,
            ))
        })
        .collect()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Decodes `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn parse_basic(
    header: &str,
    decode_b64: impl Fn(&str) -> Option<Vec<u8>>,
) -> Result<(String, String), OAuthError> {
    let bad = || {
        OAuthError::InvalidClient("the Authorization header is not valid Basic credentials".into())
    };
    let encoded = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))
        .ok_or_else(bad)?;
    let decoded =
        String::from_utf8(decode_b64(encoded.trim()).ok_or_else(bad)?).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    Ok((
        percent_decode(id).ok_or_else(bad)?,
        percent_decode(secret).ok_or_else(bad)?,
    ))
}

/// Checks a token request: the grant type, each parameter at most once, the credentials
/// one way only.
pub fn parse_token_request(
    form: &[(String, String)],
    authorization: Option<&str>,
    decode_b64: impl Fn(&str) -> Option<Vec<u8>>,
) -> Result<TokenRequest, OAuthError> {
    let one = |name: &str| -> Result<Option<&str>, OAuthError> {
        let mut values = form
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(OAuthError::InvalidRequest(format!(
                "{name} is given more than once"
            )));
        }
        Ok(first)
    };
    match one("grant_type")? {
        None => return Err(OAuthError::InvalidRequest("grant_type is missing".into())),
        Some("client_credentials") => {}
        Some(_) => return Err(OAuthError::UnsupportedGrantType),
    }
    if one("scope")?.is_some_and(|s| !s.trim().is_empty()) {
        return Err(OAuthError::InvalidScope);
    }
    let (body_id, body_secret) = (one("client_id")?, one("client_secret")?);
    match authorization {
        Some(h) => {
            if body_secret.is_some() {
                return Err(OAuthError::InvalidRequest(
                    "send the client's credentials one way: the Basic header or the body".into(),
                ));
            }
            let (client_id, client_secret) = parse_basic(h, decode_b64)?;
            if body_id.is_some_and(|b| b != client_id) {
                return Err(OAuthError::InvalidRequest("client_id differs from the Basic header".into()));
            }
            Ok(TokenRequest {
                client_id,
                client_secret,
                via: CredentialsVia::Basic,
            })
        }
        None => match (body_id, body_secret) {
            (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => Ok(TokenRequest {
                client_id: id.to_owned(),
                client_secret: secret.to_owned(),
                via: CredentialsVia::Body,
            }),
            _ => Err(OAuthError::InvalidClient(
                "client authentication is missing: HTTP Basic, or client_id and client_secret in the body".into(),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> Option<Vec<u8>> {
        // A tiny decoder is enough for the tests' fixed inputs.
        match s {
            "YXBwOnMzY3JldA==" => Some(b"app:s3cret".to_vec()),
            "YXBwJTNBeDpzJTNBeQ==" => Some(b"app%3Ax:s%3Ay".to_vec()),
            _ => None,
        }
    }

    fn form(s: &str) -> Vec<(String, String)> {
        parse_form(s).expect("form")
    }

    #[test]
    fn body_and_basic_credentials() {
        let r = parse_token_request(
            &form("grant_type=client_credentials&client_id=app&client_secret=s3cret"),
            None,
            b64,
        )
        .expect("ok");
        assert_eq!((r.client_id.as_str(), r.via), ("app", CredentialsVia::Body));
        let r = parse_token_request(
            &form("grant_type=client_credentials"),
            Some("Basic YXBwOnMzY3JldA=="),
            b64,
        )
        .expect("ok");
        assert_eq!(
            (r.client_id.as_str(), r.client_secret.as_str()),
            ("app", "s3cret")
        );
        // Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1).
        let r = parse_token_request(
            &form("grant_type=client_credentials"),
            Some("Basic YXBwJTNBeDpzJTNBeQ=="),
            b64,
        )
        .expect("ok");
        assert_eq!(
            (r.client_id.as_str(), r.client_secret.as_str()),
            ("app:x", "s:y")
        );
    }

    #[test]
    fn the_standard_errors() {
        let err = |body: &str, auth: Option<&str>| {
            parse_token_request(&form(body), auth, b64)
                .err()
                .map(|e| e.code())
        };
        assert_eq!(
            err("client_id=a&client_secret=b", None),
            Some("invalid_request")
        );
        assert_eq!(
            err("grant_type=password&client_id=a&client_secret=b", None),
            Some("unsupported_grant_type")
        );
        assert_eq!(
            err("grant_type=client_credentials", None),
            Some("invalid_client")
        );
        assert_eq!(
            err(
                "grant_type=client_credentials&client_secret=b",
                Some("Basic YXBwOnMzY3JldA==")
            ),
            Some("invalid_request")
        );
        assert_eq!(
            err(
                "grant_type=client_credentials&grant_type=client_credentials&client_id=a&client_secret=b",
                None
            ),
            Some("invalid_request")
        );
        assert_eq!(
            err("grant_type=client_credentials", Some("Basic !!!")),
            Some("invalid_client")
        );
        assert_eq!(
            err(
                "grant_type=client_credentials&scope=all&client_id=a&client_secret=b",
                None
            ),
            Some("invalid_scope")
        );
        assert_eq!(OAuthError::InvalidClient(String::new()).status(), 401);
    }

    #[test]
    fn forms_decode() {
        assert_eq!(
            form("a=x+y&b=%E6%9A%96&c"),
            vec![
                ("a".into(), "x y".into()),
                ("b".into(), "暖".into()),
                ("c".into(), String::new())
            ]
        );
        assert!(parse_form("a=%ZZ").is_err());
    }
}
