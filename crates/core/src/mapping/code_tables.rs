//! Code tables as the mapping currently reads them: every sampled distinct value of a code
//! column (species, sex, a status flag), what the mapping's own codes and the built-in
//! tables make of it, and the values a person may give it. The suggestion, a profile and
//! a person's edit (`resolve::set_codes`) all describe their codes through here.

use crate::canonical::{Field, SPECIES};

use super::draft::{CodeChoice, CodeTable, CodeTableEntry};
use super::model::TableMapping;
use super::sniff::{sniff, ColumnStats};
use super::table::SourceTable;
use super::transform::codes::{self, code_key, CodeEntry, SexCode};
use super::transform::{read_flag, Transform};

/// The sex values a code may be given, with their words.
const SEX_CHOICES: [(&str, &str); 8] = [
    ("male", "Male"),
    ("female", "Female"),
    ("unknown", "Unknown"),
    ("male_neutered", "Male, neutered"),
    ("female_spayed", "Female, spayed"),
    ("male_intact", "Male, intact"),
    ("female_intact", "Female, intact"),
    ("neutered", "Neutered, sex unknown"),
];

/// Whether `field` read with `transform` has a code table: species and sex columns, and the
/// status flags (deceased, active) whose columns often hold clinic-specific codes.
fn has_code_table(field: Field, transform: &Transform) -> bool {
    match transform {
        Transform::Species { .. } => true,
        Transform::Sex { .. } => field == Field::PatientSex,
        Transform::Bool { .. } => matches!(field, Field::PatientDeceased | Field::ClientActive),
        _ => false,
    }
}

/// The values a code of `field` read with `transform` may be given; None when the
/// transform takes no codes.
pub fn choices(field: Field, transform: &Transform) -> Option<Vec<CodeChoice>> {
    let choice = |value: &str, label: String| CodeChoice {
        value: value.to_owned(),
        label,
    };
    match transform {
        Transform::Species { .. } => {
            Some(SPECIES.iter().map(|s| choice(s, capitalized(s))).collect())
        }
        Transform::Sex { .. } => Some(
            SEX_CHOICES
                .iter()
                .map(|(v, l)| choice(v, (*l).to_owned()))
                .collect(),
        ),
        Transform::Bool { invert, .. } => Some(vec![
            choice("true", flag_label(field, !*invert)),
            choice("false", flag_label(field, *invert)),
        ]),
        _ => None,
    }
}

/// Words for the field's own value (after any inversion of the column).
fn flag_label(field: Field, value: bool) -> String {
    let (yes, no) = match field {
        Field::PatientDeceased => ("Deceased", "Alive"),
        Field::ClientActive => ("Active", "Inactive"),
        Field::PatientNeutered => ("Neutered", "Intact"),
        _ => ("Yes", "No"),
    };
    (if value { yes } else { no }).to_owned()
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The mapping's own codes of a transform (empty for transforms without codes).
pub fn codes_of(transform: &Transform) -> &[CodeEntry] {
    match transform {
        Transform::Species { codes } | Transform::Sex { codes } | Transform::Bool { codes, .. } => {
            codes
        }
        _ => &[],
    }
}

/// Replaces the codes of a transform that takes codes; false when it takes none.
pub fn replace_codes(transform: &mut Transform, new: &[CodeEntry]) -> bool {
    match transform {
        Transform::Species { codes } | Transform::Sex { codes } | Transform::Bool { codes, .. } => {
            *codes = new.to_vec();
            true
        }
        _ => false,
    }
}

fn describe_sex(code: SexCode) -> String {
    match code.neutered {
        Some(true) => format!("{}, neutered", code.sex),
        Some(false) => format!("{}, intact", code.sex),
        None => code.sex.to_owned(),
    }
}

/// What `value` reads as under `transform`, in words; empty when nothing knows it.
fn reading(field: Field, transform: &Transform, value: &str) -> String {
    match transform {
        Transform::Species { codes } => codes::species(value, codes).unwrap_or_default(),
        Transform::Sex { codes } => codes::sex(value, codes).map_or(String::new(), describe_sex),
        Transform::Bool { invert, codes } => read_flag(field, value, codes)
            .map_or(String::new(), |b| flag_label(field, b != *invert)),
        _ => String::new(),
    }
}

/// The code table of `field` read from `column` (whose sampled values `stats` describes)
/// with `transform`; None when the transform takes no codes.
pub fn code_table(
    field: Field,
    column: &str,
    stats: &ColumnStats,
    transform: &Transform,
) -> Option<CodeTable> {
    let choices = choices(field, transform)?;
    let own = codes_of(transform);
    let mut plain = transform.clone();
    replace_codes(&mut plain, &[]);
    let entries = stats
        .top_values
        .iter()
        .map(|(value, count)| {
            let key = code_key(value);
            let maps_to = reading(field, transform, value);
            CodeTableEntry {
                value: value.clone(),
                count: *count,
                known: !maps_to.is_empty(),
                maps_to,
                chosen: own
                    .iter()
                    .find(|e| code_key(&e.code) == key)
                    .map_or(String::new(), |e| e.value.clone()),
                builtin: reading(field, &plain, value),
            }
        })
        .collect();
    Some(CodeTable {
        field,
        column: column.to_owned(),
        entries,
        choices,
        sampled_rows: stats.total,
    })
}

/// The code tables of one table's mapping, read from its sampled rows.
pub fn code_tables_for(source: &SourceTable, mapping: &TableMapping) -> Vec<CodeTable> {
    let mut out = Vec::new();
    for m in &mapping.fields {
        if !has_code_table(m.field, &m.transform) {
            continue;
        }
        let Some(column) = m.columns.first() else {
            continue;
        };
        let Some(index) = source.headers.iter().position(|h| h == column) else {
            continue;
        };
        let stats = sniff(source.column(index));
        // An empty status column has nothing to decide (the suggestion lists none either).
        if matches!(m.transform, Transform::Bool { .. }) && stats.is_empty() {
            continue;
        }
        out.extend(code_table(m.field, column, &stats, &m.transform));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inverted_status_column_labels_its_own_sense() {
        let labels: Vec<String> = choices(
            Field::ClientActive,
            &Transform::Bool {
                invert: true,
                codes: Vec::new(),
            },
        )
        .unwrap_or_default()
        .into_iter()
        .map(|c| format!("{}={}", c.value, c.label))
        .collect();
        assert_eq!(labels, ["true=Inactive", "false=Active"]);
    }

    #[test]
    fn entries_show_the_mapping_s_own_codes_first() {
        let stats = sniff(["H", "D", "H", "D", "D", "Q"]);
        let transform = Transform::Bool {
            invert: false,
            codes: vec![CodeEntry {
                code: "h".into(),
                value: "false".into(),
            }],
        };
        let table =
            code_table(Field::PatientDeceased, "Status", &stats, &transform).expect("a table");
        let rows: Vec<(&str, &str, bool, &str)> = table
            .entries
            .iter()
            .map(|e| {
                (
                    e.value.as_str(),
                    e.maps_to.as_str(),
                    e.known,
                    e.chosen.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("D", "Deceased", true, ""),
                ("H", "Alive", true, "false"),
                ("Q", "", false, ""),
            ]
        );
        assert_eq!(table.sampled_rows, 6);
        let builtin: Vec<&str> = table.entries.iter().map(|e| e.builtin.as_str()).collect();
        assert_eq!(
            builtin,
            ["Deceased", "", ""],
            "H is known by its own code only"
        );
    }
}
