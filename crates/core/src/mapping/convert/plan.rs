//! A table mapping bound to one file's columns.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::canonical::{Entity, Field, Finding, Severity};

use super::super::model::{MappingError, TableMapping, TableRole};
use super::super::table::SourceRow;
use super::super::transform::Transform;

/// One field of a table plan: the field, its source column indexes, its transform.
#[derive(Debug, Clone)]
pub(super) struct PlannedField {
    pub(super) field: Field,
    pub(super) columns: Vec<usize>,
    pub(super) transform: Transform,
    /// Date order not settled: report values that read differently the other way round.
    pub(super) ambiguous_date: bool,
}

/// A column a further pet's group lacks: its cell reads as empty.
pub(super) const NO_COLUMN: usize = usize::MAX;

/// A further pet of each row (pets side by side): the patient fields, each reading this
/// pet's own columns in place of the first pet's.
#[derive(Debug, Clone)]
pub(super) struct PlannedGroup {
    /// The pet's number as the headers write it.
    pub(super) number: u32,
    pub(super) fields: Vec<PlannedField>,
    /// Where this group's fields start in a thread's value cache (after the table's fields
    /// and the groups before).
    pub(super) cache_base: usize,
}

/// A table mapping bound to a concrete file's columns.
#[derive(Debug, Clone)]
pub struct TablePlan {
    /// Tells plans apart, so per-thread caches of one plan are never used for another.
    pub(super) id: u64,
    pub(super) label: String,
    pub(super) role: TableRole,
    pub(super) fields: Vec<PlannedField>,
    /// Further pets on each row, after the one `fields` reads.
    pub(super) groups: Vec<PlannedGroup>,
    /// Number of columns in the header, to spot ragged rows.
    pub(super) width: usize,
    /// The file's column names, to name a column in a finding about the whole table.
    pub(super) headers: Vec<String>,
}

impl TablePlan {
    /// What the table holds.
    pub fn role(&self) -> TableRole {
        self.role
    }

    /// A finding about row `row` of this table, without a suggestion.
    pub(super) fn finding(
        &self,
        row: u64,
        field: &str,
        code: &str,
        severity: Severity,
        message: String,
        value: &str,
    ) -> Finding {
        Finding {
            file: self.label.clone(),
            row,
            field: field.into(),
            code: code.into(),
            severity,
            message,
            value: value.into(),
            suggestion: String::new(),
            source: String::new(),
        }
    }

    /// The columns a pet's owner ID is read from (none when the table has no owner link).
    pub(super) fn owner_link_columns(&self) -> &[usize] {
        self.fields
            .iter()
            .find(|pf| pf.field == Field::PatientClientExternalId)
            .map_or(&[], |pf| pf.columns.as_slice())
    }

    /// The cells `field` is read from in `row` through `fields` (the table's, or a further
    /// pet's), as written (several joined by a space).
    pub(super) fn source_cells(
        &self,
        fields: &[PlannedField],
        field: Field,
        row: &SourceRow,
    ) -> String {
        let Some(pf) = fields.iter().find(|pf| pf.field == field) else {
            return String::new();
        };
        pf.columns
            .iter()
            .filter_map(|&i| row.cells.get(i))
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The names of columns `columns`, quoted and joined for a message.
    pub(super) fn column_names(&self, columns: &[usize]) -> String {
        columns
            .iter()
            .filter_map(|&i| self.headers.get(i))
            .map(|h| format!("“{h}”"))
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// The cells a row's client is converted from, in field order.
    pub(super) fn client_cells<'r>(
        &'r self,
        row: &'r SourceRow,
    ) -> impl Iterator<Item = &'r str> + 'r {
        self.fields
            .iter()
            .filter(|pf| pf.field.entity() == Entity::Client)
            .flat_map(|pf| pf.columns.iter())
            .map(|&i| row.cells.get(i).map_or("", String::as_str))
    }
}

/// Binds a table mapping to a file's headers.
pub fn plan(
    mapping: &TableMapping,
    label: &str,
    headers: &[String],
) -> Result<TablePlan, MappingError> {
    let index: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let mut missing = Vec::new();
    let mut fields = Vec::new();
    for fm in &mapping.fields {
        let mut columns = Vec::new();
        for c in &fm.columns {
            match index.get(c.as_str()) {
                Some(&i) => columns.push(i),
                None => missing.push(c.clone()),
            }
        }
        fields.push(PlannedField {
            field: fm.field,
            columns,
            transform: fm.transform.clone(),
            ambiguous_date: fm.needs_confirmation && matches!(fm.transform, Transform::Date { .. }),
        });
    }
    let groups = plan_groups(mapping, &fields, &index, &mut missing);
    if !missing.is_empty() {
        missing.dedup();
        return Err(MappingError::MissingColumns {
            table: label.to_string(),
            columns: missing,
        });
    }
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    Ok(TablePlan {
        id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        label: label.to_string(),
        role: mapping.role,
        fields,
        groups,
        width: headers.len(),
        headers: headers.to_vec(),
    })
}

/// Binds the further pets of `mapping` to the file's columns. Each takes the patient fields
/// that read one of the first pet's grouped columns, with this pet's columns in their place
/// (and [`NO_COLUMN`] where it has none); a column outside the groups (an owner link, a
/// weight unit for all) is shared. Columns the file lacks go to `missing`.
fn plan_groups(
    mapping: &TableMapping,
    fields: &[PlannedField],
    index: &HashMap<&str, usize>,
    missing: &mut Vec<String>,
) -> Vec<PlannedGroup> {
    let firsts: Vec<usize> = mapping
        .pet_groups
        .iter()
        .flat_map(|g| &g.columns)
        .filter_map(|c| index.get(c.first.as_str()).copied())
        .collect();
    let mut cache_base = fields.len();
    let mut groups = Vec::new();
    for g in &mapping.pet_groups {
        let mut own: HashMap<usize, usize> = HashMap::new();
        for c in &g.columns {
            match (index.get(c.first.as_str()), index.get(c.column.as_str())) {
                (Some(&first), Some(&column)) => {
                    own.insert(first, column);
                }
                (first, column) => {
                    for (name, found) in [(&c.first, first), (&c.column, column)] {
                        if found.is_none() {
                            missing.push(name.clone());
                        }
                    }
                }
            }
        }
        let group_fields: Vec<PlannedField> = fields
            .iter()
            .filter(|pf| pf.field.entity() == Entity::Patient)
            .filter(|pf| {
                pf.field == Field::PatientClientExternalId
                    || pf.columns.iter().any(|i| own.contains_key(i))
            })
            .map(|pf| PlannedField {
                columns: pf
                    .columns
                    .iter()
                    .map(|i| match own.get(i) {
                        Some(&column) => column,
                        None if firsts.contains(i) => NO_COLUMN,
                        None => *i,
                    })
                    .collect(),
                ..pf.clone()
            })
            .collect();
        let len = group_fields.len();
        groups.push(PlannedGroup {
            number: g.number,
            fields: group_fields,
            cache_base,
        });
        cache_base += len;
    }
    groups
}
