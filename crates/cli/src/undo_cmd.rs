//! `ph-import undo RUN`: takes an import back. What the run updated gets its values from
//! before the run, what it created is deleted; a record someone changed in PH since is left
//! and reported. Stopped part-way (Ctrl-C, a crash, the network), it is simply run again.

use std::io::Write;

use clap::Args;
use ph_import_core::import::{self, load_run_plan, Context, Journal, RunStatus, UndoOptions};

use crate::import_cmd::{
    confirm_before_connecting, data_dir, Exit, Reporter, EXIT_INTERRUPTED, EXIT_VERIFY_FAILED,
};
use crate::ph_session;
use crate::progress;
use crate::visible::{visible, write_json};

/// Arguments of `ph-import undo`.
#[derive(Args, Debug)]
pub struct UndoArgs {
    /// The run id (see `ph-import runs`).
    #[arg(value_name = "RUN")]
    pub run: String,
    /// Also delete what the run created when someone changed it in PH since (by default one
    /// such record keeps everything the run created).
    #[arg(long)]
    pub delete_changed: bool,
    /// Print the undo's report as JSON (no progress bars).
    #[arg(long)]
    pub json: bool,
    /// Confirm an undo in a production environment without the prompt: the clinic's PH id
    /// or exact name.
    #[arg(long, value_name = "CLINIC")]
    pub yes_i_mean_production: Option<String>,
}

/// How many refused records and differences the text output lists.
const SHOWN: usize = 20;

/// Runs `ph-import undo RUN`.
pub fn run(args: &UndoArgs) -> anyhow::Result<()> {
    let data = data_dir()?;
    let plan = load_run_plan(&data, &args.run)?;
    // As with resume: undoing an undone run again is a success with nothing to do, so
    // "undo until it exits 0" always ends.
    if let Some(run) = Journal::open(&data)?.run(&args.run)? {
        if run.status == RunStatus::Undone {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if args.json {
                return write_json(&mut out, &run);
            }
            writeln!(out, "Run {} is already undone; nothing left to do.", run.id)?;
            writeln!(out, "{}", visible(&run.message))?;
            return Ok(());
        }
    }
    // Undo deletes and rewrites records: production is confirmed as for an import.
    confirm_before_connecting(&plan, args.yes_i_mean_production.as_deref())?;
    let runtime = ph_session::runtime()?;
    let session = runtime.block_on(ph_session::open(&plan.target.env))?;
    progress::on_interrupt(
        "Stopping after the request in flight (Ctrl-C again to quit at once; undoing again is safe either way)…",
        true,
    );
    let mut reporter = Reporter::new(args.json);
    let ctx = Context {
        api: &session.api,
        data_dir: &data,
    };
    let outcome = runtime.block_on(import::undo(
        &ctx,
        &args.run,
        UndoOptions {
            delete_changed: args.delete_changed,
        },
        progress::cancel(),
        &mut |p| reporter.update(p),
    ));
    reporter.finish();
    let report = outcome?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        write_json(&mut out, &report)?;
    } else {
        writeln!(
            out,
            "Run {} ({}): {}",
            report.run_id,
            report.status.as_str(),
            visible(&import::undo::summary(&report))
        )?;
        for r in report.refused.iter().take(SHOWN) {
            writeln!(out, "  left alone: {}", visible(r))?;
        }
        for d in report.differences.iter().take(SHOWN) {
            writeln!(out, "  differs from the backup: {}", visible(d))?;
        }
        let more = report.refused.len().saturating_sub(SHOWN)
            + report.differences.len().saturating_sub(SHOWN);
        if more > 0 {
            writeln!(out, "  … and {more} more (`--json` lists them all)")?;
        }
    }
    match report.status {
        RunStatus::Undone => Ok(()),
        RunStatus::Undoing => Err(Exit {
            code: EXIT_INTERRUPTED,
            message: format!(
                "the undo was stopped; `ph-import undo {}` finishes it",
                report.run_id
            ),
        }
        .into()),
        _ => Err(Exit {
            code: EXIT_VERIFY_FAILED,
            message: format!(
                "the run is undone except {} records left alone and {} differences from the backup (listed above)",
                report.refused.len(),
                report.differences.len()
            ),
        }
        .into()),
    }
}
