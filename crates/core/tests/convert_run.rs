//! The conversion run over a file stops cleanly, and soon, when the consumer of its rows
//! fails or the user cancels, however far ahead the reader and the workers are.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use ph_import_core::canonical::RequiredPolicy;
use ph_import_core::job::convert_rows;
use ph_import_core::job::WriteError;
use ph_import_core::mapping::convert::Converter;
use ph_import_core::mapping::resolve::load_tables;
use ph_import_core::mapping::{suggest, SuggestOptions};

/// Rows enough for many batches (the reader keeps several in flight).
const ROWS: usize = 60_000;

fn export(dir: &std::path::Path) -> PathBuf {
    let mut text = String::from("Client ID,First Name,Last Name,Email,Pet Name,Species\n");
    for i in 0..ROWS {
        let c = i / 2;
        text.push_str(&format!(
            "{c},Ann,Lee,owner{c}@example.com,Pet{i},{}\n",
            ["Dog", "Cat"][i % 2]
        ));
    }
    let path = dir.join("export.csv");
    std::fs::write(&path, text).expect("write");
    path
}

/// Runs `f` on its own thread and fails the test if it has not finished in a minute (a
/// deadlock between the stages would otherwise hang the suite).
fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(f());
    });
    result
        .recv_timeout(Duration::from_secs(60))
        .expect("the run stopped within a minute")
}

fn run(stop_after: usize, cancel_after: Option<usize>) -> (Result<(), WriteError>, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = export(dir.path());
    let (sources, tables) = load_tables(std::slice::from_ref(&path)).expect("readable");
    let options = SuggestOptions {
        country: "US".into(),
        infer_country: false,
        ..SuggestOptions::default()
    };
    let mapping = suggest(&tables, &options, &RequiredPolicy::default()).mapping;
    let converter = Converter::new(&mapping, RequiredPolicy::default());
    let cancel = AtomicBool::new(false);
    let mut seen = 0;
    let result = convert_rows(
        &sources,
        &mapping,
        converter,
        &cancel,
        &mut |_, _| {},
        &mut |_| {
            seen += 1;
            if cancel_after == Some(seen) {
                cancel.store(true, Ordering::Relaxed);
            }
            if seen == stop_after {
                return Err(WriteError::Io {
                    dir: "out".into(),
                    reason: "disk full".into(),
                });
            }
            Ok(())
        },
    );
    (result, seen)
}

#[test]
fn a_failing_consumer_stops_the_run_with_its_error() {
    let (result, seen) = within_a_minute(|| run(1000, None));
    assert!(matches!(result, Err(WriteError::Io { .. })), "{result:?}");
    assert_eq!(seen, 1000);
}

#[test]
fn cancelling_stops_the_run_before_the_end() {
    let (result, seen) = within_a_minute(|| run(usize::MAX, Some(500)));
    assert!(matches!(result, Err(WriteError::Cancelled)), "{result:?}");
    assert!(seen < ROWS, "stopped early, after {seen} rows");
}

#[test]
fn a_full_run_converts_every_row() {
    let (result, seen) = within_a_minute(|| run(usize::MAX, None));
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(seen, ROWS);
}
