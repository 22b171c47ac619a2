//! `ph-import export`: a clinic's PH clients and patients as canonical CSV, written by the
//! same writer as an import's backup.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use ph_import_core::import::export::export_clinic;
use ph_import_core::private_file::Overwrite;

use crate::ph_session::{self, DEFAULT_ENV};
use crate::visible::visible;

/// Arguments of `ph-import export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The environment; the built-in sandbox by default.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_ENV)]
    pub env: String,
    /// The clinic's PH id (see `ph-import whoami`).
    #[arg(long, value_name = "ID")]
    pub clinic: String,
    /// The folder to write clients.csv, patients.csv and ph-clients.jsonl into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace files of an earlier export in that folder.
    #[arg(long)]
    pub force: bool,
}

/// Runs `ph-import export`.
pub fn run(args: &ExportArgs) -> anyhow::Result<()> {
    let runtime = ph_session::runtime()?;
    let session = runtime.block_on(ph_session::open(&args.env))?;
    let overwrite = if args.force {
        Overwrite::Replace
    } else {
        Overwrite::Refuse
    };
    let mut read = 0;
    let paths = runtime.block_on(export_clinic(
        &session.api,
        &args.clinic,
        &args.out,
        overwrite,
        &mut |done, total| {
            read = done;
            eprint!(
                "\rReading the clinic's PH clients: {done}{}",
                total.map(|t| format!(" of {t}")).unwrap_or_default()
            );
        },
    ));
    if read > 0 {
        // Ends the progress line.
        eprintln!();
    }
    let paths = paths?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "Exported {read} clients of {} on {}:",
        visible(&args.clinic),
        visible(&args.env)
    )?;
    for p in paths {
        writeln!(out, "  {}", visible(&p.display().to_string()))?;
    }
    Ok(())
}
