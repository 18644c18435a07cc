//! The reader's language: Chinese unless they ask for English.

use fluent_langneg::{NegotiationStrategy, accepted_languages, negotiate_languages};
use unic_langid::LanguageIdentifier;

/// The languages messages are written in. Chinese is the default: the people at the desk
/// read Chinese; English is for whoever asks for it in `Accept-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    Zh,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Zh, Locale::En];

    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    pub(crate) fn language(self) -> LanguageIdentifier {
        // Both tags are constants that parse; the default is never used.
        self.tag().parse().unwrap_or_default()
    }

    /// The best language for an `Accept-Language` header (`en-US,en;q=0.9`, `zh-TW`, `*`);
    /// anything unparseable or unmatched is Chinese.
    pub fn from_accept_language(header: Option<&str>) -> Locale {
        let Some(header) = header else {
            return Locale::Zh;
        };
        let requested = accepted_languages::parse(header);
        let available = [Locale::Zh.language(), Locale::En.language()];
        let default = Locale::Zh.language();
        let chosen = negotiate_languages(
            &requested,
            &available,
            Some(&default),
            NegotiationStrategy::Lookup,
        );
        match chosen.first() {
            Some(l) if l.language.as_str() == "en" => Locale::En,
            _ => Locale::Zh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Locale;

    #[test]
    fn chinese_unless_english_is_asked_for() {
        assert_eq!(Locale::from_accept_language(None), Locale::Zh);
        assert_eq!(Locale::from_accept_language(Some("")), Locale::Zh);
        assert_eq!(Locale::from_accept_language(Some("*")), Locale::Zh);
        assert_eq!(Locale::from_accept_language(Some("fr-FR")), Locale::Zh);
        assert_eq!(
            Locale::from_accept_language(Some("zh-TW,zh;q=0.9")),
            Locale::Zh
        );
        assert_eq!(Locale::from_accept_language(Some("en")), Locale::En);
        assert_eq!(
            Locale::from_accept_language(Some("en-US,en;q=0.9")),
            Locale::En
        );
        assert_eq!(
            Locale::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")),
            Locale::Zh
        );
        assert_eq!(
            Locale::from_accept_language(Some("fr, en;q=0.5")),
            Locale::En
        );
        assert_eq!(Locale::from_accept_language(Some(";;;q=abc,,")), Locale::Zh);
    }
}
