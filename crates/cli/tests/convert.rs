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

#[test]
fn deceased_and_inactive_are_counted_unless_sent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("flags.csv");
    std::fs::write(
        &file,
        "Client ID,First,Last,Email,Active,Pet,Species,Deceased\n\
         1,Ann,Lee,ann@example.com,N,Rex,Dog,Y\n\
         2,Bob,Ray,bob@example.com,Y,Tom,Cat,N\n",
    )
    .expect("write");
    let json = |extra: &[&str]| -> serde_json::Value {
        let out = ph_import()
            .arg("validate")
            .arg(&file)
            // Run again into the same folder: its findings.csv is replaced on purpose.
            .args(["--json", "--force", "--out"])
            .arg(dir.path())
            .args(extra)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let default = json(&[]);
    assert_eq!(default["skipped"]["inactive_clients"], 1);
    assert_eq!(default["skipped"]["deceased_patients"], 1);
    let sent = json(&["--send-deceased", "--send-inactive"]);
    assert_eq!(sent["skipped"]["inactive_clients"], 0);
    assert_eq!(sent["skipped"]["deceased_patients"], 0);
    ph_import()
        .arg("convert")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 inactive clients, 1 deceased patients",
        ));
}

#[test]
fn a_table_role_can_be_said_instead_of_guessed() {
    let file = fixture("demo/riverside-clients-pets.csv");
    let out = ph_import()
        .args([
            "map",
            &file,
            "--json",
            "--role",
            "riverside-clients-pets.csv=clients",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let table = &json["mapping"]["tables"][0];
    assert_eq!(table["role"], "clients");
    let fields = table["fields"].as_array().expect("fields");
    assert!(!fields.is_empty());
    assert!(
        fields.iter().all(|f| f["field"]
            .as_str()
            .is_some_and(|k| k.starts_with("client."))),
        "pet fields are left out: {table}"
    );
    ph_import()
        .args(["map", &file, "--role", "riverside-clients-pets.csv=owners"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "use clients, patients or combined",
        ));
    ph_import()
        .args(["map", &file, "--role", "nope.csv=clients"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("riverside-clients-pets.csv"));
}

/// Pets whose weights are bare numbers with a decimal point, as a US clinic writes them.
fn bare_weights(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("pets.csv");
    std::fs::write(
        &path,
        "Client ID,First Name,Last Name,Email,Pet ID,Pet Name,Species,Weight\n\
         C1,Ann,Lee,ann@example.com,P1,Rex,dog,10\n\
         C2,Bob,Ng,bob@example.com,P2,Tom,cat,4.5\n",
    )
    .expect("input");
    path
}

#[test]
fn weight_unit_says_what_bare_numbers_are() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let input = bare_weights(tmp.path());
    // A US clinic's bare numbers are pounds unless the person says otherwise.
    for (unit, want) in [(None, "4.536"), (Some("kg"), "10")] {
        let out = tmp.path().join(unit.unwrap_or("default"));
        let mut cmd = ph_import();
        cmd.arg("convert")
            .arg(&input)
            .args(["--country", "US", "--out"])
            .arg(&out);
        if let Some(unit) = unit {
            cmd.args(["--weight-unit", unit]);
        }
        cmd.assert().success();
        let patients = std::fs::read_to_string(out.join("patients.csv")).expect("patients");
        let header: Vec<&str> = patients
            .lines()
            .next()
            .expect("header")
            .split(',')
            .collect();
        let i = header
            .iter()
            .position(|h| *h == "weight_kg")
            .expect("weight_kg");
        let first = patients.lines().nth(1).expect("a row").split(',').nth(i);
        assert_eq!(first, Some(want), "--weight-unit {unit:?}");
    }
    ph_import()
        .args(["convert"])
        .arg(&input)
        .args(["--weight-unit", "stone", "--out"])
        .arg(tmp.path().join("bad"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("stone"));
}
