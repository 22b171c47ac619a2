//! The run of one import's files, from the files chosen to the files written: find the
//! tables, sample them, choose the mapping, settle date orders, then convert every row in
//! one streaming pass that yields records, findings and duplicate groups, and write them.
//! The CLI's verbs and the app's screens drive this one run; they only show its results.

pub mod convert;
mod edited;
pub mod output;
mod run;
mod scan;
mod settings;
pub mod write;

pub use convert::convert_rows;
pub use edited::{write_edited, EditedSummary};
pub use run::{
    review_rows, Job, JobError, JobProgress, JobSpec, Phase, SAVED_EDITS, SAVED_PROFILE,
};
pub use scan::{scan, RowOrigin, Scan};
pub use settings::{unit_flag, ImportSettings};
pub use write::{
    refine_dates, repeated_entity, write_canonical, write_canonical_with, write_findings,
    CodeCount, KindCount, Policies, WriteError, WriteSummary,
};
