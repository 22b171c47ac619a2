//! Import rate into the in-process sandbox: N generated clients with one or two pets each
//! (10,000 by default), planned against an empty clinic and applied with every phase
//! (backup, creates, read-back verify, reports). Prints the figures; not a test.
//!
//! `cargo run --release -p ph-import-core --example bench_import [-- N]`

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use ph_import_core::canonical::{ClientRecord, PatientRecord};
use ph_import_core::dedupe::resolve::Decisions;
use ph_import_core::import::{self, Context, Options, Request, RunStatus};
use ph_import_core::job::{RowOrigin, Scan};
use ph_import_core::ph::{ClientOptions, PhApi, Token};
use ph_sandbox::{DemoToken, SandboxConfig};

#[global_allocator]
static GLOBAL: ph_import_core::allocator::MiMalloc = ph_import_core::allocator::MiMalloc;

fn generated(n: usize) -> Scan {
    let mut clients = Vec::with_capacity(n);
    let mut patients = Vec::with_capacity(n * 3 / 2);
    for i in 0..n {
        let id = format!("G{i:07}");
        clients.push(ClientRecord {
            external_id: id.clone(),
            first_name: format!("First{i}"),
            last_name: format!("Last{}", i / 7),
            email: format!("owner{i}@example.com"),
            phone: format!("+1217{:07}", i),
            address_line1: format!("{} Elm St", i + 1),
            city: "Springfield".into(),
            state: "IL".into(),
            postal_code: "62704".into(),
            country: "US".into(),
            ..ClientRecord::default()
        });
        for k in 0..(1 + i % 2) {
            patients.push(PatientRecord {
                external_id: format!("{id}-{k}"),
                client_external_id: id.clone(),
                name: format!("Pet{i}x{k}"),
                species: if k == 0 { "dog" } else { "cat" }.into(),
                breed: "Mixed".into(),
                sex: "female".into(),
                date_of_birth: "2018-04-01".into(),
                weight_kg: "12.5".into(),
                ..PatientRecord::default()
            });
        }
    }
    let rows = |n: usize| {
        (0..n)
            .map(|i| RowOrigin {
                table: 0,
                row: i as u64 + 2,
            })
            .collect()
    };
    Scan {
        client_rows: rows(clients.len()),
        patient_rows: rows(patients.len()),
        clients,
        patients,
        ..Scan::default()
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    ph_import_core::allocator::tune();
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let sandbox = ph_sandbox::start(SandboxConfig {
        seed_demo: false,
        ..SandboxConfig::default()
    })
    .await?;
    sandbox.add_clinic("bench", "Bench Clinic", "US", false)?;
    sandbox.add_token(&DemoToken {
        name: "bench".into(),
        token: "phsb_bench_importer".into(),
        role: "importer".into(),
        clinics: vec!["bench".into()],
    })?;
    let api = PhApi::new(
        "bench",
        &sandbox.url(),
        &Token::parse("phsb_bench_importer")?,
        &ClientOptions {
            request_timeout: Duration::from_secs(120),
            ..ClientOptions::default()
        },
    )?;
    let found = generated(n);
    let pets = found.patients.len();
    let data = tempfile::tempdir()?;

    let started = Instant::now();
    let plan = import::plan(
        &api,
        Request {
            scan: std::borrow::Cow::Borrowed(&found),
            tables: &[],
            decisions: Decisions::default(),
            inputs: Vec::new(),
            clinic_id: "bench",
            base_url: &sandbox.url(),
        },
        &mut |_, _| {},
    )
    .await?;
    let plan_secs = started.elapsed().as_secs_f64();

    let mut phases: Vec<(String, Instant)> = Vec::new();
    let started = Instant::now();
    let report = import::apply(
        &Context {
            api: &api,
            data_dir: data.path(),
        },
        &plan,
        Options::default(),
        &AtomicBool::new(false),
        &mut |p| {
            if phases.last().is_none_or(|(name, _)| name != &p.phase) {
                phases.push((p.phase.clone(), Instant::now()));
            }
        },
    )
    .await?;
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.problems);
    println!("{n} clients and {pets} patients into an empty clinic of the in-process sandbox");
    println!("  plan:  {plan_secs:.2} s (read the clinic, classify, decide)");
    for (name, at) in &phases {
        println!(
            "  {name:<16} began at {:.2} s",
            at.duration_since(started).as_secs_f64()
        );
    }
    // The run's own phase log has each phase's records and elapsed time.
    let log = std::fs::read_to_string(std::path::Path::new(&report.dir).join("log.txt"))?;
    for line in log.lines() {
        let line: String = line.chars().skip(25).take(70).collect();
        println!("    {line}");
    }
    println!(
        "  apply: {secs:.2} s with backup, verify and reports: {:.0} clients/s ({:.0} records/s)",
        n as f64 / secs,
        (n + pets) as f64 / secs
    );
    sandbox.shutdown().await;
    Ok(())
}
