//! Splitting a one-line address into its parts, and the US/Canadian state tables that
//! needs.
//!
//! "123 Main St Apt 4, Springfield, IL 62704" → line 1 "123 Main St", line 2 "Apt 4",
//! city "Springfield", state "IL", postal code "62704". Works from the right, where the
//! structure is most regular (postal code, then state, then city), and only splits what
//! it recognizes: whatever is left stays in line 1 rather than being guessed into a city.

/// A one-line address split into canonical parts; unknown parts are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitAddress {
    /// Street address.
    pub line1: String,
    /// Apartment, suite, unit.
    pub line2: String,
    /// City.
    pub city: String,
    /// 2-letter state or province code.
    pub state: String,
    /// ZIP or postal code.
    pub postal_code: String,
}

pub use crate::canonical::vocab::{is_canadian_postal, is_zip, state_code, AU_STATES, STATES};
use crate::canonical::vocab::{STREET_WORDS, UNIT_WORDS};

fn clean_word(w: &str) -> String {
    w.trim_matches(|c: char| c == '.' || c == ',')
        .to_lowercase()
}

/// Splits a one-line address. Never fails; parts it cannot find are empty.
pub fn split_address(raw: &str) -> SplitAddress {
    let text = super::collapse(raw);
    let mut out = SplitAddress::default();
    if text.is_empty() {
        return out;
    }
    // Tokens with the commas kept as separate markers, so "Springfield, IL" keeps its boundary.
    let mut tokens: Vec<String> = Vec::new();
    for word in text.split(' ') {
        let trailing_comma = word.ends_with(',');
        let w = word.trim_end_matches(',');
        if !w.is_empty() {
            tokens.push(w.to_string());
        }
        if trailing_comma {
            tokens.push(",".into());
        }
    }
    let drop_commas = |tokens: &mut Vec<String>| {
        while tokens.last().is_some_and(|t| t == ",") {
            tokens.pop();
        }
    };
    drop_commas(&mut tokens);
    // Postal code: a ZIP, or a Canadian code written as one or two tokens.
    if let Some(last) = tokens.last() {
        if is_zip(last) {
            out.postal_code = last.clone();
            tokens.pop();
        } else if tokens.len() >= 2 {
            let pair = format!("{} {}", tokens[tokens.len() - 2], last);
            if is_canadian_postal(&pair) && last.len() == 3 {
                out.postal_code = pair.to_uppercase();
                tokens.truncate(tokens.len() - 2);
            } else if is_canadian_postal(last) {
                out.postal_code = last.to_uppercase();
                tokens.pop();
            }
        } else if is_canadian_postal(last) {
            out.postal_code = last.to_uppercase();
            tokens.pop();
        }
    }
    drop_commas(&mut tokens);
    // State: a 2-letter code or a name of up to four words, only when followed by the postal
    // code or preceded by a comma (otherwise "Main St" could lose "St").
    for len in (1..=4).rev() {
        if tokens.len() < len + 1 {
            continue;
        }
        let start = tokens.len() - len;
        let candidate = tokens[start..].join(" ");
        if candidate.contains(',') {
            continue;
        }
        if let Some(code) = state_code(&candidate) {
            let preceded_by_comma = tokens.get(start.wrapping_sub(1)).is_some_and(|t| t == ",");
            if !out.postal_code.is_empty() || preceded_by_comma {
                out.state = code.to_string();
                tokens.truncate(start);
                break;
            }
        }
    }
    drop_commas(&mut tokens);
    // Segments between commas: the last is the city when there is more than one.
    let mut segments: Vec<Vec<String>> = vec![Vec::new()];
    for t in tokens {
        if t == "," {
            segments.push(Vec::new());
        } else if let Some(seg) = segments.last_mut() {
            seg.push(t);
        }
    }
    segments.retain(|s| !s.is_empty());
    // European order, "Torstrasse 12, 10119 Berlin": a postal code opens the last part.
    if out.postal_code.is_empty() && out.state.is_empty() && segments.len() >= 2 {
        if let Some(last) = segments.last() {
            let first = last.first().map(String::as_str).unwrap_or("");
            let numeric =
                (4..=5).contains(&first.len()) && first.chars().all(|c| c.is_ascii_digit());
            if numeric
                && last.len() >= 2
                && last[1..]
                    .iter()
                    .all(|w| !w.chars().any(|c| c.is_ascii_digit()))
            {
                out.postal_code = first.to_string();
                out.city = last[1..].join(" ");
                segments.pop();
            }
        }
    }
    if !out.city.is_empty() {
        // Already found (European order).
    } else if segments.len() >= 2 && (!out.state.is_empty() || !out.postal_code.is_empty()) {
        if let Some(city) = segments.pop() {
            out.city = city.join(" ");
        }
    } else if segments.len() == 1 && (!out.state.is_empty() || !out.postal_code.is_empty()) {
        // "123 Main St Springfield IL 62704": the city is what follows the street type or unit.
        let seg = segments.remove(0);
        let starts_with_number = seg
            .first()
            .is_some_and(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()));
        if !starts_with_number {
            out.city = seg.join(" ");
        } else {
            let split_at = street_end(&seg);
            match split_at {
                Some(i) if i < seg.len() => {
                    out.city = seg[i..].join(" ");
                    segments.push(seg[..i].to_vec());
                }
                _ => segments.push(seg),
            }
        }
    }
    // Street: the first segments; a unit designator starts line 2.
    let street: Vec<String> = segments.into_iter().flatten().collect();
    match street.iter().position(|w| {
        let c = clean_word(w);
        UNIT_WORDS.contains(&c.as_str()) && c != "box" || w.starts_with('#')
    }) {
        Some(i) if i > 0 => {
            out.line1 = street[..i].join(" ");
            out.line2 = street[i..].join(" ");
        }
        _ => out.line1 = street.join(" "),
    }
    out
}

/// Index just after the street-type word and any unit that follows it, when there is one.
fn street_end(words: &[String]) -> Option<usize> {
    let pos = words
        .iter()
        .enumerate()
        .skip(1)
        .rfind(|(_, w)| STREET_WORDS.contains(&clean_word(w).as_str()))
        .map(|(i, _)| i)?;
    let mut end = pos + 1;
    // "Apt 4" / "#4" / "Suite 200B" after the street stays with the street.
    if let Some(w) = words.get(end) {
        let c = clean_word(w);
        if w.starts_with('#') {
            end += 1;
        } else if UNIT_WORDS.contains(&c.as_str()) {
            end += 2;
        }
    }
    Some(end.min(words.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_addresses() {
        insta::assert_debug_snapshot!([
            split_address("123 Main St Apt 4, Springfield, IL 62704"),
            split_address("123 Main St, Apt 4, Springfield, IL 62704-1234"),
            split_address("45 Oak Avenue, Toronto, ON M5V 2T6"),
            split_address("PO Box 12, Hometown, Texas 75001"),
            split_address("9 Elm Rd Springfield IL 62704"),
            split_address("9 Elm Rd #2B Springfield IL 62704"),
            split_address("Springfield, IL 62704"),
            split_address("12 Baker Street"),
            split_address("1600 Pennsylvania Ave NW, Washington, DC 20500"),
            split_address("Torstrasse 12, 10119 Berlin"),
            split_address(""),
        ]);
    }

    #[test]
    fn states_by_code_and_name() {
        assert_eq!(state_code("il"), Some("IL"));
        assert_eq!(state_code("New York"), Some("NY"));
        assert_eq!(state_code("Ont."), None);
        assert_eq!(state_code("Quebec"), Some("QC"));
        assert_eq!(state_code("Narnia"), None);
    }
}
