//! `ph-import import`, `plan`, `apply`, `runs` and `resume` into the built-in sandbox, each
//! test in its own config and data folders: an import, a re-run that changes nothing, a dry
//! run that sends nothing, reports written private with formula cells neutralized, and a
//! production plan refused without confirmation.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
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

    /// Runs the command and returns its JSON output, asserting the exit code.
    fn json(&self, args: &[&str], code: i32) -> serde_json::Value {
        let out = self.cmd().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
        })
    }
}

fn demo_file() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/demo/riverside-clients-pets.csv")
        .display()
        .to_string()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn an_import_into_the_sandbox_then_a_rerun_that_changes_nothing() {
    let home = Home::new();
    let file = demo_file();
    // Harbor Cats holds none of these clients.
    let first = home.json(&["import", &file, "--clinic", "harbor-cats", "--json"], 0);
    assert_eq!(first["status"], "completed", "{first:#}");
    assert_eq!(first["clients"]["created"], 4, "{first:#}");
    assert_eq!(first["patients"]["created"], 5, "{first:#}");
    assert_eq!(first["problems"], serde_json::json!([]));
    let dir = PathBuf::from(first["dir"].as_str().unwrap());
    for f in [
        "plan.json",
        "results.csv",
        "errors.csv",
        "summary.txt",
        "log.txt",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
        #[cfg(unix)]
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
    #[cfg(unix)]
    assert_eq!(mode(&dir), 0o700);

    let again = home.json(&["import", &file, "--clinic", "harbor-cats", "--json"], 0);
    assert_eq!(again["status"], "completed");
    for what in ["clients", "patients"] {
        assert_eq!(again[what]["created"], 0, "{again:#}");
        assert_eq!(again[what]["updated"], 0, "{again:#}");
    }
    assert_eq!(again["clients"]["unchanged"], 4);
    assert_eq!(again["patients"]["unchanged"], 5);

    let runs = home.json(&["runs", "--json"], 0);
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r["status"] == "completed"), "{runs:?}");

    // The text of `runs`, and a finished run that cannot be resumed.
    let out = home.cmd().arg("runs").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("completed"));
    let id = first["run_id"].as_str().unwrap();
    // Resuming a finished run changes nothing and says so; applying its plan again is refused.
    let out = home.cmd().args(["resume", id]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already completed"));
    let out = home.cmd().args(["apply", id]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing left to send"));
}

#[test]
fn a_dry_run_sends_nothing_and_a_saved_plan_is_applied_later() {
    let home = Home::new();
    let file = demo_file();
    let dry = home.json(
        &[
            "import",
            &file,
            "--clinic",
            "riverside",
            "--dry-run",
            "--json",
        ],
        0,
    );
    assert_eq!(dry["summary"]["patients"]["create"], 2, "{dry:#}");
    let count = |home: &Home| {
        home.json(&["clients", "--clinic", "riverside", "--json"], 0)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["patients"].as_array().unwrap().len())
            .sum::<usize>()
    };
    let pets = count(&home);

    let out_file = home.data.path().join("my-plan.json");
    let planned = home.json(
        &[
            "plan",
            &file,
            "--clinic",
            "riverside",
            "--out",
            out_file.to_str().unwrap(),
            "--json",
        ],
        0,
    );
    assert_eq!(planned["plan_file"], out_file.to_str().unwrap());
    assert_eq!(count(&home), pets, "planning sent something");
    let applied = home.json(&["apply", out_file.to_str().unwrap(), "--json"], 0);
    assert_eq!(applied["status"], "completed", "{applied:#}");
    assert_eq!(applied["patients"]["created"], 2);
    assert_eq!(applied["patients"]["updated"], 3);
    assert_eq!(count(&home), pets + 2);
}

#[test]
fn rows_left_out_are_in_errors_csv_with_formula_cells_neutralized() {
    let home = Home::new();
    let file = home.data.path().join("export.csv");
    // Maple Grove requires an e-mail: the second client is left out, with its cells.
    std::fs::write(
        &file,
        "Client ID,First Name,Last Name,Email,Phone,Address,City,State,Zip,Patient ID,Pet Name,Species\n\
         M-1,Ada,Byron,ada@example.com,217-555-0101,1 Main St,Springfield,IL,62704,MP-1,Rex,Dog\n\
         M-2,=HYPERLINK(\"http://x\"),Smith,,217-555-0102,2 Main St,Springfield,IL,62704,MP-2,Tom,Cat\n",
    )
    .unwrap();
    let report = home.json(
        &[
            "import",
            file.to_str().unwrap(),
            "--clinic",
            "maple-grove",
            "--json",
        ],
        0,
    );
    assert_eq!(report["clients"]["created"], 1, "{report:#}");
    let dir = PathBuf::from(report["dir"].as_str().unwrap());
    let errors = std::fs::read_to_string(dir.join("errors.csv")).unwrap();
    assert!(errors.contains("'=HYPERLINK"), "{errors}");
    assert!(!errors.contains(",=HYPERLINK"), "{errors}");
    assert!(
        errors.contains("M-2") && errors.contains("email"),
        "{errors}"
    );
    let results = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    assert!(
        results.contains("M-2") && results.contains("excluded"),
        "{results}"
    );
}

#[test]
fn a_production_plan_is_refused_without_the_clinic_named() {
    let home = Home::new();
    let file = demo_file();
    let planned = home.json(&["plan", &file, "--clinic", "riverside", "--json"], 0);
    let path = planned["plan_file"].as_str().unwrap().to_owned();
    home.cmd()
        .args([
            "env",
            "add",
            "prod",
            "https://import.ph.example",
            "--kind",
            "production",
        ])
        .assert()
        .success();
    // The same plan, said to be for production.
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    plan["target"]["env"] = "prod".into();
    let prod_plan = home.data.path().join("prod-plan.json");
    std::fs::write(&prod_plan, plan.to_string()).unwrap();
    let out = home
        .cmd()
        .args(["apply", prod_plan.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("production") && err.contains("--yes-i-mean-production"),
        "{err}"
    );
    let out = home
        .cmd()
        .args([
            "apply",
            prod_plan.to_str().unwrap(),
            "--yes-i-mean-production",
            "maple-grove",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not name this plan's clinic"));
}
