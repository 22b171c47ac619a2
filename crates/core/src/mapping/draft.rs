//! A table's mapping while it is being suggested (candidates per column, the fields chosen
//! so far), and the review material it ends as. The suggestion builds it; the cross-table
//! link and the numbered-address-line passes adjust it, without importing the suggestion.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::Field;

use super::model::PetGroup;
use super::model::{FieldMapping, IgnoredColumn, TableRole};
use super::sniff::ColumnStats;
use super::transform::dates::DateDetection;
use super::vocab::Role;

/// Review material for one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TableReport {
    /// The table's label.
    pub table: String,
    /// What it holds.
    pub role: TableRole,
    /// Every column, in file order.
    pub columns: Vec<ColumnReport>,
    /// Distinct codes of code columns (species, sex, status flags) with counts and meanings.
    pub code_tables: Vec<CodeTable>,
    /// Date-format evidence of date columns.
    pub dates: Vec<DateReport>,
    /// Required fields (per the target's policy) no column fills.
    pub missing_required: Vec<Field>,
}

/// One column and what it could be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ColumnReport {
    /// The header.
    pub column: String,
    /// Fields it was assigned to (several for a deliberate split).
    pub fields: Vec<Field>,
    /// The best candidates, best first (at most 3).
    pub candidates: Vec<CandidateView>,
    /// Why it is not mapped, when it is not.
    pub ignored_reason: Option<String>,
    /// A few distinct values.
    pub samples: Vec<String>,
}

/// One possible meaning of a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CandidateView {
    /// A field key (`client.email`), or a split (`client.full_name`, `client.full_address`,
    /// `client.city_state_zip`), or `ignore` for a recognized non-canonical column.
    pub target: String,
    /// 0–1.
    pub confidence: f32,
    /// Why.
    pub reasons: Vec<String>,
}

/// The distinct values of a code column, and what each maps to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CodeTable {
    /// `patient.species`, `patient.sex`, or a status flag (`patient.deceased`, `client.active`).
    pub field: Field,
    /// The source column.
    pub column: String,
    /// One entry per distinct value, most frequent first.
    pub entries: Vec<CodeTableEntry>,
    /// The values a code may be given, for the code-table editor.
    pub choices: Vec<CodeChoice>,
    /// Rows the counts were taken from (a sample of the first rows, not the whole file).
    #[ts(type = "number")]
    pub sampled_rows: u64,
}

/// One value a code may be given, with its words for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CodeChoice {
    /// The value stored in the mapping's codes (`dog`, `male_neutered`, `true`).
    pub value: String,
    /// What it means, for people (`Dog`, `Male, neutered`, `Deceased`).
    pub label: String,
}

/// One distinct source code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CodeTableEntry {
    /// The value as written.
    pub value: String,
    /// Rows with it (among the sampled rows).
    #[ts(type = "number")]
    pub count: u64,
    /// What it maps to (`dog`; `male, neutered`), empty when unknown.
    pub maps_to: String,
    /// Whether it maps to something (by the mapping's own codes or the built-in table).
    pub known: bool,
    /// The mapping's own code for it (one of the table's choices), empty when it has none
    /// and the built-in reading applies.
    pub chosen: String,
    /// What the built-in table alone reads it as (like `maps_to`), empty when it does not
    /// know it: what an entry falls back to when its own code is removed.
    pub builtin: String,
}

/// Date evidence of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DateReport {
    /// The column.
    pub column: String,
    /// What its values say.
    pub detection: DateDetection,
}

/// How much the values can say about a role.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Strength {
    /// Values prove or disprove it (e-mails, dates, species codes).
    Strong,
    /// Values hint (street addresses, IDs).
    Medium,
    /// Values barely tell (names, cities, colours).
    Weak,
}

#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) column: usize,
    pub(super) role: Role,
    pub(super) confidence: f32,
    /// Sort key: the confidence, with the header's own weight breaking ties (confidence is
    /// capped at 1, so "Cell" and "Phone" can both reach it; "Cell" still names the mobile).
    pub(super) rank: f32,
    pub(super) reasons: Vec<String>,
    pub(super) sniffed_only: bool,
}

/// One table's assignment before roles across tables are settled.
pub(super) struct Draft {
    pub(super) stats: Vec<ColumnStats>,
    pub(super) candidates: Vec<Vec<Candidate>>, // per column, best first
    pub(super) fields: Vec<FieldMapping>,
    pub(super) assigned: HashMap<usize, Vec<Field>>,
    pub(super) ignored: Vec<IgnoredColumn>,
    pub(super) role: TableRole,
    pub(super) code_tables: Vec<CodeTable>,
    pub(super) dates: Vec<DateReport>,
    /// Further pets side by side on each row, read like the first pet.
    pub(super) pet_groups: Vec<PetGroup>,
    /// Why the whole table is left out (a settings sheet).
    pub(super) left_out: Option<String>,
}

impl Draft {
    /// Whether the header of column `i` made it a candidate for any of `fields`.
    pub(super) fn header_suggests(&self, i: usize, fields: &[Field]) -> bool {
        self.candidates.get(i).is_some_and(|cs| {
            cs.iter()
                .any(|c| !c.sniffed_only && matches!(c.role, Role::Field(f) if fields.contains(&f)))
        })
    }
}

/// Maps `fm.field` from `fm`'s column alone: the field's previous column and the column's
/// previous fields are released (and listed as ignored when nothing else uses them).
pub(super) fn replace_one(d: &mut Draft, headers: &[String], fm: FieldMapping) {
    let Some(col) = fm.columns.first().cloned() else {
        return;
    };
    let mut released: Vec<String> = Vec::new();
    d.fields.retain(|f| {
        let same_field = f.field == fm.field;
        let same_col = f.columns.first() == Some(&col);
        if same_field || same_col {
            released.extend(f.columns.iter().filter(|c| **c != col).cloned());
            false
        } else {
            true
        }
    });
    d.ignored.retain(|x| x.column != col);
    if let Some(i) = headers.iter().position(|h| *h == col) {
        d.assigned.insert(i, vec![fm.field]);
    }
    d.fields.push(fm);
    for c in released {
        if d.fields.iter().any(|f| f.columns.contains(&c)) {
            continue;
        }
        if let Some(i) = headers.iter().position(|h| *h == c) {
            d.assigned.remove(&i);
        }
        if !d.ignored.iter().any(|x| x.column == c) {
            d.ignored.push(IgnoredColumn {
                column: c,
                reason: "its values did not fit the link between the tables".into(),
            });
        }
    }
}
