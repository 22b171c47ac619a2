//! Converting every row of the mapped tables and writing the canonical files
//! (`clients`, `patients`, `findings`): the one pipeline behind `ph-import convert` and the
//! app's Save.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{ClientRecord, Finding, PatientRecord, RequiredPolicy, Severity};
use crate::read::{ReadError, ReadNote};
use crate::validate::{ImportPolicy, Skipped};

use super::convert::{plan, run_order, Converter, Counts, DateRefiner};
use super::output::{FindingsOnly, OutputFiles, OutputFormat};
use super::source::{self, TableSource};
use super::transform::dates::DateOrder;
use super::{Mapping, MappingError, Sink, SourceRow};

/// How many findings of one code and severity were written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CodeCount {
    /// The finding code, e.g. `invalid_email`.
    pub code: String,
    /// `error`, `warning` or `fixed`.
    pub severity: String,
    /// How many.
    #[ts(type = "number")]
    pub count: u64,
}

/// What a conversion wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WriteSummary {
    /// Clients written.
    #[ts(type = "number")]
    pub clients: u64,
    /// Patients written.
    #[ts(type = "number")]
    pub patients: u64,
    /// Findings written.
    #[ts(type = "number")]
    pub findings: u64,
    /// Records carried with their flags but not sent under the default import policy.
    pub skipped: Skipped,
    /// Findings by code and severity, most common first.
    pub by_code: Vec<CodeCount>,
    /// The files written.
    pub files: Vec<String>,
}

/// Why the canonical files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A source file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The mapping does not fit the files.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// The output folder or files could not be written.
    #[error(
        "could not write to {dir}: {reason}. Choose a folder you can write to, with free space."
    )]
    Io {
        /// The output folder.
        dir: String,
        /// What the system said.
        reason: String,
    },
    /// The user cancelled.
    #[error("writing the files was cancelled; the files in the folder are incomplete")]
    Cancelled,
}

/// Settles date orders that the suggestion's sample left open by reading every value of the
/// date columns (a suggested mapping only: a person's choice is kept).
pub fn refine_dates(mapping: &mut Mapping, sources: &[TableSource]) -> Result<(), ReadError> {
    let default = if mapping.country.eq_ignore_ascii_case("US") {
        DateOrder::Mdy
    } else {
        DateOrder::Dmy
    };
    for (tm, s) in mapping.tables.iter_mut().zip(sources) {
        let (headers, rows) = source::stream(s)?;
        let mut refiner = DateRefiner::new(tm, &headers);
        if refiner.is_empty() {
            continue;
        }
        for row in rows {
            refiner.add(&row?);
        }
        refiner.apply(tm, default);
    }
    Ok(())
}

/// What the target asks of a run: the fields it requires, and which deceased pets and
/// inactive clients are sent (the files carry them all; the summary counts those not sent).
#[derive(Debug, Clone, Default)]
pub struct Policies {
    /// Fields the target requires.
    pub required: RequiredPolicy,
    /// Which flagged records are sent.
    pub import: ImportPolicy,
}

impl From<RequiredPolicy> for Policies {
    fn from(required: RequiredPolicy) -> Self {
        Policies {
            required,
            import: ImportPolicy::default(),
        }
    }
}

/// Converts every row of `sources` with `mapping` and writes the canonical files into `dir`.
pub fn write_canonical(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: impl Into<Policies>,
    dir: &Path,
    format: OutputFormat,
    cancel: &AtomicBool,
) -> Result<WriteSummary, WriteError> {
    let io = |e: std::io::Error| WriteError::Io {
        dir: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut files = OutputFiles::create(dir, format).map_err(io)?;
    let converter = converter(mapping, policy.into());
    let mut summary = run(sources, mapping, converter, &mut files, cancel, dir)?;
    summary.files = files
        .paths()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    files.finish().map_err(io)?;
    Ok(summary)
}

/// Validates every row of `sources` with `mapping` like [`write_canonical`] (the same
/// conversion, so the same findings) and writes only `findings.*` into `dir`.
pub fn write_findings(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: impl Into<Policies>,
    dir: &Path,
    format: OutputFormat,
    cancel: &AtomicBool,
) -> Result<WriteSummary, WriteError> {
    let io = |e: std::io::Error| WriteError::Io {
        dir: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut file = FindingsOnly::create(dir, format).map_err(io)?;
    let converter = converter(mapping, policy.into());
    let mut summary = run(sources, mapping, converter, &mut file, cancel, dir)?;
    summary.files = vec![file.path().display().to_string()];
    file.finish().map_err(io)?;
    Ok(summary)
}

/// Converts every table in run order into `sink`, counting by code and severity.
fn converter(mapping: &Mapping, policies: Policies) -> Converter {
    Converter::new(mapping, policies.required).with_import_policy(policies.import)
}

/// What the reader thread sends: the columns first, then batches of rows, then the notes.
enum Read {
    Columns(Vec<String>),
    Rows(Vec<SourceRow>),
    End(Vec<ReadNote>),
    Failed(ReadError),
}

/// Reads a table in batches into `out` until its end, an error, or the receiver is gone.
fn read_batches(source: &TableSource, out: &mpsc::SyncSender<Read>) {
    let mut rows = match source::open(source) {
        Ok(rows) => rows,
        Err(e) => {
            let _ = out.send(Read::Failed(e));
            return;
        }
    };
    if out.send(Read::Columns(rows.columns().to_vec())).is_err() {
        return;
    }
    loop {
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        for row in rows.by_ref().take(BATCH_ROWS) {
            match row {
                Ok(row) => batch.push(SourceRow {
                    number: row.number,
                    cells: row.cells,
                }),
                Err(e) => {
                    let _ = out.send(Read::Failed(e));
                    return;
                }
            }
        }
        let message = if batch.is_empty() {
            Read::End(rows.notes())
        } else {
            Read::Rows(batch)
        };
        let end = matches!(message, Read::End(_));
        // A failed send means the converter stopped (an error, or cancelled).
        if out.send(message).is_err() || end {
            return;
        }
    }
}

/// Rows converted together: enough to share among cores, few enough to keep memory flat.
const BATCH_ROWS: usize = 8192;

fn run(
    sources: &[TableSource],
    mapping: &Mapping,
    mut converter: Converter,
    sink: &mut dyn Sink,
    cancel: &AtomicBool,
    dir: &Path,
) -> Result<WriteSummary, WriteError> {
    let io = |e: std::io::Error| WriteError::Io {
        dir: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut tally = Tally {
        inner: sink,
        by_code: BTreeMap::new(),
    };
    let mut total = Counts::default();
    for i in run_order(mapping) {
        let (Some(tm), Some(s)) = (mapping.tables.get(i), sources.get(i)) else {
            continue;
        };
        // A reader thread fills batches while the converter works on the previous one, whose
        // per-row work runs on every core. The stream stays on its thread from open to notes.
        let (batches, received) = mpsc::sync_channel::<Read>(2);
        let notes = std::thread::scope(|scope| -> Result<Vec<ReadNote>, WriteError> {
            scope.spawn(move || read_batches(s, &batches));
            // Owned here, so that returning early drops it and ends a reader waiting to send.
            let received = received;
            let mut table_plan = None;
            for message in received.iter() {
                if cancel.load(Ordering::Relaxed) {
                    return Err(WriteError::Cancelled);
                }
                match message {
                    Read::Columns(headers) => table_plan = Some(plan(tm, &s.label, &headers)?),
                    Read::Rows(batch) => {
                        if let Some(p) = &table_plan {
                            total.add(converter.rows(p, &batch, &mut tally).map_err(io)?);
                        }
                    }
                    Read::End(notes) => return Ok(notes),
                    Read::Failed(e) => return Err(e.into()),
                }
            }
            Ok(Vec::new())
        })?;
        // The reader pads short rows and drops the extra cells of long ones; it keeps the
        // first rows of each kind, which become findings the user can look up.
        for note in notes {
            if !note.code.starts_with("ragged_") {
                continue;
            }
            for &r in &note.rows {
                let f = Finding {
                    file: s.label.clone(),
                    row: r,
                    field: String::new(),
                    code: "ragged_row".into(),
                    severity: Severity::Warning,
                    message: note.message.clone(),
                    value: String::new(),
                    suggestion: String::new(),
                };
                tally.finding(&f).map_err(io)?;
                total.findings += 1;
            }
        }
    }
    let mut by_code: Vec<CodeCount> = tally
        .by_code
        .into_iter()
        .map(|((code, severity), count)| CodeCount {
            code,
            severity,
            count,
        })
        .collect();
    by_code.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    Ok(WriteSummary {
        clients: total.clients,
        patients: total.patients,
        findings: total.findings,
        skipped: Skipped {
            inactive_clients: total.skipped_inactive_clients,
            deceased_patients: total.skipped_deceased_patients,
        },
        by_code,
        files: Vec::new(),
    })
}

/// Passes records through to the files while counting findings by code and severity.
struct Tally<'a> {
    inner: &'a mut dyn Sink,
    by_code: BTreeMap<(String, String), u64>,
}

impl Sink for Tally<'_> {
    fn client(&mut self, r: &ClientRecord) -> std::io::Result<()> {
        self.inner.client(r)
    }

    fn patient(&mut self, r: &PatientRecord) -> std::io::Result<()> {
        self.inner.patient(r)
    }

    fn finding(&mut self, f: &Finding) -> std::io::Result<()> {
        *self
            .by_code
            .entry((f.code.clone(), f.severity.as_str().to_owned()))
            .or_insert(0) += 1;
        self.inner.finding(f)
    }
}
