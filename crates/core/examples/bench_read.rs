//! Benchmark of the reader on a large export: prints the time to the first preview, the full
//! pass's throughput, and peak memory. Not a test: run it and read the figures.
//!
//! `cargo run --release -p ph-import-core --example bench_read [-- FILE] [--rows N]`
//! Without FILE it writes a realistic one-row-per-pet export of N rows (default 1,000,000)
//! to a temporary folder first.
//!
//! `… --example bench_read -- --hostile fixtures/read/hostile`: time and peak memory of the
//! error each hostile file gets, plus a generated 200 MB file with a runaway quote.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use ph_import_core::read::{self, ReadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut file: Option<PathBuf> = None;
    let mut rows = 1_000_000u64;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => rows = args.next().ok_or("--rows needs a number")?.parse()?,
            "--hostile" => {
                return hostile(&PathBuf::from(
                    args.next().ok_or("--hostile needs a folder")?,
                ))
            }
            other => file = Some(PathBuf::from(other)),
        }
    }
    let dir = tempfile::tempdir()?;
    let path = match file {
        Some(p) => p,
        None => {
            let p = dir.path().join("big-export.csv");
            let started = Instant::now();
            generate(&p, rows)?;
            println!(
                "generated {rows} rows in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            p
        }
    };
    let size = std::fs::metadata(&path)?.len();
    println!("file: {} ({:.1} MB)", path.display(), size as f64 / 1e6);

    let started = Instant::now();
    let preview = read::preview(&path, &ReadOptions::default())?;
    println!(
        "preview: {} columns, {} rows, encoding {}, in {:.1} ms",
        preview.columns.len(),
        preview.preview.len(),
        preview.encoding.as_deref().unwrap_or("-"),
        started.elapsed().as_secs_f64() * 1e3
    );

    let started = Instant::now();
    let full = read::inspect(
        &path,
        &ReadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )?;
    let secs = started.elapsed().as_secs_f64();
    let count = full.row_count.unwrap_or(0);
    println!(
        "full pass: {count} rows in {secs:.2} s = {:.0} rows/s, {:.0} MB/s",
        count as f64 / secs,
        size as f64 / 1e6 / secs
    );
    if let Some(peak) = peak_rss_kb() {
        println!(
            "peak RSS: {:.1} MB ({:.2}x the file)",
            peak as f64 / 1024.0,
            peak as f64 * 1024.0 / size as f64
        );
    }
    Ok(())
}

/// A one-row-per-pet export like a PIMS writes: owner columns repeated on each pet row.
fn generate(path: &std::path::Path, rows: u64) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "Client ID,Last Name,First Name,Address,City,State,Zip,Home Phone,Cell Phone,E-mail,Patient ID,Patient Name,Species,Breed,Sex,Birthdate,Weight")?;
    let last = [
        "Müller", "O'Brien", "García", "Nguyen", "Smith", "Johnson", "Williams", "Brown",
    ];
    let first = [
        "José",
        "Siobhán",
        "Ana María",
        "Thanh",
        "John",
        "Mary",
        "Zoë",
        "Liam",
    ];
    let pets = [
        "Biscuit", "Luna", "Max", "Bella", "Charlie", "Mochi", "Captain", "Daisy",
    ];
    let species = [
        ("Canine", "Labrador Retriever"),
        ("Feline", "DSH"),
        ("K9", "German Shepherd"),
        ("Cat", "Siamese"),
    ];
    for i in 0..rows {
        let c = i / 2;
        let (sp, breed) = species[(i % 4) as usize];
        writeln!(
            out,
            "{},{},{},\"{} Elm St, Apt {}\",Springfield,IL,{:05},(217) 555-{:04},217-555-{:04},client{}@example.com,P-{},{},{},{},MN,{:02}/{:02}/20{:02},{}.{} lbs",
            10000 + c,
            last[(c % 8) as usize],
            first[(c / 8 % 8) as usize],
            c % 9000 + 1,
            c % 40,
            (62704 + c) % 100000,
            c % 10000,
            (c * 7) % 10000,
            c,
            i,
            pets[(i % 8) as usize],
            sp,
            breed,
            i % 12 + 1,
            i % 28 + 1,
            i % 25,
            i % 90 + 2,
            i % 10
        )?;
    }
    out.flush()
}

/// Each hostile file must fail fast with bounded memory: prints time and peak RSS per file.
fn hostile(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let tmp = tempfile::tempdir()?;
    let runaway = tmp.path().join("runaway-quote-200mb.csv");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&runaway)?);
        out.write_all(b"Name,Notes\nAnn,\"never closed\n")?;
        let line = [b'x'; 1023];
        for _ in 0..200 * 1024 {
            out.write_all(&line)?;
            out.write_all(b"\n")?;
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files.push(runaway);
    for path in files {
        // Reset the peak-RSS mark so each file's peak is its own (Linux: write 5 to clear_refs).
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let started = Instant::now();
        let result = read::inspect(
            &path,
            &ReadOptions::default(),
            &|_| {},
            &AtomicBool::new(false),
        );
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let peak = peak_rss_kb().map_or(0.0, |kb| kb as f64 / 1024.0);
        let outcome = match result {
            Ok(i) => format!("read ({} rows)", i.row_count.unwrap_or(0)),
            Err(e) => format!("error: {}", first_words(&e.to_string())),
        };
        println!(
            "{:<36} {ms:>8.1} ms  peak RSS {peak:>6.1} MB  {outcome}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
    }
    Ok(())
}

fn first_words(s: &str) -> String {
    s.split_whitespace().take(12).collect::<Vec<_>>().join(" ")
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
