//! Administrative division codes (行政区划代码) and the region tree.
//!
//! City (市) → county/district (县/市/区, 6 digits) → township/street (乡镇/街道, 9 digits)
//! → village/community (村/居/社区, 12 digits). Province and city codes are 6 digits too,
//! with trailing zeros (`410000`, `411000`). Codes get re-issued when divisions change,
//! so a [`Region`] carries a validity period.

use std::fmt;

use chrono::NaiveDate;
use nuanxin_locale::{Arg, Localised, Message, localised_error, msg};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum RegionLevel {
    Province,
    City,
    County,
    Township,
    Village,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
            RegionLevel::County => "county",
            RegionLevel::Township => "township",
            RegionLevel::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "province" => RegionLevel::Province,
            "city" => RegionLevel::City,
            "county" => RegionLevel::County,
            "township" => RegionLevel::Township,
            "village" => RegionLevel::Village,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionCodeError {
    Length(usize),
    NotDigits,
    NoProvince(String),
}

impl Localised for RegionCodeError {
    fn message(&self) -> Message {
        match self {
            RegionCodeError::Length(found) => msg!("region-code-length", found = *found),
            RegionCodeError::NotDigits => msg!("region-code-digits"),
            RegionCodeError::NoProvince(code) => msg!("region-code-province", code = code.as_str()),
        }
    }
}
localised_error!(RegionCodeError);

impl From<&RegionCode> for Arg {
    fn from(code: &RegionCode) -> Self {
        Arg::Text(code.0.clone())
    }
}

impl From<RegionCode> for Arg {
    fn from(code: RegionCode) -> Self {
        Arg::Text(code.0)
    }
}

/// A national administrative division code at one of the levels above.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(input: &str) -> Result<Self, RegionCodeError> {
        let s = input.trim();
        if !matches!(s.len(), 6 | 9 | 12) {
            return Err(RegionCodeError::Length(s.chars().count()));
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError::NotDigits);
        }
        if &s[..2] == "00" {
            return Err(RegionCodeError::NoProvince(s.to_owned()));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        match self.0.len() {
            12 => RegionLevel::Village,
            9 => RegionLevel::Township,
            _ if &self.0[2..] == "0000" => RegionLevel::Province,
            _ if &self.0[4..] == "00" => RegionLevel::City,
            _ => RegionLevel::County,
        }
    }

    /// The significant prefix: the digits shared by every code within this region.
    pub fn prefix(&self) -> &str {
        match self.level() {
            RegionLevel::Province => &self.0[..2],
            RegionLevel::City => &self.0[..4],
            _ => &self.0,
        }
    }

    /// The enclosing region, if any (a province has none).
    pub fn parent(&self) -> Option<RegionCode> {
        let parent = match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::City => format!("{}0000", &self.0[..2]),
            RegionLevel::County => format!("{}00", &self.0[..4]),
            RegionLevel::Township => self.0[..6].to_owned(),
            RegionLevel::Village => self.0[..9].to_owned(),
        };
        Some(RegionCode(parent))
    }

    /// True when `self` is `other` or lies inside it.
    pub fn is_within(&self, other: &RegionCode) -> bool {
        self.level() >= other.level() && self.0.starts_with(other.prefix())
    }

    /// The ancestor (or self) at `level`, when self is at that level or below.
    pub fn ancestor_at(&self, level: RegionLevel) -> Option<RegionCode> {
        let mut cur = Some(self.clone());
        while let Some(c) = cur {
            if c.level() == level {
                return Some(c);
            }
            if c.level() < level {
                return None;
            }
            cur = c.parent();
        }
        None
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.0)
    }
}

/// A named region with the period its code was valid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub valid_from: NaiveDate,
    /// `None` while the code is current.
    pub valid_to: Option<NaiveDate>,
}

impl Region {
    pub fn is_valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day < to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("valid code")
    }

    #[test]
    fn levels() {
        assert_eq!(rc("410000").level(), RegionLevel::Province);
        assert_eq!(rc("411000").level(), RegionLevel::City);
        assert_eq!(rc("411002").level(), RegionLevel::County);
        assert_eq!(rc("411002001").level(), RegionLevel::Township);
        assert_eq!(rc("411002001001").level(), RegionLevel::Village);
    }

    #[test]
    fn parents() {
        assert_eq!(rc("411002001001").parent(), Some(rc("411002001")));
        assert_eq!(rc("411002001").parent(), Some(rc("411002")));
        assert_eq!(rc("411002").parent(), Some(rc("411000")));
        assert_eq!(rc("411000").parent(), Some(rc("410000")));
        assert_eq!(rc("410000").parent(), None);
    }

    #[test]
    fn within() {
        let village = rc("411002001001");
        assert!(village.is_within(&rc("411002001")));
        assert!(village.is_within(&rc("411002")));
        assert!(village.is_within(&rc("411000")));
        assert!(village.is_within(&village));
        assert!(!village.is_within(&rc("411024")));
        assert!(!village.is_within(&rc("411002002")));
        assert!(!rc("411002").is_within(&village));
        // A sibling county is not within another county.
        assert!(!rc("411003").is_within(&rc("411002")));
        assert!(rc("411003").is_within(&rc("411000")));
        assert!(!rc("421003").is_within(&rc("411000")));
    }

    #[test]
    fn ancestors() {
        let v = rc("411002001001");
        assert_eq!(v.ancestor_at(RegionLevel::County), Some(rc("411002")));
        assert_eq!(v.ancestor_at(RegionLevel::City), Some(rc("411000")));
        assert_eq!(rc("411002").ancestor_at(RegionLevel::Village), None);
    }

    #[test]
    fn rejects_bad_codes() {
        assert_eq!(RegionCode::parse("4110"), Err(RegionCodeError::Length(4)));
        assert_eq!(RegionCode::parse("41100a"), Err(RegionCodeError::NotDigits));
        assert!(matches!(
            RegionCode::parse("001002"),
            Err(RegionCodeError::NoProvince(_))
        ));
    }

    #[test]
    fn validity_period() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        let r = Region {
            code: rc("411023"),
            name: "许昌县".into(),
            valid_from: d(1988, 1, 1),
            valid_to: Some(d(2017, 1, 1)),
        };
        assert!(r.is_valid_on(d(2000, 5, 1)));
        assert!(!r.is_valid_on(d(2017, 1, 1)));
    }
}
