//! The 18-character resident identity number (居民身份证号码, GB 11643-1999).
//!
//! Layout: 6-digit address (region) code, 8-digit birth date `YYYYMMDD`, 3-digit sequence
//! (odd for men, even for women) and one ISO 7064 MOD 11-2 check character (`0`–`9` or `X`).
//! The clear value is sensitive personal information: `Display` and `Debug` print it masked,
//! and only [`IdNumber::expose`] gives it back, so it never reaches a log by accident.

use std::fmt;

use chrono::NaiveDate;
use nuanxin_locale::{Localised, Message, localised_error, msg};

/// Why a string is not a valid resident ID number; each variant names the precise fault
/// so a clerk at the desk knows what to re-check on the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdNumberError {
    Length(usize),
    NotADigit { position: usize },
    BadCheckCharacterSymbol,
    ImpossibleBirthDate(String),
    CheckCharacterMismatch { expected: char, found: char },
}

impl Localised for IdNumberError {
    fn message(&self) -> Message {
        match self {
            IdNumberError::Length(found) => msg!("id-number-length", found = *found),
            IdNumberError::NotADigit { position } => {
                msg!("id-number-not-a-digit", position = *position)
            }
            IdNumberError::BadCheckCharacterSymbol => msg!("id-number-last-character"),
            IdNumberError::ImpossibleBirthDate(date) => {
                msg!("id-number-birth-date", date = date.as_str())
            }
            IdNumberError::CheckCharacterMismatch { expected, found } => msg!(
                "id-number-check-character",
                expected = expected.to_string(),
                found = found.to_string()
            ),
        }
    }
}
localised_error!(IdNumberError);

/// Sex as recorded in the ID number's sequence digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    Male,
    Female,
}

/// A validated resident ID number. Stored uppercase (`x` → `X`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The ISO 7064 MOD 11-2 check character for the first 17 digits.
///
/// # Panics
/// Never: callers pass 17 ASCII digits (checked by [`IdNumber::parse`] and generators).
pub fn check_character(first17: &str) -> char {
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

impl IdNumber {
    /// Parses and validates an ID number; surrounding whitespace is ignored and a lowercase
    /// `x` accepted, as clerks type them.
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        let s = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(IdNumberError::Length(chars.len()));
        }
        if let Some(position) = chars[..17].iter().position(|c| !c.is_ascii_digit()) {
            return Err(IdNumberError::NotADigit {
                position: position + 1,
            });
        }
        let last = chars[17];
        if !(last.is_ascii_digit() || last == 'X') {
            return Err(IdNumberError::BadCheckCharacterSymbol);
        }
        let birth = &s[6..14];
        if parse_birth(birth).is_none() {
            return Err(IdNumberError::ImpossibleBirthDate(format!(
                "{}-{}-{}",
                &birth[..4],
                &birth[4..6],
                &birth[6..]
            )));
        }
        let expected = check_character(&s[..17]);
        if expected != last {
            return Err(IdNumberError::CheckCharacterMismatch {
                expected,
                found: last,
            });
        }
        Ok(Self(s))
    }

    /// Builds a valid ID number from its parts (used by the demo generator and tests).
    pub fn compose(region6: &str, birth: NaiveDate, sequence: u16) -> Result<Self, IdNumberError> {
        let first17 = format!("{region6}{}{:03}", birth.format("%Y%m%d"), sequence % 1000);
        let check = check_character(&first17);
        Self::parse(&format!("{first17}{check}"))
    }

    /// The clear value. Call it only where the policy granted an unmasked read (and the read
    /// is logged), or to encrypt it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Masked form: the first 6 (where it was issued), ten `*`, the last 2
    /// (`411002**********34`). The birth year and month are not secret to anyone who sees
    /// allowances (the amount switches in the month after the 49th birthday), so the mask
    /// must hold against them: with the last 4 shown, year and month left about 3 candidate
    /// numbers (the day, checked by the check character); with the last 2, about 270 (see
    /// [`candidates_for_mask`]).
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.0[..6], &self.0[16..])
    }

    /// The 6-digit address code where the number was issued.
    pub fn region_prefix(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> NaiveDate {
        // Validated in `parse`; the fallback is unreachable.
        parse_birth(&self.0[6..14]).unwrap_or(NaiveDate::MIN)
    }

    pub fn sex(&self) -> Sex {
        let seq = self.0.as_bytes()[16] - b'0';
        if seq % 2 == 1 { Sex::Male } else { Sex::Female }
    }
}

fn parse_birth(s: &str) -> Option<NaiveDate> {
    let y: i32 = s[..4].parse().ok()?;
    let m: u32 = s[4..6].parse().ok()?;
    let d: u32 = s[6..].parse().ok()?;
    if y < 1900 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// How many valid ID numbers fit a mask, given the birth year and month an observer may
/// know: what the tests hold every visible combination of fields against.
pub fn candidates_for_mask(masked: &str, year: i32, month: u32) -> usize {
    let chars: Vec<char> = masked.chars().collect();
    if chars.len() != 18 {
        return 0;
    }
    let prefix: String = chars[..6].iter().collect();
    let mut n = 0;
    for day in 1..=31 {
        let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
            continue;
        };
        for seq in 0..1000u16 {
            let first17 = format!("{prefix}{}{seq:03}", date.format("%Y%m%d"));
            let id: Vec<char> = format!("{first17}{}", check_character(&first17))
                .chars()
                .collect();
            if id.iter().zip(&chars).all(|(c, m)| *m == '*' || c == m) {
                n += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mask_holds_against_the_birth_month() {
        let id = IdNumber::compose(
            "411002",
            NaiveDate::from_ymd_opt(1965, 8, 31).expect("date"),
            123,
        )
        .expect("id");
        let masked = id.masked();
        assert_eq!(masked.chars().filter(|c| *c == '*').count(), 10);
        assert!(masked.starts_with("411002") && masked.ends_with(&id.expose()[16..]));
        let n = candidates_for_mask(&masked, 1965, 8);
        assert!(n >= 100, "{n} candidates");
        // What the old mask (last 4 shown) left: a handful.
        let old = format!("{}********{}", &id.expose()[..6], &id.expose()[14..]);
        assert!(candidates_for_mask(&old, 1965, 8) < 10);
    }

    #[test]
    fn accepts_valid_number_and_derives_birth_and_sex() {
        // Standard example from GB 11643.
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).expect("date")
        );
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.region_prefix(), "110105");
    }

    #[test]
    fn accepts_lowercase_x_and_whitespace() {
        let id = IdNumber::parse(" 11010519491231002x ").expect("valid");
        assert_eq!(id.expose(), "11010519491231002X");
    }

    #[test]
    fn odd_sequence_is_male() {
        let id = IdNumber::compose(
            "411002",
            NaiveDate::from_ymd_opt(1970, 1, 1).expect("d"),
            13,
        )
        .expect("valid");
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn rejects_wrong_check_character() {
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdNumberError::CheckCharacterMismatch {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        // 1970-02-30 does not exist; build it with a correct check character.
        let first17 = "41100219700230001";
        let id = format!("{first17}{}", check_character(first17));
        assert_eq!(
            IdNumber::parse(&id),
            Err(IdNumberError::ImpossibleBirthDate("1970-02-30".into()))
        );
        let first17 = "41100219701301001";
        let id = format!("{first17}{}", check_character(first17));
        assert!(matches!(
            IdNumber::parse(&id),
            Err(IdNumberError::ImpossibleBirthDate(_))
        ));
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(IdNumber::parse("123"), Err(IdNumberError::Length(3)));
        assert_eq!(
            IdNumber::parse("4110021970A101001X"),
            Err(IdNumberError::NotADigit { position: 11 })
        );
        assert_eq!(
            IdNumber::parse("41100219700101001Y"),
            Err(IdNumberError::BadCheckCharacterSymbol)
        );
    }

    #[test]
    fn display_and_debug_are_masked() {
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        assert_eq!(id.to_string(), "110105**********2X");
        assert_eq!(format!("{id:?}"), "IdNumber(110105**********2X)");
        assert!(!format!("{id} {id:?}").contains("19491231"));
    }

    #[test]
    fn leap_day_is_possible_only_in_leap_years() {
        let ok = IdNumber::compose(
            "411002",
            NaiveDate::from_ymd_opt(1972, 2, 29).expect("d"),
            2,
        );
        assert!(ok.is_ok());
        let first17 = "41100219730229002";
        let id = format!("{first17}{}", check_character(first17));
        assert!(matches!(
            IdNumber::parse(&id),
            Err(IdNumberError::ImpossibleBirthDate(_))
        ));
    }
}
