//! Converting every row of the mapped tables and writing the canonical files
//! (`clients`, `patients`, `findings`): the one pipeline behind `ph-import convert` and the
//! app's Save.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{ClientRecord, Finding, PatientRecord, RequiredPolicy};
use crate::read::ReadError;

use super::convert::{plan, run_order, Converter, DateRefiner};
use super::output::{OutputFiles, OutputFormat};
use super::source::{self, TableSource};
use super::transform::dates::DateOrder;
use super::{Mapping, MappingError, Sink};

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

/// Converts every row of `sources` with `mapping` and writes the canonical files into `dir`.
pub fn write_canonical(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: RequiredPolicy,
    dir: &Path,
    format: OutputFormat,
    cancel: &AtomicBool,
) -> Result<WriteSummary, WriteError> {
    let io = |e: std::io::Error| WriteError::Io {
        dir: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut files = OutputFiles::create(dir, format).map_err(io)?;
    let mut converter = Converter::new(mapping, policy);
    let mut tally = Tally {
        inner: &mut files,
        by_code: BTreeMap::new(),
    };
    let (mut clients, mut patients, mut findings) = (0u64, 0u64, 0u64);
    for i in run_order(mapping) {
        let (Some(tm), Some(s)) = (mapping.tables.get(i), sources.get(i)) else {
            continue;
        };
        let (headers, rows) = source::stream(s)?;
        let table_plan = plan(tm, &s.label, &headers)?;
        for (n, row) in rows.enumerate() {
            if n % 4096 == 0 && cancel.load(Ordering::Relaxed) {
                return Err(WriteError::Cancelled);
            }
            let c = converter.row(&table_plan, &row?, &mut tally).map_err(io)?;
            clients += c.clients;
            patients += c.patients;
            findings += c.findings;
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
    let paths = files
        .paths()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    files.finish().map_err(io)?;
    Ok(WriteSummary {
        clients,
        patients,
        findings,
        by_code,
        files: paths,
    })
}

/// Passes records through to the files while counting findings by code and severity.
struct Tally<'a> {
    inner: &'a mut OutputFiles,
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
