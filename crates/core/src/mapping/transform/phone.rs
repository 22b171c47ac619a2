//! Phone numbers to E.164, for the common cases.
//!
//! This is deliberately small: North American numbers, numbers already written with a
//! `+` country code, and national numbers of a few countries with a trunk `0`. Full
//! validation (the `phonenumber` crate) belongs to the validation step; anything this
//! cannot place is kept as written and reported, never dropped.

const TRUNK_ZERO_COUNTRIES: &[(&str, &str)] = &[
    ("GB", "44"),
    ("IE", "353"),
    ("AU", "61"),
    ("NZ", "64"),
    ("DE", "49"),
    ("NL", "31"),
    ("FR", "33"),
    ("ES", "34"),
    ("FI", "358"),
    ("SE", "46"),
    ("BE", "32"),
    ("AT", "43"),
    ("CH", "41"),
    ("IT", "39"),
    ("ZA", "27"),
];

/// A phone number split from its extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// E.164 (`+12175550143`), or `None` when it could not be placed.
    pub e164: Option<String>,
    /// An extension written after the number ("x204", "ext. 3").
    pub extension: Option<String>,
}

/// Parses a phone number with `country` (ISO alpha-2) as the default.
pub fn parse_phone(raw: &str, country: &str) -> Phone {
    // ASCII lowercase keeps byte offsets equal to `raw`'s, so slicing `raw` below is safe.
    let lower = raw.to_ascii_lowercase();
    let (number, extension) = match ["extension", "ext.", "ext", " x", "#"]
        .iter()
        .find_map(|m| lower.find(m).map(|i| (i, m.len())))
    {
        Some((i, len)) if lower[..i].chars().filter(char::is_ascii_digit).count() >= 7 => {
            let ext: String = lower[i + len..]
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            (&raw[..i], (!ext.is_empty()).then_some(ext))
        }
        _ => (raw, None),
    };
    let plus = number.trim_start().starts_with('+') || number.trim_start().starts_with("00");
    let mut digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if number.trim_start().starts_with("00") {
        digits = digits.get(2..).unwrap_or_default().to_string();
    }
    let country = country.to_ascii_uppercase();
    let e164 = if plus {
        (8..=15)
            .contains(&digits.len())
            .then(|| format!("+{digits}"))
    } else if country == "US" || country == "CA" || country.is_empty() {
        match digits.len() {
            10 if nanp_ok(&digits) => Some(format!("+1{digits}")),
            11 if digits.starts_with('1') && nanp_ok(&digits[1..]) => Some(format!("+{digits}")),
            _ => None,
        }
    } else if let Some((_, cc)) = TRUNK_ZERO_COUNTRIES.iter().find(|(c, _)| *c == country) {
        if digits.starts_with('0') && digits.len() >= 8 {
            Some(format!("+{cc}{}", &digits[1..]))
        } else if digits.starts_with(cc) && digits.len() >= 10 {
            Some(format!("+{digits}"))
        } else {
            None
        }
    } else {
        None
    };
    Phone { e164, extension }
}

/// North American numbers: area code and exchange do not start with 0 or 1.
fn nanp_ok(ten: &str) -> bool {
    let b = ten.as_bytes();
    b.len() == 10 && b[0] >= b'2' && b[3] >= b'2'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        let cases = [
            ("(217) 555-0143", "US"),
            ("217.555.0199", "US"),
            ("1-217-555-0199", "US"),
            ("+44 20 7946 0958", "US"),
            ("020 7946 0958", "GB"),
            ("217-555-0143 x204", "US"),
            ("555-0143", "US"),
            ("", "US"),
            ("0401 234 567", "AU"),
            ("(217) 555-0143 ext. 3", "US"),
        ];
        let out: Vec<(&str, Phone)> = cases.iter().map(|(p, c)| (*p, parse_phone(p, c))).collect();
        insta::assert_debug_snapshot!(out);
    }
}
