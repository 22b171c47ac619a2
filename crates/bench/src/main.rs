//! ph-bench: the benchmark table. For each generated export, every stage of an import (the
//! raw CSV parse floor, read, map, validate, convert with within-file duplicates, plan, and
//! import into the in-process sandbox) runs in a process of its own, so that each stage's
//! peak memory is its own; the table shows wall time, rows/s, MB/s, peak RSS and the ratio
//! to the floor, then the project's targets, met or not.
//!
//! `cargo run --release -p ph-bench -- [--sizes 10000,100000,1000000] [--xlsx] [--json]`

/// mimalloc, tuned in `main` (see `ph_import_core::allocator`), as in the CLI and the app.
#[global_allocator]
static GLOBAL: ph_import_core::allocator::MiMalloc = ph_import_core::allocator::MiMalloc;

mod child;
mod fixtures;
mod report;
mod stages;

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Parser;

use crate::report::{Measurement, Run};
use crate::stages::Stage;

/// Times every stage of an import over generated clinic exports and prints the table.
///
/// Missing exports are generated first (deterministic, seed 1) into the fixtures folder.
/// Each stage runs in a child process of its own (this binary again), so its peak memory
/// is measured alone.
#[derive(Parser, Debug)]
#[command(name = "ph-bench", version)]
struct Args {
    /// Sizes, in clients (about 1.7 pet rows each), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [10_000u64, 100_000, 1_000_000])]
    sizes: Vec<u64>,
    /// Also measure the 100,000-client XLSX export (every stage but the floor, plan and import).
    #[arg(long)]
    xlsx: bool,
    /// Only these stages (comma-separated) [default: all].
    #[arg(long, value_delimiter = ',', value_enum)]
    stages: Vec<Stage>,
    /// Print the figures and targets as JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Folder of the exports [default: target/fixtures in the workspace].
    #[arg(long, value_name = "DIR")]
    fixtures: Option<PathBuf>,
    /// Runs one stage over --file in this process and prints its figures as JSON (what the
    /// harness starts each child with).
    #[arg(long, value_enum, hide = true, requires = "file")]
    stage: Option<Stage>,
    /// The export the hidden --stage reads.
    #[arg(long, hide = true)]
    file: Option<PathBuf>,
}

/// The XLSX export's size: the one `gen-fixtures --sizes all` writes.
const XLSX_CLIENTS: u64 = 100_000;

/// The largest export imported when no stages are named: the sandbox's database grows with
/// every record sent (about 1 GB per 100,000 clients with their pets, in the same process),
/// and a million clients take minutes.
const IMPORT_MAX_DEFAULT: u64 = 100_000;

fn main() -> Result<()> {
    ph_import_core::allocator::tune();
    let args = Args::parse();
    if let (Some(stage), Some(file)) = (args.stage, &args.file) {
        return stages::run_and_print(stage, file);
    }
    if args.sizes.contains(&0) {
        bail!("--sizes: every size must be at least 1 client");
    }
    let chosen = !args.stages.is_empty();
    let stages = if chosen {
        args.stages.clone()
    } else {
        Stage::ALL.to_vec()
    };
    let dir = args
        .fixtures
        .clone()
        .unwrap_or_else(ph_gen_fixtures::default_dir);
    let mut exports = Vec::new();
    for &n in &args.sizes {
        exports.push((n, ph_gen_fixtures::FileFormat::Csv));
    }
    if args.xlsx {
        exports.push((XLSX_CLIENTS, ph_gen_fixtures::FileFormat::Xlsx));
    }
    let mut runs = Vec::new();
    for (clients, format) in exports {
        let export = fixtures::ensure(&dir, clients, format)?;
        let mut measurements: Vec<Measurement> = Vec::new();
        let mut notes = Vec::new();
        for &stage in &stages {
            if !stage.applies_to(format) {
                continue;
            }
            if stage == Stage::Import && !chosen && clients > IMPORT_MAX_DEFAULT {
                notes.push(format!(
                    "import not run at this size unless asked (--stages ...,import): the \
                     in-process sandbox holds every record in memory, about 1 GB per {} clients",
                    report::thousands(IMPORT_MAX_DEFAULT)
                ));
                continue;
            }
            eprintln!(
                "ph-bench: {} over {} …",
                stage.name(),
                export.path.display()
            );
            let figures = child::run_stage(stage, &export.path)?;
            measurements.push(Measurement::new(stage, figures, &export));
        }
        let mut run = Run::new(export, measurements);
        run.notes = notes;
        runs.push(run);
    }
    report::fill_floors(&mut runs);
    let targets = report::targets(&runs);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        report::write_json(&mut out, &runs, &targets)
    } else {
        report::write_table(&mut out, &runs, &targets)
    }
}
