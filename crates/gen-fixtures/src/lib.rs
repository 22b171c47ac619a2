//! Deterministic, realistic large clinic exports (one row per pet, its owner repeated) with
//! known duplicates and defects, for tests and benchmarks: the `gen-fixtures` binary and the
//! `ph-bench` harness both write them through [`generate`].

mod data;
mod defects;
mod people;
mod rng;
mod write;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::write::{CsvSink, XlsxSink};

/// The format of a generated export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    /// Comma-separated text.
    Csv,
    /// An Excel workbook of one sheet.
    Xlsx,
}

impl FileFormat {
    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

/// `target/fixtures` under the workspace root, wherever the binary is run from.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures")
}

/// `clinic-<clients>.<ext>` in `dir`: the name every standard fixture has.
pub fn fixture_path(dir: &Path, clients: u64, format: FileFormat) -> PathBuf {
    dir.join(format!("clinic-{clients}.{}", format.extension()))
}

/// The path of the truth file written beside `export`.
pub fn truth_path(export: &Path) -> PathBuf {
    let mut path = export.as_os_str().to_owned();
    path.push(".truth.json");
    PathBuf::from(path)
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The export.
    pub path: PathBuf,
    /// Its truth file.
    pub truth_path: PathBuf,
    /// Data rows, exact repeats included.
    pub rows: u64,
    /// Client records, duplicates included.
    pub clients: u64,
    /// Pets.
    pub patients: u64,
    /// The export's size.
    pub bytes: u64,
    /// How long writing it took.
    pub seconds: f64,
    /// Second records of people already in the file.
    pub duplicate_clients: u64,
    /// Rows written twice in a row, word for word.
    pub exact_repeat_rows: u64,
    /// Rows given at least one defect.
    pub defect_rows: u64,
}

/// Writes one export of `clients` clients to `out` and its truth file beside it; the same
/// `seed` gives the same file.
pub fn generate(clients: u64, seed: u64, format: FileFormat, out: &Path) -> Result<Written> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let start = Instant::now();
    let mut truth = match format {
        FileFormat::Csv => {
            let mut sink = CsvSink::create(out)?;
            let truth = write::export(clients, seed, &mut sink)?;
            sink.finish()?;
            truth
        }
        FileFormat::Xlsx => {
            let mut sink = XlsxSink::new()?;
            let truth = write::export(clients, seed, &mut sink)?;
            sink.save(out)?;
            truth
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    truth.format = format.extension();
    // Shown without the `crates/gen-fixtures/../..` detour.
    let out = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
    let bytes = fs::metadata(&out)
        .with_context(|| format!("cannot read the size of {}", out.display()))?
        .len();
    let truth_path = truth_path(&out);
    let json = serde_json::to_string_pretty(&truth)?;
    fs::write(&truth_path, json + "\n")
        .with_context(|| format!("cannot write {}", truth_path.display()))?;
    Ok(Written {
        path: out,
        truth_path,
        rows: truth.rows,
        clients: truth.clients,
        patients: truth.patients,
        bytes,
        seconds,
        duplicate_clients: truth.duplicates.clients,
        exact_repeat_rows: truth.exact_repeat_rows,
        defect_rows: truth.defects.rows,
    })
}
