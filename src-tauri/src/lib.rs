//! The desktop app: a thin Tauri adapter over `ph_import_core`.
//!
//! Each command turns a UI request into one core call, runs it off the UI
//! thread, and turns the core's typed error into a message the UI can show.
//! No domain logic lives here.

mod cohort;
mod commands;
mod environments;
mod error;
mod history;
mod import;
mod mapping;
mod review;
mod sandbox;

use tauri::Manager;

/// Starts the desktop app; returns when the last window closes.
pub fn run() {
    init_logging();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(commands::Jobs::default())
        .manage(mapping::MappingSession::default())
        .manage(review::ReviewState::default())
        .manage(sandbox::EmbeddedSandbox::default())
        .manage(import::LoadedPlan::default())
        .setup(|app| {
            let handle = app.handle().clone();
            let embedded = app.state::<sandbox::EmbeddedSandbox>().inner().clone();
            tauri::async_runtime::spawn(async move { embedded.start(&handle).await });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::environment_status,
            commands::preview_file,
            commands::inspect_file,
            commands::cancel_job,
            mapping::canonical_fields,
            mapping::suggest_mapping,
            mapping::remap_field,
            mapping::set_codes,
            mapping::set_table_role,
            mapping::apply_settings,
            mapping::save_profile,
            mapping::export_profile,
            mapping::apply_profile,
            mapping::list_profiles,
            mapping::save_canonical,
            review::open_review,
            review::review_summary,
            review::review_page,
            review::review_edit,
            review::review_similar_count,
            review::review_apply_similar,
            review::review_exclude,
            review::review_edits,
            review::save_reviewed,
            environments::list_environments,
            environments::save_environment,
            environments::store_token,
            environments::forget_token,
            environments::remove_environment,
            environments::test_connection,
            import::list_clinics,
            import::plan_import,
            import::apply_import,
            import::plan_matches,
            import::decide_match,
            import::decide_matches,
            import::plan_groups,
            import::decide_group,
            import::decide_groups,
            history::list_runs,
            history::run_detail,
            history::undo_run,
            history::purge_run,
            history::audit_log,
            history::save_report_copy,
            cohort::cohort_open,
            cohort::cohort_plan,
            cohort::cohort_apply,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            // Nothing to show a window in: the best we can do is say why on stderr.
            eprintln!("PH Client Import could not start: {e}");
            std::process::exit(1);
        });
}

fn init_logging() {
    // Logs go to stderr only and never carry client data or tokens: the core
    // logs counts and file names, not cell values.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PH_IMPORT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
}
