//! The import engine end to end against the in-process sandbox: plan, apply, verify, a
//! re-run that changes nothing, decisions applied as given, an ambiguous record that blocks,
//! a run interrupted (faults, cancel, a lost answer) and resumed with PH exactly as planned,
//! and a plan refused because the clinic changed since.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ph_import_core::canonical::{ClientRecord, Entity, Field, PatientRecord, RequiredPolicy};
use ph_import_core::dedupe::classify::{diffs, Classification};
use ph_import_core::dedupe::resolve::{Decision, DecisionAction, Decisions, FieldPolicy};
use ph_import_core::import::plan::{Op, Request};
use ph_import_core::import::{self, apply, Context, ImportError, Options, Plan, RunStatus};
use ph_import_core::job::Policies;
use ph_import_core::job::{scan, RowOrigin, Scan};
use ph_import_core::mapping::resolve::load_tables;
use ph_import_core::mapping::source::TableSource;
use ph_import_core::mapping::{suggest, SuggestOptions};
use ph_import_core::ph::canonical::{client_input, client_record, patient_input, patient_record};
use ph_import_core::ph::{BatchTarget, Client, ClientOptions, PhApi, RetryPolicy, Token};
use ph_sandbox::{DemoToken, Faults, Limits, RunningSandbox, SandboxConfig};

const TOKEN: &str = "phsb_import_test";
const CLINIC: &str = "fresh";

/// A sandbox with one empty clinic and an importer token for it, a client, and a data folder.
struct Rig {
    server: RunningSandbox,
    api: PhApi,
    data: tempfile::TempDir,
    clinic: &'static str,
}

fn client_options(attempts: u32) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(20),
        retry: RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_millis(50),
        },
        max_concurrency: 4,
    }
}

async fn rig(limits: Limits, attempts: u32) -> Rig {
    let server = ph_sandbox::start(SandboxConfig {
        limits,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    server
        .add_clinic(CLINIC, "Fresh Start Vets", "US", false)
        .unwrap();
    server
        .add_token(&DemoToken {
            name: "import test".into(),
            token: TOKEN.into(),
            role: "importer".into(),
            clinics: vec![CLINIC.into()],
        })
        .unwrap();
    let api = PhApi::new(
        "sandbox-test",
        &server.url(),
        &Token::parse(TOKEN).unwrap(),
        &client_options(attempts),
    )
    .unwrap();
    Rig {
        server,
        api,
        data: tempfile::tempdir().unwrap(),
        clinic: CLINIC,
    }
}

/// The demo data's Riverside clinic, with the demo importer token.
async fn riverside() -> Rig {
    let mut rig = rig(Limits::default(), 3).await;
    rig.api = PhApi::new(
        "sandbox-test",
        &rig.server.url(),
        &Token::parse("phsb_importer_demo").unwrap(),
        &client_options(3),
    )
    .unwrap();
    rig.clinic = "riverside";
    rig
}

impl Rig {
    fn ctx(&self) -> Context<'_> {
        Context {
            api: &self.api,
            data_dir: self.data.path(),
        }
    }

    async fn plan(&self, found: &Scan, tables: &[TableSource], decisions: Decisions) -> Plan {
        import::plan(
            &self.api,
            Request {
                scan: std::borrow::Cow::Borrowed(found),
                tables,
                decisions,
                // The files the tables were read from, so errors.csv can quote their rows.
                inputs: tables
                    .iter()
                    .map(|t| import::plan::InputFile::of(&t.path).unwrap())
                    .collect(),
                clinic_id: self.clinic,
                base_url: &self.server.url(),
            },
            &mut |_, _| {},
        )
        .await
        .expect("the plan is made")
    }

    async fn apply(&self, plan: &Plan) -> Result<import::RunReport, ImportError> {
        apply(
            &self.ctx(),
            plan,
            Options::default(),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .await
    }

    async fn clinic(&self) -> Vec<Client> {
        self.api
            .clients(self.clinic, None)
            .collect_all()
            .await
            .expect("the clinic pages")
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

/// Reads and scans an export file as `ph-import plan` does.
fn scan_file(name: &str) -> (Vec<TableSource>, Scan) {
    scan_path(&fixture(name), RequiredPolicy::ph_default())
}

/// Reads and scans a file for a clinic whose rules are `required`.
fn scan_path(path: &Path, required: RequiredPolicy) -> (Vec<TableSource>, Scan) {
    let (sources, tables) = load_tables(&[path.to_path_buf()]).expect("the file reads");
    let options = SuggestOptions {
        country: "US".into(),
        infer_country: false,
        ..SuggestOptions::default()
    };
    let mapping = suggest(&tables, &options, &required).mapping;
    let found = scan(
        &sources,
        &mapping,
        Policies::from(required),
        &ph_import_core::review::Edits::default(),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .expect("the scan runs");
    (sources, found)
}

/// A scan of records made here, as rows 2… of one table.
fn scan_of(clients: Vec<ClientRecord>, patients: Vec<PatientRecord>) -> Scan {
    let rows = |n: usize| {
        (0..n)
            .map(|i| RowOrigin {
                table: 0,
                row: i as u64 + 2,
            })
            .collect()
    };
    Scan {
        client_rows: rows(clients.len()),
        patient_rows: rows(patients.len()),
        clients,
        patients,
        ..Scan::default()
    }
}

fn person(
    id: &str,
    first: &str,
    last: &str,
    email: &str,
    phone: &str,
    street: &str,
) -> ClientRecord {
    ClientRecord {
        external_id: id.into(),
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
        phone: phone.into(),
        address_line1: street.into(),
        city: "Springfield".into(),
        state: "IL".into(),
        postal_code: "62704".into(),
        country: "US".into(),
        ..ClientRecord::default()
    }
}

fn pet(id: &str, owner: &str, name: &str, species: &str) -> PatientRecord {
    PatientRecord {
        external_id: id.into(),
        client_external_id: owner.into(),
        name: name.into(),
        species: species.into(),
        ..PatientRecord::default()
    }
}

/// `n` generated clients with one or two pets each, every field PH keeps filled.
fn generated(n: usize) -> Scan {
    let mut clients = Vec::with_capacity(n);
    let mut patients = Vec::with_capacity(n * 3 / 2);
    for i in 0..n {
        let id = format!("G{i:06}");
        clients.push(ClientRecord {
            phone_alt: format!("+1312{:07}", i),
            address_line2: if i % 3 == 0 {
                format!("Apt {}", i % 97)
            } else {
                String::new()
            },
            ..person(
                &id,
                &format!("First{i}"),
                &format!("Last{}", i / 7),
                &format!("owner{i}@example.com"),
                &format!("+1217{:07}", i),
                &format!("{} Elm St", i + 1),
            )
        });
        for k in 0..(1 + i % 2) {
            patients.push(PatientRecord {
                breed: "Mixed".into(),
                sex: if k == 0 { "female" } else { "male" }.into(),
                neutered: Some(k == 0),
                date_of_birth: format!("20{:02}-0{}-1{}", 10 + i % 14, 1 + k, i % 10),
                weight_kg: format!("{}.5", 3 + i % 40),
                color: "brown".into(),
                microchip: format!("985{:012}", i * 2 + k),
                ..pet(
                    &format!("{id}-{k}"),
                    &id,
                    &format!("Pet{i}x{k}"),
                    if k == 0 { "dog" } else { "cat" },
                )
            });
        }
    }
    scan_of(clients, patients)
}

/// Asserts that the clinic holds exactly the plan's records: each client and pet of the
/// files once, field for field as the file gives it.
fn assert_clinic_is(plan: &Plan, clinic: &[Client]) {
    let by_external: HashMap<&str, Vec<&Client>> =
        clinic.iter().fold(HashMap::new(), |mut m, c| {
            m.entry(c.external_id.as_deref().unwrap_or(""))
                .or_default()
                .push(c);
            m
        });
    for step in &plan.clients {
        let found = by_external
            .get(step.record.external_id.as_str())
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            found.len(),
            1,
            "client {} is in PH {} times",
            step.record.external_id,
            found.len()
        );
        let stored = client_record(found[0]);
        let d = diffs(Entity::Client, |f| step.record.get(f), |f| stored.get(f));
        assert!(d.is_empty(), "client {}: {d:?}", step.record.external_id);
    }
    let pets: HashMap<&str, Vec<(&Client, &ph_import_core::ph::Patient)>> = clinic
        .iter()
        .flat_map(|c| c.patients.iter().map(move |p| (c, p)))
        .fold(HashMap::new(), |mut m, (c, p)| {
            m.entry(p.external_id.as_deref().unwrap_or(""))
                .or_default()
                .push((c, p));
            m
        });
    for step in &plan.patients {
        let found = pets
            .get(step.record.external_id.as_str())
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            found.len(),
            1,
            "patient {} is in PH {} times",
            step.record.external_id,
            found.len()
        );
        let (owner, p) = found[0];
        assert_eq!(
            owner.external_id.as_deref(),
            Some(step.record.client_external_id.as_str())
        );
        let stored = patient_record(p, owner.external_id.as_deref().unwrap_or(""));
        let d = diffs(Entity::Patient, |f| step.record.get(f), |f| stored.get(f));
        assert!(d.is_empty(), "patient {}: {d:?}", step.record.external_id);
    }
    let pet_count: usize = clinic.iter().map(|c| c.patients.len()).sum();
    assert_eq!(clinic.len(), plan.clients.len(), "clients in PH");
    assert_eq!(pet_count, plan.patients.len(), "patients in PH");
}

fn assert_rerun_is_a_no_op(plan: &Plan) {
    let s = &plan.summary;
    assert_eq!((s.clients.create, s.clients.update), (0, 0), "{}", s.text);
    assert_eq!((s.patients.create, s.patients.update), (0, 0), "{}", s.text);
    assert_eq!(
        s.clients.unchanged + s.clients.skip,
        plan.clients.len() as u64,
        "{}",
        s.text
    );
}

/// How many clients and pets of a scan can be sent (those without errors).
fn sendable(found: &Scan) -> (usize, usize) {
    let clients = (0..found.clients.len())
        .filter(|&i| found.client_error(i).is_empty())
        .count();
    let patients = (0..found.patients.len())
        .filter(|&j| found.patient_error(j).is_empty())
        .count();
    (clients, patients)
}

#[tokio::test]
async fn an_empty_clinic_gets_every_record_of_the_file_and_a_rerun_changes_nothing() {
    let rig = rig(Limits::default(), 3).await;
    let (tables, found) = scan_file("dedupe/clinic-with-duplicates.csv");
    let (clients, patients) = sendable(&found);
    assert!(found.excluded > 0, "the fixture has a row with errors");
    let plan = rig.plan(&found, &tables, Decisions::default()).await;
    assert_eq!(plan.summary.clients.create, clients as u64);
    assert_eq!(plan.summary.patients.create, patients as u64);
    assert_eq!(plan.excluded.len() as u64, found.excluded);
    assert!(
        plan.summary.text.starts_with(&format!(
            "Will create {clients} clients and {patients} patients",
        )),
        "{}",
        plan.summary.text
    );

    let report = rig.apply(&plan).await.expect("the import runs");
    assert_eq!(report.status, RunStatus::Completed, "{report:#?}");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.clients.created, clients as u64);
    assert_eq!(report.patients.created, patients as u64);
    let clinic = rig.clinic().await;
    assert_clinic_is(&plan, &clinic);
    // Everything the run created carries its id, for undo.
    assert!(clinic
        .iter()
        .all(|c| c.created_by_import_run.as_deref() == Some(plan.run_id.as_str())));

    // The run folder: plan, backup, reports and log, all private.
    let dir = PathBuf::from(&report.dir);
    for f in [
        "plan.json",
        "results.csv",
        "errors.csv",
        "summary.txt",
        "log.txt",
        "backup/clients.csv",
    ] {
        assert!(
            dir.join(f).is_file(),
            "{f} is missing from {}",
            dir.display()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{f}");
        }
    }
    let results = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    // Every record once: those left out for errors too, with how they matched (new: the
    // clinic was empty).
    assert_eq!(
        results.lines().count(),
        1 + found.clients.len() + found.patients.len(),
        "{results}"
    );
    assert!(
        results
            .lines()
            .skip(1)
            .all(|l| l.contains(",created,") || l.contains(",new,none,excluded,")),
        "{results}"
    );
    // The row left out for errors is in errors.csv with its original columns and the reason.
    let errors = std::fs::read_to_string(dir.join("errors.csv")).unwrap();
    assert_eq!(errors.lines().count(), 2, "{errors}");
    assert!(
        errors.lines().next().unwrap().ends_with(",import_error"),
        "{errors}"
    );
    assert!(errors.contains("client.email is required"), "{errors}");
    let log = std::fs::read_to_string(dir.join("log.txt")).unwrap();
    for phase in [
        "access",
        "backup",
        "clients.create",
        "patients.create",
        "verify",
        "report",
    ] {
        assert!(
            log.contains(&format!(" {phase} ")),
            "no {phase} line in\n{log}"
        );
    }

    // The same file again: nothing to create, nothing to update.
    let again = rig.plan(&found, &tables, Decisions::default()).await;
    assert_rerun_is_a_no_op(&again);
    assert_eq!(
        again.summary.clients.unchanged, clients as u64,
        "{}",
        again.summary.text
    );
    let before = rig.clinic().await;
    let report = rig.apply(&again).await.expect("the re-run runs");
    assert_eq!(report.status, RunStatus::Completed);
    assert_eq!((report.clients.created, report.clients.updated), (0, 0));
    assert_eq!(rig.clinic().await, before, "a no-op run changed PH");

    // A finished run cannot be applied again.
    let err = rig.apply(&plan).await.unwrap_err();
    assert!(matches!(err, ImportError::WrongState { .. }), "{err}");
}

#[tokio::test]
async fn the_demo_export_into_the_demo_clinic_fills_blanks_keeps_conflicts_and_adds_new_pets() {
    let rig = riverside().await;
    let (tables, found) = scan_file("demo/riverside-clients-pets.csv");
    let plan = rig.plan(&found, &tables, Decisions::default()).await;
    let ops = |steps: Vec<(&str, &Op)>| {
        steps
            .into_iter()
            .map(|(id, op)| format!("{id}:{}", op.name()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ops(plan
            .clients
            .iter()
            .map(|s| (s.record.external_id.as_str(), &s.op))
            .collect()),
        [
            "10023:update",
            "10031:unchanged",
            "10044:unchanged",
            "10057:unchanged"
        ]
    );
    // Pets have ids of their own: PH patient 1 is not PH client 1.
    assert_eq!(
        ops(plan
            .patients
            .iter()
            .map(|s| (s.record.external_id.as_str(), &s.op))
            .collect()),
        [
            "P-501:update",
            "P-502:create",
            "P-530:create",
            "P-611:update",
            "P-702:update"
        ]
    );
    assert_eq!(plan.summary.conflicts_decided, 3, "{}", plan.summary.text);
    let before = rig.clinic().await;
    let report = rig.apply(&plan).await.expect("the import runs");
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.problems);
    assert_eq!((report.patients.created, report.patients.updated), (2, 3));
    let after = rig.clinic().await;
    assert_eq!(after.len(), before.len());
    // The conflicting addresses stay as PH has them.
    let ext = |cs: &[Client], id: &str| {
        cs.iter()
            .find(|c| c.external_id.as_deref() == Some(id))
            .cloned()
            .unwrap()
    };
    assert_eq!(
        ext(&after, "10023").address1,
        ext(&before, "10023").address1
    );
    assert_eq!(
        ext(&after, "10023").phone_alt.as_deref(),
        Some("+12175550143")
    );
    let again = rig.plan(&found, &tables, Decisions::default()).await;
    assert_rerun_is_a_no_op(&again);
    assert_eq!(
        again.summary.patients.unchanged, 5,
        "{}",
        again.summary.text
    );
}

/// PH's side of the overlapping clinic: what another system or a person entered before.
async fn seed_overlap(rig: &Rig) -> HashMap<String, String> {
    let target = |what: &str| BatchTarget {
        clinic_id: CLINIC.into(),
        import_run_id: "by-hand".into(),
        key_prefix: format!("seed-{what}"),
    };
    let clients = [
        person(
            "A1",
            "Ann",
            "Lee",
            "ann@example.com",
            "+12175550101",
            "1 Main St",
        ),
        person(
            "B1",
            "Bob",
            "Stone",
            "bob@example.com",
            "+12175550102",
            "5 Oak Ave",
        ),
        person(
            "S1",
            "Sam",
            "Park",
            "sam@example.com",
            "+12175550103",
            "9 Birch Rd",
        ),
        ClientRecord {
            phone: String::new(),
            ..person("S2", "Sam", "Park", "sam@example.com", "", "12 Cedar Ln")
        },
        person(
            "K1",
            "Kim",
            "Wu",
            "kim@example.com",
            "+12175550105",
            "3 Pine Ct",
        ),
        person(
            "D1",
            "Dee",
            "Ray",
            "dee@example.com",
            "+12175550106",
            "8 Ash Way",
        ),
    ];
    let report = rig
        .api
        .create_clients_batched(
            &target("clients"),
            clients.iter().map(client_input).collect(),
        )
        .await;
    assert!(report.is_complete());
    let ids: HashMap<String, String> = report
        .items
        .iter()
        .filter_map(|i| i.client.as_ref())
        .map(|c| (c.external_id.clone().unwrap_or_default(), c.id.clone()))
        .collect();
    let pets = vec![patient_input(&pet("PA1", "A1", "Rex", "dog"), &ids["A1"])];
    assert!(rig
        .api
        .create_patients_batched(&target("patients"), pets)
        .await
        .is_complete());
    ids
}

#[tokio::test]
async fn decisions_are_applied_as_given_and_an_undecided_ambiguous_record_blocks_apply() {
    let rig = rig(Limits::default(), 3).await;
    let ids = seed_overlap(&rig).await;
    let incoming = scan_of(
        vec![
            // Fills a blank: a second phone.
            ClientRecord {
                phone_alt: "+12175550199".into(),
                ..person(
                    "A1",
                    "Ann",
                    "Lee",
                    "ann@example.com",
                    "+12175550101",
                    "1 Main St",
                )
            },
            // Moved: a conflict the address policy decides for the file.
            person(
                "B1",
                "Bob",
                "Stone",
                "bob@example.com",
                "+12175550102",
                "77 New Rd",
            ),
            // No ID; two PH clients share the name and e-mail: ambiguous.
            person("N1", "Sam", "Park", "sam@example.com", "+12175550104", ""),
            // Identical.
            person(
                "K1",
                "Kim",
                "Wu",
                "kim@example.com",
                "+12175550105",
                "3 Pine Ct",
            ),
            // A conflict the person skips.
            person(
                "D1",
                "Dee",
                "Ray",
                "dee.ray@example.org",
                "+12175550106",
                "8 Ash Way",
            ),
            // New, with a pet.
            person(
                "C1",
                "Cy",
                "Old",
                "cy@example.com",
                "+12175550107",
                "4 Elm St",
            ),
        ],
        vec![
            PatientRecord {
                date_of_birth: "2019-05-01".into(),
                ..pet("PA1", "A1", "Rex", "dog")
            },
            pet("PC1", "C1", "Tom", "cat"),
            pet("PN1", "N1", "Fido", "dog"),
        ],
    );
    let plan = rig.plan(&incoming, &[], Decisions::default()).await;
    let op = |ext: &str| {
        plan.clients
            .iter()
            .find(|s| s.record.external_id == ext)
            .unwrap()
            .op
            .name()
    };
    assert_eq!(
        ["A1", "B1", "N1", "K1", "D1", "C1"].map(op),
        // By default PH keeps the values it has: conflicts change nothing.
        [
            "update",
            "unchanged",
            "undecided",
            "unchanged",
            "unchanged",
            "create"
        ],
        "{:?}",
        plan.clients
            .iter()
            .map(|s| (&s.record.external_id, s.classification, &s.op, &s.reasons))
            .collect::<Vec<_>>()
    );
    // Sam's pet waits with its owner.
    assert_eq!(plan.undecided(), 2, "{}", plan.summary.text);
    let before = rig.clinic().await;
    let err = rig.apply(&plan).await.unwrap_err();
    assert!(matches!(err, ImportError::Undecided { count: 2 }), "{err}");
    assert!(err.to_string().contains("wait for a decision"), "{err}");
    assert_eq!(rig.clinic().await, before, "a refused plan changed PH");

    // The person's decisions: the file's addresses win, Sam is the second PH Sam, Dee is skipped.
    let mut decisions = Decisions::default();
    decisions
        .policies
        .fields
        .insert(Field::ClientAddressLine1, FieldPolicy::TakeFile);
    let decide = |ext: &str, action, ph_id: Option<&str>| Decision {
        entity: Entity::Client,
        external_id: ext.into(),
        action,
        ph_id: ph_id.map(str::to_owned),
        fields: Default::default(),
    };
    decisions
        .records
        .push(decide("N1", DecisionAction::Merge, Some(&ids["S2"])));
    decisions
        .records
        .push(decide("D1", DecisionAction::Skip, None));
    let plan = rig.plan(&incoming, &[], decisions.clone()).await;
    assert_eq!(plan.undecided(), 0, "{}", plan.summary.text);
    let report = rig.apply(&plan).await.expect("the import runs");
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.problems);
    assert_eq!(
        (report.clients.created, report.clients.updated),
        (1, 3),
        "{report:#?}"
    );
    assert_eq!(
        (report.patients.created, report.patients.updated),
        (2, 1),
        "{report:#?}"
    );

    let after = rig.clinic().await;
    let get = |id: &str| after.iter().find(|c| c.id == id).unwrap();
    assert_eq!(get(&ids["A1"]).phone_alt.as_deref(), Some("+12175550199"));
    assert_eq!(get(&ids["B1"]).address1.as_deref(), Some("77 New Rd"));
    // Merged into S2: its blank phone filled, its address kept (the file has none), S1 untouched.
    assert_eq!(get(&ids["S2"]).phone.as_deref(), Some("+12175550104"));
    assert_eq!(get(&ids["S2"]).address1.as_deref(), Some("12 Cedar Ln"));
    assert_eq!(get(&ids["S2"]).patients.len(), 1);
    let old = |id: &str| before.iter().find(|c| c.id == id).unwrap();
    for untouched in ["S1", "K1", "D1"] {
        assert_eq!(
            get(&ids[untouched]),
            old(&ids[untouched]),
            "{untouched} changed"
        );
    }
    let rex = &get(&ids["A1"]).patients[0];
    assert_eq!(rex.date_of_birth.as_deref(), Some("2019-05-01"));
    assert_eq!(after.len(), 7);
    // Before-images of what was updated are journaled (for undo).
    let journal = import::Journal::open(rig.data.path()).unwrap();
    let befores = journal.befores(&plan.run_id, "client").unwrap();
    assert_eq!(befores.len(), 3, "{befores:?}");

    // The same file and decisions again: nothing to do.
    let again = rig.plan(&incoming, &[], decisions).await;
    assert_rerun_is_a_no_op(&again);
    assert_eq!(again.undecided(), 0);
}

#[tokio::test]
async fn a_plan_is_refused_when_the_clinic_changed_since() {
    let rig = rig(Limits::default(), 3).await;
    let found = generated(20);
    let plan = rig.plan(&found, &[], Decisions::default()).await;
    // Someone adds a client by hand meanwhile.
    let manual = person(
        "M1",
        "Mo",
        "Hand",
        "mo@example.com",
        "+12175550999",
        "1 Side St",
    );
    let added = rig
        .api
        .create_clients_batched(
            &BatchTarget {
                clinic_id: CLINIC.into(),
                import_run_id: "by-hand".into(),
                key_prefix: "manual".into(),
            },
            vec![client_input(&manual)],
        )
        .await;
    assert!(added.is_complete());
    let err = rig.apply(&plan).await.unwrap_err();
    assert!(matches!(err, ImportError::PhChanged { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("0 clients then, 1 now") && text.contains("Nothing was sent"),
        "{text}"
    );
    assert_eq!(rig.clinic().await.len(), 1, "something was sent");
    let journal = import::Journal::open(rig.data.path()).unwrap();
    assert_eq!(
        journal.run(&plan.run_id).unwrap().unwrap().status,
        RunStatus::Planned
    );
    // A new plan sees the change and goes through.
    let plan = rig.plan(&found, &[], Decisions::default()).await;
    assert_eq!(rig.apply(&plan).await.unwrap().status, RunStatus::Completed);
    assert_eq!(rig.clinic().await.len(), 21);
}

#[tokio::test]
async fn a_run_interrupted_by_faults_cancel_and_a_lost_answer_resumes_to_exactly_the_plan() {
    // Small batches, so the run has many; one attempt per request, so faults stop it.
    let rig = rig(
        Limits {
            max_batch_size: 25,
            max_page_size: 1000,
        },
        1,
    )
    .await;
    let found = generated(400);
    let plan = rig.plan(&found, &[], Decisions::default()).await;

    // Cancelled after the first answered batches: the batches in flight finish cleanly.
    let cancel = AtomicBool::new(false);
    let report = apply(&rig.ctx(), &plan, Options::default(), &cancel, &mut |p| {
        if p.phase == "clients.create" && p.done >= 50 {
            cancel.store(true, Ordering::Relaxed);
        }
    })
    .await
    .expect("a cancelled run is not an error");
    assert_eq!(report.status, RunStatus::Cancelled);
    let partial = rig.clinic().await.len();
    assert!(
        (50..400).contains(&partial),
        "{partial} clients after the cancel"
    );

    // A lost answer: PH applied a batch, but the process died before the journal had it.
    let journal_path = rig.data.path().join("journal.sqlite");
    {
        let db = rusqlite::Connection::open(&journal_path).unwrap();
        let last: u32 = db
            .query_row(
                "SELECT MAX(number) FROM batches WHERE run_id = ?1 AND phase = 'clients.create'",
                [&plan.run_id],
                |r| r.get(0),
            )
            .unwrap();
        let forgotten: Vec<i64> = db
            .prepare("SELECT step FROM items WHERE run_id = ?1 AND phase = 'clients.create'")
            .unwrap()
            .query_map([&plan.run_id], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .filter(|&s| s as usize / 25 == last as usize)
            .collect();
        assert_eq!(forgotten.len(), 25);
        db.execute(
            "DELETE FROM batches WHERE run_id = ?1 AND phase = 'clients.create' AND number = ?2",
            rusqlite::params![plan.run_id, last],
        )
        .unwrap();
        for s in forgotten {
            db.execute(
                "DELETE FROM items WHERE run_id = ?1 AND phase = 'clients.create' AND step = ?2",
                rusqlite::params![plan.run_id, s],
            )
            .unwrap();
        }
    }

    // Then PH fails a third of the requests and drops some connections: each resume gets
    // further, until the run completes.
    let mut interrupted = 0;
    let mut status = RunStatus::Cancelled;
    for seed in 1..200 {
        rig.server.set_faults(Faults {
            error_rate: 0.25,
            drop_rate: 0.05,
            latency_ms: 2,
            seed,
            ..Faults::default()
        });
        match rig.apply(&plan).await {
            Ok(r) => {
                status = r.status;
                assert!(r.problems.is_empty(), "{:?}", r.problems);
                break;
            }
            Err(ImportError::Interrupted { .. } | ImportError::Ph(_)) => interrupted += 1,
            Err(e) => panic!("resume failed: {e}"),
        }
    }
    assert_eq!(status, RunStatus::Completed);
    assert!(interrupted > 0, "the faults never stopped the run");
    rig.server.set_faults(Faults::default());
    assert_clinic_is(&plan, &rig.clinic().await);
    let journal = import::Journal::open(rig.data.path()).unwrap();
    let run = journal.run(&plan.run_id).unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Completed);
}

#[tokio::test]
async fn ten_thousand_clients_with_pets_are_imported_and_verified_field_by_field() {
    let rig = rig(Limits::default(), 3).await;
    let found = generated(10_000);
    let plan = rig.plan(&found, &[], Decisions::default()).await;
    assert!(plan.clients.iter().all(|s| matches!(s.op, Op::Create)));
    let started = Instant::now();
    let report = rig.apply(&plan).await.expect("the import runs");
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.problems);
    assert_eq!(report.clients.created, 10_000);
    assert_eq!(report.patients.created, 15_000);
    println!(
        "imported 10,000 clients and 15,000 patients in {secs:.1} s: {:.0} clients/s (debug build; verify and reports included)",
        10_000.0 / secs
    );
    assert_clinic_is(&plan, &rig.clinic().await);
}

/// The export of the e-mail tests: Ada, whom PH has, with a mistyped e-mail; Bob, new, with
/// an unusable one; Cy, new, with none; and eight clients with good e-mails (so the
/// mapping, which judges the column by its values, sees an e-mail column).
fn bad_emails_export() -> String {
    let mut text = String::from(
        "Client ID,First Name,Last Name,Email,Phone,Address,City,State,Zip,Patient ID,Pet Name,Species\n\
         A-1,Ada,Byron,ada@examplecom,217-555-0101,1 Main St,Springfield,IL,62704,AP-1,Rex,Dog\n\
         B-1,Bob,Stone,bob at example.com,217-555-0102,2 Main St,Springfield,IL,62704,BP-1,Tom,Cat\n\
         C-1,Cy,Young,,217-555-0103,3 Main St,Springfield,IL,62704,CP-1,Kit,Cat\n",
    );
    for (i, name) in ["Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon", "Kim"]
        .iter()
        .enumerate()
    {
        text.push_str(&format!(
            "F-{i},{name},Last{name},{name}@example.com,217-555-02{i:02},{} Oak St,Springfield,IL,62704,FP-{i},Pet{name},Dog\n",
            i + 10
        ));
    }
    text
}

/// The step of each client and pet of a plan, by ID: the classification and the operation
/// ("excluded" for a record left out for errors).
fn steps(plan: &Plan) -> HashMap<String, (Classification, String)> {
    let mut out = HashMap::new();
    for s in &plan.clients {
        out.insert(
            s.record.external_id.clone(),
            (s.classification, s.op.name().to_owned()),
        );
    }
    for s in &plan.patients {
        out.insert(
            s.record.external_id.clone(),
            (s.classification, s.op.name().to_owned()),
        );
    }
    for e in &plan.excluded {
        let class = e.classification.expect("a record left out is classified");
        out.insert(e.external_id.clone(), (class, "excluded".to_owned()));
    }
    out
}

#[tokio::test]
async fn a_bad_or_missing_email_never_keeps_a_client_from_matching_and_the_clinic_rule_decides_what_is_sent(
) {
    let rig = rig(Limits::default(), 3).await;
    // PH already has Ada, with her e-mail, and her dog Rex.
    let ada = person(
        "A-1",
        "Ada",
        "Byron",
        "ada@example.com",
        "+12175550101",
        "1 Main St",
    );
    let seed = scan_of(vec![ada], vec![pet("AP-1", "A-1", "Rex", "dog")]);
    let seeded = rig.plan(&seed, &[], Decisions::default()).await;
    assert_eq!(
        rig.apply(&seeded).await.unwrap().status,
        RunStatus::Completed
    );
    let ada_id = rig.clinic().await[0].id.clone();
    let export = rig.data.path().join("export.csv");
    std::fs::write(&export, bad_emails_export()).unwrap();

    // A clinic that requires e-mail: every client is matched on its other fields and
    // classified, and none of these is sent; each says both what it is and why.
    rig.server
        .add_clinic(CLINIC, "Fresh Start Vets", "US", true)
        .unwrap();
    let (tables, found) = scan_path(&export, RequiredPolicy::ph_default());
    let plan = rig.plan(&found, &tables, Decisions::default()).await;
    let by_id = steps(&plan);
    assert_eq!(
        by_id["A-1"],
        (Classification::Identical, "excluded".into()),
        "{by_id:?}"
    );
    assert_eq!(
        by_id["AP-1"],
        (Classification::Identical, "excluded".into())
    );
    assert_eq!(by_id["B-1"], (Classification::New, "excluded".into()));
    assert_eq!(by_id["C-1"], (Classification::New, "excluded".into()));
    let ada_step = plan
        .excluded
        .iter()
        .find(|e| e.external_id == "A-1")
        .unwrap();
    assert_eq!(ada_step.ph_id.as_deref(), Some(ada_id.as_str()));
    assert!(
        ada_step.reason.contains("not a valid e-mail"),
        "{}",
        ada_step.reason
    );
    let cy = plan
        .excluded
        .iter()
        .find(|e| e.external_id == "C-1")
        .unwrap();
    assert!(
        cy.reason.contains("client.email is required"),
        "{}",
        cy.reason
    );
    assert_eq!(plan.summary.clients.create, 8, "{}", plan.summary.text);
    assert_eq!(plan.summary.excluded, 6, "{}", plan.summary.text);
    // `dedupe --clinic` sees the same: Ada matched, with her error.
    let classified = found.classify(&rig.clinic().await);
    let m = &classified.clients[0];
    assert_eq!(
        (m.classification, m.ph_id.as_deref()),
        (Classification::Identical, Some(ada_id.as_str()))
    );
    assert!(m.errors.contains("not a valid e-mail"), "{}", m.errors);
    assert!(classified.clients[2]
        .errors
        .contains("client.email is required"));

    // The same clinic without the rule: Ada is her PH record (not created again), Bob is
    // sent without his unusable e-mail, Cy without one.
    rig.server
        .add_clinic(CLINIC, "Fresh Start Vets", "US", false)
        .unwrap();
    let (tables, found) = scan_path(&export, RequiredPolicy::without_email());
    assert_eq!(found.excluded, 0);
    let plan = rig.plan(&found, &tables, Decisions::default()).await;
    let by_id = steps(&plan);
    assert_eq!(
        by_id["A-1"],
        (Classification::Identical, "unchanged".into())
    );
    assert_eq!(
        by_id["AP-1"],
        (Classification::Identical, "unchanged".into())
    );
    assert_eq!(by_id["B-1"], (Classification::New, "create".into()));
    assert_eq!(by_id["C-1"], (Classification::New, "create".into()));
    let bob = plan
        .clients
        .iter()
        .find(|s| s.record.external_id == "B-1")
        .unwrap();
    assert_eq!(bob.record.email, "", "the unusable e-mail is not sent");
    let report = rig.apply(&plan).await.expect("the import runs");
    assert_eq!(report.status, RunStatus::Completed, "{report:#?}");
    assert_eq!(report.clients.created, 10);
    let clinic = rig.clinic().await;
    assert_eq!(clinic.len(), 11, "{clinic:#?}");
    let email_of = |id: &str| {
        clinic
            .iter()
            .find(|c| c.external_id.as_deref() == Some(id))
            .map(|c| c.email.clone())
    };
    assert_eq!(email_of("A-1"), Some(Some("ada@example.com".into())));
    assert_eq!(email_of("B-1"), Some(None));
    assert_eq!(email_of("C-1"), Some(None));
}

#[tokio::test]
async fn a_phone_ph_would_refuse_is_not_sent_and_its_client_is_imported_without_it() {
    let rig = rig(Limits::default(), 3).await;
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("phones.csv");
    std::fs::write(
        &export,
        "Client ID,First Name,Last Name,Email,Phone,Mobile\n\
         Z1,Ann,Lee,ann.lee@example.com,555-0143,(217) 555-0101\n\
         Z2,Bo,Ray,bo.ray@example.com,(217) 555-0102,12\n",
    )
    .unwrap();
    let (tables, found) = scan_path(&export, RequiredPolicy::ph_default());
    let plan = rig.plan(&found, &tables, Decisions::default()).await;
    let report = rig.apply(&plan).await.expect("the import runs");
    assert_eq!(report.status, RunStatus::Completed, "{report:#?}");
    assert_eq!(report.clients.created, 2, "{report:#?}");
    let clinic = rig.clinic().await;
    let phones = |id: &str| {
        let c = clinic
            .iter()
            .find(|c| c.external_id.as_deref() == Some(id))
            .expect("imported");
        (c.phone.clone(), c.phone_alt.clone())
    };
    // The number without an area code is left out; the valid one of the same client is sent.
    let (ann_phone, ann_alt) = phones("Z1");
    assert!(
        [ann_phone.as_deref(), ann_alt.as_deref()].contains(&Some("+12175550101")),
        "{ann_phone:?} {ann_alt:?}"
    );
    assert!(![ann_phone, ann_alt].contains(&Some("555-0143".into())));
    let (bo_phone, bo_alt) = phones("Z2");
    assert!(
        [bo_phone.as_deref(), bo_alt.as_deref()].contains(&Some("+12175550102")),
        "{bo_phone:?} {bo_alt:?}"
    );
    assert!(![bo_phone, bo_alt].contains(&Some("12".into())));
}

#[tokio::test]
async fn a_read_only_token_may_plan_but_not_apply_and_the_refusal_is_audited() {
    let mut rig = rig(Limits::default(), 3).await;
    rig.server
        .add_token(&DemoToken {
            name: "reader".into(),
            token: "phsb_import_reader".into(),
            role: "read_only".into(),
            clinics: vec![CLINIC.into()],
        })
        .unwrap();
    rig.api = PhApi::new(
        "sandbox-test",
        &rig.server.url(),
        &Token::parse("phsb_import_reader").unwrap(),
        &client_options(3),
    )
    .unwrap();
    let plan = rig.plan(&generated(3), &[], Decisions::default()).await;
    assert_eq!(plan.summary.clients.create, 3);
    let err = rig.apply(&plan).await.unwrap_err();
    assert!(matches!(err, ImportError::NotImporter { .. }), "{err}");
    assert!(err.to_string().contains("importer role"), "{err}");
    assert!(rig.clinic().await.is_empty());
    let audit = import::audit::read(rig.data.path()).unwrap();
    let refused = audit
        .iter()
        .find(|e| e.outcome == "refused")
        .expect("a refusal in the audit log");
    assert_eq!(refused.principal, "reader");
    assert_eq!(refused.clinic_id, CLINIC);
    assert_eq!(refused.run_id, plan.run_id);
    assert!(!refused.os_user.is_empty());
}

#[tokio::test]
async fn a_started_run_resumes_only_with_its_own_plan() {
    let rig = rig(Limits::default(), 3).await;
    let plan = rig.plan(&generated(30), &[], Decisions::default()).await;
    // Cancelled before the first batch: the run exists, nothing was created.
    let report = apply(
        &rig.ctx(),
        &plan,
        Options::default(),
        &AtomicBool::new(true),
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.status, RunStatus::Cancelled);
    assert!(rig.clinic().await.is_empty());
    let mut edited = plan.clone();
    edited.clients.truncate(10);
    let err = rig.apply(&edited).await.unwrap_err();
    assert!(matches!(err, ImportError::BadPlan { .. }), "{err}");
    assert!(err.to_string().contains("differs"), "{err}");
    assert_eq!(rig.apply(&plan).await.unwrap().status, RunStatus::Completed);
    assert_eq!(rig.clinic().await.len(), 30);
}

#[tokio::test]
async fn a_job_is_planned_with_the_review_edits_and_its_overview_counts_what_is_sent() {
    use ph_import_core::import::{plan_job, JobPlan, PlanOverview};
    use ph_import_core::job::{ImportSettings, Job, JobSpec};
    use ph_import_core::review::{Edits, RecordRef};

    let rig = rig(Limits::default(), 3).await;
    let file = fixture("demo/riverside-clients-pets.csv");
    let spec = JobSpec {
        settings: ImportSettings {
            country: Some("US".into()),
            ..ImportSettings::default()
        },
        ..JobSpec::for_files(std::slice::from_ref(&file))
    };
    let job = Job::open(&spec, &mut |_| {}, &AtomicBool::new(false)).expect("the job opens");
    let plan_with = |edits: Option<Edits>| {
        let (job, settings, file) = (&job, &spec.settings, file.clone());
        let rig = &rig;
        async move {
            plan_job(
                &rig.api,
                JobPlan {
                    job,
                    settings,
                    edits: edits.as_ref(),
                    decisions: Decisions::default(),
                    files: &[file],
                    clinic_id: rig.clinic,
                    base_url: &rig.server.url(),
                    data_dir: rig.data.path(),
                },
                &mut |_| {},
                &mut |_, _| {},
                &AtomicBool::new(false),
            )
            .await
            .expect("the job is planned")
        }
    };
    let (plan, path) = plan_with(None).await;
    assert_eq!(
        path,
        import::run_dir(rig.data.path(), &plan.run_id).join("plan.json")
    );
    assert_eq!(Plan::load(&path).unwrap(), plan);
    let all = PlanOverview::of(&plan, &path);
    // An empty clinic: every record sent is new, none waits for a decision.
    assert_eq!(all.clients.new, plan.summary.clients.create);
    assert_eq!(all.patients.new, plan.summary.patients.create);
    assert_eq!(all.undecided, 0);
    assert!(all.patients.new >= 2, "{all:?}");
    let reasons: u64 = all.not_sent.iter().map(|r| r.clients + r.patients).sum();
    assert_eq!(reasons, all.not_sent_clients + all.not_sent_patients);
    assert_eq!(reasons, plan.excluded.len() as u64);

    // The review left the second pet (row 6) out: it is not planned at all.
    let edits = Edits {
        excluded: vec![RecordRef {
            entity: Entity::Patient,
            file: "riverside-clients-pets.csv".into(),
            row: 6,
        }],
        ..Edits::default()
    };
    let (edited, path) = plan_with(Some(edits)).await;
    let fewer = PlanOverview::of(&edited, &path);
    assert_ne!(edited.run_id, plan.run_id);
    assert_eq!(fewer.patients.new + 1, all.patients.new);
    assert_eq!(fewer.clients, all.clients);
}
