//! A job: the files of one import, their tables sampled and their mapping chosen, ready to
//! convert. [`Job::open`] reads each table once to sample it and, when the suggestion left
//! a date order open, goes on reading that same table to settle it; every conversion after
//! that (write, validate, the in-memory scan) reads each table once more.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::RequiredPolicy;
use crate::mapping::convert::{Converter, DateRefiner};
use crate::mapping::country::CountryReport;
use crate::mapping::profile::Profile;
use crate::mapping::resolve::{self, Origin, ResolveError, Resolved, SAMPLE_ROWS};
use crate::mapping::row::RunError;
use crate::mapping::source::{self, TableSource};
use crate::mapping::transform::dates::DateOrder;
use crate::mapping::{Mapping, SourceRow, SourceTable};
use crate::read::{Progress, ReadError, ReadOptions, RowStream};
use crate::review::{Edits, ReviewError, Session};
use crate::table_file::OutputFormat;

use super::convert::convert_rows;
use super::edited::{write_edited_with, EditedSummary};
use super::scan::{scan, Scan};
use super::settings::ImportSettings;
use super::write::{write_findings_with, Policies, WriteError, WriteSummary, GROUPING};

/// The mapping's file beside the canonical files the app saves.
pub const SAVED_PROFILE: &str = "mapping-profile.json";
/// The review's edits beside the canonical files the app saves.
pub const SAVED_EDITS: &str = "edits.json";

/// What a job reads and how its mapping is chosen.
#[derive(Debug, Clone, Default)]
pub struct JobSpec {
    /// Each export file with the person's read options (sheet, header row, encoding…).
    pub inputs: Vec<(PathBuf, ReadOptions)>,
    /// A profile to use, by name or path; without one a recognized saved or built-in profile
    /// is used, else the automatic suggestion.
    pub profile: Option<String>,
    /// Where saved profiles are.
    pub profile_dir: PathBuf,
    /// The person's settings (country, e-mail, weight unit, roles…), over the evidence and
    /// over a profile's.
    pub settings: ImportSettings,
}

impl JobSpec {
    /// A spec for `files` read with the default options.
    pub fn for_files(files: &[PathBuf]) -> Self {
        JobSpec {
            inputs: files
                .iter()
                .map(|f| (f.clone(), ReadOptions::default()))
                .collect(),
            ..JobSpec::default()
        }
    }
}

/// The step a job is at, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Phase {
    /// Finding the tables and sampling their first rows.
    Sampling,
    /// Reading the rest of a table's date columns to settle day/month order.
    SettlingDates,
    /// Converting and validating every row, and writing.
    Converting,
    /// Forming the duplicate groups of the records read.
    GroupingDuplicates,
}

/// How far a job has got: the phase, the table, and that table's reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JobProgress {
    /// The step.
    pub phase: Phase,
    /// The table being read (`file` or `file [sheet]`).
    pub table: String,
    /// Its position among the job's tables, and how many there are.
    #[ts(type = "number")]
    pub table_index: u32,
    /// How many tables the job has.
    #[ts(type = "number")]
    pub tables: u32,
    /// Rows of the table read so far.
    #[ts(type = "number")]
    pub rows: u64,
    /// Bytes of the file read so far (for a workbook, its share of the sheet's rows).
    #[ts(type = "number")]
    pub bytes_read: u64,
    /// The file's size.
    #[ts(type = "number | null")]
    pub bytes_total: Option<u64>,
}

impl JobProgress {
    fn new(phase: Phase, table: &str, index: usize, tables: usize, read: Progress) -> Self {
        JobProgress {
            phase,
            table: table.to_owned(),
            table_index: index as u32,
            tables: tables as u32,
            rows: read.rows_read,
            bytes_read: read.bytes_read,
            bytes_total: read.bytes_total,
        }
    }
}

/// Why a job could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// A file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// No mapping could be chosen (a profile that does not fit, or cannot be read).
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// A table named for a role is not among the files.
    #[error(
        "a role names the table \"{table}\" that is not among the files; the tables are: {tables}"
    )]
    NoSuchTable {
        /// The name given.
        table: String,
        /// The tables there are, comma-separated.
        tables: String,
    },
    /// The person cancelled.
    #[error("opening the files was cancelled")]
    Cancelled,
}

/// The files of one import, sampled, with their mapping.
#[derive(Debug, Clone)]
pub struct Job {
    /// The tables (a file, or a workbook's sheet), in order.
    pub sources: Vec<TableSource>,
    /// Each table's headers and first rows, as the mapping was suggested from.
    pub tables: Vec<SourceTable>,
    /// The chosen mapping with its review material.
    pub resolved: Resolved,
}

impl Job {
    /// Finds the tables of `spec`'s files, samples them, chooses the mapping and (for a
    /// suggested mapping) settles the date orders the sample left open from every value.
    pub fn open(
        spec: &JobSpec,
        progress: &mut dyn FnMut(JobProgress),
        cancel: &AtomicBool,
    ) -> Result<Job, JobError> {
        // Each table's stream found it, samples it, and stays open to settle dates, so a
        // file is read once before its conversion.
        let mut sources = Vec::new();
        let mut tables = Vec::new();
        // A text file's stream is kept to read on; a workbook's sheet is held in memory whole,
        // so keeping thousands of them open would hold every sheet at once: it is let go and
        // opened again only if its dates need settling.
        let mut streams: Vec<Option<RowStream>> = Vec::new();
        source::discover_open(&spec.inputs, &mut |s, mut rows| -> Result<(), JobError> {
            let mut sample = SourceTable {
                name: s.label.clone(),
                headers: rows.columns().to_vec(),
                rows: Vec::new(),
            };
            let mut row = SourceRow::default();
            while sample.rows.len() < SAMPLE_ROWS {
                match rows.next_into(&mut row.number, &mut row.cells) {
                    Some(read) => read?,
                    None => break,
                }
                sample.rows.push(std::mem::take(&mut row));
                if sample.rows.len().is_multiple_of(1000) && cancel.load(Ordering::Relaxed) {
                    return Err(JobError::Cancelled);
                }
            }
            // The number of tables is known only at the end: the position is what is shown.
            progress(JobProgress::new(
                Phase::Sampling,
                &s.label,
                sources.len(),
                sources.len() + 1,
                rows.progress(sample.rows.len() as u64),
            ));
            sources.push(s);
            tables.push(sample);
            streams.push(rows.is_text().then_some(rows));
            Ok(())
        })?;
        for table in spec.settings.roles.keys() {
            if !tables.iter().any(|t| &t.name == table) {
                let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
                return Err(JobError::NoSuchTable {
                    table: table.clone(),
                    tables: names.join(", "),
                });
            }
        }
        let profile = spec
            .profile
            .as_deref()
            .map(|p| resolve::find_profile(p, &spec.profile_dir))
            .transpose()?;
        let mut resolved = resolve::resolve(
            profile.as_ref(),
            &tables,
            &spec.settings.suggest_options(),
            &spec.settings.required(),
            &spec.profile_dir,
        )?;
        // A person's setting wins over a profile's country and unit too.
        spec.settings.apply(&mut resolved);
        // A person's (or a profile's) date order is kept; the suggestion saw only a sample.
        if matches!(resolved.origin, Origin::Suggestion) {
            settle_dates(
                &mut resolved.mapping,
                &sources,
                &tables,
                streams,
                progress,
                cancel,
            )?;
        }
        Ok(Job {
            sources,
            tables,
            resolved,
        })
    }

    /// A job for files whose mapping a person has already settled (the app's Save): the
    /// tables are found again, nothing is sampled.
    pub fn with_mapping(
        inputs: &[(PathBuf, ReadOptions)],
        mapping: Mapping,
    ) -> Result<Job, JobError> {
        let sources = source::discover_with(inputs)?;
        let country = mapping.country.clone();
        Ok(Job {
            sources,
            tables: Vec::new(),
            resolved: Resolved {
                origin: Origin::Suggestion,
                mapping,
                tables: Vec::new(),
                country: CountryReport {
                    code: country,
                    reasons: vec!["the mapping's country, as the person confirmed it".into()],
                    needs_confirmation: false,
                },
            },
        })
    }

    /// The mapping every conversion of this job uses.
    pub fn mapping(&self) -> &Mapping {
        &self.resolved.mapping
    }

    /// Converts every row and writes the canonical files (and `duplicates.*`) into `dir`,
    /// with a review's `edits` applied when given: all files, or none.
    pub fn write(
        &self,
        dir: &Path,
        format: OutputFormat,
        policies: Policies,
        edits: Option<&Edits>,
        progress: &mut dyn FnMut(JobProgress),
        cancel: &AtomicBool,
    ) -> Result<EditedSummary, WriteError> {
        let empty = Edits::default();
        write_edited_with(
            &self.sources,
            self.mapping(),
            policies,
            edits.unwrap_or(&empty),
            dir,
            format,
            cancel,
            &mut self.converting(progress),
            &[],
        )
    }

    /// The app's Save: [`Job::write`] with the review's `edits` applied, and beside the files
    /// the mapping as `mapping-profile.json` and the edits as `edits.json`, in the same
    /// all-or-nothing set; `ph-import convert --profile mapping-profile.json --edits
    /// edits.json` then writes the same files.
    pub fn save_reviewed(
        &self,
        dir: &Path,
        policies: Policies,
        edits: &Edits,
        progress: &mut dyn FnMut(JobProgress),
        cancel: &AtomicBool,
    ) -> Result<EditedSummary, WriteError> {
        let profile = Profile::new(
            "Mapping used",
            "Saved with the canonical files",
            self.mapping().clone(),
        );
        let (profile, edits_json) = (profile.to_json(), edits.to_json());
        write_edited_with(
            &self.sources,
            self.mapping(),
            policies,
            edits,
            dir,
            OutputFormat::Csv,
            cancel,
            &mut self.converting(progress),
            &[
                (SAVED_PROFILE, profile.as_str()),
                (SAVED_EDITS, edits_json.as_str()),
            ],
        )
    }

    /// Converts and validates every row like [`Job::write`], writing only `findings.*`.
    pub fn write_findings(
        &self,
        dir: &Path,
        format: OutputFormat,
        policies: Policies,
        progress: &mut dyn FnMut(JobProgress),
        cancel: &AtomicBool,
    ) -> Result<WriteSummary, WriteError> {
        write_findings_with(
            &self.sources,
            self.mapping(),
            policies,
            dir,
            format,
            cancel,
            &mut self.converting(progress),
        )
    }

    /// Converts every row in memory, with a review's `edits` applied when given: the
    /// records to match against PH, and the duplicate groups inside the files.
    pub fn scan(
        &self,
        policies: Policies,
        edits: Option<&Edits>,
        progress: &mut dyn FnMut(JobProgress),
        cancel: &AtomicBool,
    ) -> Result<Scan, WriteError> {
        let empty = Edits::default();
        scan(
            &self.sources,
            self.mapping(),
            policies,
            edits.unwrap_or(&empty),
            cancel,
            &mut self.converting(progress),
        )
    }

    /// Converts every row and keeps the records with their findings for a person's review
    /// (the app's Review step): the rows `write` would write.
    pub fn review(
        &self,
        required: RequiredPolicy,
        progress: &mut dyn FnMut(JobProgress),
        cancel: &AtomicBool,
    ) -> Result<Session, ReviewError> {
        review_rows(
            &self.sources,
            self.mapping(),
            required,
            cancel,
            &mut self.converting(progress),
        )
    }

    /// A conversion's per-table progress as the job's.
    fn converting<'a>(
        &'a self,
        progress: &'a mut dyn FnMut(JobProgress),
    ) -> impl FnMut(usize, Progress) + 'a {
        move |i, read| {
            let (phase, table) = match self.sources.get(i) {
                Some(s) => (Phase::Converting, s.label.as_str()),
                None if i == GROUPING => (Phase::GroupingDuplicates, "the records"),
                None => (Phase::Converting, ""),
            };
            let index = i.min(self.sources.len());
            progress(JobProgress::new(
                phase,
                table,
                index,
                self.sources.len(),
                read,
            ))
        }
    }
}

/// Converts every row of `sources` with `mapping` into a review [`Session`]; `progress`
/// hears of each table's reading (table position, progress).
pub fn review_rows(
    sources: &[TableSource],
    mapping: &Mapping,
    required: RequiredPolicy,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, Progress),
) -> Result<Session, ReviewError> {
    // Both the progress (rows read) and the rows (records) fill the session, one at a time.
    let session = std::cell::RefCell::new(Session::new(mapping, required.clone()));
    let converter = Converter::new(mapping, required);
    let mut progress = |i: usize, read: Progress| {
        session.borrow_mut().table_read(i, &read);
        progress(i, read);
    };
    convert_rows::<RunError>(
        sources,
        mapping,
        converter,
        cancel,
        &mut progress,
        &mut |row| {
            session.borrow_mut().add(row);
            Ok(())
        },
    )?;
    Ok(session.into_inner().finish())
}

/// Settles each table's date orders that its sample left open: the sample's rows first,
/// then the rest of the table from its still-open stream.
fn settle_dates(
    mapping: &mut Mapping,
    sources: &[TableSource],
    samples: &[SourceTable],
    streams: Vec<Option<RowStream>>,
    progress: &mut dyn FnMut(JobProgress),
    cancel: &AtomicBool,
) -> Result<(), JobError> {
    let default = if mapping.country.eq_ignore_ascii_case("US") {
        DateOrder::Mdy
    } else {
        DateOrder::Dmy
    };
    for (i, ((tm, kept), sample)) in mapping
        .tables
        .iter_mut()
        .zip(streams)
        .zip(samples)
        .enumerate()
    {
        let mut refiner = DateRefiner::new(tm, &sample.headers);
        if refiner.is_empty() {
            continue;
        }
        let mut read = sample.rows.len() as u64;
        let mut rows = match kept {
            Some(rows) => {
                for row in &sample.rows {
                    refiner.add(row);
                }
                rows
            }
            // Opened again from its first row.
            None => {
                read = 0;
                source::open(&sources[i])?
            }
        };
        // One row's cells, read into again and again.
        let mut row = SourceRow::default();
        while let Some(next) = rows.next_into(&mut row.number, &mut row.cells) {
            next?;
            refiner.add(&row);
            read += 1;
            if read.is_multiple_of(65_536) {
                if cancel.load(Ordering::Relaxed) {
                    return Err(JobError::Cancelled);
                }
                progress(JobProgress::new(
                    Phase::SettlingDates,
                    &sample.name,
                    i,
                    sources.len(),
                    rows.progress(read),
                ));
            }
        }
        refiner.apply(tm, default);
    }
    Ok(())
}
