//! A weekly cohort: many clinics imported in one batch. A manifest names each clinic (PH id,
//! environment, files, profile, settings, decisions); [`plan()`] checks every clinic and file
//! first (nothing is sent) and plans each clinic as one run of the import engine; [`apply()`]
//! applies (or resumes) those runs a few clinics at a time; [`status()`] says where each stands.
//! Each clinic is an ordinary run with its own journal rows, folder, reports and audit lines,
//! so a failure in one never touches the others, and `ph-import runs`, `resume` and `undo`
//! work on it as on any run.
//!
//! The host opens the environments (the CLI from its settings and keychain, the app from its
//! own) and hands the clients over as [`Endpoints`]; progress comes as [`CohortEvent`]s.

pub mod apply;
mod bounded;
pub mod manifest;
pub mod plan;
pub mod state;

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use crate::import::{ImportError, Progress};
use crate::job::JobProgress;
use crate::ph::{EnvironmentKind, PhApi};
use crate::private_file::CreateError;
use crate::small_file::SmallFileError;

pub use apply::{apply, ApplyOptions};
pub use manifest::{ClinicEntry, LoadedManifest, Manifest};
pub use plan::{plan, Folders, PlanOptions};
pub use state::{
    locate, status, ClinicState, ClinicStatus, ClinicView, CohortState, CohortStatus, Group,
    Located,
};

/// An environment opened by the host: its client, its base URL and its kind.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The client, with the environment's token.
    pub api: PhApi,
    /// The base URL in use (recorded in each plan).
    pub base_url: String,
    /// Staging, production, sandbox…
    pub kind: EnvironmentKind,
}

/// The environments a cohort uses, by name: opened, or why not (no token, unknown name), in
/// words the clinic's checks then report.
pub type Endpoints = BTreeMap<String, Result<Endpoint, String>>;

/// What a cohort is doing, for a progress display: one clinic's step.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
#[ts(export)]
pub enum CohortEvent {
    /// Its environment, token, clinic and files are being checked.
    Checking {
        /// The clinic's PH id.
        clinic_id: String,
        /// Its environment.
        env: String,
    },
    /// Its files are being converted and matched against PH.
    Planning {
        /// The clinic's PH id.
        clinic_id: String,
        /// Its environment.
        env: String,
    },
    /// Its plan is saved.
    Planned {
        /// The clinic's PH id.
        clinic_id: String,
        /// Its environment.
        env: String,
        /// The run the plan starts.
        run_id: String,
        /// The plan in one paragraph.
        summary: String,
    },
    /// Its files are being read: sampled for the mapping (checks), then converted (plan).
    Reading {
        /// The clinic's PH id.
        clinic_id: String,
        /// Its environment.
        env: String,
        /// The step, the table and how far it is.
        progress: JobProgress,
    },
    /// Its clinic's PH clients are being read for matching.
    ReadingPh {
        /// The clinic's PH id.
        clinic_id: String,
        /// Its environment.
        env: String,
        /// Clients read so far.
        #[ts(type = "number")]
        read: u64,
        /// Clients in all, when PH says.
        #[ts(type = "number | null")]
        total: Option<u64>,
    },
    /// It failed its checks or its plan.
    NotPlanned {
        /// The clinic's PH id.
        clinic_id: String,
        /// Its environment.
        env: String,
        /// Each problem, in words.
        problems: Vec<String>,
    },
    /// Its run is being applied or resumed.
    Applying {
        /// The clinic's PH id.
        clinic_id: String,
        /// Its environment.
        env: String,
        /// The run.
        run_id: String,
    },
    /// Its run's progress, as a single import reports it.
    Progress {
        /// The clinic's PH id.
        clinic_id: String,
        /// Its environment.
        env: String,
        /// The phase and counts.
        progress: Progress,
    },
    /// Its run stopped: completed, or not, and why.
    Finished {
        /// The clinic's PH id.
        clinic_id: String,
        /// Its environment.
        env: String,
        /// Where it stands now.
        status: ClinicStatus,
        /// The run's summary, or the error.
        message: String,
    },
}

/// Why a cohort command could not go on.
#[derive(Debug, thiserror::Error)]
pub enum CohortError {
    /// The manifest is not a cohort manifest.
    #[error("the cohort manifest {path} is not valid: {reason}. docs/cohort.md describes it.")]
    Manifest {
        /// The file.
        path: String,
        /// What is wrong, and where.
        reason: String,
    },
    /// The manifest (or a file it names) could not be read.
    #[error(transparent)]
    Read(#[from] SmallFileError),
    /// The state file could not be read.
    #[error("the cohort state {path} could not be read: {reason}. Plan the cohort again with `ph-import cohort plan MANIFEST`.")]
    State {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// No state: the cohort was not planned yet.
    #[error("there is no cohort state at {path}: plan the cohort first with `ph-import cohort plan MANIFEST`.")]
    NoState {
        /// Where it was looked for.
        path: String,
    },
    /// The manifest changed since the cohort was planned.
    #[error("the manifest {manifest} changed since the cohort was planned; plan it again with `ph-import cohort plan {manifest}` (clinics already started keep their runs).")]
    ManifestChanged {
        /// The manifest.
        manifest: String,
    },
    /// Clinics failed their checks, and the cohort was not planned.
    #[error("{failed} of {total} clinics failed their checks, so the cohort was not planned and nothing was sent:\n{}\nFix them, or plan with --skip-failing to plan the other clinics.", list(.problems))]
    ChecksFailed {
        /// Clinics that failed.
        failed: usize,
        /// Clinics in the manifest.
        total: usize,
        /// Each failing clinic (`riverside on sandbox`) with its problems.
        problems: Vec<(String, Vec<String>)>,
    },
    /// The person cancelled the plan: no state was saved (plans already made stay on disk
    /// as runs never applied).
    #[error("the cohort plan was cancelled; its state was not saved. Plan it again with `ph-import cohort plan MANIFEST`.")]
    Cancelled,
    /// A local file of the cohort could not be written.
    #[error(transparent)]
    File(#[from] CreateError),
    /// The import engine failed (its journal, the data folder).
    #[error(transparent)]
    Import(#[from] ImportError),
}

fn list(problems: &[(String, Vec<String>)]) -> String {
    let mut out = Vec::new();
    for (clinic, list) in problems {
        out.push(format!("  {clinic}:"));
        for p in list {
            out.push(format!("    - {p}"));
        }
    }
    out.join("\n")
}
