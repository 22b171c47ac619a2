//! Tauri commands: each one is a thin adapter over one core call.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ph_import_core::read::{self, Inspection, ReadOptions};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use crate::error::AppError;
use crate::sandbox::{EmbeddedSandbox, EnvironmentStatus};

/// The app's name and version, for the title bar and the About line.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    /// Product name as installed.
    pub name: String,
    /// Semantic version of this build.
    pub version: String,
}

/// How the UI asks to read a file; every field overrides one automatic guess.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ReadRequest {
    /// Absolute path of the file, from a drop or the file dialog.
    pub path: String,
    /// The sheet of a workbook to look at (preview and row count only; a job reads every
    /// sheet with data); the first sheet with data when absent.
    #[ts(optional)]
    pub sheet: Option<String>,
    /// 1-based header row of a text file; 0 means the file has no header row.
    #[ts(optional)]
    pub header_row: Option<u32>,
    /// 1-based header row per sheet of a workbook, by sheet name (0: no header row).
    #[ts(optional)]
    pub header_rows: Option<BTreeMap<String, u32>>,
    /// Text encoding label such as `windows-1252`; detected when absent.
    #[ts(optional)]
    pub encoding: Option<String>,
    /// Field delimiter; sniffed when absent.
    #[ts(optional)]
    pub delimiter: Option<String>,
}

impl ReadRequest {
    pub(crate) fn options(&self) -> Result<ReadOptions, AppError> {
        let delimiter = match self.delimiter.as_deref() {
            None | Some("") => None,
            Some(d) => Some(read::delimiter_named(d).ok_or_else(|| {
                AppError::new(
                    "invalid_option",
                    format!("The delimiter must be one character, not \"{d}\"."),
                )
            })?),
        };
        Ok(ReadOptions {
            sheet: self.sheet.clone(),
            header_row: self.header_row,
            header_rows: self.header_rows.clone().unwrap_or_default(),
            encoding: self.encoding.clone(),
            delimiter,
            ..ReadOptions::default()
        })
    }
}

/// Progress of a long read, sent to the UI as the `read-progress` event.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReadProgress {
    /// The job this progress belongs to.
    pub job_id: String,
    /// Bytes read so far.
    #[ts(type = "number")]
    pub bytes_read: u64,
    /// Total size of the file in bytes, when known.
    #[ts(type = "number | null")]
    pub bytes_total: Option<u64>,
    /// Data rows read so far.
    #[ts(type = "number")]
    pub rows_read: u64,
}

impl ReadProgress {
    fn of(job_id: &str, p: &read::Progress) -> Self {
        ReadProgress {
            job_id: job_id.to_owned(),
            bytes_read: p.bytes_read,
            bytes_total: p.bytes_total,
            rows_read: p.rows_read,
        }
    }
}

/// Cancel flags of the long jobs now running, by job id.
#[derive(Default)]
pub struct Jobs(Mutex<HashMap<String, Arc<AtomicBool>>>);

impl Jobs {
    pub(crate) fn register(&self, id: &str) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        if let Ok(mut jobs) = self.0.lock() {
            jobs.insert(id.to_owned(), flag.clone());
        }
        flag
    }

    /// Runs `work` off the UI thread as the job `id`, which the UI can cancel meanwhile.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        id: &str,
        work: impl FnOnce(&AtomicBool) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let cancel = self.register(id);
        let result = off_ui_thread(move || work(&cancel)).await;
        self.finish(id);
        result
    }

    pub(crate) fn finish(&self, id: &str) {
        if let Ok(mut jobs) = self.0.lock() {
            jobs.remove(id);
        }
    }

    fn cancel(&self, id: &str) -> bool {
        match self.0.lock() {
            Ok(jobs) => jobs
                .get(id)
                .map(|flag| flag.store(true, Ordering::Relaxed))
                .is_some(),
            Err(_) => false,
        }
    }
}

/// Name and version of the running app.
#[tauri::command]
pub fn app_info(app: AppHandle) -> AppInfo {
    let info = app.package_info();
    AppInfo {
        name: info.name.clone(),
        version: info.version.to_string(),
    }
}

/// The PH environment the app talks to, and whether it is ready.
#[tauri::command]
pub async fn environment_status(
    sandbox: State<'_, EmbeddedSandbox>,
) -> Result<EnvironmentStatus, AppError> {
    Ok(sandbox.status().await)
}

/// Reads only the start of a file: detection and the first rows, fast even for huge files.
#[tauri::command]
pub async fn preview_file(request: ReadRequest) -> Result<Inspection, AppError> {
    let options = request.options()?;
    let path = PathBuf::from(&request.path);
    off_ui_thread(move || read::preview(&path, &options).map_err(AppError::from)).await
}

/// Reads a whole file once (exact row count, ragged rows), reporting progress; cancellable.
#[tauri::command]
pub async fn inspect_file(
    app: AppHandle,
    jobs: State<'_, Jobs>,
    job_id: String,
    request: ReadRequest,
) -> Result<Inspection, AppError> {
    let options = request.options()?;
    let path = PathBuf::from(&request.path);
    let id = job_id.clone();
    jobs.run(&job_id, move |cancel| {
        // A lost progress event only makes the bar lag; the result still arrives.
        let report = |p: read::Progress| drop(app.emit("read-progress", ReadProgress::of(&id, &p)));
        Ok(read::inspect(&path, &options, &report, cancel)?)
    })
    .await
}

/// Asks a running job to stop; returns false when no such job is running.
#[tauri::command]
pub fn cancel_job(jobs: State<'_, Jobs>, job_id: String) -> bool {
    jobs.cancel(&job_id)
}

/// Each file's path with the read options the user chose for it. The sheet looked at is left
/// out: a job reads every sheet with data, whatever sheet the person last looked at.
pub(crate) fn read_inputs(files: &[ReadRequest]) -> Result<Vec<(PathBuf, ReadOptions)>, AppError> {
    files
        .iter()
        .map(|f| {
            let options = ReadOptions {
                sheet: None,
                ..f.options()?
            };
            Ok((PathBuf::from(&f.path), options))
        })
        .collect()
}

/// Runs blocking core work on the blocking pool so the window never freezes.
pub(crate) async fn off_ui_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| AppError::new("internal", format!("The work stopped unexpectedly: {e}")))?
}
