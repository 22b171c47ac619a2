//! `ph-import purge RUN`: deletes a run's client data from this computer (journal rows,
//! backup, reports, plan); its audit entries stay. PH is not touched.

use std::io::Write;

use clap::Args;
use ph_import_core::import::{self, history, Journal};

use crate::import_cmd::{data_dir, on_disk_text};
use crate::visible::visible;

/// Arguments of `ph-import purge`.
#[derive(Args, Debug)]
pub struct PurgeArgs {
    /// The run id (see `ph-import runs`).
    #[arg(value_name = "RUN")]
    pub run: String,
}

/// Runs `ph-import purge RUN`.
pub fn run(args: &PurgeArgs) -> anyhow::Result<()> {
    let data = data_dir()?;
    let held = history::on_disk(&data, &Journal::open(&data)?, &args.run)?;
    import::purge(&data, &args.run)?;
    let left = history::on_disk(&data, &Journal::open(&data)?, &args.run)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "Purged run {}: deleted {}. Its audit entries are kept; PH was not changed.",
        visible(&args.run),
        on_disk_text(&held)
    )?;
    writeln!(out, "Left on disk: {}", on_disk_text(&left))?;
    Ok(())
}
