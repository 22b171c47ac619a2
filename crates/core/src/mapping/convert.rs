//! Applying a mapping to every row: canonical clients and patients, plus findings.
//!
//! Rows stream through one at a time, so a million-row export needs memory only for the
//! set of client IDs seen (to merge an owner repeated on each pet's row, and to link pets).
//! Nothing here fails on bad data: every problem becomes a [`Finding`].

use std::collections::{HashMap, HashSet};

use crate::canonical::{
    derive_client_id, derive_patient_id, ClientRecord, Entity, Field, Finding, PatientRecord,
    RequiredPolicy, Severity,
};
use crate::validate::links::Repeat;
use crate::validate::{self, policy, ClientRegistry, Context, DuplicateRows, ImportPolicy};

use super::model::{Mapping, MappingError, TableMapping, TableRole};
use super::table::SourceRow;
use super::transform::dates::{parse_date, DateDetector, DateOrder};
use super::transform::Transform;

/// Where converted records and findings go.
pub trait Sink {
    /// A new client (each client once, the first time it is seen).
    fn client(&mut self, record: &ClientRecord) -> std::io::Result<()>;
    /// A patient.
    fn patient(&mut self, record: &PatientRecord) -> std::io::Result<()>;
    /// A problem.
    fn finding(&mut self, finding: &Finding) -> std::io::Result<()>;
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
}

impl Sink for Collected {
    fn client(&mut self, record: &ClientRecord) -> std::io::Result<()> {
        self.clients.push(record.clone());
        Ok(())
    }
    fn patient(&mut self, record: &PatientRecord) -> std::io::Result<()> {
        self.patients.push(record.clone());
        Ok(())
    }
    fn finding(&mut self, finding: &Finding) -> std::io::Result<()> {
        self.findings.push(finding.clone());
        Ok(())
    }
}

/// One field of a table plan: the field, its source column indexes, its transform.
#[derive(Debug, Clone)]
struct PlannedField {
    field: Field,
    columns: Vec<usize>,
    transform: Transform,
    /// Date order not settled: report values that read differently the other way round.
    ambiguous_date: bool,
}

/// A table mapping bound to a concrete file's columns.
#[derive(Debug, Clone)]
pub struct TablePlan {
    label: String,
    role: TableRole,
    fields: Vec<PlannedField>,
    /// Number of columns in the header, to spot ragged rows.
    width: usize,
}

impl TablePlan {
    /// What the table holds.
    pub fn role(&self) -> TableRole {
        self.role
    }

    /// The cells a row's client is converted from, in field order.
    fn client_cells<'r>(&'r self, row: &'r SourceRow) -> impl Iterator<Item = &'r str> + 'r {
        self.fields
            .iter()
            .filter(|pf| pf.field.entity() == Entity::Client)
            .flat_map(|pf| pf.columns.iter())
            .map(|&i| row.cells.get(i).map_or("", String::as_str))
    }
}

/// Binds a table mapping to a file's headers.
pub fn plan(
    mapping: &TableMapping,
    label: &str,
    headers: &[String],
) -> Result<TablePlan, MappingError> {
    let index: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let mut missing = Vec::new();
    let mut fields = Vec::new();
    for fm in &mapping.fields {
        let mut columns = Vec::new();
        for c in &fm.columns {
            match index.get(c.as_str()) {
                Some(&i) => columns.push(i),
                None => missing.push(c.clone()),
            }
        }
        fields.push(PlannedField {
            field: fm.field,
            columns,
            transform: fm.transform.clone(),
            ambiguous_date: fm.needs_confirmation && matches!(fm.transform, Transform::Date { .. }),
        });
    }
    if !missing.is_empty() {
        missing.dedup();
        return Err(MappingError::MissingColumns {
            table: label.to_string(),
            columns: missing,
        });
    }
    Ok(TablePlan {
        label: label.to_string(),
        role: mapping.role,
        fields,
        width: headers.len(),
    })
}

/// Converts rows to canonical records, merging repeated owners and linking pets.
pub struct Converter {
    policy: RequiredPolicy,
    import: ImportPolicy,
    context: Context,
    /// Clients seen, by key, for merging repeats, spotting conflicts and linking pets.
    clients: ClientRegistry,
    duplicates: DuplicateRows,
    /// Whether any table of this run yields clients (else pets link to clients already in PH).
    expects_clients: bool,
    /// The owner of the previous row, converted: exports list each pet with its owner's
    /// columns, pets of one owner together, so the owner's transforms and validation (phone
    /// parsing above all) are done once per owner instead of once per pet.
    last_owner: Option<OwnerMemo>,
}

/// An owner as converted from a row's client cells, for the rows that repeat those cells.
#[derive(Debug, Clone)]
struct OwnerMemo {
    table: String,
    /// The row's client cells, in the plan's client-field order (capacity reused).
    cells: Vec<String>,
    client: ClientRecord,
    key: Option<String>,
    /// The client's findings (reported where the owner is first seen).
    client_findings: Vec<Finding>,
}

impl OwnerMemo {
    fn matches(&self, plan: &TablePlan, row: &SourceRow) -> bool {
        self.table == plan.label
            && plan
                .client_cells(row)
                .eq(self.cells.iter().map(String::as_str))
    }
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
            policy,
            import: ImportPolicy::default(),
            context: Context::new(&mapping.country),
            clients: ClientRegistry::default(),
            duplicates: DuplicateRows::default(),
            expects_clients: mapping.tables.iter().any(|t| t.role != TableRole::Patients),
            last_owner: None,
        }
    }

    /// Uses another validation context (a fixed "today" in tests).
    pub fn with_context(mut self, context: Context) -> Self {
        self.context = context;
        self
    }

    /// Uses another import policy (which deceased pets and inactive clients are sent).
    pub fn with_import_policy(mut self, import: ImportPolicy) -> Self {
        self.import = import;
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
        let mut memo = self.last_owner.take();
        let prepared = self.prepare_with_memo(plan, row, &mut memo);
        self.last_owner = memo;
        self.commit(plan, row, prepared, sink)
    }

    /// Converts a batch of rows of one table: the per-row work on every core, then the
    /// linking in row order, so the output is exactly that of [`Converter::row`] row by row.
    pub fn rows(
        &mut self,
        plan: &TablePlan,
        rows: &[SourceRow],
        sink: &mut dyn Sink,
    ) -> std::io::Result<Counts> {
        let mut counts = Counts::default();
        for (p, row) in self.prepare_batch(plan, rows).into_iter().zip(rows) {
            counts.add(self.commit(plan, row, p, sink)?);
        }
        Ok(counts)
    }

    /// Like [`Converter::rows`], handing each row's records and findings to `each` on
    /// their own, in row order.
    pub fn rows_each(
        &mut self,
        plan: &TablePlan,
        rows: &[SourceRow],
        each: &mut dyn FnMut(&SourceRow, Collected) -> std::io::Result<()>,
    ) -> std::io::Result<Counts> {
        let mut counts = Counts::default();
        for (p, row) in self.prepare_batch(plan, rows).into_iter().zip(rows) {
            let mut out = Collected::default();
            counts.add(self.commit(plan, row, p, &mut out)?);
            each(row, out)?;
        }
        Ok(counts)
    }

    /// The per-row work of a batch, on every core.
    fn prepare_batch(&mut self, plan: &TablePlan, rows: &[SourceRow]) -> Vec<Prepared> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let prepared = if threads < 2 || rows.len() < 512 {
            self.prepare_run(plan, rows)
        } else {
            let this = &*self;
            std::thread::scope(|scope| {
                let workers: Vec<_> = rows
                    .chunks(rows.len().div_ceil(threads))
                    .map(|chunk| scope.spawn(move || this.prepare_run(plan, chunk)))
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        // A batch starts its own owner memo: the next single row must not see a stale one.
        self.last_owner = None;
        prepared
    }

    /// The per-row work of consecutive rows, with an owner memo of their own.
    fn prepare_run(&self, plan: &TablePlan, rows: &[SourceRow]) -> Vec<Prepared> {
        let mut memo = None;
        rows.iter()
            .map(|row| self.prepare_with_memo(plan, row, &mut memo))
            .collect()
    }

    /// [`Converter::prepare`], reusing the previous row's owner when the row repeats it.
    fn prepare_with_memo(
        &self,
        plan: &TablePlan,
        row: &SourceRow,
        memo: &mut Option<OwnerMemo>,
    ) -> Prepared {
        let owner = memo
            .as_ref()
            .filter(|m| plan.role != TableRole::Patients && m.matches(plan, row));
        let mut prepared = self.prepare(plan, row, owner);
        if let Some(m) = owner {
            prepared.reuse_owner(m);
        } else if plan.role != TableRole::Patients {
            remember_owner(memo, plan, row, &prepared);
        }
        prepared
    }

    /// The per-row work that needs nothing from other rows: transforms, validation of the
    /// records, derived IDs. Read-only: rows could be prepared on several threads. (Tried
    /// on 2 cores: no faster, the allocator and the sequential linking eat the gain.)
    ///
    /// With `owner`, the row repeats that owner's cells: the client fields are not converted
    /// again (the caller fills them in from the memo).
    fn prepare(&self, plan: &TablePlan, row: &SourceRow, owner: Option<&OwnerMemo>) -> Prepared {
        let finding =
            |field: &str, code: &str, severity: Severity, message: String, value: &str| Finding {
                file: plan.label.clone(),
                row: row.number,
                field: field.into(),
                code: code.into(),
                severity,
                message,
                value: value.into(),
                suggestion: String::new(),
            };
        let issue_finding = |i: validate::Issue| Finding {
            file: plan.label.clone(),
            row: row.number,
            field: i.field.key().into(),
            code: i.problem.code,
            severity: i.problem.severity,
            message: i.problem.message,
            value: i.value,
            suggestion: i.problem.suggestion,
        };
        let mut p = Prepared {
            number: row.number,
            row_hash: DuplicateRows::hash_row(&row.cells),
            findings: Vec::new(),
            client: None,
            client_findings: Vec::new(),
            patient: None,
            patient_findings: Vec::new(),
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
        let mut patient = PatientRecord::default();
        // One buffer for every field's cells: a row has ~20 fields, a file a million rows.
        let mut inputs: Vec<&str> = Vec::with_capacity(4);
        for pf in &plan.fields {
            if owner.is_some() && pf.field.entity() == Entity::Client {
                continue;
            }
            inputs.clear();
            inputs.extend(
                pf.columns
                    .iter()
                    .map(|&i| row.cells.get(i).map_or("", String::as_str)),
            );
            let out = pf.transform.apply(pf.field, &inputs);
            // A client's problems are reported where the client is first seen (see commit).
            let bucket = match pf.field.entity() {
                Entity::Client => &mut p.client_findings,
                Entity::Patient => &mut p.findings,
            };
            for problem in out.problems {
                bucket.push(Finding {
                    file: plan.label.clone(),
                    row: row.number,
                    field: pf.field.key().into(),
                    code: problem.code,
                    severity: problem.severity,
                    message: problem.message,
                    value: inputs.join(" | "),
                    suggestion: problem.suggestion,
                });
            }
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
        if let Some(memo) = owner {
            client_key.clone_from(&memo.key);
        } else if plan.role != TableRole::Patients {
            if client.active.is_none() {
                client.active = Some(true);
            }
            // Kept apart: reported only where the client is first seen, since a repeated
            // owner's later rows are not imported and their fixes would be noise.
            let issues = validate::client(&mut client, &self.context);
            p.client_findings
                .extend(issues.into_iter().map(issue_finding));
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
            client_key = key.clone();
            p.client = Some((client, key));
        }
        if plan.role != TableRole::Clients && !patient.is_blank() {
            if let Some(key) = client_key {
                patient.client_external_id = key;
            }
            if patient.deceased.is_none() {
                patient.deceased = Some(false);
            }
            p.patient_findings = validate::patient(&mut patient, &self.context)
                .into_iter()
                .map(issue_finding)
                .collect();
            if patient.external_id.is_empty() {
                if let Some(id) =
                    derive_patient_id(&patient.client_external_id, &patient.name, &patient.species)
                {
                    patient.external_id = id;
                }
            }
            for f in policy::missing_patient_fields(&patient, &self.policy) {
                let already = p.findings.iter().any(|x| x.field == f.key());
                if !already {
                    p.patient_findings.push(finding(
                        f.key(),
                        "missing_required",
                        Severity::Error,
                        format!("{} is required", f.key()),
                        "",
                    ));
                }
            }
            p.patient = Some(patient);
        }
        p
    }

    /// The part that links rows: duplicates, repeated owners, owners of pets, and the output.
    fn commit(
        &mut self,
        plan: &TablePlan,
        row: &SourceRow,
        p: Prepared,
        sink: &mut dyn Sink,
    ) -> std::io::Result<Counts> {
        let mut counts = Counts::default();
        let finding =
            |field: &str, code: &str, severity: Severity, message: String, value: &str| Finding {
                file: plan.label.clone(),
                row: p.number,
                field: field.into(),
                code: code.into(),
                severity,
                message,
                value: value.into(),
                suggestion: String::new(),
            };
        // A row listed twice (a pet exported twice) is reported once and not converted again.
        if let Some(hash) = p.row_hash {
            if let Some(first) = self.duplicates.check_hash(&plan.label, hash, p.number) {
                let f = finding(
                    "",
                    "duplicate_row",
                    Severity::Warning,
                    format!("identical to row {first}; not imported twice"),
                    &row.cells.join(" | "),
                );
                sink.finding(&f)?;
                counts.findings = 1;
                return Ok(counts);
            }
        }
        let mut findings = p.findings;
        let mut client_findings = p.client_findings;
        if let Some((client, key)) = p.client {
            let id_field = Field::ClientExternalId.key();
            match key {
                None => {
                    findings.append(&mut client_findings);
                    let message = if plan.role == TableRole::Combined && p.patient.is_some() {
                        "the row has a pet but no owner: no client ID, name or contact details"
                    } else {
                        "no client ID, and no name or contact details to derive one from"
                    };
                    findings.push(finding(
                        id_field,
                        "missing_required",
                        Severity::Error,
                        message.into(),
                        "",
                    ));
                }
                Some(key) => match self.clients.add(&key, &client, p.number) {
                    // On each field that differs, so the review marks the cell to look at.
                    Repeat::Different { row: first, fields } => {
                        for field in fields {
                            findings.push(finding(
                                field.key(),
                                "inconsistent_repeated_client",
                                Severity::Warning,
                                format!(
                                    "client {key} appears again with a different {} than on row {first}; the first row's details are kept",
                                    field.column()
                                ),
                                client.get(field),
                            ));
                        }
                    }
                    Repeat::Same => {}
                    Repeat::New => {
                        findings.append(&mut client_findings);
                        for f in policy::missing_client_fields(&client, &self.policy) {
                            // A placeholder e-mail already said why it is empty; the
                            // requirement is still what blocks the import.
                            findings.push(finding(
                                f.key(),
                                "missing_required",
                                Severity::Error,
                                format!("{} is required", f.key()),
                                "",
                            ));
                        }
                        if !self.import.sends_client(&client) {
                            counts.skipped_inactive_clients += 1;
                        }
                        sink.client(&client)?;
                        counts.clients += 1;
                    }
                },
            }
        }
        if let Some(mut patient) = p.patient {
            if plan.role == TableRole::Patients
                && self.expects_clients
                && !patient.client_external_id.is_empty()
                && !self.clients.contains(&patient.client_external_id)
            {
                let written = patient.client_external_id.clone();
                let field = Field::PatientClientExternalId.key();
                match self.clients.match_without_zeros(&written) {
                    Some(id) => {
                        let mut f = finding(
                            field,
                            "excel_mangled_number",
                            Severity::Fixed,
                            format!("owner ID \"{written}\" matches client \"{id}\" once leading zeros are ignored: a spreadsheet dropped or added them; linked to {id}"),
                            &written,
                        );
                        f.suggestion = id.clone();
                        findings.push(f);
                        patient.client_external_id = id;
                    }
                    None => findings.push(finding(
                        field,
                        "orphan_patient",
                        Severity::Error,
                        format!("no client has the ID \"{written}\""),
                        &written,
                    )),
                }
            }
            findings.extend(p.patient_findings);
            if !self.import.sends_patient(&patient) {
                counts.skipped_deceased_patients += 1;
            }
            sink.patient(&patient)?;
            counts.patients += 1;
        }
        for f in &findings {
            sink.finding(f)?;
        }
        counts.findings = findings.len() as u64;
        Ok(counts)
    }
}

impl Prepared {
    /// Fills in the client of a row that repeats the previous row's owner, as if converted.
    fn reuse_owner(&mut self, memo: &OwnerMemo) {
        let number = self.number;
        self.client_findings = memo
            .client_findings
            .iter()
            .cloned()
            .map(|mut f| {
                f.row = number;
                f
            })
            .collect();
        self.client = Some((memo.client.clone(), memo.key.clone()));
    }
}

/// Remembers the row's owner as converted, for the rows that repeat its cells.
fn remember_owner(memo: &mut Option<OwnerMemo>, plan: &TablePlan, row: &SourceRow, p: &Prepared) {
    let Some((client, key)) = &p.client else {
        return;
    };
    let memo = memo.get_or_insert_with(|| OwnerMemo {
        table: String::new(),
        cells: Vec::new(),
        client: ClientRecord::default(),
        key: None,
        client_findings: Vec::new(),
    });
    memo.table.clone_from(&plan.label);
    memo.cells.clear();
    memo.cells
        .extend(plan.client_cells(row).map(str::to_string));
    memo.client.clone_from(client);
    memo.key.clone_from(key);
    memo.client_findings.clone_from(&p.client_findings);
}

/// One row after the per-row work, waiting for the linking work.
#[derive(Debug, Default)]
struct Prepared {
    number: u64,
    /// `None` for a blank row (never a duplicate).
    row_hash: Option<u64>,
    /// Findings about the row's values.
    findings: Vec<Finding>,
    /// The client and its key (`None`: nothing to identify it).
    client: Option<(ClientRecord, Option<String>)>,
    /// Validation findings of the client, reported only where it is first seen.
    client_findings: Vec<Finding>,
    /// The pet, when the row has one.
    patient: Option<PatientRecord>,
    /// Validation and requirement findings of the pet.
    patient_findings: Vec<Finding>,
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
    })
}

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
    }
    Ok(out)
}
