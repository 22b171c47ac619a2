//! The exports measured: the generator's standard files, written first when missing.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ph_gen_fixtures::{fixture_path, generate, truth_path, FileFormat};
use serde::Serialize;

/// The seed of the standard fixtures (`gen-fixtures`' default), so the figures of every
/// checkout are taken on the same files.
const SEED: u64 = 1;

/// One export and what its truth file says it holds.
#[derive(Debug, Clone, Serialize)]
pub struct Export {
    /// The file.
    pub path: PathBuf,
    /// `csv` or `xlsx`.
    pub format: &'static str,
    /// Client records, duplicates included.
    pub clients: u64,
    /// Data rows (one per pet, exact repeats included).
    pub rows: u64,
    /// The file's size.
    pub bytes: u64,
}

impl Export {
    /// The file's name, for the table.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// The export of `clients` clients in `dir`, generated (with its truth file) if either is
/// missing.
pub fn ensure(dir: &Path, clients: u64, format: FileFormat) -> Result<Export> {
    let path = fixture_path(dir, clients, format);
    let truth = truth_path(&path);
    if !path.is_file() || !truth.is_file() {
        eprintln!("ph-bench: writing {} …", path.display());
        let w = generate(clients, SEED, format, &path)?;
        eprintln!(
            "ph-bench: {} rows, {:.1} MB in {:.1} s",
            w.rows,
            w.bytes as f64 / 1e6,
            w.seconds
        );
    }
    let path = path.canonicalize().unwrap_or(path);
    let bytes = std::fs::metadata(&path)
        .with_context(|| format!("cannot read the size of {}", path.display()))?
        .len();
    Ok(Export {
        rows: truth_rows(&truth_path(&path))?,
        path,
        format: format.extension(),
        clients,
        bytes,
    })
}

/// The data rows a truth file counts.
fn truth_rows(truth: &Path) -> Result<u64> {
    let text = std::fs::read_to_string(truth)
        .with_context(|| format!("cannot read {}", truth.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not JSON; delete it and its export to regenerate them",
            truth.display()
        )
    })?;
    json.get("rows")
        .and_then(serde_json::Value::as_u64)
        .with_context(|| {
            format!(
                "{} has no row count; delete it and its export to regenerate them",
                truth.display()
            )
        })
}
