//! Undo, export, audit and purge end to end against the in-process sandbox: an undo gives
//! the clinic back byte for byte as its backup (a new clinic, a clinic with updates), leaves
//! and reports what someone changed in PH since, and stopped part-way then run again ends
//! the same; import → export gives the same canonical records; every attempt is audited and
//! an edited log is reported; a purge leaves no client data of the run on disk.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ph_import_core::canonical::{ClientRecord, PatientRecord, RequiredPolicy};
use ph_import_core::dedupe::resolve::Decisions;
use ph_import_core::import::export::export_clinic;
use ph_import_core::import::plan::Request;
use ph_import_core::import::{
    self, apply, audit, run_dir, undo, Context, ImportError, Options, Plan, RunStatus, UndoOptions,
    UndoReport,
};
use ph_import_core::job::{scan, Policies, RowOrigin, Scan};
use ph_import_core::mapping::resolve::load_tables;
use ph_import_core::mapping::source::TableSource;
use ph_import_core::mapping::{suggest, SuggestOptions};
use ph_import_core::ph::types::{
    ClientUpdate, PatientUpdate, UpdateClientsInput, UpdatePatientsInput,
};
use ph_import_core::ph::{Client, ClientOptions, PhApi, RetryPolicy, Token};
use ph_import_core::private_file::Overwrite;
use ph_sandbox::{DemoToken, Faults, Limits, RunningSandbox, SandboxConfig};

const TOKEN: &str = "phsb_undo_test";

/// A sandbox with two empty clinics and an importer token for them, a client, and a data
/// folder.
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

async fn rig(max_batch_size: usize, attempts: u32) -> Rig {
    let server = ph_sandbox::start(SandboxConfig {
        limits: Limits {
            max_batch_size,
            max_page_size: 1000,
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    for (id, name) in [("fresh", "Fresh Start Vets"), ("second", "Second Vets")] {
        server.add_clinic(id, name, "US", false).unwrap();
    }
    server
        .add_token(&DemoToken {
            name: "undo test".into(),
            token: TOKEN.into(),
            role: "importer".into(),
            clinics: vec!["fresh".into(), "second".into()],
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
        clinic: "fresh",
    }
}

/// The demo data's Riverside clinic, with the demo importer token.
async fn riverside() -> Rig {
    let mut rig = rig(100, 3).await;
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

    async fn plan(&self, found: &Scan, tables: &[TableSource]) -> Plan {
        import::plan(
            &self.api,
            Request {
                scan: std::borrow::Cow::Borrowed(found),
                tables,
                decisions: Decisions::default(),
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

    async fn undo(&self, run: &str, options: UndoOptions) -> Result<UndoReport, ImportError> {
        undo(
            &self.ctx(),
            run,
            options,
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

    /// Exports the clinic into a new folder and returns it.
    async fn export(&self, name: &str) -> PathBuf {
        let dir = self.data.path().join("exports").join(name);
        export_clinic(
            &self.api,
            self.clinic,
            &dir,
            Overwrite::Refuse,
            &mut |_, _| {},
        )
        .await
        .expect("the export is written");
        dir
    }

    async fn update_client(&self, update: ClientUpdate) {
        let r = self
            .api
            .update_clients(&UpdateClientsInput {
                clinic_id: self.clinic.into(),
                import_run_id: "by-hand".into(),
                idempotency_key: format!("by-hand-{}", update.id),
                clients: vec![update],
            })
            .await
            .unwrap();
        assert!(r.items.iter().all(|i| i.error.is_none()));
    }

    async fn update_patient(&self, update: PatientUpdate) {
        let r = self
            .api
            .update_patients(&UpdatePatientsInput {
                clinic_id: self.clinic.into(),
                import_run_id: "by-hand".into(),
                idempotency_key: format!("by-hand-p-{}", update.id),
                patients: vec![update],
            })
            .await
            .unwrap();
        assert!(r.items.iter().all(|i| i.error.is_none()));
    }
}

/// Asserts that an export's canonical files are byte for byte the backup's.
fn assert_same_canonical(backup: &Path, export: &Path) {
    for f in ["clients.csv", "patients.csv"] {
        let a = std::fs::read(backup.join(f)).unwrap();
        let b = std::fs::read(export.join(f)).unwrap();
        assert!(
            a == b,
            "{f} differs:\n--- backup\n{}\n--- export\n{}",
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b)
        );
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

/// Reads and scans files as `ph-import plan` does.
fn scan_paths(paths: &[PathBuf]) -> (Vec<TableSource>, Scan) {
    let required = RequiredPolicy::ph_default();
    let (sources, tables) = load_tables(paths).expect("the files read");
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

/// Names as pets have them (a column of "Pet1", "Pet2"… does not look like pets' names).
const PET_NAMES: [&str; 8] = [
    "Biscuit", "Luna", "Max", "Bella", "Charlie", "Mochi", "Rocky", "Daisy",
];

/// `n` generated clients with a pet each; `filled` also gives each a second phone and its
/// pet a colour (what a later file adds to records PH has without them).
fn generated(n: usize, filled: bool) -> Scan {
    let mut clients = Vec::with_capacity(n);
    let mut patients = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("G{i:05}");
        clients.push(ClientRecord {
            external_id: id.clone(),
            first_name: format!("First{i}"),
            last_name: format!("Last{}", i / 3),
            email: format!("owner{i}@example.com"),
            phone: format!("+1217{:07}", i),
            phone_alt: if filled {
                format!("+1312{:07}", i)
            } else {
                String::new()
            },
            address_line1: format!("{} Elm St", i + 1),
            city: "Springfield".into(),
            state: "IL".into(),
            postal_code: "62704".into(),
            country: "US".into(),
            ..ClientRecord::default()
        });
        patients.push(PatientRecord {
            external_id: format!("{id}-P"),
            client_external_id: id,
            name: PET_NAMES[i % PET_NAMES.len()].into(),
            species: if i % 2 == 0 { "dog" } else { "cat" }.into(),
            color: if filled {
                "brown".into()
            } else {
                String::new()
            },
            ..PatientRecord::default()
        });
    }
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

/// A clinic holding 30 clients without a second phone, then a run that fills them and adds
/// 10 new clients: the second run updates 30 clients and 30 pets and creates 10 of each.
async fn clinic_with_updates(rig: &Rig) -> Plan {
    let first = rig.plan(&generated(30, false), &[]).await;
    assert_eq!(
        rig.apply(&first).await.unwrap().status,
        RunStatus::Completed
    );
    let second = rig.plan(&generated(40, true), &[]).await;
    let s = &second.summary;
    assert_eq!((s.clients.update, s.clients.create), (30, 10), "{}", s.text);
    assert_eq!(
        (s.patients.update, s.patients.create),
        (30, 10),
        "{}",
        s.text
    );
    second
}

#[tokio::test]
async fn undo_of_an_import_into_a_new_clinic_gives_back_its_backup_byte_for_byte() {
    let rig = rig(7, 3).await;
    let plan = rig.plan(&generated(25, true), &[]).await;
    let report = rig.apply(&plan).await.unwrap();
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.problems);
    assert_eq!(rig.clinic().await.len(), 25);

    let mut phases = Vec::new();
    let undone = undo(
        &rig.ctx(),
        &plan.run_id,
        UndoOptions::default(),
        &AtomicBool::new(false),
        &mut |p| {
            if phases.last() != Some(&p.phase) {
                phases.push(p.phase.clone());
            }
        },
    )
    .await
    .unwrap();
    assert_eq!(undone.status, RunStatus::Undone, "{undone:?}");
    assert_eq!((undone.clients_deleted, undone.patients_deleted), (25, 25));
    assert!(undone.refused.is_empty() && undone.differences.is_empty());
    assert_eq!(
        phases,
        [
            "undo.read",
            "undo.clients",
            "undo.patients",
            "undo.delete",
            "undo.verify"
        ]
    );
    assert!(rig.clinic().await.is_empty());
    let backup = run_dir(rig.data.path(), &plan.run_id).join("backup");
    assert_same_canonical(&backup, &rig.export("after-undo").await);

    // Undone is final: a second undo is refused and changes nothing.
    let err = rig
        .undo(&plan.run_id, UndoOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("undone already"), "{err}");
    let last = audit::read(rig.data.path()).unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.outcome.as_str()),
        ("refused undo", "refused")
    );
    let journal = import::Journal::open(rig.data.path()).unwrap();
    assert_eq!(
        journal.run(&plan.run_id).unwrap().unwrap().status,
        RunStatus::Undone
    );
}

#[tokio::test]
async fn undo_of_an_import_with_updates_restores_the_clinic_byte_for_byte() {
    let rig = rig(8, 3).await;
    let plan = clinic_with_updates(&rig).await;
    let report = rig.apply(&plan).await.unwrap();
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.problems);
    assert_eq!((report.clients.updated, report.clients.created), (30, 10));

    let undone = rig
        .undo(&plan.run_id, UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(undone.status, RunStatus::Undone, "{undone:?}");
    assert_eq!(
        (undone.clients_restored, undone.patients_restored),
        (30, 30)
    );
    assert_eq!((undone.clients_deleted, undone.patients_deleted), (10, 10));
    let backup = run_dir(rig.data.path(), &plan.run_id).join("backup");
    assert_same_canonical(&backup, &rig.export("after-undo").await);
    // Every restore is journaled.
    let journal = import::Journal::open(rig.data.path()).unwrap();
    let restored = journal.items(&plan.run_id, "undo.clients").unwrap();
    assert_eq!(restored.len(), 30);
    assert!(restored
        .values()
        .all(|i| i.status == import::journal::ItemStatus::Restored));

    // The same for the demo clinic and the demo export (fills blanks, adds pets).
    let rig = riverside().await;
    let (tables, found) = scan_paths(&[fixture("demo/riverside-clients-pets.csv")]);
    let plan = rig.plan(&found, &tables).await;
    assert!(plan.summary.patients.update > 0 && plan.summary.patients.create > 0);
    assert_eq!(rig.apply(&plan).await.unwrap().status, RunStatus::Completed);
    let undone = rig
        .undo(&plan.run_id, UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(undone.status, RunStatus::Undone, "{undone:?}");
    let backup = run_dir(rig.data.path(), &plan.run_id).join("backup");
    assert_same_canonical(&backup, &rig.export("riverside-after-undo").await);
}

#[tokio::test]
async fn a_record_changed_in_ph_after_the_run_is_left_and_reported() {
    let rig = rig(100, 3).await;
    let plan = clinic_with_updates(&rig).await;
    assert_eq!(rig.apply(&plan).await.unwrap().status, RunStatus::Completed);
    let by_ext = |clinic: &[Client], id: &str| {
        clinic
            .iter()
            .find(|c| c.external_id.as_deref() == Some(id))
            .cloned()
            .unwrap()
    };
    let now = rig.clinic().await;
    // Someone changes an updated client and a created pet after the run.
    let updated = by_ext(&now, "G00003");
    rig.update_client(ClientUpdate {
        id: updated.id.clone(),
        phone: Some("+12175559999".into()),
        ..ClientUpdate::default()
    })
    .await;
    let created_pet = by_ext(&now, "G00035").patients[0].clone();
    rig.update_patient(PatientUpdate {
        id: created_pet.id.clone(),
        name: Some("Renamed".into()),
        ..PatientUpdate::default()
    })
    .await;

    let undone = rig
        .undo(&plan.run_id, UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(undone.status, RunStatus::UndonePartly);
    assert_eq!(undone.clients_restored, 29);
    assert_eq!(
        (undone.clients_deleted, undone.patients_deleted),
        (0, 0),
        "one changed creation holds the deletion back"
    );
    let refused = undone.refused.join("\n");
    assert!(
        refused.contains("client G00003") && refused.contains("changed in PH since the run"),
        "{refused}"
    );
    assert!(
        refused.contains("patient G00035-P") && refused.contains("--delete-changed"),
        "{refused}"
    );
    let after = rig.clinic().await;
    assert_eq!(
        by_ext(&after, "G00003").phone.as_deref(),
        Some("+12175559999")
    );
    assert!(
        by_ext(&after, "G00004")
            .phone_alt
            .unwrap_or_default()
            .is_empty(),
        "restored"
    );
    let journal = import::Journal::open(rig.data.path()).unwrap();
    let info = journal.run(&plan.run_id).unwrap().unwrap();
    assert_eq!(info.status, RunStatus::UndonePartly);
    assert!(journal
        .items(&plan.run_id, "undo.clients")
        .unwrap()
        .values()
        .any(|i| i.status == import::journal::ItemStatus::Refused && i.message.contains("G00003")));

    // Told to, the undo deletes the changed creations too; the changed client stays.
    let again = rig
        .undo(
            &plan.run_id,
            UndoOptions {
                delete_changed: true,
            },
        )
        .await
        .unwrap();
    assert_eq!((again.clients_deleted, again.patients_deleted), (10, 10));
    assert_eq!(again.status, RunStatus::UndonePartly);
    assert_eq!(
        again.differences,
        [format!("client {} differs", updated.id)]
    );
    assert_eq!(rig.clinic().await.len(), 30);
}

#[tokio::test]
async fn an_undo_stopped_part_way_and_run_again_ends_as_an_undo_in_one_go() {
    // Small batches, so the restores take several requests; one attempt, so faults stop it.
    let rig = rig(5, 1).await;
    let plan = clinic_with_updates(&rig).await;
    assert_eq!(rig.apply(&plan).await.unwrap().status, RunStatus::Completed);

    // Cancelled after the first restores.
    let cancel = AtomicBool::new(false);
    let stopped = undo(
        &rig.ctx(),
        &plan.run_id,
        UndoOptions::default(),
        &cancel,
        &mut |p| {
            if p.phase == "undo.clients" && p.done >= 10 {
                cancel.store(true, Ordering::Relaxed);
            }
        },
    )
    .await
    .unwrap();
    assert_eq!(stopped.status, RunStatus::Undoing);
    let journal = import::Journal::open(rig.data.path()).unwrap();
    assert_eq!(
        journal.run(&plan.run_id).unwrap().unwrap().status,
        RunStatus::Undoing
    );
    let partly = journal.items(&plan.run_id, "undo.clients").unwrap().len();
    assert!((10..30).contains(&partly), "{partly} restores journaled");
    assert_eq!(rig.clinic().await.len(), 40, "nothing deleted yet");

    // Then PH fails a third of the requests: each attempt gets further, until it is done.
    let mut failed = 0;
    let mut last = None;
    for seed in 1..200 {
        rig.server.set_faults(Faults {
            error_rate: 0.3,
            seed,
            ..Faults::default()
        });
        match rig.undo(&plan.run_id, UndoOptions::default()).await {
            Ok(r) => {
                last = Some(r);
                break;
            }
            Err(ImportError::Ph(_) | ImportError::Interrupted { .. }) => failed += 1,
            Err(e) => panic!("undo failed: {e}"),
        }
    }
    rig.server.set_faults(Faults::default());
    assert!(failed > 0, "the faults never stopped the undo");
    let last = last.expect("the undo finished");
    assert_eq!(last.status, RunStatus::Undone, "{last:?}");
    let backup = run_dir(rig.data.path(), &plan.run_id).join("backup");
    assert_same_canonical(&backup, &rig.export("after-undo").await);
    let attempts: Vec<String> = audit::read(rig.data.path())
        .unwrap()
        .into_iter()
        .filter(|e| e.run_id == plan.run_id && e.action == "undo")
        .map(|e| e.outcome)
        .collect();
    assert_eq!(attempts.len(), failed + 2, "{attempts:?}");
    assert_eq!(attempts.first().map(String::as_str), Some("undoing"));
    assert_eq!(attempts.last().map(String::as_str), Some("undone"));
}

#[tokio::test]
async fn an_import_then_an_export_gives_the_same_canonical_records() {
    let rig = rig(100, 3).await;
    let plan = rig.plan(&generated(20, true), &[]).await;
    assert_eq!(rig.apply(&plan).await.unwrap().status, RunStatus::Completed);
    let first = rig.export("first").await;

    // The canonical files into an empty clinic, and out again.
    let mut second = rig;
    second.clinic = "second";
    let (tables, found) = scan_paths(&[first.join("clients.csv"), first.join("patients.csv")]);
    let plan = second.plan(&found, &tables).await;
    let reasons: Vec<&str> = plan.excluded.iter().map(|e| e.reason.as_str()).collect();
    assert!(plan.excluded.is_empty(), "{reasons:?}");
    assert_eq!(plan.summary.clients.create, 20, "{}", plan.summary.text);
    assert_eq!(plan.summary.patients.create, 20, "{}", plan.summary.text);
    assert_eq!(
        second.apply(&plan).await.unwrap().status,
        RunStatus::Completed
    );
    assert_same_canonical(&first, &second.export("second").await);
}

#[tokio::test]
async fn every_attempt_is_audited_and_an_edited_log_is_reported() {
    use ph_import_core::import::{plan_job, JobPlan};
    use ph_import_core::job::{ImportSettings, Job, JobSpec};

    let mut rig = rig(5, 1).await;
    // A plan made as the CLI and the app make it.
    let file = fixture("demo/riverside-clients-pets.csv");
    let spec = JobSpec {
        settings: ImportSettings {
            country: Some("US".into()),
            ..ImportSettings::default()
        },
        ..JobSpec::for_files(std::slice::from_ref(&file))
    };
    let job = Job::open(&spec, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    let (planned, _) = plan_job(
        &rig.api,
        JobPlan {
            job: &job,
            settings: &spec.settings,
            edits: None,
            decisions: Decisions::default(),
            files: std::slice::from_ref(&file),
            clinic_id: rig.clinic,
            base_url: &rig.server.url(),
            data_dir: rig.data.path(),
        },
        &mut |_| {},
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .await
    .unwrap();

    // Refused: a read-only token.
    rig.server
        .add_token(&DemoToken {
            name: "reader".into(),
            token: "phsb_undo_reader".into(),
            role: "read_only".into(),
            clinics: vec!["fresh".into()],
        })
        .unwrap();
    let importer = std::mem::replace(
        &mut rig.api,
        PhApi::new(
            "sandbox-test",
            &rig.server.url(),
            &Token::parse("phsb_undo_reader").unwrap(),
            &client_options(1),
        )
        .unwrap(),
    );
    let err = rig.apply(&planned).await.unwrap_err();
    assert!(matches!(err, ImportError::NotImporter { .. }), "{err}");
    rig.api = importer;

    // Failed: PH answers nothing.
    rig.server.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert!(rig.apply(&planned).await.is_err());
    rig.server.set_faults(Faults::default());

    // Then the import, its undo and its purge.
    assert_eq!(
        rig.apply(&planned).await.unwrap().status,
        RunStatus::Completed
    );
    let undone = rig
        .undo(&planned.run_id, UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(undone.status, RunStatus::Undone, "{undone:?}");
    import::purge(rig.data.path(), &planned.run_id).unwrap();

    let log = audit::verify(rig.data.path()).unwrap();
    assert!(!log.tampered(), "{:?}", log.tampering);
    let attempts: Vec<(String, String)> = log
        .entries
        .iter()
        .map(|e| (e.action.clone(), e.outcome.clone()))
        .collect();
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, o)| (a.to_string(), o.to_string()))
            .collect()
    };
    assert_eq!(
        attempts,
        pairs(&[
            ("plan", "planned"),
            ("refused apply", "refused"),
            ("apply", "failed"),
            ("apply", "completed"),
            ("undo", "undone"),
            ("purge", "purged"),
        ])
    );
    for e in &log.entries {
        assert_eq!(e.run_id, planned.run_id);
        assert_eq!(e.clinic_id, "fresh");
        assert_eq!(e.env, "sandbox-test");
        assert!(!e.os_user.is_empty());
        assert_eq!(e.inputs.len(), 1);
        assert_eq!(e.inputs[0].sha256.len(), 64);
    }
    assert_eq!(log.entries[1].principal, "reader");
    assert_eq!(log.entries[3].principal, "undo test");
    // It names no client.
    let text = std::fs::read_to_string(audit::path(rig.data.path())).unwrap();
    assert!(!text.contains("Biscuit") && !text.contains("jose.muller"));

    // Someone edits the log: the apply that failed now says completed.
    let edited: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 2 {
                l.replace("\"failed\"", "\"completed\"")
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(audit::path(rig.data.path()), edited.join("\n") + "\n").unwrap();
    let log = audit::verify(rig.data.path()).unwrap();
    assert_eq!(
        log.tampering,
        ["entry 3 was changed or removed after it was written"]
    );
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let path = e.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn a_purge_leaves_no_client_data_of_the_run_on_disk() {
    let rig = rig(10, 3).await;
    let plan = clinic_with_updates(&rig).await;
    // The first run (the clinic's 30 clients) stays; the second is purged.
    let kept = import::runs(rig.data.path()).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(rig.apply(&plan).await.unwrap().status, RunStatus::Completed);
    let dir = run_dir(rig.data.path(), &plan.run_id);

    // What the run holds, as `ph-import runs` and the History screen show it.
    let runs = import::runs(rig.data.path()).unwrap();
    let run = runs.iter().find(|r| r.info.id == plan.run_id).unwrap();
    assert_eq!(run.clients.update, 30);
    assert!(run.on_disk.journal_rows > 80, "{:?}", run.on_disk);
    assert_eq!(run.on_disk.backup.len(), 3);
    assert!(run.on_disk.plan.is_some() && run.on_disk.log.is_some());
    let reports: Vec<&str> = run
        .on_disk
        .reports
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(reports, ["errors.csv", "results.csv", "summary.txt"]);
    let detail = import::run_detail(rig.data.path(), &plan.run_id).unwrap();
    assert_eq!(detail.overview.clients.new, 10);
    assert_eq!(detail.history.len(), 1);
    assert!(detail.log.iter().any(|l| l.contains("verify")));

    // A run still running is not purged: it needs its journal.
    {
        let db = rusqlite::Connection::open(rig.data.path().join("journal.sqlite")).unwrap();
        db.execute(
            "UPDATE runs SET status = 'running' WHERE id = ?1",
            [&plan.run_id],
        )
        .unwrap();
    }
    let err = import::purge(rig.data.path(), &plan.run_id).unwrap_err();
    assert!(matches!(err, ImportError::WrongState { .. }), "{err}");
    assert!(dir.join("plan.json").is_file());
    {
        let db = rusqlite::Connection::open(rig.data.path().join("journal.sqlite")).unwrap();
        db.execute(
            "UPDATE runs SET status = 'completed' WHERE id = ?1",
            [&plan.run_id],
        )
        .unwrap();
    }

    import::purge(rig.data.path(), &plan.run_id).unwrap();
    assert!(!dir.exists(), "the run's folder is gone");
    let db = rusqlite::Connection::open(rig.data.path().join("journal.sqlite")).unwrap();
    for (table, column) in [
        ("runs", "id"),
        ("batches", "run_id"),
        ("items", "run_id"),
        ("befores", "run_id"),
        ("phases", "run_id"),
        ("batch_sizes", "run_id"),
    ] {
        let n: i64 = db
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?1"),
                [&plan.run_id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0, "{table} still has rows of the run");
    }
    drop(db);
    // No byte of the run's own records is left anywhere in the data folder: the new
    // clients' e-mails and the second phones the run wrote.
    for path in files_under(rig.data.path()) {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for needle in ["owner35@example.com", "+13120000004", "G00039"] {
            assert!(
                !text.contains(needle),
                "{} still holds {needle}",
                path.display()
            );
        }
        assert!(!text.contains(&plan.run_id) || path.ends_with("audit.jsonl"));
    }
    let runs = import::runs(rig.data.path()).unwrap();
    assert_eq!(runs.len(), 1, "the other run is untouched");
    assert_eq!(runs[0].info.id, kept[0].info.id);
    assert!(import::history::on_disk(
        rig.data.path(),
        &import::Journal::open(rig.data.path()).unwrap(),
        &plan.run_id
    )
    .unwrap()
    .is_empty());
    // The audit keeps the run's entries.
    let audit = audit::read(rig.data.path()).unwrap();
    assert!(audit
        .iter()
        .any(|e| e.run_id == plan.run_id && e.action == "purge"));
}
