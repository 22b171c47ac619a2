//! Why an import step could not go on, each in words a tech-team member can act on.

use crate::job::WriteError;
use crate::ph::PhError;
use crate::private_file::CreateError;

/// An import, resume or undo that stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A local file could not be read or written.
    #[error("could not use {path}: {reason}. Check that the folder exists and is writable, with free space.")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        reason: String,
    },
    /// A file with client data could not be created safely.
    #[error(transparent)]
    File(#[from] CreateError),
    /// The plan file is not one this version can apply.
    #[error("{path} is not an import plan this version can apply: {reason}. Make a new plan with `ph-import plan`.")]
    BadPlan {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A file that is not one of a run's reports was asked for.
    #[error("{name} is not a report of run {run}; its reports are results.csv, errors.csv and summary.txt.")]
    NotAReport {
        /// The run.
        run: String,
        /// The name asked for.
        name: String,
    },
    /// The run has not written the report (yet).
    #[error(
        "run {run} has no {name} yet: reports are written when a run finishes. Resume it first."
    )]
    NoReport {
        /// The run.
        run: String,
        /// The report.
        name: String,
    },
    /// PH refused a request or could not be reached.
    #[error(transparent)]
    Ph(#[from] PhError),
    /// The files could not be converted for planning (read error, or cancelled).
    #[error(transparent)]
    Convert(#[from] WriteError),
    /// The local journal failed.
    #[error("the import journal {path} failed: {reason}. Nothing more was sent; free disk space or fix the folder's permissions, then resume the run.")]
    Journal {
        /// The database file.
        path: String,
        /// What SQLite said.
        reason: String,
    },
    /// The token may not write.
    #[error("{principal} has the {role} role on {env}; only a principal with the importer role may apply or undo an import. The attempt was recorded in the audit log. Log in with an importer token (`ph-import login --env {env}`).")]
    NotImporter {
        /// Who tried.
        principal: String,
        /// Their role.
        role: String,
        /// The environment.
        env: String,
    },
    /// The token may not use the plan's clinic.
    #[error("the token of {principal} on {env} may not use clinic {clinic}; its clinics are: {allowed}. Check --clinic, or ask for a token for that clinic.")]
    WrongClinic {
        /// Who tried.
        principal: String,
        /// The environment.
        env: String,
        /// The clinic asked for.
        clinic: String,
        /// The clinics it may use.
        allowed: String,
    },
    /// The plan was made for another environment.
    #[error("the plan was made for {planned} ({planned_url}), not for {env} ({url}). Make a new plan for {env}.")]
    WrongEnvironment {
        /// The plan's environment.
        planned: String,
        /// Its URL.
        planned_url: String,
        /// The session's environment.
        env: String,
        /// Its URL.
        url: String,
    },
    /// PH changed since the plan was made, so its matches may be wrong.
    #[error("the clinic changed in PH since the plan was made ({details}). Nothing was sent. Make a new plan (`ph-import plan …`) and review its differences.")]
    PhChanged {
        /// What changed.
        details: String,
    },
    /// Records wait for decisions.
    #[error("{count} records of the plan wait for a decision (ambiguous matches). Decide them (a decisions file, or the app), or apply with --skip-undecided to leave them out.")]
    Undecided {
        /// How many.
        count: u64,
    },
    /// The run is not in the journal.
    #[error("there is no import run {run} on this computer; `ph-import runs` lists them.")]
    UnknownRun {
        /// The id given.
        run: String,
    },
    /// The run's state does not allow this.
    #[error("run {run} is {status}: {what}")]
    WrongState {
        /// The run.
        run: String,
        /// Its status.
        status: String,
        /// What cannot be done, and what can.
        what: String,
    },
    /// A batch got no answer after every retry: the run stopped and can be resumed.
    #[error("{phase} stopped: {reason}. Nothing is lost and nothing will be sent twice: run `ph-import resume {run}` when PH answers again.")]
    Interrupted {
        /// The run.
        run: String,
        /// The phase.
        phase: String,
        /// The last error.
        reason: String,
    },
}

impl ImportError {
    pub(crate) fn journal(path: &std::path::Path, e: impl std::fmt::Display) -> ImportError {
        ImportError::Journal {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, e: impl std::fmt::Display) -> ImportError {
        ImportError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }
}
