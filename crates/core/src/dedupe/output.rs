//! The files of duplicates and matches: `duplicates.*` (groups inside the files) and
//! `matches.*` (each record against PH), as CSV or JSON Lines.

use std::path::{Path, PathBuf};

use crate::canonical::Entity;
use crate::private_file::{CreateError, FileSet, Overwrite};
use crate::table_file::{write_alone, OutputFormat, Writer};

use super::classify::{MatchedBy, RecordMatch};
use super::{DuplicateGroup, DUPLICATE_COLUMNS};

/// The stem of the file [`write_duplicates`] writes.
pub const DUPLICATES_FILE: &str = "duplicates";
/// The stem of the file [`write_matches`] writes.
pub const MATCHES_FILE: &str = "matches";

/// Writes `duplicates.*` into `dir`: one line per member of each group (the columns of
/// [`DUPLICATE_COLUMNS`]; in CSV the reasons joined by `; `). Returns the path.
pub fn write_duplicates(
    dir: &Path,
    format: OutputFormat,
    groups: &[DuplicateGroup],
    overwrite: Overwrite,
) -> Result<PathBuf, CreateError> {
    write_alone(dir, format, DUPLICATES_FILE, overwrite, |set| {
        write_duplicates_in(set, format, groups)
    })
}

/// Like [`write_duplicates`], the file part of `set` (which must list it).
pub fn write_duplicates_in(
    set: &mut FileSet,
    format: OutputFormat,
    groups: &[DuplicateGroup],
) -> Result<PathBuf, CreateError> {
    let mut file = DuplicatesFile::in_set(set, format)?;
    for g in groups {
        file.group(g)?;
    }
    file.finish()
}

/// `duplicates.*` written a group at a time, so the groups of a large file need not all be
/// held at once.
pub struct DuplicatesFile {
    writer: Writer,
    path: PathBuf,
}

impl DuplicatesFile {
    /// Creates the file in `set` (which must list it), with its header.
    pub fn in_set(set: &mut FileSet, format: OutputFormat) -> Result<DuplicatesFile, CreateError> {
        let name = format.file_name(DUPLICATES_FILE);
        let (writer, path) = Writer::in_set(set, &name, format, &DUPLICATE_COLUMNS)?;
        Ok(DuplicatesFile { writer, path })
    }

    fn io(&self, e: std::io::Error) -> CreateError {
        CreateError::Io {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        }
    }

    /// One line per member of `g`.
    pub fn group(&mut self, g: &DuplicateGroup) -> Result<(), CreateError> {
        let id = g.id.to_string();
        let entity = match g.entity {
            Entity::Client => "client",
            Entity::Patient => "patient",
        };
        for m in &g.members {
            let row = m.row.to_string();
            let score = format!("{:.2}", m.score);
            let reasons = m.reasons.join("; ");
            let cells = [
                id.as_str(),
                g.kind.as_str(),
                entity,
                m.external_id.as_str(),
                m.file.as_str(),
                row.as_str(),
                if m.primary { "true" } else { "false" },
                score.as_str(),
                reasons.as_str(),
            ];
            let written = self.writer.write(&cells, || {
                serde_json::json!({
                    "group_id": g.id,
                    "kind": g.kind.as_str(),
                    "entity": entity,
                    "external_id": m.external_id,
                    "file": m.file,
                    "row": m.row,
                    "primary": m.primary,
                    "score": (f64::from(m.score) * 100.0).round() / 100.0,
                    "reasons": m.reasons,
                })
            });
            written.map_err(|e| self.io(e))?;
        }
        Ok(())
    }

    /// Flushes the file; returns its path.
    pub fn finish(mut self) -> Result<PathBuf, CreateError> {
        let flushed = self.writer.flush();
        flushed.map_err(|e| self.io(e))?;
        Ok(self.path)
    }
}

/// Column names of `matches.*`.
pub const MATCH_COLUMNS: [&str; 11] = [
    "entity",
    "external_id",
    "client_external_id",
    "classification",
    "ph_id",
    "matched_by",
    "score",
    "reasons",
    "candidates",
    "diffs",
    "errors",
];

/// Writes `matches.*` into `dir`: how each incoming record relates to PH (in CSV the diffs
/// as `field: PH value → file value`, joined by `; `), and the errors that keep it from
/// being imported. Returns the path.
pub fn write_matches(
    dir: &Path,
    format: OutputFormat,
    matches: &[&RecordMatch],
    overwrite: Overwrite,
) -> Result<PathBuf, CreateError> {
    write_alone(dir, format, MATCHES_FILE, overwrite, |set| {
        write_matches_in(set, format, matches)
    })
}

/// Like [`write_matches`], the file part of `set` (which must list it).
pub fn write_matches_in(
    set: &mut FileSet,
    format: OutputFormat,
    matches: &[&RecordMatch],
) -> Result<PathBuf, CreateError> {
    let name = format.file_name(MATCHES_FILE);
    let (mut w, path) = Writer::in_set(set, &name, format, &MATCH_COLUMNS)?;
    let io = |e: std::io::Error| CreateError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    for m in matches {
        let entity = match m.entity {
            Entity::Client => "client",
            Entity::Patient => "patient",
        };
        let matched_by = match m.matched_by {
            Some(MatchedBy::ExternalId) => "external_id",
            Some(MatchedBy::Email) => "email",
            Some(MatchedBy::Evidence) => "evidence",
            None => "",
        };
        let score = format!("{:.2}", m.score);
        let diffs: Vec<String> = m
            .diffs
            .iter()
            .map(|d| format!("{}: {} → {}", d.field.key(), d.ph, d.file))
            .collect();
        let (reasons, candidates, diffs) = (
            m.reasons.join("; "),
            m.candidates.join("; "),
            diffs.join("; "),
        );
        let cells = [
            entity,
            m.external_id.as_str(),
            m.client_external_id.as_str(),
            m.classification.as_str(),
            m.ph_id.as_deref().unwrap_or_default(),
            matched_by,
            score.as_str(),
            reasons.as_str(),
            candidates.as_str(),
            diffs.as_str(),
            m.errors.as_str(),
        ];
        w.write(&cells, || serde_json::to_value(m).unwrap_or_default())
            .map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(path)
}
