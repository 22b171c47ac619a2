//! Commands of the "Review problems" step: thin adapters over `ph_import_core::review`.
//!
//! The session (every record of the conversion with its findings) lives here between
//! commands; each command locks it, asks the core, and answers with what the UI shows.
//! Everything runs off the UI thread: a summary of two million records takes a moment.

use std::path::Path;
use std::sync::{Arc, Mutex};

use ph_import_core::canonical::{Entity, Field};
use ph_import_core::job::WriteError;
use ph_import_core::job::{EditedSummary, ImportSettings, Job, JobProgress};
use ph_import_core::mapping::Mapping;
use ph_import_core::private_file::Overwrite;
use ph_import_core::review::{Edits, Filter, Page, ReviewError, ReviewRow, Session, Summary};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use crate::commands::{off_ui_thread, read_inputs, Jobs, ReadRequest};
use crate::error::AppError;

/// The review session of the files being converted, if one is open, the mapping it was
/// opened with, and the files it read (edits name rows of those files).
#[derive(Default)]
pub struct ReviewState(
    Arc<Mutex<Option<Session>>>,
    Arc<Mutex<Option<Mapping>>>,
    Arc<Mutex<Vec<String>>>,
);

impl ReviewState {
    /// The open review's changes and exclusions when it was opened with `mapping`; None when
    /// no review is open, or it belongs to another mapping (its rows may not be these).
    pub fn edits_for(&self, mapping: &Mapping) -> Result<Option<Edits>, AppError> {
        let opened = self.1.lock().map_err(|_| not_open())?;
        if opened.as_ref() != Some(mapping) {
            return Ok(None);
        }
        let guard = self.0.lock().map_err(|_| not_open())?;
        Ok(guard.as_ref().map(Session::edits))
    }
}

/// Progress of opening the review, sent as the `review-progress` event.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReviewProgress {
    /// The job this progress belongs to.
    pub job_id: String,
    /// The table being read (position in the mapping).
    pub table: u32,
    /// How many tables there are.
    pub tables: u32,
    /// Bytes of that table's file read so far.
    #[ts(type = "number")]
    pub bytes_read: u64,
    /// The file's size.
    #[ts(type = "number | null")]
    pub bytes_total: Option<u64>,
    /// Rows of that table converted so far.
    #[ts(type = "number")]
    pub rows_read: u64,
}

impl ReviewProgress {
    fn of(job_id: &str, p: &JobProgress) -> Self {
        ReviewProgress {
            job_id: job_id.to_owned(),
            table: p.table_index,
            tables: p.tables,
            bytes_read: p.bytes_read,
            bytes_total: p.bytes_total,
            rows_read: p.rows,
        }
    }
}

/// A changed record and the counts after the change.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EditOutcome {
    /// The record with its new values and findings.
    pub row: ReviewRow,
    /// The counts now.
    pub summary: Summary,
}

/// How many records a fix changed, and the counts after it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SimilarOutcome {
    /// Records changed.
    pub changed: u32,
    /// The counts now.
    pub summary: Summary,
}

fn review_error(e: ReviewError) -> AppError {
    match e {
        ReviewError::Convert(e) => WriteError::from(e).into(),
        other => AppError::new("review", other.to_string()),
    }
}

fn not_open() -> AppError {
    AppError::new(
        "review",
        "No review is open: go back to Map columns and open Review problems again.",
    )
}

/// Runs `work` on the open session, off the UI thread.
async fn with_session<T: Send + 'static>(
    state: &ReviewState,
    work: impl FnOnce(&mut Session) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let shared = state.0.clone();
    off_ui_thread(move || {
        let mut guard = shared.lock().map_err(|_| {
            AppError::new(
                "internal",
                "The review is unavailable after an earlier failure; open it again.",
            )
        })?;
        let session = guard.as_mut().ok_or_else(not_open)?;
        work(session)
    })
    .await
}

/// Converts every row of the files with the mapping and keeps the records and findings for
/// review; reports progress as `review-progress`; cancellable with `cancel_job`.
#[tauri::command]
pub async fn open_review(
    app: AppHandle,
    jobs: State<'_, Jobs>,
    state: State<'_, ReviewState>,
    job_id: String,
    files: Vec<ReadRequest>,
    mapping: Mapping,
    settings: ImportSettings,
) -> Result<Summary, AppError> {
    let inputs = read_inputs(&files)?;
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let shared = state.0.clone();
    let opened = state.1.clone();
    let opened_files = state.2.clone();
    let id = job_id.clone();
    jobs.run(&job_id, move |cancel| {
        // The person's fixes and exclusions outlive a change of mapping or settings: they
        // name rows and fields of the same files, applied again to the new conversion. The
        // earlier session's memory is freed before the new one is built.
        let earlier = shared.lock().map_err(|_| not_open())?.take();
        let same_files = *opened_files.lock().map_err(|_| not_open())? == paths;
        let carried = earlier.filter(|_| same_files).map(|s| s.edits());
        *opened.lock().map_err(|_| not_open())? = Some(mapping.clone());
        *opened_files.lock().map_err(|_| not_open())? = paths;
        let job = Job::with_mapping(&inputs, mapping)?;
        // A lost progress event only makes the bar lag.
        let mut report =
            |p: JobProgress| drop(app.emit("review-progress", ReviewProgress::of(&id, &p)));
        let mut session = job
            .review(settings.required(), &mut report, cancel)
            .map_err(review_error)?;
        if let Some(edits) = carried {
            session.apply_edits(&edits).map_err(review_error)?;
        }
        let summary = session.summary();
        *shared.lock().map_err(|_| not_open())? = Some(session);
        Ok(summary)
    })
    .await
}

/// The counts of the open review.
#[tauri::command]
pub async fn review_summary(state: State<'_, ReviewState>) -> Result<Summary, AppError> {
    with_session(&state, |s| Ok(s.summary())).await
}

/// A window of the records matching the filter.
#[tauri::command]
pub async fn review_page(
    state: State<'_, ReviewState>,
    entity: Entity,
    filter: Filter,
    offset: u32,
    limit: u32,
) -> Result<Page, AppError> {
    // A page is what a screen shows; more is a mistake of the caller.
    let limit = limit.min(1000);
    with_session(&state, move |s| Ok(s.page(entity, &filter, offset, limit))).await
}

/// Changes one value of a record; the record is validated again at once.
#[tauri::command]
pub async fn review_edit(
    state: State<'_, ReviewState>,
    entity: Entity,
    id: u32,
    field: Field,
    value: String,
) -> Result<EditOutcome, AppError> {
    with_session(&state, move |s| {
        let row = s.edit(entity, id, field, &value).map_err(review_error)?;
        Ok(EditOutcome {
            row,
            summary: s.summary(),
        })
    })
    .await
}

/// How many records have a finding like this one (same code, field and value).
#[tauri::command]
pub async fn review_similar_count(
    state: State<'_, ReviewState>,
    code: String,
    field: Field,
    value: String,
) -> Result<u32, AppError> {
    with_session(&state, move |s| Ok(s.similar_count(&code, field, &value))).await
}

/// Applies a fix (the given value, or each finding's suggestion) to every similar record.
#[tauri::command]
pub async fn review_apply_similar(
    state: State<'_, ReviewState>,
    code: String,
    field: Field,
    value: String,
    replacement: Option<String>,
) -> Result<SimilarOutcome, AppError> {
    with_session(&state, move |s| {
        let changed = s
            .apply_to_similar(&code, field, &value, replacement.as_deref())
            .map_err(review_error)?;
        Ok(SimilarOutcome {
            changed,
            summary: s.summary(),
        })
    })
    .await
}

/// Leaves records out of the canonical files, or puts them back.
#[tauri::command]
pub async fn review_exclude(
    state: State<'_, ReviewState>,
    entity: Entity,
    ids: Vec<u32>,
    excluded: bool,
) -> Result<Summary, AppError> {
    with_session(&state, move |s| {
        s.set_excluded(entity, &ids, excluded)
            .map_err(review_error)?;
        Ok(s.summary())
    })
    .await
}

/// Converts every row again with the review's changes and writes `clients.csv`,
/// `patients.csv`, `findings.csv`, the mapping profile and `edits.json` into `dir`: the
/// files `ph-import convert --profile mapping-profile.json --edits edits.json` writes.
#[tauri::command]
pub async fn save_reviewed(
    jobs: State<'_, Jobs>,
    state: State<'_, ReviewState>,
    job_id: String,
    files: Vec<ReadRequest>,
    mapping: Mapping,
    dir: String,
    settings: ImportSettings,
) -> Result<EditedSummary, AppError> {
    let inputs = read_inputs(&files)?;
    let edits = state.edits_for(&mapping)?.unwrap_or_default();
    jobs.run(&job_id, move |cancel| {
        let job = Job::with_mapping(&inputs, mapping)?;
        Ok(job.save_reviewed(
            Path::new(&dir),
            settings.policies(Overwrite::Replace),
            &edits,
            &mut |_| {},
            cancel,
        )?)
    })
    .await
}

/// The review's changes and exclusions so far (what Save writes as `edits.json`).
#[tauri::command]
pub async fn review_edits(state: State<'_, ReviewState>) -> Result<Edits, AppError> {
    with_session(&state, |s| Ok(s.edits())).await
}
