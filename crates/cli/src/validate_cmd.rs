//! `ph-import validate`: every problem in export files, counted and written to a
//! findings file, without writing the canonical records. It runs the same conversion as
//! `convert`, so the findings are exactly those `convert` writes.

use std::path::PathBuf;

use clap::Args;
use ph_import_core::job::WriteSummary;
use serde::Serialize;

use crate::visible::write_json;

use crate::progress::{self, Display};
use crate::run_args::{print_written, Format, ImportArgs, InputArgs};

/// Arguments of `ph-import validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Print the summary as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Directory for findings.csv (or .jsonl), created if missing.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Format of the findings file.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    #[command(flatten)]
    pub import: ImportArgs,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    #[serde(flatten)]
    summary: &'a WriteSummary,
    errors: u64,
    warnings: u64,
    fixed: u64,
}

/// Runs `ph-import validate`.
pub fn run(args: &ValidateArgs) -> anyhow::Result<()> {
    let mut display = Display::new(args.json);
    let job = args.input.open(&mut display)?;
    let summary = job.write_findings(
        &args.out,
        args.format.output(),
        args.import.policies(&args.input.settings()?),
        &mut display.callback(),
        progress::cancel(),
    )?;
    display.finish();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let count = |s: &str| -> u64 {
            summary
                .by_code
                .iter()
                .filter(|c| c.severity == s)
                .map(|c| c.count)
                .sum()
        };
        write_json(
            &mut out,
            &JsonSummary {
                summary: &summary,
                errors: count("error"),
                warnings: count("warning"),
                fixed: count("fixed"),
            },
        )?;
        return Ok(());
    }
    let headline = format!(
        "Checked {} clients and {} patients: {} findings, written to:",
        summary.clients, summary.patients, summary.findings
    );
    print_written(&mut out, &job.resolved, &headline, &summary)
}
