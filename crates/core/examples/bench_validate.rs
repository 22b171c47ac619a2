//! Benchmark of conversion + validation: 1,000,000 one-row-per-pet rows (owners repeated,
//! about 1 in 20 values messy) through the real mapping, transforms and validation.
//!
//! Measures the conversion in memory, then the whole `ph-import validate` path on the same
//! rows written to a CSV file (read, convert, validate, write the findings file).
//!
//! Run with `cargo run --release -p ph-import-core --example bench_validate [ROWS]`.
//! Prints rows per second and peak memory (VmHWM from /proc/self/status, Linux).

use std::time::Instant;

#[global_allocator]
static GLOBAL: ph_import_core::allocator::MiMalloc = ph_import_core::allocator::MiMalloc;

use ph_import_core::canonical::{ClientRecord, Finding, PatientRecord, RequiredPolicy};
use std::sync::atomic::AtomicBool;

use ph_import_core::job::write_findings;
use ph_import_core::mapping::convert::{plan, Converter, Sink, BATCH_ROWS};
use ph_import_core::mapping::resolve::load_tables;
use ph_import_core::mapping::{suggest, SourceRow, SourceTable, SuggestOptions};
use ph_import_core::table_file::OutputFormat;

const HEADER: &str = "Client ID,First Name,Last Name,Email,Phone,Mobile,Address,City,State,Zip,Patient ID,Pet Name,Species,Breed,Sex,Birth Date,Weight,Microchip,Status";

const FIRST: &[&str] = &[
    "John", "MARY", "pieter", "Ann", "José", "Linh", "Dr. Ravi", "o'brien",
];
const LAST: &[&str] = &[
    "Smith",
    "MCDONALD",
    "van der berg",
    "Nguyen",
    "Garcia",
    "O'Brien",
    "Lee",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "example.com",
    "gmial.com",
    "hotmail.con",
];
const STATES: &[(&str, &str)] = &[
    ("IL", "62704"),
    ("Illinois", "62629"),
    ("MA", "02134"),
    ("CA", "94102"),
    ("MA", "2134"),
    ("NY", "10001"),
    ("IL", "10001"),
];
const SPECIES: &[(&str, &str)] = &[
    ("Canine", "Lab X"),
    ("Feline", "DSH"),
    ("Dog", "GSD"),
    ("Cat", "DLH"),
    ("Avian", ""),
    ("Dragon", ""),
];
const PETS: &[&str] = &["Rex", "Bella", "Max", "Luna", "Charlie", "Daisy", "Biscuit"];
const SEX: &[&str] = &["MN", "FS", "M", "F", "Q"];
const DOB: &[&str] = &[
    "03/14/2016",
    "11/02/2009",
    "02/30/2019",
    "unknown",
    "2018",
    "01/01/2031",
];
const WEIGHT: &[&str] = &["72 lbs", "9.5", "4.2 kg", "heavy", "600"];

/// Row `i` of the synthetic export: client `i / 2` (two pets each). One client in 10 has
/// messy details (e-mail typos, placeholders) on both rows, and one of its pets messy values
/// (impossible dates, unknown codes, mangled chips); which mess is picked by a hash, so every
/// kind occurs. Names in capitals and state names are common everywhere, as in real exports.
fn row(i: u64) -> SourceRow {
    let c = (i / 2) as usize;
    let pick = |list: &[&'static str], k: usize| list[k % list.len()];
    let (state, zip) = STATES[c % STATES.len()];
    let messy_client = (c / 10).is_multiple_of(10);
    let messy = messy_client && i.is_multiple_of(2);
    // Odd multipliers spread consecutive numbers over every entry of the short lists.
    let mc = c.wrapping_mul(0x9E37_79B9) >> 7;
    let m = (i as usize).wrapping_mul(0x85EB_CA6B) >> 7;
    let (species, breed) = if messy {
        SPECIES[m % SPECIES.len()]
    } else {
        SPECIES[(i as usize * 7) % 4]
    };
    let cells = vec![
        format!("{}", 100_000 + c),
        pick(FIRST, c).to_string(),
        pick(LAST, c / 3).to_string(),
        if messy_client && mc.is_multiple_of(6) {
            "none@none.com".into()
        } else if messy_client {
            format!("owner{c}@{}", pick(DOMAINS, mc))
        } else {
            format!("owner{c}@gmail.com")
        },
        if messy_client && mc % 4 == 1 {
            "000-000-0000".into()
        } else {
            format!("(217) 555-{:04}", c % 10_000)
        },
        if c.is_multiple_of(3) {
            format!("309-555-{:04}", (c * 7) % 10_000)
        } else {
            String::new()
        },
        format!("{} Elm St", c % 999 + 1),
        // The second row of some messy owners spells the city differently.
        if messy_client && mc % 7 == 3 && !i.is_multiple_of(2) {
            "Springfeld".to_string()
        } else {
            "Springfield".to_string()
        },
        state.to_string(),
        zip.to_string(),
        format!("P{i}"),
        pick(PETS, i as usize).to_string(),
        species.to_string(),
        breed.to_string(),
        if messy {
            pick(SEX, m).to_string()
        } else {
            pick(SEX, i as usize % 4).to_string()
        },
        if messy {
            pick(DOB, m).to_string()
        } else {
            format!("{:02}/14/20{:02}", i % 12 + 1, i % 20)
        },
        if messy {
            pick(WEIGHT, m).to_string()
        } else if matches!(species, "Feline" | "Cat") {
            format!("{}.5 lbs", i % 10 + 6)
        } else {
            format!("{}.5 lbs", i % 60 + 10)
        },
        if messy && m.is_multiple_of(3) {
            "9.85E+14".into()
        } else {
            format!("985112{:09}", i)
        },
        if i.is_multiple_of(50) {
            "Deceased".into()
        } else {
            "Active".into()
        },
    ];
    SourceRow {
        number: i + 2,
        cells,
    }
}

/// Counts instead of writing: the benchmark measures conversion and validation, not disk.
#[derive(Default)]
struct Count {
    clients: u64,
    patients: u64,
    findings: u64,
    by_code: std::collections::BTreeMap<String, u64>,
}

impl Sink for Count {
    fn client(&mut self, _: ClientRecord) -> std::io::Result<()> {
        self.clients += 1;
        Ok(())
    }
    fn patient(&mut self, _: PatientRecord) -> std::io::Result<()> {
        self.patients += 1;
        Ok(())
    }
    fn finding(&mut self, f: Finding) -> std::io::Result<()> {
        self.findings += 1;
        if let Some(n) = self.by_code.get_mut(&f.code) {
            *n += 1;
        } else {
            self.by_code.insert(f.code.clone(), 1);
        }
        Ok(())
    }
}

/// CPU seconds this process has used, all threads, user and system (Linux).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        // The kernel counts in clock ticks of 1/100 s on Linux.
        (Some(u), Some(s)) => (u + s) / 100.0,
        _ => f64::NAN,
    }
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    ph_import_core::allocator::tune();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: u64 = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    // `--file-only` skips the in-memory part, to profile the file path alone.
    let file_only = args.iter().any(|a| a == "--file-only");
    // The mapping is the automatic suggestion over a sample, as `convert` would use.
    let mut sample = String::from(HEADER);
    for i in 0..200 {
        sample.push('\n');
        sample.push_str(
            &row(i)
                .cells
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    let table = SourceTable::from_csv("bench.csv", &sample)?;
    let options = SuggestOptions {
        country: "US".into(),
        infer_country: false,
        ..SuggestOptions::default()
    };
    let mapping = suggest(
        std::slice::from_ref(&table),
        &options,
        &RequiredPolicy::default(),
    )
    .mapping;
    let table_plan = plan(&mapping.tables[0], "bench.csv", &table.headers)?;

    if !file_only {
        in_memory(rows, &mapping, &table_plan)?;
    }

    // 2. The whole of `ph-import validate`: read the CSV file, convert, validate, write findings.
    let dir = tempfile::tempdir()?;
    let csv_path = dir.path().join("bench.csv");
    {
        let mut w = csv::Writer::from_path(&csv_path)?;
        w.write_record(HEADER.split(','))?;
        for i in 0..rows {
            w.write_record(&row(i).cells)?;
        }
        w.flush()?;
    }
    let size_mb = std::fs::metadata(&csv_path)?.len() as f64 / 1e6;
    let (sources, _) = load_tables(std::slice::from_ref(&csv_path))?;
    let mut file_mapping = mapping.clone();
    file_mapping.tables[0].table = sources[0].label.clone();
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir)?;
    let start = Instant::now();
    let cpu = cpu_seconds();
    let summary = write_findings(
        &sources,
        &file_mapping,
        RequiredPolicy::default(),
        &out_dir,
        OutputFormat::Csv,
        &AtomicBool::new(false),
    )?;
    let file = start.elapsed();
    let file_cpu = cpu_seconds() - cpu;
    println!(
        "file ({size_mb:.0} MB CSV) read + convert + validate + write findings: {:.2} s: {:.0} rows/s ({} findings); {:.2} CPU s ({:.2} cores busy)",
        file.as_secs_f64(),
        rows as f64 / file.as_secs_f64().max(1e-9),
        summary.findings,
        file_cpu,
        file_cpu / file.as_secs_f64().max(1e-9)
    );
    match peak_rss_mb() {
        Some(mb) => println!("peak RSS (VmHWM): {mb:.0} MB"),
        None => println!("peak RSS: unavailable (no /proc/self/status)"),
    }
    Ok(())
}

/// Conversion and validation alone: the rows made on a thread of their own as the file
/// reader does, in the batches it sends, counted instead of written.
fn in_memory(
    rows: u64,
    mapping: &ph_import_core::mapping::Mapping,
    table_plan: &ph_import_core::mapping::convert::TablePlan,
) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let mut generated = 0usize;
    for i in 0..rows {
        generated += row(i).cells.len();
    }
    let generation = start.elapsed();

    // In memory: conversion and validation alone, the rows made on a thread of their own
    // as the file reader does, in the batches it sends.
    let mut converter = Converter::new(mapping, RequiredPolicy::default());
    let mut sink = Count::default();
    let start = Instant::now();
    let cpu = cpu_seconds();
    let (batches, received) = std::sync::mpsc::sync_channel::<Vec<SourceRow>>(2);
    std::thread::scope(|scope| -> std::io::Result<()> {
        scope.spawn(move || {
            let mut i = 0;
            while i < rows {
                let batch: Vec<SourceRow> =
                    (i..(i + BATCH_ROWS as u64).min(rows)).map(row).collect();
                i += batch.len() as u64;
                if batches.send(batch).is_err() {
                    return;
                }
            }
        });
        converter.batches(table_plan, &mut || received.recv().ok(), &mut sink)?;
        Ok(())
    })?;
    let total = start.elapsed();
    let memory_cpu = cpu_seconds() - cpu;
    println!(
        "rows: {rows} ({generated} cells), {threads} threads",
        threads = std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "clients: {}, patients: {}, findings: {}",
        sink.clients, sink.patients, sink.findings
    );
    let codes: Vec<String> = sink
        .by_code
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    println!("by code: {}", codes.join(", "));
    println!("generating rows alone: {:.2} s", generation.as_secs_f64());
    println!(
        "in memory, convert + validate (rows made on another thread): {:.2} s: {:.0} rows/s; {:.2} CPU s ({:.2} cores busy)",
        total.as_secs_f64(),
        rows as f64 / total.as_secs_f64().max(1e-9),
        memory_cpu,
        memory_cpu / total.as_secs_f64().max(1e-9)
    );

    Ok(())
}
