//! What the verbs that read export files share: the files and how they are mapped
//! (`map`, `convert`, `validate`, `dedupe`), the output choices, and how a run's mapping and
//! findings are summed up on the terminal.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use ph_import_core::job::{ImportSettings, Job, JobSpec, Policies, WriteSummary};
use ph_import_core::mapping::profile;
use ph_import_core::mapping::resolve::{Origin, Resolved};
use ph_import_core::mapping::transform::units::WeightUnit;
use ph_import_core::mapping::TableRole;
use ph_import_core::ph::Clinic;
use ph_import_core::private_file::Overwrite;
use ph_import_core::table_file::OutputFormat;
use ph_import_core::validate::ImportPolicy;

use crate::progress::{self, Display};
use crate::read_overrides::ReadArgs;
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
    /// The unit of weights written as bare numbers (e.g. `5,32`), over the header, the values
    /// and the country.
    #[arg(long, value_enum, value_name = "UNIT")]
    pub weight_unit: Option<WeightArg>,
    /// How the files are read, over what is detected.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// A unit of weight, as `--weight-unit` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WeightArg {
    /// Kilograms.
    Kg,
    /// Pounds.
    Lb,
    /// Grams.
    G,
    /// Ounces.
    Oz,
}

impl WeightArg {
    /// The core's unit.
    pub fn unit(self) -> WeightUnit {
        match self {
            WeightArg::Kg => WeightUnit::Kg,
            WeightArg::Lb => WeightUnit::Lb,
            WeightArg::G => WeightUnit::G,
            WeightArg::Oz => WeightUnit::Oz,
        }
    }
}

impl InputArgs {
    /// The import settings these flags give (the send policy comes from [`ImportArgs`]).
    pub fn settings(&self) -> anyhow::Result<ImportSettings> {
        let mut settings = ImportSettings {
            country: self.country.as_deref().map(str::to_ascii_uppercase),
            email_required: self.no_email_required.then_some(false),
            weight_unit: self.weight_unit.map(WeightArg::unit),
            ..ImportSettings::default()
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
            settings.roles.insert(table.trim().to_string(), role);
        }
        Ok(settings)
    }

    /// The job of importing these files into `clinic`: the clinic's e-mail rule and country
    /// unless the flags say otherwise.
    pub fn spec_for(&self, clinic: &Clinic) -> anyhow::Result<JobSpec> {
        let mut spec = self.spec()?;
        spec.settings = spec.settings.for_clinic(clinic);
        Ok(spec)
    }

    /// The job these arguments describe.
    pub fn spec(&self) -> anyhow::Result<JobSpec> {
        let mut spec = JobSpec {
            inputs: self.read.inputs(&self.files)?,
            ..JobSpec::default()
        };
        spec.profile = self.profile.clone();
        spec.profile_dir = profile_dir()?;
        spec.settings = self.settings()?;
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
    /// The send policy of these flags.
    pub fn import(self) -> ImportPolicy {
        ImportPolicy {
            send_deceased_patients: self.send_deceased,
            send_inactive_clients: self.send_inactive,
        }
    }

    /// The policies of a run: the settings' required fields and these choices.
    pub fn policies(self, settings: &ImportSettings) -> Policies {
        let mut settings = settings.clone();
        settings.import = self.import();
        settings.policies(if self.force {
            Overwrite::Replace
        } else {
            Overwrite::Refuse
        })
    }
}

/// Where saved profiles live: the folder the app uses too.
pub fn profile_dir() -> anyhow::Result<PathBuf> {
    Ok(profile::saved_dir()?)
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
    for t in &summary.tables {
        if let Some(why) = &t.left_out {
            writeln!(out, "Note: {} is {why}.", t.table)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use ph_import_core::mapping::row::TableTally;

    fn tally(table: &str, role: TableRole, rows: u64, clients: u64, patients: u64) -> TableTally {
        TableTally {
            table: table.into(),
            role,
            rows,
            clients,
            patients,
            left_out: None,
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

    /// The flags of a run that reads files and sends records, as `convert` takes them.
    #[derive(Parser, Debug)]
    struct Run {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        import: ImportArgs,
    }

    fn parse(args: &[String]) -> ImportSettings {
        let run = Run::try_parse_from(
            ["ph-import", "owners.csv", "pets.csv"]
                .iter()
                .map(|s| s.to_string())
                .chain(args.iter().cloned()),
        )
        .expect("flags parse");
        let mut settings = run.input.settings().expect("settings");
        settings.import = run.import.import();
        settings
    }

    #[test]
    fn settings_round_trip_through_their_flags() {
        let mut settings = ImportSettings {
            country: Some("AU".into()),
            email_required: Some(false),
            weight_unit: Some(WeightUnit::G),
            ..ImportSettings::default()
        };
        settings.import.send_deceased_patients = true;
        settings.import.send_inactive_clients = true;
        settings
            .roles
            .insert("owners.csv".into(), TableRole::Combined);
        settings
            .roles
            .insert("pets.csv".into(), TableRole::Patients);
        assert_eq!(parse(&settings.to_args()), settings);
        assert_eq!(parse(&[]), ImportSettings::default());
    }

    #[test]
    fn weight_unit_flag_gives_the_unit() {
        let args = ["--weight-unit".to_string(), "kg".to_string()];
        assert_eq!(parse(&args).weight_unit, Some(WeightUnit::Kg));
    }
}
