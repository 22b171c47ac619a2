//! What the verbs that read export files share: the files and how they are mapped
//! (`map`, `convert`, `validate`, `dedupe`), the output choices, and how a run's mapping and
//! findings are summed up on the terminal.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use ph_import_core::canonical::RequiredPolicy;
use ph_import_core::job::{Job, JobSpec, Policies, WriteSummary};
use ph_import_core::mapping::resolve::{Origin, Resolved};
use ph_import_core::mapping::{SuggestOptions, TableRole};
use ph_import_core::ph::Clinic;
use ph_import_core::private_file::Overwrite;
use ph_import_core::table_file::OutputFormat;
use ph_import_core::validate::ImportPolicy;

use crate::progress::{self, Display};
use crate::visible::visible;

/// The export files of a run and how their mapping is chosen.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Export files: CSV/TSV/TXT in any encoding, or XLSX/XLS/ODS (each sheet with data is a table).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Use a saved profile: its name, or the path of a profile (or mapping) JSON file.
    /// Without one, a recognized built-in or saved profile is used, else the automatic mapping.
    #[arg(long, value_name = "NAME|PATH")]
    pub profile: Option<String>,
    /// The clinic's country (ISO 3166 alpha-2), over what the data says: default for phone
    /// numbers, dates and weights. Without it the country is inferred from the data.
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Accept clients without an e-mail address (the target's policy allows it).
    #[arg(long)]
    pub no_email_required: bool,
    /// Say what a table holds instead of the guess: TABLE=clients, TABLE=patients or
    /// TABLE=combined (owners with their pets), TABLE as `map` names it. Repeatable.
    #[arg(long = "role", value_name = "TABLE=ROLE")]
    pub roles: Vec<String>,
}

impl InputArgs {
    /// The fields the target requires.
    pub fn required(&self) -> RequiredPolicy {
        if self.no_email_required {
            RequiredPolicy::without_email()
        } else {
            RequiredPolicy::ph_default()
        }
    }

    /// The fields `clinic` requires: its own `requiresEmail` decides whether a client
    /// needs an e-mail, unless --no-email-required says it does not.
    pub fn required_for(&self, clinic: &Clinic) -> RequiredPolicy {
        if clinic.requires_email && !self.no_email_required {
            RequiredPolicy::ph_default()
        } else {
            RequiredPolicy::without_email()
        }
    }

    /// The job of importing these files into `clinic`: the clinic's e-mail rule, and its
    /// country unless --country gives one.
    pub fn spec_for(&self, clinic: &Clinic) -> anyhow::Result<JobSpec> {
        let mut spec = self.spec()?;
        if self.country.is_none() {
            spec.options.country = clinic.country.to_ascii_uppercase();
            spec.options.infer_country = false;
        }
        spec.required = self.required_for(clinic);
        Ok(spec)
    }

    /// The job these arguments describe.
    pub fn spec(&self) -> anyhow::Result<JobSpec> {
        let mut options = SuggestOptions {
            country: self.country.as_deref().unwrap_or("US").to_ascii_uppercase(),
            infer_country: self.country.is_none(),
            ..SuggestOptions::default()
        };
        for arg in &self.roles {
            let (table, role) = arg.rsplit_once('=').with_context(|| {
                format!("--role {arg}: write TABLE=clients, TABLE=patients or TABLE=combined")
            })?;
            let role: TableRole =
                serde_json::from_value(serde_json::Value::String(role.trim().to_lowercase()))
                    .map_err(|_| {
                        anyhow::anyhow!(
                    "--role {arg}: \"{role}\" is not a role; use clients, patients or combined"
                )
                    })?;
            options.roles.insert(table.trim().to_string(), role);
        }
        let mut spec = JobSpec::for_files(&self.files);
        spec.profile = self.profile.clone();
        spec.profile_dir = profile_dir();
        spec.options = options;
        spec.required = self.required();
        Ok(spec)
    }

    /// Opens the job: the tables sampled, the mapping chosen, dates settled; progress on
    /// stderr, Ctrl-C cancels.
    pub fn open(&self, display: &mut Display) -> anyhow::Result<Job> {
        let spec = self.spec()?;
        Ok(Job::open(
            &spec,
            &mut display.callback(),
            progress::cancel(),
        )?)
    }
}

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// The core's output format.
    pub fn output(self) -> OutputFormat {
        match self {
            Format::Csv => OutputFormat::Csv,
            Format::Jsonl => OutputFormat::Jsonl,
        }
    }
}

/// Which flagged records the import would send (the files carry them all, with their flags),
/// and whether files already in the output folder may be replaced.
#[derive(Args, Debug, Clone, Copy)]
pub struct ImportArgs {
    /// Count pets flagged deceased as sent (by default they are carried but not sent).
    #[arg(long)]
    pub send_deceased: bool,
    /// Count clients flagged inactive as sent (by default they are carried but not sent).
    #[arg(long)]
    pub send_inactive: bool,
    /// Replace output files already in the folder (by default a file this run did not write
    /// is left alone and the run stops). A symbolic link is never written through.
    #[arg(long)]
    pub force: bool,
}

impl ImportArgs {
    /// The policies of a run: the target's required fields and these choices.
    pub fn policies(self, required: RequiredPolicy) -> Policies {
        Policies {
            required,
            import: ImportPolicy {
                send_deceased_patients: self.send_deceased,
                send_inactive_clients: self.send_inactive,
            },
            overwrite: if self.force {
                Overwrite::Replace
            } else {
                Overwrite::Refuse
            },
        }
    }
}

/// Where saved profiles live: `$PH_IMPORT_PROFILES`, else the user's config directory.
pub fn profile_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PH_IMPORT_PROFILES") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("ph-import").join("profiles")
}

/// Which mapping was used, one line.
pub fn print_origin(out: &mut impl Write, resolved: &Resolved) -> anyhow::Result<()> {
    match &resolved.origin {
        Origin::Suggestion if resolved.mapping.needs_confirmation() => writeln!(
            out,
            "Used the automatic mapping; some fields need confirming (see `ph-import map`)."
        )?,
        Origin::Suggestion => writeln!(out, "Used the automatic mapping.")?,
        Origin::Profile { name, .. } => writeln!(out, "Used the profile \"{}\".", visible(name))?,
    }
    Ok(())
}

/// What a run wrote: the mapping used, `headline`, the files, and the findings counted.
pub fn print_written(
    out: &mut impl Write,
    resolved: &Resolved,
    headline: &str,
    summary: &WriteSummary,
) -> anyhow::Result<()> {
    print_origin(out, resolved)?;
    writeln!(out, "{headline}")?;
    for p in &summary.files {
        writeln!(out, "  {}", visible(p))?;
    }
    print_counts(out, summary)
}

/// Findings by severity and code, what the import policy will not send, and every table
/// that has rows but gives no records.
pub fn print_counts(out: &mut impl Write, summary: &WriteSummary) -> anyhow::Result<()> {
    for severity in ["error", "warning", "fixed"] {
        let total: u64 = summary
            .by_code
            .iter()
            .filter(|c| c.severity == severity)
            .map(|c| c.count)
            .sum();
        if total > 0 {
            writeln!(out, "  {total:>7} {severity}")?;
        }
        for c in summary.by_code.iter().filter(|c| c.severity == severity) {
            writeln!(out, "  {:>9} × {}", c.count, visible(&c.code))?;
        }
    }
    for n in &summary.notices {
        writeln!(out, "Check {}: {}", visible(&n.file), visible(&n.message))?;
    }
    let skipped = &summary.skipped;
    if skipped.inactive_clients + skipped.deceased_patients > 0 {
        writeln!(
            out,
            "Not sent: {} inactive clients, {} deceased patients (carried in the files with their flags; --send-inactive and --send-deceased send them).",
            skipped.inactive_clients, skipped.deceased_patients
        )?;
    }
    for warning in summary.tables.iter().filter_map(|t| t.warning()) {
        writeln!(out, "Warning: {warning}.")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ph_import_core::mapping::row::TableTally;

    fn tally(table: &str, role: TableRole, rows: u64, clients: u64, patients: u64) -> TableTally {
        TableTally {
            table: table.into(),
            role,
            rows,
            clients,
            patients,
        }
    }

    #[test]
    fn the_counts_warn_of_a_table_with_rows_that_gives_no_records() {
        let summary = WriteSummary {
            clients: 4,
            patients: 0,
            findings: 0,
            skipped: Default::default(),
            by_code: Vec::new(),
            notices: Vec::new(),
            duplicates: Vec::new(),
            files: Vec::new(),
            tables: vec![
                tally("book.xlsx [Clients]", TableRole::Clients, 4, 4, 0),
                tally("book.xlsx [Patients]", TableRole::Patients, 5, 0, 0),
                tally("book.xlsx [Empty]", TableRole::Patients, 0, 0, 0),
            ],
        };
        let mut out = Vec::new();
        print_counts(&mut out, &summary).expect("prints");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "Warning: book.xlsx [Patients] has 5 rows but gives no records: check what it holds and its columns on the mapping step.\n"
        );
    }
}
