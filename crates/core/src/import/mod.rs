//! Importing a plan into PH: planning, applying in phases with a durable journal, resuming,
//! undoing, reports, the audit log and exporting a clinic.

pub mod apply;
pub mod audit;
pub mod error;
pub mod export;
pub mod history;
pub mod journal;
pub mod log;
pub mod matches;
pub mod plan;
pub mod prepare;
pub mod report;
pub mod undo;

pub use apply::{apply, load_run_plan, run_dir, Context, Options, Progress, RunReport, Tally};
pub use error::ImportError;
pub use history::{run_detail, runs, OnDisk, RunDetail, RunFile, RunSummary};
pub use journal::{Journal, RunInfo, RunStatus};
pub use plan::{build, plan, Plan, PlanInput, Request, Target};
pub use prepare::{plan_job, JobPlan, PlanOverview};
pub use undo::{purge, undo, UndoOptions, UndoReport};
