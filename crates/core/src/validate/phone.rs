//! Phone numbers: placeholders, spreadsheet damage, E.164 via `phonenumber`, extensions.

use std::sync::OnceLock;

use super::e164::parse_phone;
use crate::canonical::Severity;
use crate::canonical::{Output, Problem};

fn placeholders() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| super::data_lines(include_str!("data/placeholder_phones.txt")).collect())
}

/// Whether a number stands for "no phone": 000-000-0000, 555-5555, 123-456-7890…
pub fn is_placeholder(raw: &str) -> bool {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        // "none", "n/a", "-": no digits at all is no number.
        return raw.chars().any(char::is_alphanumeric) && raw.trim().chars().count() <= 8;
    }
    let national = if digits.len() == 11 {
        digits.strip_prefix('1').unwrap_or(&digits)
    } else {
        &digits
    };
    let same = national
        .bytes()
        .all(|b| Some(&b) == national.as_bytes().first());
    (same && national.len() >= 7) || placeholders().contains(&national)
}

/// Whether a value is a number a spreadsheet turned into scientific notation
/// (`9.85E+14`, `2.17555E+9`): its last digits are gone for good.
pub fn is_excel_mangled(raw: &str) -> bool {
    let t = raw.trim();
    // The first "E+" or "e+" (checked on every microchip, phone and ID: no copy).
    let Some(at) = t
        .as_bytes()
        .windows(2)
        .position(|w| matches!(w[0], b'E' | b'e') && w[1] == b'+')
    else {
        return false;
    };
    let (mantissa, exponent) = (&t[..at], &t[at + 2..]);
    let mantissa_ok = !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.chars().filter(|c| *c == '.').count() <= 1;
    mantissa_ok && !exponent.is_empty() && exponent.chars().all(|c| c.is_ascii_digit())
}

/// Normalizes one phone cell with `country` (ISO alpha-2, the clinic's) as the default.
/// Placeholders become empty (`placeholder_phone`), scientific notation is reported
/// (`excel_mangled_number`), valid numbers become E.164 with an extension reported
/// (`phone_extension`), and anything else is kept as written (`invalid_phone`).
/// Idempotent: an E.164 value comes back unchanged and without problems.
pub fn check_phone(raw: &str, country: &str) -> Output {
    // Collapsed first, so that what is kept as written is judged the same way next time.
    let collapsed = crate::canonical::text::collapse_borrowed(raw);
    let text = collapsed.as_ref();
    if text.is_empty() {
        return Output::default();
    }
    if is_excel_mangled(text) {
        return Output::problem(
            "",
            "excel_mangled_number",
            Severity::Warning,
            format!("\"{text}\" was turned into scientific notation by a spreadsheet and its last digits are lost; left empty"),
        );
    }
    if is_placeholder(text) {
        return Output::problem(
            "",
            "placeholder_phone",
            Severity::Warning,
            format!("\"{text}\" stands for \"no phone\"; treated as missing"),
        );
    }
    let parsed = parse_phone(text, country);
    match parsed.e164 {
        Some(e164) => {
            let mut out = Output::ok(e164);
            if let Some(ext) = parsed.extension {
                out.problems.push(Problem::new(
                    "phone_extension",
                    Severity::Warning,
                    format!("extension {ext} of \"{text}\" cannot be kept in E.164; add it to a note"),
                ).suggest(ext));
            }
            out
        }
        None => {
            let digits = text.chars().filter(char::is_ascii_digit).count();
            let why = if digits == 7 {
                "has no area code"
            } else {
                "is not a valid phone number"
            };
            Output::problem(
                text,
                "invalid_phone",
                Severity::Warning,
                format!("\"{text}\" {why} for {country}; kept as written"),
            )
        }
    }
}
