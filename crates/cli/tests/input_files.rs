//! Files a person names for a run (`dedupe --decisions`, `convert --edits`): anything but a
//! regular file of at most 64 MB is refused at once, exit 2, with a sentence naming it.
#![cfg(unix)]

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> String {
    format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `ph-import VERB fixture --OPTION path`, which must stop within seconds.
fn run(verb: &str, option: &str, path: &Path, out: &Path) -> assert_cmd::assert::Assert {
    let mut cmd = Command::cargo_bin("ph-import").expect("binary");
    cmd.env(
        "PH_IMPORT_PROFILES",
        std::env::temp_dir().join("ph-import-test-no-profiles"),
    )
    .arg(verb)
    .arg(fixture("dedupe/clinic-with-duplicates.csv"))
    .arg(option)
    .arg(path);
    if verb == "convert" {
        cmd.arg("--out").arg(out);
    }
    cmd.timeout(Duration::from_secs(20)).assert()
}

/// A named pipe, /dev/zero and a folder, each as the file `what` names.
fn not_regular_files(tmp: &Path) -> Vec<std::path::PathBuf> {
    let fifo = tmp.join("decisions.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {fifo:?}");
    vec![fifo, "/dev/zero".into(), tmp.to_path_buf()]
}

#[test]
fn decisions_and_edits_that_are_not_regular_files_are_refused_at_once() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("temp dir");
    for path in not_regular_files(tmp.path()) {
        for (verb, option, what, hint) in [
            (
                "dedupe",
                "--decisions",
                "decisions file",
                "give the decisions file the app saved, or one written as docs/dedupe.md describes",
            ),
            (
                "convert",
                "--edits",
                "edits file",
                "give the edits.json the app saved",
            ),
        ] {
            let started = Instant::now();
            run(verb, option, &path, out.path())
                .code(2)
                .stdout("")
                .stderr(format!(
                    "error: the {what} {} is not a regular file; {hint}\n",
                    path.display()
                ));
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{verb} {option} {path:?}: {:?}",
                started.elapsed()
            );
        }
    }
    // convert stopped before writing anything.
    assert_eq!(std::fs::read_dir(out.path()).expect("out").count(), 0);
}

#[test]
fn decisions_larger_than_64_mb_are_refused_unread() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let big = tmp.path().join("decisions.json");
    // Sparse: 65 MB long, nothing on disk.
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(65 * 1024 * 1024))
        .expect("big file");
    run("dedupe", "--decisions", &big, tmp.path())
        .code(2)
        .stderr(format!(
            "error: the decisions file {} is 65 MB, more than the 64 MB such a file can be; give the decisions file the app saved, or one written as docs/dedupe.md describes\n",
            big.display()
        ));
}

#[test]
fn a_decisions_file_that_is_not_json_says_so() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let bad = tmp.path().join("decisions.json");
    std::fs::write(&bad, "not json").expect("write");
    run("dedupe", "--decisions", &bad, tmp.path())
        .code(2)
        .stderr(predicate::str::contains(format!(
            "error: {} is not a decisions file this version understands",
            bad.display()
        )));
    std::fs::write(&bad, r#"{"records": []}"#).expect("write");
    run("dedupe", "--decisions", &bad, tmp.path()).success();
}
