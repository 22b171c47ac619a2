//! Splitting a person's name written in one cell into first and last name.
//!
//! PIMS exports write owner names in many shapes: "Smith, John", "John A. Smith",
//! "Dr. Jane Doe Jr.", "SMITH JOHN & MARY". Titles are dropped (they are not names),
//! suffixes stay with the last name (they are part of it on letters), middle initials are
//! dropped, and a second owner joined with "&"/"and" is returned separately so the caller
//! can say it was not imported rather than lose it silently.

/// A name split into its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitName {
    /// Given name(s), without middle initials.
    pub first: String,
    /// Family name, with particles ("van der Berg") and suffixes ("Jr.").
    pub last: String,
    /// A second person in the same cell ("John & Mary Smith" → "Mary Smith").
    pub second: Option<String>,
}

use crate::canonical::vocab::{SUFFIXES, TITLES};
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "del", "della", "da", "di", "la", "le", "du", "dos", "das",
    "st", "ter", "ten", "bin", "al",
];

fn bare(word: &str) -> String {
    word.trim_matches(|c: char| c == '.' || c == ',')
        .to_lowercase()
}

fn is_title(word: &str) -> bool {
    TITLES.contains(&bare(word).as_str())
}

fn is_suffix(word: &str) -> bool {
    SUFFIXES.contains(&bare(word).as_str())
}

fn is_initial(word: &str) -> bool {
    let b = word.trim_end_matches('.');
    b.chars().count() == 1 && b.chars().all(char::is_alphabetic)
}

fn is_conjunction(word: &str) -> bool {
    matches!(bare(word).as_str(), "&" | "and" | "+" | "und" | "et" | "y")
}

/// Splits one cell holding a person's name. Never fails: an unusable cell gives empty parts.
pub fn split_name(raw: &str) -> SplitName {
    let text = super::collapse(raw);
    if text.is_empty() {
        return SplitName::default();
    }
    // `Riverside Kennels LLC` is no person: PH takes a client with a last name only.
    if crate::canonical::vocab::is_organisation(&text) {
        return SplitName {
            first: String::new(),
            last: text.to_string(),
            second: None,
        };
    }
    // "Smith, John" / "Smith, John & Mary" / "Doe Jr., Jane": the comma puts the family name first.
    // "Jane Doe, Jr." is not that: a comma followed only by a suffix.
    if let Some((before, after)) = text.split_once(',') {
        let after_words: Vec<&str> = after.split_whitespace().collect();
        let only_suffix = !after_words.is_empty() && after_words.iter().all(|w| is_suffix(w));
        if !only_suffix && !before.trim().is_empty() && !after_words.is_empty() {
            let last_words: Vec<&str> =
                before.split_whitespace().filter(|w| !is_title(w)).collect();
            let (firsts, second) = split_people(&after_words);
            let first = given_names(&firsts);
            let last = last_words.join(" ");
            let second = second.map(|s| with_surname(&s, &last));
            return SplitName {
                first,
                last,
                second,
            };
        }
        if only_suffix {
            let joined = format!("{} {}", before.trim(), after.trim());
            return split_name(&joined);
        }
        // "Last, First" with one side left blank: ", Anna" has no family name, "Smith," no
        // given name. The comma still says which side is which; it is never a name itself.
        let before_words: Vec<&str> = before.split_whitespace().filter(|w| !is_title(w)).collect();
        if before_words.is_empty() && after_words.iter().all(|w| w.trim_matches(',').is_empty()) {
            return SplitName::default();
        }
        if before_words.is_empty() && !after_words.is_empty() {
            let (firsts, second) = split_people(&after_words);
            return SplitName {
                first: given_names(&firsts),
                last: String::new(),
                second: second.map(|s| s.join(" ")),
            };
        }
        if after_words.is_empty() && !before_words.is_empty() && !after.contains(',') {
            return SplitName {
                first: String::new(),
                last: before_words.join(" "),
                second: None,
            };
        }
    }
    let words: Vec<&str> = text.split_whitespace().filter(|w| !is_title(w)).collect();
    let (left, right) = split_people(&words);
    match right {
        None => first_last(&left),
        Some(right) => {
            // "John & Mary Smith": the shared family name ends the second person.
            // "SMITH JOHN & MARY": one word after "&" and two before it: family name first.
            if right.len() == 1 && left.len() >= 2 {
                let last = left[0].to_string();
                let first = given_names(&left[1..]);
                let second = Some(format!("{} {}", right[0], last));
                SplitName {
                    first,
                    last,
                    second,
                }
            } else if left.len() == 1 {
                let second_name = first_last(&right);
                SplitName {
                    first: left[0].to_string(),
                    last: second_name.last.clone(),
                    second: Some(right.join(" ")),
                }
            } else {
                let mut name = first_last(&left);
                name.second = Some(right.join(" "));
                name
            }
        }
    }
}

/// Splits words at the first "&"/"and" into the first person and the rest.
fn split_people<'a>(words: &[&'a str]) -> (Vec<&'a str>, Option<Vec<&'a str>>) {
    match words.iter().position(|w| is_conjunction(w)) {
        Some(i) if i > 0 && i + 1 < words.len() => {
            let right: Vec<&str> = words[i + 1..]
                .iter()
                .copied()
                .filter(|w| !is_title(w))
                .collect();
            (words[..i].to_vec(), (!right.is_empty()).then_some(right))
        }
        _ => (
            words
                .iter()
                .copied()
                .filter(|w| !is_conjunction(w))
                .collect(),
            None,
        ),
    }
}

/// "First [Middle…] [particles] Last [suffix]" → first and last.
fn first_last(words: &[&str]) -> SplitName {
    let mut words: Vec<&str> = words.to_vec();
    let mut suffixes = Vec::new();
    while words.len() > 1 && words.last().is_some_and(|w| is_suffix(w)) {
        suffixes.insert(0, words.pop().unwrap_or_default());
    }
    let mut name = match words.len() {
        0 => SplitName::default(),
        1 => SplitName {
            last: words[0].to_string(),
            ..SplitName::default()
        },
        n => {
            // The family name starts at its particles: "Ludwig van Beethoven".
            let mut start = n - 1;
            while start > 1 && PARTICLES.contains(&bare(words[start - 1]).as_str()) {
                start -= 1;
            }
            SplitName {
                first: given_names(&words[..start]),
                last: words[start..].join(" "),
                second: None,
            }
        }
    };
    if !suffixes.is_empty() {
        name.last = format!("{} {}", name.last, suffixes.join(" "))
            .trim()
            .to_string();
    }
    name
}

/// Given names without middle initials ("John A." → "John"), unless the initial is all there is.
fn given_names(words: &[&str]) -> String {
    let kept: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(i, w)| *i == 0 || !is_initial(w))
        .map(|(_, w)| *w)
        .filter(|w| !is_title(w))
        .collect();
    kept.join(" ")
}

fn with_surname(person: &[&str], last: &str) -> String {
    if person.len() == 1 {
        format!("{} {}", person[0], last)
    } else {
        person.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> (String, String, Option<String>) {
        let n = split_name(s);
        (n.first, n.last, n.second)
    }

    #[test]
    fn an_organisation_is_never_split_as_a_person() {
        assert_eq!(
            parts("Riverside Kennels LLC"),
            ("".into(), "Riverside Kennels LLC".into(), None)
        );
        assert_eq!(
            parts("Hollow Creek Farm"),
            ("".into(), "Hollow Creek Farm".into(), None)
        );
        assert_eq!(
            parts("Second Chance Rescue, Inc."),
            ("".into(), "Second Chance Rescue, Inc.".into(), None)
        );
        // People whose names hold such letters stay people.
        assert_eq!(parts("John Farmer"), ("John".into(), "Farmer".into(), None));
        assert_eq!(
            parts("Stable, Anna"),
            ("Anna".into(), "Stable".into(), None)
        );
        assert_eq!(parts("Coco Chanel"), ("Coco".into(), "Chanel".into(), None));
    }

    #[test]
    fn hard_cases_from_the_issue() {
        insta::assert_debug_snapshot!([
            parts("Smith, John"),
            parts("John A. Smith"),
            parts("Dr. Jane Doe Jr."),
            parts("SMITH JOHN & MARY"),
        ]);
    }

    #[test]
    fn a_blank_side_of_last_comma_first_is_blank_and_the_comma_is_no_name() {
        let none = |first: &str, last: &str| (first.to_owned(), last.to_owned(), None);
        assert_eq!(parts(", Anna"), none("Anna", ""));
        assert_eq!(parts(" ,  Anna Marie"), none("Anna Marie", ""));
        assert_eq!(parts("Smith,"), none("", "Smith"));
        assert_eq!(parts("Smith ,  "), none("", "Smith"));
        assert_eq!(parts(","), none("", ""));
        assert_eq!(
            parts(", John & Mary"),
            ("John".to_owned(), String::new(), Some("Mary".to_owned()))
        );
    }

    #[test]
    fn more_shapes() {
        insta::assert_debug_snapshot!([
            parts("John & Mary Smith"),
            parts("Smith, John & Mary"),
            parts("Mary Ann O'Brien"),
            parts("Ludwig van Beethoven"),
            parts("Jane Doe, Jr."),
            parts("Mr. and Mrs. Robert Jones"),
            parts("Cher"),
            parts("  "),
            parts("de la Cruz, Maria"),
            parts("Mrs Kate  Middleton-Smith"),
            parts("Bob Jones and Alice Wong"),
        ]);
    }
}
