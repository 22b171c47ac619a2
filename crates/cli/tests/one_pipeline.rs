//! The CLI and the app run one pipeline: the app's Save (the core calls its commands make)
//! writes byte-identical files to `ph-import convert`, date orders settled after the sample
//! included; each input is opened at most twice; Ctrl-C stops a run and leaves nothing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use ph_import_core::canonical::RequiredPolicy;
use ph_import_core::job::{ImportSettings, Job, JobSpec};
use ph_import_core::mapping::transform::dates::DateOrder;
use ph_import_core::mapping::transform::Transform;
use ph_import_core::mapping::Mapping;
use ph_import_core::read::ReadOptions;
use ph_import_core::review::Edits;

fn ph_import(profiles: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::cargo_bin("ph-import").expect("binary");
    cmd.env("PH_IMPORT_PROFILES", profiles);
    cmd
}

/// Clients with a pet each, whose birth dates all read either way (day and month both 12 or
/// less) for the first `ambiguous` rows, and only day/month/year after them.
fn late_date_order_file(dir: &Path, rows: usize, ambiguous: usize) -> PathBuf {
    let mut text =
        String::from("Client ID,First Name,Last Name,Email,Pet ID,Pet Name,Species,Birth Date\n");
    for i in 0..rows {
        let (day, month) = if i < ambiguous {
            (1 + i % 12, 1 + (i / 12) % 12)
        } else {
            (13 + i % 15, 1 + i % 12)
        };
        text.push_str(&format!(
            "{i},Ann,Lee{i},ann{i}@example.com,P{i},Rex,dog,{day:02}/{month:02}/2019\n"
        ));
    }
    let path = dir.join("late-dates.csv");
    std::fs::write(&path, text).expect("input");
    path
}

fn birth_date_order(mapping: &Mapping) -> Option<DateOrder> {
    mapping
        .tables
        .iter()
        .flat_map(|t| &t.fields)
        .find_map(|f| match &f.transform {
            Transform::Date { order, .. } => Some(*order),
            _ => None,
        })
}

#[test]
fn the_apps_save_writes_what_convert_writes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let profiles = tmp.path().join("no-profiles");
    // The 5,000-row sample reads both ways; the US default would be month/day.
    let file = late_date_order_file(tmp.path(), 6_000, 5_200);

    let cli = tmp.path().join("cli");
    let status = ph_import(&profiles)
        .arg("convert")
        .arg(&file)
        .args(["--country", "US", "--out"])
        .arg(&cli)
        .stdout(Stdio::null())
        .status()
        .expect("runs");
    assert!(status.success());

    // The app: the Map step opens the job (as `suggest_mapping` does), the mapping goes to
    // the UI and back as JSON, and Save writes with it (as `save_canonical` does).
    let spec = JobSpec {
        inputs: vec![(file.clone(), ReadOptions::default())],
        profile: None,
        profile_dir: profiles.clone(),
        settings: ImportSettings {
            country: Some("US".into()),
            ..ImportSettings::default()
        },
    };
    let opened = Job::open(&spec, &mut |_| {}, &AtomicBool::new(false)).expect("job opens");
    assert_eq!(birth_date_order(opened.mapping()), Some(DateOrder::Dmy));
    let json = serde_json::to_string(opened.mapping()).expect("mapping to JSON");
    let mapping: Mapping = serde_json::from_str(&json).expect("mapping from JSON");
    let app = tmp.path().join("app");
    Job::with_mapping(&spec.inputs, mapping)
        .expect("job")
        .save_reviewed(
            &app,
            RequiredPolicy::ph_default().into(),
            &Edits::default(),
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .expect("saved");

    for name in [
        "clients.csv",
        "patients.csv",
        "findings.csv",
        "duplicates.csv",
    ] {
        let a = std::fs::read(cli.join(name)).expect(name);
        let b = std::fs::read(app.join(name)).expect(name);
        assert!(a == b, "{name} differs between convert and the app's Save");
    }
    let patients = std::fs::read_to_string(app.join("patients.csv")).expect("patients");
    // Row 0: 01/01 either way; row 13 is 02/02; row 1 is day 2, month 1 → 2019-01-02.
    assert!(patients.contains(",2019-01-02,"), "day/month order applied");
}

/// Runs `ph-import` under strace and counts the opens of `input`.
fn opens_of(input: &Path, args: &[&str], profiles: &Path, log: &Path) -> Option<usize> {
    let status = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=open,openat", "-o"])
        .arg(log)
        .arg(assert_cmd::cargo::cargo_bin("ph-import"))
        .args(args)
        .env("PH_IMPORT_PROFILES", profiles)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    assert!(status.success(), "ph-import {args:?} under strace");
    let name = input.to_str()?;
    let trace = std::fs::read_to_string(log).ok()?;
    Some(
        trace
            .lines()
            .filter(|l| l.contains(&format!("\"{name}\"")) && !l.contains("ENOENT"))
            .count(),
    )
}

#[test]
fn convert_opens_each_input_at_most_twice() {
    if std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("strace is not installed: skipped (scripts/lib.sh installs it for CI)");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let profiles = tmp.path().join("no-profiles");
    // Dates settled only after the sample: the sample's stream is read on, not reopened.
    let file = late_date_order_file(tmp.path(), 6_000, 5_200);
    let out = tmp.path().join("out");
    let log = tmp.path().join("trace");
    let args = [
        "convert",
        file.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
    ];
    let opens = opens_of(&file, &args, &profiles, &log).expect("traced");
    assert!(opens <= 2, "{opens} opens of the input");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_convert_and_leaves_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let profiles = tmp.path().join("no-profiles");
    let file = late_date_order_file(tmp.path(), 400_000, 0);
    let out = tmp.path().join("out");
    let mut child = ph_import(&profiles)
        .arg("convert")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // Once the run has begun writing (its hidden partial files exist), Ctrl-C.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let writing = std::fs::read_dir(&out)
            .map(|d| {
                d.filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().ends_with(".partial"))
            })
            .unwrap_or(false);
        if writing {
            break;
        }
        assert!(
            child.try_wait().expect("wait").is_none(),
            "finished before Ctrl-C could be sent"
        );
        assert!(Instant::now() < deadline, "never began writing");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let output = child.wait_with_output().expect("ends");
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("Cancelled: nothing was written."));
    let left: Vec<_> = std::fs::read_dir(&out)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
}
