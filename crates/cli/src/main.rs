//! `ph-import`: every capability of PH Client Import, from a terminal.
//!
//! Each subcommand lives in its own module and calls the same core as the app.

mod audit_cmd;
mod auth_cmd;
mod clients_cmd;
mod cohort_cmd;
mod convert_cmd;
mod dedupe_cmd;
mod env_cmd;
mod export_cmd;
mod import_cmd;
mod input_file;
mod inspect;
mod map_cmd;
mod ph_session;
mod progress;
mod purge_cmd;
mod read_overrides;
mod run_args;
mod undo_cmd;
mod validate_cmd;
mod visible;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc, tuned in `main` (see `ph_import_core::allocator`).
#[global_allocator]
static GLOBAL: ph_import_core::allocator::MiMalloc = ph_import_core::allocator::MiMalloc;

/// Import a veterinary clinic's clients and patients into PH.
#[derive(Parser)]
#[command(name = "ph-import", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show how a clinic export file is read: format, encoding, delimiter, sheets, header row, columns.
    Inspect(inspect::InspectArgs),
    /// Show the suggested (or a profile's) mapping of export files to PH's canonical format.
    Map(map_cmd::MapArgs),
    /// Convert export files to canonical clients, patients and findings files.
    Convert(convert_cmd::ConvertArgs),
    /// Find duplicates inside export files and, with --clinic, match every record against the
    /// clinic's clients and patients in PH: new, identical, update, conflict or ambiguous.
    Dedupe(dedupe_cmd::DedupeArgs),
    /// Check export files: every problem found, counted by code and severity, written to a findings file.
    Validate(validate_cmd::ValidateArgs),
    /// List, add or remove PH environments (names and URLs; tokens stay in the OS keychain).
    Env(env_cmd::EnvArgs),
    /// Store an environment's API token in the OS keychain, after checking it with PH.
    Login(auth_cmd::LoginArgs),
    /// Remove an environment's API token from the OS keychain.
    Logout(auth_cmd::LogoutArgs),
    /// Show who an environment's token belongs to: principal, role, clinics.
    Whoami(auth_cmd::WhoamiArgs),
    /// List a clinic's existing clients and patients in PH (read-only).
    Clients(clients_cmd::ClientsArgs),
    /// Plan an import: every record classified against the clinic in PH and the exact
    /// operation it gets, saved as JSON; nothing is sent.
    Plan(import_cmd::PlanCmdArgs),
    /// Apply a saved plan (a plan.json file or a run id): backup, create and update, verify, report.
    Apply(import_cmd::ApplyCmdArgs),
    /// Plan and apply in one step (--dry-run stops after the plan).
    Import(import_cmd::ImportCmdArgs),
    /// List the import runs of this computer with their state and what each holds on disk.
    Runs(import_cmd::RunsArgs),
    /// Finish a run that was stopped (Ctrl-C, a crash, the network): nothing is sent twice.
    Resume(import_cmd::ResumeArgs),
    /// Take a run back: restore what it updated, delete what it created; records changed in
    /// PH since are left and reported. Stopped part-way, run it again.
    Undo(undo_cmd::UndoArgs),
    /// Write a clinic's PH clients and patients as canonical CSV (as an import's backup).
    Export(export_cmd::ExportArgs),
    /// Show the audit log (who planned, imported, undid, purged what) and check it for tampering.
    Audit(audit_cmd::AuditArgs),
    /// Delete a run's local client data (journal rows, backup, reports, plan); its audit
    /// entries stay. Asks nothing; a run still running is refused.
    Purge(purge_cmd::PurgeArgs),
    /// A week's cohort: many clinics imported in one batch from a manifest (plan, apply,
    /// resume, status), each clinic one import run.
    Cohort(cohort_cmd::CohortArgs),
}

fn main() -> ExitCode {
    ph_import_core::allocator::tune();
    init_logging();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Map(args) => map_cmd::run(args),
        Command::Convert(args) => convert_cmd::run(args),
        Command::Validate(args) => validate_cmd::run(args),
        Command::Dedupe(args) => dedupe_cmd::run(args),
        Command::Env(args) => env_cmd::run(args),
        Command::Login(args) => auth_cmd::run_login(args),
        Command::Logout(args) => auth_cmd::run_logout(args),
        Command::Whoami(args) => auth_cmd::run_whoami(args),
        Command::Clients(args) => clients_cmd::run(args),
        Command::Plan(args) => import_cmd::run_plan(args),
        Command::Apply(args) => import_cmd::run_apply(args),
        Command::Import(args) => import_cmd::run_import(args),
        Command::Runs(args) => import_cmd::run_runs(args),
        Command::Resume(args) => import_cmd::run_resume(args),
        Command::Undo(args) => undo_cmd::run(args),
        Command::Export(args) => export_cmd::run(args),
        Command::Audit(args) => audit_cmd::run(args),
        Command::Purge(args) => purge_cmd::run(args),
        Command::Cohort(args) => cohort_cmd::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `ph-import inspect … | head` closing the pipe early is not a failure.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        // Ctrl-C: the run stopped between two batches and removed what it had begun writing.
        Err(e) if is_conversion_cancelled(&e) => {
            eprintln!("Cancelled: nothing was written.");
            ExitCode::from(130)
        }
        Err(e) => {
            // `{:#}` prints the whole chain of causes on one line, each a sentence for the user;
            // the sentences quote file names, headers and cells, whose controls are shown.
            eprintln!("error: {}", visible::visible(&format!("{e:#}")));
            ExitCode::from(import_cmd::exit_code(&e))
        }
    }
}

/// Whether a conversion (convert, validate, dedupe, map, an import's plan) stopped for Ctrl-C:
/// it wrote nothing. An import stopped part-way says so itself, with how to resume.
fn is_conversion_cancelled(e: &anyhow::Error) -> bool {
    use ph_import_core::import::ImportError;
    use ph_import_core::job::{JobError, WriteError};
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<WriteError>(),
            Some(WriteError::Cancelled)
        ) || matches!(cause.downcast_ref::<JobError>(), Some(JobError::Cancelled))
            || matches!(
                cause.downcast_ref::<ImportError>(),
                Some(ImportError::Convert(WriteError::Cancelled))
            )
    })
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

fn init_logging() {
    // Diagnostics go to stderr so that `--json` output on stdout stays machine-readable.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PH_IMPORT_LOG")
                // Off unless asked: the spreadsheet library logs a line per odd cell, which a
                // crafted file turns into a gigabyte on stderr.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off")),
        )
        .with_writer(std::io::stderr)
        .try_init();
}
