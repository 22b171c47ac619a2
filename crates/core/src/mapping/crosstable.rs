//! Cross-table evidence: which column of a patients table links each pet to its owner, and
//! which is the pet's own ID, decided by the values the tables share.
//!
//! Headers cannot decide this: vendors call the pet's own record number `AccountId` or
//! `CustomerID` and the owner link `OwnerRef`. The owner link is the column whose values are
//! found among one ID column of the clients table (compared the way the linker compares
//! them, leading zeros ignored); the pet's own ID is a unique column whose values are not
//! client IDs. Header similarity only breaks ties.

use std::collections::HashSet;

use crate::canonical::Field;
use crate::validate::links::link_key;

use super::draft::{replace_one, Draft};
use super::model::{FieldMapping, TableRole};
use super::sniff::ColumnStats;
use super::table::SourceTable;
use super::transform::Transform;

/// Overlaps this close count as a tie, which the headers then break.
const TIE: f32 = 0.02;
/// Below this share a column is not taken as the owner link.
const MIN_LINK: f32 = 0.5;
/// Above this share a unique column is too much like client IDs to be the pet's own.
const MAX_OWN: f32 = 0.2;

fn id_shaped(s: &ColumnStats) -> bool {
    s.filled > 0 && s.share.id_like.max(s.share.number) >= 0.8
}

fn column_of(d: &Draft, headers: &[String], field: Field) -> Option<usize> {
    let fm = d.fields.iter().find(|f| f.field == field)?;
    let col = fm.columns.first()?;
    headers.iter().position(|h| h == col)
}

/// One ID column of the clients table, as the set of its values in linking form.
struct ClientIds<'a> {
    column: usize,
    values: HashSet<&'a str>,
}

fn client_id_columns<'a>(table: &'a SourceTable, d: &Draft) -> Vec<ClientIds<'a>> {
    let mapped = column_of(d, &table.headers, Field::ClientExternalId);
    (0..table.headers.len())
        .filter(|&i| {
            Some(i) == mapped || (id_shaped(&d.stats[i]) && d.stats[i].unique_ratio() >= 0.95)
        })
        .map(|i| ClientIds {
            column: i,
            values: table
                .column(i)
                .map(link_key)
                .filter(|v| !v.is_empty())
                .collect(),
        })
        .collect()
}

/// Share of the non-empty values of a column found among `ids`.
fn overlap<'a>(values: impl Iterator<Item = &'a str>, ids: &HashSet<&str>) -> f32 {
    let (mut filled, mut found) = (0u32, 0u32);
    for v in values {
        let k = link_key(v);
        if k.is_empty() {
            continue;
        }
        filled += 1;
        if ids.contains(k) {
            found += 1;
        }
    }
    if filled == 0 {
        0.0
    } else {
        found as f32 / filled as f32
    }
}

/// Settles the owner link and pet ID of every patients table against the clients table.
pub(super) fn link_tables(tables: &[SourceTable], drafts: &mut [Draft]) {
    let Some(ci) = drafts.iter().position(|d| d.role == TableRole::Clients) else {
        return;
    };
    let client_cols = client_id_columns(&tables[ci], &drafts[ci]);
    if client_cols.is_empty() {
        return;
    }
    let client_mapped = column_of(&drafts[ci], &tables[ci].headers, Field::ClientExternalId);
    let mut client_choice: Option<usize> = None;
    for pi in 0..drafts.len() {
        if drafts[pi].role != TableRole::Patients {
            continue;
        }
        let table = &tables[pi];
        let d = &drafts[pi];
        let link_mapped = column_of(d, &table.headers, Field::PatientClientExternalId);
        let own_mapped = column_of(d, &table.headers, Field::PatientExternalId);
        // (patient column, client column, share), best first; headers break ties.
        let mut pairs: Vec<(usize, usize, f32)> = Vec::new();
        for i in 0..table.headers.len() {
            if !id_shaped(&d.stats[i]) {
                continue;
            }
            for c in &client_cols {
                pairs.push((i, c.column, overlap(table.column(i), &c.values)));
            }
        }
        let tiebreak = |&(p, c, _): &(usize, usize, f32)| {
            u8::from(Some(p) == link_mapped) * 2
                + u8::from(Some(c) == client_mapped)
                + u8::from(d.header_suggests(p, &[Field::ClientExternalId]))
        };
        pairs.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        let Some(&(_, _, top)) = pairs.first() else {
            continue;
        };
        if top < MIN_LINK {
            continue;
        }
        let best = pairs
            .iter()
            .filter(|p| p.2 + TIE >= top)
            .max_by_key(|p| (tiebreak(p), std::cmp::Reverse(p.0)))
            .copied();
        let Some((link, client_col, share)) = best else {
            continue;
        };
        let tied = pairs
            .iter()
            .filter(|p| p.2 + TIE >= top && p.0 != link)
            .count()
            > 0;
        client_choice.get_or_insert(client_col);
        let mut reasons = vec![format!(
            "{:.0} % of values found in {} {}",
            share * 100.0,
            tables[ci].name,
            tables[ci].headers[client_col]
        )];
        if tied {
            reasons.push("another column overlaps the client IDs as much; the header decided: please confirm".into());
        }
        let link_fm = FieldMapping {
            field: Field::PatientClientExternalId,
            columns: vec![table.headers[link].clone()],
            transform: Transform::Copy,
            confidence: (share * 100.0).round() / 100.0,
            needs_confirmation: share < 0.9 || tied,
            reasons,
        };
        // The pet's own ID: unique, and not client IDs.
        let own_share = |i: usize| {
            client_cols
                .iter()
                .map(|c| overlap(table.column(i), &c.values))
                .fold(0.0f32, f32::max)
        };
        let qualifies = |i: usize| {
            i != link
                && id_shaped(&d.stats[i])
                && d.stats[i].unique_ratio() >= 0.98
                && own_share(i) <= MAX_OWN
        };
        let by_header = own_mapped.filter(|&i| qualifies(i)).or_else(|| {
            (0..table.headers.len()).find(|&i| {
                qualifies(i)
                    && d.header_suggests(
                        i,
                        &[
                            Field::PatientExternalId,
                            Field::ClientExternalId,
                            Field::PatientClientExternalId,
                        ],
                    )
            })
        });
        // A vendor's acronym ("PMS_NO", "RecNo", "SysNo") names no field: the first free
        // column of whole-number or code IDs, unique and not client IDs, is the pet's own.
        let by_values = || {
            (0..table.headers.len())
                .find(|&i| qualifies(i) && is_free(d, &table.headers[i]) && whole_ids(&d.stats[i]))
        };
        let own = by_header.or_else(by_values);
        let own_fm = own.map(|i| {
            let found = own_share(i);
            let kept = own_mapped == Some(i);
            let mut fm = d
                .fields
                .iter()
                .find(|f| f.field == Field::PatientExternalId && kept)
                .cloned()
                .unwrap_or(FieldMapping {
                    field: Field::PatientExternalId,
                    columns: vec![table.headers[i].clone()],
                    transform: Transform::Copy,
                    confidence: 0.8,
                    needs_confirmation: true,
                    reasons: vec![format!(
                        "the pet's own ID: every value is different, whatever the header \"{}\" suggests; please confirm",
                        table.headers[i]
                    )],
                });
            fm.reasons.push(format!(
                "unique, and {:.0} % of values are client IDs of {}",
                found * 100.0,
                tables[ci].name
            ));
            fm
        });
        replace(&mut drafts[pi], &table.headers, link_fm, own_fm);
    }
    // The clients table's ID is the column the pets link to.
    if let (Some(c), Some(m)) = (client_choice, client_mapped) {
        if c != m {
            let headers = &tables[ci].headers;
            let fm = FieldMapping {
                field: Field::ClientExternalId,
                columns: vec![headers[c].clone()],
                transform: Transform::Copy,
                confidence: 0.8,
                needs_confirmation: true,
                reasons: vec![format!(
                    "the pets table links to these values; please confirm (the header suggested \"{}\")",
                    headers[m]
                )],
            };
            replace_one(&mut drafts[ci], headers, fm);
        }
    }
}

/// The pet's own ID of a table of one row per pet that no header named (`PMS_NO` in a
/// combined list, or a pets file without a clients table): the first free unique column of
/// whole-number or code IDs whose values are not the owner IDs of the same rows, flagged.
pub(super) fn pet_id_from_values(table: &SourceTable, d: &mut Draft) {
    if d.role == TableRole::Clients
        || column_of(d, &table.headers, Field::PatientExternalId).is_some()
    {
        return;
    }
    let Some(owner) = column_of(d, &table.headers, Field::ClientExternalId)
        .or_else(|| column_of(d, &table.headers, Field::PatientClientExternalId))
    else {
        return;
    };
    let owners: HashSet<&str> = table
        .column(owner)
        .map(link_key)
        .filter(|v| !v.is_empty())
        .collect();
    let found = (0..table.headers.len()).find(|&i| {
        let s = &d.stats[i];
        i != owner
            && s.filled >= 3
            && s.unique_ratio() >= 0.98
            && whole_ids(s)
            && is_free(d, &table.headers[i])
            && overlap(table.column(i), &owners) <= MAX_OWN
    });
    let Some(i) = found else {
        return;
    };
    let header = table.headers[i].clone();
    d.assigned.insert(i, vec![Field::PatientExternalId]);
    d.fields.push(FieldMapping {
        field: Field::PatientExternalId,
        columns: vec![header.clone()],
        transform: Transform::Copy,
        confidence: 0.7,
        needs_confirmation: true,
        reasons: vec![format!(
            "the pet's own ID: \"{header}\" is different on every row and its values are not the owners' IDs (\"{}\"), whatever its header suggests; please confirm",
            table.headers[owner]
        )],
    });
}

/// Whether no field uses the column and it was not recognized as something else.
fn is_free(d: &Draft, header: &str) -> bool {
    !d.fields
        .iter()
        .any(|f| f.columns.iter().any(|c| c == header))
        && !d.ignored.iter().any(|x| x.column == header)
}

/// IDs as record numbers are written: whole numbers or codes, never decimals (a column of
/// weights can be unique too).
fn whole_ids(s: &ColumnStats) -> bool {
    s.share.id_like >= 0.8
        && s.top_values
            .iter()
            .all(|(v, _)| !v.contains('.') && !v.contains(','))
}

fn replace(d: &mut Draft, headers: &[String], link: FieldMapping, own: Option<FieldMapping>) {
    replace_one(d, headers, link);
    match own {
        Some(fm) => replace_one(d, headers, fm),
        None => {
            // A pet ID column that turned out to hold client IDs is not the pet's.
            let link_col = d
                .fields
                .iter()
                .find(|f| f.field == Field::PatientClientExternalId)
                .and_then(|f| f.columns.first().cloned());
            if let Some(pos) = d.fields.iter().position(|f| {
                f.field == Field::PatientExternalId && f.columns.first() == link_col.as_ref()
            }) {
                d.fields.remove(pos);
            }
        }
    }
}
