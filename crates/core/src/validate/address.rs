//! Addresses: US/CA state codes, ZIP and postal codes (with leading zeros a spreadsheet
//! dropped), ZIP/state consistency, country codes.
//!
//! PO boxes and rural routes are ordinary addresses here: nothing in line 1 is judged.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::canonical::vocab::{is_canadian_postal, state_code};
use crate::canonical::Problem;
use crate::canonical::{ClientRecord, Field, Severity};

use super::Issue;

/// US states whose ZIP codes start with 0: a 4-digit ZIP there lost its leading zero in a
/// spreadsheet (New England, New Jersey, Puerto Rico, the Virgin Islands, military AE).
const ZERO_STATES: &[&str] = &["CT", "MA", "ME", "NH", "NJ", "RI", "VT", "PR", "VI", "AE"];
const CA_PROVINCES: &[&str] = &[
    "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
];

fn zip_prefixes() -> &'static HashMap<u16, Vec<&'static str>> {
    static TABLE: OnceLock<HashMap<u16, Vec<&'static str>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: HashMap<u16, Vec<&'static str>> = HashMap::new();
        for line in super::data_lines(include_str!("data/us_zip_prefixes.tsv")) {
            let Some((range, state)) = line.split_once('\t') else {
                continue;
            };
            let (lo, hi) = range.split_once('-').unwrap_or((range, range));
            let (Ok(lo), Ok(hi)) = (lo.parse::<u16>(), hi.parse::<u16>()) else {
                continue;
            };
            for p in lo..=hi {
                t.entry(p).or_default().push(state);
            }
        }
        t
    })
}

fn ca_letters() -> &'static HashMap<char, Vec<&'static str>> {
    static TABLE: OnceLock<HashMap<char, Vec<&'static str>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: HashMap<char, Vec<&'static str>> = HashMap::new();
        for line in super::data_lines(include_str!("data/ca_postal_letters.tsv")) {
            if let Some((letter, prov)) = line.split_once('\t') {
                if let Some(c) = letter.chars().next() {
                    t.entry(c).or_default().push(prov);
                }
            }
        }
        t
    })
}

pub use crate::canonical::vocab::country_code;

/// The states a US ZIP's first three digits belong to; `None` for unknown prefixes.
pub fn zip_states(zip: &str) -> Option<&'static [&'static str]> {
    let prefix: u16 = zip.get(..3)?.parse().ok()?;
    zip_prefixes().get(&prefix).map(Vec::as_slice)
}

/// The provinces a Canadian postal code's first letter belongs to.
pub fn postal_provinces(code: &str) -> Option<&'static [&'static str]> {
    let c = code.trim().chars().next()?.to_ascii_uppercase();
    ca_letters().get(&c).map(Vec::as_slice)
}

/// What a postal code check decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalCheck {
    /// The normalized code (the input, trimmed, when it could not be read).
    pub value: String,
    /// The problem, if any.
    pub problem: Option<Problem>,
}

/// Normalizes a postal code for `country` (`US`, `CA`; others are only trimmed), with the
/// client's `state` deciding whether a 4-digit ZIP lost a leading zero. Idempotent.
pub fn check_postal_code(raw: &str, country: &str, state: &str) -> PostalCheck {
    let text = crate::canonical::text::collapse(raw);
    let keep = |problem| PostalCheck {
        value: text.clone(),
        problem,
    };
    if text.is_empty() {
        return keep(None);
    }
    match country {
        "US" => {
            let (main, plus4) = match text.split_once('-') {
                Some((a, b)) => (a.trim(), Some(b.trim())),
                // 626291234: ZIP+4 without its dash (all ASCII digits, so byte slicing is safe).
                None if text.len() == 9 && text.bytes().all(|b| b.is_ascii_digit()) => {
                    (&text[..5], Some(&text[5..]))
                }
                None => (text.as_str(), None),
            };
            let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
            if !digits(main) || plus4.is_some_and(|p| !(p.len() == 4 && digits(p))) {
                return keep(Some(Problem::new(
                    "invalid_postal_code",
                    Severity::Warning,
                    format!("\"{text}\" is not a US ZIP code; kept as written"),
                )));
            }
            let with_plus4 = |zip5: &str| match plus4 {
                Some(p) => format!("{zip5}-{p}"),
                None => zip5.to_string(),
            };
            match main.len() {
                5 => keep(None).with_value(with_plus4(main)),
                // A number column in a spreadsheet: 02134 → 2134, 00601 → 601.
                3 | 4 if main.len() == 4 || matches!(state, "PR" | "VI") => {
                    let restored = with_plus4(&format!("{main:0>5}"));
                    let trust = main.len() == 4
                        && (state.is_empty() || ZERO_STATES.contains(&state))
                        || main.len() == 3;
                    if trust {
                        PostalCheck {
                            value: restored.clone(),
                            problem: Some(
                                Problem::new(
                                    "restored_leading_zero",
                                    Severity::Fixed,
                                    format!("ZIP \"{text}\" lost its leading zero in a spreadsheet; restored as {restored}"),
                                )
                                .suggest(restored),
                            ),
                        }
                    } else {
                        keep(Some(
                            Problem::new(
                                "invalid_postal_code",
                                Severity::Warning,
                                format!("\"{text}\" has 4 digits; a ZIP in {state} has 5"),
                            )
                            .suggest(restored),
                        ))
                    }
                }
                _ => keep(Some(Problem::new(
                    "invalid_postal_code",
                    Severity::Warning,
                    format!("\"{text}\" is not a US ZIP code (5 digits or ZIP+4); kept as written"),
                ))),
            }
        }
        "CA" => {
            let compact: String = text
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .flat_map(char::to_uppercase)
                .collect();
            let first_ok = compact
                .chars()
                .next()
                .is_some_and(|c| !"DFIOQUWZ".contains(c));
            if is_canadian_postal(&compact) && first_ok {
                keep(None).with_value(format!("{} {}", &compact[..3], &compact[3..]))
            } else {
                keep(Some(Problem::new(
                    "invalid_postal_code",
                    Severity::Warning,
                    format!("\"{text}\" is not a Canadian postal code (A1A 1A1); kept as written"),
                )))
            }
        }
        _ => keep(None),
    }
}

/// Words that start a second address line ("Apt 2", "Unit 4", "Suite 100", "#3").
const UNIT_WORDS: &[&str] = &[
    "apt",
    "apartment",
    "unit",
    "suite",
    "ste",
    "flat",
    "floor",
    "fl",
    "bldg",
    "building",
    "rm",
    "room",
    "lot",
    "po",
    "p.o.",
    "box",
    "#",
];

/// Whether a city cell holds a second address line instead ("Apt 2", "Unit 4"). Runs on
/// every client, so it compares without allocating.
fn is_second_line(city: &str) -> bool {
    if city.starts_with('#') {
        return city.bytes().any(|b| b.is_ascii_digit());
    }
    let first = city
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches('.');
    city.bytes().any(|b| b.is_ascii_digit())
        && UNIT_WORDS.iter().any(|w| w.eq_ignore_ascii_case(first))
}

/// Whether a state cell holds a town: words only, and no state or province code or name.
fn is_place_name(state: &str) -> bool {
    state.chars().any(char::is_alphabetic)
        && state
            .chars()
            .all(|ch| ch.is_alphabetic() || " '-.".contains(ch))
        && state_code(state).is_none()
}

/// A row whose address lines sit one lower than the column mapping says (a unit in the
/// line read as the town, the town in the line read as the state, as numbered
/// `AddressLine1..3` exports write a two-line street): each moves up where it belongs, and
/// a US ZIP that belongs to one state gives the state back.
fn shift_address_lines(c: &mut ClientRecord, out: &mut Vec<Issue>) {
    if !c.address_line2.is_empty() || !is_second_line(&c.city) || !is_place_name(&c.state) {
        return;
    }
    let before = format!("{} | {}", c.city, c.state);
    c.address_line2 = std::mem::take(&mut c.city);
    c.city = std::mem::take(&mut c.state);
    let zip_state = match c.country.as_str() {
        "US" | "" => zip_states(&c.postal_code).filter(|s| s.len() == 1),
        _ => None,
    };
    if let Some([state]) = zip_state {
        c.state = (*state).to_string();
    }
    let state_note = if c.state.is_empty() {
        String::from("; the state is left empty")
    } else {
        format!("; the state {} from the ZIP", c.state)
    };
    out.push(Issue::new(
        Field::ClientCity,
        Problem::new(
            "address_lines_shifted",
            Severity::Fixed,
            format!(
                "the address lines sit one lower on this row: \"{}\" moved to address line 2 and \"{}\" to the city{state_note}",
                c.address_line2, c.city
            ),
        )
        .suggest(c.city.clone()),
        &before,
    ));
}

impl PostalCheck {
    fn with_value(mut self, value: String) -> Self {
        self.value = value;
        self
    }
}

/// Validates and normalizes a client's address fields in place.
pub(super) fn check_client(c: &mut ClientRecord, out: &mut Vec<Issue>) {
    // Country: names to ISO codes (a `copy`-mapped column); an unknown one stays as written.
    let country_raw = c.country.trim().to_string();
    let is_code = country_raw.len() == 2 && country_raw.chars().all(|x| x.is_ascii_uppercase());
    if !country_raw.is_empty() && !is_code {
        if let Some(code) = country_code(&country_raw) {
            c.country = code.to_string();
        } else if country_raw.len() == 2 && country_raw.chars().all(|x| x.is_ascii_alphabetic()) {
            c.country = country_raw.to_ascii_uppercase();
        }
    }
    shift_address_lines(c, out);
    let country = c.country.clone();
    let north_america = country == "US" || country == "CA" || country.is_empty();
    if north_america {
        if let Some(code) = state_code(&c.state) {
            if c.state != code {
                c.state = code.to_string();
            }
        }
    }
    // A Canadian client in a US clinic's file: the province and postal code say so.
    let effective = if country == "US"
        && CA_PROVINCES.contains(&c.state.as_str())
        && is_canadian_postal(&c.postal_code)
    {
        "CA".to_string()
    } else {
        country
    };
    let before = c.postal_code.clone();
    let check = check_postal_code(&c.postal_code, &effective, &c.state);
    c.postal_code = check.value;
    if let Some(p) = check.problem {
        let invalid = p.code == "invalid_postal_code";
        out.push(Issue::new(Field::ClientPostalCode, p, &before));
        if invalid {
            return;
        }
    }
    if c.postal_code.is_empty() || c.state.is_empty() {
        return;
    }
    let allowed = match effective.as_str() {
        "US" => zip_states(&c.postal_code),
        "CA" => postal_provinces(&c.postal_code),
        _ => None,
    };
    if let Some(states) = allowed {
        if !states.contains(&c.state.as_str()) {
            out.push(Issue::new(
                Field::ClientPostalCode,
                Problem::new(
                    "postal_state_mismatch",
                    Severity::Warning,
                    format!(
                        "postal code {} belongs to {}, but the state is {}; check both",
                        c.postal_code,
                        states.join("/"),
                        c.state
                    ),
                ),
                &format!("{} | {}", c.postal_code, c.state),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(line2: &str, city: &str, state: &str, zip: &str, country: &str) -> ClientRecord {
        ClientRecord {
            address_line2: line2.into(),
            city: city.into(),
            state: state.into(),
            postal_code: zip.into(),
            country: country.into(),
            ..ClientRecord::default()
        }
    }

    #[test]
    fn a_row_whose_lines_sit_one_lower_moves_them_up() {
        let mut c = client("", "Apt 2", "Peoria", "61602", "US");
        let mut out = Vec::new();
        check_client(&mut c, &mut out);
        assert_eq!(
            (c.address_line2.as_str(), c.city.as_str(), c.state.as_str()),
            ("Apt 2", "Peoria", "IL")
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].problem.code, "address_lines_shifted");
        assert_eq!(out[0].value, "Apt 2 | Peoria");
        let mut au = client("", "Unit 4", "Brisbane", "4000", "AU");
        check_client(&mut au, &mut Vec::new());
        assert_eq!(
            (
                au.address_line2.as_str(),
                au.city.as_str(),
                au.state.as_str()
            ),
            ("Unit 4", "Brisbane", "")
        );
    }

    #[test]
    fn ordinary_rows_are_left_alone() {
        for (line2, city, state) in [
            ("", "Peoria", "IL"),
            ("Apt 2", "Suite 4", "Peoria"),
            ("", "Apt 2", "IL"),
            ("", "Springfield", "Peoria"),
            ("", "Apt 2", "Texas"),
        ] {
            let mut c = client(line2, city, state, "61602", "US");
            let mut out = Vec::new();
            check_client(&mut c, &mut out);
            assert!(
                !out.iter()
                    .any(|i| i.problem.code == "address_lines_shifted"),
                "{city} / {state}"
            );
            assert_eq!(c.city, city);
        }
    }
}
