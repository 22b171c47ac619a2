//! Which mapping a set of files gets: a profile the user named, a saved or built-in profile
//! whose headers the files match, or else the automatic suggestion. The CLI and the app
//! both choose through here, so they always agree.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::RequiredPolicy;
use crate::read::{ReadError, ReadOptions};

use super::profile::{self, Profile};
use super::source::{self, TableSource};
use super::suggest::TableReport;
use super::{suggest, Mapping, MappingError, SourceTable, SuggestOptions};

/// Rows read from each table to suggest a mapping (converting reads them all).
pub const SAMPLE_ROWS: usize = 5000;

/// Where the mapping came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Origin {
    /// The automatic suggestion.
    Suggestion,
    /// A profile: named by the user, or recognized from the files' headers.
    Profile {
        /// The profile's name.
        name: String,
        /// True when recognized from the headers rather than named by the user.
        recognized: bool,
    },
}

/// The chosen mapping with the review material of the suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Resolved {
    /// Where the mapping came from.
    pub origin: Origin,
    /// The mapping to convert with.
    pub mapping: Mapping,
    /// Per table: columns, candidates, code tables, date evidence, missing required fields.
    pub tables: Vec<TableReport>,
}

/// Why no mapping could be chosen.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// A file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// No saved or built-in profile has that name.
    #[error("no profile is named \"{name}\" (saved profiles are in {}); give a profile's name or the path of a profile file", dir.display())]
    NoSuchProfile {
        /// The name asked for.
        name: String,
        /// Where saved profiles are looked for.
        dir: PathBuf,
    },
    /// A profile file could not be read or is not a profile.
    #[error("\"{}\" is not a usable profile: {reason}", path.display())]
    BadProfile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The profile's tables do not match the files.
    #[error("the profile \"{name}\" does not fit these files: {reason}")]
    ProfileDoesNotFit {
        /// The profile.
        name: String,
        /// What does not match.
        reason: String,
    },
}

/// Finds the tables (files, and each sheet with data) and samples their first rows.
pub fn load_tables(files: &[PathBuf]) -> Result<(Vec<TableSource>, Vec<SourceTable>), ReadError> {
    let inputs: Vec<(PathBuf, ReadOptions)> = files
        .iter()
        .map(|f| (f.clone(), ReadOptions::default()))
        .collect();
    load_tables_with(&inputs)
}

/// Like [`load_tables`], each file read with the user's overrides (header row, encoding…).
pub fn load_tables_with(
    inputs: &[(PathBuf, ReadOptions)],
) -> Result<(Vec<TableSource>, Vec<SourceTable>), ReadError> {
    let sources = source::discover_with(inputs)?;
    let mut tables = Vec::with_capacity(sources.len());
    for s in &sources {
        tables.push(source::sample(s, SAMPLE_ROWS)?);
    }
    Ok((sources, tables))
}

/// Saved profiles in `profile_dir`, then the built-in ones.
pub fn all_profiles(profile_dir: &Path) -> Vec<Profile> {
    let mut profiles = profile::load_dir(profile_dir);
    profiles.extend(profile::builtin_profiles());
    profiles
}

/// A profile by name (saved or built-in), or from a profile or bare mapping JSON file.
pub fn find_profile(name_or_path: &str, profile_dir: &Path) -> Result<Profile, ResolveError> {
    let path = Path::new(name_or_path);
    if path.is_file() {
        let bad = |reason: String| ResolveError::BadProfile {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        // A bare mapping file is accepted too: it becomes a profile named after the file.
        return match Profile::from_json(&text) {
            Ok(p) => Ok(p),
            Err(profile_err) => match Mapping::from_json(&text) {
                Ok(m) => Ok(Profile::new(&source::label_of(path), "", m)),
                Err(_) => Err(bad(profile_err.to_string())),
            },
        };
    }
    all_profiles(profile_dir)
        .into_iter()
        .find(|p| p.name.eq_ignore_ascii_case(name_or_path))
        .ok_or_else(|| ResolveError::NoSuchProfile {
            name: name_or_path.to_owned(),
            dir: profile_dir.to_path_buf(),
        })
}

/// Chooses the mapping for `tables`: `profile` when given, else a saved or built-in
/// profile the headers fully match, else the automatic suggestion.
pub fn resolve(
    profile: Option<&Profile>,
    tables: &[SourceTable],
    options: &SuggestOptions,
    policy: &RequiredPolicy,
    profile_dir: &Path,
) -> Result<Resolved, ResolveError> {
    let suggestion = suggest(tables, options, policy);
    let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    let headers: Vec<Vec<String>> = tables.iter().map(|t| t.headers.clone()).collect();
    if let Some(p) = profile {
        let mapping = p.mapping_for(&names, &headers).map_err(|e: MappingError| {
            ResolveError::ProfileDoesNotFit {
                name: p.name.clone(),
                reason: format!(
                    "{e} (the profile has {} table(s), the files {})",
                    p.mapping.tables.len(),
                    tables.len()
                ),
            }
        })?;
        return Ok(Resolved {
            origin: Origin::Profile {
                name: p.name.clone(),
                recognized: false,
            },
            mapping,
            tables: suggestion.tables,
        });
    }
    let profiles = all_profiles(profile_dir);
    let recognized = profile::best_match(&profiles, &headers)
        .filter(|m| m.missing_columns.is_empty())
        .and_then(|m| profiles.iter().find(|p| p.name == m.name))
        .and_then(|p| {
            p.mapping_for(&names, &headers)
                .ok()
                .map(|mapping| (p, mapping))
        });
    if let Some((p, mapping)) = recognized {
        return Ok(Resolved {
            origin: Origin::Profile {
                name: p.name.clone(),
                recognized: true,
            },
            mapping,
            tables: suggestion.tables,
        });
    }
    Ok(Resolved {
        origin: Origin::Suggestion,
        mapping: suggestion.mapping,
        tables: suggestion.tables,
    })
}
