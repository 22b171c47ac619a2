//! One problem found while converting and validating a row.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Severity {
    /// The record is not imported until this is fixed.
    Error,
    /// Imported, but shown to the user.
    Warning,
    /// Normalized automatically; `value` shows what it was.
    Fixed,
}

impl Severity {
    /// The lowercase name written to `findings.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Fixed => "fixed",
        }
    }
}

/// One line of `findings.csv`: where the problem is, what it is, and the value involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Finding {
    /// The file (or `file [sheet]`) the row came from.
    pub file: String,
    /// The row number a person sees in the spreadsheet (0 when about the whole file).
    #[ts(type = "number")]
    pub row: u64,
    /// The canonical field, e.g. `client.email`; empty when about the whole row.
    pub field: String,
    /// Stable code, e.g. `unparseable_date` (see `docs/canonical-format.md`).
    pub code: String,
    /// How bad it is.
    pub severity: Severity,
    /// What it means, for the user.
    pub message: String,
    /// The original value (for `fixed`, the value before the fix).
    pub value: String,
    /// The suggested or applied value, when there is one (for `fixed`, the value after).
    #[serde(default)]
    pub suggestion: String,
    /// The cell(s) as written in the file, when `value` is what they were read as
    /// (`Lapine` read as `rabbit`); empty otherwise. In the review and JSON Lines, not
    /// in `findings.csv`.
    #[serde(default)]
    pub source: String,
}

/// How many findings of one code and severity were written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CodeCount {
    /// The finding code, e.g. `invalid_email`.
    pub code: String,
    /// `error`, `warning` or `fixed`.
    pub severity: String,
    /// How many.
    #[ts(type = "number")]
    pub count: u64,
}
