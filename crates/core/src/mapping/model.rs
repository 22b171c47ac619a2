//! The mapping model: which source columns feed which canonical field, through which
//! transform. Serialized as versioned, human-readable JSON (`docs/canonical-format.md`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{Entity, Field};

use super::transform::Transform;

/// The `format` value of every mapping file.
pub const MAPPING_FORMAT: &str = "ph-import-mapping";
/// The mapping file version written by this build.
pub const MAPPING_VERSION: u32 = 1;

/// What one table (file or sheet) holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TableRole {
    /// One row per pet, with the owner's columns repeated on each (or owners without pets).
    Combined,
    /// Owners only.
    Clients,
    /// Pets only, linked to owners by a client ID column.
    Patients,
}

/// A whole mapping: one entry per source table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Mapping {
    /// Always `ph-import-mapping`.
    pub format: String,
    /// The mapping format version.
    pub version: u32,
    /// The clinic's country (ISO alpha-2): default for phones, addresses and weights.
    pub country: String,
    /// One entry per source table.
    pub tables: Vec<TableMapping>,
}

impl Default for Mapping {
    fn default() -> Self {
        Self {
            format: MAPPING_FORMAT.into(),
            version: MAPPING_VERSION,
            country: "US".into(),
            tables: Vec::new(),
        }
    }
}

/// The mapping of one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TableMapping {
    /// The table's label (file name, or `file [sheet]`).
    pub table: String,
    /// What the table holds.
    pub role: TableRole,
    /// The headers the mapping was made for (used to recognize the layout again).
    pub headers: Vec<String>,
    /// The mapped fields.
    pub fields: Vec<FieldMapping>,
    /// Columns deliberately left out, with why.
    #[serde(default)]
    pub ignored: Vec<IgnoredColumn>,
    /// Further pets on each row ("pets side by side": `Pet2 Name`, `Pet3 Name`…): each is
    /// read like the first pet, from its own columns. Empty for one pet per row.
    #[serde(default)]
    pub pet_groups: Vec<PetGroup>,
    /// Why the whole table is left out (a settings sheet: it holds no records), when it is;
    /// such a table needs no field.
    #[serde(default)]
    pub left_out: Option<String>,
}

/// One further pet of a row: the columns it is read from, in place of the first pet's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PetGroup {
    /// The pet's number as the headers write it (`2` for `Pet2 Name` or `Name_2`).
    pub number: u32,
    /// Each first-pet column this pet has its own of. A patient field reads these in place
    /// of the first pet's; a first-pet column missing here reads as empty for this pet.
    pub columns: Vec<GroupColumn>,
}

/// A first-pet column and the same column of a further pet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupColumn {
    /// The first pet's column (`Pet1 Name`).
    pub first: String,
    /// This pet's column (`Pet2 Name`).
    pub column: String,
}

/// How one canonical field is filled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldMapping {
    /// The canonical field.
    pub field: Field,
    /// Source columns by header name, in the order the transform takes them (none for constants).
    pub columns: Vec<String>,
    /// How the cells become the value.
    pub transform: Transform,
    /// How sure the suggestion is, 0–1 (1 for a mapping a person made or confirmed).
    #[serde(default = "one")]
    pub confidence: f32,
    /// The user should look at this before converting.
    #[serde(default)]
    pub needs_confirmation: bool,
    /// Why this was suggested, for people.
    #[serde(default)]
    pub reasons: Vec<String>,
}

fn one() -> f32 {
    1.0
}

/// A column left out of the mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IgnoredColumn {
    /// The header.
    pub column: String,
    /// Why, for people.
    pub reason: String,
}

impl TableMapping {
    /// Every column the mapping reads: the fields' and the further pets'.
    pub fn used_columns(&self) -> impl Iterator<Item = &String> {
        self.fields.iter().flat_map(|f| f.columns.iter()).chain(
            self.pet_groups
                .iter()
                .flat_map(|g| g.columns.iter().map(|c| &c.column)),
        )
    }

    /// The mapping of one field, when mapped.
    pub fn field(&self, field: Field) -> Option<&FieldMapping> {
        self.fields.iter().find(|f| f.field == field)
    }

    /// Which entities the table yields.
    pub fn entities(&self) -> Vec<Entity> {
        match self.role {
            TableRole::Combined => vec![Entity::Client, Entity::Patient],
            TableRole::Clients => vec![Entity::Client],
            TableRole::Patients => vec![Entity::Patient],
        }
    }
}

impl Mapping {
    /// Parses a mapping file, checking its format and version.
    pub fn from_json(text: &str) -> Result<Mapping, MappingError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| MappingError::Json(e.to_string()))?;
        check_header(&value, MAPPING_FORMAT, MAPPING_VERSION)?;
        serde_json::from_value(value).map_err(|e| MappingError::Json(e.to_string()))
    }

    /// The mapping as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Whether any field waits for the user's confirmation.
    pub fn needs_confirmation(&self) -> bool {
        self.tables
            .iter()
            .flat_map(|t| &t.fields)
            .any(|f| f.needs_confirmation)
    }

    /// Marks every field as confirmed by a person (confidence 1, nothing to confirm).
    pub fn confirm_all(&mut self) {
        for f in self.tables.iter_mut().flat_map(|t| &mut t.fields) {
            f.confidence = 1.0;
            f.needs_confirmation = false;
            f.reasons.clear();
        }
    }
}

/// Checks the `format` and `version` keys of a versioned JSON document.
pub(crate) fn check_header(
    value: &serde_json::Value,
    format: &str,
    version: u32,
) -> Result<(), MappingError> {
    let found = value.get("format").and_then(|v| v.as_str()).unwrap_or("");
    if found != format {
        return Err(MappingError::NotAMapping {
            expected: format.into(),
            found: found.into(),
        });
    }
    let v = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if v == 0 || v > u64::from(version) {
        return Err(MappingError::UnsupportedVersion {
            found: v,
            supported: version,
        });
    }
    Ok(())
}

/// Why a mapping or profile file could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MappingError {
    /// Not JSON, or not the expected shape.
    #[error("the mapping file is not valid: {0}")]
    Json(String),
    /// JSON of another kind.
    #[error("this is not a {expected} file (its format is \"{found}\")")]
    NotAMapping {
        /// The format wanted.
        expected: String,
        /// The format found.
        found: String,
    },
    /// Written by a newer version of the tool.
    #[error("the file has version {found}; this version of the tool reads up to {supported}")]
    UnsupportedVersion {
        /// The version in the file.
        found: u64,
        /// The newest this build reads.
        supported: u32,
    },
    /// The file lacks columns the mapping uses.
    #[error("\"{table}\" has no column{} {}; the mapping was made for a different layout", if columns.len() == 1 { "" } else { "s" }, columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "))]
    MissingColumns {
        /// The table.
        table: String,
        /// The columns not found.
        columns: Vec<String>,
    },
    /// No mapping entry fits a table.
    #[error("the mapping has no entry for \"{0}\"")]
    NoTable(String),
}
