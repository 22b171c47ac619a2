//! `ph-import map` and `convert` as a script would use them.

use assert_cmd::Command;
use predicates::prelude::*;

fn fixture(name: &str) -> String {
    format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn ph_import() -> Command {
    let mut cmd = Command::cargo_bin("ph-import").expect("binary");
    // Keep saved profiles of the machine out of the test.
    cmd.env(
        "PH_IMPORT_PROFILES",
        std::env::temp_dir().join("ph-import-test-no-profiles"),
    );
    cmd
}

#[test]
fn convert_writes_the_expected_canonical_files() {
    let out = tempfile::tempdir().expect("temp dir");
    ph_import()
        .args(["convert"])
        .arg(fixture("vendors/avimark-clients-animals/CLIENT.csv"))
        .arg(fixture("vendors/avimark-clients-animals/ANIMAL.csv"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("Wrote"));
    for name in ["clients.csv", "patients.csv", "findings.csv"] {
        let got = std::fs::read_to_string(out.path().join(name)).expect(name);
        let want = std::fs::read_to_string(fixture(&format!(
            "vendors/avimark-clients-animals/expected/{name}"
        )))
        .expect(name);
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn map_json_is_a_mapping_document() {
    let out = ph_import()
        .args(["map", &fixture("demo/riverside-clients-pets.csv"), "--json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v.is_object());
    let text = v.to_string();
    assert!(
        text.contains("client.email") && text.contains("E-mail"),
        "{text}"
    );
}

#[test]
fn unreadable_input_exits_2_and_findings_do_not() {
    let out = tempfile::tempdir().expect("temp dir");
    ph_import()
        .args(["convert", &fixture("read/hostile/empty.csv"), "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty"));
    ph_import()
        .args(["convert", &fixture("demo/riverside-clients-pets.csv")])
        .assert()
        .code(2);
}
