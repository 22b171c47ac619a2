//! The one error shape the UI receives from every command.

use serde::Serialize;
use ts_rs::TS;

/// An error as the UI shows it: a sentence for the user and a stable code for the UI to branch on.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppError {
    /// Stable machine-readable kind, e.g. `read`, `cancelled`, `internal`.
    pub code: String,
    /// What happened and what to do next, written for a tech-team member.
    pub message: String,
}

impl AppError {
    /// An error with the given code and message.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl From<ph_import_core::read::ReadError> for AppError {
    fn from(e: ph_import_core::read::ReadError) -> Self {
        Self::new("read", e.to_string())
    }
}

impl From<ph_import_core::job::JobError> for AppError {
    fn from(e: ph_import_core::job::JobError) -> Self {
        match e {
            ph_import_core::job::JobError::Read(e) => e.into(),
            ph_import_core::job::JobError::Cancelled => Self::new("cancelled", "Cancelled."),
            other => Self::new("mapping", other.to_string()),
        }
    }
}

impl From<ph_import_core::job::WriteError> for AppError {
    fn from(e: ph_import_core::job::WriteError) -> Self {
        match e {
            ph_import_core::job::WriteError::Cancelled => Self::new("cancelled", "Cancelled."),
            ph_import_core::job::WriteError::Read(e) => e.into(),
            other => Self::new("write", other.to_string()),
        }
    }
}
