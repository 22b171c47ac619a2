//! gen-fixtures: writes a large, realistic, deterministic clinic export (one row per pet,
//! its owner repeated) with known duplicates and defects, for tests and benchmarks.

mod data;
mod defects;
mod people;
mod rng;
mod write;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};

use crate::write::{CsvSink, XlsxSink};

/// Writes a realistic vet clinic export of clients and their pets, the same for a given seed.
///
/// Beside the file goes `<file>.truth.json`: the counts of households, duplicates and
/// defects that were injected, so that benchmarks can report how many were found.
#[derive(Parser)]
#[command(name = "gen-fixtures", version)]
struct Args {
    /// How many client records (duplicates included).
    #[arg(long, default_value_t = 1_000_000)]
    clients: u64,
    /// Seed of every random draw; the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// File format.
    #[arg(long, value_enum, default_value_t = FileFormat::Csv)]
    format: FileFormat,
    /// Output file [default: target/fixtures/clinic-<clients>.<format> in the workspace].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write a standard set instead: `all` is 10k, 100k and 1M clients as CSV and 100k as XLSX.
    #[arg(long, value_enum, conflicts_with_all = ["clients", "format", "out"])]
    sizes: Option<Sizes>,
}

#[derive(Clone, Copy, ValueEnum)]
enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Sizes {
    All,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let jobs: Vec<(u64, FileFormat, Option<PathBuf>)> = match args.sizes {
        Some(Sizes::All) => vec![
            (10_000, FileFormat::Csv, None),
            (100_000, FileFormat::Csv, None),
            (1_000_000, FileFormat::Csv, None),
            (100_000, FileFormat::Xlsx, None),
        ],
        None => vec![(args.clients, args.format, args.out)],
    };
    for (clients, format, out) in jobs {
        let out = out.unwrap_or_else(|| default_path(clients, format));
        generate(clients, args.seed, format, &out)?;
    }
    Ok(())
}

/// `target/fixtures/clinic-<N>.<ext>` under the workspace root, wherever this is run from.
fn default_path(clients: u64, format: FileFormat) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/fixtures")
        .join(format!("clinic-{clients}.{}", format.extension()))
}

/// Writes one export and its truth file, and says what was written.
fn generate(clients: u64, seed: u64, format: FileFormat, out: &Path) -> Result<()> {
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

    let mut truth_path = out.clone().into_os_string();
    truth_path.push(".truth.json");
    let truth_path = PathBuf::from(truth_path);
    let json = serde_json::to_string_pretty(&truth)?;
    fs::write(&truth_path, json + "\n")
        .with_context(|| format!("cannot write {}", truth_path.display()))?;

    println!(
        "{}: {} rows, {} clients, {} pets, {} bytes ({:.1} MB), {seconds:.2} s",
        out.display(),
        truth.rows,
        truth.clients,
        truth.patients,
        bytes,
        bytes as f64 / 1e6,
    );
    println!(
        "  truth: {} ({} duplicate clients, {} exact repeat rows, {} rows with defects)",
        truth_path.display(),
        truth.duplicates.clients,
        truth.exact_repeat_rows,
        truth.defects.rows,
    );
    Ok(())
}
