//! Field rules PH applies to each client and patient. A broken rule refuses that item only,
//! with INVALID_FIELD naming the field.

use super::types::ItemError;

/// Species PH knows.
pub(crate) const SPECIES: &[&str] = &[
    "dog", "cat", "rabbit", "bird", "reptile", "ferret", "rodent", "horse", "other",
];

/// Longest text PH keeps in any field.
const MAX_TEXT: usize = 200;
/// Longest external ID.
const MAX_EXTERNAL_ID: usize = 100;

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> ItemError {
    ItemError::new("INVALID_FIELD", Some(field), message)
}

/// Trims a text field; empty becomes None, over-long is refused.
pub(crate) fn text(field: &str, value: Option<&str>) -> Result<Option<String>, ItemError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > MAX_TEXT {
        return Err(invalid(
            field,
            format!("{field} is longer than {MAX_TEXT} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(invalid(
            field,
            format!("{field} contains control characters (such as a line break)"),
        ));
    }
    Ok(Some(value.to_owned()))
}

/// A name that may be empty (a client needs only one of first or last).
pub(crate) fn name_part(field: &str, value: &str) -> Result<String, ItemError> {
    Ok(text(field, Some(value))?.unwrap_or_default())
}

pub(crate) fn external_id(value: Option<&str>) -> Result<Option<String>, ItemError> {
    let value = text("externalId", value)?;
    if value
        .as_deref()
        .is_some_and(|v| v.chars().count() > MAX_EXTERNAL_ID)
    {
        return Err(invalid(
            "externalId",
            format!("externalId is longer than {MAX_EXTERNAL_ID} characters"),
        ));
    }
    Ok(value)
}

pub(crate) fn email(value: Option<&str>) -> Result<Option<String>, ItemError> {
    let Some(value) = text("email", value)? else {
        return Ok(None);
    };
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(Some(value))
    } else {
        Err(invalid(
            "email",
            format!("{value:?} is not an e-mail address"),
        ))
    }
}

/// A phone number in E.164: `+`, then 7 to 15 digits, the first not 0.
pub(crate) fn phone(field: &str, value: Option<&str>) -> Result<Option<String>, ItemError> {
    let Some(value) = text(field, value)? else {
        return Ok(None);
    };
    let digits = value.strip_prefix('+').unwrap_or("");
    let valid = (7..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(Some(value))
    } else {
        Err(invalid(
            field,
            format!("{value:?} is not an E.164 phone number such as +12175550143"),
        ))
    }
}

/// ISO 3166-1 alpha-2, stored in capitals.
pub(crate) fn country(value: Option<&str>) -> Result<Option<String>, ItemError> {
    let Some(value) = text("country", value)? else {
        return Ok(None);
    };
    if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(Some(value.to_ascii_uppercase()))
    } else {
        Err(invalid(
            "country",
            format!("{value:?} is not an ISO 3166-1 alpha-2 country code such as US"),
        ))
    }
}

pub(crate) fn species(value: &str) -> Result<String, ItemError> {
    let lower = value.trim().to_lowercase();
    if SPECIES.contains(&lower.as_str()) {
        Ok(lower)
    } else {
        Err(invalid(
            "species",
            format!(
                "{value:?} is not a species PH knows; use one of: {}",
                SPECIES.join(", ")
            ),
        ))
    }
}

pub(crate) fn sex(value: Option<&str>) -> Result<Option<String>, ItemError> {
    let Some(value) = text("sex", value)? else {
        return Ok(None);
    };
    let lower = value.to_lowercase();
    if ["male", "female", "unknown"].contains(&lower.as_str()) {
        Ok(Some(lower))
    } else {
        Err(invalid(
            "sex",
            format!("{value:?} is not a sex PH knows; use male, female or unknown"),
        ))
    }
}

/// YYYY-MM-DD, YYYY-MM or YYYY, from 1900 and not in the future.
pub(crate) fn date_of_birth(value: Option<&str>) -> Result<Option<String>, ItemError> {
    let Some(value) = text("dateOfBirth", value)? else {
        return Ok(None);
    };
    let full = match value.len() {
        4 => format!("{value}-01-01"),
        7 => format!("{value}-01"),
        10 => value.clone(),
        _ => String::new(),
    };
    let refuse = |why: &str| {
        invalid(
            "dateOfBirth",
            format!("{value:?} {why}; write YYYY-MM-DD, YYYY-MM or YYYY"),
        )
    };
    let date = chrono::NaiveDate::parse_from_str(&full, "%Y-%m-%d")
        .map_err(|_| refuse("is not a date"))?;
    if date.format("%Y-%m-%d").to_string() != full {
        return Err(refuse("is not a date"));
    }
    if date < chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(date) {
        return Err(refuse("is before 1900"));
    }
    if date > chrono::Utc::now().date_naive() {
        return Err(refuse("is in the future"));
    }
    Ok(Some(value))
}

pub(crate) fn weight_kg(value: Option<f64>) -> Result<Option<f64>, ItemError> {
    match value {
        Some(w) if !(w.is_finite() && w > 0.0 && w <= 1500.0) => Err(invalid(
            "weightKg",
            format!("{w} kg is not a weight PH accepts (above 0, at most 1500)"),
        )),
        other => Ok(other),
    }
}

pub(crate) fn microchip(value: Option<&str>) -> Result<Option<String>, ItemError> {
    let Some(value) = text("microchip", value)? else {
        return Ok(None);
    };
    if value.len() <= 32 && value.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(Some(value))
    } else {
        Err(invalid(
            "microchip",
            format!("{value:?} is not a microchip number (letters and digits, at most 32)"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_must_be_e164() {
        assert_eq!(
            phone("phone", Some(" +12175550143 ")).unwrap(),
            Some("+12175550143".into())
        );
        assert!(phone("phone", Some("217-555-0143")).is_err());
        assert!(phone("phone", Some("+0123456789")).is_err());
        assert_eq!(phone("phone", Some("  ")).unwrap(), None);
    }

    #[test]
    fn dates_of_birth_may_be_partial_but_real() {
        assert!(date_of_birth(Some("2020-02-29")).is_ok());
        assert!(date_of_birth(Some("2021-02-29")).is_err());
        assert!(date_of_birth(Some("2020-07")).is_ok());
        assert!(date_of_birth(Some("2020")).is_ok());
        assert!(date_of_birth(Some("1890")).is_err());
        assert!(date_of_birth(Some("3020-01-01")).is_err());
        assert!(date_of_birth(Some("20200101")).is_err());
    }

    #[test]
    fn species_and_sex_are_case_insensitive_and_stored_lowercase() {
        assert_eq!(species(" Dog ").unwrap(), "dog");
        assert_eq!(
            species("dragon").unwrap_err().field.as_deref(),
            Some("species")
        );
        assert_eq!(sex(Some("FEMALE")).unwrap(), Some("female".into()));
    }

    #[test]
    fn emails_and_countries() {
        assert!(email(Some("a@b.co")).is_ok());
        assert!(email(Some("a@b")).is_err());
        assert!(email(Some("a b@c.de")).is_err());
        assert_eq!(country(Some("us")).unwrap(), Some("US".into()));
        assert!(country(Some("USA")).is_err());
    }
}
