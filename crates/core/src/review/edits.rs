//! The `Edits` document: what a person changed and excluded while reviewing problems.
//!
//! Saved as `edits.json` next to the canonical files, it is the record of every manual
//! change (before and after) and can be re-applied to the same export: `ph-import convert
//! --edits edits.json` writes the files the app wrote. Changes are keyed by the source file
//! and row a person can find in their spreadsheet, never by an internal index.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{Entity, Field};

/// The value of [`Edits::format`].
pub const EDITS_FORMAT: &str = "ph-import-edits";
/// The version of the edits document this build writes and reads.
pub const EDITS_VERSION: u32 = 1;

/// One record of the conversion, by where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordRef {
    /// Client or patient (a combined row holds one of each).
    pub entity: Entity,
    /// The source file (or `file [sheet]`), as in `findings.csv`.
    pub file: String,
    /// The row number a person sees in the spreadsheet.
    #[ts(type = "number")]
    pub row: u64,
}

/// One changed value of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Change {
    /// Client or patient.
    pub entity: Entity,
    /// The source file (or `file [sheet]`).
    pub file: String,
    /// The row number a person sees in the spreadsheet.
    #[ts(type = "number")]
    pub row: u64,
    /// The canonical field changed.
    pub field: Field,
    /// The canonical value the conversion produced; a change whose `before` no longer
    /// matches (the export was changed since) is not applied.
    pub before: String,
    /// What the person entered; validated and normalized like any source value.
    pub after: String,
}

/// Every change and exclusion of one review, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Edits {
    /// Always `ph-import-edits`.
    pub format: String,
    /// The document version.
    pub version: u32,
    /// Changed values, by entity, file, row and field.
    pub changes: Vec<Change>,
    /// Records left out of the canonical files. A client's pets go with it.
    pub excluded: Vec<RecordRef>,
}

impl Default for Edits {
    fn default() -> Self {
        Edits {
            format: EDITS_FORMAT.into(),
            version: EDITS_VERSION,
            changes: Vec::new(),
            excluded: Vec::new(),
        }
    }
}

/// Why an edits document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EditsError {
    /// Not JSON, or not the shape of an edits document.
    #[error("this is not an edits file ({0}); use the edits.json the app saved next to the canonical files")]
    Parse(#[from] serde_json::Error),
    /// Another kind of JSON document, or a newer version.
    #[error("this edits file is {format} version {version}; this build reads {EDITS_FORMAT} version {EDITS_VERSION}. Use the app that wrote it, or a newer one")]
    Version {
        /// The document's format.
        format: String,
        /// The document's version.
        version: u32,
    },
}

impl Edits {
    /// Reads an edits document from JSON.
    pub fn from_json(text: &str) -> Result<Edits, EditsError> {
        let edits: Edits = serde_json::from_str(text)?;
        if edits.format != EDITS_FORMAT || edits.version != EDITS_VERSION {
            return Err(EditsError::Version {
                format: edits.format,
                version: edits.version,
            });
        }
        Ok(edits)
    }

    /// The document as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        // Plain data of strings and numbers: serializing cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Whether nothing was changed or excluded.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.excluded.is_empty()
    }
}

/// The changes of one record: field, `before`, `after`.
pub(crate) type RecordChanges = Vec<(Field, String, String)>;

/// An edits document indexed for applying while rows stream by.
#[derive(Debug, Default)]
pub(crate) struct EditIndex {
    pub(crate) changes: HashMap<RecordRef, RecordChanges>,
    pub(crate) excluded: std::collections::HashSet<RecordRef>,
}

impl EditIndex {
    pub(crate) fn new(edits: &Edits) -> Self {
        let mut index = EditIndex::default();
        for c in &edits.changes {
            let key = RecordRef {
                entity: c.entity,
                file: c.file.clone(),
                row: c.row,
            };
            let list = index.changes.entry(key).or_default();
            // One change per field: a later one for the same field replaces it.
            list.retain(|(f, _, _)| *f != c.field);
            list.push((c.field, c.before.clone(), c.after.clone()));
        }
        index.excluded = edits.excluded.iter().cloned().collect();
        index
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.excluded.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_other_documents() {
        let edits = Edits {
            changes: vec![Change {
                entity: Entity::Client,
                file: "a.csv".into(),
                row: 4,
                field: Field::ClientEmail,
                before: "mary@gmial.com".into(),
                after: "mary@gmail.com".into(),
            }],
            excluded: vec![RecordRef {
                entity: Entity::Patient,
                file: "a.csv".into(),
                row: 5,
            }],
            ..Edits::default()
        };
        let json = edits.to_json();
        assert!(json.contains("\"client.email\""));
        assert_eq!(Edits::from_json(&json).ok(), Some(edits));
        assert!(matches!(
            Edits::from_json(
                r#"{"format":"ph-import-mapping","version":1,"changes":[],"excluded":[]}"#
            ),
            Err(EditsError::Version { .. })
        ));
        assert!(matches!(
            Edits::from_json("[1,2]"),
            Err(EditsError::Parse(_))
        ));
    }
}
