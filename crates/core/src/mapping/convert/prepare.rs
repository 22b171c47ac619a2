//! The per-row half of a conversion: transforms, validation of each record, derived IDs
//! and hashes. It reads nothing but the row and the run's rules, so batches of rows are
//! prepared on every core while the linking half works through the previous batch.

use std::ops::Range;
use std::sync::{mpsc, Arc, Mutex};
use std::thread::{Scope, ScopedJoinHandle};

use crate::canonical::{
    derive_client_id, derive_patient_id, ClientRecord, Entity, Field, Finding, PatientRecord,
    RequiredPolicy, Severity,
};
use crate::memo::Memo;
use crate::validate::links::ClientHashes;
use crate::validate::{self, policy, ClientRegistry, Context, DuplicateRows};

use super::super::model::TableRole;
use super::super::table::SourceRow;
use super::super::transform::dates::{parse_date, DateOrder};
use super::super::transform::{Output, Transform};
use super::plan::{PlannedField, PlannedGroup, TablePlan};

/// The rules every thread reads while preparing rows.
#[derive(Debug, Clone)]
pub(super) struct Preparer {
    pub(super) policy: RequiredPolicy,
    pub(super) context: Context,
}

/// What one thread carries from row to row of a plan: the previous owner as converted, and
/// the transforms' results for values seen before. Both are caches of pure functions of the
/// cells, so carrying them across batches (or threads) never changes a result.
#[derive(Default)]
pub(super) struct PrepareState {
    plan: u64,
    owner: Option<OwnerMemo>,
    values: ValueCache,
}

impl PrepareState {
    /// Starts afresh when the plan is not the one the caches were filled for.
    fn use_plan(&mut self, plan: &TablePlan) {
        if self.plan != plan.id {
            *self = PrepareState {
                plan: plan.id,
                ..PrepareState::default()
            };
        }
    }
}

impl Preparer {
    /// One row's per-row work, reusing the previous row's owner when the row repeats it.
    pub(super) fn row(
        &self,
        plan: &TablePlan,
        row: &SourceRow,
        state: &mut PrepareState,
    ) -> Prepared {
        state.use_plan(plan);
        let PrepareState {
            owner: memo,
            values,
            ..
        } = state;
        let owner = memo
            .as_ref()
            .filter(|m| plan.role != TableRole::Patients && m.matches(plan, row))
            .map(|m| Arc::clone(&m.owner));
        let repeated = owner.is_some();
        let prepared = self.prepare(plan, row, owner, values);
        if !repeated && plan.role != TableRole::Patients {
            if let Some(owner) = &prepared.client {
                remember_owner(memo, plan, row, owner);
            }
        }
        prepared
    }

    /// The per-row work that needs nothing from other rows: transforms, validation of the
    /// records, derived IDs.
    ///
    /// With `owner`, the row repeats that owner's cells: the client fields are not converted
    /// again.
    fn prepare(
        &self,
        plan: &TablePlan,
        row: &SourceRow,
        owner: Option<Arc<Owner>>,
        values: &mut ValueCache,
    ) -> Prepared {
        let finding =
            |field: &str, code: &str, severity: Severity, message: String, value: &str| {
                plan.finding(row.number, field, code, severity, message, value)
            };
        let issue_finding = |i: validate::Issue| issue_finding(plan, &plan.fields, row, i);
        let mut p = Prepared {
            number: row.number,
            row_hash: DuplicateRows::hash_row(&row.cells),
            findings: Vec::new(),
            client: None,
            patient: None,
            patient_findings: Vec::new(),
            more_pets: Vec::new(),
        };
        // In-memory tables keep short and long rows as they are; the file reader pads them and
        // reports them itself (see `write`).
        if row.cells.len() != plan.width && plan.width > 0 {
            let how = if row.cells.len() > plan.width {
                "more"
            } else {
                "fewer"
            };
            p.findings.push(finding(
                "",
                "ragged_row",
                Severity::Warning,
                format!(
                    "the row has {how} values ({}) than the header has columns ({}); values may be in the wrong columns",
                    row.cells.len(),
                    plan.width
                ),
                "",
            ));
        }
        let mut client = ClientRecord::default();
        let mut client_findings = Vec::new();
        let mut patient = PatientRecord::default();
        // One buffer for every field's cells: a row has ~20 fields, a file a million rows.
        let mut inputs: Vec<&str> = Vec::with_capacity(4);
        let row_country = if owner.is_none() {
            row_country(plan, row)
        } else {
            None
        };
        for (index, pf) in plan.fields.iter().enumerate() {
            if owner.is_some() && pf.field.entity() == Entity::Client {
                continue;
            }
            inputs.clear();
            inputs.extend(
                pf.columns
                    .iter()
                    .map(|&i| row.cells.get(i).map_or("", String::as_str)),
            );
            // A mixed-country file: each client's phone is read with the client's own country.
            let out = match (&pf.transform, &row_country) {
                (Transform::Phone { country }, Some(rc)) if rc != country => Transform::Phone {
                    country: rc.clone(),
                }
                .apply(pf.field, &inputs),
                _ => values.apply(index, pf, &inputs),
            };
            // A client's problems are reported where the client is first seen (see commit).
            let bucket = match pf.field.entity() {
                Entity::Client => &mut client_findings,
                Entity::Patient => &mut p.findings,
            };
            bucket.extend(problem_findings(plan, row, pf, &inputs, out.problems));
            if pf.ambiguous_date {
                if let Some(f) =
                    ambiguous_date(plan, row, pf, inputs.first().copied().unwrap_or(""))
                {
                    p.findings.push(f);
                }
            }
            match pf.field.entity() {
                Entity::Client => client.set(pf.field, out.value),
                Entity::Patient => patient.set(pf.field, out.value),
            }
        }
        let mut client_key = None;
        if let Some(owner) = owner {
            client_key.clone_from(&owner.key);
            p.client = Some(owner);
        } else if plan.role != TableRole::Patients {
            if client.active.is_none() {
                client.active = Some(true);
            }
            // Kept apart: reported only where the client is first seen, since a repeated
            // owner's later rows are not imported and their fixes would be noise.
            let issues = validate::client(&mut client, &self.context);
            client_findings.extend(issues.into_iter().map(issue_finding));
            let key = if client.external_id.is_empty() {
                derive_client_id(
                    &client.last_name,
                    &client.first_name,
                    &client.email,
                    &client.phone,
                    &client.postal_code,
                )
            } else {
                Some(client.external_id.clone())
            };
            if let Some(key) = &key {
                client.external_id = key.clone();
            }
            // After the ID is derived, so a derived ID does not depend on the target's rule.
            policy::excuse_invalid_email(&mut client, &mut client_findings, &self.policy);
            client_key = key.clone();
            p.client = Some(Arc::new(Owner {
                hashes: ClientRegistry::hashes(&client),
                key,
                converted: Mutex::new(Some((client, client_findings))),
            }));
        }
        if plan.role != TableRole::Clients && !patient.is_blank() {
            p.patient_findings = self.finish_patient(
                plan,
                &plan.fields,
                row,
                &mut patient,
                client_key.as_deref(),
                &p.findings,
            );
            if !plan.groups.is_empty() {
                // Pets side by side: say which pet of the row, and its column.
                name_pet(plan, &plan.fields, 1, &mut p.findings);
                name_pet(plan, &plan.fields, 1, &mut p.patient_findings);
            }
            p.patient = Some(patient);
        }
        if plan.role != TableRole::Clients {
            for group in &plan.groups {
                if let Some(pet) = self.group_pet(plan, group, row, client_key.as_deref(), values) {
                    p.more_pets.push(pet);
                }
            }
        }
        p
    }

    /// A further pet of the row (pets side by side), read from its group's columns; `None`
    /// when they are all empty.
    fn group_pet(
        &self,
        plan: &TablePlan,
        group: &PlannedGroup,
        row: &SourceRow,
        client_key: Option<&str>,
        values: &mut ValueCache,
    ) -> Option<MorePet> {
        let mut patient = PatientRecord::default();
        let mut findings = Vec::new();
        let mut inputs: Vec<&str> = Vec::with_capacity(4);
        for (j, pf) in group.fields.iter().enumerate() {
            inputs.clear();
            inputs.extend(
                pf.columns
                    .iter()
                    .map(|&i| row.cells.get(i).map_or("", String::as_str)),
            );
            let out = values.apply(group.cache_base + j, pf, &inputs);
            findings.extend(problem_findings(plan, row, pf, &inputs, out.problems));
            if pf.ambiguous_date {
                if let Some(f) =
                    ambiguous_date(plan, row, pf, inputs.first().copied().unwrap_or(""))
                {
                    findings.push(f);
                }
            }
            patient.set(pf.field, out.value);
        }
        // An empty group (an owner link shared by every pet of the row, or a flag alone,
        // says nothing about one).
        if patient.is_blank() {
            return None;
        }
        let mut checks = self.finish_patient(
            plan,
            &group.fields,
            row,
            &mut patient,
            client_key,
            &findings,
        );
        findings.append(&mut checks);
        name_pet(plan, &group.fields, group.number, &mut findings);
        Some(MorePet { patient, findings })
    }

    /// The checks of a pet once its fields are read: its owner, defaults, validation, a
    /// derived ID, required fields not already reported in `found`. Returns the findings.
    fn finish_patient(
        &self,
        plan: &TablePlan,
        fields: &[PlannedField],
        row: &SourceRow,
        patient: &mut PatientRecord,
        client_key: Option<&str>,
        found: &[Finding],
    ) -> Vec<Finding> {
        if let Some(key) = client_key {
            patient.client_external_id = key.to_string();
        }
        if patient.deceased.is_none() {
            patient.deceased = Some(false);
        }
        let mut findings: Vec<Finding> = validate::patient(patient, &self.context)
            .into_iter()
            .map(|i| issue_finding(plan, fields, row, i))
            .collect();
        if patient.external_id.is_empty() {
            if let Some(id) =
                derive_patient_id(&patient.client_external_id, &patient.name, &patient.species)
            {
                patient.external_id = id;
            }
        }
        for f in policy::missing_patient_fields(patient, &self.policy) {
            let already = found.iter().any(|x| x.field == f.key());
            if !already {
                findings.push(plan.finding(
                    row.number,
                    f.key(),
                    "missing_required",
                    Severity::Error,
                    format!("{} is required", f.key()),
                    "",
                ));
            }
        }
        findings
    }
}

/// A validation issue as a finding of `row`, quoting the cells `fields` read it from.
fn issue_finding(
    plan: &TablePlan,
    fields: &[PlannedField],
    row: &SourceRow,
    i: validate::Issue,
) -> Finding {
    let source = plan.source_cells(fields, i.field, row);
    Finding {
        file: plan.label.clone(),
        row: row.number,
        field: i.field.key().into(),
        code: i.problem.code,
        severity: i.problem.severity,
        message: i.problem.message,
        // Only worth showing when the file says something else than the value read.
        source: if source == i.value {
            String::new()
        } else {
            source
        },
        value: i.value,
        suggestion: i.problem.suggestion,
    }
}

/// Prefixes the pet's findings with which pet of the row it is and the column read
/// (`pet 2 (“Pet2 DOB”): …`), since one row holds several.
fn name_pet(plan: &TablePlan, fields: &[PlannedField], number: u32, findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        let Some(pf) = fields.iter().find(|pf| pf.field.key() == f.field) else {
            continue;
        };
        let columns = plan.column_names(&pf.columns);
        f.message = if columns.is_empty() {
            format!("pet {number}: {}", f.message)
        } else {
            format!("pet {number} ({columns}): {}", f.message)
        };
    }
}

/// The source text a finding quotes: the cells the transform read.
/// The findings of one field's transform problems on `row`.
fn problem_findings<'a>(
    plan: &'a TablePlan,
    row: &'a SourceRow,
    pf: &'a PlannedField,
    inputs: &'a [&str],
    problems: Vec<crate::canonical::Problem>,
) -> impl Iterator<Item = Finding> + 'a {
    problems.into_iter().map(move |problem| Finding {
        file: plan.label.clone(),
        row: row.number,
        field: pf.field.key().into(),
        code: problem.code,
        severity: problem.severity,
        message: problem.message,
        value: finding_value(&pf.transform, inputs),
        suggestion: problem.suggestion,
        source: String::new(),
    })
}

fn finding_value(transform: &Transform, inputs: &[&str]) -> String {
    match transform {
        // Backup phone columns are read only when the ones before are empty: quote the one read.
        Transform::Phone { .. } => inputs
            .iter()
            .find(|s| !s.trim().is_empty())
            .map_or(String::new(), |s| (*s).to_string()),
        _ => inputs.join(" | "),
    }
}

/// A row's owner as converted, shared by the rows that repeat its cells.
#[derive(Debug)]
pub(super) struct Owner {
    /// The client's key (`None`: nothing to identify it).
    pub(super) key: Option<String>,
    /// The client's field hashes, which the registry compares (computed here, off the
    /// linking thread).
    pub(super) hashes: ClientHashes,
    /// The client and its validation findings (on the row it was converted from), until the
    /// row that registers the client first takes them: the other rows sharing the owner
    /// repeat a client already registered, so they never need them, and nothing is copied.
    converted: Mutex<Option<(ClientRecord, Vec<Finding>)>>,
}

impl Owner {
    fn converted(&self) -> std::sync::MutexGuard<'_, Option<(ClientRecord, Vec<Finding>)>> {
        // Only the linking thread locks it; a poisoned lock still holds the data.
        self.converted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The client and its findings, moved out for row `number`, which registers the client.
    pub(super) fn take(&self, number: u64) -> Option<(ClientRecord, Vec<Finding>)> {
        let (client, mut findings) = self.converted().take()?;
        for f in &mut findings {
            f.row = number;
        }
        Some((client, findings))
    }

    /// The client's findings, copied for row `number` (a client without a key is reported
    /// on every row).
    pub(super) fn findings(&self, number: u64) -> Vec<Finding> {
        let mut findings = self
            .converted()
            .as_ref()
            .map(|(_, f)| f.clone())
            .unwrap_or_default();
        for f in &mut findings {
            f.row = number;
        }
        findings
    }

    /// A field of the client, when not yet taken.
    pub(super) fn value(&self, field: Field) -> String {
        self.converted()
            .as_ref()
            .map(|(c, _)| c.get(field).to_string())
            .unwrap_or_default()
    }
}

/// The last owner converted on a thread, with the cells it was converted from.
#[derive(Debug)]
struct OwnerMemo {
    table: String,
    /// The row's client cells, in the plan's client-field order (capacity reused).
    cells: Vec<String>,
    owner: Arc<Owner>,
}

impl OwnerMemo {
    fn matches(&self, plan: &TablePlan, row: &SourceRow) -> bool {
        self.table == plan.label
            && plan
                .client_cells(row)
                .eq(self.cells.iter().map(String::as_str))
    }
}

/// Remembers the row's owner as converted, for the rows that repeat its cells.
fn remember_owner(
    memo: &mut Option<OwnerMemo>,
    plan: &TablePlan,
    row: &SourceRow,
    owner: &Arc<Owner>,
) {
    let memo = memo.get_or_insert_with(|| OwnerMemo {
        table: String::new(),
        cells: Vec::new(),
        owner: Arc::clone(owner),
    });
    memo.table.clone_from(&plan.label);
    memo.cells.clear();
    memo.cells
        .extend(plan.client_cells(row).map(str::to_string));
    memo.owner = Arc::clone(owner);
}

/// One row after the per-row work, waiting for the linking work.
#[derive(Debug, Default)]
pub(super) struct Prepared {
    pub(super) number: u64,
    /// `None` for a blank row (never a duplicate).
    pub(super) row_hash: Option<u64>,
    /// Findings about the row's values.
    pub(super) findings: Vec<Finding>,
    /// The row's owner, converted on this row or shared with the rows before.
    pub(super) client: Option<Arc<Owner>>,
    /// The pet, when the row has one.
    pub(super) patient: Option<PatientRecord>,
    /// Validation and requirement findings of the pet.
    pub(super) patient_findings: Vec<Finding>,
    /// The row's further pets (pets side by side), in column order.
    pub(super) more_pets: Vec<MorePet>,
}

/// A further pet of a row, with all of its findings.
#[derive(Debug)]
pub(super) struct MorePet {
    pub(super) patient: PatientRecord,
    pub(super) findings: Vec<Finding>,
}

fn ambiguous_date(
    plan: &TablePlan,
    row: &SourceRow,
    pf: &PlannedField,
    value: &str,
) -> Option<Finding> {
    let Transform::Date { order, pivot_year } = pf.transform else {
        return None;
    };
    let other = match order {
        DateOrder::Mdy => DateOrder::Dmy,
        DateOrder::Dmy => DateOrder::Mdy,
        DateOrder::Ymd => return None,
    };
    let a = parse_date(value, order, pivot_year, true).ok()?;
    let b = parse_date(value, other, pivot_year, true).ok()?;
    (a != b).then(|| Finding {
        file: plan.label.clone(),
        row: row.number,
        field: pf.field.key().into(),
        code: "ambiguous_date".into(),
        severity: Severity::Warning,
        message: format!(
            "\"{value}\" could be {} or {}; read as {} because the column's order is not confirmed",
            a.iso(),
            b.iso(),
            a.iso()
        ),
        value: value.into(),
        suggestion: String::new(),
        source: String::new(),
    })
}

/// Below this, a batch is not split among the workers.
const SPLIT_ROWS: usize = 512;

/// Threads that prepare the chunks of each batch, kept for a whole table, so that each
/// keeps its caches and its allocator heap (a thread per batch made the allocator reclaim
/// the heaps of ended threads all the time).
pub(super) struct Workers<'scope, B> {
    jobs: Vec<mpsc::Sender<Job<B>>>,
    results: mpsc::Receiver<Done>,
    /// Chunks of later batches that came back while an earlier batch was awaited.
    early: Vec<(u64, usize, Vec<Prepared>)>,
    /// The number of the next batch submitted.
    submitted: u64,
    handles: Vec<ScopedJoinHandle<'scope, PrepareState>>,
    /// Emptied result buffers, handed out again: a chunk's buffer is a few megabytes, which
    /// the allocator would otherwise return to the system and fault back in every batch.
    spare: Vec<Vec<Prepared>>,
}

/// A chunk of a batch to prepare (the batch's number, the batch, which rows), and the
/// buffer to prepare it into.
type Job<B> = (u64, Arc<B>, Range<usize>, Vec<Prepared>);

/// A prepared chunk: the batch's number, the worker's, and the rows (or a worker's panic).
type Done = (u64, usize, std::thread::Result<Vec<Prepared>>);

/// A batch handed to the workers: its number, the batch, and into how many chunks it was
/// split.
pub(super) struct Submitted<B> {
    number: u64,
    batch: Arc<B>,
    chunks: usize,
}

impl<'scope, B: AsRef<[SourceRow]> + Send + Sync + 'scope> Workers<'scope, B> {
    /// One worker per core, each with one of `states` (its caches from earlier batches).
    pub(super) fn start<'env>(
        scope: &'scope Scope<'scope, 'env>,
        prep: &'scope Preparer,
        plan: &'scope TablePlan,
        mut states: Vec<PrepareState>,
    ) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        states.resize_with(threads, PrepareState::default);
        let (done, results) = mpsc::channel();
        let mut jobs = Vec::new();
        let mut handles = Vec::new();
        for (k, mut state) in states.into_iter().enumerate() {
            let (job, received) = mpsc::channel::<Job<B>>();
            let done = done.clone();
            jobs.push(job);
            let thread = std::thread::Builder::new().name(format!("ph-prepare-{k}"));
            // Failing to start a thread is the system out of resources (`scope.spawn`
            // panics on it too).
            handles.push(
                thread
                    .spawn_scoped(scope, move || {
                        for (number, batch, range, mut out) in received {
                            // A panic (a bug) is sent on, so the linking thread does not wait forever.
                            let prepared =
                                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    let rows: &[SourceRow] = (*batch).as_ref();
                                    let rows = rows.get(range).unwrap_or_default();
                                    out.clear();
                                    out.extend(
                                        rows.iter().map(|row| prep.row(plan, row, &mut state)),
                                    );
                                    out
                                }));
                            // Let go of the batch before answering, so the linking thread owns it again.
                            drop(batch);
                            if done.send((number, k, prepared)).is_err() {
                                break;
                            }
                        }
                        state
                    })
                    .expect("the system could not start a thread"),
            );
        }
        Workers {
            jobs,
            results,
            handles,
            spare: Vec::new(),
            early: Vec::new(),
            submitted: 0,
        }
    }

    /// Hands a batch to the workers, a chunk each.
    pub(super) fn submit(&mut self, batch: B) -> Submitted<B> {
        let len = batch.as_ref().len();
        let chunks = if len < SPLIT_ROWS { 1 } else { self.jobs.len() };
        let size = len.div_ceil(chunks).max(1);
        let batch = Arc::new(batch);
        let number = self.submitted;
        self.submitted += 1;
        let mut sent = 0;
        for (k, job) in self.jobs.iter().enumerate().take(chunks) {
            let range = (k * size).min(len)..((k + 1) * size).min(len);
            let out = self.spare.pop().unwrap_or_default();
            if job.send((number, Arc::clone(&batch), range, out)).is_ok() {
                sent += 1;
            }
        }
        Submitted {
            number,
            batch,
            chunks: sent,
        }
    }

    /// Waits for a submitted batch's rows, in row order chunk after chunk, and takes the
    /// batch back.
    pub(super) fn collect(&mut self, submitted: Submitted<B>) -> (Option<B>, Vec<Vec<Prepared>>) {
        let mut parts: Vec<Option<Vec<Prepared>>> = Vec::new();
        parts.resize_with(self.jobs.len(), || None);
        let mut got = 0;
        // Chunks of this batch that came back while an earlier one was awaited.
        let mut i = 0;
        while i < self.early.len() {
            if self.early[i].0 == submitted.number {
                let (_, k, part) = self.early.swap_remove(i);
                parts[k] = Some(part);
                got += 1;
            } else {
                i += 1;
            }
        }
        while got < submitted.chunks {
            match self.results.recv() {
                Ok((number, k, Ok(part))) if number == submitted.number => {
                    parts[k] = Some(part);
                    got += 1;
                }
                Ok((number, k, Ok(part))) => self.early.push((number, k, part)),
                Ok((_, _, Err(panic))) => std::panic::resume_unwind(panic),
                // Every worker gone: only when they all panicked, which is reported above.
                Err(_) => break,
            }
        }
        let prepared = parts.into_iter().flatten().collect();
        // Every worker has let go of it by now.
        (Arc::into_inner(submitted.batch), prepared)
    }

    /// Takes back result buffers emptied by the linking thread.
    pub(super) fn recycle(&mut self, parts: Vec<Vec<Prepared>>) {
        self.spare.extend(parts);
    }

    /// Stops the workers and takes back their caches.
    pub(super) fn finish(self) -> Vec<PrepareState> {
        drop(self.jobs);
        self.handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    }
}

/// The row's own country code, when a country column is mapped and says one.
fn row_country(plan: &TablePlan, row: &SourceRow) -> Option<String> {
    let pf = plan
        .fields
        .iter()
        .find(|f| f.field == Field::ClientCountry && !f.columns.is_empty())?;
    let cells: Vec<&str> = pf
        .columns
        .iter()
        .map(|&i| row.cells.get(i).map_or("", String::as_str))
        .collect();
    let code = pf.transform.apply(pf.field, &cells).value;
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(code)
}

/// The transforms' results for cell values seen before, one memo per field of a plan.
#[derive(Default)]
pub(super) struct ValueCache {
    fields: Vec<Memo>,
}

impl ValueCache {
    /// The transform of field `index` of the plan applied to `inputs`.
    fn apply(&mut self, index: usize, pf: &PlannedField, inputs: &[&str]) -> Output {
        // Fields of several columns (joined names, weight and unit) are left uncached.
        let [value] = inputs else {
            return pf.transform.apply(pf.field, inputs);
        };
        if self.fields.len() <= index {
            self.fields.resize_with(index + 1, Memo::default);
        }
        self.fields[index].get(value, || pf.transform.apply(pf.field, inputs))
    }
}
