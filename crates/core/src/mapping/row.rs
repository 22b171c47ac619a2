//! What one source row became once converted, and why a conversion run can stop: the
//! shapes every consumer of the run (writers, the review, duplicate groups) shares.

use crate::canonical::{ClientRecord, Finding, PatientRecord};
use crate::read::{Progress, ReadError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::convert::Repeated;
use super::{Mapping, MappingError, TableRole};

/// What one source row became.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowOutput {
    /// The table's position in the mapping.
    pub table: usize,
    /// The row number a person sees in the spreadsheet.
    pub row: u64,
    /// The client first seen on this row, if any.
    pub client: Option<ClientRecord>,
    /// The row's pet, if any.
    pub patient: Option<PatientRecord>,
    /// The row's findings, in the converter's order.
    pub findings: Vec<Finding>,
    /// The earlier row of the same table this row repeats, if it does.
    pub repeat: Option<Repeated>,
}

impl RowOutput {
    /// The findings split into the client's, the patient's and the rest (about the whole
    /// row, or about an owner repeated from an earlier row), each in order.
    pub fn split_findings(&self) -> (Vec<Finding>, Vec<Finding>, Vec<Finding>) {
        let (mut c, mut p, mut rest) = (Vec::new(), Vec::new(), Vec::new());
        for f in &self.findings {
            if self.client.is_some() && f.field.starts_with("client.") {
                c.push(f.clone());
            } else if self.patient.is_some() && f.field.starts_with("patient.") {
                p.push(f.clone());
            } else {
                rest.push(f.clone());
            }
        }
        (c, p, rest)
    }
}

/// Why a conversion run stopped before its end, apart from its consumer's own errors.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A source file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The mapping does not fit the files.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// The person cancelled.
    #[error("the run was cancelled")]
    Cancelled,
}

/// What one table gave: its rows and the records made from them, so a table that has rows
/// but gives no record (a wrong role, a mapping that fills nothing) is told, not hidden in
/// the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TableTally {
    /// The table's label: `file` or `file [sheet]`.
    pub table: String,
    /// What the mapping says the table holds.
    pub role: TableRole,
    /// Data rows read.
    #[ts(type = "number")]
    pub rows: u64,
    /// Clients made from its rows.
    #[ts(type = "number")]
    pub clients: u64,
    /// Patients made from its rows.
    #[ts(type = "number")]
    pub patients: u64,
    /// Why the mapping leaves the whole table out (a settings sheet), when it does: such a
    /// table gives no records on purpose.
    pub left_out: Option<String>,
}

impl TableTally {
    /// Whether the table has rows but gave no record at all.
    pub fn gives_nothing(&self) -> bool {
        self.rows > 0 && self.clients == 0 && self.patients == 0 && self.left_out.is_none()
    }

    /// The warning for a table that gives nothing, `None` for one that gives records.
    pub fn warning(&self) -> Option<String> {
        self.gives_nothing().then(|| {
            format!(
                "{} has {} rows but gives no records: check what it holds and its columns on the mapping step",
                self.table, self.rows
            )
        })
    }
}

/// Tallies of every table of a run, filled as its rows are read and converted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableTallies(Vec<TableTally>);

impl TableTallies {
    /// One empty tally per table of `mapping`, in its order.
    pub fn new(mapping: &Mapping) -> Self {
        TableTallies(
            mapping
                .tables
                .iter()
                .map(|t| TableTally {
                    table: t.table.clone(),
                    role: t.role,
                    rows: 0,
                    clients: 0,
                    patients: 0,
                    left_out: t.left_out.clone(),
                })
                .collect(),
        )
    }

    /// Notes how far table `i` has been read (the run's progress reports it per table).
    pub fn read(&mut self, i: usize, read: &Progress) {
        if let Some(t) = self.0.get_mut(i) {
            t.rows = read.rows_read;
        }
    }

    /// Counts the records one converted row gave.
    pub fn row(&mut self, out: &RowOutput) {
        if let Some(t) = self.0.get_mut(out.table) {
            t.clients += u64::from(out.client.is_some());
            t.patients += u64::from(out.patient.is_some());
        }
    }

    /// The tallies, in the mapping's table order.
    pub fn into_vec(self) -> Vec<TableTally> {
        self.0
    }
}
