//! Free text as clerks type it: names, addresses, certificate numbers, reasons. Each kind
//! has a length a clerk can act on; control characters (a NUL byte breaks PostgreSQL's
//! text type and forges log lines) and emoji are refused. Parse, don't validate: the
//! functions return the trimmed value or say what is wrong.

use nuanxin_locale::{Localised, Message, localised_error, msg};

/// What is wrong with a piece of text, in words a clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    Empty,
    TooLong { max: usize, found: usize },
    ControlCharacter,
    Emoji,
    NotAName,
}

impl Localised for TextError {
    fn message(&self) -> Message {
        match self {
            TextError::Empty => msg!("text-empty"),
            TextError::TooLong { max, found } => msg!("text-too-long", max = *max, found = *found),
            TextError::ControlCharacter => msg!("text-control-character"),
            TextError::Emoji => msg!("text-emoji"),
            TextError::NotAName => msg!("text-not-a-name"),
        }
    }
}
localised_error!(TextError);

/// A CSV field as RFC 4180 quotes it (commas, quotes and line breaks inside quotes).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Lengths of the free-text fields, in characters.
pub mod limits {
    pub const NAME: usize = 30;
    pub const ADDRESS: usize = 100;
    pub const CERTIFICATE_NO: usize = 32;
    pub const REASON: usize = 200;
    pub const BANK_NAME: usize = 50;
    pub const SEARCH: usize = 30;
}

fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF   // pictographs, emoticons, transport, flags' letters, …
        | 0x2600..=0x27BF   // miscellaneous symbols and dingbats
        | 0x2B00..=0x2BFF   // arrows and stars
        | 0xFE00..=0xFE0F   // variation selectors
        | 0x200D            // zero-width joiner
        | 0xE0000..=0xE007F // tags
    )
}

/// Trimmed text of at most `max` characters, without control characters or emoji; `None`
/// for empty input.
pub fn optional(input: &str, max: usize) -> Result<Option<String>, TextError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let found = t.chars().count();
    if found > max {
        return Err(TextError::TooLong { max, found });
    }
    if t.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter);
    }
    if t.chars().any(is_emoji) {
        return Err(TextError::Emoji);
    }
    Ok(Some(t.to_owned()))
}

/// Like [`optional`], but required.
pub fn required(input: &str, max: usize) -> Result<String, TextError> {
    optional(input, max)?.ok_or(TextError::Empty)
}

/// A person's name: letters (any script) and the middle dot of minority names.
pub fn person_name(input: &str) -> Result<String, TextError> {
    let name = required(input, limits::NAME)?;
    if name
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '·' | '•' | '.' | ' '))
    {
        Ok(name)
    } else {
        Err(TextError::NotAName)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(person_name(" 李秀英 "), Ok("李秀英".into()));
        assert_eq!(person_name("阿依古丽·买买提"), Ok("阿依古丽·买买提".into()));
        assert_eq!(person_name(""), Err(TextError::Empty));
        assert_eq!(person_name("王\u{0}建国"), Err(TextError::ControlCharacter));
        assert_eq!(person_name("王建国😀"), Err(TextError::Emoji));
        assert_eq!(person_name("王建国1"), Err(TextError::NotAName));
        assert!(matches!(
            person_name(&"王".repeat(31)),
            Err(TextError::TooLong { max: 30, found: 31 })
        ));
    }

    #[test]
    fn free_text() {
        assert_eq!(optional("  ", 10), Ok(None));
        assert_eq!(
            optional("河南省许昌市东大街12号", limits::ADDRESS),
            Ok(Some("河南省许昌市东大街12号".into()))
        );
        assert_eq!(optional("a\nb", 10), Err(TextError::ControlCharacter));
        assert!(matches!(
            required(&"x".repeat(10_000), limits::REASON),
            Err(TextError::TooLong { .. })
        ));
    }
}
