//! What one source row became once converted, and why a conversion run can stop: the
//! shapes every consumer of the run (writers, the review, duplicate groups) shares.

use crate::canonical::{ClientRecord, Finding, PatientRecord};
use crate::read::ReadError;

use super::convert::Repeated;
use super::MappingError;

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
