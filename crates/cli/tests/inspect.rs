//! `ph-import inspect` as a script would use it.

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> String {
    format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn ph_import() -> Command {
    Command::cargo_bin("ph-import").expect("binary")
}

#[test]
fn json_has_the_documented_keys() {
    let out = ph_import()
        .args([
            "inspect",
            &fixture("demo/riverside-clients-pets.csv"),
            "--json",
            "--rows",
            "2",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["format"], "csv");
    assert_eq!(v["encoding"], "windows-1252");
    assert_eq!(v["delimiter"], ";");
    assert_eq!(v["sheets"], serde_json::json!([]));
    assert_eq!(v["header_row"], 4);
    assert_eq!(v["row_count"], 5);
    assert_eq!(v["columns"].as_array().map(Vec::len), Some(17));
    assert_eq!(v["columns"][1]["name"], "Last Name");
    assert_eq!(v["columns"][9]["kind"], "email");
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["rows"][1][11], "Zoë");
    for key in [
        "encoding_reason",
        "delimiter_reason",
        "header_reason",
        "preview",
        "notes",
        "sheet",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn text_output_names_what_was_detected() {
    ph_import()
        .args([
            "inspect",
            &fixture("read/clinic.xlsx"),
            "--sheet",
            "Patients",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Format:      XLSX"))
        .stdout(predicate::str::contains("Patients [read]"))
        .stdout(predicate::str::contains("Data rows:   3"))
        .stdout(predicate::str::contains("985112345678901"));
}

#[test]
fn bad_input_and_bad_arguments_exit_2_with_a_sentence() {
    ph_import()
        .args(["inspect", &fixture("read/hostile/password-protected.xlsx")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("protected with a password"));
    ph_import()
        .args(["inspect", &fixture("read/clinic.xlsx"), "--rows", "lots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--rows takes a number or `all`"));
    ph_import()
        .args([
            "inspect",
            &fixture("read/utf8-bom-comma.csv"),
            "--delimiter",
            ";;",
        ])
        .assert()
        .code(2);
    ph_import().args(["inspect"]).assert().code(2);
}
