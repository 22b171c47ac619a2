//! Applying a mapping to every row: canonical clients and patients, plus findings.
//!
//! Rows stream through in batches, so a million-row export needs memory only for the set
//! of client IDs seen (to merge an owner repeated on each pet's row, and to link pets).
//! Each batch is prepared ([`prepare`]: per-row work, on every core) and then linked
//! ([`link`]: in row order, on one thread); the next batch is prepared while the current
//! one is linked. Nothing here fails on bad data: every problem becomes a [`Finding`].

mod link;
mod plan;
mod prepare;

use std::collections::HashSet;

use crate::canonical::{ClientRecord, Field, Finding, PatientRecord, RequiredPolicy};
use crate::validate::{ClientRegistry, Context, DuplicateRows, ImportPolicy};

use super::model::{Mapping, MappingError, TableMapping, TableRole};
use super::table::SourceRow;
use super::transform::dates::{DateDetector, DateOrder};
use super::transform::Transform;
use link::Linker;
pub use plan::{plan, TablePlan};
use prepare::{PrepareState, Prepared, Preparer, Workers};

/// Where converted records and findings go.
pub trait Sink {
    /// A new client (each client once, the first time it is seen).
    fn client(&mut self, record: ClientRecord) -> std::io::Result<()>;
    /// A patient.
    fn patient(&mut self, record: PatientRecord) -> std::io::Result<()>;
    /// A problem.
    fn finding(&mut self, finding: Finding) -> std::io::Result<()>;
    /// The row being converted repeats an earlier row of its table (for the duplicate
    /// groups; its findings already say so).
    fn repeat(&mut self, repeat: Repeated) -> std::io::Result<()> {
        let _ = repeat;
        Ok(())
    }
}

/// How a row repeats an earlier row of its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeated {
    /// The earlier row.
    pub first: u64,
    /// What repeats.
    pub kind: RepeatKind,
    /// The repeated client's ID (empty for a repeated row, which is not converted).
    pub external_id: String,
}

/// What a repeated row repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatKind {
    /// Every cell: the row is not converted again.
    Row,
    /// The client ID of a clients table, with the same details.
    ClientId,
    /// The client ID, with different details (the first row's are kept).
    ClientIdDifferent,
}

/// Collects everything in memory (tests, previews, the app's review screen).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Collected {
    /// Clients, in first-seen order.
    pub clients: Vec<ClientRecord>,
    /// Patients, in row order.
    pub patients: Vec<PatientRecord>,
    /// Findings, in row order.
    pub findings: Vec<Finding>,
    /// The earlier rows that rows repeat, in row order.
    pub repeats: Vec<Repeated>,
}

impl Sink for Collected {
    fn client(&mut self, record: ClientRecord) -> std::io::Result<()> {
        self.clients.push(record);
        Ok(())
    }
    fn patient(&mut self, record: PatientRecord) -> std::io::Result<()> {
        self.patients.push(record);
        Ok(())
    }
    fn finding(&mut self, finding: Finding) -> std::io::Result<()> {
        self.findings.push(finding);
        Ok(())
    }
    fn repeat(&mut self, repeat: Repeated) -> std::io::Result<()> {
        self.repeats.push(repeat);
        Ok(())
    }
}

/// Converts rows to canonical records, merging repeated owners and linking pets.
pub struct Converter {
    prep: Preparer,
    link: Linker,
    /// The caches of the thread that converts single rows ([`Converter::row`]).
    single: PrepareState,
    /// The caches of each chunk of a batch, kept from batch to batch.
    states: Vec<PrepareState>,
}

/// Counts of one conversion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Clients written.
    pub clients: u64,
    /// Patients written.
    pub patients: u64,
    /// Findings written.
    pub findings: u64,
    /// Clients written but flagged inactive, which the import policy does not send.
    pub skipped_inactive_clients: u64,
    /// Patients written but flagged deceased, which the import policy does not send.
    pub skipped_deceased_patients: u64,
}

impl Counts {
    /// Adds another row's or batch's counts.
    pub fn add(&mut self, other: Counts) {
        self.clients += other.clients;
        self.patients += other.patients;
        self.findings += other.findings;
        self.skipped_inactive_clients += other.skipped_inactive_clients;
        self.skipped_deceased_patients += other.skipped_deceased_patients;
    }
}

impl Converter {
    /// A converter for one run over the tables of `mapping`.
    pub fn new(mapping: &Mapping, policy: RequiredPolicy) -> Self {
        Converter {
            prep: Preparer {
                policy: policy.clone(),
                context: Context::new(&mapping.country),
            },
            link: Linker {
                policy,
                import: ImportPolicy::default(),
                clients: ClientRegistry::default(),
                duplicates: DuplicateRows::default(),
                expects_clients: mapping.tables.iter().any(|t| t.role != TableRole::Patients),
                orphans: Default::default(),
            },
            single: PrepareState::default(),
            states: Vec::new(),
        }
    }

    /// Uses another validation context (a fixed "today" in tests).
    pub fn with_context(mut self, context: Context) -> Self {
        self.prep.context = context;
        self
    }

    /// Uses another import policy (which deceased pets and inactive clients are sent).
    pub fn with_import_policy(mut self, import: ImportPolicy) -> Self {
        self.link.import = import;
        self
    }

    /// Converts one row of a table. Tables yielding clients must come before patients tables,
    /// so that pets can be checked against their owners.
    pub fn row(
        &mut self,
        plan: &TablePlan,
        row: &SourceRow,
        sink: &mut dyn Sink,
    ) -> std::io::Result<Counts> {
        let prepared = self.prep.row(plan, row, &mut self.single);
        self.link.commit(plan, row, prepared, sink)
    }

    /// Ends a table: a finding about the whole table (row 0) when most of its pets have
    /// no owner, naming the owner-link column used and the one that would link them.
    pub fn end_table(&mut self, plan: &TablePlan) -> Option<Finding> {
        self.link.end_table(plan)
    }

    /// Converts rows of one table, in batches prepared on every core and linked in row
    /// order, so the output is exactly that of [`Converter::row`] row by row.
    pub fn rows(
        &mut self,
        plan: &TablePlan,
        rows: &[SourceRow],
        sink: &mut dyn Sink,
    ) -> std::io::Result<Counts> {
        let mut batches = rows.chunks(BATCH_ROWS);
        self.batches(plan, &mut || batches.next(), sink)
    }

    /// Converts the batches `next` yields until it yields `None`, into `sink`. `next` is
    /// called for batch N+1 before batch N is linked, so a reader can keep filling while
    /// the rows are converted.
    pub fn batches<B: AsRef<[SourceRow]> + Send + Sync>(
        &mut self,
        plan: &TablePlan,
        next: &mut dyn FnMut() -> Option<B>,
        sink: &mut dyn Sink,
    ) -> std::io::Result<Counts> {
        self.pipeline(
            plan,
            next,
            &mut |link, row, p| link.commit(plan, row, p, &mut *sink),
            &mut |_| Ok(()),
        )
    }

    /// Like [`Converter::batches`], handing each row's records and findings to `each` in
    /// row order, and each batch to `done` once its rows are handed on. A row with pets side
    /// by side is handed on once per further pet after its client and first pet, each time
    /// with that pet and its findings only.
    pub fn batches_each<B: AsRef<[SourceRow]> + Send + Sync>(
        &mut self,
        plan: &TablePlan,
        next: &mut dyn FnMut() -> Option<B>,
        each: &mut dyn FnMut(&SourceRow, Collected) -> std::io::Result<()>,
        done: &mut dyn FnMut(B) -> std::io::Result<()>,
    ) -> std::io::Result<Counts> {
        self.pipeline(
            plan,
            next,
            &mut |link, row, mut p| {
                let more = std::mem::take(&mut p.more_pets);
                let mut out = Collected::default();
                let (mut counts, converted) = link.commit_row(plan, row, p, &mut out)?;
                each(row, out)?;
                for pet in more.into_iter().filter(|_| converted) {
                    let mut out = Collected::default();
                    counts.add(link.commit_more(plan, row, pet, &mut out)?);
                    each(row, out)?;
                }
                Ok(counts)
            },
            done,
        )
    }

    /// The batch pipeline: batch N+1 is prepared on other threads while this thread links
    /// batch N, row by row through `link_row`.
    fn pipeline<B: AsRef<[SourceRow]> + Send + Sync>(
        &mut self,
        plan: &TablePlan,
        next: &mut dyn FnMut() -> Option<B>,
        link_row: &mut dyn FnMut(&mut Linker, &SourceRow, Prepared) -> std::io::Result<Counts>,
        done: &mut dyn FnMut(B) -> std::io::Result<()>,
    ) -> std::io::Result<Counts> {
        let Converter {
            prep, link, states, ..
        } = self;
        let mut counts = Counts::default();
        std::thread::scope(|scope| {
            let mut workers = Workers::start(scope, prep, plan, std::mem::take(states));
            // Two batches ahead, so the workers never wait for the linking of one batch to
            // get the next (linking is the one sequential stage).
            let mut preparing = std::collections::VecDeque::new();
            let mut more = true;
            loop {
                while more && preparing.len() < AHEAD {
                    match next() {
                        Some(b) => preparing.push_back(workers.submit(b)),
                        None => more = false,
                    }
                }
                let Some(submitted) = preparing.pop_front() else {
                    break;
                };
                let (batch, mut parts) = workers.collect(submitted);
                let Some(batch) = batch else { break };
                let mut rows = batch.as_ref().iter();
                for part in &mut parts {
                    for (p, row) in part.drain(..).zip(rows.by_ref()) {
                        counts.add(link_row(link, row, p)?);
                    }
                }
                workers.recycle(parts);
                done(batch)?;
            }
            *states = workers.finish();
            Ok(counts)
        })
    }
}

/// Rows prepared together: enough to share among cores, few enough to keep memory flat.
pub const BATCH_ROWS: usize = 8192;

/// Batches handed to the workers before the one being linked.
const AHEAD: usize = 2;

/// Re-detects the date order of a table's date fields from all of its rows (the
/// suggestion saw only a sample). Feed every row, then [`DateRefiner::apply`].
#[derive(Debug, Clone)]
pub struct DateRefiner {
    fields: Vec<(Field, usize, DateDetector)>,
}

impl DateRefiner {
    /// A refiner for the date fields of `mapping` over a file with `headers`.
    pub fn new(mapping: &TableMapping, headers: &[String]) -> Self {
        let fields = mapping
            .fields
            .iter()
            .filter(|f| matches!(f.transform, Transform::Date { .. }))
            .filter_map(|f| {
                let col = f.columns.first()?;
                let i = headers.iter().position(|h| h == col)?;
                Some((f.field, i, DateDetector::default()))
            })
            .collect();
        DateRefiner { fields }
    }

    /// Whether there is anything to refine.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Looks at one row.
    pub fn add(&mut self, row: &SourceRow) {
        for (_, i, d) in &mut self.fields {
            d.add(row.cells.get(*i).map_or("", String::as_str));
        }
    }

    /// Sets each date field's order from all values; flags it when still ambiguous.
    pub fn apply(self, mapping: &mut TableMapping, default_order: DateOrder) {
        for (field, _, detector) in self.fields {
            let detection = detector.detect(default_order);
            if let Some(fm) = mapping.fields.iter_mut().find(|f| f.field == field) {
                if let Transform::Date { order, .. } = &mut fm.transform {
                    *order = detection.order;
                }
                fm.reasons.retain(|r| !r.starts_with("date order"));
                if detection.ambiguous {
                    fm.needs_confirmation = true;
                    fm.reasons.push(format!(
                        "date order not certain (all {} values): {}",
                        detection.values, detection.evidence
                    ));
                } else {
                    fm.reasons.push(format!(
                        "date order (all {} values): {}",
                        detection.values, detection.evidence
                    ));
                }
            }
        }
    }
}

/// Table order for a run: clients first, then combined, then patients (so pets can be
/// checked against owners).
pub fn run_order(mapping: &Mapping) -> Vec<usize> {
    let rank = |r: TableRole| match r {
        TableRole::Clients => 0,
        TableRole::Combined => 1,
        TableRole::Patients => 2,
    };
    let mut order: Vec<usize> = (0..mapping.tables.len()).collect();
    order.sort_by_key(|&i| rank(mapping.tables[i].role));
    order
}

/// Converts whole in-memory tables (tests, small files): `tables` pairs each mapping
/// table with its rows, matched by position.
pub fn convert_tables(
    mapping: &Mapping,
    tables: &[super::table::SourceTable],
    policy: &RequiredPolicy,
) -> Result<Collected, MappingError> {
    let mut out = Collected::default();
    let mut converter = Converter::new(mapping, policy.clone());
    let mut seen = HashSet::new();
    for i in run_order(mapping) {
        let tm = &mapping.tables[i];
        let table = tables
            .get(i)
            .ok_or_else(|| MappingError::NoTable(tm.table.clone()))?;
        seen.insert(i);
        let plan = plan(tm, &table.name, &table.headers)?;
        // Writing to memory cannot fail.
        let _ = converter.rows(&plan, &table.rows, &mut out);
        if let Some(f) = converter.end_table(&plan) {
            out.findings.push(f);
        }
    }
    Ok(out)
}
