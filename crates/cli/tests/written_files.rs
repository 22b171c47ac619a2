//! The files `convert`, `validate` and `dedupe` write: spreadsheet-safe CSV (JSON Lines
//! exact), private modes, no writing through a symbolic link (a file or the folder) or over a
//! file the run did not create, and all of a run's files or none.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> String {
    format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn ph_import() -> Command {
    let mut cmd = Command::cargo_bin("ph-import").expect("binary");
    cmd.env(
        "PH_IMPORT_PROFILES",
        std::env::temp_dir().join("ph-import-test-no-profiles"),
    );
    cmd
}

fn convert(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    ph_import()
        .arg("convert")
        .arg(fixture("read/hostile/formula-cells.csv"))
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

fn cells(path: &Path) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("csv");
    reader
        .records()
        .flat_map(|r| {
            r.expect("record")
                .iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// What a spreadsheet would run as a formula (after trimming a leading tab or CR), unless it
/// is a plain signed number.
fn runs_as_formula(cell: &str) -> bool {
    let trimmed = cell.trim_start_matches(['\t', '\r']);
    let plain_number = trimmed.len() > 1
        && trimmed[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.')
        && trimmed[1..].bytes().any(|b| b.is_ascii_digit());
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
        && !(trimmed.starts_with(['+', '-']) && plain_number)
}

#[test]
fn every_csv_cell_a_spreadsheet_would_run_is_neutralized() {
    let out = tempfile::tempdir().expect("temp dir");
    convert(out.path(), &[]).success();
    let mut neutralized = Vec::new();
    for name in ["clients.csv", "patients.csv", "findings.csv"] {
        for cell in cells(&out.path().join(name)) {
            assert!(!runs_as_formula(&cell), "{name}: {cell:?}");
            if cell.starts_with('\'') {
                neutralized.push(cell);
            }
        }
    }
    for expected in [
        "'=1+2",
        "'@sum(a1:a9)",
        "'-2+3+cmd|' /C calc'!A0",
        "'=HYPERLINK(\"http://x.example\",\"y\")",
        "'-",
    ] {
        assert!(
            neutralized.iter().any(|c| c == expected),
            "{expected} in {neutralized:?}"
        );
    }
    // Signed numbers stay numbers: E.164 phones, and the weight "-3" as the source had it.
    let clients = cells(&out.path().join("clients.csv"));
    assert!(clients.iter().any(|c| c == "+12175550143"), "{clients:?}");
    let findings = cells(&out.path().join("findings.csv"));
    assert!(findings.iter().any(|c| c == "-3"), "{findings:?}");
}

#[test]
fn json_lines_keep_the_values_exact() {
    let out = tempfile::tempdir().expect("temp dir");
    convert(out.path(), &["--format", "jsonl"]).success();
    let patients = std::fs::read_to_string(out.path().join("patients.jsonl")).expect("patients");
    let names: Vec<String> = patients
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
        .map(|v| v["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        names,
        ["Rex", "=HYPERLINK(\"http://x.example\",\"y\")", "=1+2"]
    );
}

#[cfg(unix)]
#[test]
fn written_files_are_private_and_never_replace_what_the_run_did_not_write() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("new/out");
    convert(&out, &[]).success();
    assert_eq!(mode(&out), 0o700);
    assert_eq!(mode(&tmp.path().join("new")), 0o700);
    for name in ["clients.csv", "patients.csv", "findings.csv"] {
        assert_eq!(mode(&out.join(name)), 0o600, "{name}");
    }

    // A second run into the same folder stops without touching the files; --force replaces.
    std::fs::write(out.join("clients.csv"), "kept").expect("write");
    convert(&out, &[])
        .code(2)
        .stderr(predicate::str::contains(
            "already exists and was not written by this run",
        ))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        std::fs::read_to_string(out.join("clients.csv"))
            .ok()
            .as_deref(),
        Some("kept")
    );
    convert(&out, &["--force"]).success();
    assert!(std::fs::read_to_string(out.join("clients.csv"))
        .unwrap_or_default()
        .starts_with("external_id,"));

    // validate's findings.csv follows the same rules.
    ph_import()
        .arg("validate")
        .arg(fixture("read/hostile/formula-cells.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("findings.csv already exists"));
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_the_output_folder_is_never_written_through() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let target = tmp.path().join("precious.txt");
    std::fs::write(&target, "precious").expect("write");
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).expect("dir");
    std::os::unix::fs::symlink(&target, out.join("clients.csv")).expect("link");
    for extra in [&[][..], &["--force"][..]] {
        convert(&out, extra)
            .code(2)
            .stderr(predicate::str::contains("is a symbolic link"));
    }
    assert_eq!(
        std::fs::read_to_string(&target).ok().as_deref(),
        Some("precious")
    );
}

#[cfg(unix)]
#[test]
fn an_edits_file_that_is_a_device_is_refused_at_once() {
    let out = tempfile::tempdir().expect("temp dir");
    convert(out.path(), &["--edits", "/dev/zero"])
        .code(2)
        .stderr(predicate::str::contains("is not a regular file"));
}

/// The names in `dir` with their contents, sorted: what a run must leave as it found.
fn contents(dir: &Path) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| {
            let e = e.expect("entry");
            let text = std::fs::read_to_string(e.path()).unwrap_or_else(|_| "<not text>".into());
            (e.file_name().to_string_lossy().into_owned(), text)
        })
        .collect();
    all.sort();
    all
}

#[cfg(unix)]
#[test]
fn an_output_folder_that_is_a_symbolic_link_is_never_written_through() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let target = tmp.path().join("elsewhere");
    std::fs::create_dir(&target).expect("dir");
    let link = tmp.path().join("out");
    std::os::unix::fs::symlink(&target, &link).expect("link");
    let file = fixture("read/hostile/formula-cells.csv");
    // `out/` and `out/.` name the link's target: refused as well.
    for out in [
        link.clone(),
        tmp.path().join("out/"),
        tmp.path().join("out/."),
    ] {
        for verb in ["convert", "validate", "dedupe"] {
            for extra in [&[][..], &["--force"][..]] {
                ph_import()
                    .arg(verb)
                    .arg(&file)
                    .arg("--out")
                    .arg(&out)
                    .args(extra)
                    .timeout(std::time::Duration::from_secs(60))
                    .assert()
                    .code(2)
                    .stderr(predicate::str::contains(format!(
                        "error: {} is a symbolic link, and files with client data are never written through a link (it could point anywhere). Remove the link or choose another folder.",
                        out.display()
                    )));
            }
        }
    }
    assert_eq!(contents(&target), []);
    // A link above the output folder is the machine's own layout (macOS /tmp is one): followed.
    convert(&link.join("sub"), &[]).success();
    assert_eq!(
        contents(&target.join("sub"))
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>(),
        [
            "clients.csv",
            "duplicates.csv",
            "findings.csv",
            "patients.csv"
        ]
    );
}

#[test]
fn a_refused_output_file_leaves_the_folder_as_it_was() {
    let out = tempfile::tempdir().expect("temp dir");
    std::fs::write(out.path().join("findings.csv"), "theirs").expect("write");
    std::fs::write(out.path().join("notes.txt"), "kept").expect("write");
    let before = contents(out.path());
    convert(out.path(), &[])
        .code(2)
        .stderr(predicate::str::contains(format!(
            "error: {} already exists and was not written by this run, so it was left alone. Choose an empty folder, or add --force to replace it.",
            out.path().join("findings.csv").display()
        )));
    assert_eq!(contents(out.path()), before);

    // The last file written (duplicates.csv, after the records) is checked before the first.
    std::fs::remove_file(out.path().join("findings.csv")).expect("remove");
    std::fs::write(out.path().join("duplicates.csv"), "theirs").expect("write");
    let before = contents(out.path());
    convert(out.path(), &[])
        .code(2)
        .stderr(predicate::str::contains("duplicates.csv already exists"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(contents(out.path()), before);
    ph_import()
        .arg("dedupe")
        .arg(fixture("dedupe/clinic-with-duplicates.csv"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("duplicates.csv already exists"));
    assert_eq!(contents(out.path()), before);

    // --force replaces it, and writes the rest; no temporary file is left behind.
    convert(out.path(), &["--force"]).success();
    let names: Vec<String> = contents(out.path()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "clients.csv",
            "duplicates.csv",
            "findings.csv",
            "notes.txt",
            "patients.csv"
        ]
    );
}
