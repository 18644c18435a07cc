//! Binding codes (绑定码): what a worker hands a family member or volunteer (printed, or as a
//! QR code) so that their WeChat account can be bound to their file. Nobody binds by typing
//! an ID number or a name: only a code the office issued, or the phone number on file proved
//! through WeChat.
//!
//! A code is 12 characters of an alphabet without look-alikes (no 0/O, 1/I/L), about 59 bits:
//! read aloud over the phone or typed by an elderly person, it survives case, spaces and
//! dashes; guessed at the sign-in throttle's pace, it is out of reach for ever.

/// The characters of a binding code: no 0, O, 1, I or L.
pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Characters in a code.
pub const LENGTH: usize = 12;

/// How long an issued code stays good: long enough for a printed slip to reach an elderly
/// parent and a grandchild to help them, short enough that a lost slip goes stale.
pub const TTL_HOURS: i64 = 72;

/// What the QR code on a binding slip says: the prefix tells the mini-program's scanner a
/// binding code from any other QR code it might be pointed at.
pub const QR_PREFIX: &str = "NUANXIN-BIND:";

/// A code from `LENGTH` random bytes (each taken modulo the alphabet; the bias of 256 % 31 is
/// a fraction of a bit over the whole code).
pub fn from_random(bytes: &[u8; LENGTH]) -> String {
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// The code as printed: `ABCD-EFGH-JKMN`.
pub fn display(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code someone typed, as issued: case, spaces and dashes do not matter; a look-alike
/// (O for 0 is not in the alphabet) or a wrong length is `None`.
pub fn normalise(typed: &str) -> Option<String> {
    let typed = typed.trim();
    let typed = typed.strip_prefix(QR_PREFIX).unwrap_or(typed);
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_typed_back_however_it_is_written() {
        let code = from_random(&[7, 200, 31, 62, 93, 0, 255, 128, 64, 32, 16, 8]);
        assert_eq!(code.len(), LENGTH);
        let shown = display(&code);
        assert_eq!(shown.len(), LENGTH + 2);
        assert_eq!(normalise(&shown).as_deref(), Some(code.as_str()));
        assert_eq!(
            normalise(&format!(" {} ", shown.to_lowercase().replace('-', " "))).as_deref(),
            Some(code.as_str())
        );
    }

    #[test]
    fn look_alikes_and_wrong_lengths_are_not_codes() {
        assert_eq!(normalise("ABCD-EFGH-JKM0"), None);
        assert_eq!(normalise("ABCD-EFGH-JKMI"), None);
        assert_eq!(normalise("ABCD-EFGH-JKM"), None);
        assert_eq!(normalise("ABCD-EFGH-JKMNP"), None);
        assert_eq!(normalise("ＡBCD-EFGH-JKMN"), None);
        assert!(normalise("ABCD-EFGH-JKMN").is_some());
        assert_eq!(
            normalise(&format!("{QR_PREFIX}ABCD-EFGH-JKMN")).as_deref(),
            Some("ABCDEFGHJKMN")
        );
    }

    #[test]
    fn every_letter_of_the_alphabet_is_reached() {
        let mut seen = std::collections::HashSet::new();
        for b in 0..=255u8 {
            seen.insert(from_random(&[b; LENGTH]).as_bytes()[0]);
        }
        assert_eq!(seen.len(), ALPHABET.len());
    }
}
