//! The unit of weights written as bare numbers, decided from the animals themselves: a
//! clinic's cats weigh about 4–5 kg, which is 9–11 lb, so the cats' median says which unit
//! the clinic writes; dogs and horses say it too when their median is far from the overlap.
//! A unit named by a person, the header, the cells or a unit column always wins over this.

use crate::canonical::units::{unit_in_text, weight_kg, WeightUnit};
use crate::canonical::Field;

use super::draft::Draft;
use super::header::tokenize;
use super::table::SourceTable;
use super::transform::codes;
use super::transform::Transform;

/// Fewest weights of one species whose median is taken as evidence.
const MIN_ANIMALS: usize = 3;

/// The unit a weight header names ("Weight (kg)", "WeightLbs", "Wt lb"); a lone "k" or
/// "g" token names nothing.
pub(super) fn header_unit(header: &str) -> Option<WeightUnit> {
    let tokens = tokenize(header);
    tokens.iter().find_map(|t| {
        WeightUnit::from_word(t).filter(|_| (t != "k" && t != "g") || tokens.len() > 1)
    })
}

/// What one species' median says about the unit of bare numbers, with the median.
fn species_says(species: &str, median: f64) -> Option<WeightUnit> {
    let (kg, lb) = match species {
        // Cats: 2–7 kg, 7–17 lb; a clinic's median sits well inside one or the other.
        "cat" => ((1.5, 7.5), (7.5, 17.0)),
        // Dogs overlap more: a median of 25–32 is either a kg clinic of big dogs or a lb
        // clinic of small ones, so it says nothing.
        "dog" => ((3.0, 25.0), (32.0, 120.0)),
        "horse" => ((150.0, 750.0), (750.0, 1800.0)),
        _ => return None,
    };
    if median >= kg.0 && median <= kg.1 {
        Some(WeightUnit::Kg)
    } else if median > lb.0 && median <= lb.1 {
        Some(WeightUnit::Lb)
    } else {
        None
    }
}

/// The median of each species' bare-number weights, for the species that say a unit:
/// (species, median, count, unit).
fn medians(
    table: &SourceTable,
    weight: usize,
    species: usize,
    species_codes: &[codes::CodeEntry],
) -> Vec<(String, f64, usize, WeightUnit)> {
    let mut by_species: Vec<(String, Vec<f64>)> = Vec::new();
    for row in &table.rows {
        let cell = |i: usize| row.cells.get(i).map_or("", |c| c.trim());
        let (w, sp) = (cell(weight), cell(species));
        if w.is_empty() || unit_in_text(w).is_some() {
            continue;
        }
        let (Some(name), Ok(number)) = (
            codes::species(sp, species_codes),
            weight_kg(w, WeightUnit::Kg, None),
        ) else {
            continue;
        };
        match by_species.iter_mut().find(|(s, _)| *s == name) {
            Some((_, values)) => values.push(number),
            None => by_species.push((name, vec![number])),
        }
    }
    by_species
        .into_iter()
        .filter(|(_, v)| v.len() >= MIN_ANIMALS)
        .filter_map(|(name, mut values)| {
            values.sort_by(f64::total_cmp);
            let median = values[values.len() / 2];
            let unit = species_says(&name, median)?;
            Some((name, median, values.len(), unit))
        })
        .collect()
}

/// The unit the animals' weights point to, with the evidence in words; None when no
/// species says, or species disagree.
pub(super) fn unit_from_species(
    table: &SourceTable,
    weight: usize,
    species: usize,
    species_codes: &[codes::CodeEntry],
) -> Option<(WeightUnit, String)> {
    let found = medians(table, weight, species, species_codes);
    let unit = found.first()?.3;
    if found.iter().any(|f| f.3 != unit) {
        return None;
    }
    let evidence = found
        .iter()
        .map(|(name, median, n, _)| format!("the {n} {name}s' median is {median}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some((unit, evidence))
}

/// Re-decides the unit of a weight column of bare numbers from the species' medians when
/// nothing better named it (the person, the header, the cells, a unit column); the field
/// stays flagged, with the evidence, as a person must confirm any guessed unit.
pub(super) fn settle(table: &SourceTable, d: &mut Draft, given: Option<WeightUnit>) {
    if given.is_some() {
        return;
    }
    let column = |field: Field| {
        let fm = d.fields.iter().find(|f| f.field == field)?;
        table
            .headers
            .iter()
            .position(|h| Some(h) == fm.columns.first())
    };
    let (Some(weight), Some(species)) = (
        column(Field::PatientWeightKg),
        column(Field::PatientSpecies),
    ) else {
        return;
    };
    let species_codes = d
        .fields
        .iter()
        .find(|f| f.field == Field::PatientSpecies)
        .map(|f| super::code_tables::codes_of(&f.transform).to_vec())
        .unwrap_or_default();
    if named_beside(table, d, weight) {
        return;
    }
    let decimal_commas = d.stats[weight].share.decimal_comma >= 0.1;
    let Some(fm) = d
        .fields
        .iter_mut()
        .find(|f| f.field == Field::PatientWeightKg && f.columns.len() == 1)
    else {
        return;
    };
    let Transform::Weight { unit } = &mut fm.transform else {
        return;
    };
    let Some((found, evidence)) = unit_from_species(table, weight, species, &species_codes) else {
        return;
    };
    let before = *unit;
    let prefix = super::suggest::WEIGHT_UNIT_REASON;
    let name = super::suggest::unit_name;
    let text = if decimal_commas && found == WeightUnit::Lb {
        // Two pieces of evidence disagree: keep the metric reading and say both.
        format!(
            "{prefix}{} kept for the decimal commas (5,32), though {evidence}, which looks like {}: please confirm",
            name(before),
            name(found)
        )
    } else {
        *unit = found;
        format!(
            "{prefix}{}, as {evidence} (a cat weighs about 4–5 kg, 9–11 lb): please confirm",
            name(found)
        )
    };
    flag_unit(fm, text);
}

/// Whether the header or most cells of column `weight` name the unit (those win).
fn named_beside(table: &SourceTable, d: &Draft, weight: usize) -> bool {
    let in_cells = d
        .stats
        .get(weight)
        .is_some_and(|s| s.share.weight_unit_in_text >= 0.5);
    in_cells
        || table
            .headers
            .get(weight)
            .and_then(|h| header_unit(h))
            .is_some()
}

/// Says why the weight field's unit was chosen, in place of an earlier reason, and flags it:
/// a person confirms every unit not named beside the numbers.
fn flag_unit(fm: &mut super::model::FieldMapping, text: String) {
    let prefix = super::suggest::WEIGHT_UNIT_REASON;
    fm.reasons.retain(|r| !r.starts_with(prefix));
    fm.reasons.push(text);
    fm.needs_confirmation = true;
}

/// A settings sheet names the unit of bare numbers (`Weight Units: Kilograms`): it wins over
/// the animals' medians and the country; the person, a header, the cells or a unit column
/// still win over it. Flagged, as every unit not named beside the numbers.
pub(super) fn from_settings(
    table: &SourceTable,
    d: &mut Draft,
    given: Option<WeightUnit>,
    (sheet_unit, pair): &(WeightUnit, String),
) {
    if given.is_some() {
        return;
    }
    let weight = d
        .fields
        .iter()
        .find(|f| f.field == Field::PatientWeightKg && f.columns.len() == 1)
        .and_then(|fm| {
            table
                .headers
                .iter()
                .position(|h| Some(h) == fm.columns.first())
        });
    let Some(weight) = weight else {
        return;
    };
    if named_beside(table, d, weight) {
        return;
    }
    let Some(fm) = d
        .fields
        .iter_mut()
        .find(|f| f.field == Field::PatientWeightKg && f.columns.len() == 1)
    else {
        return;
    };
    let Transform::Weight { unit } = &mut fm.transform else {
        return;
    };
    *unit = *sheet_unit;
    let text = format!(
        "{}{}, as the settings sheet says (\"{pair}\"): please confirm",
        super::suggest::WEIGHT_UNIT_REASON,
        super::suggest::unit_name(*sheet_unit)
    );
    flag_unit(fm, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[(&str, &str)]) -> SourceTable {
        let mut csv = String::from("Species,Weight\n");
        for (s, w) in rows {
            csv.push_str(&format!("{s},\"{w}\"\n"));
        }
        SourceTable::from_csv("pets.csv", &csv).expect("csv")
    }

    #[test]
    fn cats_near_four_or_five_are_kilograms_and_near_ten_pounds() {
        let kg = table(&[
            ("Cat", "4.4"),
            ("Feline", "3.9"),
            ("Cat", "5.1"),
            ("Dog", "22"),
        ]);
        let (unit, why) = unit_from_species(&kg, 1, 0, &[]).expect("a unit");
        assert_eq!(unit, WeightUnit::Kg);
        assert_eq!(why, "the 3 cats' median is 4.4");
        let lb = table(&[("Cat", "9.5"), ("Cat", "11"), ("Cat", "10.2")]);
        assert_eq!(
            unit_from_species(&lb, 1, 0, &[]).map(|u| u.0),
            Some(WeightUnit::Lb)
        );
    }

    #[test]
    fn dogs_say_a_unit_only_far_from_the_overlap() {
        let heavy = table(&[("K9", "45"), ("Canine", "62.5"), ("Dog", "38")]);
        assert_eq!(
            unit_from_species(&heavy, 1, 0, &[]).map(|u| u.0),
            Some(WeightUnit::Lb)
        );
        let middle = table(&[("Dog", "28"), ("Dog", "30"), ("Dog", "27")]);
        assert_eq!(unit_from_species(&middle, 1, 0, &[]), None);
    }

    #[test]
    fn disagreeing_species_or_cells_with_units_say_nothing() {
        let split = table(&[
            ("Cat", "4"),
            ("Cat", "5"),
            ("Cat", "4.5"),
            ("Dog", "60"),
            ("Dog", "70"),
            ("Dog", "55"),
        ]);
        assert_eq!(unit_from_species(&split, 1, 0, &[]), None);
        let written = table(&[("Cat", "10 lb"), ("Cat", "9 lb"), ("Cat", "4.5")]);
        assert_eq!(unit_from_species(&written, 1, 0, &[]), None);
    }

    #[test]
    fn a_header_naming_a_unit_is_recognized() {
        assert_eq!(header_unit("Weight (kg)"), Some(WeightUnit::Kg));
        assert_eq!(header_unit("WeightLbs"), Some(WeightUnit::Lb));
        assert_eq!(header_unit("Weight"), None);
    }
}
