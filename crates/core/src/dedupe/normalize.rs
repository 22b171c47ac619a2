//! The comparable form of the values that identify a person: folded names, e-mail, phone
//! digits and the parts of a street address.
//!
//! Canonical records are already validated and normalized for PH; matching needs a
//! coarser form on top, where accents, case, punctuation, street-type abbreviations and
//! phone formatting no longer tell two spellings of the same thing apart.

// Each form has an `_into` twin that appends to a buffer: a fingerprint is built from eleven
// of them per client, a million times, and allocating each part was a cost in the profile.

/// Lower-case ASCII letters and digits of `s`, words separated by one space (accents
/// folded: `Zoë Müller` → `zoe muller`).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`], appended to `out`.
pub fn fold_into(s: &str, out: &mut String) {
    let start = out.len();
    let push = |c: char, out: &mut String| {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if out.len() > start && !out.ends_with(' ') {
            out.push(' ');
        }
    };
    for c in s.chars() {
        if c.is_ascii() {
            push(c, out);
        } else {
            // Rare outside names with accents; deunicode knows every script's transliteration.
            for d in deunicode::deunicode_char(c).unwrap_or(" ").chars() {
                push(d, out);
            }
        }
    }
    if out.len() > start && out.ends_with(' ') {
        out.pop();
    }
}

/// A person's name for comparison: folded, particles and hyphens joined (`Van der Berg`,
/// `vanderberg`, `Van-Der-Berg` compare equal), suffixes such as `Jr` dropped.
pub fn name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    name_into(s, &mut out, &mut String::new());
    out
}

/// [`name`], appended to `out`; `scratch` is working space.
pub fn name_into(s: &str, out: &mut String, scratch: &mut String) {
    scratch.clear();
    fold_into(s, scratch);
    for word in scratch.split(' ') {
        if crate::canonical::vocab::SUFFIXES.contains(&word) {
            continue;
        }
        out.push_str(word);
    }
}

/// A given name for comparison: the first word only (middle names and initials are
/// recorded so inconsistently that they say nothing), folded.
pub fn given_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    given_name_into(s, &mut out);
    out
}

/// [`given_name`], appended to `out`.
pub fn given_name_into(s: &str, out: &mut String) {
    let start = out.len();
    fold_into(s, out);
    if let Some(space) = out[start..].find(' ') {
        out.truncate(start + space);
    }
}

/// An e-mail address for comparison: lower case; for Gmail, dots and `+tags` of the
/// local part dropped, as Gmail itself ignores them.
pub fn email(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    email_into(s, &mut out);
    out
}

/// [`email`], appended to `out`.
pub fn email_into(s: &str, out: &mut String) {
    let start = out.len();
    out.extend(s.trim().chars().map(|c| c.to_ascii_lowercase()));
    let Some((local, domain)) = out[start..].rsplit_once('@') else {
        return;
    };
    if matches!(domain, "gmail.com" | "googlemail.com") {
        let local: String = local
            .split('+')
            .next()
            .unwrap_or(local)
            .chars()
            .filter(|&c| c != '.')
            .collect();
        out.truncate(start);
        out.push_str(&local);
        out.push_str("@gmail.com");
    }
}

/// A phone number for comparison: its last nine digits, which leave out country codes and
/// trunk prefixes of every length (`+61 412 345 678` and `0412 345 678`; `+1 217 555 0143`
/// and `(217) 555-0143`) and still tell a town's numbers apart; empty when it has fewer
/// than seven digits, which cannot identify anyone.
pub fn phone(s: &str) -> String {
    let mut out = String::new();
    phone_into(s, &mut out);
    out
}

/// [`phone`], appended to `out`.
pub fn phone_into(s: &str, out: &mut String) {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    if digits < 7 {
        return;
    }
    let skip = digits.saturating_sub(9);
    out.extend(s.chars().filter(char::is_ascii_digit).skip(skip));
}

/// A postal code for comparison: upper-case letters and digits (`k1a 0b1` → `K1A0B1`); a
/// ZIP+4 keeps its five-digit ZIP.
pub fn postal_code(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    postal_code_into(s, &mut out);
    out
}

/// [`postal_code`], appended to `out`.
pub fn postal_code_into(s: &str, out: &mut String) {
    let start = out.len();
    out.extend(
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase()),
    );
    let code = &out[start..];
    if code.len() == 9 && code.bytes().all(|b| b.is_ascii_digit()) {
        out.truncate(start + 5);
    }
}

/// A street line split into its house number and its street name, the street type
/// written out (`12B Main St.` → (`12b`, `main street`)).
pub fn street(line: &str) -> (String, String) {
    let mut out = String::with_capacity(line.len() + 8);
    let number_end = street_into(line, &mut out, &mut String::new());
    let street = out.split_off(number_end);
    (out, street)
}

/// [`street`], the house number then the street name appended to `out`; returns where the
/// number ends. `scratch` is working space.
pub fn street_into(line: &str, out: &mut String, scratch: &mut String) -> usize {
    scratch.clear();
    fold_into(line, scratch);
    let mut words = scratch.split(' ').filter(|w| !w.is_empty()).peekable();
    if let Some(number) = words.next_if(|w| w.starts_with(|c: char| c.is_ascii_digit())) {
        out.push_str(number);
    }
    let number_end = out.len();
    push_written_out(words, out);
    number_end
}

/// Any address line with its abbreviations written out (`Apt 4` → `apartment 4`).
pub fn address_words(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    address_words_into(line, &mut out, &mut String::new());
    out
}

/// [`address_words`], appended to `out`; `scratch` is working space.
pub fn address_words_into(line: &str, out: &mut String, scratch: &mut String) {
    scratch.clear();
    fold_into(line, scratch);
    push_written_out(scratch.split(' ').filter(|w| !w.is_empty()), out);
}

/// `words` with their abbreviations written out, one space between them.
fn push_written_out<'a>(words: impl Iterator<Item = &'a str>, out: &mut String) {
    for (i, word) in words.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(crate::canonical::vocab::written_out(word));
    }
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
