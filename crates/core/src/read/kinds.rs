//! Guesses what a column holds from its values alone, as a hint for people and for mapping.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What most values of a column look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ValueKind {
    /// No values at all in the rows looked at.
    Empty,
    /// E-mail addresses.
    Email,
    /// Telephone numbers.
    Phone,
    /// Dates, with or without a time.
    Date,
    /// US ZIP codes (5 digits or ZIP+4) or Canadian postal codes.
    Zip,
    /// Numbers, including decimals.
    Number,
    /// Anything else.
    Text,
    /// Identifiers: numbers or codes in a column named like an ID (`Client ID`, `Acct #`),
    /// which their values alone would take for ZIP codes or amounts.
    Id,
}

/// The kind of a column named `header` whose values are of kind `kind`: numbers and
/// ZIP-shaped values under an ID-like name are identifiers.
pub fn with_header(header: &str, kind: ValueKind) -> ValueKind {
    if matches!(kind, ValueKind::Zip | ValueKind::Number | ValueKind::Text) && id_like(header) {
        ValueKind::Id
    } else {
        kind
    }
}

/// Whether a column name says it holds identifiers: `ID`, `Client ID`, `PatientId`,
/// `Acct #`, `Account No`, `Chart Number`, `Owner No.`.
fn id_like(header: &str) -> bool {
    let h = header.trim();
    if h.ends_with('#') || h.ends_with("Id") || h.ends_with("ID") {
        return true;
    }
    let lower = h.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            matches!(
                w,
                "id" | "no" | "nr" | "num" | "number" | "acct" | "account" | "ref"
            )
        })
}

/// The kind that at least 80% of the non-empty values share, else `Text`.
pub fn infer<'a>(values: impl IntoIterator<Item = &'a str>) -> ValueKind {
    let mut counts = [0usize; 8];
    let mut total = 0usize;
    for v in values {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        total += 1;
        let k = classify(v);
        counts[k as usize] += 1;
    }
    if total == 0 {
        return ValueKind::Empty;
    }
    const ORDER: [ValueKind; 5] = [
        ValueKind::Email,
        ValueKind::Date,
        ValueKind::Zip,
        ValueKind::Phone,
        ValueKind::Number,
    ];
    for kind in ORDER {
        if counts[kind as usize] * 5 >= total * 4 {
            return kind;
        }
    }
    // ZIP codes are numbers too: a column mixing 5-digit and other numbers is numeric.
    if (counts[ValueKind::Number as usize] + counts[ValueKind::Zip as usize]) * 5 >= total * 4 {
        return ValueKind::Number;
    }
    ValueKind::Text
}

/// The kind of one non-empty, trimmed value.
pub fn classify(v: &str) -> ValueKind {
    if is_email(v) {
        ValueKind::Email
    } else if is_date(v) {
        ValueKind::Date
    } else if is_zip(v) {
        ValueKind::Zip
    } else if is_phone(v) {
        ValueKind::Phone
    } else if is_number(v) {
        ValueKind::Number
    } else {
        ValueKind::Text
    }
}

fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !v.contains(char::is_whitespace)
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

fn is_date(v: &str) -> bool {
    // Dates with a time keep only the date part for this test.
    let date = v.split([' ', 'T']).next().unwrap_or(v);
    let parts: Vec<&str> = date.split(['/', '-', '.']).collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let nums: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if nums.len() != 3 {
        return false;
    }
    match lens.as_slice() {
        // 2024-03-14
        [4, 1..=2, 1..=2] => (1..=12).contains(&nums[1]) && (1..=31).contains(&nums[2]),
        // 03/14/2024, 14.03.2024, 3/4/24
        [1..=2, 1..=2, 2 | 4] => {
            (1..=31).contains(&nums[0])
                && (1..=31).contains(&nums[1])
                && (nums[0] <= 12 || nums[1] <= 12)
        }
        _ => false,
    }
}

fn is_zip(v: &str) -> bool {
    let b = v.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    match b.len() {
        5 => digits(b),
        10 => digits(&b[..5]) && b[5] == b'-' && digits(&b[6..]),
        // Canadian: A1A 1A1 or A1A1A1
        6 | 7 => {
            let s: Vec<u8> = b.iter().copied().filter(|c| *c != b' ').collect();
            s.len() == 6
                && s.iter().enumerate().all(|(i, c)| {
                    if i % 2 == 0 {
                        c.is_ascii_alphabetic()
                    } else {
                        c.is_ascii_digit()
                    }
                })
        }
        _ => false,
    }
}

fn is_phone(v: &str) -> bool {
    if !v
        .bytes()
        .all(|b| b.is_ascii_digit() || b" ()-.+/x".contains(&b) || b.is_ascii_alphabetic())
    {
        return false;
    }
    // Extensions ("x123", "ext. 4") are allowed after the number.
    let main = v
        .to_ascii_lowercase()
        .split(|c: char| c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_owned();
    let digits = main.bytes().filter(u8::is_ascii_digit).count();
    let has_separator = main.bytes().any(|b| b" ()-.+".contains(&b));
    (7..=15).contains(&digits) && (has_separator || digits == 10 || digits == 11)
}

fn is_number(v: &str) -> bool {
    let cleaned: String = v.chars().filter(|c| *c != ',').collect();
    !cleaned.is_empty() && cleaned.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_everyday_values() {
        assert_eq!(classify("jose.muller@example.com"), ValueKind::Email);
        assert_eq!(classify("03/14/2016"), ValueKind::Date);
        assert_eq!(classify("2012-07-01"), ValueKind::Date);
        assert_eq!(classify("14.03.2016"), ValueKind::Date);
        assert_eq!(classify("02134"), ValueKind::Zip);
        assert_eq!(classify("62704-1234"), ValueKind::Zip);
        assert_eq!(classify("K1A 0B1"), ValueKind::Zip);
        assert_eq!(classify("(217) 555-0143"), ValueKind::Phone);
        assert_eq!(classify("217.555.0143 x12"), ValueKind::Phone);
        assert_eq!(classify("+1 617 555 0110"), ValueKind::Phone);
        assert_eq!(classify("72.4"), ValueKind::Number);
        assert_eq!(classify("1,250"), ValueKind::Number);
        assert_eq!(classify("Biscuit"), ValueKind::Text);
        assert_eq!(classify("13/13/2020"), ValueKind::Text);
    }

    #[test]
    fn a_column_needs_four_fifths_agreement() {
        assert_eq!(
            infer(["a@b.co", "c@d.org", "", "e@f.net", "g@h.io"]),
            ValueKind::Email
        );
        assert_eq!(infer(["a@b.co", "none", "n/a", "e@f.net"]), ValueKind::Text);
        assert_eq!(infer(["", " "]), ValueKind::Empty);
        assert_eq!(infer(["10023", "10031", "7", "12"]), ValueKind::Number);
    }

    #[test]
    fn a_column_named_like_an_id_holds_identifiers_not_zip_codes() {
        assert_eq!(with_header("Client ID", ValueKind::Zip), ValueKind::Id);
        assert_eq!(with_header("Acct #", ValueKind::Number), ValueKind::Id);
        assert_eq!(with_header("PatientId", ValueKind::Text), ValueKind::Id);
        assert_eq!(with_header("Owner No.", ValueKind::Number), ValueKind::Id);
        assert_eq!(with_header("Zip", ValueKind::Zip), ValueKind::Zip);
        assert_eq!(with_header("Weight", ValueKind::Number), ValueKind::Number);
        // Words that merely contain the letters stay as they are.
        assert_eq!(with_header("Notes", ValueKind::Text), ValueKind::Text);
        assert_eq!(with_header("Video link", ValueKind::Text), ValueKind::Text);
        assert_eq!(with_header("Client ID", ValueKind::Email), ValueKind::Email);
    }
}
