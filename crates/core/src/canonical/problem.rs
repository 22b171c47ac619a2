//! What a transform or a check says about one value: the value it produced and its
//! problems. Shared by mapping and validation, so neither imports the other for it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Severity;

/// A problem with one value, reported as data so the caller decides what to do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Problem {
    /// Stable code (see `docs/canonical-format.md`).
    pub code: String,
    /// How bad it is.
    pub severity: Severity,
    /// What it means, for the user.
    pub message: String,
    /// A suggested or applied value, when there is one; empty otherwise.
    #[serde(default)]
    pub suggestion: String,
}

impl Problem {
    /// A problem without a suggested value.
    pub fn new(code: &str, severity: Severity, message: String) -> Self {
        Problem {
            code: code.into(),
            severity,
            message,
            suggestion: String::new(),
        }
    }

    /// The same problem with a suggested (or, for `fixed`, applied) value.
    pub fn suggest(mut self, value: impl Into<String>) -> Self {
        self.suggestion = value.into();
        self
    }
}

/// The result of a transform on one row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Canonical text; empty when unknown.
    pub value: String,
    /// Problems found, if any.
    pub problems: Vec<Problem>,
}

impl Output {
    /// A value without problems.
    pub fn ok(value: impl Into<String>) -> Self {
        Output {
            value: value.into(),
            problems: Vec::new(),
        }
    }

    /// A value with one problem.
    pub fn problem(
        value: impl Into<String>,
        code: &str,
        severity: Severity,
        message: String,
    ) -> Self {
        Output {
            value: value.into(),
            problems: vec![Problem::new(code, severity, message)],
        }
    }
}
