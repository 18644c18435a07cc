//! Attachments (附件) to care records and consents: a photo of a visit, a signed form, a
//! hospital's invoice. Their type is decided by their content (magic bytes, through the
//! `infer` crate), never by the name or the header a client sends; names are only labels and
//! may not look like paths.

use nuanxin_locale::{Localised, Message, localised_error, msg};

/// The largest attachment accepted (a phone photo or a scanned page is well below).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The types accepted, by content: photos and scans.
pub const ACCEPTED: &[&str] = &["image/jpeg", "image/png", "image/webp", "application/pdf"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentError {
    Empty,
    TooLarge,
    WrongType { found: String },
    BadName,
}

impl Localised for AttachmentError {
    fn message(&self) -> Message {
        match self {
            AttachmentError::Empty => msg!("attachment-empty"),
            AttachmentError::TooLarge => msg!(
                "attachment-too-large",
                megabytes = MAX_BYTES / (1024 * 1024)
            ),
            AttachmentError::WrongType { found } => {
                msg!("attachment-wrong-type", found = found.as_str())
            }
            AttachmentError::BadName => msg!("attachment-bad-name"),
        }
    }
}
localised_error!(AttachmentError);

/// A file that passed the checks: its type as read from its content, its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub content_type: &'static str,
    pub name: String,
}

/// Checks a file's name and content.
pub fn check(name: &str, bytes: &[u8]) -> Result<CheckedFile, AttachmentError> {
    let name = check_name(name)?;
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    let found = infer::get(bytes).map(|t| t.mime_type());
    match found.and_then(|m| ACCEPTED.iter().find(|a| **a == m)) {
        Some(t) => Ok(CheckedFile {
            content_type: t,
            name,
        }),
        None => Err(AttachmentError::WrongType {
            found: found.unwrap_or("not a known type").to_owned(),
        }),
    }
}

/// A label, not a path: no separators, no `..`, no control characters, 1–120 characters.
pub fn check_name(name: &str) -> Result<String, AttachmentError> {
    let name = name.trim();
    let count = name.chars().count();
    if count == 0
        || count > 120
        || name.contains(['/', '\\'])
        || name.contains("..")
        || name.chars().any(|c| c.is_control())
    {
        return Err(AttachmentError::BadName);
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(
            check("photo.png", PNG).map(|f| f.content_type),
            Ok("image/png")
        );
        assert_eq!(
            check("form.pdf", PDF).map(|f| f.content_type),
            Ok("application/pdf")
        );
        // A script named like a photo is still a script.
        assert!(matches!(
            check("photo.jpg", b"#!/bin/sh\nrm -rf /\n"),
            Err(AttachmentError::WrongType { .. })
        ));
        // An executable is refused whatever its name.
        assert!(matches!(
            check("x.pdf", b"MZ\x90\0\x03\0\0\0\x04\0"),
            Err(AttachmentError::WrongType { .. })
        ));
    }

    #[test]
    fn names_are_labels() {
        for bad in [
            "../../etc/passwd",
            "a/b.png",
            "a\\b.png",
            "",
            "x\u{0}.png",
            "..",
        ] {
            assert_eq!(check_name(bad), Err(AttachmentError::BadName), "{bad:?}");
        }
        assert_eq!(check_name(" 走访照片.jpg "), Ok("走访照片.jpg".into()));
    }

    #[test]
    fn size_is_bounded() {
        let mut big = PNG.to_vec();
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(check("big.png", &big), Err(AttachmentError::TooLarge));
        assert_eq!(check("e.png", b""), Err(AttachmentError::Empty));
    }
}
