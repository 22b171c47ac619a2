//! The comparable form of the values that identify a person: folded names, e-mail, phone
//! digits and the parts of a street address.
//!
//! Canonical records are already validated and normalized for PH; matching needs a
//! coarser form on top, where accents, case, punctuation, street-type abbreviations and
//! phone formatting no longer tell two spellings of the same thing apart.

/// Lower-case ASCII letters and digits of `s`, words separated by one space (accents
/// folded: `Zoë Müller` → `zoe muller`).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let push = |c: char, out: &mut String| {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    };
    for c in s.chars() {
        if c.is_ascii() {
            push(c, &mut out);
        } else {
            // Rare outside names with accents; deunicode knows every script's transliteration.
            for d in deunicode::deunicode_char(c).unwrap_or(" ").chars() {
                push(d, &mut out);
            }
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A person's name for comparison: folded, particles and hyphens joined (`Van der Berg`,
/// `vanderberg`, `Van-Der-Berg` compare equal), suffixes such as `Jr` dropped.
pub fn name(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(' ') {
        if crate::canonical::vocab::SUFFIXES.contains(&word) {
            continue;
        }
        out.push_str(word);
    }
    out
}

/// A given name for comparison: the first word only (middle names and initials are
/// recorded so inconsistently that they say nothing), folded.
pub fn given_name(s: &str) -> String {
    let folded = fold(s);
    folded.split(' ').next().unwrap_or_default().to_owned()
}

/// An e-mail address for comparison: lower case; for Gmail, dots and `+tags` of the
/// local part dropped, as Gmail itself ignores them.
pub fn email(s: &str) -> String {
    let s = s.trim().to_ascii_lowercase();
    let Some((local, domain)) = s.rsplit_once('@') else {
        return s;
    };
    if matches!(domain, "gmail.com" | "googlemail.com") {
        let local = local.split('+').next().unwrap_or(local).replace('.', "");
        return format!("{local}@gmail.com");
    }
    s
}

/// A phone number for comparison: its last nine digits, which leave out country codes and
/// trunk prefixes of every length (`+61 412 345 678` and `0412 345 678`; `+1 217 555 0143`
/// and `(217) 555-0143`) and still tell a town's numbers apart; empty when it has fewer
/// than seven digits, which cannot identify anyone.
pub fn phone(s: &str) -> String {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).collect();
    if digits.len() < 7 {
        return String::new();
    }
    String::from_utf8_lossy(&digits[digits.len().saturating_sub(9)..]).into_owned()
}

/// A postal code for comparison: upper-case letters and digits (`k1a 0b1` → `K1A0B1`); a
/// ZIP+4 keeps its five-digit ZIP.
pub fn postal_code(s: &str) -> String {
    let out: String = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if out.len() == 9 && out.bytes().all(|b| b.is_ascii_digit()) {
        return out[..5].to_owned();
    }
    out
}

/// A street line split into its house number and its street name, the street type
/// written out (`12B Main St.` → (`12b`, `main street`)).
pub fn street(line: &str) -> (String, String) {
    let folded = fold(line);
    let mut number = String::new();
    let mut words = Vec::new();
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        if number.is_empty() && words.is_empty() && word.starts_with(|c: char| c.is_ascii_digit()) {
            number = word.to_owned();
            continue;
        }
        words.push(crate::canonical::vocab::written_out(word));
    }
    (number, words.join(" "))
}

/// Any address line with its abbreviations written out (`Apt 4` → `apartment 4`).
pub fn address_words(line: &str) -> String {
    let folded = fold(line);
    let words: Vec<&str> = folded
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(crate::canonical::vocab::written_out)
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_accents_case_and_punctuation() {
        assert_eq!(fold("  Zoë  Müller-Smith "), "zoe muller smith");
        assert_eq!(fold("O'Brien"), "o brien");
        assert_eq!(name("Van der Berg Jr."), "vanderberg");
        assert_eq!(name("O'Brien"), name("OBrien"));
        assert_eq!(given_name("Mary Ann"), "mary");
    }

    #[test]
    fn emails_compare_as_their_mailbox() {
        assert_eq!(email(" J.Smith+vet@GMail.com"), "jsmith@gmail.com");
        assert_eq!(email("J.Smith@example.com"), "j.smith@example.com");
    }

    #[test]
    fn phones_compare_by_national_number() {
        assert_eq!(phone("+1 (217) 555-0143"), "175550143");
        assert_eq!(phone("217.555.0143"), "175550143");
        assert_eq!(phone("+61 412 345 678"), "412345678");
        assert_eq!(phone("0412 345 678"), "412345678");
        assert_eq!(phone("555"), "");
    }

    #[test]
    fn streets_split_into_number_and_written_out_name() {
        assert_eq!(
            street("12B Main St."),
            ("12b".to_owned(), "main street".to_owned())
        );
        assert_eq!(
            street("Main Street"),
            (String::new(), "main street".to_owned())
        );
        assert_eq!(postal_code("62704-1234"), "62704");
        assert_eq!(postal_code("k1a 0b1"), "K1A0B1");
    }
}
