//! The message files, loaded once per process into one Fluent bundle per language.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::{Arg, Locale, Message};

/// The message files, one per area, in each language (crates/locale/messages/<lang>/).
macro_rules! files {
    ($($name:literal),+ $(,)?) => {
        pub(crate) const ZH: &[(&str, &str)] = &[$(($name, include_str!(concat!("../messages/zh-CN/", $name)))),+];
        pub(crate) const EN: &[(&str, &str)] = &[$(($name, include_str!(concat!("../messages/en/", $name)))),+];
    };
}

files!(
    "common.ftl",
    "session.ftl",
    "registry.ftl",
    "allowances.ftl",
    "rosters.ftl",
    "care.ftl",
    "partners.ftl",
    "wechat.ftl",
    "emergency.ftl",
);

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<[Bundle; 2]> =
    LazyLock::new(|| [bundle(Locale::Zh, ZH), bundle(Locale::En, EN)]);

fn bundle(locale: Locale, files: &[(&str, &str)]) -> Bundle {
    let mut bundle = FluentBundle::new_concurrent(vec![locale.language()]);
    // No Unicode isolation marks around arguments: the texts go into spreadsheets,
    // terminals and JSON, where the marks are invisible garbage.
    bundle.set_use_isolating(false);
    for (name, text) in files {
        // A damaged entry is skipped (and named); the rest of the file still loads.
        let resource = FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(res, errs)| {
            tracing::error!(file = name, locale = locale.tag(), errors = ?errs, "message file has errors");
            res
        });
        if let Err(errs) = bundle.add_resource(resource) {
            tracing::error!(file = name, locale = locale.tag(), errors = ?errs, "message file repeats keys");
        }
    }
    bundle
}

fn bundle_for(locale: Locale) -> &'static Bundle {
    match locale {
        Locale::Zh => &BUNDLES[0],
        Locale::En => &BUNDLES[1],
    }
}

/// Whether `key` has a text in `locale`.
pub fn has_message(locale: Locale, key: &str) -> bool {
    bundle_for(locale).has_message(key)
}

/// Every key of `locale`'s files, in file order (for the completeness tests).
pub fn message_ids(locale: Locale) -> Vec<String> {
    let files = match locale {
        Locale::Zh => ZH,
        Locale::En => EN,
    };
    files
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter_map(|line| {
            let (id, _) = line.split_once(" =")?;
            let starts = id.chars().next()?;
            (starts.is_ascii_alphabetic()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .then(|| id.to_owned())
        })
        .collect()
}

pub(crate) fn render(message: &Message, locale: Locale) -> String {
    let other = match locale {
        Locale::Zh => Locale::En,
        Locale::En => Locale::Zh,
    };
    for l in [locale, other] {
        let bundle = bundle_for(l);
        let Some(pattern) = bundle.get_message(message.key()).and_then(|m| m.value()) else {
            continue;
        };
        let mut args = FluentArgs::new();
        for (name, arg) in message.args() {
            args.set(name.clone(), value(arg, locale));
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key = message.key(), ?errors, "message rendered with errors");
        }
        return text.into_owned();
    }
    tracing::warn!(key = message.key(), "message has no text in any language");
    message.key().to_owned()
}

fn value(arg: &Arg, locale: Locale) -> FluentValue<'static> {
    match arg {
        Arg::Text(t) => FluentValue::from(t.clone()),
        Arg::Number(n) => FluentValue::from(*n),
        Arg::Date(d) => FluentValue::from(match locale {
            Locale::Zh => d.format("%Y年%-m月%-d日").to_string(),
            Locale::En => d.format("%Y-%m-%d").to_string(),
        }),
        Arg::Month { year, month } => FluentValue::from(match locale {
            Locale::Zh => format!("{year}年{month}月"),
            Locale::En => format!("{year}-{month:02}"),
        }),
        Arg::Fen(fen) => FluentValue::from(yuan(*fen)),
        Arg::Message(m) => FluentValue::from(m.render(locale)),
        Arg::List(items) => FluentValue::from(
            items
                .iter()
                .map(|m| m.render(locale))
                .collect::<Vec<_>>()
                .join(match locale {
                    Locale::Zh => "、",
                    Locale::En => ", ",
                }),
        ),
    }
}

/// Fen as yuan, as a clerk writes it: 68000 → "680", 7050 → "70.50", -7005 → "-70.05".
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    if abs.is_multiple_of(100) {
        format!("{sign}{}", abs / 100)
    } else {
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// Fen as yuan with two decimals, as banks and spreadsheets want it: 68000 → "680.00".
pub fn yuan_cents(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg;

    fn text(arg: &Arg, locale: Locale) -> String {
        match value(arg, locale) {
            FluentValue::String(s) => s.into_owned(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_message_reads_in_either_language_with_its_arguments_written_that_languages_way() {
        let m = msg!("month-format", found = "2026/11");
        assert!(
            m.render(Locale::Zh).contains("2026/11"),
            "{}",
            m.render(Locale::Zh)
        );
        assert!(m.render(Locale::Zh).contains("年-月"));
        assert!(m.render(Locale::En).contains("YYYY-MM"));
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 5).expect("date");
        assert_eq!(text(&Arg::Date(d), Locale::Zh), "2026年3月5日");
        assert_eq!(text(&Arg::Date(d), Locale::En), "2026-03-05");
        let month = Arg::Month {
            year: 2026,
            month: 3,
        };
        assert_eq!(text(&month, Locale::Zh), "2026年3月");
        assert_eq!(text(&month, Locale::En), "2026-03");
        assert_eq!(yuan(68000), "680");
        assert_eq!(yuan(7050), "70.50");
        assert_eq!(yuan(-7005), "-70.05");
        assert_eq!(yuan_cents(68000), "680.00");
        assert_eq!(yuan_cents(-7005), "-70.05");
    }

    #[test]
    fn an_unknown_key_reads_as_itself_and_a_stored_message_round_trips() {
        assert_eq!(
            Message::new("no-such-key").render(Locale::Zh),
            "no-such-key"
        );
        let m = msg!("month-format", found = "x").with("n", 3);
        assert_eq!(Message::from_stored(&m.to_stored()), m);
        let legacy = Message::from_stored("680 CNY for 2026-03");
        assert_eq!(legacy.render(Locale::En), "680 CNY for 2026-03");
        assert_eq!(legacy.render(Locale::Zh), "680 CNY for 2026-03");
    }
}
