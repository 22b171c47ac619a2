//! `ph-import dedupe`: the duplicates inside export files, and (with `--clinic`) how each
//! record relates to the clinic's clients and patients already in PH.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use ph_import_core::dedupe::classify::{Classified, RecordMatch};
use ph_import_core::dedupe::output::{
    write_duplicates_in, write_matches_in, DUPLICATES_FILE, MATCHES_FILE,
};
use ph_import_core::dedupe::resolve::{Decisions, OutcomeCounts};
use ph_import_core::dedupe::DuplicateGroup;
use ph_import_core::job::{Job, Scan};
use ph_import_core::ph::{Client, Clinic};
use ph_import_core::private_file::FileSet;
use ph_import_core::table_file::file_names;
use serde::Serialize;

use crate::input_file;
use crate::ph_session::{self, Session, DEFAULT_ENV};
use crate::progress::{self, Display};
use crate::run_args::{print_origin, Format, ImportArgs, InputArgs};
use crate::visible::{visible, write_json};

/// Arguments of `ph-import dedupe`.
#[derive(Args, Debug)]
pub struct DedupeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Also match every record against this clinic's clients and patients in PH (its PH id,
    /// see `ph-import whoami`).
    #[arg(long, value_name = "ID")]
    pub clinic: Option<String>,
    /// The environment of `--clinic` (so it needs `--clinic`); the built-in sandbox by default.
    #[arg(long, value_name = "NAME", requires = "clinic")]
    pub env: Option<String>,
    /// Field policies and per-record decisions (merge, keep both, skip) to apply, as saved
    /// by the app or written by hand (see docs/dedupe.md).
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    /// Write duplicates.* (and with --clinic matches.*) into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Format of the files written with --out.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Print JSON (groups, classifications, outcomes) instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub import: ImportArgs,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    groups: &'a [DuplicateGroup],
    excluded_for_errors: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    classified: Option<&'a Classified>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcomes: Option<Outcomes<'a>>,
}

#[derive(Serialize)]
struct Outcomes<'a> {
    clients: &'a OutcomeCounts,
    patients: &'a OutcomeCounts,
}

/// The clinic a dedupe matches against, and the session that reads it.
struct Against {
    /// Dropped before the runtime it runs on.
    session: Session,
    runtime: tokio::runtime::Runtime,
    clinic: Clinic,
}

impl Against {
    /// Opens `env` and reads the clinic: only reads, so a read-only token will do.
    fn open(env: &str, clinic: &str) -> anyhow::Result<Against> {
        let runtime = ph_session::runtime()?;
        let session = runtime.block_on(ph_session::open(env))?;
        let clinic = runtime.block_on(session.api.clinic(clinic))?;
        Ok(Against {
            session,
            runtime,
            clinic,
        })
    }

    /// Every client of the clinic with its patients, pages fetched with a count on stderr.
    fn clients(&self) -> anyhow::Result<Vec<Client>> {
        self.runtime.block_on(async {
            let mut pages = self.session.api.clients(&self.clinic.id, None);
            let mut all = Vec::new();
            while let Some(page) = pages.next_page().await? {
                all.extend(page);
                match pages.total_count() {
                    Some(total) => eprint!(
                        "\rReading the clinic's PH clients: {} of {total}",
                        all.len()
                    ),
                    None => eprint!("\rReading the clinic's PH clients: {}", all.len()),
                }
            }
            eprintln!();
            anyhow::Ok(all)
        })
    }
}

/// Runs `ph-import dedupe`.
pub fn run(args: &DedupeArgs) -> anyhow::Result<()> {
    // Before the export is read: a wrong --decisions path fails at once.
    let decisions = match &args.decisions {
        Some(path) => input_file::decisions(path)?,
        None => Decisions::default(),
    };
    // The clinic first: as for an import, its own rules decide what a record needs.
    let against = match &args.clinic {
        Some(clinic) => Some(Against::open(
            args.env.as_deref().unwrap_or(DEFAULT_ENV),
            clinic,
        )?),
        None => None,
    };
    let spec = match &against {
        Some(a) => args.input.spec_for(&a.clinic)?,
        None => args.input.spec()?,
    };
    let mut display = Display::new(args.json);
    let job = Job::open(&spec, &mut display.callback(), progress::cancel())?;
    let policies = args.import.policies(&spec.settings);
    let overwrite = policies.overwrite;
    let found = job.scan(policies, None, &mut display.callback(), progress::cancel())?;
    display.finish();
    // Every record is matched, those with errors too: they are reported with their errors.
    let classified = match &against {
        Some(a) => Some(found.classify(&a.clients()?)),
        None => None,
    };
    let (clients, patients) = match &classified {
        Some(c) => (
            OutcomeCounts::of(&c.clients, &decisions),
            OutcomeCounts::of(&c.patients, &decisions),
        ),
        None => Default::default(),
    };
    let mut written = Vec::new();
    if let Some(dir) = &args.out {
        // One set, so that matches.* refused leaves no duplicates.* behind.
        let format = args.format.output();
        let mut stems = vec![DUPLICATES_FILE];
        if classified.is_some() {
            stems.push(MATCHES_FILE);
        }
        let mut set = FileSet::new(dir, &file_names(format, &stems), overwrite)?;
        write_duplicates_in(&mut set, format, &found.groups)?;
        if let Some(c) = &classified {
            let all: Vec<&RecordMatch> = c.clients.iter().chain(&c.patients).collect();
            write_matches_in(&mut set, format, &all)?;
        }
        written = set.commit()?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let report = JsonReport {
            groups: &found.groups,
            excluded_for_errors: found.excluded,
            classified: classified.as_ref(),
            outcomes: classified.as_ref().map(|_| Outcomes {
                clients: &clients,
                patients: &patients,
            }),
        };
        write_json(&mut out, &report)?;
        return Ok(());
    }
    print_origin(&mut out, &job.resolved)?;
    print_groups(&mut out, &found)?;
    if let Some(c) = &classified {
        print_classified(&mut out, c, &clients, &patients)?;
    }
    for p in &written {
        writeln!(out, "Wrote {}", visible(&p.display().to_string()))?;
    }
    Ok(())
}

/// How many records a group description lists before "…".
const SHOWN_GROUPS: usize = 20;

fn print_groups(out: &mut impl Write, found: &Scan) -> anyhow::Result<()> {
    if found.groups.is_empty() {
        writeln!(out, "No duplicates inside the files.")?;
        return Ok(());
    }
    writeln!(
        out,
        "{} duplicate groups inside the files:",
        found.groups.len()
    )?;
    for (kind, n) in ph_import_core::dedupe::count_by_kind(&found.groups) {
        writeln!(out, "  {n:>7} × {}", kind.as_str())?;
    }
    for g in found.groups.iter().take(SHOWN_GROUPS) {
        writeln!(
            out,
            "  group {} ({}, {:?}):",
            g.id,
            g.kind.as_str(),
            g.entity
        )?;
        for m in &g.members {
            let id = if m.external_id.is_empty() {
                "-"
            } else {
                &m.external_id
            };
            writeln!(
                out,
                "    {} {} ({} row {}) {:.2} {}",
                if m.primary { "keep" } else { "dup " },
                visible(id),
                visible(&m.file),
                m.row,
                m.score,
                visible(&m.reasons.join(", "))
            )?;
        }
    }
    if found.groups.len() > SHOWN_GROUPS {
        writeln!(
            out,
            "  … and {} more groups (see --out or --json)",
            found.groups.len() - SHOWN_GROUPS
        )?;
    }
    Ok(())
}

fn print_classified(
    out: &mut impl Write,
    c: &Classified,
    clients: &OutcomeCounts,
    patients: &OutcomeCounts,
) -> anyhow::Result<()> {
    for (what, counts, outcomes) in [
        ("Clients", &c.client_counts, clients),
        ("Patients", &c.patient_counts, patients),
    ] {
        writeln!(
            out,
            "{what} against PH: {} new, {} identical, {} update, {} conflict, {} ambiguous",
            counts.new, counts.identical, counts.update, counts.conflict, counts.ambiguous
        )?;
        writeln!(
            out,
            "  importing would create {}, update {}, leave {} unchanged, skip {}; {} wait for a decision; {} not imported for errors",
            outcomes.create,
            outcomes.update,
            outcomes.unchanged,
            outcomes.skip,
            outcomes.undecided,
            outcomes.excluded
        )?;
    }
    let notable = c
        .clients
        .iter()
        .chain(&c.patients)
        .filter(|m| !m.diffs.is_empty() || !m.candidates.is_empty() || !m.errors.is_empty());
    for m in notable.take(SHOWN_GROUPS) {
        writeln!(
            out,
            "  {} {:?} {}: {}",
            m.classification.as_str(),
            m.entity,
            visible(&m.external_id),
            visible(&m.reasons.join(", "))
        )?;
        for d in &m.diffs {
            let ph = if d.ph.is_empty() { "(empty)" } else { &d.ph };
            writeln!(
                out,
                "      {}: PH {} / file {}",
                d.field.key(),
                visible(ph),
                visible(&d.file)
            )?;
        }
        if !m.candidates.is_empty() {
            writeln!(out, "      may be PH {}", visible(&m.candidates.join(", ")))?;
        }
        if !m.errors.is_empty() {
            writeln!(out, "      not imported: {}", visible(&m.errors))?;
        }
    }
    Ok(())
}
