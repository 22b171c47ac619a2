//! Undoing a run: what it updated is restored from the before-images, what it created is
//! deleted, and a record someone changed in PH since the run is left alone with the reason.
//! Undo reads PH afresh each time, so an undo that was interrupted is simply run again.

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::canonical::{ClientRecord, PatientRecord};
use crate::ph::canonical::{client_record, client_update, patient_record, patient_update};
use crate::ph::types::{Client, DeleteImportRunInput, UpdateClientsInput, UpdatePatientsInput};
use crate::ph::PhError;

use super::apply::{
    audit_entry, audited, check_access, load_run_plan, phase, run_dir, Context, Progress,
};
use super::audit;
use super::error::ImportError;
use super::export::{fetch_clinic, read_backup};
use super::journal::{Item, ItemStatus, Journal, RunStatus};
use super::log::RunLog;
use super::plan::{hex, Op, Plan};

/// How to undo.
#[derive(Debug, Clone, Copy, Default)]
pub struct UndoOptions {
    /// Also delete records the run created that someone changed in PH since.
    pub delete_changed: bool,
}

/// What an undo did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UndoReport {
    /// The run.
    pub run_id: String,
    /// `undone`, or `undone_partly` when records were refused.
    pub status: RunStatus,
    /// Updated clients given back their values from before the run.
    #[ts(type = "number")]
    pub clients_restored: u64,
    /// Updated pets given back their values from before the run.
    #[ts(type = "number")]
    pub patients_restored: u64,
    /// Clients the run created, deleted.
    #[ts(type = "number")]
    pub clients_deleted: u64,
    /// Pets the run created, deleted.
    #[ts(type = "number")]
    pub patients_deleted: u64,
    /// Records left as they are, each with the reason.
    pub refused: Vec<String>,
    /// How the clinic now differs from its backup (empty when undone exactly).
    pub differences: Vec<String>,
}

/// The phases of an undo, as its progress and the journal name them.
pub mod undo_phase {
    /// The clinic read from PH to see what changed since the run.
    pub const READ: &str = "undo.read";
    /// Updated clients given back their before-images.
    pub const CLIENTS: &str = "undo.clients";
    /// Updated pets given back their before-images.
    pub const PATIENTS: &str = "undo.patients";
    /// What the run created, deleted.
    pub const DELETE: &str = "undo.delete";
    /// The clinic read again and compared with the backup.
    pub const VERIFY: &str = "undo.verify";
}

/// Undoes the run `run_id` of this computer, `progress` after each step. `cancel` stops it
/// between two requests: the report's status is then `undoing`, and undoing again finishes
/// it (so does undoing again after a crash or an error).
pub async fn undo(
    ctx: &Context<'_>,
    run_id: &str,
    options: UndoOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&Progress),
) -> Result<UndoReport, ImportError> {
    let plan = load_run_plan(ctx.data_dir, run_id)?;
    let mut journal = Journal::open(ctx.data_dir)?;
    let info = journal
        .run(run_id)?
        .ok_or_else(|| ImportError::UnknownRun {
            run: run_id.to_owned(),
        })?;
    let refused = |what: &str| ImportError::WrongState {
        run: run_id.to_owned(),
        status: info.status.as_str().to_owned(),
        what: what.to_owned(),
    };
    let state = match info.status {
        RunStatus::Planned => Some(refused("it never wrote to PH, so there is nothing to undo")),
        RunStatus::Undone => Some(refused("it is undone already")),
        _ if !journal.phase_finished(run_id, phase::BACKUP)? => Some(refused(
            "it stopped before anything was written, so there is nothing to undo",
        )),
        _ => None,
    };
    if let Some(e) = state {
        return audited(ctx, &plan, "", "refused undo", "refused", e);
    }
    let me = check_access(ctx, &plan, "undo").await?;
    let dir = run_dir(ctx.data_dir, run_id);
    let mut log = RunLog::open(&dir)?;
    journal.set_status(run_id, RunStatus::Undoing, undo_phase::READ, "")?;
    let outcome = Undoer {
        ctx,
        plan: &plan,
        journal: &mut journal,
        log: &mut log,
        options,
        cancel,
        progress,
    }
    .run(&dir)
    .await;
    let (status, outcome_name, message) = match &outcome {
        Ok(r) => (r.status, r.status.as_str(), summary(r)),
        // Undoing again picks up where this stopped: it reads PH afresh.
        Err(e) => (RunStatus::Undoing, "failed", e.to_string()),
    };
    journal.set_status(run_id, status, "undo", &message)?;
    audit::append(
        ctx.data_dir,
        &audit_entry(&plan, &me.name, "undo", outcome_name, &message),
    )?;
    outcome
}

/// The undo in words.
pub fn summary(r: &UndoReport) -> String {
    let mut s = format!(
        "restored {} clients and {} patients, deleted {} clients and {} patients",
        r.clients_restored, r.patients_restored, r.clients_deleted, r.patients_deleted
    );
    if r.status == RunStatus::Undoing {
        s.push_str(&format!(
            "; stopped before the end: `ph-import undo {}` finishes it",
            r.run_id
        ));
        return s;
    }
    if !r.refused.is_empty() {
        s.push_str(&format!(
            "; {} left alone (changed in PH since the run)",
            r.refused.len()
        ));
    }
    if r.differences.is_empty() {
        s.push_str("; the clinic equals its backup");
    } else {
        s.push_str(&format!(
            "; {} differences from the backup remain",
            r.differences.len()
        ));
    }
    s
}

struct Undoer<'a, 'p> {
    ctx: &'a Context<'a>,
    plan: &'a Plan,
    journal: &'a mut Journal,
    log: &'a mut RunLog,
    options: UndoOptions,
    cancel: &'a AtomicBool,
    progress: &'p mut dyn FnMut(&Progress),
}

/// One record's three states: before the run, as the run left it, and now.
enum Restore {
    /// It is as the run left it: send the before values.
    Send,
    /// It already holds the before values.
    Done,
    /// Someone changed it since.
    Refuse,
}

fn restore_of<T: PartialEq>(before: &T, after: &T, now: &T) -> Restore {
    if now == before {
        Restore::Done
    } else if now == after {
        Restore::Send
    } else {
        Restore::Refuse
    }
}

/// What to do with the updated records of one entity: the restores to send (with their plan
/// steps), those already restored, and the refusals, each journaled under the undo's phase.
struct Restores<U> {
    send: Vec<(usize, String, U)>,
    done: Vec<Item>,
    refused: Vec<Item>,
}

impl<U> Default for Restores<U> {
    fn default() -> Self {
        Restores {
            send: Vec::new(),
            done: Vec::new(),
            refused: Vec::new(),
        }
    }
}

fn undo_item(step: usize, id: &str, status: ItemStatus, message: String) -> Item {
    Item {
        step,
        status,
        ph_id: Some(id.to_owned()),
        message,
        after: None,
    }
}

impl Undoer<'_, '_> {
    fn report(&mut self, phase: &str, done: u64, total: u64, started: Instant) {
        let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-3);
        (self.progress)(&Progress {
            phase: phase.to_owned(),
            done,
            total,
            rate,
            eta_secs: (rate > 0.0).then(|| total.saturating_sub(done) as f64 / rate),
        });
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    async fn run(&mut self, dir: &Path) -> Result<UndoReport, ImportError> {
        let run = self.plan.run_id.clone();
        let clinic = self.plan.target.clinic_id.clone();
        let api = self.ctx.api;
        let started = Instant::now();
        let progress = &mut *self.progress;
        let now = fetch_clinic(api, &clinic, &mut |done, total| {
            progress(&Progress {
                phase: undo_phase::READ.to_owned(),
                done,
                total: total.unwrap_or(done),
                rate: done as f64 / started.elapsed().as_secs_f64().max(1e-3),
                eta_secs: None,
            })
        })
        .await?;
        let clients: FxHashMap<&str, &Client> = now.iter().map(|c| (c.id.as_str(), c)).collect();
        let mut pets = FxHashMap::default();
        for c in &now {
            for p in &c.patients {
                pets.insert(p.id.as_str(), (p, c.external_id.as_deref().unwrap_or("")));
            }
        }

        // Updates first: restoring needs the records the run did not create, which
        // deleting leaves alone anyway.
        let mut client_restores = Restores::default();
        let befores = self.journal.befores(&run, "client")?;
        for (step, item) in sorted(self.journal.items(&run, phase::CLIENTS_UPDATE)?) {
            let (Some(id), Some(after), true) =
                (&item.ph_id, &item.after, item.status == ItemStatus::Updated)
            else {
                continue;
            };
            let Op::Update { set, .. } = &self.plan.clients[step].op else {
                continue;
            };
            let label = format!(
                "client {} ({id})",
                self.plan.clients[step].record.external_id
            );
            let refuse = |r: &mut Restores<_>, why: &str| {
                r.refused.push(undo_item(
                    step,
                    id,
                    ItemStatus::Refused,
                    format!("{label}: {why}"),
                ))
            };
            let (Some(before), Ok(after)) =
                (befores.get(id), serde_json::from_str::<ClientRecord>(after))
            else {
                refuse(
                    &mut client_restores,
                    "its before-image is missing from the journal",
                );
                continue;
            };
            let before: ClientRecord = serde_json::from_str(before)
                .map_err(|e| ImportError::journal(self.journal.path(), e))?;
            let Some(current) = clients.get(id.as_str()) else {
                refuse(&mut client_restores, "it was deleted in PH since the run");
                continue;
            };
            match restore_of(&before, &after, &client_record(current)) {
                Restore::Send => client_restores.send.push((
                    step,
                    id.clone(),
                    client_update(id, set.iter().map(|d| (d.field, before.get(d.field)))),
                )),
                Restore::Done => client_restores.done.push(undo_item(
                    step,
                    id,
                    ItemStatus::Restored,
                    String::new(),
                )),
                Restore::Refuse => refuse(
                    &mut client_restores,
                    "changed in PH since the run, left as it is",
                ),
            }
        }
        let mut patient_restores = Restores::default();
        let befores = self.journal.befores(&run, "patient")?;
        for (step, item) in sorted(self.journal.items(&run, phase::PATIENTS_UPDATE)?) {
            let (Some(id), Some(after), true) =
                (&item.ph_id, &item.after, item.status == ItemStatus::Updated)
            else {
                continue;
            };
            let Op::Update { set, .. } = &self.plan.patients[step].op else {
                continue;
            };
            let label = format!(
                "patient {} ({id})",
                self.plan.patients[step].record.external_id
            );
            let refuse = |r: &mut Restores<_>, why: &str| {
                r.refused.push(undo_item(
                    step,
                    id,
                    ItemStatus::Refused,
                    format!("{label}: {why}"),
                ))
            };
            let (Some(before), Ok(after)) = (
                befores.get(id),
                serde_json::from_str::<PatientRecord>(after),
            ) else {
                refuse(
                    &mut patient_restores,
                    "its before-image is missing from the journal",
                );
                continue;
            };
            let before: PatientRecord = serde_json::from_str(before)
                .map_err(|e| ImportError::journal(self.journal.path(), e))?;
            let Some((p, owner)) = pets.get(id.as_str()) else {
                refuse(&mut patient_restores, "it was deleted in PH since the run");
                continue;
            };
            let now = patient_record(p, owner);
            match restore_of(
                &same_owner(before.clone(), &now),
                &same_owner(after, &now),
                &now,
            ) {
                Restore::Send => patient_restores.send.push((
                    step,
                    id.clone(),
                    patient_update(id, set.iter().map(|d| (d.field, before.get(d.field)))),
                )),
                Restore::Done => patient_restores.done.push(undo_item(
                    step,
                    id,
                    ItemStatus::Restored,
                    String::new(),
                )),
                Restore::Refuse => refuse(
                    &mut patient_restores,
                    "changed in PH since the run, left as it is",
                ),
            }
        }
        let batch = api.api_info().await?.max_batch_size.max(1) as usize;
        let mut refused = Vec::new();
        let started = Instant::now();
        let clients_restored = self
            .restore(
                undo_phase::CLIENTS,
                client_restores,
                batch,
                &mut refused,
                |chunk| {
                    let input = UpdateClientsInput {
                        clinic_id: clinic.clone(),
                        import_run_id: format!("{run}-undo"),
                        idempotency_key: content_key(&run, "clients", chunk),
                        clients: chunk.to_vec(),
                    };
                    async move {
                        api.update_clients(&input)
                            .await
                            .map(|r| errors_of(r.items.iter().map(|i| (i.index, i.error.as_ref()))))
                    }
                },
            )
            .await?;
        let Some(clients_restored) = clients_restored else {
            return Ok(self.stopped(&run, refused));
        };
        let patients_restored = self
            .restore(
                undo_phase::PATIENTS,
                patient_restores,
                batch,
                &mut refused,
                |chunk| {
                    let input = UpdatePatientsInput {
                        clinic_id: clinic.clone(),
                        import_run_id: format!("{run}-undo"),
                        idempotency_key: content_key(&run, "patients", chunk),
                        patients: chunk.to_vec(),
                    };
                    async move {
                        api.update_patients(&input)
                            .await
                            .map(|r| errors_of(r.items.iter().map(|i| (i.index, i.error.as_ref()))))
                    }
                },
            )
            .await?;
        let Some(patients_restored) = patients_restored else {
            return Ok(self.stopped(&run, refused));
        };
        self.log.line(
            "undo.updates",
            clients_restored + patients_restored,
            refused.len() as u64,
            started.elapsed(),
            "",
        )?;
        if self.cancelled() {
            return Ok(self.stopped(&run, refused));
        }

        // Creations: PH deletes a run's creations as a whole, so one changed record holds
        // the deletion back unless the user says to delete it anyway.
        let started = Instant::now();
        self.journal
            .set_status(&run, RunStatus::Undoing, undo_phase::DELETE, "")?;
        self.report(undo_phase::DELETE, 0, 1, started);
        let mut changed = Vec::new();
        for (_, item) in sorted(self.journal.items(&run, phase::CLIENTS_CREATE)?) {
            let (Some(id), Some(after)) = (&item.ph_id, &item.after) else {
                continue;
            };
            let Some(c) = clients.get(id.as_str()) else {
                continue;
            };
            if serde_json::from_str::<ClientRecord>(after).ok().as_ref() != Some(&client_record(c))
            {
                changed.push(format!(
                    "client {} ({id})",
                    c.external_id.as_deref().unwrap_or("")
                ));
            }
        }
        for (_, item) in sorted(self.journal.items(&run, phase::PATIENTS_CREATE)?) {
            let (Some(id), Some(after)) = (&item.ph_id, &item.after) else {
                continue;
            };
            let Some((p, owner)) = pets.get(id.as_str()) else {
                continue;
            };
            let now = patient_record(p, owner);
            if serde_json::from_str::<PatientRecord>(after)
                .ok()
                .map(|a| same_owner(a, &now))
                .as_ref()
                != Some(&now)
            {
                changed.push(format!(
                    "patient {} ({id})",
                    p.external_id.as_deref().unwrap_or("")
                ));
            }
        }
        let (mut clients_deleted, mut patients_deleted) = (0, 0);
        if changed.is_empty() || self.options.delete_changed {
            let result = api
                .delete_import_run(&DeleteImportRunInput {
                    clinic_id: clinic.clone(),
                    import_run_id: run.clone(),
                    idempotency_key: format!("{run}-undo-delete"),
                })
                .await?;
            clients_deleted = result.clients_deleted;
            patients_deleted = result.patients_deleted;
        } else {
            for c in &changed {
                refused.push(format!("{c}: created by the run and changed in PH since; nothing the run created was deleted. Undo again with --delete-changed to delete them anyway"));
            }
        }
        self.journal.finish_phase(&run, undo_phase::DELETE)?;
        self.report(undo_phase::DELETE, 1, 1, started);
        self.log.line(
            undo_phase::DELETE,
            clients_deleted + patients_deleted,
            changed.len() as u64,
            started.elapsed(),
            "",
        )?;

        let started = Instant::now();
        self.journal
            .set_status(&run, RunStatus::Undoing, undo_phase::VERIFY, "")?;
        let after = fetch_clinic(api, &clinic, &mut |_, _| {}).await?;
        let backup = read_backup(&dir.join("backup"))?;
        let differences = differences(&backup, &after);
        self.log.line(
            undo_phase::VERIFY,
            after.len() as u64,
            differences.len() as u64,
            started.elapsed(),
            "",
        )?;
        self.report(undo_phase::VERIFY, 1, 1, started);
        let status = if refused.is_empty() && differences.is_empty() {
            RunStatus::Undone
        } else {
            RunStatus::UndonePartly
        };
        Ok(UndoReport {
            run_id: run,
            status,
            clients_restored,
            patients_restored,
            clients_deleted,
            patients_deleted,
            refused,
            differences,
        })
    }

    /// Sends the restores of one entity in batches, journaling each answer: restored items
    /// and PH's refusals. Returns how many are restored, or `None` when cancelled.
    async fn restore<U, F, Fut>(
        &mut self,
        name: &str,
        restores: Restores<U>,
        batch: usize,
        refused: &mut Vec<String>,
        send: F,
    ) -> Result<Option<u64>, ImportError>
    where
        U: Clone,
        F: Fn(&[U]) -> Fut,
        Fut: Future<Output = Result<Vec<(usize, String)>, PhError>>,
    {
        let run = self.plan.run_id.clone();
        self.journal
            .set_status(&run, RunStatus::Undoing, name, "")?;
        let started = Instant::now();
        refused.extend(restores.refused.iter().map(|i| i.message.clone()));
        self.journal.record_items(&run, name, &restores.refused)?;
        self.journal.record_items(&run, name, &restores.done)?;
        let mut restored = restores.done.len() as u64;
        let total = restored + restores.send.len() as u64;
        self.report(name, restored, total, started);
        for chunk in restores.send.chunks(batch) {
            if self.cancelled() {
                return Ok(None);
            }
            let updates: Vec<U> = chunk.iter().map(|(_, _, u)| u.clone()).collect();
            let errors: FxHashMap<usize, String> = send(&updates).await?.into_iter().collect();
            let mut items = Vec::with_capacity(chunk.len());
            for (index, (step, id, _)) in chunk.iter().enumerate() {
                match errors.get(&index) {
                    None => {
                        restored += 1;
                        items.push(undo_item(*step, id, ItemStatus::Restored, String::new()));
                    }
                    Some(e) => {
                        let message = format!("{id}: PH refused the restore: {e}");
                        refused.push(message.clone());
                        items.push(undo_item(*step, id, ItemStatus::Refused, message));
                    }
                }
            }
            self.journal.record_items(&run, name, &items)?;
            self.report(name, restored, total, started);
        }
        Ok(Some(restored))
    }

    /// The report of an undo stopped part-way: undoing again finishes it.
    fn stopped(&self, run: &str, refused: Vec<String>) -> UndoReport {
        UndoReport {
            run_id: run.to_owned(),
            status: RunStatus::Undoing,
            clients_restored: 0,
            patients_restored: 0,
            clients_deleted: 0,
            patients_deleted: 0,
            refused,
            differences: Vec::new(),
        }
    }
}

/// PH's per-item errors of a batch, by position in the batch.
fn errors_of<'e>(
    items: impl Iterator<Item = (usize, Option<&'e crate::ph::types::ItemError>)>,
) -> Vec<(usize, String)> {
    items
        .filter_map(|(i, e)| e.map(|e| (i, e.message.clone())))
        .collect()
}

/// `record` with the owner `now` names: the journal names a pet's owner by the file's
/// external ID, which the owner's PH record may not carry, so owners are compared by where
/// PH keeps the pet, not by that ID.
fn same_owner(record: PatientRecord, now: &PatientRecord) -> PatientRecord {
    PatientRecord {
        client_external_id: now.client_external_id.clone(),
        ..record
    }
}

fn sorted(items: FxHashMap<usize, super::journal::Item>) -> Vec<(usize, super::journal::Item)> {
    let mut v: Vec<_> = items.into_iter().collect();
    v.sort_by_key(|(step, _)| *step);
    v
}

/// An idempotency key of a restore batch that changes with its content: a repeated undo
/// whose records changed sends a new request rather than one PH would refuse as reused.
fn content_key<T: Serialize>(run: &str, what: &str, items: &[T]) -> String {
    let digest = Sha256::digest(serde_json::to_vec(items).unwrap_or_default());
    format!("{run}-undo-{what}-{}", &hex(&digest)[..16])
}

/// How `now` differs from `backup`, record by record, by PH id.
pub fn differences(backup: &[Client], now: &[Client]) -> Vec<String> {
    let mut out = Vec::new();
    let before: FxHashMap<&str, &Client> = backup.iter().map(|c| (c.id.as_str(), c)).collect();
    let after: FxHashMap<&str, &Client> = now.iter().map(|c| (c.id.as_str(), c)).collect();
    for c in backup {
        let Some(n) = after.get(c.id.as_str()) else {
            out.push(format!("client {} is gone", c.id));
            continue;
        };
        if client_record(c) != client_record(n) {
            out.push(format!("client {} differs", c.id));
        }
        let pets: FxHashMap<&str, _> = n.patients.iter().map(|p| (p.id.as_str(), p)).collect();
        let owner = c.external_id.as_deref().unwrap_or("");
        for p in &c.patients {
            match pets.get(p.id.as_str()) {
                None => out.push(format!("patient {} of client {} is gone", p.id, c.id)),
                Some(q) if patient_record(p, owner) != patient_record(q, owner) => {
                    out.push(format!("patient {} differs", p.id))
                }
                _ => {}
            }
        }
        for q in &n.patients {
            if !c.patients.iter().any(|p| p.id == q.id) {
                out.push(format!(
                    "patient {} of client {} was not there before",
                    q.id, c.id
                ));
            }
        }
    }
    for n in now {
        if !before.contains_key(n.id.as_str()) {
            out.push(format!("client {} was not there before", n.id));
        }
    }
    out
}

/// Deletes a run's local data (its folder and its journal rows) and audits it; PH is not
/// touched, and the audit log keeps the run's entries. A run that may still be writing is
/// refused.
pub fn purge(data_dir: &Path, run_id: &str) -> Result<(), ImportError> {
    let plan = load_run_plan(data_dir, run_id)?;
    let mut journal = Journal::open(data_dir)?;
    if let Some(info) = journal.run(run_id)? {
        if matches!(info.status, RunStatus::Running | RunStatus::Undoing) {
            return Err(ImportError::WrongState {
                run: run_id.to_owned(),
                status: info.status.as_str().to_owned(),
                what: format!(
                    "it may still be running, and it needs its journal to go on. Finish it first (`ph-import {} {run_id}`), then purge it",
                    if info.status == RunStatus::Running { "resume" } else { "undo" }
                ),
            });
        }
    }
    let dir = run_dir(data_dir, run_id);
    std::fs::remove_dir_all(&dir).map_err(|e| ImportError::io(&dir, e))?;
    journal.forget(run_id)?;
    // No PH token is used: the operating-system user in the entry says who.
    audit::append(
        data_dir,
        &audit_entry(
            &plan,
            "",
            "purge",
            "purged",
            "the run's local files and journal rows were deleted; PH was not changed",
        ),
    )
}
