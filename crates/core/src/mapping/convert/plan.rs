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

/// A table mapping bound to a concrete file's columns.
#[derive(Debug, Clone)]
pub struct TablePlan {
    /// Tells plans apart, so per-thread caches of one plan are never used for another.
    pub(super) id: u64,
    pub(super) label: String,
    pub(super) role: TableRole,
    pub(super) fields: Vec<PlannedField>,
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

    /// The cells `field` is read from in `row`, as written (several joined by a space).
    pub(super) fn source_cells(&self, field: Field, row: &SourceRow) -> String {
        let Some(pf) = self.fields.iter().find(|pf| pf.field == field) else {
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
        width: headers.len(),
        headers: headers.to_vec(),
    })
}
