//! Writing `clients.*`, `patients.*` and `findings.*` as CSV or JSON Lines.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::canonical::{ClientRecord, Entity, Field, Finding, PatientRecord};

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

enum Writer {
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Jsonl(BufWriter<File>),
}

impl Writer {
    fn create(path: &Path, format: OutputFormat, header: &[&str]) -> std::io::Result<Writer> {
        let file = BufWriter::new(File::create(path)?);
        Ok(match format {
            OutputFormat::Csv => {
                let mut w = csv::Writer::from_writer(file);
                w.write_record(header).map_err(std::io::Error::other)?;
                Writer::Csv(Box::new(w))
            }
            OutputFormat::Jsonl => Writer::Jsonl(file),
        })
    }

    /// Writes one line: `cells` as CSV, or the object `json` builds (only built for JSON Lines).
    fn write(
        &mut self,
        cells: &[&str],
        json: impl FnOnce() -> serde_json::Value,
    ) -> std::io::Result<()> {
        match self {
            Writer::Csv(w) => w.write_record(cells).map_err(std::io::Error::other),
            Writer::Jsonl(w) => {
                serde_json::to_writer(&mut *w, &json()).map_err(std::io::Error::other)?;
                w.write_all(b"\n")
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Writer::Csv(w) => w.flush(),
            Writer::Jsonl(w) => w.flush(),
        }
    }
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
    /// Creates (or overwrites) `clients.*`, `patients.*` and `findings.*` in `dir`.
    pub fn create(dir: &Path, format: OutputFormat) -> std::io::Result<OutputFiles> {
        std::fs::create_dir_all(dir)?;
        let ext = format.extension();
        let paths = [
            dir.join(format!("clients.{ext}")),
            dir.join(format!("patients.{ext}")),
            dir.join(format!("findings.{ext}")),
        ];
        let client_cols: Vec<&str> = Field::of(Entity::Client).map(Field::column).collect();
        let patient_cols: Vec<&str> = Field::of(Entity::Patient).map(Field::column).collect();
        Ok(OutputFiles {
            clients: Writer::create(&paths[0], format, &client_cols)?,
            patients: Writer::create(&paths[1], format, &patient_cols)?,
            findings: Writer::create(&paths[2], format, &FINDING_COLUMNS)?,
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
    /// Creates (or overwrites) `findings.*` in `dir`.
    pub fn create(dir: &Path, format: OutputFormat) -> std::io::Result<FindingsOnly> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("findings.{}", format.extension()));
        Ok(FindingsOnly {
            findings: Writer::create(&path, format, &FINDING_COLUMNS)?,
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
