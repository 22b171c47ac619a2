//! Commands of the History screen: thin adapters over `ph_import_core::import`'s runs, run
//! detail, undo and purge. Resuming a run is `apply_import` again (the journal makes it send
//! nothing twice); undo sends `import-progress` events as an import does and stops with
//! `cancel_job(run_id)`.

use ph_import_core::import::audit::{self, AuditLog};
use ph_import_core::import::{
    self, load_run_plan, Context, RunDetail, RunSummary, UndoOptions, UndoReport,
};
use tauri::{AppHandle, Emitter, State};

use crate::commands::Jobs;
use crate::environments::open;
use crate::error::AppError;
use crate::import::{confirm_production, data_dir};
use crate::sandbox::EmbeddedSandbox;

/// The import runs of this computer, newest first.
#[tauri::command]
pub async fn list_runs() -> Result<Vec<RunSummary>, AppError> {
    Ok(import::runs(&data_dir()?)?)
}

/// One run in full: its plan's counts, its audit entries and its log.
#[tauri::command]
pub async fn run_detail(run_id: String) -> Result<RunDetail, AppError> {
    Ok(import::run_detail(&data_dir()?, &run_id)?)
}

/// Takes a run back: what it updated gets its values from before, what it created is
/// deleted, and a record someone changed in PH since is left and reported. Run again after
/// a stop, it finishes. Production needs `confirmation` to be the clinic's name.
#[tauri::command]
pub async fn undo_run(
    app: AppHandle,
    jobs: State<'_, Jobs>,
    sandbox: State<'_, EmbeddedSandbox>,
    run_id: String,
    confirmation: String,
    delete_changed: bool,
) -> Result<UndoReport, AppError> {
    let data = data_dir()?;
    let plan = load_run_plan(&data, &run_id)?;
    let (api, _, env) = open(&plan.target.env, &sandbox).await?;
    confirm_production(&env, &plan, &confirmation, "undo an import there")?;
    let id = run_id.clone();
    jobs.run(&id, move |cancel| {
        let ctx = Context {
            api: &api,
            data_dir: &data,
        };
        // A lost progress event only makes the bar lag.
        let mut report = |p: &import::Progress| drop(app.emit("import-progress", p.clone()));
        Ok(tauri::async_runtime::block_on(import::undo(
            &ctx,
            &run_id,
            UndoOptions { delete_changed },
            cancel,
            &mut report,
        ))?)
    })
    .await
}

/// Deletes a run's local data (plan, backup, reports, journal rows); PH is not touched and
/// the audit log keeps its entries.
#[tauri::command]
pub async fn purge_run(run_id: String) -> Result<(), AppError> {
    Ok(import::purge(&data_dir()?, &run_id)?)
}

/// The whole audit log of this computer, checked: every attempt, and what was changed,
/// removed or cut off since it was written.
#[tauri::command]
pub async fn audit_log() -> Result<AuditLog, AppError> {
    Ok(audit::verify(&data_dir()?)?)
}

/// Copies a run's report (`results.csv`, `errors.csv`, `summary.txt`) to a file the person
/// chose; returns the bytes copied.
#[tauri::command]
pub async fn save_report_copy(run_id: String, name: String, to: String) -> Result<u64, AppError> {
    Ok(import::history::copy_report(
        &data_dir()?,
        &run_id,
        &name,
        std::path::Path::new(&to),
    )?)
}
