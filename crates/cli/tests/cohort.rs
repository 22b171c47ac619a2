//! `ph-import cohort plan|apply|resume|status` into the built-in sandbox, five clinics: one
//! whose file cannot be mapped (the plan fails without --skip-failing, and with it the four
//! others go through), `cohort apply` SIGKILLed after its first clinic and finished by
//! `cohort resume` with every clinic exactly its file, and a re-run that sends nothing (the
//! clinics read back unchanged, no audit entry added).

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ph_sandbox::{DemoToken, SandboxConfig};

const CLINICS: [&str; 4] = ["c-north", "c-south", "c-east", "c-west"];
const ODD: &str = "c-odd";
const SIZE: usize = 150;

struct Home {
    config: tempfile::TempDir,
    data: tempfile::TempDir,
    week: tempfile::TempDir,
}

impl Home {
    /// Folders of its own, and the built-in sandbox's database made ahead with the five
    /// clinics (the demo importer token given them too), as a kept data folder has it.
    fn new() -> Home {
        let home = Home {
            config: tempfile::tempdir().expect("temp"),
            data: tempfile::tempdir().expect("temp"),
            week: tempfile::tempdir().expect("temp"),
        };
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let sandbox = ph_sandbox::start(SandboxConfig {
                data_dir: Some(home.data.path().join("sandbox")),
                seed_demo: true,
                ..SandboxConfig::default()
            })
            .await
            .expect("sandbox");
            let mut all: Vec<String> = ["riverside", "maple-grove", "harbor-cats"]
                .iter()
                .map(|c| c.to_string())
                .collect();
            for c in CLINICS.iter().chain(&[ODD]) {
                sandbox
                    .add_clinic(c, &format!("{c} vets"), "US", false)
                    .expect("clinic");
                all.push(c.to_string());
            }
            sandbox
                .add_token(&DemoToken {
                    name: "Importer, all demo clinics".into(),
                    token: "phsb_importer_demo".into(),
                    role: "importer".into(),
                    clinics: all,
                })
                .expect("token");
            sandbox.shutdown().await;
        });
        home
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ph-import"));
        cmd.env("PH_IMPORT_CONFIG_DIR", self.config.path())
            .env("PH_IMPORT_DATA_DIR", self.data.path())
            .env_remove("PH_IMPORT_LOG")
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str], code: i32) -> Output {
        let out = self.cmd(args).output().expect("runs");
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn json(&self, args: &[&str], code: i32) -> serde_json::Value {
        let out = self.run(args, code);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
        })
    }

    fn state_file(&self) -> PathBuf {
        self.week.path().join("week-49.cohort/cohort-state.json")
    }

    fn clinic(&self, clinic: &str) -> serde_json::Value {
        self.json(&["clients", "--clinic", clinic, "--json"], 0)
    }

    fn audit_lines(&self) -> usize {
        std::fs::read_to_string(self.data.path().join("audit.jsonl"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }
}

const FIRST: [&str; 16] = [
    "Ann", "Bob", "Cara", "Dan", "Eve", "Finn", "Gwen", "Hal", "Iris", "Jon", "Kay", "Liam",
    "Mona", "Ned", "Olga", "Paul",
];
const LAST: [&str; 15] = [
    "Abbott", "Baker", "Carver", "Dalton", "Ellis", "Foster", "Grant", "Hughes", "Ingram",
    "Jensen", "Keller", "Lowry", "Mercer", "Norris", "Osborne",
];
const PETS: [&str; 8] = [
    "Max", "Bella", "Rocky", "Daisy", "Cooper", "Luna", "Milo", "Cleo",
];

/// A clinic's export: `SIZE` owners (each a name of their own) with one or two pets each,
/// ids prefixed with the clinic's.
fn export(path: &Path, prefix: &str) {
    let mut text = String::from(
        "Client ID,First Name,Last Name,Email,Phone,City,State,Zip,Patient ID,Pet Name,Species\n",
    );
    for i in 0..SIZE {
        let (f, l) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
        for k in 0..(1 + i % 2) {
            text.push_str(&format!(
                "{prefix}-{i:03},{f},{l},{}.{}{i}@{prefix}.example.com,312-555-{:04},Springfield,IL,62704,{prefix}-{i:03}-{k},{},{}\n",
                f.to_lowercase(),
                l.to_lowercase(),
                1000 + i,
                PETS[(i + k) % PETS.len()],
                if k == 0 { "Dog" } else { "Cat" },
            ));
        }
    }
    std::fs::write(path, text).expect("export");
}

/// The external ids of a clinic's clients and pets as `clients --json` lists them, sorted.
fn ids(clinic: &serde_json::Value) -> (Vec<String>, Vec<String>) {
    let id = |v: &serde_json::Value| {
        v.get("externalId")
            .or_else(|| v.get("external_id"))
            .and_then(|s| s.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let list = clinic.as_array().expect("a list");
    let mut clients: Vec<String> = list.iter().map(id).collect();
    let mut pets: Vec<String> = list
        .iter()
        .flat_map(|c| c["patients"].as_array().cloned().unwrap_or_default())
        .map(|p| id(&p))
        .collect();
    clients.sort();
    pets.sort();
    (clients, pets)
}

fn expected(prefix: &str) -> (Vec<String>, Vec<String>) {
    let clients = (0..SIZE).map(|i| format!("{prefix}-{i:03}")).collect();
    let mut pets: Vec<String> = (0..SIZE)
        .flat_map(|i| (0..(1 + i % 2)).map(move |k| format!("{prefix}-{i:03}-{k}")))
        .collect();
    pets.sort();
    (clients, pets)
}

fn counts(status: &serde_json::Value) -> (u64, u64, u64) {
    let n = |k: &str| status[k].as_u64().unwrap_or(u64::MAX);
    (n("done"), n("failed"), n("pending"))
}

#[test]
fn a_cohort_is_planned_killed_resumed_and_rerun_without_sending_anything() {
    let home = Home::new();
    let mut text = String::from("name = \"Week 49\"\n# One clinic at a time, so a kill after the first leaves the others.\nmax_parallel = 1\n");
    for c in CLINICS {
        export(&home.week.path().join(format!("{c}.csv")), c);
        text.push_str(&format!(
            "\n[[clinic]]\nclinic_id = \"{c}\"\nfiles = [\"{c}.csv\"]\n"
        ));
    }
    std::fs::write(home.week.path().join("odd.csv"), "Foo,Bar\n1,2\n").expect("odd");
    text.push_str(&format!(
        "\n[[clinic]]\nclinic_id = \"{ODD}\"\nfiles = [\"odd.csv\"]\n"
    ));
    let manifest = home.week.path().join("week-49.toml");
    std::fs::write(&manifest, text).expect("manifest");
    let manifest = manifest.to_str().expect("utf-8");

    // The odd clinic fails the plan: its problem named, nothing planned.
    let out = home.run(&["cohort", "plan", manifest], 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("c-odd on sandbox:"), "{stderr}");
    assert!(stderr.contains("no column gives the required"), "{stderr}");
    assert!(
        stderr.contains("1 of 5 clinics failed their checks"),
        "{stderr}"
    );
    assert!(!home.state_file().exists());

    // Skipped, the others are planned.
    let planned = home.json(&["cohort", "plan", manifest, "--skip-failing", "--json"], 0);
    assert_eq!(counts(&planned), (0, 1, 4), "{planned:#}");

    // Killed once the first clinic is done: the others are left pending.
    let mut child = home
        .cmd(&["cohort", "apply", manifest])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("apply starts");
    let started = Instant::now();
    loop {
        let state = std::fs::read_to_string(home.state_file()).unwrap_or_default();
        let state: serde_json::Value = serde_json::from_str(&state).unwrap_or_default();
        let finished = state["clinics"].as_array().map_or(0, |l| {
            l.iter().filter(|c| !c["last_report"].is_null()).count()
        });
        if finished > 0 {
            break;
        }
        assert!(
            child.try_wait().expect("wait").is_none(),
            "apply ended before the kill"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no clinic finished"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let stopped = home.json(&["cohort", "status", manifest, "--json"], 0);
    let (done, failed, pending) = counts(&stopped);
    assert!(done >= 1 && pending >= 2 && failed == 1, "{stopped:#}");

    // Resumed: every clinic holds its file, once.
    let resumed = home.json(&["cohort", "resume", manifest, "--json"], 0);
    assert_eq!(counts(&resumed), (4, 1, 0), "{resumed:#}");
    let mut before = Vec::new();
    for c in CLINICS {
        let clinic = home.clinic(c);
        assert_eq!(ids(&clinic), expected(c), "{c}");
        before.push(clinic);
    }

    // Again: nothing is sent or attempted.
    let audited = home.audit_lines();
    let again = home.json(&["cohort", "apply", manifest, "--json"], 0);
    assert_eq!(counts(&again), (4, 1, 0));
    let after: Vec<serde_json::Value> = CLINICS.iter().map(|c| home.clinic(c)).collect();
    assert_eq!(before, after, "PH unchanged by the re-run");
    assert_eq!(home.audit_lines(), audited);

    // The status from the state folder, in words.
    let state_dir = home.week.path().join("week-49.cohort");
    let out = home.run(&["cohort", "status", state_dir.to_str().expect("utf-8")], 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Cohort \"Week 49\": 4 done, 1 failed, 0 pending (5 clinics)"),
        "{text}"
    );
    assert!(text.contains("c-odd on sandbox"), "{text}");
    assert!(text.contains("reports: "), "{text}");
}
