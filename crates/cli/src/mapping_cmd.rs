//! `ph-import map` and `ph-import convert`: show the mapping of export files to PH's
//! canonical format, and write the canonical files.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use ph_import_core::canonical::RequiredPolicy;
use ph_import_core::job::{self as write, Policies, WriteSummary};
use ph_import_core::mapping::country::CountryReport;
use ph_import_core::mapping::profile::{self, Profile};
use ph_import_core::mapping::resolve::{self, Origin, Resolved};
use ph_import_core::mapping::source::TableSource;
use ph_import_core::mapping::suggest::TableReport;
use ph_import_core::mapping::transform::dates::DateOrder;
use ph_import_core::mapping::transform::Transform;
use ph_import_core::mapping::{Mapping, SourceTable, SuggestOptions, TableRole};
use ph_import_core::private_file::Overwrite;
use ph_import_core::review::Edits;
use ph_import_core::table_file::OutputFormat;
use ph_import_core::validate::ImportPolicy;
use serde::Serialize;
use std::sync::atomic::AtomicBool;

use crate::input_file;
use crate::visible::{visible, write_json};

/// Arguments of `ph-import map`.
#[derive(Args, Debug)]
pub struct MapArgs {
    /// Export files: CSV/TSV/TXT in any encoding, or XLSX/XLS/ODS (each sheet with data is a table).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Use a saved profile: its name, or the path of a profile (or mapping) JSON file.
    #[arg(long, value_name = "NAME|PATH")]
    pub profile: Option<String>,
    /// Save the mapping shown as a profile under this name, for next time.
    #[arg(long, value_name = "NAME")]
    pub save_profile: Option<String>,
    /// Print JSON (the mapping and the review material) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The clinic's country (ISO 3166 alpha-2), over what the data says: default for phone
    /// numbers, dates and weights. Without it the country is inferred from the data.
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Accept clients without an e-mail address (the target's policy allows it).
    #[arg(long)]
    pub no_email_required: bool,
    #[command(flatten)]
    pub roles: RoleArgs,
}

/// Output format of `convert`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Arguments of `ph-import convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Export files: CSV/TSV/TXT in any encoding, or XLSX/XLS/ODS (each sheet with data is a table).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Directory for clients.*, patients.* and findings.* (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Use a saved profile: its name, or the path of a profile (or mapping) JSON file.
    /// Without one, a recognized built-in or saved profile is used, else the automatic mapping.
    #[arg(long, value_name = "NAME|PATH")]
    pub profile: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// The clinic's country (ISO 3166 alpha-2), over what the data says: default for phone
    /// numbers, dates and weights. Without it the country is inferred from the data.
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Accept clients without an e-mail address (the target's policy allows it).
    #[arg(long)]
    pub no_email_required: bool,
    #[command(flatten)]
    pub roles: RoleArgs,
    /// Apply the changes and exclusions made in the app's review (its saved `edits.json`).
    #[arg(long, value_name = "FILE")]
    pub edits: Option<PathBuf>,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// What a person says tables hold, over the guess.
#[derive(Args, Debug, Clone, Default)]
pub struct RoleArgs {
    /// Say what a table holds instead of the guess: TABLE=clients, TABLE=patients or
    /// TABLE=combined (owners with their pets), TABLE as `map` names it. Repeatable.
    #[arg(long = "role", value_name = "TABLE=ROLE")]
    pub roles: Vec<String>,
}

impl RoleArgs {
    /// The suggestion settings for `country` with these roles.
    /// Without a country, the data decides it.
    pub(crate) fn options(&self, country: Option<&str>) -> anyhow::Result<SuggestOptions> {
        let mut options = SuggestOptions {
            country: country.unwrap_or("US").to_ascii_uppercase(),
            infer_country: country.is_none(),
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
        Ok(options)
    }
}

/// Which flagged records the import would send (the files carry them all, with their flags).
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
    pub(crate) fn policies(self, required: RequiredPolicy) -> Policies {
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

pub(crate) fn policy(no_email_required: bool) -> RequiredPolicy {
    if no_email_required {
        RequiredPolicy::without_email()
    } else {
        RequiredPolicy::ph_default()
    }
}

/// Where saved profiles live: `$PH_IMPORT_PROFILES`, else the user's config directory.
fn profile_dir() -> PathBuf {
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

pub(crate) fn load_tables(
    files: &[PathBuf],
) -> anyhow::Result<(Vec<TableSource>, Vec<SourceTable>)> {
    Ok(resolve::load_tables(files)?)
}

/// The mapping for these files: `--profile` when given, else a recognized profile, else the suggestion.
pub(crate) fn choose(
    profile_arg: Option<&str>,
    tables: &[SourceTable],
    options: &SuggestOptions,
    policy: &RequiredPolicy,
) -> anyhow::Result<Resolved> {
    for table in options.roles.keys() {
        if !tables.iter().any(|t| &t.name == table) {
            let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
            anyhow::bail!(
                "--role names a table \"{table}\" that is not among the files; the tables are: {}",
                names.join(", ")
            );
        }
    }
    let dir = profile_dir();
    let profile = profile_arg
        .map(|arg| resolve::find_profile(arg, &dir))
        .transpose()?;
    Ok(resolve::resolve(
        profile.as_ref(),
        tables,
        options,
        policy,
        &dir,
    )?)
}

#[derive(Serialize)]
struct MapOutput<'a> {
    origin: &'a Origin,
    mapping: &'a Mapping,
    tables: &'a [TableReport],
    country: &'a CountryReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    saved_profile: Option<String>,
}

/// Runs `ph-import map`.
pub fn run_map(args: &MapArgs) -> anyhow::Result<()> {
    let policy = policy(args.no_email_required);
    let (_, tables) = load_tables(&args.files)?;
    let options = args.roles.options(args.country.as_deref())?;
    let resolved = choose(args.profile.as_deref(), &tables, &options, &policy)?;
    let saved = match &args.save_profile {
        Some(name) => {
            let p = Profile::new(name, "", resolved.mapping.clone());
            let path = profile::save(&profile_dir(), &p).with_context(|| {
                format!("could not save the profile in {}", profile_dir().display())
            })?;
            Some(path.display().to_string())
        }
        None => None,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        write_json(
            &mut out,
            &MapOutput {
                origin: &resolved.origin,
                mapping: &resolved.mapping,
                tables: &resolved.tables,
                country: &resolved.country,
                saved_profile: saved,
            },
        )?;
        return Ok(());
    }
    print_mapping(&mut out, &resolved)?;
    if let Some(path) = saved {
        writeln!(out, "\nSaved the profile to {}", visible(&path))?;
    }
    Ok(())
}

fn transform_text(t: &Transform) -> String {
    match t {
        Transform::Copy => String::new(),
        Transform::Constant { value } => format!("constant \"{value}\""),
        Transform::Ignore => "ignored".into(),
        Transform::Join { separator } => format!("joined with \"{separator}\""),
        Transform::SplitName { part } => format!("{part:?} part of a full name").to_lowercase(),
        Transform::SplitAddress { part } => {
            format!("{part:?} part of a one-line address").to_lowercase()
        }
        Transform::Date { order, .. } => match order {
            DateOrder::Mdy => "date, month/day/year".into(),
            DateOrder::Dmy => "date, day/month/year".into(),
            DateOrder::Ymd => "date, year-month-day".into(),
        },
        Transform::Species { .. } => "species codes".into(),
        Transform::Sex { .. } => "sex codes".into(),
        Transform::Bool { invert: false, .. } => "yes/no".into(),
        Transform::Bool { invert: true, .. } => "yes/no, inverted".into(),
        Transform::Present => "true when filled".into(),
        Transform::Weight { unit } => {
            format!("weight to kg (bare numbers in {unit:?})").to_lowercase()
        }
        Transform::Phone { country } => format!("phone to E.164 ({country})"),
        Transform::Email => "e-mail".into(),
        Transform::State => "state code".into(),
        Transform::Country => "country code".into(),
        Transform::Microchip => "microchip".into(),
    }
}

fn print_mapping(out: &mut impl Write, r: &Resolved) -> anyhow::Result<()> {
    match &r.origin {
        Origin::Suggestion => writeln!(
            out,
            "Automatic mapping (review the lines marked \"confirm\"):"
        )?,
        Origin::Profile {
            name,
            recognized: true,
        } => writeln!(
            out,
            "The files match the saved profile \"{}\"; using it:",
            visible(name)
        )?,
        Origin::Profile { name, .. } => {
            writeln!(out, "Mapping from the profile \"{}\":", visible(name))?
        }
    }
    let using_suggestion = matches!(r.origin, Origin::Suggestion);
    writeln!(
        out,
        "\nCountry: {}{} ({})",
        visible(&r.mapping.country),
        if r.country.needs_confirmation {
            "  ⚠ confirm"
        } else {
            ""
        },
        visible(&r.country.reasons.join("; "))
    )?;
    for (t, report) in r.mapping.tables.iter().zip(&r.tables) {
        writeln!(out, "\n{} — {:?}", visible(&t.table), t.role)?;
        for f in &t.fields {
            let how = transform_text(&f.transform);
            let flag = if f.needs_confirmation {
                "  ⚠ confirm"
            } else {
                ""
            };
            let conf = if using_suggestion {
                format!(" {:>3.0}%", f.confidence * 100.0)
            } else {
                String::new()
            };
            writeln!(
                out,
                "  {:<28}{conf} ← {}{}{flag}",
                f.field.key(),
                f.columns
                    .iter()
                    .map(|c| format!("\"{}\"", visible(c)))
                    .collect::<Vec<_>>()
                    .join(" + "),
                if how.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", visible(&how))
                },
            )?;
            // The evidence across tables is shown even when sure: it is what a person checks.
            for reason in f.reasons.iter().filter(|x| {
                (f.needs_confirmation
                    && (x.contains("confirm")
                        || x.contains("not certain")
                        || x.contains("not known")))
                    || x.contains(" % of values found in ")
            }) {
                writeln!(out, "      {}", visible(reason))?;
            }
        }
        for i in &t.ignored {
            writeln!(
                out,
                "  not mapped: \"{}\" — {}",
                visible(&i.column),
                visible(&i.reason)
            )?;
        }
        if using_suggestion {
            for c in &report.code_tables {
                let codes: Vec<String> = c
                    .entries
                    .iter()
                    .take(12)
                    .map(|e| {
                        if e.known {
                            format!(
                                "{}→{} ({})",
                                visible(&e.value),
                                visible(&e.maps_to),
                                e.count
                            )
                        } else {
                            format!("{}→? ({})", visible(&e.value), e.count)
                        }
                    })
                    .collect();
                writeln!(
                    out,
                    "  codes of \"{}\": {}",
                    visible(&c.column),
                    codes.join(", ")
                )?;
            }
            if !report.missing_required.is_empty() {
                writeln!(
                    out,
                    "  required but not found: {}",
                    report
                        .missing_required
                        .iter()
                        .map(|f| f.key())
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
        }
    }
    Ok(())
}

/// Runs `ph-import convert`.
pub fn run_convert(args: &ConvertArgs) -> anyhow::Result<()> {
    let policy = policy(args.no_email_required);
    let (sources, resolved) = prepare(
        &args.files,
        args.profile.as_deref(),
        &args.roles.options(args.country.as_deref())?,
        &policy,
    )?;
    let format = args.format.output();
    let never = AtomicBool::new(false);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let policy = args.import.policies(policy);
    let summary = match &args.edits {
        None => write::write_canonical(
            &sources,
            &resolved.mapping,
            policy,
            &args.out,
            format,
            &never,
        )?,
        Some(path) => {
            let text = read_edits(path)?;
            let edits = Edits::from_json(&text)
                .with_context(|| format!("{} is not usable", path.display()))?;
            let edited = ph_import_core::job::write_edited(
                &sources,
                &resolved.mapping,
                policy,
                &edits,
                &args.out,
                format,
                &never,
            )?;
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
    print_origin(&mut out, &resolved)?;
    writeln!(
        out,
        "Wrote {} clients, {} patients and {} findings:",
        summary.clients, summary.patients, summary.findings
    )?;
    for p in &summary.files {
        writeln!(out, "  {}", visible(p))?;
    }
    print_counts(&mut out, &summary)?;
    Ok(())
}

/// The edits file's text, read as every file a person names for a run is.
fn read_edits(path: &std::path::Path) -> anyhow::Result<String> {
    input_file::read_small(path, "edits file", "give the edits.json the app saved")
}

impl Format {
    /// The core's output format.
    pub(crate) fn output(self) -> OutputFormat {
        match self {
            Format::Csv => OutputFormat::Csv,
            Format::Jsonl => OutputFormat::Jsonl,
        }
    }
}

/// Loads the files and settles the mapping the way `convert` does (so `validate` finds
/// exactly what `convert` writes).
pub(crate) fn prepare(
    files: &[PathBuf],
    profile: Option<&str>,
    options: &SuggestOptions,
    policy: &RequiredPolicy,
) -> anyhow::Result<(Vec<TableSource>, Resolved)> {
    let (sources, tables) = load_tables(files)?;
    let mut resolved = choose(profile, &tables, options, policy)?;
    // The suggestion saw a sample; the date order is decided by all values.
    if matches!(resolved.origin, Origin::Suggestion) {
        write::refine_dates(&mut resolved.mapping, &sources)?;
    }
    Ok((sources, resolved))
}

/// Which mapping was used, one line.
pub(crate) fn print_origin(out: &mut impl Write, resolved: &Resolved) -> anyhow::Result<()> {
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

/// Findings by severity and code, and what the import policy will not send.
pub(crate) fn print_counts(out: &mut impl Write, summary: &WriteSummary) -> anyhow::Result<()> {
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
    let skipped = &summary.skipped;
    if skipped.inactive_clients + skipped.deceased_patients > 0 {
        writeln!(
            out,
            "Not sent: {} inactive clients, {} deceased patients (carried in the files with their flags; --send-inactive and --send-deceased send them).",
            skipped.inactive_clients, skipped.deceased_patients
        )?;
    }
    Ok(())
}
