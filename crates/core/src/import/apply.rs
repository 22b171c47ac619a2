//! Applying a plan, in phases: access → backup → clients (create, update) → patients
//! (create, update) → verify → report. Batches are deterministic (the same plan always cuts
//! the same batches with the same idempotency keys), so a run killed at any moment is
//! resumed by sending again every batch the journal has no answer for: PH replays the ones
//! it already applied, and nothing is created twice.

use std::collections::VecDeque;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::Entity;
use crate::dedupe::classify::{diffs, same_value};
use crate::ph::canonical::{client_record, patient_record};
use crate::ph::types::{
    Client, ClientItemResult, CreateClientsInput, CreatePatientsInput, ItemStatus as PhStatus,
    PatientItemResult, Role, UpdateClientsInput, UpdatePatientsInput,
};
use crate::ph::{PhApi, PhError, Principal};

use super::audit::{self, AuditEntry};
use super::error::ImportError;
use super::export::{fetch_clinic, write_canonical};
use super::journal::{Item, ItemStatus, Journal, RunStatus};
use super::log::RunLog;
use super::plan::{Op, Owner, Plan, Snapshot};
use super::report;

/// The phases of an apply, in order.
pub mod phase {
    /// Target access and role.
    pub const ACCESS: &str = "access";
    /// The clinic's PH data saved to the run folder.
    pub const BACKUP: &str = "backup";
    /// New clients.
    pub const CLIENTS_CREATE: &str = "clients.create";
    /// Changed clients.
    pub const CLIENTS_UPDATE: &str = "clients.update";
    /// New pets.
    pub const PATIENTS_CREATE: &str = "patients.create";
    /// Changed pets.
    pub const PATIENTS_UPDATE: &str = "patients.update";
    /// What was written, read back and compared with the plan.
    pub const VERIFY: &str = "verify";
    /// results.csv, errors.csv, summary.txt.
    pub const REPORT: &str = "report";
}

/// How to apply.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Batches in flight at once.
    pub concurrency: usize,
    /// Leave out records that wait for a decision instead of refusing the plan.
    pub skip_undecided: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            concurrency: 4,
            skip_undecided: false,
        }
    }
}

/// Where an apply (or undo) is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, rename = "ImportProgress")]
pub struct Progress {
    /// The phase (`backup`, `clients.create`, …).
    pub phase: String,
    /// Records of the phase done (including those done before a resume).
    #[ts(type = "number")]
    pub done: u64,
    /// Records of the phase in all.
    #[ts(type = "number")]
    pub total: u64,
    /// Records per second in this session.
    pub rate: f64,
    /// Seconds left at this rate.
    pub eta_secs: Option<f64>,
}

/// How many records got each outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Tally {
    /// Created.
    #[ts(type = "number")]
    pub created: u64,
    /// Changed.
    #[ts(type = "number")]
    pub updated: u64,
    /// Left as they were (identical, or PH already had the values).
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Refused by PH.
    #[ts(type = "number")]
    pub errors: u64,
    /// Not sent (skipped, undecided, owner not imported).
    #[ts(type = "number")]
    pub skipped: u64,
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunReport {
    /// The run.
    pub run_id: String,
    /// Where it stands.
    pub status: RunStatus,
    /// The run's folder.
    pub dir: String,
    /// Clients.
    pub clients: Tally,
    /// Pets.
    pub patients: Tally,
    /// What verifying found different from the plan.
    pub problems: Vec<String>,
    /// The human summary (also in summary.txt).
    pub summary: String,
}

/// What an apply works with.
pub struct Context<'a> {
    /// The PH client of the plan's environment.
    pub api: &'a PhApi,
    /// The app's data folder (journal, runs, audit log).
    pub data_dir: &'a Path,
}

/// The folder of a run's local data.
pub fn run_dir(data_dir: &Path, run_id: &str) -> PathBuf {
    data_dir.join("runs").join(run_id)
}

/// Loads the plan saved in a run's folder.
pub fn load_run_plan(data_dir: &Path, run_id: &str) -> Result<Plan, ImportError> {
    let path = run_dir(data_dir, run_id).join("plan.json");
    if !path.exists() {
        return Err(ImportError::UnknownRun {
            run: run_id.to_owned(),
        });
    }
    Plan::load(&path)
}

/// Checks that the token may write to the plan's clinic; a refusal is audited.
pub(crate) async fn check_access(
    ctx: &Context<'_>,
    plan: &Plan,
    action: &str,
) -> Result<Principal, ImportError> {
    if plan.target.env != ctx.api.env() {
        return Err(ImportError::WrongEnvironment {
            planned: plan.target.env.clone(),
            planned_url: plan.target.base_url.clone(),
            env: ctx.api.env().to_owned(),
            url: String::new(),
        });
    }
    let me = match ctx.api.me().await {
        Ok(me) => me,
        Err(e) => {
            // An attempt that could not even ask PH who the token is: audited all the same.
            let e = ImportError::from(e);
            audit::append(
                ctx.data_dir,
                &audit_entry(plan, "", action, "failed", &e.to_string()),
            )?;
            return Err(e);
        }
    };
    let refusal = if me.role != Role::Importer {
        Some(ImportError::NotImporter {
            principal: me.name.clone(),
            role: me.role.label().to_owned(),
            env: plan.target.env.clone(),
        })
    } else if !me.clinics.iter().any(|c| c.id == plan.target.clinic_id) {
        Some(ImportError::WrongClinic {
            principal: me.name.clone(),
            env: plan.target.env.clone(),
            clinic: plan.target.clinic_id.clone(),
            allowed: me
                .clinics
                .iter()
                .map(|c| format!("{} ({})", c.id, c.name))
                .collect::<Vec<_>>()
                .join(", "),
        })
    } else {
        None
    };
    match refusal {
        Some(e) => {
            audit::append(
                ctx.data_dir,
                &audit_entry(
                    plan,
                    &me.name,
                    &format!("refused {action}"),
                    "refused",
                    &e.to_string(),
                ),
            )?;
            Err(e)
        }
        None => Ok(me),
    }
}

/// Audits an attempt that stopped before it began, and returns its error.
pub(crate) fn audited<T>(
    ctx: &Context<'_>,
    plan: &Plan,
    principal: &str,
    action: &str,
    outcome: &str,
    e: ImportError,
) -> Result<T, ImportError> {
    audit::append(
        ctx.data_dir,
        &audit_entry(plan, principal, action, outcome, &e.to_string()),
    )?;
    Err(e)
}

/// The run's batch size: the one it started with, which PH must still allow.
async fn batch_size(
    ctx: &Context<'_>,
    journal: &Journal,
    plan: &Plan,
    status: RunStatus,
) -> Result<usize, ImportError> {
    let server_max = ctx.api.api_info().await?.max_batch_size.max(1) as usize;
    let batch_size = journal.batch_size(&plan.run_id, server_max)?;
    if batch_size > server_max {
        // Smaller batches would carry other items under the same keys: PH would refuse them.
        return Err(ImportError::WrongState {
            run: plan.run_id.clone(),
            status: status.as_str().to_owned(),
            what: format!(
                "it was started with batches of {batch_size}, and {} now allows at most {server_max}; nothing more was sent. Plan the files again for a new run (what was imported is found identical)",
                plan.target.env
            ),
        });
    }
    Ok(batch_size)
}

pub(crate) fn audit_entry(
    plan: &Plan,
    principal: &str,
    action: &str,
    outcome: &str,
    message: &str,
) -> AuditEntry {
    AuditEntry {
        at: chrono::Utc::now(),
        os_user: audit::os_user(),
        principal: principal.to_owned(),
        env: plan.target.env.clone(),
        clinic_id: plan.target.clinic_id.clone(),
        clinic_name: plan.target.clinic_name.clone(),
        action: action.to_owned(),
        run_id: plan.run_id.clone(),
        inputs: plan.inputs.clone(),
        clients: plan.summary.clients.clone(),
        patients: plan.summary.patients.clone(),
        outcome: outcome.to_owned(),
        message: message.to_owned(),
        seq: None,
        prev_hash: None,
    }
}

/// Applies `plan`, or resumes it where the journal says it stopped. `cancel` stops it after
/// the batches in flight are answered; it can be resumed or undone then.
pub async fn apply(
    ctx: &Context<'_>,
    plan: &Plan,
    options: Options,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&Progress),
) -> Result<RunReport, ImportError> {
    if plan.undecided() > 0 && !options.skip_undecided {
        return Err(ImportError::Undecided {
            count: plan.undecided(),
        });
    }
    let dir = run_dir(ctx.data_dir, &plan.run_id);
    crate::private_file::create_dir(&dir)?;
    let plan_path = dir.join("plan.json");
    if !plan_path.exists() {
        plan.save(&plan_path)?;
    } else if Plan::load(&plan_path)? != *plan {
        // The journal's batches and keys belong to the saved plan: another plan under the
        // same run id would be sent against them, and its records matched to others' ids.
        return Err(ImportError::BadPlan {
            path: plan_path.display().to_string(),
            reason: format!(
                "run {} was started from the plan saved here, and the plan given differs from it (edited?). Apply the saved plan (`ph-import resume {}`)",
                plan.run_id, plan.run_id
            ),
        });
    }
    let mut journal = Journal::open(ctx.data_dir)?;
    journal.add_run(plan, &dir)?;
    let info = journal
        .run(&plan.run_id)?
        .ok_or_else(|| ImportError::UnknownRun {
            run: plan.run_id.clone(),
        })?;
    let action = match info.status {
        RunStatus::Planned => "apply",
        RunStatus::Running | RunStatus::Failed | RunStatus::Cancelled => "resume",
        status => {
            return audited(
                ctx,
                plan,
                "",
                "refused apply",
                "refused",
                ImportError::WrongState {
                    run: plan.run_id.clone(),
                    status: status.as_str().to_owned(),
                    what: "it has nothing left to send. To import the files again, make a new plan (`ph-import plan` or `ph-import import`)".to_owned(),
                },
            )
        }
    };
    let mut log = RunLog::open(&dir)?;
    let started = Instant::now();
    let me = check_access(ctx, plan, action).await?;
    log.line(
        phase::ACCESS,
        0,
        0,
        started.elapsed(),
        &format!("{action} by {} on {}", me.name, plan.target.env),
    )?;
    journal.set_status(&plan.run_id, RunStatus::Running, phase::ACCESS, "")?;
    let batch_size = match batch_size(ctx, &journal, plan, info.status).await {
        Ok(n) => n,
        Err(e) => {
            journal.set_status(
                &plan.run_id,
                RunStatus::Failed,
                phase::ACCESS,
                &e.to_string(),
            )?;
            return audited(ctx, plan, &me.name, action, "failed", e);
        }
    };
    let mut runner = Runner {
        api: ctx.api,
        plan,
        journal: &mut journal,
        log: &mut log,
        options,
        cancel,
        progress,
        batch_size,
    };
    let outcome = runner.run(&dir).await;
    let (status, message) = match &outcome {
        Ok(r) => (r.status, r.summary.clone()),
        // Refused before anything was sent: the run stays as new (a new plan replaces it).
        Err(e @ ImportError::PhChanged { .. }) => (RunStatus::Planned, e.to_string()),
        Err(e) => (
            if cancel.load(Ordering::Relaxed) {
                RunStatus::Cancelled
            } else {
                RunStatus::Failed
            },
            e.to_string(),
        ),
    };
    if let Err(e) = &outcome {
        runner
            .journal
            .set_status(&plan.run_id, status, "", &e.to_string())?;
    }
    audit::append(
        ctx.data_dir,
        &audit_entry(plan, &me.name, action, status.as_str(), &message),
    )?;
    outcome
}

struct Runner<'a, 'p> {
    api: &'a PhApi,
    plan: &'a Plan,
    journal: &'a mut Journal,
    log: &'a mut RunLog,
    options: Options,
    cancel: &'a AtomicBool,
    progress: &'p mut dyn FnMut(&Progress),
    batch_size: usize,
}

/// What sending one batch came to: its number and steps, its key, and the items or the error.
type Sent = (u32, Vec<usize>, String, Result<Vec<Item>, PhError>);

enum PhaseEnd {
    Done,
    Cancelled,
}

impl Runner<'_, '_> {
    async fn run(&mut self, dir: &Path) -> Result<RunReport, ImportError> {
        let run = self.plan.run_id.clone();
        if !self.journal.phase_finished(&run, phase::BACKUP)? {
            self.backup(dir).await?;
        }
        let phases = [
            phase::CLIENTS_CREATE,
            phase::CLIENTS_UPDATE,
            phase::PATIENTS_CREATE,
            phase::PATIENTS_UPDATE,
        ];
        for name in phases {
            if self.journal.phase_finished(&run, name)? {
                continue;
            }
            self.journal
                .set_status(&run, RunStatus::Running, name, "")?;
            let end = match name {
                phase::CLIENTS_CREATE => self.create_clients().await?,
                phase::CLIENTS_UPDATE => self.update_clients().await?,
                phase::PATIENTS_CREATE => self.create_patients().await?,
                _ => self.update_patients().await?,
            };
            if let PhaseEnd::Cancelled = end {
                let message = format!("cancelled during {name}; `ph-import resume {run}` finishes it, sending nothing twice");
                self.journal
                    .set_status(&run, RunStatus::Cancelled, name, &message)?;
                return Ok(RunReport {
                    run_id: run,
                    status: RunStatus::Cancelled,
                    dir: dir.display().to_string(),
                    clients: Tally::default(),
                    patients: Tally::default(),
                    problems: Vec::new(),
                    summary: message,
                });
            }
            self.journal.finish_phase(&run, name)?;
        }
        self.journal
            .set_status(&run, RunStatus::Running, phase::VERIFY, "")?;
        let started = Instant::now();
        let now = fetch_clinic(self.api, &self.plan.target.clinic_id, &mut |_, _| {}).await?;
        let backup = super::export::read_backup(&dir.join("backup"))?;
        let problems = verify(self.plan, self.journal, &backup, &now)?;
        self.log.line(
            phase::VERIFY,
            now.len() as u64,
            problems.len() as u64,
            started.elapsed(),
            "",
        )?;
        let started = Instant::now();
        let written = report::write(dir, self.plan, self.journal, &problems)?;
        let status = if problems.is_empty() {
            RunStatus::Completed
        } else {
            RunStatus::VerifyFailed
        };
        self.log
            .line(phase::REPORT, 0, 0, started.elapsed(), &written.summary)?;
        self.journal
            .set_status(&run, status, phase::REPORT, &written.summary)?;
        Ok(RunReport {
            run_id: run,
            status,
            dir: dir.display().to_string(),
            clients: written.clients,
            patients: written.patients,
            problems,
            summary: written.summary,
        })
    }

    /// Saves the clinic's PH data before anything is written, checks that it is what the
    /// plan saw, and journals the before-image of every record to be updated.
    async fn backup(&mut self, dir: &Path) -> Result<(), ImportError> {
        let run = self.plan.run_id.clone();
        self.journal
            .set_status(&run, RunStatus::Running, phase::BACKUP, "")?;
        let started = Instant::now();
        let progress = &mut *self.progress;
        let clients = fetch_clinic(self.api, &self.plan.target.clinic_id, &mut |done, total| {
            progress(&Progress {
                phase: phase::BACKUP.to_owned(),
                done,
                total: total.unwrap_or(done),
                rate: done as f64 / started.elapsed().as_secs_f64().max(1e-3),
                eta_secs: None,
            })
        })
        .await?;
        let now = Snapshot::of(&clients);
        if now.digest != self.plan.snapshot.digest {
            let details = changes_since(self.plan, &clients, &now);
            // Nothing was sent: the run is as new, and a new plan replaces it.
            self.journal
                .set_status(&run, RunStatus::Planned, phase::BACKUP, "")?;
            return Err(ImportError::PhChanged { details });
        }
        write_canonical(
            &dir.join("backup"),
            &clients,
            crate::private_file::Overwrite::Replace,
        )?;
        let by_id: FxHashMap<&str, &Client> = clients.iter().map(|c| (c.id.as_str(), c)).collect();
        let mut client_befores = Vec::new();
        for step in &self.plan.clients {
            if let Op::Update { ph_id, .. } = &step.op {
                if let Some(c) = by_id.get(ph_id.as_str()) {
                    client_befores.push((ph_id.clone(), json(&client_record(c))));
                }
            }
        }
        let mut pets = FxHashMap::default();
        for c in &clients {
            for p in &c.patients {
                pets.insert(p.id.as_str(), (p, c.external_id.as_deref().unwrap_or("")));
            }
        }
        let mut patient_befores = Vec::new();
        for step in &self.plan.patients {
            if let Op::Update { ph_id, .. } = &step.op {
                if let Some((p, owner)) = pets.get(ph_id.as_str()) {
                    patient_befores.push((ph_id.clone(), json(&patient_record(p, owner))));
                }
            }
        }
        self.journal.put_befores(&run, "client", &client_befores)?;
        self.journal
            .put_befores(&run, "patient", &patient_befores)?;
        self.journal.finish_phase(&run, phase::BACKUP)?;
        self.log.line(
            phase::BACKUP,
            clients.len() as u64,
            0,
            started.elapsed(),
            "",
        )?;
        Ok(())
    }

    async fn create_clients(&mut self) -> Result<PhaseEnd, ImportError> {
        let steps: Vec<usize> = steps_with(self.plan.clients.iter().map(|s| &s.op), |op| {
            matches!(op, Op::Create)
        });
        let (api, plan) = (self.api.clone(), self.plan);
        let target = (plan.target.clinic_id.clone(), plan.run_id.clone());
        self.run_phase(phase::CLIENTS_CREATE, steps, move |number, steps, key| {
            let input = CreateClientsInput {
                clinic_id: target.0.clone(),
                import_run_id: target.1.clone(),
                idempotency_key: key.clone(),
                clients: steps.iter().map(|&i| plan.clients[i].input()).collect(),
            };
            let api = api.clone();
            async move {
                let result = api.create_clients(&input).await;
                let items = result.and_then(|r| client_items(&steps, r.items));
                (number, steps, key, items)
            }
        })
        .await
    }

    async fn update_clients(&mut self) -> Result<PhaseEnd, ImportError> {
        let steps: Vec<usize> = steps_with(self.plan.clients.iter().map(|s| &s.op), |op| {
            matches!(op, Op::Update { .. })
        });
        let (api, plan) = (self.api.clone(), self.plan);
        let target = (plan.target.clinic_id.clone(), plan.run_id.clone());
        self.run_phase(phase::CLIENTS_UPDATE, steps, move |number, steps, key| {
            let input = UpdateClientsInput {
                clinic_id: target.0.clone(),
                import_run_id: target.1.clone(),
                idempotency_key: key.clone(),
                clients: steps
                    .iter()
                    .filter_map(|&i| plan.clients[i].update())
                    .collect(),
            };
            let api = api.clone();
            async move {
                let result = api.update_clients(&input).await;
                let items = result.and_then(|r| client_items(&steps, r.items));
                (number, steps, key, items)
            }
        })
        .await
    }

    async fn create_patients(&mut self) -> Result<PhaseEnd, ImportError> {
        let run = self.plan.run_id.clone();
        let created = self.journal.items(&run, phase::CLIENTS_CREATE)?;
        let mut owners: FxHashMap<usize, String> = FxHashMap::default();
        let mut skipped = Vec::new();
        let mut steps = Vec::new();
        for (i, p) in self.plan.patients.iter().enumerate() {
            if !matches!(p.op, Op::Create) {
                continue;
            }
            let owner = match &p.owner {
                Owner::Ph { id } => Some(id.clone()),
                Owner::Planned { step } => created
                    .get(step)
                    .filter(|item| item.status == ItemStatus::Created)
                    .and_then(|item| item.ph_id.clone()),
                Owner::None => None,
            };
            match owner {
                Some(id) => {
                    owners.insert(i, id);
                    steps.push(i);
                }
                None => skipped.push(Item {
                    step: i,
                    status: ItemStatus::Skipped,
                    ph_id: None,
                    message: format!(
                        "not sent: its owner {} was not created",
                        p.record.client_external_id
                    ),
                    after: None,
                }),
            }
        }
        self.journal
            .record_items(&run, phase::PATIENTS_CREATE, &skipped)?;
        let (api, plan) = (self.api.clone(), self.plan);
        let target = (plan.target.clinic_id.clone(), plan.run_id.clone());
        self.run_phase(phase::PATIENTS_CREATE, steps, move |number, steps, key| {
            let input = CreatePatientsInput {
                clinic_id: target.0.clone(),
                import_run_id: target.1.clone(),
                idempotency_key: key.clone(),
                patients: steps
                    .iter()
                    .map(|&i| plan.patients[i].input(owners.get(&i).map_or("", |s| s.as_str())))
                    .collect(),
            };
            let api = api.clone();
            // The task runs on its own, so it owns what it needs: the owners' external IDs
            // (how the journal's after-images name a pet's owner), not the plan.
            let owner_ids = owner_ids(plan, &steps);
            async move {
                let result = api.create_patients(&input).await;
                let items = result.and_then(|r| patient_items(&steps, r.items, &owner_ids));
                (number, steps, key, items)
            }
        })
        .await
    }

    async fn update_patients(&mut self) -> Result<PhaseEnd, ImportError> {
        let steps: Vec<usize> = steps_with(self.plan.patients.iter().map(|s| &s.op), |op| {
            matches!(op, Op::Update { .. })
        });
        let (api, plan) = (self.api.clone(), self.plan);
        let target = (plan.target.clinic_id.clone(), plan.run_id.clone());
        self.run_phase(phase::PATIENTS_UPDATE, steps, move |number, steps, key| {
            let input = UpdatePatientsInput {
                clinic_id: target.0.clone(),
                import_run_id: target.1.clone(),
                idempotency_key: key.clone(),
                patients: steps
                    .iter()
                    .filter_map(|&i| plan.patients[i].update())
                    .collect(),
            };
            let api = api.clone();
            let owner_ids = owner_ids(plan, &steps);
            async move {
                let result = api.update_patients(&input).await;
                let items = result.and_then(|r| patient_items(&steps, r.items, &owner_ids));
                (number, steps, key, items)
            }
        })
        .await
    }

    /// Sends `steps` in batches of the server's size, `concurrency` at a time, skipping the
    /// batches the journal has answers for, journaling each answer as it comes.
    async fn run_phase<F, Fut>(
        &mut self,
        name: &str,
        steps: Vec<usize>,
        send: F,
    ) -> Result<PhaseEnd, ImportError>
    where
        F: Fn(u32, Vec<usize>, String) -> Fut,
        Fut: Future<Output = Sent> + Send + 'static,
    {
        let run = self.plan.run_id.clone();
        let started = Instant::now();
        let total = steps.len() as u64;
        let answered = self.journal.answered_batches(&run, name)?;
        let mut pending: VecDeque<(u32, Vec<usize>)> = VecDeque::new();
        let mut done = 0u64;
        for (n, chunk) in steps.chunks(self.batch_size).enumerate() {
            let n = n as u32;
            if answered.contains(&n) {
                done += chunk.len() as u64;
            } else {
                pending.push_back((n, chunk.to_vec()));
            }
        }
        let done_before = done;
        let mut errors = 0u64;
        let mut failure: Option<PhError> = None;
        let mut tasks = tokio::task::JoinSet::new();
        loop {
            while tasks.len() < self.options.concurrency.max(1)
                && failure.is_none()
                && !self.cancel.load(Ordering::Relaxed)
            {
                let Some((n, chunk)) = pending.pop_front() else {
                    break;
                };
                let key = format!("{run}-{name}-{n}");
                tasks.spawn(send(n, chunk, key));
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            match joined {
                Ok((n, chunk, key, Ok(items))) => {
                    errors += items
                        .iter()
                        .filter(|i| i.status == ItemStatus::Error)
                        .count() as u64;
                    self.journal.record_batch(&run, name, n, &key, &items)?;
                    done += chunk.len() as u64;
                    let secs = started.elapsed().as_secs_f64().max(1e-3);
                    let rate = (done - done_before) as f64 / secs;
                    (self.progress)(&Progress {
                        phase: name.to_owned(),
                        done,
                        total,
                        rate,
                        eta_secs: (rate > 0.0).then(|| (total - done) as f64 / rate),
                    });
                }
                Ok((_, _, _, Err(e))) => {
                    failure.get_or_insert(e);
                }
                Err(join) => {
                    failure.get_or_insert(PhError::Setup {
                        reason: format!("a batch task failed: {join}"),
                    });
                }
            }
        }
        if let Some(e) = failure {
            self.log.line(
                name,
                done,
                errors,
                started.elapsed(),
                &format!("stopped: {e}"),
            )?;
            return Err(ImportError::Interrupted {
                run,
                phase: name.to_owned(),
                reason: e.to_string(),
            });
        }
        if !pending.is_empty() {
            self.log
                .line(name, done, errors, started.elapsed(), "cancelled")?;
            return Ok(PhaseEnd::Cancelled);
        }
        self.log.line(name, done, errors, started.elapsed(), "")?;
        Ok(PhaseEnd::Done)
    }
}

fn steps_with<'a>(ops: impl Iterator<Item = &'a Op>, keep: impl Fn(&Op) -> bool) -> Vec<usize> {
    ops.enumerate()
        .filter(|(_, op)| keep(op))
        .map(|(i, _)| i)
        .collect()
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn status_of(s: PhStatus) -> ItemStatus {
    match s {
        PhStatus::Created => ItemStatus::Created,
        PhStatus::Updated => ItemStatus::Updated,
        PhStatus::Unchanged => ItemStatus::Unchanged,
        PhStatus::Error => ItemStatus::Error,
    }
}

fn wrong_count(got: usize, sent: usize) -> PhError {
    PhError::UnexpectedResponse {
        operation: "batch".into(),
        reason: format!("{got} results for {sent} items"),
    }
}

fn error_text(e: Option<&crate::ph::types::ItemError>) -> String {
    e.map(|e| match &e.field {
        Some(f) => format!("{} ({f}): {}", e.code, e.message),
        None => format!("{}: {}", e.code, e.message),
    })
    .unwrap_or_default()
}

fn client_items(steps: &[usize], results: Vec<ClientItemResult>) -> Result<Vec<Item>, PhError> {
    if results.len() != steps.len() {
        return Err(wrong_count(results.len(), steps.len()));
    }
    let mut items = Vec::with_capacity(steps.len());
    for r in results {
        let step = *steps
            .get(r.index)
            .ok_or_else(|| wrong_count(r.index + 1, steps.len()))?;
        items.push(Item {
            step,
            status: status_of(r.status),
            ph_id: r.client.as_ref().map(|c| c.id.clone()),
            message: error_text(r.error.as_ref()),
            after: r.client.as_ref().map(|c| json(&client_record(c))),
        });
    }
    Ok(items)
}

/// The owners' external IDs of the pets at `steps`, in the same order.
fn owner_ids(plan: &Plan, steps: &[usize]) -> Vec<String> {
    steps
        .iter()
        .map(|&i| plan.patients[i].record.client_external_id.clone())
        .collect()
}

fn patient_items(
    steps: &[usize],
    results: Vec<PatientItemResult>,
    owner_ids: &[String],
) -> Result<Vec<Item>, PhError> {
    if results.len() != steps.len() {
        return Err(wrong_count(results.len(), steps.len()));
    }
    let mut items = Vec::with_capacity(steps.len());
    for r in results {
        let step = *steps
            .get(r.index)
            .ok_or_else(|| wrong_count(r.index + 1, steps.len()))?;
        let owner = owner_ids.get(r.index).map_or("", String::as_str);
        items.push(Item {
            step,
            status: status_of(r.status),
            ph_id: r.patient.as_ref().map(|p| p.id.clone()),
            message: error_text(r.error.as_ref()),
            after: r.patient.as_ref().map(|p| json(&patient_record(p, owner))),
        });
    }
    Ok(items)
}

/// What changed in the clinic between the plan's snapshot and now, in words.
fn changes_since(plan: &Plan, clients: &[Client], now: &Snapshot) -> String {
    let mut parts = Vec::new();
    if now.clients != plan.snapshot.clients {
        parts.push(format!(
            "{} clients then, {} now",
            plan.snapshot.clients, now.clients
        ));
    }
    if now.patients != plan.snapshot.patients {
        parts.push(format!(
            "{} patients then, {} now",
            plan.snapshot.patients, now.patients
        ));
    }
    let since = plan.snapshot.latest_change.unwrap_or(plan.created_at);
    let changed = clients.iter().filter(|c| c.updated_at > since).count();
    if changed > 0 {
        parts.push(format!(
            "{changed} clients changed since {}",
            since.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    if parts.is_empty() {
        parts.push("records were removed or replaced".to_owned());
    }
    parts.join("; ")
}

/// Reads back what the run wrote and compares it with the plan: every created record is in
/// PH with the file's values, every update's fields hold the file's values, and the clinic
/// holds as many records as the backup plus those created.
fn verify(
    plan: &Plan,
    journal: &Journal,
    backup: &[Client],
    now: &[Client],
) -> Result<Vec<String>, ImportError> {
    let run = &plan.run_id;
    let clients: FxHashMap<&str, &Client> = now.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut pets = FxHashMap::default();
    for c in now {
        for p in &c.patients {
            pets.insert(p.id.as_str(), (p, c));
        }
    }
    let mut problems = Vec::new();
    let mut created_clients = 0u64;
    let mut created_pets = 0u64;
    for (phase_name, entity) in [
        (phase::CLIENTS_CREATE, Entity::Client),
        (phase::CLIENTS_UPDATE, Entity::Client),
        (phase::PATIENTS_CREATE, Entity::Patient),
        (phase::PATIENTS_UPDATE, Entity::Patient),
    ] {
        let items = journal.items(run, phase_name)?;
        let mut steps: Vec<&Item> = items.values().collect();
        steps.sort_by_key(|i| i.step);
        for item in steps {
            if !matches!(
                item.status,
                ItemStatus::Created | ItemStatus::Updated | ItemStatus::Unchanged
            ) {
                continue;
            }
            let id = item.ph_id.as_deref().unwrap_or("");
            let created = item.status == ItemStatus::Created;
            let (label, different) = match entity {
                Entity::Client => {
                    let Some(step) = plan.clients.get(item.step) else {
                        problems.push(format!(
                            "the journal names client step {}, which the plan does not have",
                            item.step
                        ));
                        continue;
                    };
                    let label = format!("client {}", step.record.external_id);
                    let Some(c) = clients.get(id) else {
                        problems.push(format!("{label}: PH has no client {id}"));
                        continue;
                    };
                    created_clients += u64::from(created);
                    let stored = client_record(c);
                    (
                        label,
                        differing(
                            &step.op,
                            created,
                            |f| step.record.get(f),
                            |f| stored.get(f),
                            Entity::Client,
                        ),
                    )
                }
                Entity::Patient => {
                    let Some(step) = plan.patients.get(item.step) else {
                        problems.push(format!(
                            "the journal names patient step {}, which the plan does not have",
                            item.step
                        ));
                        continue;
                    };
                    let label = format!("patient {}", step.record.external_id);
                    let Some((p, owner)) = pets.get(id) else {
                        problems.push(format!("{label}: PH has no patient {id}"));
                        continue;
                    };
                    created_pets += u64::from(created);
                    let stored = patient_record(p, owner.external_id.as_deref().unwrap_or(""));
                    let mut d = differing(
                        &step.op,
                        created,
                        |f| step.record.get(f),
                        |f| stored.get(f),
                        Entity::Patient,
                    );
                    if let Owner::Ph { id: owner_id } = &step.owner {
                        if &owner.id != owner_id {
                            d.push(format!("owner is {} instead of {owner_id}", owner.id));
                        }
                    }
                    (label, d)
                }
            };
            if !different.is_empty() {
                problems.push(format!("{label} ({id}): {}", different.join(", ")));
            }
        }
    }
    let expected_clients = backup.len() as u64 + created_clients;
    let backup_pets: u64 = backup.iter().map(|c| c.patients.len() as u64).sum();
    let expected_pets = backup_pets + created_pets;
    let now_pets: u64 = now.iter().map(|c| c.patients.len() as u64).sum();
    if now.len() as u64 != expected_clients || now_pets != expected_pets {
        problems.push(format!(
            "the clinic holds {} clients and {now_pets} patients; the backup ({} and {backup_pets}) plus this run's creations make {expected_clients} and {expected_pets}. Someone else may have changed the clinic meanwhile.",
            now.len(),
            backup.len()
        ));
    }
    Ok(problems)
}

/// The fields of a written record that do not hold what the plan sent.
fn differing<'a>(
    op: &Op,
    created: bool,
    planned: impl Fn(crate::canonical::Field) -> &'a str,
    stored: impl Fn(crate::canonical::Field) -> &'a str,
    entity: Entity,
) -> Vec<String> {
    let describe = |f: crate::canonical::Field| {
        format!("{} is {:?} instead of {:?}", f.key(), stored(f), planned(f))
    };
    if created {
        return diffs(entity, &planned, &stored)
            .into_iter()
            .map(|d| describe(d.field))
            .collect();
    }
    match op {
        Op::Update { set, .. } => set
            .iter()
            .filter(|d| {
                !(same_value(d.field, &d.file, stored(d.field))
                    || d.file.is_empty() && stored(d.field).is_empty())
            })
            .map(|d| describe(d.field))
            .collect(),
        _ => Vec::new(),
    }
}
