//! `ph-import undo`, `export`, `audit`, `purge` and `runs` into the built-in sandbox, each
//! test in its own config and data folders: an import taken back leaves the clinic's export
//! byte for byte as before; the audit log lists every attempt and an edited one exits
//! non-zero; a purged run leaves nothing on disk.

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

    /// Runs the command, asserting its exit code; returns stdout and stderr.
    fn run(&self, args: &[&str], code: i32) -> (String, String) {
        let out = self.cmd().args(args).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\nstdout: {stdout}\nstderr: {stderr}"
        );
        (stdout, stderr)
    }

    /// Runs the command and returns its JSON output, asserting the exit code.
    fn json(&self, args: &[&str], code: i32) -> serde_json::Value {
        let (stdout, _) = self.run(args, code);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    fn export(&self, clinic: &str, name: &str) -> PathBuf {
        let dir = self.data.path().join(name);
        let (stdout, _) = self.run(
            &["export", "--clinic", clinic, "--out", dir.to_str().unwrap()],
            0,
        );
        assert!(stdout.contains("clients.csv"), "{stdout}");
        dir
    }
}

fn demo_file() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/demo/riverside-clients-pets.csv")
        .display()
        .to_string()
}

fn assert_same(a: &Path, b: &Path) {
    for f in ["clients.csv", "patients.csv"] {
        assert_eq!(
            std::fs::read_to_string(a.join(f)).unwrap(),
            std::fs::read_to_string(b.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn an_import_undone_leaves_the_clinic_as_it_was_and_the_audit_lists_every_attempt() {
    let home = Home::new();
    let before = home.export("riverside", "before");
    let run = home.json(
        &["import", &demo_file(), "--clinic", "riverside", "--json"],
        0,
    );
    assert_eq!(run["status"], "completed", "{run:#}");
    let id = run["run_id"].as_str().unwrap().to_owned();
    let changed = home.export("riverside", "imported");
    assert_ne!(
        std::fs::read_to_string(before.join("patients.csv")).unwrap(),
        std::fs::read_to_string(changed.join("patients.csv")).unwrap()
    );

    let undone = home.json(&["undo", &id, "--json"], 0);
    assert_eq!(undone["status"], "undone", "{undone:#}");
    assert_eq!(undone["patients_deleted"], 2, "{undone:#}");
    assert_eq!(undone["refused"], serde_json::json!([]));
    assert_same(&before, &home.export("riverside", "after"));
    // The backup the run took is what the clinic is again.
    let backup = home.data.path().join("runs").join(&id).join("backup");
    assert_same(&backup, &before);
    // Undoing again has nothing left to do, like resuming a completed run.
    let (stdout, _) = home.run(&["undo", &id], 0);
    assert!(stdout.contains("already undone"), "{stdout}");
    // An unknown run says where to look.
    let (_, stderr) = home.run(&["undo", "no-such-run"], 2);
    assert!(stderr.contains("ph-import runs"), "{stderr}");

    let log = home.json(&["audit", "--json"], 0);
    let actions: Vec<(&str, &str)> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("plan", "planned"),
            ("apply", "completed"),
            ("undo", "undone")
        ]
    );
    assert_eq!(log["tampering"], serde_json::json!([]));
    let (table, _) = home.run(&["audit"], 0);
    assert!(
        table.contains("riverside-clients-pets.csv sha256:"),
        "{table}"
    );
    assert!(table.contains("The log is intact."), "{table}");

    // An edited entry: the apply's outcome rewritten.
    let path = home.data.path().join("audit.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"completed\"", "\"failed\"", 1)).unwrap();
    let (_, stderr) = home.run(&["audit"], 6);
    assert!(
        stderr.contains("entry 2 was changed or removed after it was written"),
        "{stderr}"
    );
    let log = home.json(&["audit", "--json"], 6);
    assert_eq!(log["tampering"].as_array().unwrap().len(), 1);
}

#[test]
fn runs_show_what_each_run_holds_and_a_purge_deletes_it() {
    let home = Home::new();
    let run = home.json(
        &["import", &demo_file(), "--clinic", "harbor-cats", "--json"],
        0,
    );
    let id = run["run_id"].as_str().unwrap().to_owned();
    let runs = home.json(&["runs", "--json"], 0);
    let listed = &runs[0];
    assert_eq!(listed["id"], id.as_str());
    assert_eq!(listed["status"], "completed");
    assert_eq!(listed["clients"]["create"], 4);
    let disk = &listed["on_disk"];
    assert!(disk["journal_rows"].as_u64().unwrap() > 9, "{disk:#}");
    assert_eq!(disk["backup"].as_array().unwrap().len(), 3, "{disk:#}");
    assert!(disk["plan"]["bytes"].as_u64().unwrap() > 0);
    let (text, _) = home.run(&["runs"], 0);
    assert!(
        text.contains("on disk:") && text.contains("backup 3 files"),
        "{text}"
    );

    let (out, _) = home.run(&["purge", &id], 0);
    assert!(out.contains("Left on disk: nothing"), "{out}");
    assert!(!home.data.path().join("runs").join(&id).exists());
    let (text, _) = home.run(&["runs"], 0);
    assert!(text.contains("No import runs"), "{text}");
    // Its audit entries stay, the purge with them.
    let log = home.json(&["audit", "--json"], 0);
    let last = log["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["run_id"].as_str()),
        (Some("purge"), Some(id.as_str()))
    );
    // Purged is gone: a second purge does not find it.
    let (_, stderr) = home.run(&["purge", &id], 2);
    assert!(stderr.contains("no import run"), "{stderr}");
}

#[test]
fn export_refuses_to_overwrite_an_earlier_export_unless_forced() {
    let home = Home::new();
    let dir = home.export("riverside", "out");
    let out = dir.to_str().unwrap();
    let (_, stderr) = home.run(&["export", "--clinic", "riverside", "--out", out], 2);
    assert!(stderr.contains("clients.csv"), "{stderr}");
    home.run(
        &["export", "--clinic", "riverside", "--out", out, "--force"],
        0,
    );
    let (_, stderr) = home.run(
        &["export", "--clinic", "nowhere", "--out", out, "--force"],
        4,
    );
    assert!(!stderr.is_empty());
}

#[test]
fn an_undo_in_production_needs_the_clinic_named() {
    let home = Home::new();
    let planned = home.json(
        &["plan", &demo_file(), "--clinic", "riverside", "--json"],
        0,
    );
    let id = planned["run_id"].as_str().unwrap().to_owned();
    home.run(
        &[
            "env",
            "add",
            "prod",
            "https://import.ph.example",
            "--kind",
            "production",
        ],
        0,
    );
    // The run, said to be in production.
    let path = PathBuf::from(planned["plan_file"].as_str().unwrap());
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    plan["target"]["env"] = "prod".into();
    std::fs::write(&path, plan.to_string()).unwrap();
    let (_, stderr) = home.run(&["undo", &id], 4);
    assert!(
        stderr.contains("production") && stderr.contains("--yes-i-mean-production"),
        "{stderr}"
    );
    let (_, stderr) = home.run(&["undo", &id, "--yes-i-mean-production", "maple-grove"], 4);
    assert!(
        stderr.contains("does not name this plan's clinic"),
        "{stderr}"
    );
}
