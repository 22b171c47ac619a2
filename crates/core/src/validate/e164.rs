//! Phone numbers to E.164 with the `phonenumber` crate (Google's libphonenumber metadata).
//!
//! The clinic's country is the default for numbers written without a country code. An
//! extension ("x204", "ext. 3") is split off first, because E.164 cannot hold one and
//! libphonenumber would otherwise read its digits as part of the number. What this cannot
//! place is reported by the caller and kept as written, never dropped.

use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::Mode;

/// A phone number split from its extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// E.164 (`+12175550143`), or `None` when it is not a valid number.
    pub e164: Option<String>,
    /// An extension written after the number ("x204", "ext. 3").
    pub extension: Option<String>,
}

/// Splits an extension off a phone number: `("217-555-0143 ", Some("204"))`.
pub fn split_extension(raw: &str) -> (&str, Option<String>) {
    // Every marker has an x or a #: most numbers have neither, and skip the copy below.
    if !raw.bytes().any(|b| matches!(b, b'x' | b'X' | b'#')) {
        return (raw, None);
    }
    // ASCII lowercase keeps byte offsets equal to `raw`'s, so slicing `raw` below is safe.
    let lower = raw.to_ascii_lowercase();
    match ["extension", "ext.", "ext", " x", "x", "#"]
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
    }
}

/// Parses a phone number with `country` (ISO alpha-2) as the default.
pub fn parse_phone(raw: &str, country: &str) -> Phone {
    let (number, extension) = split_extension(raw);
    let number = number.trim();
    // "0044 20…": the international prefix written as 00 instead of +.
    let owned;
    let number = match number.strip_prefix("00") {
        Some(rest) if rest.chars().filter(char::is_ascii_digit).count() >= 8 => {
            owned = format!("+{rest}");
            owned.as_str()
        }
        _ => number,
    };
    let upper;
    let code = if country.bytes().all(|b| b.is_ascii_uppercase()) {
        country
    } else {
        upper = country.trim().to_ascii_uppercase();
        upper.as_str()
    };
    let id = Id::from_str(code).unwrap_or(Id::US);
    if let Some(national) = nanp_national(number, id) {
        let e164 = nanp_valid(&national).then(|| format!("+1{national}"));
        return Phone { e164, extension };
    }
    let e164 = phonenumber::parse(Some(id), number)
        .ok()
        .filter(plausible)
        .map(|n| n.format().mode(Mode::E164).to_string());
    Phone { e164, extension }
}

/// The 10 national digits of a plainly written North American number ("(217) 555-0143",
/// "1-217-555-0143", "+1 217 555 0143") when the default country is in the NANP or the
/// number says +1; `None` for anything else, which goes through the full parser.
fn nanp_national(number: &str, id: Id) -> Option<String> {
    if !number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '-' | '.' | '+'))
    {
        return None;
    }
    let plus = number.starts_with('+');
    let mut digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match (digits.len(), plus) {
        (11, _) if digits.starts_with('1') => {
            digits.remove(0);
            Some(digits)
        }
        (10, false) if matches!(id, Id::US | Id::CA) => Some(digits),
        _ => None,
    }
}

/// Whether a North American number is valid: its area code and exchange (the first 6
/// digits) looked up in a table generated from libphonenumber's metadata
/// (`examples/nanp_exchanges.rs`). NANP numbering assigns whole exchanges, which is what
/// libphonenumber's North American ranges describe, and parsing costs ~10 µs a number
/// where a million-row file has millions of phones.
fn nanp_valid(national: &str) -> bool {
    let Some(prefix) = national.get(..6).and_then(|p| p.parse::<usize>().ok()) else {
        return false;
    };
    nanp_exchanges().get(prefix).copied().unwrap_or(false)
}

/// Every valid area code and exchange, indexed by the 6-digit prefix.
fn nanp_exchanges() -> &'static [bool] {
    static TABLE: std::sync::OnceLock<Vec<bool>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![false; 1_000_000];
        for line in super::data_lines(include_str!("data/nanp_exchanges.txt")) {
            let Some((npa, ranges)) = line.split_once(' ') else {
                continue;
            };
            let Ok(npa) = npa.parse::<usize>() else {
                continue;
            };
            for range in ranges.split(',') {
                let (from, to) = range.split_once('-').unwrap_or((range, range));
                if let (Ok(from), Ok(to)) = (from.parse::<usize>(), to.parse::<usize>()) {
                    for nxx in from..=to.min(999) {
                        table[npa * 1000 + nxx] = true;
                    }
                }
            }
        }
        table
    })
}

/// North American numbers must be valid by the numbering plan (area code and exchange),
/// which is where typing errors show. Elsewhere a number of a possible length is taken:
/// libphonenumber's per-range validity rejects ranges reserved for fiction and new
/// allocations its metadata has not caught up with, and such numbers still reach people.
fn plausible(n: &phonenumber::PhoneNumber) -> bool {
    if phonenumber::is_valid(n) {
        return true;
    }
    let national = n.national().value().to_string();
    n.code().value() != 1 && (7..=12).contains(&national.len())
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

    /// The generated table agrees with libphonenumber on whole numbers, last digits included.
    #[test]
    fn nanp_table_agrees_with_libphonenumber() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let national = format!("{:010}", 2_000_000_000 + next() % 8_000_000_000);
            let expected = phonenumber::parse(Some(Id::US), format!("+1{national}"))
                .ok()
                .is_some_and(|n| phonenumber::is_valid(&n));
            assert_eq!(nanp_valid(&national), expected, "{national}");
        }
        assert!(nanp_valid("2175550143"));
        assert!(!nanp_valid("5551234567"));
        assert!(!nanp_valid("12345"));
    }
}
