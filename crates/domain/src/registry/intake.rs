//! Intake: a family as typed at the desk, parsed into a [`ValidFamily`] before anything is
//! stored (parse, don't validate). The first field at fault is named the way the API
//! names it (`members[1].idNumber`), with a message a clerk can act on.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::registry::family::{MemberRole, normalize_phone};
use crate::registry::id_number::{IdNumber, Sex};
use crate::registry::region::{RegionCode, RegionLevel};
use crate::text;
use nuanxin_locale::{Message, msg};

/// The field at fault and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: Message,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<Message>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A family as typed at the desk; parsed by [`parse_new_family`].
#[derive(Debug, Clone, Default)]
pub struct NewFamily {
    pub region: String,
    pub honour_certificate_no: Option<String>,
    pub honour_certificate_date: Option<NaiveDate>,
    pub child_death_date: Option<NaiveDate>,
    pub later_child_date: Option<NaiveDate>,
    pub members: Vec<NewMember>,
}

#[derive(Debug, Clone)]
pub struct NewMember {
    pub role: MemberRole,
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub hukou_region: String,
    pub deceased_on: Option<NaiveDate>,
}

/// A correction to a member; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct MemberPatch {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub hukou_region: Option<String>,
    /// `Some(None)` clears a death date recorded in error.
    pub deceased_on: Option<Option<NaiveDate>>,
    /// What a change of a payment-driving fact (death, household registration) rests on:
    /// a certificate or register entry; required for those changes.
    pub evidence: Option<String>,
}

/// A member after validation.
#[derive(Debug, Clone)]
pub struct ValidMember {
    pub role: MemberRole,
    pub name: String,
    pub id_number: IdNumber,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub hukou_region: RegionCode,
    pub deceased_on: Option<NaiveDate>,
}

/// A family after parsing: every field checked, codes and ID numbers typed.
#[derive(Debug, Clone)]
pub struct ValidFamily {
    pub region: RegionCode,
    pub honour_certificate_no: Option<String>,
    pub honour_certificate_date: Option<NaiveDate>,
    pub child_death_date: Option<NaiveDate>,
    pub later_child_date: Option<NaiveDate>,
    pub members: Vec<ValidMember>,
}

/// Checks every field of a new family, naming the first one at fault.
pub fn parse_new_family(
    input: &NewFamily,
    city: &RegionCode,
    today: NaiveDate,
) -> Result<ValidFamily, FieldError> {
    let region = RegionCode::parse(&input.region).map_err(|e| FieldError::new("regionCode", e))?;
    if !matches!(region.level(), RegionLevel::Township | RegionLevel::Village) {
        return Err(FieldError::new("regionCode", msg!("family-region-level")));
    }
    if !region.is_within(city) {
        return Err(FieldError::new(
            "regionCode",
            msg!(
                "family-region-outside-city",
                region = region.as_str(),
                city = city.as_str()
            ),
        ));
    }
    for (field, date) in [
        ("honourCertificateDate", input.honour_certificate_date),
        ("childDeathDate", input.child_death_date),
        ("laterChildDate", input.later_child_date),
    ] {
        if date.is_some_and(|d| d > today) {
            return Err(FieldError::new(field, msg!("date-in-future")));
        }
    }
    if input.members.is_empty() {
        return Err(FieldError::new("members", msg!("family-needs-member")));
    }
    let mut seen = HashSet::new();
    let mut members = Vec::with_capacity(input.members.len());
    for (i, m) in input.members.iter().enumerate() {
        let at = |f: &str| format!("members[{i}].{f}");
        let name = text::person_name(&m.name).map_err(|e| FieldError::new(at("name"), e))?;
        let id_number =
            IdNumber::parse(&m.id_number).map_err(|e| FieldError::new(at("idNumber"), e))?;
        if id_number.birth_date() > today {
            return Err(FieldError::new(
                at("idNumber"),
                msg!("id-number-born-in-future"),
            ));
        }
        // The 17th digit is odd for men and even for women.
        let expected = match m.role {
            MemberRole::Mother => Some(Sex::Female),
            MemberRole::Father => Some(Sex::Male),
            _ => None,
        };
        if expected.is_some_and(|sex| sex != id_number.sex()) {
            return Err(FieldError::new(
                at("idNumber"),
                match m.role {
                    MemberRole::Mother => msg!("id-number-mother-is-male"),
                    _ => msg!("id-number-father-is-female"),
                },
            ));
        }
        if !seen.insert(id_number.expose().to_owned()) {
            return Err(FieldError::new(
                at("idNumber"),
                msg!("id-number-twice-in-family"),
            ));
        }
        let phone = match m.phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Some(
                normalize_phone(raw)
                    .ok_or_else(|| FieldError::new(at("phone"), msg!("phone-format")))?,
            ),
        };
        let hukou_region = RegionCode::parse(&m.hukou_region)
            .map_err(|e| FieldError::new(at("hukouRegionCode"), e))?;
        if m.deceased_on.is_some_and(|d| d > today) {
            return Err(FieldError::new(
                at("deceasedOn"),
                msg!("death-date-in-future"),
            ));
        }
        members.push(ValidMember {
            role: m.role,
            name,
            id_number,
            phone,
            address: m
                .address
                .as_deref()
                .map(|a| text::optional(a, text::limits::ADDRESS))
                .transpose()
                .map_err(|e| FieldError::new(at("address"), e))?
                .flatten(),
            hukou_region,
            deceased_on: m.deceased_on,
        });
    }
    let honour_certificate_no = input
        .honour_certificate_no
        .as_deref()
        .map(|c| text::optional(c, text::limits::CERTIFICATE_NO))
        .transpose()
        .map_err(|e| FieldError::new("honourCertificateNo", e))?
        .flatten();
    Ok(ValidFamily {
        region,
        honour_certificate_no,
        honour_certificate_date: input.honour_certificate_date,
        child_death_date: input.child_death_date,
        later_child_date: input.later_child_date,
        members,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("date")
    }

    fn form() -> NewFamily {
        let born = d(1965, 8, 31);
        NewFamily {
            region: "411002001001".into(),
            honour_certificate_no: Some(" 豫许00001 ".into()),
            members: vec![NewMember {
                role: MemberRole::Mother,
                name: " 李秀英 ".into(),
                id_number: IdNumber::compose("411002", born, 2)
                    .expect("id")
                    .expose()
                    .to_owned(),
                phone: Some("138 0000 1234".into()),
                address: None,
                hukou_region: "411002001001".into(),
                deceased_on: None,
            }],
            ..NewFamily::default()
        }
    }

    #[test]
    fn a_good_form_parses_and_is_trimmed() {
        let city = RegionCode::parse("411000").expect("city");
        let v = parse_new_family(&form(), &city, d(2026, 12, 1)).expect("valid");
        assert_eq!(v.members[0].name, "李秀英");
        assert_eq!(v.honour_certificate_no.as_deref(), Some("豫许00001"));
    }

    #[test]
    fn the_first_field_at_fault_is_named() {
        let city = RegionCode::parse("411000").expect("city");
        let mut f = form();
        f.members[0].id_number = "411002196508310000".into();
        assert_eq!(
            parse_new_family(&f, &city, d(2026, 12, 1))
                .err()
                .map(|e| e.field),
            Some("members[0].idNumber".to_owned())
        );
        let mut f = form();
        f.region = "411024001001".into();
        let other_city = RegionCode::parse("410100").expect("city");
        assert_eq!(
            parse_new_family(&f, &other_city, d(2026, 12, 1))
                .err()
                .map(|e| e.field),
            Some("regionCode".to_owned())
        );
        let mut f = form();
        f.child_death_date = Some(d(2027, 1, 1));
        assert_eq!(
            parse_new_family(&f, &city, d(2026, 12, 1))
                .err()
                .map(|e| e.field),
            Some("childDeathDate".to_owned())
        );
    }
}
