//! A weekly cohort end to end against in-process sandboxes: six clinics, one with a file no
//! column of which can be mapped (the cohort plan fails without skipping it, and with it the
//! others go through), one on an environment that fails every request and then answers with
//! injected faults (its run fails alone, and resuming finishes it), a re-run that sends nothing
//! (PH read back unchanged), the bad file fixed and planned again alone; a plan cancelled
//! without saving anything, and a batch interrupted part-way and resumed with every clinic
//! exactly as its file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ph_import_core::cohort::{
    self, ApplyOptions, ClinicStatus, CohortError, CohortEvent, CohortStatus, Endpoint, Endpoints,
    Folders, LoadedManifest, PlanOptions,
};
use ph_import_core::ph::{Client, ClientOptions, EnvironmentKind, PhApi, RetryPolicy, Token};
use ph_sandbox::{DemoToken, Faults, Limits, RunningSandbox, SandboxConfig};

const TOKEN: &str = "phsb_cohort_importer";

fn options(attempts: u32) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(20),
        retry: RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_millis(20),
        },
        max_concurrency: 4,
    }
}

/// A sandbox with small batches (so a run has several) holding `clinics`, empty, and an
/// importer token for them.
async fn sandbox(clinics: &[&str]) -> RunningSandbox {
    let server = ph_sandbox::start(SandboxConfig {
        limits: Limits {
            max_batch_size: 10,
            max_page_size: 1000,
        },
        seed_demo: false,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    for c in clinics {
        server
            .add_clinic(c, &format!("{c} vets"), "US", false)
            .expect("clinic");
    }
    server
        .add_token(&DemoToken {
            name: "cohort importer".into(),
            token: TOKEN.into(),
            role: "importer".into(),
            clinics: clinics.iter().map(|c| c.to_string()).collect(),
        })
        .expect("token");
    server
}

fn endpoint(env: &str, server: &RunningSandbox, attempts: u32) -> Endpoint {
    Endpoint {
        api: PhApi::new(
            env,
            &server.url(),
            &Token::parse(TOKEN).expect("token"),
            &options(attempts),
        )
        .expect("client"),
        base_url: server.url(),
        kind: EnvironmentKind::Sandbox,
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

/// A clinic's export: `n` owners (at most 240, each a name of their own) with one or two
/// pets each, ids prefixed with the clinic's.
fn export(path: &Path, prefix: &str, n: usize) {
    let mut text = String::from(
        "Client ID,First Name,Last Name,Email,Phone,Address,City,State,Zip,Patient ID,Pet Name,Species\n",
    );
    for i in 0..n {
        let (f, l) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
        for k in 0..(1 + i % 2) {
            text.push_str(&format!(
                "{prefix}{i:03},{f},{l},{}.{}{i}@{prefix}.example.com,312-555-{:04},{} Elm St,Springfield,IL,62704,{prefix}{i:03}-{k},{},{}\n",
                f.to_lowercase(),
                l.to_lowercase(),
                1000 + i,
                i + 1,
                PETS[(i + k) % PETS.len()],
                if k == 0 { "Dog" } else { "Cat" },
            ));
        }
    }
    std::fs::write(path, text).expect("export");
}

/// The external ids a clinic's export gives: clients, and pets.
fn expected(prefix: &str, n: usize) -> (Vec<String>, Vec<String>) {
    let clients = (0..n).map(|i| format!("{prefix}{i:03}")).collect();
    let pets = (0..n)
        .flat_map(|i| (0..(1 + i % 2)).map(move |k| format!("{prefix}{i:03}-{k}")))
        .collect();
    (clients, pets)
}

/// The external ids of a clinic's clients and pets in PH, sorted (a doubled record shows twice).
fn held(clinic: &[Client]) -> (Vec<String>, Vec<String>) {
    let mut clients: Vec<String> = clinic
        .iter()
        .map(|c| c.external_id.clone().unwrap_or_default())
        .collect();
    let mut pets: Vec<String> = clinic
        .iter()
        .flat_map(|c| &c.patients)
        .map(|p| p.external_id.clone().unwrap_or_default())
        .collect();
    clients.sort();
    pets.sort();
    (clients, pets)
}

async fn read_back(endpoint: &Endpoint, clinic: &str) -> Vec<Client> {
    endpoint
        .api
        .clients(clinic, None)
        .collect_all()
        .await
        .expect("the clinic reads")
}

struct Week {
    folder: tempfile::TempDir,
    data: tempfile::TempDir,
    profiles: tempfile::TempDir,
}

impl Week {
    fn new() -> Week {
        Week {
            folder: tempfile::tempdir().expect("temp"),
            data: tempfile::tempdir().expect("temp"),
            profiles: tempfile::tempdir().expect("temp"),
        }
    }

    fn folders(&self) -> Folders<'_> {
        Folders {
            data_dir: self.data.path(),
            profile_dir: self.profiles.path(),
        }
    }

    fn manifest(&self, text: &str) -> LoadedManifest {
        let path = self.folder.path().join("week-49.toml");
        std::fs::write(&path, text).expect("manifest");
        cohort::manifest::load(&path).expect("the manifest loads")
    }

    fn state_file(&self) -> PathBuf {
        self.folder
            .path()
            .join("week-49.cohort")
            .join("cohort-state.json")
    }

    async fn plan(
        &self,
        endpoints: &Endpoints,
        manifest: &LoadedManifest,
        skip_failing: bool,
    ) -> Result<CohortStatus, CohortError> {
        cohort::plan(
            endpoints,
            manifest,
            self.folders(),
            PlanOptions { skip_failing },
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .await
    }

    async fn apply(&self, endpoints: &Endpoints, cancel: &AtomicBool) -> CohortStatus {
        self.apply_with(endpoints, cancel, &mut |_| {}).await
    }

    async fn apply_with(
        &self,
        endpoints: &Endpoints,
        cancel: &AtomicBool,
        events: &mut dyn FnMut(CohortEvent),
    ) -> CohortStatus {
        cohort::apply(
            endpoints,
            &self.state_file(),
            self.data.path(),
            ApplyOptions::default(),
            cancel,
            events,
        )
        .await
        .expect("the cohort applies")
    }

    fn audit_lines(&self) -> usize {
        std::fs::read_to_string(self.data.path().join("audit.jsonl"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }
}

fn statuses(status: &CohortStatus) -> BTreeMap<String, ClinicStatus> {
    status
        .clinics
        .iter()
        .map(|c| (c.clinic_id.clone(), c.status))
        .collect()
}

const CLEAN: [&str; 4] = ["north", "south", "east", "west"];
const SIZE: usize = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_file_and_a_failing_environment_stop_only_their_own_clinics() {
    let week = Week::new();
    let clean = sandbox(&["north", "south", "east", "west", "odd"]).await;
    let stormy = sandbox(&["storm"]).await;
    for c in CLEAN.iter().chain(&["storm"]) {
        export(&week.folder.path().join(format!("{c}.csv")), c, SIZE);
    }
    // Nothing in it is a client: no column can give a name.
    std::fs::write(week.folder.path().join("odd.csv"), "Foo,Bar\n1,2\n3,4\n").expect("odd");
    let mut text = String::from("name = \"Week 49\"\nmax_parallel = 2\n");
    for c in CLEAN {
        text.push_str(&format!(
            "\n[[clinic]]\nclinic_id = \"{c}\"\nenv = \"clean\"\nfiles = [\"{c}.csv\"]\n"
        ));
    }
    text.push_str("\n[[clinic]]\nclinic_id = \"odd\"\nenv = \"clean\"\nfiles = [\"odd.csv\"]\n");
    text.push_str(
        "\n[[clinic]]\nclinic_id = \"storm\"\nenv = \"stormy\"\nfiles = [\"storm.csv\"]\n",
    );
    let manifest = week.manifest(&text);
    let mut endpoints = Endpoints::new();
    endpoints.insert("clean".into(), Ok(endpoint("clean", &clean, 3)));
    endpoints.insert("stormy".into(), Ok(endpoint("stormy", &stormy, 2)));

    // Without --skip-failing: the odd clinic fails the cohort, nothing is planned or sent.
    let e = week
        .plan(&endpoints, &manifest, false)
        .await
        .expect_err("the odd file fails the cohort");
    match &e {
        CohortError::ChecksFailed {
            failed,
            total,
            problems,
        } => {
            assert_eq!((*failed, *total), (1, 6), "{e}");
            assert_eq!(problems[0].0, "odd on clean", "{e}");
            assert!(
                problems[0].1[0].contains("no column gives the required"),
                "{e}"
            );
        }
        other => panic!("not a failed check: {other}"),
    }
    assert!(!week.state_file().exists());
    assert!(!week.data.path().join("runs").exists(), "no plan was made");
    assert_eq!(clean.counts().expect("counts").clients, 0);

    // With it: the odd clinic is skipped, the five others are planned.
    let planned = week
        .plan(&endpoints, &manifest, true)
        .await
        .expect("the others are planned");
    assert_eq!((planned.done, planned.failed, planned.pending), (0, 1, 5));
    assert_eq!(statuses(&planned)["odd"], ClinicStatus::Skipped);
    assert_eq!(
        planned.clinics[0]
            .planned
            .as_ref()
            .map(|s| s.clients.create),
        Some(SIZE as u64)
    );

    // The stormy environment answers nothing: its clinic fails, the four others complete.
    stormy.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let first = week.apply(&endpoints, &AtomicBool::new(false)).await;
    let s = statuses(&first);
    for c in CLEAN {
        assert_eq!(s[c], ClinicStatus::Completed, "{c}: {first:#?}");
    }
    assert_eq!(s["storm"], ClinicStatus::Failed, "{first:#?}");
    assert_eq!((first.done, first.failed, first.pending), (4, 2, 0));
    assert_eq!(first.clients.created, 4 * SIZE as u64);
    let clean_ep = &endpoints["clean"].clone().expect("clean");
    for c in CLEAN {
        assert_eq!(
            held(&read_back(clean_ep, c).await),
            expected(c, SIZE),
            "{c}"
        );
    }

    // It answers again, through errors and dropped connections: resuming finishes the storm
    // clinic alone (the completed ones are not sent again).
    stormy.set_faults(Faults {
        error_rate: 0.25,
        drop_rate: 0.05,
        seed: 7,
        ..Faults::default()
    });
    endpoints.insert("stormy".into(), Ok(endpoint("stormy", &stormy, 12)));
    let clean_before = clean.counts().expect("counts");
    let second = week.apply(&endpoints, &AtomicBool::new(false)).await;
    assert_eq!(
        statuses(&second)["storm"],
        ClinicStatus::Completed,
        "{second:#?}"
    );
    assert_eq!((second.done, second.failed, second.pending), (5, 1, 0));
    assert!(stormy.fault_counts().total() > 0, "faults were injected");
    let storm_ep = &endpoints["stormy"].clone().expect("stormy");
    stormy.set_faults(Faults::default());
    assert_eq!(
        held(&read_back(storm_ep, "storm").await),
        expected("storm", SIZE)
    );
    let clean_after = clean.counts().expect("counts");
    assert_eq!(
        (clean_after.clients, clean_after.patients),
        (clean_before.clients, clean_before.patients)
    );

    // Done: applying again sends nothing and attempts nothing.
    let mut before = Vec::new();
    for c in CLEAN {
        before.push(serde_json::to_value(read_back(clean_ep, c).await).expect("json"));
    }
    before.push(serde_json::to_value(read_back(storm_ep, "storm").await).expect("json"));
    let audited = week.audit_lines();
    let again = week.apply(&endpoints, &AtomicBool::new(false)).await;
    assert_eq!(statuses(&again), statuses(&second));
    let mut after = Vec::new();
    for c in CLEAN {
        after.push(serde_json::to_value(read_back(clean_ep, c).await).expect("json"));
    }
    after.push(serde_json::to_value(read_back(storm_ep, "storm").await).expect("json"));
    assert_eq!(before, after, "PH unchanged by the re-run");
    assert_eq!(week.audit_lines(), audited, "no attempt was made");

    // The odd file fixed, the cohort planned again: only the odd clinic is planned (the
    // others keep their completed runs), and applying sends it alone.
    export(&week.folder.path().join("odd.csv"), "odd", SIZE);
    let replanned = week
        .plan(&endpoints, &manifest, false)
        .await
        .expect("planned again");
    let s = statuses(&replanned);
    assert_eq!(s["odd"], ClinicStatus::Planned, "{replanned:#?}");
    assert_eq!(replanned.done, 5);
    let runs: Vec<Option<String>> = second.clinics.iter().map(|c| c.run_id.clone()).collect();
    let kept: Vec<Option<String>> = replanned.clinics.iter().map(|c| c.run_id.clone()).collect();
    assert_eq!(
        runs.iter().zip(&kept).filter(|(a, b)| a == b).count(),
        5,
        "the five completed runs are kept"
    );
    let fixed = week.apply(&endpoints, &AtomicBool::new(false)).await;
    assert_eq!(
        (fixed.done, fixed.failed, fixed.pending),
        (6, 0, 0),
        "{fixed:#?}"
    );
    assert_eq!(
        held(&read_back(clean_ep, "odd").await),
        expected("odd", SIZE)
    );
    for (c, was) in CLEAN.iter().zip(&before) {
        let now = serde_json::to_value(read_back(clean_ep, c).await).expect("json");
        assert_eq!(&now, was, "{c} untouched");
    }

    // The status as `cohort status` reads it, from the manifest as planned.
    let located = cohort::locate(&manifest.path).expect("located");
    let read = cohort::status(week.data.path(), &located.state_file).expect("status");
    assert_eq!(statuses(&read), statuses(&fixed));
    assert!(read.clinics.iter().all(|c| c.run_dir.is_some()));
    // A manifest changed since the plan is not applied from.
    std::fs::write(
        &manifest.path,
        text.replace("max_parallel = 2", "max_parallel = 3"),
    )
    .expect("edit");
    assert!(matches!(
        cohort::locate(&manifest.path),
        Err(CohortError::ManifestChanged { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_stopped_part_way_is_resumed_to_exactly_the_files() {
    let week = Week::new();
    let clinics = ["one", "two", "three", "four", "five"];
    let server = sandbox(&clinics).await;
    let mut text = String::from("name = \"Week 49\"\n");
    for c in clinics {
        export(&week.folder.path().join(format!("{c}.csv")), c, SIZE);
        text.push_str(&format!(
            "\n[[clinic]]\nclinic_id = \"{c}\"\nenv = \"local\"\nfiles = [\"{c}.csv\"]\n"
        ));
    }
    let manifest = week.manifest(&text);
    let mut endpoints = Endpoints::new();
    endpoints.insert("local".into(), Ok(endpoint("local", &server, 3)));
    // Ctrl-C during the plan: nothing is marked failed, no state is saved.
    let cancelled = cohort::plan(
        &endpoints,
        &manifest,
        week.folders(),
        PlanOptions { skip_failing: true },
        &AtomicBool::new(true),
        &mut |_| {},
    )
    .await;
    assert!(
        matches!(cancelled, Err(CohortError::Cancelled)),
        "{cancelled:?}"
    );
    assert!(!week.state_file().exists());
    // Planned, each clinic's steps reported as they happen.
    let mut steps: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    let planned = cohort::plan(
        &endpoints,
        &manifest,
        week.folders(),
        PlanOptions::default(),
        &AtomicBool::new(false),
        &mut |e| {
            let (clinic, step) = match &e {
                CohortEvent::Checking { clinic_id, .. } => (clinic_id, "checking"),
                CohortEvent::Reading { clinic_id, .. } => (clinic_id, "reading"),
                CohortEvent::Planning { clinic_id, .. } => (clinic_id, "planning"),
                CohortEvent::ReadingPh { clinic_id, .. } => (clinic_id, "reading PH"),
                CohortEvent::Planned { clinic_id, .. } => (clinic_id, "planned"),
                other => panic!("not a planning step: {other:?}"),
            };
            let list = steps.entry(clinic.clone()).or_default();
            if list.last() != Some(&step) {
                list.push(step);
            }
        },
    )
    .await
    .expect("planned");
    assert_eq!(planned.pending, 5);
    for c in clinics {
        assert_eq!(
            steps[c],
            [
                "checking",
                "reading",
                "planning",
                "reading",
                "reading PH",
                "planned"
            ],
            "{c}"
        );
    }

    // Stopped once the first clinic has written part of its clients, as Ctrl-C does: the
    // runs in flight stop after their batches, no other clinic starts.
    let cancel = AtomicBool::new(false);
    let stopped = week
        .apply_with(&endpoints, &cancel, &mut |e| {
            if let CohortEvent::Progress { progress, .. } = &e {
                if progress.phase == "clients.create" && progress.done >= 10 {
                    cancel.store(true, Ordering::Relaxed);
                }
            }
        })
        .await;
    assert!(stopped.pending >= 3, "{stopped:#?}");
    assert_eq!(stopped.done, 0, "{stopped:#?}");
    let s = statuses(&stopped);
    assert!(s.values().any(|c| *c == ClinicStatus::Cancelled), "{s:?}");
    let api = endpoints["local"].as_ref().expect("local");
    let written = server.counts().expect("counts").clients;
    assert!(written > 0 && written < 5 * SIZE as u64, "{written}");

    // Resumed: every clinic holds its file, once.
    let resumed = week.apply(&endpoints, &AtomicBool::new(false)).await;
    assert_eq!(
        (resumed.done, resumed.failed, resumed.pending),
        (5, 0, 0),
        "{resumed:#?}"
    );
    for c in clinics {
        assert_eq!(held(&read_back(api, c).await), expected(c, SIZE), "{c}");
    }
    let counts = server.counts().expect("counts");
    assert_eq!(counts.clients, 5 * SIZE as u64);

    // Planned again from the same manifest: every clinic has started, so every run is kept.
    let replanned = week
        .plan(&endpoints, &manifest, false)
        .await
        .expect("planned");
    assert_eq!(statuses(&replanned), statuses(&resumed));
    let again = week.apply(&endpoints, &AtomicBool::new(false)).await;
    assert_eq!(again.done, 5);
    let after = server.counts().expect("counts");
    assert_eq!(
        (after.clients, after.patients),
        (counts.clients, counts.patients)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_says_how_files_are_read() {
    let week = Week::new();
    let server = sandbox(&["semi", "blind", "stray"]).await;
    let folder = week.folder.path();
    export(&folder.join("semi.csv"), "semi", SIZE);
    let semi = std::fs::read_to_string(folder.join("semi.csv")).expect("export");
    std::fs::write(folder.join("semi.csv"), semi.replace(',', ";")).expect("semicolons");
    export(&folder.join("blind.csv"), "blind", SIZE);
    export(&folder.join("stray.csv"), "stray", SIZE);
    let manifest = week.manifest(
        r#"name = "Week 49"

[[clinic]]
clinic_id = "semi"
env = "local"
files = ["semi.csv"]
read = [{ file = "semi.csv", delimiter = "semicolon", encoding = "utf-8" }]

[[clinic]]
clinic_id = "blind"
env = "local"
files = ["blind.csv"]
# Its header taken for a row: no column can be told apart, so nothing maps.
read = [{ file = "./blind.csv", header_row = "none" }]

[[clinic]]
clinic_id = "stray"
env = "local"
files = ["stray.csv"]
read = [{ file = "other.csv", header_row = 2 }, { file = "stray.csv", sheet = "Owners" }]
"#,
    );
    let mut endpoints = Endpoints::new();
    endpoints.insert("local".into(), Ok(endpoint("local", &server, 3)));
    let planned = week
        .plan(&endpoints, &manifest, true)
        .await
        .expect("planned");
    let by_id = |id: &str| {
        planned
            .clinics
            .iter()
            .find(|c| c.clinic_id == id)
            .expect("listed")
            .clone()
    };
    let semi = by_id("semi");
    assert_eq!(semi.status, ClinicStatus::Planned, "{semi:#?}");
    assert_eq!(semi.planned.map(|s| s.clients.create), Some(SIZE as u64));
    let blind = by_id("blind");
    assert_eq!(blind.status, ClinicStatus::Skipped);
    assert!(
        blind.problems[0].contains("no column gives the required"),
        "{blind:#?}"
    );
    let stray = by_id("stray");
    assert_eq!(stray.status, ClinicStatus::Skipped);
    assert!(
        stray.problems[0].starts_with("read: \"other.csv\" is not one of the clinic's files"),
        "{stray:#?}"
    );
    assert!(
        stray.problems[1].contains("the sheet \"Owners\" is named without a header row"),
        "{stray:#?}"
    );
}
