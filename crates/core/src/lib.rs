//! PH Client Import core: everything the CLI and the desktop app share.
//!
//! The core knows nothing of Tauri or of terminals. Each module owns one concept:
//! `read` opens clinic export files, `ph` speaks the PH client-import API, `import` plans,
//! applies, resumes and undoes imports, `cohort` runs many clinics' imports as one batch.
#![deny(missing_docs)]

pub mod allocator;
pub mod canonical;
pub mod cohort;
pub mod dedupe;
pub mod import;
pub mod job;
pub mod mapping;
mod memo;
pub mod ph;
pub mod private_file;
pub mod read;
pub mod review;
pub mod small_file;
pub mod table_file;
pub mod validate;
