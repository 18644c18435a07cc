//! WeChat's answers, read without a network: every endpoint answers JSON with `errcode`
//! (0 or absent when all is well) and `errmsg`. The session key of code-to-session is never
//! even deserialised: what is not read cannot leak.

use serde::Deserialize;

use crate::error::WeChatError;

/// Who WeChat says signed in: the user's id within this mini-program, and across the
/// platform's apps when the account is linked to an open platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeChatUser {
    pub openid: String,
    pub unionid: Option<String>,
}

/// An access token for server-side calls, valid `expires_in` seconds (7,200 today).
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: i64,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IssuedToken(…, expires_in: {})", self.expires_in)
    }
}

#[derive(Deserialize)]
struct Session {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    openid: Option<String>,
    unionid: Option<String>,
}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    access_token: Option<String>,
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct PhoneInfo {
    #[serde(rename = "purePhoneNumber")]
    pure_phone_number: String,
    #[serde(rename = "countryCode")]
    country_code: String,
}

#[derive(Deserialize)]
struct Phone {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    phone_info: Option<PhoneInfo>,
}

#[derive(Deserialize)]
struct Plain {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

fn unreadable() -> WeChatError {
    WeChatError::Unavailable("an answer that is not WeChat's JSON".into())
}

/// WeChat's error code as ours.
pub fn refusal(errcode: i64, errmsg: &str) -> WeChatError {
    match errcode {
        40029 => WeChatError::InvalidCode,
        40163 => WeChatError::CodeUsed,
        45011 => WeChatError::RateLimited,
        40226 => WeChatError::RiskyUser,
        43101 => WeChatError::NotAccepted,
        -1 => WeChatError::Unavailable("WeChat is busy (errcode -1)".into()),
        _ => WeChatError::Refused {
            errcode,
            errmsg: errmsg.chars().take(200).collect(),
        },
    }
}

/// The access token was refused as expired or not the latest (40001, 40014, 42001): fetch
/// a new one and try once more.
pub fn token_expired(err: &WeChatError) -> bool {
    matches!(
        err,
        WeChatError::Refused {
            errcode: 40001 | 40014 | 42001,
            ..
        }
    )
}

fn plausible_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic())
}

/// The answer of `GET /sns/jscode2session`.
pub fn session(body: &[u8]) -> Result<WeChatUser, WeChatError> {
    let s: Session = serde_json::from_slice(body).map_err(|_| unreadable())?;
    if s.errcode != 0 {
        return Err(refusal(s.errcode, &s.errmsg));
    }
    match s.openid {
        Some(openid) if plausible_id(&openid) => Ok(WeChatUser {
            openid,
            unionid: s.unionid.filter(|u| plausible_id(u)),
        }),
        _ => Err(unreadable()),
    }
}

/// The answer of `GET /cgi-bin/token`.
pub fn access_token(body: &[u8]) -> Result<IssuedToken, WeChatError> {
    let t: Token = serde_json::from_slice(body).map_err(|_| unreadable())?;
    if t.errcode != 0 {
        return Err(refusal(t.errcode, &t.errmsg));
    }
    match (t.access_token, t.expires_in) {
        (Some(token), Some(expires_in)) if !token.is_empty() && expires_in > 0 => {
            Ok(IssuedToken { token, expires_in })
        }
        _ => Err(unreadable()),
    }
}

/// The answer of `POST /wxa/business/getuserphonenumber`: the number without its country
/// code, for a mainland number (+86) only; a foreign number is no number on our files.
pub fn phone_number(body: &[u8]) -> Result<Option<String>, WeChatError> {
    let p: Phone = serde_json::from_slice(body).map_err(|_| unreadable())?;
    if p.errcode != 0 {
        return Err(refusal(p.errcode, &p.errmsg));
    }
    let info = p.phone_info.ok_or_else(unreadable)?;
    Ok((info.country_code == "86").then_some(info.pure_phone_number))
}

/// The answer of `POST /cgi-bin/message/subscribe/send`.
pub fn sent(body: &[u8]) -> Result<(), WeChatError> {
    let p: Plain = serde_json::from_slice(body).map_err(|_| unreadable())?;
    if p.errcode != 0 {
        return Err(refusal(p.errcode, &p.errmsg));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_gives_the_user_and_drops_the_key() {
        let user = session(br#"{"openid":"o1","session_key":"SECRET","unionid":"u1"}"#);
        assert_eq!(
            user,
            Ok(WeChatUser {
                openid: "o1".into(),
                unionid: Some("u1".into())
            })
        );
        assert!(!format!("{user:?}").contains("SECRET"));
        let no_union = session(br#"{"openid":"o1","session_key":"k"}"#);
        assert_eq!(no_union.map(|u| u.unionid), Ok(None));
    }

    #[test]
    fn wechat_error_codes_become_ours() {
        let of = |code: i64| session(format!(r#"{{"errcode":{code},"errmsg":"x"}}"#).as_bytes());
        assert_eq!(of(40029), Err(WeChatError::InvalidCode));
        assert_eq!(of(40163), Err(WeChatError::CodeUsed));
        assert_eq!(of(45011), Err(WeChatError::RateLimited));
        assert_eq!(of(40226), Err(WeChatError::RiskyUser));
        assert!(matches!(of(-1), Err(WeChatError::Unavailable(_))));
        assert!(matches!(
            of(40125),
            Err(WeChatError::Refused { errcode: 40125, .. })
        ));
    }

    #[test]
    fn an_answer_that_is_not_wechats_is_an_outage() {
        for body in [&b"<html>502</html>"[..], b"{}", br#"{"openid":""}"#] {
            assert!(matches!(session(body), Err(WeChatError::Unavailable(_))));
        }
        assert!(matches!(
            access_token(br#"{"access_token":"t"}"#),
            Err(WeChatError::Unavailable(_))
        ));
    }

    #[test]
    fn tokens_phones_and_sends_are_read() {
        let t = access_token(br#"{"access_token":"tok-secret","expires_in":7200}"#);
        assert_eq!(t.as_ref().map(|t| t.expires_in), Ok(7200));
        assert!(!format!("{t:?}").contains("tok-secret"));
        let mainland = br#"{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"13800001111","purePhoneNumber":"13800001111","countryCode":"86"}}"#;
        assert_eq!(phone_number(mainland), Ok(Some("13800001111".into())));
        let abroad = br#"{"errcode":0,"phone_info":{"phoneNumber":"+1 555","purePhoneNumber":"555","countryCode":"1"}}"#;
        assert_eq!(phone_number(abroad), Ok(None));
        assert_eq!(sent(br#"{"errcode":0,"errmsg":"ok"}"#), Ok(()));
        assert_eq!(
            sent(br#"{"errcode":43101,"errmsg":"user refuse to accept the msg"}"#),
            Err(WeChatError::NotAccepted)
        );
        assert!(token_expired(&refusal(42001, "access_token expired")));
        assert!(!token_expired(&refusal(40029, "")));
    }
}
