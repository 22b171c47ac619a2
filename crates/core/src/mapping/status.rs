//! Status columns: a clinic's own short codes (`A`, `D`, `I`, `INA`, `DEC`, `X`) for a
//! pet's deceased flag or an owner's active flag, and status flags that belong to the pet
//! rather than to the owner whose columns share its row.

use std::collections::HashMap;

use crate::canonical::Field;

use super::code_tables::code_table;
use super::draft::Draft;
use super::model::IgnoredColumn;
use super::sniff::ColumnStats;
use super::table::SourceTable;
use super::transform::codes::{code_key, CodeEntry};
use super::transform::{is_plain_yes_no, read_bool, Transform};

/// Values of a status column that look like yes/no but are the clinic's codes: an `X`
/// beside letters with a meaning (`A`, `D`, `INA`) may be "deleted", "deceased" or
/// "excluded", and digits in a column of three or more values (`1`, `2`, `3`) number
/// statuses rather than say yes or no. Each is left for a person (an entry with no meaning
/// yet) instead of being read as "yes" or "no".
pub(super) fn ambiguous_checkmarks(field: Field, s: &ColumnStats) -> Vec<CodeEntry> {
    let has_codes = s
        .top_values
        .iter()
        .any(|(v, _)| !is_plain_yes_no(v) && read_bool(field, v).is_some());
    let numbered = s.distinct >= 3
        && s.top_values
            .iter()
            .all(|(v, _)| v.chars().all(|c| c.is_ascii_digit()));
    s.top_values
        .iter()
        .filter(|(v, _)| {
            let key = code_key(v);
            (has_codes && key == "x") || (numbered && is_plain_yes_no(&key))
        })
        .map(|(v, _)| CodeEntry {
            code: v.clone(),
            value: String::new(),
        })
        .collect()
}

/// The clinic's abbreviations read through the built-in words (`A` → Alive, `DEC` →
/// Deceased), in words with their counts, for a reason asking a person to confirm: a
/// letter code is a guess however common it is. Empty when the column writes whole words
/// or plain yes/no.
pub(super) fn short_code_readings(
    field: Field,
    column: &str,
    s: &ColumnStats,
    transform: &Transform,
) -> Vec<String> {
    let Some(table) = code_table(field, column, s, transform) else {
        return Vec::new();
    };
    let short = |v: &str| code_key(v).chars().count() <= 4 && !is_plain_yes_no(v);
    if !table.entries.iter().any(|e| e.known && short(&e.value)) {
        return Vec::new();
    }
    table
        .entries
        .iter()
        .map(|e| {
            let meaning = if e.known { e.maps_to.as_str() } else { "?" };
            format!("{}→{} ({})", e.value, meaning, e.count)
        })
        .collect()
}

/// In a table of one row per pet, an "active"/"archived" flag that differs between the
/// pets of one owner is the pet's own flag: it is not the owner's `client.active` (the
/// canonical pet has no such flag), so it is left out, saying why.
pub(super) fn drop_pet_level_active(table: &SourceTable, d: &mut Draft) {
    let column_of = |field: Field| {
        d.fields
            .iter()
            .find(|f| f.field == field)
            .and_then(|f| f.columns.first())
            .and_then(|c| table.headers.iter().position(|h| h == c))
    };
    let (Some(flag), Some(owner)) = (
        column_of(Field::ClientActive),
        column_of(Field::ClientExternalId),
    ) else {
        return;
    };
    let Some(example) = owner_with_two_values(table, owner, flag) else {
        return;
    };
    let header = table.headers[flag].clone();
    d.fields.retain(|f| f.field != Field::ClientActive);
    d.code_tables
        .retain(|t| !(t.field == Field::ClientActive && t.column == header));
    d.assigned.remove(&flag);
    d.ignored.retain(|x| x.column != header);
    d.ignored.push(IgnoredColumn {
        column: header.clone(),
        reason: format!(
            "\"{header}\" differs between the pets of one owner ({example}): a pet's own flag, not the owner's client.active"
        ),
    });
}

/// An owner (by the value of column `owner`) whose rows hold two different values in
/// column `flag`, described for a reason.
fn owner_with_two_values(table: &SourceTable, owner: usize, flag: usize) -> Option<String> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for row in &table.rows {
        let id = row.cells.get(owner).map_or("", |c| c.trim());
        let value = row.cells.get(flag).map_or("", |c| c.trim());
        if id.is_empty() || value.is_empty() {
            continue;
        }
        match seen.get(id) {
            Some(first) if !same_status(first, value) => {
                return Some(format!("owner {id}: \"{first}\" and \"{value}\""));
            }
            Some(_) => {}
            None => {
                seen.insert(id, value);
            }
        }
    }
    None
}

/// Whether two cells say the same (`Y` and `yes` do).
fn same_status(a: &str, b: &str) -> bool {
    match (
        read_bool(Field::ClientActive, a),
        read_bool(Field::ClientActive, b),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => code_key(a) == code_key(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::sniff::sniff;

    #[test]
    fn a_checkmark_beside_letter_codes_is_left_for_a_person() {
        let s = sniff(["A", "D", "X", "A", "INA"]);
        let codes = ambiguous_checkmarks(Field::PatientDeceased, &s);
        assert_eq!(
            codes,
            [CodeEntry {
                code: "X".into(),
                value: String::new()
            }]
        );
        let ticks = sniff(["X", "", "X"]);
        assert!(ambiguous_checkmarks(Field::PatientDeceased, &ticks).is_empty());
        let numbered = sniff(["1", "2", "1", "3", "0"]);
        let codes: Vec<String> = ambiguous_checkmarks(Field::PatientDeceased, &numbered)
            .into_iter()
            .map(|c| c.code)
            .collect();
        assert_eq!(codes, ["1", "0"]);
        let flags = sniff(["1", "0", "1"]);
        assert!(ambiguous_checkmarks(Field::PatientDeceased, &flags).is_empty());
    }

    #[test]
    fn short_codes_are_shown_with_their_reading_and_count() {
        let s = sniff(["A", "A", "DEC", "INA"]);
        let plain = Transform::Bool {
            invert: false,
            codes: Vec::new(),
        };
        assert_eq!(
            short_code_readings(Field::PatientDeceased, "Stat", &s, &plain),
            ["A→Alive (2)", "DEC→Deceased (1)", "INA→Alive (1)"]
        );
        let words = sniff(["Deceased", "Alive", "Yes"]);
        assert!(short_code_readings(Field::PatientDeceased, "Stat", &words, &plain).is_empty());
    }

    #[test]
    fn a_flag_that_differs_between_one_owner_s_pets_is_not_the_owner_s() {
        let table =
            SourceTable::from_csv("t.csv", "Owner,Archived\n1,No\n1,Yes\n2,No\n").expect("csv");
        assert_eq!(
            owner_with_two_values(&table, 0, 1).as_deref(),
            Some("owner 1: \"No\" and \"Yes\"")
        );
        let same = SourceTable::from_csv("t.csv", "Owner,Active\n1,Y\n1,yes\n2,N\n").expect("csv");
        assert_eq!(owner_with_two_values(&same, 0, 1), None);
    }
}
