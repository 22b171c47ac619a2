//! People's names: spacing, titles and casing.
//!
//! Old practice systems often store names in capitals ("O'BRIEN") or as typed ("mary").
//! Only those two cases are re-cased: a name with mixed case was typed on purpose
//! ("DeShawn", "McAllister") and is left alone. Casing keeps the rules people expect on
//! letters: McDonald, O'Brien, van der Berg, Marie-Ève, Smith III.

use crate::canonical::Severity;
use crate::canonical::{Output, Problem};
use crate::memo::Memo;

use crate::canonical::vocab::TITLES;
/// Lower-case before the family name proper ("van der Berg", "de la Cruz").
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "del", "della", "da", "di", "la", "le", "du", "dos", "das",
    "ter", "ten", "y",
];
const ROMAN: &[&str] = &["ii", "iii", "iv", "vi", "vii", "viii"];

fn bare(word: &str) -> String {
    word.trim_matches(|c: char| c == '.' || c == ',')
        .to_lowercase()
}

/// Whether a word is a title such as "Dr." or "Mrs".
pub fn is_title(word: &str) -> bool {
    TITLES.contains(&bare(word).as_str())
}

/// Upper-cases the first letter and lower-cases the rest.
fn capitalize(part: &str) -> String {
    let mut chars = part.chars();
    match chars.next() {
        // "ß" has no one-letter capital ("SS"): such a letter stays as it is.
        Some(first) => {
            let mut upper = first.to_uppercase();
            let head = match (upper.next(), upper.next()) {
                (Some(u), None) => u,
                _ => first,
            };
            std::iter::once(head)
                .chain(chars.flat_map(char::to_lowercase))
                .collect()
        }
        None => String::new(),
    }
}

/// One word, cased: hyphens and apostrophes start new parts ("Marie-Ève", "O'Brien"),
/// "Mc" capitalizes what follows ("McDonald").
fn case_word(word: &str, first_word: bool, last_word: bool) -> String {
    let lower = word.to_lowercase();
    if !last_word && PARTICLES.contains(&lower.as_str()) {
        return lower;
    }
    if ROMAN.contains(&lower.trim_end_matches('.')) && !first_word {
        return word.to_uppercase();
    }
    let mut out = String::with_capacity(word.len());
    let mut part = String::new();
    let flush = |part: &mut String, out: &mut String| {
        let cased = capitalize(part);
        // "Mcdonald" → "McDonald"; "Mc" alone or "Mcx" too short to be the prefix stays.
        if cased.starts_with("Mc") && cased.chars().count() > 3 {
            let rest: String = cased.chars().skip(2).collect();
            out.push_str("Mc");
            out.push_str(&capitalize(&rest));
        } else {
            out.push_str(&cased);
        }
        part.clear();
    };
    for c in word.chars() {
        if c == '-' || c == '\'' || c == '’' {
            flush(&mut part, &mut out);
            out.push(c);
        } else {
            part.push(c);
        }
    }
    flush(&mut part, &mut out);
    out
}

/// Re-cases a name written all in capitals or all in lower case. In a name that mixes
/// cases, only its words of three letters or more written all in one case are re-cased
/// ("JEAN luc" → "Jean Luc"); "JD", "DeShawn" and "McAllister" stay as typed.
pub fn fix_casing(name: &str) -> String {
    // Re-casing some words can leave a name all in one case ("VAN DER à" → "van der à"),
    // which the next pass would re-case again: go on until nothing changes (two passes
    // settle every case; the bound is only a guard).
    let mut current = casing_pass(name);
    for _ in 0..3 {
        let next = casing_pass(&current);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

fn casing_pass(name: &str) -> String {
    let one_case = |s: &str| {
        let upper = s.chars().any(char::is_uppercase);
        let lower = s.chars().any(char::is_lowercase);
        upper != lower
    };
    let letters = |s: &str| s.chars().filter(|c| c.is_alphabetic()).count();
    // Two capitals are initials ("JD", "BJ"), not a name shouted.
    let whole = one_case(name) && letters(name) >= 3;
    let words: Vec<&str> = name.split(' ').collect();
    let n = words.len();
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if whole || (one_case(w) && letters(w) >= 3) {
                case_word(w, i == 0, i + 1 == n)
            } else {
                (*w).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normalizes a person's given or family name: trims and collapses spaces, drops titles
/// ("Mrs", "Dr.") rather than keeping them as a first name, fixes ALL-CAPS / all-lower
/// casing. A change is reported as `name_normalized` (fixed) with before and after;
/// spacing alone is not worth a line. Idempotent.
pub fn check_person_name(raw: &str) -> Output {
    if is_clean(raw) {
        return Output::ok(raw);
    }
    // Names repeat (the same first names, families at one clinic): each re-cased once.
    thread_local! {
        static FIXED: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
    }
    FIXED.with(|memo| memo.borrow_mut().get(raw, || fix_person_name(raw)))
}

fn fix_person_name(raw: &str) -> Output {
    let collapsed = crate::canonical::text::collapse(raw);
    let words: Vec<&str> = collapsed.split(' ').filter(|w| !w.is_empty()).collect();
    let kept: Vec<&str> = words.iter().copied().filter(|w| !is_title(w)).collect();
    let titled = kept.len() != words.len();
    let value = fix_casing(&kept.join(" "));
    let mut out = Output::ok(value.clone());
    if titled || value != collapsed {
        let message = if value.is_empty() {
            format!("\"{collapsed}\" is a title, not a name; left empty")
        } else if titled {
            format!("title removed: \"{collapsed}\" → \"{value}\"")
        } else {
            format!("capitalization fixed: \"{collapsed}\" → \"{value}\"")
        };
        out.problems
            .push(Problem::new("name_normalized", Severity::Fixed, message).suggest(value));
    }
    out
}

/// Whether a name needs nothing: single spaces, no title, no word shouted or all lower.
/// Most names are like this, so they skip the allocations of the full path.
fn is_clean(raw: &str) -> bool {
    if raw.is_empty() {
        return true;
    }
    if raw.starts_with(' ') || raw.ends_with(' ') || raw.as_bytes().windows(2).any(|w| w == b"  ") {
        return false;
    }
    let counts = |s: &str| {
        let upper = s.chars().any(char::is_uppercase);
        let lower = s.chars().any(char::is_lowercase);
        let letters = s.chars().filter(|c| c.is_alphabetic()).count();
        (upper != lower, lower, letters)
    };
    // The same decisions as `fix_casing`: a whole name in one case is re-cased…
    let (one_case, _, letters) = counts(raw);
    if one_case && letters >= 3 {
        return false;
    }
    let n = raw.split(' ').count();
    for (i, w) in raw.split(' ').enumerate() {
        if w.chars().any(char::is_whitespace) || is_title(w) {
            return false;
        }
        // …and so is a one-case word of 3 letters or more, unless it is a lower-case
        // particle before the family name, which casing would leave as it is.
        let (one_case, lower, letters) = counts(w);
        let kept_particle = lower && i + 1 < n && PARTICLES.contains(&w);
        if one_case && letters >= 3 && !kept_particle {
            return false;
        }
    }
    true
}

/// A pet's name: spaces only. Pets are called "BJ", "mr. whiskers" and "FIFI" on purpose.
pub fn check_pet_name(raw: &str) -> Output {
    Output::ok(crate::canonical::text::collapse(raw))
}

/// The `organisation_name` note: a business's name is not split into a person's names.
pub fn organisation_problem(name: &str) -> Problem {
    Problem::new(
        "organisation_name",
        Severity::Fixed,
        format!("\"{name}\" is an organisation: imported with the whole name as the last name and no first name"),
    )
}

/// An organisation written as a person's names in two columns (`Riverside` / `Kennels LLC`):
/// the whole name goes to the last name and the first name is emptied, reported as
/// `organisation_name`. A name already whole (no first name) is left as it is.
pub fn organisation(c: &mut crate::canonical::ClientRecord) -> Option<super::Issue> {
    let first = c.first_name.trim();
    if first.is_empty() || !crate::canonical::vocab::is_organisation(&c.last_name) {
        return None;
    }
    let whole = format!("{first} {}", c.last_name.trim());
    let problem = organisation_problem(&whole);
    c.first_name.clear();
    c.last_name.clone_from(&whole);
    Some(super::Issue::new(
        crate::canonical::Field::ClientLastName,
        problem,
        &whole,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisation_in_two_name_columns_becomes_one_last_name() {
        let mut c = crate::canonical::ClientRecord {
            first_name: "Riverside".into(),
            last_name: "Kennels LLC".into(),
            ..Default::default()
        };
        let issue = organisation(&mut c).expect("an organisation");
        assert_eq!(issue.problem.code, "organisation_name");
        assert_eq!(
            (c.first_name.as_str(), c.last_name.as_str()),
            ("", "Riverside Kennels LLC")
        );
        // Already whole: nothing to say, and validating again changes nothing.
        assert!(organisation(&mut c).is_none());
        let mut person = crate::canonical::ClientRecord {
            first_name: "Anna".into(),
            last_name: "Farm".into(),
            ..Default::default()
        };
        assert!(organisation(&mut person).is_none());
    }

    #[test]
    fn casing() {
        for (raw, want) in [
            ("MCDONALD", "McDonald"),
            ("O'BRIEN", "O'Brien"),
            ("van der berg", "van der Berg"),
            ("VAN DER BERG", "van der Berg"),
            ("MARIE-ÈVE", "Marie-Ève"),
            ("smith iii", "Smith III"),
            ("DeShawn", "DeShawn"),
            ("JD", "JD"),
            ("  mary   ann ", "Mary Ann"),
            ("Mrs", ""),
            ("Dr. JANE", "Jane"),
        ] {
            assert_eq!(check_person_name(raw).value, want, "{raw}");
        }
    }
}
