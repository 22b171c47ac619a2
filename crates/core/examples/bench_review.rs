//! Benchmark of the review session on a real file: time to open (convert and keep every
//! record), peak memory, and the time of a summary, a page, a filtered page and an edit.
//!
//! Generate a file with `node tests/e2e/gen-big.mjs /tmp/big-1m.csv 1000000`, then run
//! `cargo run --release -p ph-import-core --example bench_review /tmp/big-1m.csv`.

#[global_allocator]
static GLOBAL: ph_import_core::allocator::MiMalloc = ph_import_core::allocator::MiMalloc;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use ph_import_core::canonical::{Entity, Field, RequiredPolicy};
use ph_import_core::mapping::resolve;
use ph_import_core::mapping::SuggestOptions;
use ph_import_core::read::ReadOptions;
use ph_import_core::review::Filter;

fn peak_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    ph_import_core::allocator::tune();
    let path = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: bench_review FILE.csv")?,
    );
    let (sources, tables) = resolve::load_tables_with(&[(path, ReadOptions::default())])?;
    let resolved = resolve::resolve(
        None,
        &tables,
        &SuggestOptions::default(),
        &RequiredPolicy::default(),
        &std::env::temp_dir().join("no-profiles"),
    )?;
    let t = Instant::now();
    let mut session = ph_import_core::job::review_rows(
        &sources,
        &resolved.mapping,
        RequiredPolicy::default(),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )?;
    println!("open: {:.2?}, peak memory {}", t.elapsed(), peak_mb());
    let t = Instant::now();
    let s = session.summary();
    println!(
        "summary: {:.2?} ({} clients, {} patients, {} errors, {} warnings, {} fixed)",
        t.elapsed(),
        s.clients,
        s.patients,
        s.errors,
        s.warnings,
        s.fixed
    );
    for offset in [0, 500_000, 900_000, 999_900] {
        let t = Instant::now();
        let page = session.page(Entity::Patient, &Filter::default(), offset, 200);
        println!(
            "page of 200 at {offset}: {:.2?} ({} rows)",
            t.elapsed(),
            page.rows.len()
        );
    }
    let filter = Filter {
        code: Some("unknown_species".into()),
        ..Filter::default()
    };
    let t = Instant::now();
    let page = session.page(Entity::Patient, &filter, 0, 100);
    println!(
        "filtered page (first): {:.2?} ({} match)",
        t.elapsed(),
        page.total
    );
    let t = Instant::now();
    session.page(Entity::Patient, &filter, 100, 100);
    println!("filtered page (cached): {:.2?}", t.elapsed());
    if let Some(row) = page.rows.first() {
        let t = Instant::now();
        session.edit(Entity::Patient, row.id, Field::PatientSpecies, "reptile")?;
        let s = session.summary();
        println!("edit + summary: {:.2?} ({} errors)", t.elapsed(), s.errors);
        let t = Instant::now();
        let n = session.apply_to_similar(
            "unknown_species",
            Field::PatientSpecies,
            "Dragon",
            Some("reptile"),
        )?;
        println!("apply to {n} similar: {:.2?}", t.elapsed());
    }
    println!("peak memory {}", peak_mb());
    Ok(())
}
