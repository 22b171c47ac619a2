//! `ph-import clients`: a clinic's existing clients and their patients in PH, read-only,
//! as a table, a CSV file or JSON (for duplicate review before an import).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use ph_import_core::ph::Client;
use ph_import_core::private_file::Overwrite;
use ph_import_core::table_file::{OutputFormat, Writer};

use crate::ph_session::{self, DEFAULT_ENV};
use crate::visible::{visible, write_json};

/// Arguments of `ph-import clients`.
#[derive(Args, Debug)]
pub struct ClientsArgs {
    /// The environment; the built-in sandbox by default.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_ENV)]
    pub env: String,
    /// The clinic's PH id (see `ph-import whoami`).
    #[arg(long, value_name = "ID")]
    pub clinic: String,
    /// Only clients changed (or with a patient changed) at or after this time:
    /// RFC 3339 (2026-11-23T10:00:00Z) or a date (midnight UTC).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub updated_since: Option<DateTime<Utc>>,
    /// Write a CSV file (one row per client, its patients summarized) instead of a table.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "json")]
    pub out: Option<PathBuf>,
    /// Print the clients with their patients as JSON.
    #[arg(long)]
    pub json: bool,
    /// Replace the --out file if it already exists (never through a symbolic link).
    #[arg(long, requires = "out")]
    pub force: bool,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            format!("`{text}` is neither RFC 3339 (2026-11-23T10:00:00Z) nor a date (2026-11-23)")
        })
}

/// Runs `ph-import clients`.
pub fn run(args: &ClientsArgs) -> anyhow::Result<()> {
    let runtime = ph_session::runtime()?;
    let clients = runtime.block_on(async {
        let session = ph_session::open(&args.env).await?;
        let mut pages = session.api.clients(&args.clinic, args.updated_since);
        let mut all = Vec::new();
        while let Some(page) = pages.next_page().await? {
            all.extend(page);
            tracing::debug!(fetched = all.len(), total = ?pages.total_count(), "clients page");
        }
        anyhow::Ok(all)
    })?;
    if args.json {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        write_json(&mut out, &clients)?;
        return Ok(());
    }
    if let Some(path) = &args.out {
        let overwrite = if args.force {
            Overwrite::Replace
        } else {
            Overwrite::Refuse
        };
        write_csv(path, &clients, overwrite)?;
        eprintln!(
            "{} clients written to {}",
            clients.len(),
            visible(&path.display().to_string())
        );
        return Ok(());
    }
    print_table(&clients)
}

const CSV_HEADER: [&str; 19] = [
    "id",
    "externalId",
    "firstName",
    "lastName",
    "email",
    "phone",
    "phoneAlt",
    "address1",
    "address2",
    "city",
    "state",
    "postalCode",
    "country",
    "active",
    "createdByImportRun",
    "importRunId",
    "updatedAt",
    "patientCount",
    "patients",
];

/// The clients as CSV, through the same private, spreadsheet-safe writer as `convert`.
fn write_csv(path: &Path, clients: &[Client], overwrite: Overwrite) -> anyhow::Result<()> {
    let mut writer = Writer::create_with(path, OutputFormat::Csv, &CSV_HEADER, overwrite)?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    for c in clients {
        let cells = [
            c.id.clone(),
            text(&c.external_id),
            c.first_name.clone(),
            c.last_name.clone(),
            text(&c.email),
            text(&c.phone),
            text(&c.phone_alt),
            text(&c.address1),
            text(&c.address2),
            text(&c.city),
            text(&c.state),
            text(&c.postal_code),
            text(&c.country),
            c.active.to_string(),
            text(&c.created_by_import_run),
            text(&c.import_run_id),
            c.updated_at.to_rfc3339(),
            c.patients.len().to_string(),
            patients_summary(c),
        ];
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        writer
            .write(&cells, || serde_json::Value::Null)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    writer
        .flush()
        .with_context(|| format!("could not write {}", path.display()))?;
    Ok(())
}

fn patients_summary(client: &Client) -> String {
    client
        .patients
        .iter()
        .map(|p| format!("{} ({})", p.name, p.species))
        .collect::<Vec<_>>()
        .join("; ")
}

fn print_table(clients: &[Client]) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for c in clients {
        // PH holds what earlier imports sent, so its values are as untrusted as a file's.
        let line = format!(
            "{}  ext={}  {} {}  {}  {}  {}  patients: {}",
            c.id,
            c.external_id.as_deref().unwrap_or("-"),
            c.first_name,
            c.last_name,
            c.email.as_deref().unwrap_or("-"),
            c.phone.as_deref().unwrap_or("-"),
            c.city.as_deref().unwrap_or("-"),
            if c.patients.is_empty() {
                "none".to_owned()
            } else {
                patients_summary(c)
            }
        );
        writeln!(out, "{}", visible(&line))?;
    }
    writeln!(out, "{} clients", clients.len())?;
    Ok(())
}
