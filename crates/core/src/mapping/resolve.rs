//! Which mapping a set of files gets: a profile the user named, a saved or built-in profile
//! whose headers the files match, or else the automatic suggestion. The CLI and the app
//! both choose through here, so they always agree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{Field, RequiredPolicy};
use crate::read::{ReadError, ReadOptions};

use super::code_tables::{self, code_tables_for};
use super::country::CountryReport;
use super::profile::{self, Profile};
use super::source::{self, TableSource};
use super::suggest::{map_chosen_column, missing_of, TableReport};
use super::transform::codes::{code_key, CodeEntry};
use super::transform::Transform;
use super::{suggest, Mapping, MappingError, SourceTable, SuggestOptions, TableRole};

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
    /// The country the suggestion inferred (or was given), with its evidence.
    pub country: CountryReport,
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

/// The country of a profile's mapping, which its transforms were saved with; flagged when
/// the data (not a person) points to another.
fn profile_country(
    mapping: &Mapping,
    data: CountryReport,
    options: &SuggestOptions,
) -> CountryReport {
    if mapping.country == data.code {
        return data;
    }
    let mut reasons = vec![format!("{} as saved in the profile", mapping.country)];
    let needs_confirmation = options.infer_country && !data.needs_confirmation;
    if needs_confirmation {
        reasons.push(format!(
            "but the data points to {} ({}): please confirm, or give the country",
            data.code,
            data.reasons.join("; ")
        ));
    }
    CountryReport {
        code: mapping.country.clone(),
        reasons,
        needs_confirmation,
    }
}

/// Chooses the mapping for `tables`: `profile` when given, else a saved or built-in
/// profile the headers fully match (unless `options` says what tables hold), else the
/// automatic suggestion.
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
            country: profile_country(&mapping, suggestion.country, options),
            tables: with_code_tables_of(suggestion.tables, tables, &mapping),
            mapping,
        });
    }
    // A person who said what the tables hold wants the suggestion for that, not a profile.
    let profiles = if options.roles.is_empty() {
        all_profiles(profile_dir)
    } else {
        Vec::new()
    };
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
            country: profile_country(&mapping, suggestion.country, options),
            tables: with_code_tables_of(suggestion.tables, tables, &mapping),
            mapping,
        });
    }
    Ok(Resolved {
        origin: Origin::Suggestion,
        mapping: suggestion.mapping,
        country: suggestion.country,
        tables: suggestion.tables,
    })
}

/// The suggestion's review material with the code tables of `mapping` (a profile's own
/// codes), so the code tables shown are the ones the conversion will use.
fn with_code_tables_of(
    mut reports: Vec<TableReport>,
    tables: &[SourceTable],
    mapping: &Mapping,
) -> Vec<TableReport> {
    for ((report, source), tm) in reports.iter_mut().zip(tables).zip(&mapping.tables) {
        report.code_tables = code_tables_for(source, tm);
    }
    reports
}

/// Sets what the codes of `column` mean for `field` in one table, as a person chose them in
/// the code table (an entry with an empty value is dropped: the built-in reading applies).
/// Every field of the table read from that column with the same kind of transform gets the
/// codes (a sex column feeds sex and neutered alike). The field counts as confirmed unless a
/// sampled value is still unknown, and the table's code tables are rebuilt from the samples.
pub fn set_codes(
    resolved: &mut Resolved,
    tables: &[SourceTable],
    table: usize,
    column: &str,
    field: Field,
    codes: Vec<CodeEntry>,
) -> Result<(), RemapError> {
    let source = tables.get(table).ok_or(RemapError::NoSuchTable(table))?;
    let (Some(mapping), Some(report)) = (
        resolved.mapping.tables.get_mut(table),
        resolved.tables.get_mut(table),
    ) else {
        return Err(RemapError::NoSuchTable(table));
    };
    let fed_by = |m: &super::FieldMapping| {
        m.field == field && m.columns.first().is_some_and(|c| c == column)
    };
    let not_coded = || RemapError::NotACodeColumn {
        field,
        column: column.to_owned(),
    };
    let target = mapping
        .fields
        .iter()
        .find(|m| fed_by(m))
        .ok_or_else(not_coded)?;
    let choices = code_tables::choices(field, &target.transform).ok_or_else(not_coded)?;
    let kind = std::mem::discriminant(&target.transform);
    let mut kept: Vec<CodeEntry> = Vec::new();
    for entry in codes {
        let value = entry.value.trim();
        if value.is_empty() {
            continue;
        }
        if !choices.iter().any(|c| c.value == value) {
            return Err(RemapError::BadCode {
                code: entry.code,
                value: value.to_owned(),
                allowed: choices
                    .iter()
                    .map(|c| c.value.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        // The same code twice (by its lookup key): the later choice wins.
        let key = code_key(&entry.code);
        kept.retain(|e| code_key(&e.code) != key);
        kept.push(CodeEntry {
            code: entry.code,
            value: value.to_owned(),
        });
    }
    for m in mapping.fields.iter_mut().filter(|m| {
        m.columns.first().is_some_and(|c| c == column)
            && std::mem::discriminant(&m.transform) == kind
    }) {
        code_tables::replace_codes(&mut m.transform, &kept);
    }
    report.code_tables = code_tables_for(source, mapping);
    let unknown = report
        .code_tables
        .iter()
        .filter(|t| t.field == field && t.column == column)
        .flat_map(|t| &t.entries)
        .any(|e| !e.known);
    if let Some(m) = mapping.fields.iter_mut().find(|m| fed_by(m)) {
        m.confidence = 1.0;
        m.reasons.retain(|r| !r.contains("codes not known"));
        m.reasons.push("codes set by you".into());
        m.needs_confirmation = unknown;
    }
    Ok(())
}

/// Re-maps one field of one table to the column a person chose (or to nothing), updating the
/// review material: the column's code table and date evidence, and the missing required fields.
pub fn remap_field(
    resolved: &mut Resolved,
    tables: &[SourceTable],
    table: usize,
    field: Field,
    column: Option<&str>,
    options: &SuggestOptions,
    policy: &RequiredPolicy,
) -> Result<(), RemapError> {
    let source = tables.get(table).ok_or(RemapError::NoSuchTable(table))?;
    // The mapping's own country (a profile's, or the person's setting), not the caller's
    // fallback: a phone of an Australian clinic is read as Australian.
    let options = SuggestOptions {
        country: resolved.mapping.country.clone(),
        ..options.clone()
    };
    let (Some(mapping), Some(report)) = (
        resolved.mapping.tables.get_mut(table),
        resolved.tables.get_mut(table),
    ) else {
        return Err(RemapError::NoSuchTable(table));
    };
    mapping.fields.retain(|m| m.field != field);
    report.code_tables.retain(|c| c.field != field);
    if let Some(header) = column {
        let (chosen, code_tables, dates) = map_chosen_column(source, field, header, &options)
            .ok_or_else(|| RemapError::NoSuchColumn(header.to_owned()))?;
        report.dates.retain(|d| d.column != header);
        report.code_tables.extend(code_tables);
        report.dates.extend(dates);
        let mut chosen = chosen;
        // One column feeding two fields is fine for a deliberate split (full name, one-line
        // address, sex + neutered), and worth a second look otherwise.
        let also: Vec<String> = mapping
            .fields
            .iter()
            .filter(|m| m.columns.iter().any(|c| c == header))
            .filter(|m| {
                !matches!(
                    m.transform,
                    Transform::SplitName { .. }
                        | Transform::SplitAddress { .. }
                        | Transform::Sex { .. }
                )
            })
            .map(|m| m.field.key().to_owned())
            .collect();
        if !also.is_empty() {
            chosen.needs_confirmation = true;
            chosen.reasons.push(format!(
                "\"{header}\" also fills {}: is that intended?",
                also.join(", ")
            ));
        }
        mapping.fields.push(chosen);
        // Keep fields in canonical order, as suggestions list them.
        mapping
            .fields
            .sort_by_key(|m| Field::ALL.iter().position(|f| *f == m.field));
    }
    report.missing_required = missing_of(mapping, policy);
    for c in &mut report.columns {
        c.fields = mapping
            .fields
            .iter()
            .filter(|m| m.columns.contains(&c.column))
            .map(|m| m.field)
            .collect();
    }
    Ok(())
}

/// Says what one table holds: that table's mapping is suggested again for its new role
/// (knowing what every other table holds), and every other table keeps its mapping and review
/// material as they are, with the person's choices on them.
pub fn change_role(
    resolved: &mut Resolved,
    tables: &[SourceTable],
    table: usize,
    role: TableRole,
    options: &SuggestOptions,
    policy: &RequiredPolicy,
) -> Result<(), RemapError> {
    if tables.len() != resolved.mapping.tables.len() || table >= tables.len() {
        return Err(RemapError::NoSuchTable(table));
    }
    let mut roles: BTreeMap<String, TableRole> = resolved
        .mapping
        .tables
        .iter()
        .map(|t| (t.table.clone(), t.role))
        .collect();
    let name = resolved.mapping.tables[table].table.clone();
    roles.insert(name, role);
    let options = SuggestOptions {
        roles,
        ..options.clone()
    };
    let suggestion = suggest(tables, &options, policy);
    let (Some(mapping), Some(report)) = (
        suggestion.mapping.tables.into_iter().nth(table),
        suggestion.tables.into_iter().nth(table),
    ) else {
        return Err(RemapError::NoSuchTable(table));
    };
    resolved.mapping.tables[table] = mapping;
    resolved.tables[table] = report;
    Ok(())
}

/// Why a field could not be re-mapped.
#[derive(Debug, thiserror::Error)]
pub enum RemapError {
    /// The table index is out of range.
    #[error("there is no table number {0} in this mapping; reload the files and try again")]
    NoSuchTable(usize),
    /// The column is not in the table.
    #[error("the file has no column named \"{0}\"")]
    NoSuchColumn(String),
    /// The field is not read from that column with codes.
    #[error("{} is not read from the column \"{column}\" with a code table; map the column to the field first", field.key())]
    NotACodeColumn {
        /// The field.
        field: Field,
        /// The column.
        column: String,
    },
    /// A code was given a value the field does not take.
    #[error("the code \"{code}\" cannot mean \"{value}\"; choose one of: {allowed}")]
    BadCode {
        /// The source code.
        code: String,
        /// The value asked for.
        value: String,
        /// The values the field takes.
        allowed: String,
    },
}
