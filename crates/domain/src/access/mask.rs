//! Masking of sensitive personal information for display (脱敏).

/// `13800001234` → `138****1234`; short or odd values keep only their last 2 characters.
pub fn phone(clear: &str) -> String {
    let chars: Vec<char> = clear.chars().collect();
    if chars.len() >= 7 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}****{tail}")
    } else {
        keep_last(&chars, 2)
    }
}

/// Keeps the first 6 characters (province/city/county part of an address) and hides the rest,
/// so a village worker can tell the area but not the door.
pub fn address(clear: &str) -> String {
    let chars: Vec<char> = clear.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    format!("{head}****")
}

/// Masks a bank or card number: last 4 visible.
pub fn account(clear: &str) -> String {
    let chars: Vec<char> = clear.chars().collect();
    keep_last(&chars, 4)
}

fn keep_last(chars: &[char], n: usize) -> String {
    let n = n.min(chars.len());
    let tail: String = chars[chars.len() - n..].iter().collect();
    format!("{}{tail}", "*".repeat(chars.len() - n))
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::phone("13800001234"), "138****1234");
        assert_eq!(super::phone("12345"), "***45");
        assert_eq!(
            super::address("河南省许昌市魏都区某街道12号"),
            "河南省许昌市****"
        );
        assert_eq!(super::address("许昌"), "**");
        assert_eq!(super::account("6222021234567890"), "************7890");
    }
}
