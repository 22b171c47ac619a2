//! `ph-import validate`: every problem in export files, counted and written to a
//! findings file, without writing the canonical records. It runs the same conversion as
//! `convert`, so the findings are exactly those `convert` writes.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::Args;
use ph_import_core::job as write;
use serde::Serialize;

use crate::visible::{visible, write_json};

use crate::mapping_cmd::{
    policy, prepare, print_counts, print_origin, Format, ImportArgs, RoleArgs,
};

/// Arguments of `ph-import validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Export files: CSV/TSV/TXT in any encoding, or XLSX/XLS/ODS (each sheet with data is a table).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Use a saved profile: its name, or the path of a profile (or mapping) JSON file.
    /// Without one, a recognized built-in or saved profile is used, else the automatic mapping.
    #[arg(long, value_name = "NAME|PATH")]
    pub profile: Option<String>,
    /// Print the summary as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Directory for findings.csv (or .jsonl), created if missing.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Format of the findings file.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// The clinic's country (ISO 3166 alpha-2), over what the data says: default for phone
    /// numbers, dates and addresses. Without it the country is inferred from the data.
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Accept clients without an e-mail address (the target's policy allows it).
    #[arg(long)]
    pub no_email_required: bool,
    #[command(flatten)]
    pub import: ImportArgs,
    #[command(flatten)]
    pub roles: RoleArgs,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    #[serde(flatten)]
    summary: &'a write::WriteSummary,
    errors: u64,
    warnings: u64,
    fixed: u64,
}

/// Runs `ph-import validate`.
pub fn run_validate(args: &ValidateArgs) -> anyhow::Result<()> {
    let policy = policy(args.no_email_required);
    let (sources, resolved) = prepare(
        &args.files,
        args.profile.as_deref(),
        &args.roles.options(args.country.as_deref())?,
        &policy,
    )?;
    let never = AtomicBool::new(false);
    let summary = write::write_findings(
        &sources,
        &resolved.mapping,
        args.import.policies(policy),
        &args.out,
        args.format.output(),
        &never,
    )?;
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
    print_origin(&mut out, &resolved)?;
    writeln!(
        out,
        "Checked {} clients and {} patients: {} findings, written to:",
        summary.clients, summary.patients, summary.findings
    )?;
    for p in &summary.files {
        writeln!(out, "  {}", visible(p))?;
    }
    print_counts(&mut out, &summary)?;
    Ok(())
}
