//! Patients: breeds against the shipped lists, weight plausibility by species, dates of
//! birth, and IDs a spreadsheet mangled.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::canonical::Problem;
use crate::canonical::{Field, PatientRecord, Severity};

use super::{dates, Context, Issue};

struct Breeds {
    dog: HashMap<String, &'static str>,
    cat: HashMap<String, &'static str>,
}

fn key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn load(text: &'static str) -> HashMap<String, &'static str> {
    let mut map = HashMap::new();
    for line in super::data_lines(text) {
        match line.split_once('=') {
            Some((alias, name)) => {
                let name = name.trim();
                map.insert(key(alias), name);
                // A canonical name always maps to itself, so normalizing is idempotent.
                map.entry(key(name)).or_insert(name);
            }
            None => {
                map.insert(key(line), line);
            }
        };
    }
    map
}

fn breeds() -> &'static Breeds {
    static B: OnceLock<Breeds> = OnceLock::new();
    B.get_or_init(|| Breeds {
        dog: load(include_str!("data/dog_breeds.txt")),
        cat: load(include_str!("data/cat_breeds.txt")),
    })
}

/// The canonical breed name for a source text ("DSH" → "Domestic Shorthair", "Lab X" →
/// "Labrador Retriever Mix"), for dogs and cats; `None` when the lists do not know it.
pub fn canonical_breed(species: &str, text: &str) -> Option<String> {
    let b = breeds();
    let table = match species {
        "dog" => &b.dog,
        "cat" => &b.cat,
        _ => return None,
    };
    lookup_breed(table, text)
}

fn lookup_breed(table: &HashMap<String, &'static str>, text: &str) -> Option<String> {
    let k = key(text);
    if k.is_empty() {
        return None;
    }
    if let Some(name) = table.get(&k) {
        return Some((*name).to_string());
    }
    // "Beagle X", "Poodle mix", "Boxer cross": a known breed and a mix marker.
    let lower = text.to_lowercase();
    for marker in [" x", " mix", " cross", "/mix", " mixed"] {
        if let Some(base) = lower.strip_suffix(marker) {
            if let Some(name) = table.get(&key(base)) {
                return Some(if name.ends_with("Mix") {
                    (*name).to_string()
                } else {
                    format!("{name} Mix")
                });
            }
        }
    }
    None
}

/// Breed words that say nothing of the species ("Mixed" is in the dog list, yet a mixed
/// rabbit is a rabbit), by their lookup key.
const GENERIC_BREEDS: [&str; 11] = [
    "mixed",
    "mix",
    "mixedbreed",
    "cross",
    "crossbreed",
    "crossbred",
    "unknown",
    "other",
    "none",
    "na",
    "domestic",
];

/// The species whose breed list knows `breed` when the pet's own species' list does not:
/// a "DSH" recorded as a dog, a "Labrador" recorded as a cat or as `other`. None for a
/// generic word ("Mixed", "Cross") that fits any species.
pub fn species_of_breed(species: &str, breed: &str) -> Option<&'static str> {
    if breed.trim().is_empty()
        || GENERIC_BREEDS.contains(&key(breed).as_str())
        || canonical_breed(species, breed).is_some()
    {
        return None;
    }
    let b = breeds();
    let dog = lookup_breed(&b.dog, breed).is_some();
    let cat = lookup_breed(&b.cat, breed).is_some();
    match (dog, cat) {
        (true, false) => Some("dog"),
        (false, true) => Some("cat"),
        // Both or neither: nothing certain to say.
        _ => None,
    }
}

/// Plausible weight range in kilograms for a species; `None`: no range known.
pub fn weight_range_kg(species: &str) -> Option<(f64, f64)> {
    Some(match species {
        "dog" => (0.1, 115.0),
        "cat" => (0.05, 15.0),
        "rabbit" => (0.03, 12.0),
        "rodent" => (0.005, 5.0),
        "ferret" => (0.1, 3.0),
        "bird" => (0.003, 30.0),
        "horse" => (20.0, 1500.0),
        "reptile" => (0.001, 300.0),
        _ => return None,
    })
}

/// Checks a weight (canonical kilograms) for `species`: `implausible_weight` when outside
/// the species' range, with the pound-to-kilogram reading suggested when that one fits.
pub fn check_weight(kg_text: &str, species: &str) -> Option<Problem> {
    let kg: f64 = kg_text.trim().parse().ok()?;
    let (lo, hi) = weight_range_kg(species)?;
    if (lo..=hi).contains(&kg) {
        return None;
    }
    let as_lb = kg * 0.453_592_37;
    let mut p = Problem::new(
        "implausible_weight",
        Severity::Warning,
        format!("{kg_text} kg is not a plausible weight for a {species} ({lo}–{hi} kg); check the value and its unit"),
    );
    if kg > hi && (lo..=hi).contains(&as_lb) {
        let fixed = crate::canonical::units::format_kg(as_lb);
        p.message = format!(
            "{kg_text} kg is too heavy for a {species}; if the value was in pounds it is {fixed} kg"
        );
        p.suggestion = fixed;
    }
    Some(p)
}

/// Validates and normalizes a patient in place.
pub(super) fn check_patient(p: &mut PatientRecord, ctx: &Context, out: &mut Vec<Issue>) {
    let name = super::names::check_pet_name(&p.name);
    p.name = name.value;
    for field in [Field::PatientExternalId, Field::PatientClientExternalId] {
        let v = p.get(field);
        if super::phone::is_excel_mangled(v) {
            out.push(Issue::new(
                field,
                Problem::new(
                    "excel_mangled_number",
                    Severity::Error,
                    format!("ID \"{v}\" was turned into scientific notation by a spreadsheet; ask for a re-export with the column as text"),
                ),
                v,
            ));
        }
    }
    check_breed(p, out);
    check_microchip(p, out);
    if !p.date_of_birth.is_empty() {
        let before = p.date_of_birth.clone();
        let (value, problem) = dates::check_birth_date(&before, &p.species, ctx.today);
        p.date_of_birth = value;
        if let Some(problem) = problem {
            out.push(Issue::new(Field::PatientDateOfBirth, problem, &before));
        }
    }
    if !p.weight_kg.is_empty() {
        if let Some(problem) = check_weight(&p.weight_kg, &p.species) {
            let v = p.weight_kg.clone();
            out.push(Issue::new(Field::PatientWeightKg, problem, &v));
        }
    }
}

/// Breeds the lists know are written by their canonical name; a breed of another species
/// is reported on the species, with that species suggested. Only dog and cat breeds are
/// listed, so only a pet recorded as a dog, a cat, `other` or nothing can be judged: a
/// rabbit named "Rex" is a Rex rabbit, not a Rex cat.
fn check_breed(p: &mut PatientRecord, out: &mut Vec<Issue>) {
    if p.breed.is_empty() {
        return;
    }
    if let Some(name) = canonical_breed(&p.species, &p.breed) {
        p.breed = name;
        return;
    }
    if !matches!(p.species.as_str(), "" | "other" | "dog" | "cat") {
        return;
    }
    if let Some(other) = species_of_breed(&p.species, &p.breed) {
        let shown = if p.species.is_empty() {
            "no species"
        } else {
            p.species.as_str()
        };
        let mut problem = Problem::new(
            "breed_species_mismatch",
            Severity::Warning,
            format!(
                "\"{}\" is a {other} breed, but the pet is recorded as {shown}; check the species",
                p.breed
            ),
        );
        problem.suggestion = other.to_string();
        out.push(Issue::new(Field::PatientSpecies, problem, &p.species));
    }
}

/// ISO 11784 chips have 15 digits. A 14-digit number is most likely one whose leading 0 a
/// spreadsheet dropped (country codes such as 036 or 056 begin with 0), but it could also be
/// a typo, so the 15-digit form is suggested, not applied.
fn check_microchip(p: &PatientRecord, out: &mut Vec<Issue>) {
    let chip = p.microchip.as_str();
    if chip.len() == 14 && chip.bytes().all(|b| b.is_ascii_digit()) {
        let mut problem = Problem::new(
            "excel_mangled_number",
            Severity::Warning,
            format!(
                "microchip \"{chip}\" has 14 digits; ISO chips have 15. If it began with 0, a spreadsheet dropped it: 0{chip}"
            ),
        );
        problem.suggestion = format!("0{chip}");
        out.push(Issue::new(Field::PatientMicrochip, problem, chip));
    }
}
