//! Control characters in text fields: invisible in PH's screens, and in a terminal or an old
//! report they can move the cursor, clear the screen or reverse text. They are taken out of
//! names, addresses and pet descriptions, and the record says so.

use crate::canonical::{Field, Severity};

use super::{Issue, Problem};

/// The text fields of a client that may not hold control characters.
pub(super) const CLIENT_FIELDS: [Field; 9] = [
    Field::ClientFirstName,
    Field::ClientLastName,
    Field::ClientEmail,
    Field::ClientAddressLine1,
    Field::ClientAddressLine2,
    Field::ClientCity,
    Field::ClientState,
    Field::ClientPostalCode,
    Field::ClientCountry,
];

/// The text fields of a patient that may not hold control characters.
pub(super) const PATIENT_FIELDS: [Field; 5] = [
    Field::PatientName,
    Field::PatientSpecies,
    Field::PatientBreed,
    Field::PatientColor,
    Field::PatientMicrochip,
];

/// Characters that control a display rather than show: C0 and C1 controls, DEL, and the
/// bidirectional overrides and isolates that make text read backwards.
fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Shows a control character as its code (`\x1b`, `\u{202e}`), so a message can name it.
fn code(c: char) -> String {
    if (c as u32) < 0x80 {
        format!("\\x{:02x}", c as u32)
    } else {
        format!("\\u{{{:x}}}", c as u32)
    }
}

/// `value` without its control characters (a line break or tab becomes a space), and the
/// issue saying so; None when it holds none (nearly always: one scan, no copy).
pub(super) fn strip(field: Field, value: &str) -> Option<(String, Issue)> {
    // Bytes first: plain printable ASCII (nearly every value) needs no decoding.
    let suspect = value.bytes().any(|b| !(0x20..0x7F).contains(&b));
    if !suspect || !value.chars().any(is_control) {
        return None;
    }
    let mut kept = String::with_capacity(value.len());
    let mut seen: Vec<String> = Vec::new();
    let mut removed = 0;
    for c in value.chars() {
        if is_control(c) {
            removed += 1;
            let shown = code(c);
            if seen.len() < 5 && !seen.contains(&shown) {
                seen.push(shown);
            }
            if matches!(c, '\n' | '\r' | '\t') {
                kept.push(' ');
            }
        } else {
            kept.push(c);
        }
    }
    let kept = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    // The value in the finding shows the controls as codes, never raw.
    let shown: String = value
        .chars()
        .map(|c| {
            if is_control(c) {
                code(c)
            } else {
                c.to_string()
            }
        })
        .collect();
    let problem = Problem::new(
        "control_characters",
        Severity::Warning,
        format!(
            "{} held {removed} control character(s) ({}), which were removed; check that what is left is right",
            field.key(),
            seen.join(", ")
        ),
    );
    Some((kept, Issue::new(field, problem, &shown)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_overrides_are_removed_and_named() {
        let (kept, issue) =
            strip(Field::ClientLastName, "Smith\u{1b}]0;pwned\u{7}\u{1b}[2J").expect("controls");
        assert_eq!(kept, "Smith]0;pwned[2J");
        assert_eq!(issue.problem.code, "control_characters");
        assert_eq!(issue.value, "Smith\\x1b]0;pwned\\x07\\x1b[2J");
        assert!(
            issue
                .problem
                .message
                .contains("3 control character(s) (\\x1b, \\x07)"),
            "{}",
            issue.problem.message
        );
        let (kept, _) = strip(Field::PatientName, "Rex\u{202E}yllaS\u{9d}").expect("controls");
        assert_eq!(kept, "RexyllaS");
        let (kept, _) = strip(Field::ClientAddressLine1, "12 Main St\r\nApt 4").expect("controls");
        assert_eq!(kept, "12 Main St Apt 4");
        assert!(strip(Field::ClientCity, "Zürich — Ost").is_none());
    }
}
