//! Codes a person set in the app's code table travel in the saved profile: the CLI converts
//! with `--profile` exactly as the app would.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ph_import_core::canonical::{Field, RequiredPolicy};
use ph_import_core::mapping::resolve::{load_tables, remap_field, resolve, set_codes};
use ph_import_core::mapping::transform::codes::CodeEntry;
use ph_import_core::mapping::{Profile, SuggestOptions};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/oakhill-pets-status.csv")
}

/// The profile the app saves after "Status" is mapped to deceased, with `codes` set in the
/// status column's code table (none: left as suggested).
fn profile(codes: Option<Vec<CodeEntry>>, dir: &Path) -> PathBuf {
    let (_, tables) = load_tables(&[fixture()]).expect("fixture reads");
    let options = SuggestOptions::default();
    let policy = RequiredPolicy::ph_default();
    let mut resolved = resolve(None, &tables, &options, &policy, dir).expect("resolves");
    remap_field(
        &mut resolved,
        &tables,
        0,
        Field::PatientDeceased,
        Some("Status"),
        &options,
        &policy,
    )
    .expect("map the status column");
    if let Some(codes) = codes {
        set_codes(
            &mut resolved,
            &tables,
            0,
            "Status",
            Field::PatientDeceased,
            codes,
        )
        .expect("valid codes");
    }
    let path = dir.join("oakhill.json");
    std::fs::write(
        &path,
        Profile::new("Oakhill", "", resolved.mapping).to_json(),
    )
    .expect("profile written");
    path
}

/// Converts the fixture with the profile; returns findings.csv and patients.csv.
fn convert(profile: &Path, out: &Path) -> (String, String) {
    let run = Command::cargo_bin("ph-import")
        .expect("binary")
        .env("PH_IMPORT_PROFILES", out.join("no-profiles"))
        .arg("convert")
        .arg(fixture())
        .arg("--profile")
        .arg(profile)
        .arg("--out")
        .arg(out.join("out"))
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(out.join("out").join(name)).expect(name);
    (read("findings.csv"), read("patients.csv"))
}

fn code(code: &str, value: &str) -> CodeEntry {
    CodeEntry {
        code: code.into(),
        value: value.into(),
    }
}

#[test]
fn status_codes_set_in_the_code_table_convert_without_invalid_booleans() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Left as suggested, H, ND and NA are not yes/no values: every such pet is reported.
    let (findings, _) = convert(&profile(None, dir.path()), dir.path());
    assert_eq!(
        findings.matches("invalid_boolean").count(),
        22,
        "{findings}"
    );

    let codes = vec![
        code("H", "false"),
        code("ND", "false"),
        code("NA", "false"),
        code("D", "true"),
    ];
    let edited = tempfile::tempdir().expect("temp dir");
    let (findings, patients) = convert(&profile(Some(codes), edited.path()), edited.path());
    assert!(!findings.contains("invalid_boolean"), "{findings}");
    let mut reader = csv::Reader::from_reader(patients.as_bytes());
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (id, deceased) = (col("external_id"), col("deceased"));
    let mut dead: Vec<String> = Vec::new();
    let mut alive = 0;
    for row in reader.records() {
        let row = row.expect("row");
        match &row[deceased] {
            "true" => dead.push(row[id].to_owned()),
            "false" => alive += 1,
            other => panic!("deceased is {other:?} for {}", &row[id]),
        }
    }
    // The fixture's two "D" pets.
    dead.sort();
    assert_eq!(dead, ["P-709", "P-718"]);
    assert_eq!(alive, 22);
}
