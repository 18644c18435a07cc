//! Every message a person may read has a Chinese and an English text, and each text uses
//! exactly the arguments the code gives it. The code is read from the source tree: every
//! `msg!("key", name = …)` in `crates/` must name a key both languages have.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast;
use nuanxin_locale::{Locale, has_message, message_ids};

const LANGS: [(&str, Locale); 2] = [("zh-CN", Locale::Zh), ("en", Locale::En)];

/// Keys whose text is an argument only (no words of its own to translate).
const NO_WORDS: &[&str] = &["verbatim", "export-period-month", "export-signer"];

fn messages_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("messages")
}

/// key → the variables its text uses, for one language's files.
fn variables(lang: &str) -> BTreeMap<String, (BTreeSet<String>, String)> {
    let mut out = BTreeMap::new();
    let dir = messages_dir().join(lang);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("messages dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read ftl");
        let resource = fluent_syntax::parser::parse(text.as_str())
            .unwrap_or_else(|(_, errs)| panic!("{} does not parse: {errs:?}", path.display()));
        for entry in resource.body {
            if let ast::Entry::Message(m) = entry {
                let id = m.id.name.to_owned();
                let pattern = m.value.unwrap_or_else(|| panic!("{id} has no value"));
                let mut vars = BTreeSet::new();
                let mut words = String::new();
                walk_pattern(&pattern, &mut vars, &mut words);
                assert!(
                    out.insert(id.clone(), (vars, words)).is_none(),
                    "{id} is written twice in {lang}"
                );
            }
        }
    }
    out
}

fn walk_pattern(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>, words: &mut String) {
    for el in &p.elements {
        match el {
            ast::PatternElement::TextElement { value } => words.push_str(value),
            ast::PatternElement::Placeable { expression } => walk_expr(expression, vars, words),
        }
    }
}

fn walk_expr(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>, words: &mut String) {
    match e {
        ast::Expression::Inline(i) => walk_inline(i, vars, words),
        ast::Expression::Select { selector, variants } => {
            walk_inline(selector, vars, words);
            for v in variants {
                walk_pattern(&v.value, vars, words);
            }
        }
    }
}

fn walk_inline(e: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>, words: &mut String) {
    match e {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                walk_inline(a, vars, words);
            }
            for a in &arguments.named {
                walk_inline(&a.value, vars, words);
            }
        }
        ast::InlineExpression::Placeable { expression } => walk_expr(expression, vars, words),
        ast::InlineExpression::StringLiteral { value } => words.push_str(value),
        _ => {}
    }
}

#[test]
fn both_languages_have_the_same_keys_and_every_chinese_text_is_chinese() {
    let zh = variables("zh-CN");
    let en = variables("en");
    let zh_keys: BTreeSet<_> = zh.keys().collect();
    let en_keys: BTreeSet<_> = en.keys().collect();
    let only_zh: Vec<_> = zh_keys.difference(&en_keys).collect();
    let only_en: Vec<_> = en_keys.difference(&zh_keys).collect();
    assert!(only_en.is_empty(), "no Chinese text for: {only_en:?}");
    assert!(only_zh.is_empty(), "no English text for: {only_zh:?}");
    for (key, (vars, words)) in &zh {
        if NO_WORDS.contains(&key.as_str()) {
            continue;
        }
        assert!(
            words
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "the Chinese text of {key} has no Chinese in it: {words:?}"
        );
        assert_eq!(
            vars, &en[key].0,
            "{key} uses different arguments in Chinese and English"
        );
    }
    for (_, locale) in LANGS {
        assert_eq!(
            message_ids(locale).len(),
            zh.len(),
            "message_ids sees every key"
        );
    }
}

/// One `msg!(…)` in the code: where, which key, which argument names.
#[derive(Debug)]
struct Use {
    at: String,
    key: String,
    args: BTreeSet<String>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && !path.ends_with(file!().rsplit('/').next().unwrap_or_default())
        {
            out.push(path);
        }
    }
}

/// The `msg!("key", a = …, b = …)` calls of one file, read with bracket depth so that
/// commas inside an argument's expression do not split it.
fn uses_in(path: &Path, text: &str) -> Vec<Use> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find("msg!(\"") {
        let start = from + found + "msg!(".len();
        from = start;
        let line = text[..start].lines().count();
        let key_end = text[start + 1..].find('"').expect("key ends") + start + 1;
        let key = text[start + 1..key_end].to_owned();
        let mut depth = 0usize;
        let mut i = key_end + 1;
        let mut parts = vec![String::new()];
        let mut in_str = false;
        while i < bytes.len() {
            let c = bytes[i] as char;
            if in_str {
                if c == '\\' {
                    i += 1;
                } else if c == '"' {
                    in_str = false;
                }
            } else {
                match c {
                    '"' => in_str = true,
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' if depth == 0 => break,
                    ')' | ']' | '}' => depth -= 1,
                    ',' if depth == 0 => parts.push(String::new()),
                    _ => {}
                }
                if let Some(p) = parts.last_mut() {
                    p.push(c);
                }
            }
            i += 1;
        }
        let args = parts
            .iter()
            .filter_map(|p| {
                let p = p.trim_start_matches(',').trim();
                let (name, _) = p.split_once('=')?;
                let name = name.trim();
                (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                    .then(|| name.to_owned())
            })
            .collect();
        out.push(Use {
            at: format!("{}:{line}", path.display()),
            key,
            args,
        });
    }
    out
}

#[test]
fn every_message_the_code_names_is_written_with_the_arguments_the_code_gives() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates dir")
        .to_path_buf();
    let mut files = Vec::new();
    rust_files(&crates, &mut files);
    let written: Vec<_> = LANGS
        .iter()
        .map(|(l, loc)| (*l, *loc, variables(l)))
        .collect();
    let mut uses = 0;
    let mut problems = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read source");
        for u in uses_in(path, &text) {
            uses += 1;
            for (lang, locale, vars) in &written {
                match vars.get(&u.key) {
                    None => problems.push(format!("{}: {} has no {lang} text", u.at, u.key)),
                    Some((needed, _)) if needed != &u.args => problems.push(format!(
                        "{}: {} is given {:?} but its {lang} text uses {:?}",
                        u.at, u.key, u.args, needed
                    )),
                    Some(_) => assert!(has_message(*locale, &u.key)),
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        uses > 100,
        "the scan found only {uses} messages: is it reading the code?"
    );
}

/// What a NOT_FOUND names (`NotFound { what: "family" }`, `not_found("roster")`) has a word:
/// `thing-<what>`, spaces as dashes.
#[test]
fn every_thing_that_can_be_missing_has_a_word() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates dir")
        .to_path_buf();
    let mut files = Vec::new();
    rust_files(&crates, &mut files);
    let mut things = BTreeSet::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read source");
        for marker in ["what: \"", "NotFound(\"", "not_found(\""] {
            for (at, _) in text.match_indices(marker) {
                let rest = &text[at + marker.len()..];
                if let Some(end) = rest.find('"') {
                    things.insert(rest[..end].to_owned());
                }
            }
        }
    }
    assert!(things.len() > 20, "found only {things:?}");
    let missing: Vec<_> = things
        .iter()
        .map(|t| format!("thing-{}", t.replace(' ', "-")))
        .filter(|k| LANGS.iter().any(|(_, l)| !has_message(*l, k)))
        .collect();
    assert!(missing.is_empty(), "no words for: {missing:?}");
}
