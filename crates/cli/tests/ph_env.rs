//! `ph-import env`, `whoami`, `clients` and `login`'s refusals, each in its own config and
//! data folders; `whoami` and `clients` use the built-in sandbox started in-process.

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

struct Home {
    config: TempDir,
    data: TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            config: tempfile::tempdir().unwrap(),
            data: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("ph-import").expect("binary");
        cmd.env("PH_IMPORT_CONFIG_DIR", self.config.path())
            .env("PH_IMPORT_DATA_DIR", self.data.path())
            .env_remove("PH_IMPORT_LOG");
        cmd
    }
}

#[test]
fn environments_are_added_listed_and_removed() {
    let home = Home::new();
    home.cmd()
        .args([
            "env",
            "add",
            "staging",
            "https://staging.ph.example/",
            "--kind",
            "staging",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("ph-import login --env staging"));
    home.cmd()
        .args(["env", "add", "test-env-local", "http://127.0.0.1:4000"])
        .assert()
        .success();
    let out = home.cmd().args(["env", "list", "--json"]).output().unwrap();
    assert!(out.status.success());
    let envs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        envs,
        serde_json::json!([
            {"name": "sandbox", "baseUrl": "in-process", "kind": "sandbox"},
            {"name": "staging", "baseUrl": "https://staging.ph.example", "kind": "staging"},
            {"name": "test-env-local", "baseUrl": "http://127.0.0.1:4000", "kind": "custom"},
        ])
    );
    home.cmd().args(["env", "list"]).assert().success().stdout(
        predicate::str::is_match(r"(?m)^staging +staging +https://staging\.ph\.example$").unwrap(),
    );
    // Removing it may also try the keychain; without one it only warns.
    home.cmd()
        .args(["env", "remove", "test-env-local"])
        .assert()
        .success();
    let out = home.cmd().args(["env", "list", "--json"]).output().unwrap();
    let envs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(envs.as_array().unwrap().len(), 2);
    home.cmd()
        .args(["env", "remove", "sandbox"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("built-in"));
}

#[test]
fn plain_http_to_another_machine_is_refused() {
    let home = Home::new();
    home.cmd()
        .args([
            "env",
            "add",
            "prod",
            "http://ph.example",
            "--kind",
            "production",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use https://"));
    assert!(!home.config.path().join("settings.json").exists());
}

#[test]
fn whoami_on_the_builtin_sandbox() {
    let home = Home::new();
    let out = home.cmd().args(["whoami", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let me: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(me["environment"], "sandbox");
    assert_eq!(me["role"], "IMPORTER");
    assert!(me["url"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    let clinics: Vec<_> = me["clinics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(clinics, ["riverside", "maple-grove", "harbor-cats"]);
    // The sandbox keeps its database in the app's data folder.
    assert!(home.data.path().join("sandbox/ph-sandbox.sqlite3").exists());
    home.cmd()
        .args(["whoami"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Role:        importer"));
}

#[test]
fn clients_are_listed_as_csv_json_and_table() {
    let home = Home::new();
    let csv_path = home.data.path().join("riverside.csv");
    home.cmd()
        .args(["clients", "--clinic", "riverside", "--out"])
        .arg(&csv_path)
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&csv_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The file is there now: not replaced without --force.
    home.cmd()
        .args(["clients", "--clinic", "riverside", "--out"])
        .arg(&csv_path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    home.cmd()
        .args(["clients", "--clinic", "riverside", "--force", "--out"])
        .arg(&csv_path)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    assert_eq!(&headers[18], "patients");
    let rows: Vec<_> = reader.records().map(|r| r.unwrap()).collect();

    let out = home
        .cmd()
        .args(["clients", "--clinic", "riverside", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let clients: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), clients.len());
    assert!(clients.len() >= 20);
    let with_pets = clients
        .iter()
        .filter(|c| !c["patients"].as_array().unwrap().is_empty())
        .count();
    assert!(with_pets > 0);
    assert_eq!(rows[0][0], *clients[0]["id"].as_str().unwrap());

    home.cmd()
        .args(["clients", "--clinic", "riverside"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "{} clients",
            clients.len()
        )));
    // Nothing changed since a future time.
    home.cmd()
        .args([
            "clients",
            "--clinic",
            "riverside",
            "--updated-since",
            "2999-01-01",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 clients"));
    home.cmd()
        .args(["clients", "--clinic", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
}

#[test]
fn login_refuses_the_sandbox_and_a_missing_terminal() {
    let home = Home::new();
    home.cmd()
        .args(["login", "--env", "sandbox", "--token-stdin"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs no login"));
    home.cmd()
        .args(["env", "add", "local", "http://127.0.0.1:9"])
        .assert()
        .success();
    home.cmd()
        .args(["login", "--env", "local"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--token-stdin"));
    home.cmd()
        .args(["login", "--env", "local", "--token-stdin"])
        .write_stdin("\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the token is empty"));
    home.cmd()
        .args(["login", "--env", "missing", "--token-stdin"])
        .write_stdin("t")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ph-import env add missing"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_missing_secret_service_is_explained() {
    let home = Home::new();
    home.cmd()
        .args(["env", "add", "local", "http://127.0.0.1:9"])
        .assert()
        .success();
    home.cmd()
        .args(["login", "--env", "local", "--token-stdin", "--no-verify"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/ph-import-test-bus",
        )
        .write_stdin("some_token_value")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Secret Service such as gnome-keyring",
        ))
        .stderr(predicate::str::contains("some_token_value").not());
}

#[test]
fn a_refused_token_is_not_stored() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(ph_sandbox::start(ph_sandbox::SandboxConfig::default()))
        .unwrap();
    let home = Home::new();
    home.cmd()
        .args(["env", "add", "local", &sandbox.url()])
        .assert()
        .success();
    // Verification fails before the keychain is touched, so no Secret Service is needed.
    home.cmd()
        .args(["login", "--env", "local", "--token-stdin"])
        .write_stdin("not_a_sandbox_token\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`local` refused this token, so it was not stored",
        ))
        .stderr(predicate::str::contains("not_a_sandbox_token").not());
}

/// Whether a Secret Service can be reached (scripts/test.sh starts one under
/// `dbus-run-session`); the tool keeps tokens only in the OS keychain.
fn has_session_bus() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!(
            "SKIPPED: no D-Bus session bus, so no Secret Service for the token. Run under \
             `dbus-run-session` with `gnome-keyring-daemon --unlock` (scripts/test.sh does)."
        );
        return false;
    }
    true
}

#[test]
fn a_read_only_token_matches_a_file_against_its_clinic_but_cannot_import() {
    if !has_session_bus() {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(ph_sandbox::start(ph_sandbox::SandboxConfig::default()))
        .unwrap();
    let home = Home::new();
    // A name of its own in the keychain (the entry is per environment name), so tests
    // running at once never share or remove each other's.
    let env = format!(
        "reader-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    home.cmd()
        .args(["env", "add", &env, &sandbox.url()])
        .assert()
        .success();
    home.cmd()
        .args(["login", "--env", &env, "--token-stdin"])
        .write_stdin("phsb_readonly_demo\n")
        .assert()
        .success();
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/demo/riverside-clients-pets.csv")
        .display()
        .to_string();
    let out = home
        .cmd()
        .args([
            "dedupe",
            &file,
            "--env",
            &env,
            "--clinic",
            "riverside",
            "--json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let identical = report["classified"]["client_counts"]["identical"]
        .as_u64()
        .unwrap();
    assert!(identical > 0, "{report:#}");
    // Planning only reads, too; importing needs the importer role, and is refused.
    home.cmd()
        .args([
            "plan",
            &file,
            "--env",
            &env,
            "--clinic",
            "riverside",
            "--json",
        ])
        .assert()
        .success();
    home.cmd()
        .args(["import", &file, "--env", &env, "--clinic", "riverside"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("importer role"));
    home.cmd()
        .args(["logout", "--env", &env])
        .assert()
        .success();
}
