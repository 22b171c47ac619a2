//! The cohort's state file (`<state folder>/cohort-state.json`): which clinic is which run,
//! why a clinic was not planned, and what its last attempt came to. Where a run stands is
//! the engine's journal's word; the state only says which run to ask about.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::import::plan::Summary;
use crate::import::{run_dir, Journal, RunInfo, RunReport, RunStatus, Tally};
use crate::private_file::{self, Overwrite};

use super::manifest::{self, LoadedManifest};
use super::CohortError;

/// The state file's name in the state folder.
pub const STATE_FILE: &str = "cohort-state.json";

/// The state file's format; another is refused with a message to plan again.
pub const STATE_FORMAT: u32 = 1;

/// A planned cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortState {
    /// [`STATE_FORMAT`].
    pub format: u32,
    /// The cohort's name.
    pub name: String,
    /// The manifest it was planned from.
    pub manifest: String,
    /// SHA-256 of the manifest when planned: applying from a changed manifest is refused.
    pub manifest_sha256: String,
    /// Clinics imported at once.
    pub max_parallel: usize,
    /// When it was (last) planned.
    pub planned_at: DateTime<Utc>,
    /// Each clinic, in the manifest's order.
    pub clinics: Vec<ClinicState>,
}

/// One clinic of a planned cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicState {
    /// The clinic's PH id.
    pub clinic_id: String,
    /// Its environment.
    pub env: String,
    /// Its name in PH (empty when PH could not be asked).
    pub clinic_name: String,
    /// Its run, when it was planned.
    pub run_id: Option<String>,
    /// The saved plan.
    pub plan_file: Option<String>,
    /// What the plan will do.
    pub planned: Option<Summary>,
    /// Leave out the records that wait for a decision.
    pub skip_undecided: bool,
    /// Why it was not planned (its checks), empty when it was.
    pub problems: Vec<String>,
    /// What the last apply or resume of the cohort reported for it.
    pub last_report: Option<RunReport>,
    /// The error the last attempt stopped with, if it did.
    pub last_error: Option<String>,
    /// Whether that error refused the run before anything was sent (a new plan is needed).
    pub refused: bool,
}

impl ClinicState {
    /// How the clinic is named in messages: `riverside on sandbox`.
    pub fn label(&self) -> String {
        format!("{} on {}", self.clinic_id, self.env)
    }

    /// Where the clinic stands, given its run's journal entry.
    pub fn status(&self, run: Option<&RunInfo>) -> ClinicStatus {
        if self.run_id.is_none() {
            return ClinicStatus::Skipped;
        }
        match run.map(|r| r.status) {
            None | Some(RunStatus::Planned) if self.refused => ClinicStatus::Refused,
            // Stopped before it began (PH unreachable at the access check): resume retries.
            None | Some(RunStatus::Planned) if self.last_error.is_some() => ClinicStatus::Failed,
            None | Some(RunStatus::Planned) => ClinicStatus::Planned,
            Some(RunStatus::Running) => ClinicStatus::Running,
            Some(RunStatus::Cancelled) => ClinicStatus::Cancelled,
            Some(RunStatus::Failed) => ClinicStatus::Failed,
            Some(RunStatus::Completed) => ClinicStatus::Completed,
            Some(RunStatus::VerifyFailed) => ClinicStatus::VerifyFailed,
            Some(RunStatus::Undoing | RunStatus::Undone | RunStatus::UndonePartly) => {
                ClinicStatus::Undone
            }
        }
    }
}

/// Where one clinic of a cohort stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "CohortClinicStatus")]
pub enum ClinicStatus {
    /// It failed its checks and was not planned (`--skip-failing`): fix it and plan again.
    Skipped,
    /// Planned; nothing sent yet.
    Planned,
    /// Its run was refused before anything was sent (the clinic changed in PH, the token):
    /// plan the cohort again.
    Refused,
    /// Being applied, or its process was killed while it was: resume it.
    Running,
    /// Stopped by the person: resume it.
    Cancelled,
    /// Stopped by an error (PH unreachable): resume it.
    Failed,
    /// Everything sent and verified.
    Completed,
    /// Everything sent, but PH differs from the plan (see the run's summary.txt).
    VerifyFailed,
    /// Its run was undone.
    Undone,
}

/// The three counts of a cohort's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "CohortGroup")]
pub enum Group {
    /// Completed.
    Done,
    /// Not imported, and apply alone will not change that (or stopped by an error).
    Failed,
    /// Planned, or stopped part-way: apply or resume finishes it.
    Pending,
}

impl ClinicStatus {
    /// The status as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ClinicStatus::Skipped => "skipped",
            ClinicStatus::Planned => "planned",
            ClinicStatus::Refused => "refused",
            ClinicStatus::Running => "running",
            ClinicStatus::Cancelled => "cancelled",
            ClinicStatus::Failed => "failed",
            ClinicStatus::Completed => "completed",
            ClinicStatus::VerifyFailed => "verify_failed",
            ClinicStatus::Undone => "undone",
        }
    }

    /// Which count of the summary it is in.
    pub fn group(self) -> Group {
        match self {
            ClinicStatus::Completed => Group::Done,
            ClinicStatus::Planned | ClinicStatus::Running | ClinicStatus::Cancelled => {
                Group::Pending
            }
            ClinicStatus::Skipped
            | ClinicStatus::Refused
            | ClinicStatus::Failed
            | ClinicStatus::VerifyFailed
            | ClinicStatus::Undone => Group::Failed,
        }
    }

    /// Whether `cohort apply` / `cohort resume` sends its run: not started yet, or stopped
    /// part-way (the engine resumes it, sending nothing twice).
    pub fn to_send(self) -> bool {
        matches!(
            self,
            ClinicStatus::Planned
                | ClinicStatus::Running
                | ClinicStatus::Cancelled
                | ClinicStatus::Failed
        )
    }

    /// Whether its run has sent anything (so a new cohort plan keeps it).
    pub fn started(self) -> bool {
        !matches!(
            self,
            ClinicStatus::Skipped | ClinicStatus::Planned | ClinicStatus::Refused
        )
    }

    /// What to do about it, in words (empty when nothing is to be done).
    pub fn next_step(self) -> &'static str {
        match self {
            ClinicStatus::Skipped => "fix its problems, then `ph-import cohort plan` again",
            ClinicStatus::Refused => "`ph-import cohort plan` again makes a new plan for it",
            ClinicStatus::Planned => "`ph-import cohort apply` sends it",
            ClinicStatus::Running | ClinicStatus::Cancelled | ClinicStatus::Failed => {
                "`ph-import cohort resume` finishes it, sending nothing twice"
            }
            ClinicStatus::VerifyFailed => "see the run's summary.txt",
            ClinicStatus::Completed | ClinicStatus::Undone => "",
        }
    }
}

impl CohortState {
    /// Whether `typed` confirms sending to production: the cohort's name, as a single
    /// import's confirmation is the clinic's.
    pub fn confirms(&self, typed: &str) -> bool {
        !typed.trim().is_empty() && typed.trim() == self.name.trim()
    }

    /// The state file in `dir`.
    pub fn path_in(dir: &Path) -> PathBuf {
        dir.join(STATE_FILE)
    }

    /// Reads a state file.
    pub fn load(path: &Path) -> Result<CohortState, CohortError> {
        if !path.exists() {
            return Err(CohortError::NoState {
                path: path.display().to_string(),
            });
        }
        let text = crate::small_file::read(
            path,
            "cohort state",
            "give the cohort's manifest, or the cohort-state.json `ph-import cohort plan` wrote",
        )?;
        let bad = |reason: String| CohortError::State {
            path: path.display().to_string(),
            reason,
        };
        let state: CohortState = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if state.format != STATE_FORMAT {
            return Err(bad(format!(
                "it is format {}, this version reads format {STATE_FORMAT}",
                state.format
            )));
        }
        Ok(state)
    }

    /// Writes the state whole (a new file renamed over the old), readable by its owner only,
    /// so a kill leaves the old state or the new one, never half of one.
    pub fn save(&self, path: &Path) -> Result<(), CohortError> {
        if let Some(dir) = path.parent() {
            private_file::create_dir(dir)?;
        }
        let partial = path.with_extension("json.partial");
        let io = |e: std::io::Error| CohortError::State {
            path: path.display().to_string(),
            reason: format!("could not write it: {e}"),
        };
        let json = serde_json::to_vec_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        let mut file = private_file::create(&partial, Overwrite::Replace)?;
        file.write_all(&json).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        std::fs::rename(&partial, path).map_err(io)
    }

    /// The environments of the clinics apply would send, each once.
    pub fn envs_to_send(&self, journal: &Journal) -> Result<Vec<String>, CohortError> {
        let mut envs = Vec::new();
        for c in &self.clinics {
            let run = run_of(journal, c)?;
            if c.status(run.as_ref()).to_send() && !envs.contains(&c.env) {
                envs.push(c.env.clone());
            }
        }
        Ok(envs)
    }
}

/// The run of a clinic in the journal, if it has one there.
pub(crate) fn run_of(journal: &Journal, c: &ClinicState) -> Result<Option<RunInfo>, CohortError> {
    match &c.run_id {
        Some(id) => Ok(journal.run(id)?),
        None => Ok(None),
    }
}

/// A cohort found from what a person gave: its state file, and its manifest when given.
#[derive(Debug, Clone)]
pub struct Located {
    /// The state file.
    pub state_file: PathBuf,
    /// The manifest, when a manifest was given.
    pub manifest: Option<LoadedManifest>,
}

/// Finds a cohort from a manifest (`week-49.toml`), its state folder or its state file.
/// With a manifest, the state must have been planned from it as it is now.
pub fn locate(given: &Path) -> Result<Located, CohortError> {
    if given.is_dir() {
        return Ok(Located {
            state_file: CohortState::path_in(given),
            manifest: None,
        });
    }
    if given.extension().is_some_and(|e| e == "json") {
        return Ok(Located {
            state_file: given.to_path_buf(),
            manifest: None,
        });
    }
    let loaded = manifest::load(given)?;
    let state_file = CohortState::path_in(&loaded.state_dir());
    if state_file.exists() {
        let state = CohortState::load(&state_file)?;
        if state.manifest_sha256 != loaded.sha256 {
            return Err(CohortError::ManifestChanged {
                manifest: loaded.path.display().to_string(),
            });
        }
    }
    Ok(Located {
        state_file,
        manifest: Some(loaded),
    })
}

/// One clinic as the status shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, rename = "CohortClinic")]
pub struct ClinicView {
    /// The clinic's PH id.
    pub clinic_id: String,
    /// Its environment.
    pub env: String,
    /// Its name in PH.
    pub clinic_name: String,
    /// Where it stands.
    pub status: ClinicStatus,
    /// Its count in the summary.
    pub group: Group,
    /// Its run.
    pub run_id: Option<String>,
    /// The run's folder (plan, backup, log, and once finished results.csv, errors.csv,
    /// summary.txt).
    pub run_dir: Option<String>,
    /// What its plan will do.
    pub planned: Option<Summary>,
    /// Clients as its last attempt left them (zeros until it finishes).
    pub clients: Tally,
    /// Pets as its last attempt left them.
    pub patients: Tally,
    /// Its problems (not planned), or its run's last message.
    pub problems: Vec<String>,
    /// The run's last message (its summary, or the error).
    pub message: String,
    /// What to do about it.
    pub next_step: String,
}

/// A cohort's summary: clinics done, failed and pending, the records they wrote, and each
/// clinic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CohortStatus {
    /// The cohort's name.
    pub name: String,
    /// Its state file.
    pub state_file: String,
    /// Clinics completed.
    pub done: usize,
    /// Clinics not imported that apply alone will not finish (or stopped by an error).
    pub failed: usize,
    /// Clinics planned or stopped part-way.
    pub pending: usize,
    /// Clients of every clinic, by outcome.
    pub clients: Tally,
    /// Pets of every clinic, by outcome.
    pub patients: Tally,
    /// Each clinic.
    pub clinics: Vec<ClinicView>,
}

/// The status of the cohort whose state is at `state_file`; runs are looked up in the
/// journal of `data_dir`.
pub fn status(data_dir: &Path, state_file: &Path) -> Result<CohortStatus, CohortError> {
    let state = CohortState::load(state_file)?;
    let journal = Journal::open(data_dir)?;
    summarize(&state, state_file, data_dir, &journal)
}

pub(crate) fn summarize(
    state: &CohortState,
    state_file: &Path,
    data_dir: &Path,
    journal: &Journal,
) -> Result<CohortStatus, CohortError> {
    let mut out = CohortStatus {
        name: state.name.clone(),
        state_file: state_file.display().to_string(),
        done: 0,
        failed: 0,
        pending: 0,
        clients: Tally::default(),
        patients: Tally::default(),
        clinics: Vec::with_capacity(state.clinics.len()),
    };
    for c in &state.clinics {
        let run = run_of(journal, c)?;
        let status = c.status(run.as_ref());
        let group = status.group();
        match group {
            Group::Done => out.done += 1,
            Group::Failed => out.failed += 1,
            Group::Pending => out.pending += 1,
        }
        let (clients, patients) = c
            .last_report
            .as_ref()
            .map(|r| (r.clients.clone(), r.patients.clone()))
            .unwrap_or_default();
        add(&mut out.clients, &clients);
        add(&mut out.patients, &patients);
        // The cohort's last error only while it still stands: a run finished since (by
        // `ph-import resume RUN`, say) speaks for itself.
        let error = c
            .last_error
            .as_ref()
            .filter(|_| matches!(status, ClinicStatus::Failed | ClinicStatus::Refused));
        let message = match (error, &run) {
            (Some(e), _) => e.clone(),
            (None, Some(r)) => r.message.clone(),
            (None, None) => c
                .planned
                .as_ref()
                .map(|s| s.text.clone())
                .unwrap_or_default(),
        };
        out.clinics.push(ClinicView {
            clinic_id: c.clinic_id.clone(),
            env: c.env.clone(),
            clinic_name: c.clinic_name.clone(),
            status,
            group,
            run_id: c.run_id.clone(),
            run_dir: match (&run, &c.run_id) {
                (Some(r), _) => Some(r.dir.clone()),
                (None, Some(id)) => Some(run_dir(data_dir, id).display().to_string()),
                (None, None) => None,
            },
            planned: c.planned.clone(),
            clients,
            patients,
            problems: c.problems.clone(),
            message,
            next_step: status.next_step().to_owned(),
        });
    }
    Ok(out)
}

fn add(total: &mut Tally, one: &Tally) {
    total.created += one.created;
    total.updated += one.updated;
    total.unchanged += one.unchanged;
    total.errors += one.errors;
    total.skipped += one.skipped;
}
