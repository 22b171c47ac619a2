//! gen-fixtures: writes a large, realistic, deterministic clinic export (one row per pet,
//! its owner repeated) with known duplicates and defects, for tests and benchmarks.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, ValueEnum};
use ph_gen_fixtures::{default_dir, fixture_path, generate, FileFormat};

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
        let out = out.unwrap_or_else(|| fixture_path(&default_dir(), clients, format));
        let w = generate(clients, args.seed, format, &out)?;
        println!(
            "{}: {} rows, {} clients, {} pets, {} bytes ({:.1} MB), {:.2} s",
            w.path.display(),
            w.rows,
            w.clients,
            w.patients,
            w.bytes,
            w.bytes as f64 / 1e6,
            w.seconds,
        );
        println!(
            "  truth: {} ({} duplicate clients, {} exact repeat rows, {} rows with defects)",
            w.truth_path.display(),
            w.duplicate_clients,
            w.exact_repeat_rows,
            w.defect_rows,
        );
    }
    Ok(())
}
