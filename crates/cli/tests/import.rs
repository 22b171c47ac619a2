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

/// An export of `clients` (ID, first name, last name, e-mail), each with one dog, followed by
/// eight clients with good e-mails (the mapping judges a column by its values: a few bad
/// e-mails among many good ones still make an e-mail column). Written into `dir`.
fn export(dir: &Path, name: &str, clients: &[(&str, &str, &str, &str)]) -> String {
    let mut text = String::from(
        "Client ID,First Name,Last Name,Email,Phone,Address,City,State,Zip,Patient ID,Pet Name,Species\n",
    );
    let fillers: Vec<(String, String, String, String)> =
        ["Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon", "Kim"]
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    format!("F-{i}"),
                    (*n).to_owned(),
                    format!("Last{n}"),
                    format!("{}@example.com", n.to_lowercase()),
                )
            })
            .collect();
    let all = clients.iter().map(|(a, b, c, d)| (*a, *b, *c, *d)).chain(
        fillers
            .iter()
            .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str())),
    );
    for (i, (id, first, last, email)) in all.enumerate() {
        text.push_str(&format!(
            "{id},{first},{last},{email},217-555-{:04},{} Oak St,Springfield,IL,62704,{id}-P,Pet{first},Dog\n",
            300 + i,
            i + 1
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The clinic's clients in PH, by external ID.
fn clinic_clients(home: &Home, clinic: &str) -> Vec<serde_json::Value> {
    home.json(&["clients", "--clinic", clinic, "--json"], 0)
        .as_array()
        .unwrap()
        .clone()
}

/// The record of `id` among a JSON list of records.
fn by_external_id<'a>(list: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["external_id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {list:#}"))
}

#[test]
fn a_client_with_an_invalid_email_still_matches_its_ph_record() {
    let home = Home::new();
    // Riverside (no e-mail rule) holds Thanh Nguyen (10044) exactly as the demo export; here
    // the export's copy of his e-mail is mistyped.
    // Byte for byte: the export is Windows-1252.
    let bytes = std::fs::read(demo_file()).unwrap();
    let (from, to) = (b"thanh.nguyen@example.net", b"thanh.nguyen@examplenet");
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("Thanh's e-mail in the demo export");
    let mut changed = bytes[..at].to_vec();
    changed.extend_from_slice(to);
    changed.extend_from_slice(&bytes[at + from.len()..]);
    let file = home.data.path().join("riverside.csv");
    std::fs::write(&file, changed).unwrap();
    let file = file.display().to_string();

    let dedupe = home.json(&["dedupe", &file, "--clinic", "riverside", "--json"], 0);
    let thanh = by_external_id(&dedupe["classified"]["clients"], "10044");
    assert_eq!(thanh["classification"], "identical", "{thanh:#}");
    assert!(thanh["ph_id"].is_string(), "{thanh:#}");
    assert_eq!(thanh["errors"], "", "{thanh:#}");

    let before = clinic_clients(&home, "riverside").len();
    let report = home.json(&["import", &file, "--clinic", "riverside", "--json"], 0);
    assert_eq!(report["status"], "completed", "{report:#}");
    assert_eq!(report["clients"]["created"], 0, "{report:#}");
    let after = clinic_clients(&home, "riverside");
    assert_eq!(after.len(), before, "a client was created again");
    let thanh: Vec<_> = after
        .iter()
        .filter(|c| c["externalId"] == "10044")
        .collect();
    assert_eq!(thanh.len(), 1);
    assert_eq!(thanh[0]["email"], "thanh.nguyen@example.net");
}

#[test]
fn a_clinic_without_the_email_rule_imports_clients_without_one() {
    let home = Home::new();
    let file = export(
        home.data.path(),
        "harbor.csv",
        &[
            ("H-1", "Hana", "Ito", ""),
            ("H-2", "Hugo", "Berg", "hugo at example.com"),
        ],
    );
    // Harbor Cats does not require an e-mail: `dedupe` applies its rule too.
    let dedupe = home.json(&["dedupe", &file, "--clinic", "harbor-cats", "--json"], 0);
    assert_eq!(dedupe["excluded_for_errors"], 0, "{dedupe:#}");
    let hugo = by_external_id(&dedupe["classified"]["clients"], "H-2");
    assert_eq!(
        (&hugo["classification"], &hugo["errors"]),
        (&"new".into(), &"".into())
    );

    let report = home.json(&["import", &file, "--clinic", "harbor-cats", "--json"], 0);
    assert_eq!(report["status"], "completed", "{report:#}");
    assert_eq!(report["clients"]["created"], 10, "{report:#}");
    let clinic = clinic_clients(&home, "harbor-cats");
    for id in ["H-1", "H-2"] {
        let c = clinic
            .iter()
            .find(|c| c["externalId"] == id)
            .unwrap_or_else(|| panic!("{id} was not imported"));
        assert!(c["email"].is_null(), "{c:#}");
    }

    // The finding keeps the e-mail as written, as a warning to follow up.
    let out = home.data.path().join("converted");
    let converted = home
        .cmd()
        .args(["convert", &file, "--no-email-required", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(converted.status.success(), "{converted:?}");
    let findings = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    let line = findings
        .lines()
        .find(|l| l.contains("invalid_email"))
        .unwrap_or_else(|| panic!("no invalid_email in\n{findings}"));
    assert!(
        line.contains(",warning,") && line.contains("hugo at example.com"),
        "{line}"
    );
    let clients = std::fs::read_to_string(out.join("clients.csv")).unwrap();
    assert!(!clients.contains("hugo at"), "{clients}");
}

#[test]
fn a_clinic_that_requires_email_matches_a_client_without_one_and_does_not_send_it() {
    let home = Home::new();
    // Maple Grove requires an e-mail. Its PH data gets Mia, with hers.
    let first = export(
        home.data.path(),
        "first.csv",
        &[("M-1", "Mia", "Park", "mia.park@example.com")],
    );
    let report = home.json(&["import", &first, "--clinic", "maple-grove", "--json"], 0);
    assert_eq!(report["status"], "completed", "{report:#}");
    let mia_id = clinic_clients(&home, "maple-grove")
        .iter()
        .find(|c| c["externalId"] == "M-1")
        .map(|c| c["id"].clone())
        .unwrap();

    // The next export: Mia's e-mail mistyped, Max new without one, Nia new and complete.
    let next = export(
        home.data.path(),
        "next.csv",
        &[
            ("M-1", "Mia", "Park", "mia.park@examplecom"),
            ("M-2", "Max", "Roe", ""),
            ("M-3", "Nia", "Sol", "nia.sol@example.com"),
        ],
    );
    let dedupe = home.json(&["dedupe", &next, "--clinic", "maple-grove", "--json"], 0);
    let clients = &dedupe["classified"]["clients"];
    let mia = by_external_id(clients, "M-1");
    assert_eq!(mia["classification"], "identical", "{mia:#}");
    assert_eq!(mia["ph_id"], mia_id);
    assert!(
        mia["errors"]
            .as_str()
            .unwrap()
            .contains("not a valid e-mail"),
        "{mia:#}"
    );
    let max = by_external_id(clients, "M-2");
    assert_eq!(max["classification"], "new");
    assert!(max["errors"]
        .as_str()
        .unwrap()
        .contains("client.email is required"));
    assert_eq!(dedupe["outcomes"]["clients"]["excluded"], 2, "{dedupe:#}");
    // The matches file says both, too.
    let out = home.data.path().join("dd");
    home.cmd()
        .args(["dedupe", &next, "--clinic", "maple-grove", "--out"])
        .arg(&out)
        .assert()
        .success();
    let matches = std::fs::read_to_string(out.join("matches.csv")).unwrap();
    assert!(
        matches.lines().next().unwrap().ends_with(",errors"),
        "{matches}"
    );
    let mia_line = matches.lines().find(|l| l.contains(",M-1,")).unwrap();
    assert!(
        mia_line.contains(",identical,") && mia_line.contains("not a valid e-mail"),
        "{mia_line}"
    );

    // The plan: Mia and Max left out, each with how it matched and why.
    let planned = home.json(&["plan", &next, "--clinic", "maple-grove", "--json"], 0);
    let plan: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(planned["plan_file"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let mia = by_external_id(&plan["excluded"], "M-1");
    assert_eq!(
        (&mia["classification"], &mia["ph_id"]),
        (&"identical".into(), &mia_id),
        "{mia:#}"
    );
    let max = by_external_id(&plan["excluded"], "M-2");
    assert_eq!(max["classification"], "new", "{max:#}");
    assert_eq!(planned["summary"]["clients"]["create"], 1, "{planned:#}");
    let text = home
        .cmd()
        .args(["plan", &next, "--clinic", "maple-grove"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("not sent: client M-1 (identical PH ") && text.contains("client M-2 (new)"),
        "{text}"
    );

    // Imported: only Nia is sent; the report lists the others with both.
    let report = home.json(&["import", &next, "--clinic", "maple-grove", "--json"], 0);
    assert_eq!(report["status"], "completed", "{report:#}");
    assert_eq!(report["clients"]["created"], 1, "{report:#}");
    let results =
        std::fs::read_to_string(PathBuf::from(report["dir"].as_str().unwrap()).join("results.csv"))
            .unwrap();
    let line = |id: &str| {
        results
            .lines()
            .find(|l| l.contains(&format!(",client,{id},")))
            .unwrap_or_else(|| panic!("no {id} in\n{results}"))
            .to_owned()
    };
    assert!(
        line("M-1").contains(",identical,none,excluded,"),
        "{results}"
    );
    assert!(line("M-2").contains(",new,none,excluded,"), "{results}");
    let clinic = clinic_clients(&home, "maple-grove");
    assert!(!clinic.iter().any(|c| c["externalId"] == "M-2"));
    assert_eq!(
        clinic.iter().filter(|c| c["externalId"] == "M-1").count(),
        1
    );
}

#[test]
fn env_without_clinic_is_refused() {
    let home = Home::new();
    let file = demo_file();
    for args in [
        vec!["dedupe", file.as_str(), "--env", "sandbox"],
        vec!["plan", file.as_str(), "--env", "sandbox"],
        vec!["import", file.as_str(), "--env", "sandbox", "--dry-run"],
        vec!["clients", "--env", "sandbox"],
    ] {
        let out = home.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--clinic"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
