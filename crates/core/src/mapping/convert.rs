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
}

impl TablePlan {
    /// What the table holds.
    pub fn role(&self) -> TableRole {
        self.role
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
    })
}

/// Converts rows to canonical records, merging repeated owners and linking pets.
pub struct Converter {
    policy: RequiredPolicy,
    country: String,
    /// Client key → fingerprint of its fields, for merging repeats and spotting conflicts.
    clients: HashMap<String, u64>,
    /// Whether any table of this run yields clients (else pets link to clients already in PH).
    expects_clients: bool,
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
}

impl Converter {
    /// A converter for one run over the tables of `mapping`.
    pub fn new(mapping: &Mapping, policy: RequiredPolicy) -> Self {
        Converter {
            policy,
            country: mapping.country.clone(),
            clients: HashMap::new(),
            expects_clients: mapping.tables.iter().any(|t| t.role != TableRole::Patients),
        }
    }

    /// Converts one row of a table. Tables yielding clients must come before patients tables,
    /// so that pets can be checked against their owners.
    pub fn row(
        &mut self,
        plan: &TablePlan,
        row: &SourceRow,
        sink: &mut dyn Sink,
    ) -> std::io::Result<Counts> {
        let mut counts = Counts::default();
        let mut findings: Vec<Finding> = Vec::new();
        let mut client = ClientRecord::default();
        let mut patient = PatientRecord::default();
        for pf in &plan.fields {
            let inputs: Vec<&str> = pf
                .columns
                .iter()
                .map(|&i| row.cells.get(i).map_or("", String::as_str))
                .collect();
            let out = pf.transform.apply(pf.field, &inputs);
            let raw = inputs.join(" | ");
            for p in out.problems {
                findings.push(Finding {
                    file: plan.label.clone(),
                    row: row.number,
                    field: pf.field.key().into(),
                    code: p.code,
                    severity: p.severity,
                    message: p.message,
                    value: raw.clone(),
                });
            }
            if pf.ambiguous_date {
                if let Some(f) =
                    ambiguous_date(plan, row, pf, inputs.first().copied().unwrap_or(""))
                {
                    findings.push(f);
                }
            }
            match pf.field.entity() {
                Entity::Client => client.set(pf.field, out.value),
                Entity::Patient => patient.set(pf.field, out.value),
            }
        }
        let finding =
            |field: Field, code: &str, severity: Severity, message: String, value: &str| Finding {
                file: plan.label.clone(),
                row: row.number,
                field: field.key().into(),
                code: code.into(),
                severity,
                message,
                value: value.into(),
            };
        let mut client_key = None;
        if plan.role != TableRole::Patients {
            if client.country.is_empty() {
                client.country = self.country.clone();
            }
            if client.active.is_none() {
                client.active = Some(true);
            }
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
            match key {
                None if plan.role == TableRole::Combined && !patient.is_blank() => {
                    findings.push(finding(
                        Field::ClientExternalId,
                        "missing_required",
                        Severity::Error,
                        "the row has a pet but no owner: no client ID, name or contact details"
                            .into(),
                        "",
                    ))
                }
                None => findings.push(finding(
                    Field::ClientExternalId,
                    "missing_required",
                    Severity::Error,
                    "no client ID, and no name or contact details to derive one from".into(),
                    "",
                )),
                Some(key) => {
                    client.external_id = key.clone();
                    let print = fingerprint(&client);
                    match self.clients.get(&key) {
                        Some(&seen) if seen != print => findings.push(finding(
                            Field::ClientExternalId,
                            "inconsistent_repeated_client",
                            Severity::Warning,
                            format!("client {key} appears again with different details; the first row's details are kept"),
                            &key,
                        )),
                        Some(_) => {}
                        None => {
                            self.clients.insert(key.clone(), print);
                            for &f in &self.policy.client {
                                if client.get(f).is_empty() {
                                    findings.push(finding(f, "missing_required", Severity::Error, format!("{} is required", f.key()), ""));
                                }
                            }
                            sink.client(&client)?;
                            counts.clients += 1;
                        }
                    }
                    client_key = Some(key);
                }
            }
        }
        if plan.role != TableRole::Clients && !patient.is_blank() {
            if let Some(key) = client_key {
                patient.client_external_id = key;
            } else if plan.role == TableRole::Patients
                && self.expects_clients
                && !patient.client_external_id.is_empty()
                && !self.clients.contains_key(&patient.client_external_id)
            {
                findings.push(finding(
                    Field::PatientClientExternalId,
                    "orphan_patient",
                    Severity::Error,
                    format!("no client has the ID \"{}\"", patient.client_external_id),
                    &patient.client_external_id.clone(),
                ));
            }
            if patient.deceased.is_none() {
                patient.deceased = Some(false);
            }
            if patient.external_id.is_empty() {
                if let Some(id) =
                    derive_patient_id(&patient.client_external_id, &patient.name, &patient.species)
                {
                    patient.external_id = id;
                }
            }
            for &f in &self.policy.patient {
                if patient.get(f).is_empty() {
                    let already = findings.iter().any(|x| x.field == f.key());
                    if !already {
                        findings.push(finding(
                            f,
                            "missing_required",
                            Severity::Error,
                            format!("{} is required", f.key()),
                            "",
                        ));
                    }
                }
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

fn fingerprint(c: &ClientRecord) -> u64 {
    // FNV-1a over the fields; only compared within one run, so any stable hash will do.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for f in Field::of(Entity::Client) {
        for b in c.get(f).bytes().chain(std::iter::once(0x1f)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
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
        for row in &table.rows {
            // Writing to memory cannot fail.
            let _ = converter.row(&plan, row, &mut out);
        }
    }
    Ok(out)
}
