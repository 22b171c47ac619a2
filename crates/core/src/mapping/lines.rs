//! Generic address lines (`AddressLine1..3`, `Address 1..4`), as UK-origin systems export
//! them: which line holds the street, the unit, the city, the state or the postcode is
//! said by the values, not by the line's number.

use crate::canonical::Field;

use super::draft::{replace_one, Draft};
use super::model::FieldMapping;
use super::sniff::ColumnStats;
use super::table::SourceTable;
use super::transform::address::state_code;
use super::transform::Transform;

/// A header that only numbers an address line: "Address 3", "AddressLine2", "Addr_4".
fn is_numbered_line(header: &str) -> bool {
    let lower = header.to_lowercase();
    let has_digit = lower.chars().any(|c| c.is_ascii_digit());
    let bare: String = lower.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    has_digit
        && matches!(
            bare.as_str(),
            "address"
                | "addressline"
                | "addressln"
                | "addr"
                | "addrline"
                | "addrln"
                | "line"
                | "adr"
                | "street"
                | "streetaddress"
        )
}

/// What a line's values are.
fn line_field(s: &ColumnStats) -> Option<(Field, Transform, String)> {
    let sh = &s.share;
    if s.filled == 0 {
        return None;
    }
    // Codes (`IL`, `NSW`, `QC`) with a few written out (`Texas`) or a town where a row's
    // lines shifted: the line is the state, whatever its number. Codes must be most of it,
    // so a line of towns that share a state's name (`Washington`) stays a town.
    let codes = s
        .top_values
        .iter()
        .filter(|(v, _)| v.len() <= 3 && state_code(v).is_some())
        .map(|(_, n)| *n)
        .sum::<u64>() as f32
        / s.filled as f32;
    if sh.state >= 0.8 && codes >= 0.6 {
        return Some((
            Field::ClientState,
            Transform::State,
            format!(
                "{:.0}% of values are state or province codes",
                sh.state * 100.0
            ),
        ));
    }
    if sh.zip >= 0.8 || (sh.postal_any >= 0.9 && sh.alpha_text < 0.2) {
        return Some((
            Field::ClientPostalCode,
            Transform::Copy,
            format!(
                "{:.0}% of values are postal codes",
                sh.zip.max(sh.postal_any) * 100.0
            ),
        ));
    }
    let digits = s
        .top_values
        .iter()
        .filter(|(v, _)| v.chars().any(|c| c.is_ascii_digit()))
        .map(|(_, n)| *n)
        .sum::<u64>() as f32
        / s.filled as f32;
    // A few rows may hold a unit ("Apt 2") where the town moved down a line.
    if sh.street < 0.2 && digits <= 0.2 && sh.name_like >= 0.75 {
        return Some((
            Field::ClientCity,
            Transform::Copy,
            format!(
                "{:.0}% of values are place names without house numbers: the town of the address",
                sh.name_like * 100.0
            ),
        ));
    }
    None
}

/// Re-reads numbered address lines by their values: a line of place names is the city, a
/// line of state codes the state, a line of postcodes the postal code, unless a column
/// named for that field already fills it.
pub(super) fn settle(table: &SourceTable, d: &mut Draft) {
    let lines: Vec<(usize, Field, Transform, String)> = table
        .headers
        .iter()
        .enumerate()
        .filter(|(_, h)| is_numbered_line(h))
        .filter_map(|(i, _)| line_field(&d.stats[i]).map(|(f, t, why)| (i, f, t, why)))
        .collect();
    for (n, (i, field, transform, why)) in lines.iter().cloned().enumerate() {
        // Of several lines of place names ("Chesterton", "Cambridge"), the town is the last;
        // the others keep what their header said (a second address line).
        if lines[n + 1..].iter().any(|l| l.1 == field) {
            continue;
        }
        let header = &table.headers[i];
        let named_elsewhere = d.fields.iter().any(|f| {
            f.field == field
                && f.columns
                    .first()
                    .is_some_and(|c| c != header && !is_numbered_line(c))
        });
        if named_elsewhere {
            continue;
        }
        replace_one(
            d,
            &table.headers,
            FieldMapping {
                field,
                columns: vec![header.clone()],
                transform,
                confidence: 0.7,
                needs_confirmation: true,
                reasons: vec![format!(
                    "\"{header}\" only numbers an address line; {why}: please confirm"
                )],
            },
        );
    }
}
