//! The reports of a run, in its folder: `results.csv` (every incoming record: what was
//! planned and what happened), `errors.csv` (the original columns of every row not
//! imported, plus why, so the clinic can fix and re-import just those) and `summary.txt`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::canonical::Entity;
use crate::private_file::Overwrite;
use crate::table_file::{OutputFormat, Writer};

use super::apply::{phase, Tally};
use super::error::ImportError;
use super::journal::{Item, ItemStatus, Journal};
use super::plan::{thousands, InputFile, Op, Origin, Plan};

/// Columns of `results.csv`.
pub const RESULT_COLUMNS: [&str; 9] = [
    "file",
    "row",
    "entity",
    "external_id",
    "classification",
    "operation",
    "status",
    "ph_id",
    "message",
];

/// What the reports say in figures.
pub struct Written {
    /// Clients by outcome.
    pub clients: Tally,
    /// Pets by outcome.
    pub patients: Tally,
    /// The human summary, as in `summary.txt`.
    pub summary: String,
    /// The files written.
    pub files: Vec<PathBuf>,
}

/// One incoming record's outcome.
struct Outcome<'a> {
    origin: Origin,
    entity: Entity,
    external_id: &'a str,
    classification: &'static str,
    operation: &'static str,
    status: &'static str,
    ph_id: String,
    message: String,
    /// Whether the row belongs in errors.csv.
    failed: bool,
}

/// Writes the reports of `plan`'s run into `dir` from what the journal holds.
pub fn write(
    dir: &Path,
    plan: &Plan,
    journal: &Journal,
    problems: &[String],
) -> Result<Written, ImportError> {
    let run = &plan.run_id;
    let items = |name| journal.items(run, name);
    let (cc, cu) = (items(phase::CLIENTS_CREATE)?, items(phase::CLIENTS_UPDATE)?);
    let (pc, pu) = (
        items(phase::PATIENTS_CREATE)?,
        items(phase::PATIENTS_UPDATE)?,
    );
    let mut outcomes = Vec::with_capacity(plan.clients.len() + plan.patients.len());
    let (mut clients, mut patients) = (Tally::default(), Tally::default());
    for (i, s) in plan.clients.iter().enumerate() {
        let o = outcome(&s.op, cc.get(&i), cu.get(&i), &mut clients);
        outcomes.push(Outcome {
            origin: s.origin,
            entity: Entity::Client,
            external_id: &s.record.external_id,
            classification: s.classification.as_str(),
            ..o
        });
    }
    for (i, s) in plan.patients.iter().enumerate() {
        let o = outcome(&s.op, pc.get(&i), pu.get(&i), &mut patients);
        outcomes.push(Outcome {
            origin: s.origin,
            entity: Entity::Patient,
            external_id: &s.record.external_id,
            classification: s.classification.as_str(),
            ..o
        });
    }
    for e in &plan.excluded {
        outcomes.push(Outcome {
            origin: e.origin,
            entity: e.entity,
            external_id: &e.external_id,
            // How it matched PH, so the clinic sees what a fixed row will do.
            classification: e.classification.map_or("excluded", |c| c.as_str()),
            operation: "none",
            status: "excluded",
            ph_id: String::new(),
            message: e.reason.clone(),
            failed: true,
        });
        match e.entity {
            Entity::Client => clients.skipped += 1,
            Entity::Patient => patients.skipped += 1,
        }
    }
    outcomes.sort_by_key(|o| (o.origin.table, o.origin.row, o.entity == Entity::Patient));

    let mut files = vec![dir.join("results.csv")];
    let mut w = Writer::create_with(
        &files[0],
        OutputFormat::Csv,
        &RESULT_COLUMNS,
        Overwrite::Replace,
    )?;
    for o in &outcomes {
        let row = o.origin.row.to_string();
        w.write(
            &[
                plan.file_of(o.origin),
                &row,
                entity_name(o.entity),
                o.external_id,
                o.classification,
                o.operation,
                o.status,
                &o.ph_id,
                &o.message,
            ],
            || serde_json::Value::Null,
        )
        .map_err(|e| ImportError::io(&files[0], e))?;
    }
    w.flush().map_err(|e| ImportError::io(&files[0], e))?;

    let failed = failed_rows(&outcomes);
    let (error_files, notes) = write_errors(dir, plan, &failed)?;
    files.extend(error_files);
    let summary = summary_text(plan, &clients, &patients, failed.len(), problems, &notes);
    let path = dir.join("summary.txt");
    let mut file = crate::private_file::create(&path, Overwrite::Replace)?;
    std::io::Write::write_all(&mut file, summary.as_bytes())
        .map_err(|e| ImportError::io(&path, e))?;
    files.push(path);
    Ok(Written {
        clients,
        patients,
        summary,
        files,
    })
}

fn entity_name(e: Entity) -> &'static str {
    match e {
        Entity::Client => "client",
        Entity::Patient => "patient",
    }
}

/// What happened to one planned record, counted into `tally`.
fn outcome(
    op: &Op,
    created: Option<&Item>,
    updated: Option<&Item>,
    tally: &mut Tally,
) -> Outcome<'static> {
    let base = |status: &'static str, ph_id: &str, message: String, failed: bool| Outcome {
        origin: Origin { table: 0, row: 0 },
        entity: Entity::Client,
        external_id: "",
        classification: "",
        operation: op.name(),
        status,
        ph_id: ph_id.to_owned(),
        message,
        failed,
    };
    let item = match op {
        Op::Create => created,
        Op::Update { .. } => updated,
        Op::Unchanged { ph_id } => {
            tally.unchanged += 1;
            return base(
                "unchanged",
                ph_id,
                "PH already holds these values".into(),
                false,
            );
        }
        Op::Skip { reason } => {
            tally.skipped += 1;
            return base("skipped", "", reason.clone(), false);
        }
        Op::Undecided { candidates } => {
            tally.skipped += 1;
            let text = format!(
                "not sent: waits for a decision between PH records {}",
                candidates.join(", ")
            );
            return base("undecided", "", text, true);
        }
    };
    let Some(item) = item else {
        tally.skipped += 1;
        return base(
            "not_sent",
            op.ph_id().unwrap_or(""),
            "not sent: the run stopped before it".into(),
            true,
        );
    };
    let ph_id = item.ph_id.as_deref().or(op.ph_id()).unwrap_or("");
    let message = item.message.clone();
    match item.status {
        ItemStatus::Created => {
            tally.created += 1;
            base("created", ph_id, message, false)
        }
        ItemStatus::Updated => {
            tally.updated += 1;
            base("updated", ph_id, message, false)
        }
        ItemStatus::Unchanged => {
            tally.unchanged += 1;
            base("unchanged", ph_id, message, false)
        }
        ItemStatus::Error => {
            tally.errors += 1;
            base("error", ph_id, message, true)
        }
        status => {
            tally.skipped += 1;
            base(status.as_str(), ph_id, message, true)
        }
    }
}

/// The reasons of every row with a record not imported, by table then row.
fn failed_rows(outcomes: &[Outcome]) -> BTreeMap<(usize, u64), Vec<String>> {
    let mut rows: BTreeMap<(usize, u64), Vec<String>> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| o.failed) {
        let reason = format!("{} {}: {}", entity_name(o.entity), o.external_id, o.message);
        rows.entry((o.origin.table, o.origin.row))
            .or_default()
            .push(reason);
    }
    rows
}

/// Writes `errors.csv` (file, row, reason, then the original columns when there is one
/// table) and, with several tables, `errors-<table>.csv` with each table's own columns.
/// Returns the files and notes on tables that could not be read back.
fn write_errors(
    dir: &Path,
    plan: &Plan,
    failed: &BTreeMap<(usize, u64), Vec<String>>,
) -> Result<(Vec<PathBuf>, Vec<String>), ImportError> {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let single = plan.tables.len() == 1;
    if !single {
        let path = dir.join("errors.csv");
        let mut w = Writer::create_with(
            &path,
            OutputFormat::Csv,
            &["file", "row", "reason"],
            Overwrite::Replace,
        )?;
        for ((table, row), reasons) in failed {
            let file = plan.file_of(Origin {
                table: *table,
                row: *row,
            });
            w.write(&[file, &row.to_string(), &reasons.join("; ")], || {
                serde_json::Value::Null
            })
            .map_err(|e| ImportError::io(&path, e))?;
        }
        w.flush().map_err(|e| ImportError::io(&path, e))?;
        files.push(path);
    }
    for (t, table) in plan.tables.iter().enumerate() {
        let wanted: FxHashMap<u64, &Vec<String>> = failed
            .range((t, 0)..=(t, u64::MAX))
            .map(|((_, row), reasons)| (*row, reasons))
            .collect();
        if wanted.is_empty() && !single {
            continue;
        }
        let path = if single {
            dir.join("errors.csv")
        } else {
            dir.join(format!("errors-{}.csv", file_safe(&table.label)))
        };
        let unchanged = plan
            .inputs
            .iter()
            .find(|f| Path::new(&f.path) == table.path)
            .is_some_and(|planned| {
                InputFile::of(&table.path).is_ok_and(|now| now.sha256 == planned.sha256)
            });
        let original = if unchanged {
            crate::mapping::source::stream(table).ok()
        } else {
            None
        };
        let Some((headers, rows)) = original else {
            notes.push(format!(
                "{} changed or is gone since the plan, so its errors file lists row numbers and reasons without the original columns",
                table.label
            ));
            let mut w = Writer::create_with(
                &path,
                OutputFormat::Csv,
                &["row", "reason"],
                Overwrite::Replace,
            )?;
            let mut sorted: Vec<_> = wanted.iter().collect();
            sorted.sort();
            for (row, reasons) in sorted {
                w.write(&[&row.to_string(), &reasons.join("; ")], || {
                    serde_json::Value::Null
                })
                .map_err(|e| ImportError::io(&path, e))?;
            }
            w.flush().map_err(|e| ImportError::io(&path, e))?;
            files.push(path);
            continue;
        };
        let mut header: Vec<&str> = headers.iter().map(String::as_str).collect();
        header.push("import_error");
        let mut w = Writer::create_with(&path, OutputFormat::Csv, &header, Overwrite::Replace)?;
        for row in rows {
            // A row the reader now refuses was refused when planning too; it is in
            // results.csv, and the rest of the file is still worth writing.
            let Ok(row) = row else { continue };
            let Some(reasons) = wanted.get(&row.number) else {
                continue;
            };
            let reason = reasons.join("; ");
            let mut cells: Vec<&str> = row.cells.iter().map(String::as_str).collect();
            cells.resize(headers.len(), "");
            cells.push(&reason);
            w.write(&cells, || serde_json::Value::Null)
                .map_err(|e| ImportError::io(&path, e))?;
        }
        w.flush().map_err(|e| ImportError::io(&path, e))?;
        files.push(path);
    }
    Ok((files, notes))
}

/// A table label as a file name part.
fn file_safe(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn tally_line(what: &str, t: &Tally) -> String {
    format!(
        "{what}: {} created, {} updated, {} unchanged, {} refused by PH, {} not sent",
        thousands(t.created),
        thousands(t.updated),
        thousands(t.unchanged),
        thousands(t.errors),
        thousands(t.skipped)
    )
}

fn summary_text(
    plan: &Plan,
    clients: &Tally,
    patients: &Tally,
    failed_rows: usize,
    problems: &[String],
    notes: &[String],
) -> String {
    let mut s = format!(
        "Import run {} into {} ({}) on {}\n{}\n{}\n",
        plan.run_id,
        plan.target.clinic_name,
        plan.target.clinic_id,
        plan.target.env,
        tally_line("Clients", clients),
        tally_line("Patients", patients),
    );
    if failed_rows > 0 {
        s.push_str(&format!(
            "{} rows were not (fully) imported: errors.csv has them with the reason; fix them and import that file again.\n",
            thousands(failed_rows as u64)
        ));
    }
    if problems.is_empty() {
        s.push_str("Verified: PH holds what the plan wrote.\n");
    } else {
        s.push_str(&format!(
            "Verify found {} differences from the plan:\n",
            problems.len()
        ));
        for p in problems.iter().take(20) {
            s.push_str(&format!("  - {p}\n"));
        }
        if problems.len() > 20 {
            s.push_str(&format!("  … and {} more\n", problems.len() - 20));
        }
    }
    for n in notes {
        s.push_str(n);
        s.push('\n');
    }
    s
}
