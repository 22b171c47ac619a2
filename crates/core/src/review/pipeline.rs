//! The conversion run row by row, so that each source row's records and findings can be
//! looked at (the review keeps them) or changed (edits are applied) before they go on.
//!
//! The rows go through the same [`Converter`] as `write_canonical`, in the same order,
//! and the reader's ragged-row notes follow each table as there: with no edits the files
//! written here are byte-identical to `ph-import convert`'s (a test checks it).

use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{ClientRecord, Entity, Finding, PatientRecord, RequiredPolicy, Severity};
use crate::mapping::convert::{plan, run_order, Converter};
use crate::mapping::output::{OutputFiles, OutputFormat};
use crate::mapping::source::{self, TableSource};
use crate::mapping::write::{CodeCount, Policies, WriteError, WriteSummary};
use crate::mapping::{Mapping, Sink, SourceRow, TableRole};
use crate::read::Progress;
use crate::validate::{Context, Skipped};

use super::edits::{EditIndex, Edits, RecordRef};
use super::revalidate::{revalidate, Checks, Record, TableRules};

/// What one source row became.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowOutput {
    /// The table's position in the mapping.
    pub table: usize,
    /// The row number a person sees in the spreadsheet.
    pub row: u64,
    /// The client first seen on this row, if any.
    pub client: Option<ClientRecord>,
    /// The row's pet, if any.
    pub patient: Option<PatientRecord>,
    /// The row's findings, in the converter's order.
    pub findings: Vec<Finding>,
}

impl RowOutput {
    /// The findings split into the client's, the patient's and the rest (about the whole
    /// row, or about an owner repeated from an earlier row), each in order.
    pub fn split_findings(&self) -> (Vec<Finding>, Vec<Finding>, Vec<Finding>) {
        let (mut c, mut p, mut rest) = (Vec::new(), Vec::new(), Vec::new());
        for f in &self.findings {
            if self.client.is_some() && f.field.starts_with("client.") {
                c.push(f.clone());
            } else if self.patient.is_some() && f.field.starts_with("patient.") {
                p.push(f.clone());
            } else {
                rest.push(f.clone());
            }
        }
        (c, p, rest)
    }
}

/// Collects what the converter gives for one row.
#[derive(Default)]
struct RowBuffer {
    client: Option<ClientRecord>,
    patient: Option<PatientRecord>,
    findings: Vec<Finding>,
}

impl Sink for RowBuffer {
    fn client(&mut self, record: &ClientRecord) -> std::io::Result<()> {
        self.client = Some(record.clone());
        Ok(())
    }
    fn patient(&mut self, record: &PatientRecord) -> std::io::Result<()> {
        self.patient = Some(record.clone());
        Ok(())
    }
    fn finding(&mut self, finding: &Finding) -> std::io::Result<()> {
        self.findings.push(finding.clone());
        Ok(())
    }
}

/// Converts every row of `sources` with `mapping`, handing each row's output to `each`.
/// `progress` hears of each table's reading now and then (table position, progress).
pub fn convert_rows(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: RequiredPolicy,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, Progress),
    each: &mut dyn FnMut(RowOutput) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let io = |e: std::io::Error| WriteError::Io {
        dir: "the output".into(),
        reason: e.to_string(),
    };
    let mut converter = Converter::new(mapping, policy);
    for i in run_order(mapping) {
        let (Some(tm), Some(s)) = (mapping.tables.get(i), sources.get(i)) else {
            continue;
        };
        let mut rows = source::open(s)?;
        let headers = rows.columns().to_vec();
        let table_plan = plan(tm, &s.label, &headers)?;
        let mut n: u64 = 0;
        while let Some(row) = rows.next() {
            if n.is_multiple_of(4096) {
                if cancel.load(Ordering::Relaxed) {
                    return Err(WriteError::Cancelled);
                }
                progress(i, rows.progress(n));
            }
            n += 1;
            let row = row?;
            let row = SourceRow {
                number: row.number,
                cells: row.cells,
            };
            let mut buffer = RowBuffer::default();
            converter.row(&table_plan, &row, &mut buffer).map_err(io)?;
            each(RowOutput {
                table: i,
                row: row.number,
                client: buffer.client,
                patient: buffer.patient,
                findings: buffer.findings,
            })
            .map_err(io)?;
        }
        progress(i, rows.progress(n));
        // As `write_canonical`: the reader's first ragged rows of each kind, after the rows.
        for note in rows.notes() {
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
                each(RowOutput {
                    table: i,
                    row: r,
                    findings: vec![f],
                    ..RowOutput::default()
                })
                .map_err(io)?;
            }
        }
    }
    Ok(())
}

/// A 64-bit hash of a client ID: the set of a million IDs in 16 MB instead of 50.
pub(crate) fn id_hash(id: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// Applies an edits document to rows as they stream by.
pub(crate) struct Editor {
    index: EditIndex,
    rules: Vec<TableRules>,
    context: Context,
    policy: RequiredPolicy,
    expects_clients: bool,
    clients: HashSet<u64>,
    excluded_clients: HashSet<String>,
    /// Changes applied.
    pub(crate) applied: u64,
    /// Changes whose `before` did not match the converted value (the export changed).
    pub(crate) stale: Vec<String>,
    /// Records left out (pets of a left-out client included).
    pub(crate) excluded: u64,
}

impl Editor {
    pub(crate) fn new(edits: &Edits, mapping: &Mapping, policy: RequiredPolicy) -> Self {
        Editor {
            index: EditIndex::new(edits),
            rules: TableRules::of(mapping),
            context: Context::new(&mapping.country),
            policy,
            expects_clients: mapping.tables.iter().any(|t| t.role != TableRole::Patients),
            clients: HashSet::new(),
            excluded_clients: HashSet::new(),
            applied: 0,
            stale: Vec::new(),
            excluded: 0,
        }
    }

    /// The row with its records changed, re-validated or left out as the edits say.
    pub(crate) fn apply(&mut self, mut out: RowOutput) -> RowOutput {
        if let Some(c) = &out.client {
            self.clients.insert(id_hash(&c.external_id));
        }
        if self.index.is_empty() {
            return out;
        }
        let Some(rules) = self.rules.get(out.table) else {
            return out;
        };
        let label = rules.label().to_string();
        let client_ref = RecordRef {
            entity: Entity::Client,
            file: label.clone(),
            row: out.row,
        };
        let patient_ref = RecordRef {
            entity: Entity::Patient,
            ..client_ref.clone()
        };
        let client_changes = out
            .client
            .as_ref()
            .and_then(|_| self.index.changes.get(&client_ref));
        let patient_changes = out
            .patient
            .as_ref()
            .and_then(|_| self.index.changes.get(&patient_ref));
        let client_out = out.client.is_some() && self.index.excluded.contains(&client_ref);
        let patient_out = out.patient.is_some() && self.index.excluded.contains(&patient_ref);
        let owner_out = out
            .patient
            .as_ref()
            .is_some_and(|p| self.excluded_clients.contains(&p.client_external_id));
        if client_changes.is_none()
            && patient_changes.is_none()
            && !client_out
            && !patient_out
            && !owner_out
        {
            return out;
        }
        let client_changes = client_changes.cloned();
        let patient_changes = patient_changes.cloned();
        let (mut cf, mut pf, mut findings) = out.split_findings();
        let clients = &self.clients;
        let exists = |id: &str| clients.contains(&id_hash(id));
        let checks = Checks {
            table: rules,
            context: &self.context,
            policy: &self.policy,
            expects_clients: self.expects_clients,
            client_exists: &exists,
        };
        let mut stale = Vec::new();
        let mut applied = 0;
        let mut change =
            |record: &Record,
             found: &[Finding],
             list: &[(crate::canonical::Field, String, String)]| {
                let mut typed = Vec::new();
                for (field, before, after) in list {
                    if record.get(*field) == before {
                        typed.push((*field, after.as_str()));
                        applied += 1;
                    } else {
                        stale.push(format!(
                            "{} row {} {}: expected \"{before}\", found \"{}\"",
                            label,
                            out.row,
                            field.key(),
                            record.get(*field)
                        ));
                    }
                }
                revalidate(record, found, out.row, &typed, &checks)
            };
        if let (Some(c), Some(list)) = (&mut out.client, client_changes) {
            let (record, found) = change(&Record::Client(c.clone()), &cf, &list);
            if let Record::Client(changed) = record {
                *c = changed;
            }
            cf = found;
        }
        if let (Some(p), Some(list)) = (&mut out.patient, patient_changes) {
            let (record, found) = change(&Record::Patient(p.clone()), &pf, &list);
            if let Record::Patient(changed) = record {
                *p = changed;
            }
            pf = found;
        }
        self.applied += applied;
        self.stale.append(&mut stale);
        if client_out {
            if let Some(c) = out.client.take() {
                self.excluded_clients.insert(c.external_id);
            }
            self.excluded += 1;
            cf.clear();
        }
        let owner_out = out
            .patient
            .as_ref()
            .is_some_and(|p| self.excluded_clients.contains(&p.client_external_id));
        if patient_out || owner_out {
            out.patient = None;
            self.excluded += 1;
            pf.clear();
        }
        findings.append(&mut cf);
        findings.append(&mut pf);
        out.findings = findings;
        out
    }
}

/// What a conversion with edits wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EditedSummary {
    /// Records, findings and files written.
    pub summary: WriteSummary,
    /// Changes applied.
    #[ts(type = "number")]
    pub applied: u64,
    /// Records left out (a left-out client's pets included).
    #[ts(type = "number")]
    pub excluded: u64,
    /// Changes not applied because the value in the export is no longer the one changed.
    pub stale: Vec<String>,
}

/// Converts every row like [`crate::mapping::write::write_canonical`], applies `edits`,
/// and writes the canonical files into `dir`.
pub fn write_edited(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: impl Into<Policies>,
    edits: &Edits,
    dir: &Path,
    format: OutputFormat,
    cancel: &AtomicBool,
) -> Result<EditedSummary, WriteError> {
    let io = |e: std::io::Error| WriteError::Io {
        dir: dir.display().to_string(),
        reason: e.to_string(),
    };
    let mut files = OutputFiles::create(dir, format).map_err(io)?;
    let Policies {
        required: policy,
        import,
    } = policy.into();
    let mut editor = Editor::new(edits, mapping, policy.clone());
    let mut summary = WriteSummary {
        clients: 0,
        patients: 0,
        findings: 0,
        skipped: Skipped::default(),
        by_code: Vec::new(),
        files: Vec::new(),
    };
    let mut by_code: BTreeMap<(String, String), u64> = BTreeMap::new();
    convert_rows(
        sources,
        mapping,
        policy,
        cancel,
        &mut |_, _| {},
        &mut |row| {
            let row = editor.apply(row);
            if let Some(c) = &row.client {
                files.client(c)?;
                summary.clients += 1;
                if !import.sends_client(c) {
                    summary.skipped.inactive_clients += 1;
                }
            }
            if let Some(p) = &row.patient {
                files.patient(p)?;
                summary.patients += 1;
                if !import.sends_patient(p) {
                    summary.skipped.deceased_patients += 1;
                }
            }
            for f in &row.findings {
                files.finding(f)?;
                summary.findings += 1;
                *by_code
                    .entry((f.code.clone(), f.severity.as_str().to_owned()))
                    .or_insert(0) += 1;
            }
            Ok(())
        },
    )
    .map_err(|e| match e {
        WriteError::Io { reason, .. } => io(std::io::Error::other(reason)),
        other => other,
    })?;
    summary.by_code = by_code
        .into_iter()
        .map(|((code, severity), count)| CodeCount {
            code,
            severity,
            count,
        })
        .collect();
    summary
        .by_code
        .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    summary.files = files
        .paths()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    files.finish().map_err(io)?;
    Ok(EditedSummary {
        summary,
        applied: editor.applied,
        excluded: editor.excluded,
        stale: editor.stale,
    })
}
