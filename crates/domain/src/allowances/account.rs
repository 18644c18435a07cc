//! The account an allowance is paid into, as a clerk types it, parsed before anything is
//! stored: the kind, the bank, the number (12 to 30 digits, spaces ignored), the holder
//! (the member unless said otherwise) and the evidence for a change.

use crate::registry::intake::FieldError;
use crate::text;
use nuanxin_locale::msg;

/// What a clerk submits.
#[derive(Debug, Clone, Default)]
pub struct AccountForm {
    /// `social_security_card` or `bank_account`.
    pub kind: String,
    pub bank_name: String,
    /// Empty: the member's own name.
    pub holder_name: String,
    pub number: String,
    pub evidence: Option<String>,
}

/// An account after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAccount {
    pub kind: String,
    pub bank_name: String,
    /// `None`: the member's own name.
    pub holder_name: Option<String>,
    pub number: String,
    pub evidence: Option<String>,
}

pub fn parse_account(form: &AccountForm) -> Result<ValidAccount, FieldError> {
    if !matches!(form.kind.as_str(), "social_security_card" | "bank_account") {
        return Err(FieldError::new("kind", msg!("account-kind")));
    }
    let number: String = form.number.chars().filter(|c| !c.is_whitespace()).collect();
    if !(12..=30).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::new(
            "accountNumber",
            msg!("account-number-format"),
        ));
    }
    let bank_name = text::required(&form.bank_name, text::limits::BANK_NAME)
        .map_err(|e| FieldError::new("bankName", e))?;
    let holder_name = if form.holder_name.trim().is_empty() {
        None
    } else {
        Some(text::person_name(&form.holder_name).map_err(|e| FieldError::new("holderName", e))?)
    };
    let evidence = form
        .evidence
        .as_deref()
        .map(|e| text::optional(e, text::limits::REASON))
        .transpose()
        .map_err(|e| FieldError::new("evidence", e))?
        .flatten();
    Ok(ValidAccount {
        kind: form.kind.clone(),
        bank_name,
        holder_name,
        number,
        evidence,
    })
}

impl ValidAccount {
    /// The holder, checked against the member: an account in another person's name needs
    /// its evidence (a guardianship or power-of-attorney document).
    pub fn holder_for(&self, member_name: &str) -> Result<String, FieldError> {
        let holder = self
            .holder_name
            .clone()
            .unwrap_or_else(|| member_name.to_owned());
        if holder != member_name
            && self
                .evidence
                .as_deref()
                .is_none_or(|e| e.chars().count() < 4)
        {
            return Err(FieldError::new(
                "evidence",
                msg!(
                    "account-other-holder",
                    holder = holder.as_str(),
                    member = member_name
                ),
            ));
        }
        Ok(holder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> AccountForm {
        AccountForm {
            kind: "bank_account".into(),
            bank_name: "许昌农商银行".into(),
            number: "6221 0123 4567 8901".into(),
            ..AccountForm::default()
        }
    }

    #[test]
    fn an_account_is_parsed_and_its_holder_checked() {
        let a = parse_account(&form()).expect("valid");
        assert_eq!(a.number, "6221012345678901");
        assert_eq!(a.holder_for("李秀英"), Ok("李秀英".into()));
        let other = parse_account(&AccountForm {
            holder_name: "王小明".into(),
            ..form()
        })
        .expect("valid");
        assert_eq!(
            other.holder_for("李秀英").map_err(|e| e.field),
            Err("evidence".into())
        );
        let evidenced = parse_account(&AccountForm {
            holder_name: "王小明".into(),
            evidence: Some("监护证明 No. 12".into()),
            ..form()
        })
        .expect("valid");
        assert_eq!(evidenced.holder_for("李秀英"), Ok("王小明".into()));
    }

    #[test]
    fn bad_accounts_name_their_field() {
        for (f, field) in [
            (
                AccountForm {
                    kind: "cash".into(),
                    ..form()
                },
                "kind",
            ),
            (
                AccountForm {
                    number: "12ab".into(),
                    ..form()
                },
                "accountNumber",
            ),
            (
                AccountForm {
                    bank_name: " ".into(),
                    ..form()
                },
                "bankName",
            ),
        ] {
            assert_eq!(parse_account(&f).map_err(|e| e.field), Err(field.into()));
        }
    }
}
