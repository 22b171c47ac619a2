//! Converting every row of the mapped tables and writing the canonical files
//! (`clients`, `patients`, `findings`): the one pipeline behind `ph-import convert` and the
//! app's Save.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::canonical::CodeCount;
use crate::canonical::{Entity, Finding, RequiredPolicy, Severity};
use crate::dedupe::{DuplicateGroup, DuplicateKind, Spilling};
use crate::private_file::{CreateError, FileSet, Overwrite};
use crate::read::{Progress, ReadError};
use crate::validate::{ImportPolicy, Skipped};

use crate::dedupe::output::{DuplicatesFile, DUPLICATES_FILE};
use crate::mapping::convert::{Converter, DateRefiner};
use crate::mapping::row::{RowOutput, RunError, TableTallies, TableTally};

use super::convert::convert_rows;
use crate::mapping::source::{self, TableSource};
use crate::mapping::transform::dates::DateOrder;
use crate::mapping::{Mapping, MappingError, SourceRow, TableRole};
use crate::table_file::{file_names, OutputFormat};

use super::output::{FindingsOnly, OutputFiles, WriteRecords, RECORD_FILES};

/// How many duplicate groups of one kind and entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KindCount {
    /// The kind of group.
    pub kind: DuplicateKind,
    /// Clients or pets.
    pub entity: Entity,
    /// How many groups.
    #[ts(type = "number")]
    pub groups: u64,
    /// How many records they hold.
    #[ts(type = "number")]
    pub records: u64,
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
    /// Findings about a whole table (row 0), in full: each says what to change and where.
    pub notices: Vec<Finding>,
    /// Duplicate groups inside the files, by kind (written to `duplicates.*` by a conversion;
    /// empty for validation alone).
    pub duplicates: Vec<KindCount>,
    /// The files written.
    pub files: Vec<String>,
    /// Rows and records of each table, in the mapping's order.
    pub tables: Vec<TableTally>,
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
    /// An output file could not be created: it exists, it is a link, or the folder is not
    /// writable.
    #[error(transparent)]
    Create(#[from] CreateError),
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
    #[error("writing the files was cancelled; nothing was written to the folder")]
    Cancelled,
}

impl From<RunError> for WriteError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Read(e) => WriteError::Read(e),
            RunError::Mapping(e) => WriteError::Mapping(e),
            RunError::Cancelled => WriteError::Cancelled,
        }
    }
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
        let mut rows = source::open(s)?;
        let mut refiner = DateRefiner::new(tm, rows.columns());
        if refiner.is_empty() {
            continue;
        }
        // One row's cells, read into again and again: this pass reads the whole file.
        let mut row = SourceRow::default();
        while let Some(read) = rows.next_into(&mut row.number, &mut row.cells) {
            read?;
            refiner.add(&row);
        }
        refiner.apply(tm, default);
    }
    Ok(())
}

/// What a run is asked to do: the fields the target requires, which deceased pets and
/// inactive clients are sent (the files carry them all; the summary counts those not sent),
/// and whether output files already in the folder may be replaced.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    /// Fields the target requires.
    pub required: RequiredPolicy,
    /// Which flagged records are sent.
    pub import: ImportPolicy,
    /// Files already in the output folder: replaced by default (the app saves into the
    /// folder the user chose); the CLI refuses unless `--force`.
    pub overwrite: Overwrite,
}

impl From<RequiredPolicy> for Policies {
    fn from(required: RequiredPolicy) -> Self {
        Policies {
            required,
            import: ImportPolicy::default(),
            overwrite: Overwrite::default(),
        }
    }
}

/// The table position a progress report gives once every row is read and the duplicate
/// groups are being formed (its rows: the records grouped).
pub(crate) const GROUPING: usize = usize::MAX;

/// Converts every row of `sources` with `mapping` and writes the canonical files into `dir`:
/// all of them, or (on a refusal, an error or a cancel) none.
pub fn write_canonical(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: impl Into<Policies>,
    dir: &Path,
    format: OutputFormat,
    cancel: &AtomicBool,
) -> Result<WriteSummary, WriteError> {
    write_canonical_with(sources, mapping, policy, dir, format, cancel, &mut |row| {
        row
    })
}

/// Like [`write_canonical`], each row's output passed through `change` before it is written
/// and counted (the review's edits and exclusions).
pub fn write_canonical_with(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: impl Into<Policies>,
    dir: &Path,
    format: OutputFormat,
    cancel: &AtomicBool,
    change: &mut dyn FnMut(RowOutput) -> RowOutput,
) -> Result<WriteSummary, WriteError> {
    write_canonical_progress(
        sources,
        mapping,
        policy,
        dir,
        format,
        cancel,
        change,
        &mut |_, _| {},
        &[],
    )
}

/// Like [`write_canonical_with`], `progress` told of each table's reading after every batch,
/// and the files `beside` (name, text) written into the same set: all of them, or none.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_canonical_progress(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: impl Into<Policies>,
    dir: &Path,
    format: OutputFormat,
    cancel: &AtomicBool,
    change: &mut dyn FnMut(RowOutput) -> RowOutput,
    progress: &mut dyn FnMut(usize, Progress),
    beside: &[(&str, &str)],
) -> Result<WriteSummary, WriteError> {
    let policies: Policies = policy.into();
    let stems = [RECORD_FILES.as_slice(), &[DUPLICATES_FILE]].concat();
    let mut names = file_names(format, &stems);
    names.extend(beside.iter().map(|(name, _)| name.to_string()));
    let mut set = FileSet::new(dir, &names, policies.overwrite)?;
    let mut files = OutputFiles::in_set(&mut set, format)?;
    // The duplicate finder's records wait on disk beside the files being written (an
    // unnamed file, gone when closed), not in memory beside the conversion's own.
    let scratch = tempfile::tempfile_in(dir).map_err(io_error(dir))?;
    let (summary, collector) = std::thread::scope(|scope| {
        let (send, received) = mpsc::sync_channel(FEED_BATCHES);
        // Named, so profilers and debuggers tell the stages apart. Failing to start a
        // thread is the system out of resources, which `scope.spawn` panics on too.
        let collecting = std::thread::Builder::new()
            .name("ph-dedupe".into())
            .spawn_scoped(scope, move || collect(received, scratch))
            .expect("the system could not start a thread");
        let mut feed = Feed {
            batch: Vec::with_capacity(FEED_ROWS),
            send,
        };
        let summary = write_rows(
            sources,
            mapping,
            policies,
            &mut files,
            Some(&mut feed),
            cancel,
            dir,
            change,
            progress,
        );
        feed.finish();
        let collector = collecting
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (summary, collector)
    });
    let mut summary = summary?;
    files.finish()?;
    let labels: Vec<String> = sources.iter().map(|s| s.label.clone()).collect();
    progress(
        GROUPING,
        Progress {
            bytes_read: 0,
            bytes_total: None,
            rows_read: summary.clients + summary.patients,
        },
    );
    let collector = collector.read_back().map_err(io_error(dir))?;
    let mut duplicates = DuplicatesFile::in_set(&mut set, format)?;
    collector.each_group(&labels, &mut |g| {
        count_group(&mut summary.duplicates, &g);
        duplicates.group(&g)
    })?;
    duplicates.finish()?;
    for (name, text) in beside {
        let (mut file, path) = set.create(name)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| CreateError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    summary.files = set
        .commit()?
        .iter()
        .map(|p| p.display().to_string())
        .collect();
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
    write_findings_with(
        sources,
        mapping,
        policy,
        dir,
        format,
        cancel,
        &mut |_, _| {},
    )
}

/// Like [`write_findings`], `progress` told of each table's reading after every batch.
pub(crate) fn write_findings_with(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: impl Into<Policies>,
    dir: &Path,
    format: OutputFormat,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, Progress),
) -> Result<WriteSummary, WriteError> {
    let policies = policy.into();
    let mut file = FindingsOnly::create_with(dir, format, policies.overwrite)?;
    let mut summary = write_rows(
        sources,
        mapping,
        policies,
        &mut file,
        None,
        cancel,
        dir,
        &mut |row| row,
        progress,
    )?;
    summary.files = vec![file.path().display().to_string()];
    file.finish()?;
    Ok(summary)
}

fn io_error(dir: &Path) -> impl Fn(std::io::Error) -> WriteError + '_ {
    move |e| WriteError::Io {
        dir: dir.display().to_string(),
        reason: e.to_string(),
    }
}

/// What a row repeated verbatim in table `table` holds: a pet unless the table lists clients.
pub fn repeated_entity(mapping: &Mapping, table: usize) -> Entity {
    match mapping.tables.get(table).map(|t| t.role) {
        Some(TableRole::Clients) => Entity::Client,
        _ => Entity::Patient,
    }
}

/// Counts `g` in `counts`: groups and records of each kind and entity, in the order first
/// seen.
fn count_group(counts: &mut Vec<KindCount>, g: &DuplicateGroup) {
    let records = g.members.len() as u64;
    match counts
        .iter_mut()
        .find(|c| c.kind == g.kind && c.entity == g.entity)
    {
        Some(c) => {
            c.groups += 1;
            c.records += records;
        }
        None => counts.push(KindCount {
            kind: g.kind,
            entity: g.entity,
            groups: 1,
            records,
        }),
    }
}

/// How many rows go to the duplicate collector's thread at once.
const FEED_ROWS: usize = 1024;
/// How many batches of rows may wait for the collector: enough to ride out a pause, few
/// enough that the rows waiting stay small.
const FEED_BATCHES: usize = 8;

/// The rows of a conversion on their way to the duplicate collector's thread, once
/// written: fingerprinting and freeing them there keeps them off the thread that writes
/// the files, which the whole conversion waits for.
struct Feed {
    batch: Vec<(RowOutput, Entity)>,
    send: mpsc::SyncSender<Vec<(RowOutput, Entity)>>,
}

impl Feed {
    fn push(&mut self, row: RowOutput, entity: Entity) {
        self.batch.push((row, entity));
        if self.batch.len() >= FEED_ROWS {
            let full = std::mem::replace(&mut self.batch, Vec::with_capacity(FEED_ROWS));
            // Only a collector that panicked hangs up; its join says so.
            let _ = self.send.send(full);
        }
    }

    /// Hands on the last rows; the collector ends once it has them.
    fn finish(self) {
        if !self.batch.is_empty() {
            let _ = self.send.send(self.batch);
        }
    }
}

/// The collector's thread: every row fed, until the feed ends.
fn collect(received: mpsc::Receiver<Vec<(RowOutput, Entity)>>, scratch: std::fs::File) -> Spilling {
    let mut collector = Spilling::new(scratch);
    for batch in received {
        for (row, entity) in batch {
            collector.row(&row, entity);
        }
    }
    collector
}

/// Converts every table into `sink` (each row through `change`), counting records, the
/// ones the import policy does not send, and findings by code and severity; the records
/// and repeated rows also go to `feed`, once written, for the duplicate groups.
#[allow(clippy::too_many_arguments)]
fn write_rows(
    sources: &[TableSource],
    mapping: &Mapping,
    policies: Policies,
    sink: &mut dyn WriteRecords,
    mut feed: Option<&mut Feed>,
    cancel: &AtomicBool,
    dir: &Path,
    change: &mut dyn FnMut(RowOutput) -> RowOutput,
    progress: &mut dyn FnMut(usize, Progress),
) -> Result<WriteSummary, WriteError> {
    let io = io_error(dir);
    let import = policies.import;
    let converter = Converter::new(mapping, policies.required).with_import_policy(import);
    let mut summary = WriteSummary {
        clients: 0,
        patients: 0,
        findings: 0,
        skipped: Skipped::default(),
        by_code: Vec::new(),
        notices: Vec::new(),
        duplicates: Vec::new(),
        files: Vec::new(),
        tables: Vec::new(),
    };

    // Both the progress and the rows fill the tallies, one at a time.
    let tallies = std::cell::RefCell::new(TableTallies::new(mapping));
    let mut progress = |i: usize, read: Progress| {
        tallies.borrow_mut().read(i, &read);
        progress(i, read);
    };
    let mut by_code: Vec<(String, Severity, u64)> = Vec::new();
    convert_rows::<WriteError>(
        sources,
        mapping,
        converter,
        cancel,
        &mut progress,
        &mut |row| {
            let row = change(row);
            tallies.borrow_mut().row(&row);
            if let Some(c) = &row.client {
                summary.clients += 1;
                if !import.sends_client(c) {
                    summary.skipped.inactive_clients += 1;
                }
                sink.client(c).map_err(&io)?;
            }
            if let Some(p) = &row.patient {
                summary.patients += 1;
                if !import.sends_patient(p) {
                    summary.skipped.deceased_patients += 1;
                }
                sink.patient(p).map_err(&io)?;
            }
            for f in &row.findings {
                summary.findings += 1;
                if f.row == 0 {
                    summary.notices.push(f.clone());
                }
                // A few dozen codes: a scan beats allocating a map key per finding.
                match by_code
                    .iter_mut()
                    .find(|(code, severity, _)| *severity == f.severity && *code == f.code)
                {
                    Some((_, _, n)) => *n += 1,
                    None => by_code.push((f.code.clone(), f.severity, 1)),
                }
                sink.finding(f).map_err(&io)?;
            }
            if let Some(feed) = feed.as_deref_mut() {
                let entity = repeated_entity(mapping, row.table);
                feed.push(row, entity);
            }
            Ok(())
        },
    )?;
    summary.tables = tallies.into_inner().into_vec();
    summary.by_code = by_code
        .into_iter()
        .map(|(code, severity, count)| CodeCount {
            code,
            severity: severity.as_str().to_owned(),
            count,
        })
        .collect();
    summary.by_code.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.severity.cmp(&b.severity))
    });
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::mapping::{resolve, SuggestOptions};

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn a_run_stopped_half_way_leaves_the_folder_as_it_was() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let input = tempfile::tempdir().expect("temp dir");
        let file = input.path().join("clients.csv");
        // Several batches, so that the cancel lands between two of them.
        let mut text = String::from("First Name,Last Name,Email,Pet Name,Species\n");
        for i in 0..3 * crate::mapping::convert::BATCH_ROWS {
            text.push_str(&format!("Ann,Lee{i},ann{i}@example.com,Rex,dog\n"));
        }
        std::fs::write(&file, text).expect("input");
        let (sources, tables) = resolve::load_tables(&[file]).expect("input reads");
        let mapping = resolve::resolve(
            None,
            &tables,
            &SuggestOptions::default(),
            &RequiredPolicy::default(),
            tmp.path(),
        )
        .expect("mapping")
        .mapping;
        std::fs::write(tmp.path().join("keep.txt"), "theirs").expect("write");
        for dir in [tmp.path().to_path_buf(), tmp.path().join("new/out")] {
            let cancel = AtomicBool::new(false);
            let mut rows = 0;
            // Cancelled once rows are in the files: they were written, and must not remain.
            let result = write_canonical_with(
                &sources,
                &mapping,
                RequiredPolicy::default(),
                &dir,
                OutputFormat::Csv,
                &cancel,
                &mut |row| {
                    rows += 1;
                    if rows == 2 {
                        cancel.store(true, Ordering::Relaxed);
                    }
                    row
                },
            );
            assert!(matches!(result, Err(WriteError::Cancelled)), "{result:?}");
            assert!(rows >= 2, "{rows}");
            assert_eq!(names(tmp.path()), ["keep.txt"], "{dir:?}");
        }
    }
}
