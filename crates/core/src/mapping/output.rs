//! Writing `clients.*`, `patients.*`, `findings.*`, `duplicates.*` and `matches.*` as CSV
//! or JSON Lines.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::canonical::{ClientRecord, Entity, Field, Finding, PatientRecord};
use crate::dedupe::classify::{MatchedBy, RecordMatch};
use crate::dedupe::{DuplicateGroup, DUPLICATE_COLUMNS};
use crate::private_file::{self, CreateError, FileSet, Overwrite};

use super::convert::Sink;

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Comma-separated, with a header row, UTF-8.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl OutputFormat {
    fn extension(self) -> &'static str {
        match self {
            OutputFormat::Csv => "csv",
            OutputFormat::Jsonl => "jsonl",
        }
    }

    /// The name of the output file `stem` in this format, e.g. `clients.csv`.
    pub fn file_name(self, stem: &str) -> String {
        format!("{stem}.{}", self.extension())
    }
}

/// Column names of `findings.*`.
pub const FINDING_COLUMNS: [&str; 8] = [
    "file",
    "row",
    "field",
    "code",
    "severity",
    "message",
    "value",
    "suggestion",
];

/// One output file, CSV or JSON Lines, created private (see [`crate::private_file`]).
/// Every CSV cell goes through [`spreadsheet_safe`]; JSON Lines are written exactly.
pub enum Writer {
    /// Comma-separated, neutralized for spreadsheets.
    Csv(Box<csv::Writer<BufWriter<File>>>),
    /// One JSON object per line, values exact.
    Jsonl(BufWriter<File>),
}

impl Writer {
    /// Creates `path` (replacing a regular file already there, never a link) with `header`
    /// as its first CSV row.
    pub fn create(
        path: &Path,
        format: OutputFormat,
        header: &[&str],
    ) -> Result<Writer, CreateError> {
        Writer::create_with(path, format, header, Overwrite::Replace)
    }

    /// Like [`Writer::create`], an existing file handled as `overwrite` says.
    pub fn create_with(
        path: &Path,
        format: OutputFormat,
        header: &[&str],
        overwrite: Overwrite,
    ) -> Result<Writer, CreateError> {
        Writer::from_file(private_file::create(path, overwrite)?, path, format, header)
    }

    /// Writes the file `name` of `set` (its temporary file until the set is committed);
    /// returns the writer and the path the file will have.
    pub fn in_set(
        set: &mut FileSet,
        name: &str,
        format: OutputFormat,
        header: &[&str],
    ) -> Result<(Writer, PathBuf), CreateError> {
        let (file, path) = set.create(name)?;
        Ok((Writer::from_file(file, &path, format, header)?, path))
    }

    /// A writer on `file`, created private; `path` names it in errors.
    fn from_file(
        file: File,
        path: &Path,
        format: OutputFormat,
        header: &[&str],
    ) -> Result<Writer, CreateError> {
        let file = BufWriter::new(file);
        let mut writer = match format {
            OutputFormat::Csv => Writer::Csv(Box::new(csv::Writer::from_writer(file))),
            OutputFormat::Jsonl => Writer::Jsonl(file),
        };
        if format == OutputFormat::Csv {
            writer
                .write(header, || serde_json::Value::Null)
                .map_err(|e| CreateError::Io {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
        }
        Ok(writer)
    }

    /// Writes one line: `cells` as CSV, or the object `json` builds (only built for JSON Lines).
    pub fn write(
        &mut self,
        cells: &[&str],
        json: impl FnOnce() -> serde_json::Value,
    ) -> std::io::Result<()> {
        match self {
            Writer::Csv(w) => {
                for cell in cells {
                    w.write_field(spreadsheet_safe(cell).as_bytes())
                        .map_err(std::io::Error::other)?;
                }
                w.write_record(None::<&[u8]>).map_err(std::io::Error::other)
            }
            Writer::Jsonl(w) => {
                serde_json::to_writer(&mut *w, &json()).map_err(std::io::Error::other)?;
                w.write_all(b"\n")
            }
        }
    }

    /// Flushes what is buffered to disk.
    pub fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Writer::Csv(w) => w.flush(),
            Writer::Jsonl(w) => w.flush(),
        }
    }
}

/// A cell as written to CSV meant for spreadsheets. Excel, LibreOffice and Google Sheets run
/// a cell that begins with `=`, `+`, `-` or `@` as a formula (and trim a leading tab or
/// carriage return first), so a value from a clinic's file could run a formula on the
/// reader's machine. Such a cell gets a leading `'`, which spreadsheets show as text and hide.
/// A plain signed number (`-12.5`, `+12175550143`, an E.164 phone) is left as it is: it
/// cannot be a formula, and a spreadsheet reads it as the number it is. `-` alone, or `-` with
/// anything but digits and one decimal point, is not a number and gets the `'`.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'+' | b'-') if is_plain_number(&cell[1..]) => Cow::Borrowed(cell),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Digits with at most one decimal point, at least one digit, nothing else.
fn is_plain_number(text: &str) -> bool {
    let mut digits = 0;
    let mut points = 0;
    for b in text.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' => points += 1,
            _ => return false,
        }
    }
    digits > 0 && points <= 1
}

/// Writes the three output files into a directory, all or none (see [`FileSet`]).
pub struct OutputFiles {
    clients: Writer,
    patients: Writer,
    findings: Writer,
    paths: [PathBuf; 3],
    /// The set the files belong to, when they are the whole of it.
    set: Option<FileSet>,
}

/// The stems of the files [`OutputFiles`] writes.
pub const RECORD_FILES: [&str; 3] = ["clients", "patients", "findings"];

/// The names of the files `stems` in `format`.
pub fn file_names(format: OutputFormat, stems: &[&str]) -> Vec<String> {
    stems.iter().map(|stem| format.file_name(stem)).collect()
}

/// Flushes `w`, an error naming `path`.
fn flush(w: &mut Writer, path: &Path) -> Result<(), CreateError> {
    w.flush().map_err(|e| CreateError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

fn record_json(entity: Entity, get: impl Fn(Field) -> String) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for f in Field::of(entity) {
        let v = get(f);
        let value = match f.kind() {
            crate::canonical::FieldKind::Bool => match v.as_str() {
                "true" => serde_json::Value::Bool(true),
                "false" => serde_json::Value::Bool(false),
                _ => serde_json::Value::Null,
            },
            _ => serde_json::Value::String(v),
        };
        map.insert(f.column().to_string(), value);
    }
    serde_json::Value::Object(map)
}

impl OutputFiles {
    /// Creates (or replaces) `clients.*`, `patients.*` and `findings.*` in `dir`.
    pub fn create(dir: &Path, format: OutputFormat) -> Result<OutputFiles, CreateError> {
        OutputFiles::create_with(dir, format, Overwrite::Replace)
    }

    /// Like [`OutputFiles::create`], files already there handled as `overwrite` says.
    pub fn create_with(
        dir: &Path,
        format: OutputFormat,
        overwrite: Overwrite,
    ) -> Result<OutputFiles, CreateError> {
        let mut set = FileSet::new(dir, &file_names(format, &RECORD_FILES), overwrite)?;
        let mut files = OutputFiles::in_set(&mut set, format)?;
        files.set = Some(set);
        Ok(files)
    }

    /// The three files as part of `set`, which must list them (see [`file_names`]); the set
    /// is committed by its owner once every file in it is finished.
    pub fn in_set(set: &mut FileSet, format: OutputFormat) -> Result<OutputFiles, CreateError> {
        let [clients, patients, findings] = RECORD_FILES.map(|stem| format.file_name(stem));
        let client_cols: Vec<&str> = Field::of(Entity::Client).map(Field::column).collect();
        let patient_cols: Vec<&str> = Field::of(Entity::Patient).map(Field::column).collect();
        let (clients, clients_path) = Writer::in_set(set, &clients, format, &client_cols)?;
        let (patients, patients_path) = Writer::in_set(set, &patients, format, &patient_cols)?;
        let (findings, findings_path) = Writer::in_set(set, &findings, format, &FINDING_COLUMNS)?;
        Ok(OutputFiles {
            clients,
            patients,
            findings,
            paths: [clients_path, patients_path, findings_path],
            set: None,
        })
    }

    /// The paths the files have once written.
    pub fn paths(&self) -> &[PathBuf; 3] {
        &self.paths
    }

    /// Flushes and closes the files; when they are a set of their own, puts them in place.
    pub fn finish(mut self) -> Result<(), CreateError> {
        flush(&mut self.clients, &self.paths[0])?;
        flush(&mut self.patients, &self.paths[1])?;
        flush(&mut self.findings, &self.paths[2])?;
        let OutputFiles {
            clients,
            patients,
            findings,
            set,
            ..
        } = self;
        // Closed before they are moved: Windows cannot rename an open file.
        drop((clients, patients, findings));
        match set {
            Some(set) => set.commit().map(drop),
            None => Ok(()),
        }
    }
}

/// Writes only `findings.*` (`ph-import validate`): records given to it are dropped.
pub struct FindingsOnly {
    findings: Writer,
    path: PathBuf,
    set: FileSet,
}

impl FindingsOnly {
    /// Creates (or replaces) `findings.*` in `dir`.
    pub fn create(dir: &Path, format: OutputFormat) -> Result<FindingsOnly, CreateError> {
        FindingsOnly::create_with(dir, format, Overwrite::Replace)
    }

    /// Like [`FindingsOnly::create`], a file already there handled as `overwrite` says.
    pub fn create_with(
        dir: &Path,
        format: OutputFormat,
        overwrite: Overwrite,
    ) -> Result<FindingsOnly, CreateError> {
        let name = format.file_name("findings");
        let mut set = FileSet::new(dir, std::slice::from_ref(&name), overwrite)?;
        let (findings, path) = Writer::in_set(&mut set, &name, format, &FINDING_COLUMNS)?;
        Ok(FindingsOnly {
            findings,
            path,
            set,
        })
    }

    /// The path written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and closes the file, and puts it in place.
    pub fn finish(mut self) -> Result<(), CreateError> {
        flush(&mut self.findings, &self.path)?;
        let FindingsOnly { findings, set, .. } = self;
        // Closed before it is moved: Windows cannot rename an open file.
        drop(findings);
        set.commit().map(drop)
    }
}

impl Sink for FindingsOnly {
    fn client(&mut self, _: ClientRecord) -> std::io::Result<()> {
        Ok(())
    }

    fn patient(&mut self, _: PatientRecord) -> std::io::Result<()> {
        Ok(())
    }

    fn finding(&mut self, f: Finding) -> std::io::Result<()> {
        write_finding(&mut self.findings, &f)
    }
}

fn write_finding(w: &mut Writer, f: &Finding) -> std::io::Result<()> {
    let row = f.row.to_string();
    let cells = [
        f.file.as_str(),
        row.as_str(),
        f.field.as_str(),
        f.code.as_str(),
        f.severity.as_str(),
        f.message.as_str(),
        f.value.as_str(),
        f.suggestion.as_str(),
    ];
    w.write(&cells, || serde_json::to_value(f).unwrap_or_default())
}

impl Sink for OutputFiles {
    fn client(&mut self, r: ClientRecord) -> std::io::Result<()> {
        let r = &r;
        let json = || record_json(Entity::Client, |f| r.get(f).to_string());
        self.clients.write(&r.cells(), json)
    }

    fn patient(&mut self, r: PatientRecord) -> std::io::Result<()> {
        let r = &r;
        let json = || record_json(Entity::Patient, |f| r.get(f).to_string());
        self.patients.write(&r.cells(), json)
    }

    fn finding(&mut self, f: Finding) -> std::io::Result<()> {
        write_finding(&mut self.findings, &f)
    }
}

/// The stem of the file [`write_duplicates`] writes.
pub const DUPLICATES_FILE: &str = "duplicates";
/// The stem of the file [`write_matches`] writes.
pub const MATCHES_FILE: &str = "matches";

/// Writes the one file `stem` into `dir` with `write`, as a [`FileSet`] of its own.
fn write_alone(
    dir: &Path,
    format: OutputFormat,
    stem: &str,
    overwrite: Overwrite,
    write: impl FnOnce(&mut FileSet) -> Result<PathBuf, CreateError>,
) -> Result<PathBuf, CreateError> {
    let mut set = FileSet::new(dir, &[format.file_name(stem)], overwrite)?;
    let path = write(&mut set)?;
    set.commit()?;
    Ok(path)
}

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
    let name = format.file_name(DUPLICATES_FILE);
    let (mut w, path) = Writer::in_set(set, &name, format, &DUPLICATE_COLUMNS)?;
    let io = |e: std::io::Error| CreateError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    for g in groups {
        for m in &g.members {
            let id = g.id.to_string();
            let row = m.row.to_string();
            let score = format!("{:.2}", m.score);
            let reasons = m.reasons.join("; ");
            let entity = match g.entity {
                Entity::Client => "client",
                Entity::Patient => "patient",
            };
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
            w.write(&cells, || {
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
            })
            .map_err(io)?;
        }
    }
    w.flush().map_err(io)?;
    Ok(path)
}

/// Column names of `matches.*`.
pub const MATCH_COLUMNS: [&str; 10] = [
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
];

/// Writes `matches.*` into `dir`: how each incoming record relates to PH (in CSV the diffs
/// as `field: PH value → file value`, joined by `; `). Returns the path.
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
        ];
        w.write(&cells, || serde_json::to_value(m).unwrap_or_default())
            .map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starters_are_neutralized() {
        for (cell, written) in [
            ("=1+2", "'=1+2"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+2", "'\t=1+2"),
            ("\r=1+2", "'\r=1+2"),
            ("-", "'-"),
            ("+", "'+"),
            ("-.", "'-."),
            ("-1.2.3", "'-1.2.3"),
            ("+1 217 555 0143", "'+1 217 555 0143"),
        ] {
            assert_eq!(spreadsheet_safe(cell), written, "{cell:?}");
        }
    }

    #[test]
    fn plain_values_and_signed_numbers_stay_as_they_are() {
        for cell in [
            "",
            "Ann",
            "a=b",
            " =1+2",
            "12",
            "-12.5",
            "+12175550143",
            "-0.5",
            "-.5",
            "+7.",
            "ann@example.com",
        ] {
            assert!(
                matches!(spreadsheet_safe(cell), Cow::Borrowed(c) if c == cell),
                "{cell:?}"
            );
        }
    }
}
