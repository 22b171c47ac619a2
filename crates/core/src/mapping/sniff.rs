//! Value sniffing: what a column's values look like, as shares of its non-empty values.
//!
//! Headers lie ("Contact 2" holding e-mails, "Phone" holding e-mails, "Type" holding
//! species); values rarely do. Each share here is the fraction of sampled non-empty values
//! passing one cheap test; the suggester weighs them against what the header says.

use std::collections::HashMap;

use crate::canonical::Field;

use super::transform::address::{is_canadian_postal, is_zip, split_address, state_code};
use super::transform::codes::{builtin_sex, builtin_species, code_key};
use super::transform::dates::{looks_like_serial, parse_date, DateDetector, DateOrder};
use super::transform::units::{unit_in_text, weight_kg, WeightUnit};
use super::transform::{country_code, is_plain_yes_no, read_bool};

/// What a column's sampled values look like.
#[derive(Debug, Clone, Default)]
pub struct ColumnStats {
    /// Cells looked at, empty ones included.
    pub total: u64,
    /// Non-empty cells.
    pub filled: u64,
    /// Distinct non-empty values.
    pub distinct: u64,
    /// Shares of non-empty values, by test.
    pub share: Shares,
    /// Distinct values with their counts, most frequent first (at most 200).
    pub top_values: Vec<(String, u64)>,
    /// Date-order evidence over the sampled values.
    pub dates: DateDetector,
}

/// Fractions (0..=1) of non-empty values that pass each test.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct Shares {
    pub email: f32,
    pub phone: f32,
    pub zip: f32,
    pub state: f32,
    pub country: f32,
    pub date: f32,
    pub weight: f32,
    pub weight_unit_in_text: f32,
    /// Numbers written with a decimal comma (`5,32`): a metric clinic's way.
    pub decimal_comma: f32,
    pub species: f32,
    pub species_strict: f32,
    pub sex: f32,
    pub sex_neuter_info: f32,
    pub active_bool: f32,
    pub deceased_bool: f32,
    pub deceased_word: f32,
    /// Values a pet's status uses for "deceased" (`D`, `DEC`, `Deceased`), not a plain yes.
    pub deceased_code: f32,
    pub neutered_bool: f32,
    pub microchip: f32,
    pub person_full: f32,
    pub name_like: f32,
    pub single_word: f32,
    pub street: f32,
    pub street_only: f32,
    pub postal_any: f32,
    pub full_address: f32,
    pub city_state_zip: f32,
    pub alpha_text: f32,
    pub id_like: f32,
    pub unit_word: f32,
    pub number: f32,
}

impl ColumnStats {
    /// Distinct values over non-empty values: 1.0 when every value is different.
    pub fn unique_ratio(&self) -> f32 {
        if self.filled == 0 {
            return 1.0;
        }
        self.distinct as f32 / self.filled as f32
    }

    /// Whether no sampled cell had a value.
    pub fn is_empty(&self) -> bool {
        self.filled == 0
    }
}

/// A number with a decimal comma and one or two decimals (`5,32`, `12,5`): three digits
/// after the comma read as a thousands separator (`1,250`), so they are no evidence.
fn is_decimal_comma(v: &str) -> bool {
    let number = v.split_whitespace().next().unwrap_or("");
    let Some((whole, decimals)) = number.split_once(',') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(decimals) && decimals.len() <= 2
}

/// Sniffs one column from its sampled cells.
pub fn sniff<'a>(values: impl IntoIterator<Item = &'a str>) -> ColumnStats {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    let mut stats = ColumnStats::default();
    for v in values {
        stats.total += 1;
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        stats.filled += 1;
        stats.dates.add(v);
        *counts.entry(v).or_insert(0) += 1;
    }
    stats.distinct = counts.len() as u64;
    if stats.filled == 0 {
        return stats;
    }
    let mut s = Shares::default();
    for (&v, &n) in &counts {
        let n = n as f32;
        let add = |share: &mut f32, yes: bool| {
            if yes {
                *share += n;
            }
        };
        add(&mut s.email, is_email(v));
        add(&mut s.phone, is_phone(v));
        add(&mut s.zip, is_zip(v) || is_canadian_postal(v) || is_zip4(v));
        add(&mut s.state, state_code(v).is_some());
        add(&mut s.country, country_code(v).is_some());
        add(&mut s.date, is_date(v));
        add(
            &mut s.weight,
            weight_kg(v, WeightUnit::Kg, None).is_ok_and(|kg| kg < 1500.0),
        );
        add(&mut s.weight_unit_in_text, unit_in_text(v).is_some());
        add(&mut s.decimal_comma, is_decimal_comma(v));
        add(&mut s.species, builtin_species(v).is_some());
        add(&mut s.species_strict, is_species_word(v));
        let sex = builtin_sex(v);
        add(&mut s.sex, sex.is_some());
        add(
            &mut s.sex_neuter_info,
            sex.is_some_and(|c| c.neutered.is_some()),
        );
        add(
            &mut s.active_bool,
            read_bool(Field::ClientActive, v).is_some(),
        );
        add(
            &mut s.deceased_bool,
            read_bool(Field::PatientDeceased, v).is_some(),
        );
        add(&mut s.deceased_word, is_deceased_word(v));
        add(&mut s.deceased_code, is_deceased_code(v));
        add(
            &mut s.neutered_bool,
            read_bool(Field::PatientNeutered, v).is_some(),
        );
        add(&mut s.microchip, is_microchip(v));
        add(&mut s.person_full, is_person_full(v));
        add(&mut s.name_like, is_name_like(v));
        add(&mut s.single_word, is_name_like(v) && !v.contains(' '));
        add(&mut s.street, is_street(v));
        let a = split_address(v);
        let has_tail = !a.state.is_empty() || !a.postal_code.is_empty();
        add(
            &mut s.street_only,
            is_street(v) && !(has_tail && v.contains(',')),
        );
        add(&mut s.postal_any, is_postal_any(v));
        add(
            &mut s.full_address,
            has_tail && !a.line1.is_empty() && v.contains(char::is_alphabetic),
        );
        add(
            &mut s.city_state_zip,
            has_tail && a.line1.is_empty() && !a.city.is_empty(),
        );
        add(&mut s.alpha_text, is_alpha_text(v));
        add(&mut s.id_like, is_id_like(v));
        add(&mut s.unit_word, WeightUnit::from_word(v).is_some());
        add(&mut s.number, v.replace(',', "").parse::<f64>().is_ok());
    }
    let f = stats.filled as f32;
    for share in [
        &mut s.email,
        &mut s.phone,
        &mut s.zip,
        &mut s.state,
        &mut s.country,
        &mut s.date,
        &mut s.weight,
        &mut s.weight_unit_in_text,
        &mut s.decimal_comma,
        &mut s.species,
        &mut s.species_strict,
        &mut s.sex,
        &mut s.sex_neuter_info,
        &mut s.active_bool,
        &mut s.deceased_bool,
        &mut s.deceased_word,
        &mut s.deceased_code,
        &mut s.neutered_bool,
        &mut s.microchip,
        &mut s.person_full,
        &mut s.name_like,
        &mut s.single_word,
        &mut s.street,
        &mut s.street_only,
        &mut s.postal_any,
        &mut s.full_address,
        &mut s.city_state_zip,
        &mut s.alpha_text,
        &mut s.id_like,
        &mut s.unit_word,
        &mut s.number,
    ] {
        *share /= f;
    }
    stats.share = s;
    let mut top: Vec<(String, u64)> = counts
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(200);
    stats.top_values = top;
    stats
}

/// An e-mail address, or several where the first is one.
pub fn is_email(v: &str) -> bool {
    let first = v
        .split([';', ',', ' '])
        .find(|s| !s.is_empty())
        .unwrap_or("");
    match first.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    }
}

/// A telephone number: 7–15 digits written with phone punctuation, or 10–11 bare digits.
pub fn is_phone(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let main = lower.split(" x").next().unwrap_or(&lower);
    let main = main.split("ext").next().unwrap_or(main);
    if !main
        .chars()
        .all(|c| c.is_ascii_digit() || " ()-.+/".contains(c))
    {
        return false;
    }
    let digits = main.chars().filter(char::is_ascii_digit).count();
    let punctuated = main.chars().any(|c| " ()-.+".contains(c));
    if looks_like_date_shape(main) {
        return false;
    }
    (punctuated && (7..=15).contains(&digits))
        || (!punctuated && (digits == 10 || (digits == 11 && main.starts_with('1'))))
}

fn looks_like_date_shape(v: &str) -> bool {
    let parts: Vec<&str> = v.split(['/', '-', '.']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
        && (parts[0].len() == 4 || parts[2].len() == 4 || parts[2].len() == 2)
        && parts[1].len() <= 2
}

/// Any country's postal code: 3–10 letters, digits, spaces or dashes, with a digit.
fn is_postal_any(v: &str) -> bool {
    (3..=10).contains(&v.len())
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
}

/// "Deceased", "Euthanized"…: words only a pet's status uses.
fn is_deceased_word(v: &str) -> bool {
    matches!(
        code_key(v).as_str(),
        "deceased"
            | "dead"
            | "died"
            | "expired"
            | "euthanized"
            | "euthanased"
            | "euth"
            | "rip"
            | "passedaway"
    )
}

/// A status code saying "deceased" in a pet's vocabulary but not a generic yes (`X`, `1`):
/// `D`, `DEC`, `Deceased`.
fn is_deceased_code(v: &str) -> bool {
    read_bool(Field::PatientDeceased, v) == Some(true) && !is_plain_yes_no(v)
}

fn is_zip4(v: &str) -> bool {
    v.len() == 4 && v.chars().all(|c| c.is_ascii_digit())
}

fn is_date(v: &str) -> bool {
    if looks_like_serial(v) {
        return true;
    }
    if v.len() == 4 {
        return false;
    }
    parse_date(v, DateOrder::Mdy, 2000, false).is_ok()
        || parse_date(v, DateOrder::Dmy, 2000, false).is_ok()
}

fn is_species_word(v: &str) -> bool {
    // Species codes without the breed hints: a breed column must not look like species.
    let key = code_key(v);
    builtin_species(v).is_some() && builtin_species(&key).is_some() && key.len() <= 20
}

fn is_microchip(v: &str) -> bool {
    let upper = v.to_ascii_uppercase();
    if upper.contains("E+") {
        return upper
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'E' || c == '+');
    }
    let compact: String = v
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = compact.chars().filter(char::is_ascii_digit).count();
    (compact.len() == 15 && digits == 15)
        || ((9..=10).contains(&compact.len())
            && compact.chars().all(|c| c.is_ascii_hexdigit())
            && compact.chars().any(|c| c.is_ascii_alphabetic()))
}

fn is_name_like(v: &str) -> bool {
    let words = v.split_whitespace().count();
    (1..=4).contains(&words)
        && v.chars().any(char::is_alphabetic)
        && v.chars()
            .all(|c| c.is_alphabetic() || " '-.&,()\u{2019}".contains(c))
}

fn is_person_full(v: &str) -> bool {
    if !is_name_like(v) {
        return false;
    }
    let alpha_words = v
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count();
    alpha_words >= 2
}

fn is_street(v: &str) -> bool {
    let lower = v.to_lowercase();
    if lower.starts_with("po box")
        || lower.starts_with("p.o.")
        || lower.starts_with("p o box")
        || lower.starts_with("box ")
        || lower.starts_with("rr ")
        || lower.starts_with("rural route")
    {
        return true;
    }
    let mut words = v.split_whitespace();
    let first = words.next().unwrap_or("");
    first.chars().next().is_some_and(|c| c.is_ascii_digit())
        && words
            .next()
            .is_some_and(|w| w.chars().any(char::is_alphabetic))
}

fn is_alpha_text(v: &str) -> bool {
    let letters = v.chars().filter(|c| c.is_alphabetic()).count();
    let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
    letters > 0 && digits * 3 <= letters && !v.contains('@')
}

fn is_id_like(v: &str) -> bool {
    v.len() <= 24
        && v.split_whitespace().count() <= 2
        && v.chars().any(|c| c.is_ascii_digit())
        && !v.contains('@')
        && !looks_like_date_shape(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares() {
        let s = sniff(["a@x.com", "b@y.org", "", "not an email"]);
        assert_eq!((s.total, s.filled), (4, 3));
        assert!((s.share.email - 2.0 / 3.0).abs() < 1e-6);
        let p = sniff(["(217) 555-0143", "217-555-0199", "2175550123", "03/14/2016"]);
        assert!((p.share.phone - 0.75).abs() < 1e-6);
        let n = sniff(["Smith, John", "Mary Jones", "Rex"]);
        assert!((n.share.person_full - 2.0 / 3.0).abs() < 1e-6);
        let m = sniff(["985112003456789", "9.85112E+14", "0A0B0C0D0E"]);
        assert!((m.share.microchip - 1.0).abs() < 1e-6);
        let b = sniff(["Labrador Retriever", "DSH", "Canine"]);
        assert!(b.share.species > b.share.species_strict);
    }
}
