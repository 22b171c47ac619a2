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
use crate::private_file::{self, CreateError, Overwrite};

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
        let file = BufWriter::new(private_file::create(path, overwrite)?);
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

/// Writes the three output files into a directory.
pub struct OutputFiles {
    clients: Writer,
    patients: Writer,
    findings: Writer,
    paths: [PathBuf; 3],
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
        private_file::create_dir(dir)?;
        let ext = format.extension();
        let paths = [
            dir.join(format!("clients.{ext}")),
            dir.join(format!("patients.{ext}")),
            dir.join(format!("findings.{ext}")),
        ];
        let client_cols: Vec<&str> = Field::of(Entity::Client).map(Field::column).collect();
        let patient_cols: Vec<&str> = Field::of(Entity::Patient).map(Field::column).collect();
        Ok(OutputFiles {
            clients: Writer::create_with(&paths[0], format, &client_cols, overwrite)?,
            patients: Writer::create_with(&paths[1], format, &patient_cols, overwrite)?,
            findings: Writer::create_with(&paths[2], format, &FINDING_COLUMNS, overwrite)?,
            paths,
        })
    }

    /// The paths written.
    pub fn paths(&self) -> &[PathBuf; 3] {
        &self.paths
    }

    /// Flushes everything to disk.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.clients.flush()?;
        self.patients.flush()?;
        self.findings.flush()
    }
}

/// Writes only `findings.*` (`ph-import validate`): records given to it are dropped.
pub struct FindingsOnly {
    findings: Writer,
    path: PathBuf,
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
        private_file::create_dir(dir)?;
        let path = dir.join(format!("findings.{}", format.extension()));
        Ok(FindingsOnly {
            findings: Writer::create_with(&path, format, &FINDING_COLUMNS, overwrite)?,
            path,
        })
    }

    /// The path written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the file to disk.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.findings.flush()
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

/// Writes `duplicates.*` into `dir`: one line per member of each group (the columns of
/// [`DUPLICATE_COLUMNS`]; in CSV the reasons joined by `; `). Returns the path.
pub fn write_duplicates(
    dir: &Path,
    format: OutputFormat,
    groups: &[DuplicateGroup],
    overwrite: Overwrite,
) -> Result<PathBuf, CreateError> {
    let path = dir.join(format!("duplicates.{}", format.extension()));
    let mut w = Writer::create_with(&path, format, &DUPLICATE_COLUMNS, overwrite)?;
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
    let path = dir.join(format!("matches.{}", format.extension()));
    let mut w = Writer::create_with(&path, format, &MATCH_COLUMNS, overwrite)?;
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
