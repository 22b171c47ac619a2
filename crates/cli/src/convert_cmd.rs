//! `ph-import convert`: the export files converted to PH's canonical clients, patients and
//! findings (and the duplicate groups inside them), with a review's edits applied if given.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use ph_import_core::review::Edits;

use crate::input_file;
use crate::progress::{self, Display};
use crate::run_args::{print_written, Format, ImportArgs, InputArgs};
use crate::visible::visible;

/// Arguments of `ph-import convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Directory for clients.*, patients.* and findings.* (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Apply the changes and exclusions made in the app's review (its saved `edits.json`).
    #[arg(long, value_name = "FILE")]
    pub edits: Option<PathBuf>,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// Runs `ph-import convert`.
pub fn run(args: &ConvertArgs) -> anyhow::Result<()> {
    // Before the export is read: a wrong --edits path fails at once.
    let edits = match &args.edits {
        Some(path) => {
            let text = read_edits(path)?;
            let edits = Edits::from_json(&text)
                .with_context(|| format!("{} is not usable", path.display()))?;
            Some((path, edits))
        }
        None => None,
    };
    let mut display = Display::new(false);
    let job = args.input.open(&mut display)?;
    let policies = args.import.policies(&args.input.settings()?);
    let edited = job.write(
        &args.out,
        args.format.output(),
        policies,
        edits.as_ref().map(|(_, e)| e),
        &mut display.callback(),
        progress::cancel(),
    )?;
    display.finish();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let summary = match &edits {
        None => edited.summary,
        Some((path, _)) => {
            writeln!(
                out,
                "Applied {} change(s) from {}; left out {} record(s).",
                edited.applied,
                path.display(),
                edited.excluded
            )?;
            for s in &edited.stale {
                writeln!(out, "  not applied, the export has changed: {}", visible(s))?;
            }
            for s in &edited.not_applied {
                writeln!(out, "  not applied, {}", visible(s))?;
            }
            edited.summary
        }
    };
    let headline = format!(
        "Wrote {} clients, {} patients and {} findings:",
        summary.clients, summary.patients, summary.findings
    );
    print_written(&mut out, &job.resolved, &headline, &summary)
}

/// The edits file's text, read as every file a person names for a run is.
fn read_edits(path: &std::path::Path) -> anyhow::Result<String> {
    input_file::read_small(path, "edits file", "give the edits.json the app saved")
}
