//! Undoing a run: what it updated is restored from the before-images, what it created is
//! deleted, and a record someone changed in PH since the run is left alone with the reason.
//! Undo reads PH afresh each time, so an undo that was interrupted is simply run again.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::canonical::{ClientRecord, PatientRecord};
use crate::ph::canonical::{client_record, client_update, patient_record, patient_update};
use crate::ph::types::{Client, DeleteImportRunInput, UpdateClientsInput, UpdatePatientsInput};

use super::apply::{audit_entry, check_access, load_run_plan, phase, run_dir, Context};
use super::audit;
use super::error::ImportError;
use super::export::{fetch_clinic, read_backup};
use super::journal::{ItemStatus, Journal, RunStatus};
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

/// Undoes the run `run_id` of this computer.
pub async fn undo(
    ctx: &Context<'_>,
    run_id: &str,
    options: UndoOptions,
    _cancel: &AtomicBool,
) -> Result<UndoReport, ImportError> {
    let plan = load_run_plan(ctx.data_dir, run_id)?;
    let mut journal = Journal::open(ctx.data_dir)?;
    let info = journal
        .run(run_id)?
        .ok_or_else(|| ImportError::UnknownRun {
            run: run_id.to_owned(),
        })?;
    if matches!(info.status, RunStatus::Planned | RunStatus::Undone) {
        return Err(ImportError::WrongState {
            run: run_id.to_owned(),
            status: info.status.as_str().to_owned(),
            what: if info.status == RunStatus::Planned {
                "it never wrote to PH, so there is nothing to undo".to_owned()
            } else {
                "it is undone already".to_owned()
            },
        });
    }
    if !journal.phase_finished(run_id, phase::BACKUP)? {
        return Err(ImportError::WrongState {
            run: run_id.to_owned(),
            status: info.status.as_str().to_owned(),
            what: "it stopped before anything was written".to_owned(),
        });
    }
    let me = check_access(ctx, &plan, "undo").await?;
    let dir = run_dir(ctx.data_dir, run_id);
    let mut log = RunLog::open(&dir)?;
    journal.set_status(run_id, RunStatus::Undoing, "undo", "")?;
    let outcome = Undoer {
        ctx,
        plan: &plan,
        journal: &mut journal,
        log: &mut log,
        options,
    }
    .run(&dir)
    .await;
    let (status, message) = match &outcome {
        Ok(r) => (r.status, summary(r)),
        Err(e) => (RunStatus::Undoing, e.to_string()),
    };
    journal.set_status(run_id, status, "undo", &message)?;
    audit::append(
        ctx.data_dir,
        &audit_entry(&plan, &me.name, "undo", status.as_str(), &message),
    )?;
    outcome
}

/// The undo in words.
pub fn summary(r: &UndoReport) -> String {
    let mut s = format!(
        "restored {} clients and {} patients, deleted {} clients and {} patients",
        r.clients_restored, r.patients_restored, r.clients_deleted, r.patients_deleted
    );
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

struct Undoer<'a> {
    ctx: &'a Context<'a>,
    plan: &'a Plan,
    journal: &'a mut Journal,
    log: &'a mut RunLog,
    options: UndoOptions,
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

impl Undoer<'_> {
    async fn run(&mut self, dir: &Path) -> Result<UndoReport, ImportError> {
        let run = self.plan.run_id.clone();
        let clinic = self.plan.target.clinic_id.clone();
        let api = self.ctx.api;
        let started = Instant::now();
        let now = fetch_clinic(api, &clinic, &mut |_, _| {}).await?;
        let clients: FxHashMap<&str, &Client> = now.iter().map(|c| (c.id.as_str(), c)).collect();
        let mut pets = FxHashMap::default();
        for c in &now {
            for p in &c.patients {
                pets.insert(p.id.as_str(), (p, c.external_id.as_deref().unwrap_or("")));
            }
        }
        let mut refused = Vec::new();

        // Updates first: restoring needs the records the run did not create, which
        // deleting leaves alone anyway.
        let befores = self.journal.befores(&run, "client")?;
        let mut client_updates = Vec::new();
        let mut clients_restored = 0;
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
            let (Some(before), Ok(after)) =
                (befores.get(id), serde_json::from_str::<ClientRecord>(after))
            else {
                refused.push(format!(
                    "{label}: its before-image is missing from the journal"
                ));
                continue;
            };
            let before: ClientRecord = serde_json::from_str(before)
                .map_err(|e| ImportError::journal(self.journal.path(), e))?;
            let Some(current) = clients.get(id.as_str()) else {
                refused.push(format!("{label}: it was deleted in PH since the run"));
                continue;
            };
            match restore_of(&before, &after, &client_record(current)) {
                Restore::Send => {
                    client_updates.push(client_update(
                        id,
                        set.iter().map(|d| (d.field, before.get(d.field))),
                    ));
                }
                Restore::Done => clients_restored += 1,
                Restore::Refuse => refused.push(format!(
                    "{label}: changed in PH since the run, left as it is"
                )),
            }
        }
        let befores = self.journal.befores(&run, "patient")?;
        let mut patient_updates = Vec::new();
        let mut patients_restored = 0;
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
            let (Some(before), Ok(after)) = (
                befores.get(id),
                serde_json::from_str::<PatientRecord>(after),
            ) else {
                refused.push(format!(
                    "{label}: its before-image is missing from the journal"
                ));
                continue;
            };
            let before: PatientRecord = serde_json::from_str(before)
                .map_err(|e| ImportError::journal(self.journal.path(), e))?;
            let Some((p, owner)) = pets.get(id.as_str()) else {
                refused.push(format!("{label}: it was deleted in PH since the run"));
                continue;
            };
            match restore_of(&before, &after, &patient_record(p, owner)) {
                Restore::Send => {
                    patient_updates.push(patient_update(
                        id,
                        set.iter().map(|d| (d.field, before.get(d.field))),
                    ));
                }
                Restore::Done => patients_restored += 1,
                Restore::Refuse => refused.push(format!(
                    "{label}: changed in PH since the run, left as it is"
                )),
            }
        }
        let batch = api.api_info().await?.max_batch_size.max(1) as usize;
        for chunk in client_updates.chunks(batch) {
            let input = UpdateClientsInput {
                clinic_id: clinic.clone(),
                import_run_id: format!("{run}-undo"),
                idempotency_key: content_key(&run, "clients", chunk),
                clients: chunk.to_vec(),
            };
            let result = api.update_clients(&input).await?;
            for r in result.items {
                match r.error {
                    None => clients_restored += 1,
                    Some(e) => refused.push(format!(
                        "client {}: PH refused the restore: {}",
                        chunk.get(r.index).map_or("", |u| u.id.as_str()),
                        e.message
                    )),
                }
            }
        }
        for chunk in patient_updates.chunks(batch) {
            let input = UpdatePatientsInput {
                clinic_id: clinic.clone(),
                import_run_id: format!("{run}-undo"),
                idempotency_key: content_key(&run, "patients", chunk),
                patients: chunk.to_vec(),
            };
            let result = api.update_patients(&input).await?;
            for r in result.items {
                match r.error {
                    None => patients_restored += 1,
                    Some(e) => refused.push(format!(
                        "patient {}: PH refused the restore: {}",
                        chunk.get(r.index).map_or("", |u| u.id.as_str()),
                        e.message
                    )),
                }
            }
        }
        self.log.line(
            "undo.updates",
            clients_restored + patients_restored,
            refused.len() as u64,
            started.elapsed(),
            "",
        )?;

        // Creations: PH deletes a run's creations as a whole, so one changed record holds
        // the deletion back unless the user says to delete it anyway.
        let started = Instant::now();
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
            if serde_json::from_str::<PatientRecord>(after).ok().as_ref()
                != Some(&patient_record(p, owner))
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
        self.log.line(
            "undo.delete",
            clients_deleted + patients_deleted,
            changed.len() as u64,
            started.elapsed(),
            "",
        )?;

        let started = Instant::now();
        let after = fetch_clinic(api, &clinic, &mut |_, _| {}).await?;
        let backup = read_backup(&dir.join("backup"))?;
        let differences = differences(&backup, &after);
        self.log.line(
            "undo.verify",
            after.len() as u64,
            differences.len() as u64,
            started.elapsed(),
            "",
        )?;
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

/// Deletes a run's local data (its folder and its journal entries); PH is not touched.
pub fn purge(data_dir: &Path, run_id: &str, principal: &str) -> Result<(), ImportError> {
    let plan = load_run_plan(data_dir, run_id)?;
    let mut journal = Journal::open(data_dir)?;
    if let Some(info) = journal.run(run_id)? {
        if matches!(info.status, RunStatus::Running | RunStatus::Undoing) {
            return Err(ImportError::WrongState {
                run: run_id.to_owned(),
                status: info.status.as_str().to_owned(),
                what: "it may still be running. Resume or undo it first, or wait for it to finish"
                    .to_owned(),
            });
        }
    }
    let dir = run_dir(data_dir, run_id);
    std::fs::remove_dir_all(&dir).map_err(|e| ImportError::io(&dir, e))?;
    journal.forget(run_id)?;
    audit::append(
        data_dir,
        &audit_entry(
            &plan,
            principal,
            "purge",
            "purged",
            "local files and journal entries deleted",
        ),
    )
}
