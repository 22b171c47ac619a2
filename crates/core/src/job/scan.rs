//! Converting a clinic's files in memory for duplicate review: the records, ready to match
//! against PH, and the file's own duplicate groups.

use std::sync::atomic::AtomicBool;

use crate::canonical::{ClientRecord, Field, Finding, PatientRecord, Severity};
use crate::dedupe::classify::{self, Classified};
use crate::dedupe::{Collector, DuplicateGroup};
use crate::mapping::convert::Converter;
use crate::mapping::source::TableSource;
use crate::mapping::Mapping;
use crate::ph::Client;
use crate::read::Progress;
use crate::review::{Editor, Edits};

use super::convert::convert_rows;
use super::write::{repeated_entity, Policies, WriteError};

/// The files' records and their duplicate groups.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// Every client the conversion yields (each ID once), in file order, with errors or
    /// not: all are matched against PH. A client with errors has its fields in error
    /// emptied, so it is matched on the others.
    pub clients: Vec<ClientRecord>,
    /// Every pet, in file order (the same holds).
    pub patients: Vec<PatientRecord>,
    /// The duplicate groups inside the files.
    pub groups: Vec<DuplicateGroup>,
    /// Records that cannot be sent because a finding says they cannot be imported (or
    /// their owner cannot).
    pub excluded: u64,
    /// Where each of `clients` comes from, in the same order.
    pub client_rows: Vec<RowOrigin>,
    /// Where each of `patients` comes from, in the same order.
    pub patient_rows: Vec<RowOrigin>,
    /// Why each of `clients` cannot be sent, in the same order; empty when it can.
    pub client_errors: Vec<String>,
    /// Why each of `patients` cannot be sent, in the same order; empty when it can.
    pub patient_errors: Vec<String>,
}

impl Scan {
    /// Why client `i` cannot be sent; empty when it can (or the scan lists no errors).
    pub fn client_error(&self, i: usize) -> &str {
        self.client_errors.get(i).map_or("", String::as_str)
    }

    /// Why patient `j` cannot be sent; empty when it can (or the scan lists no errors).
    pub fn patient_error(&self, j: usize) -> &str {
        self.patient_errors.get(j).map_or("", String::as_str)
    }

    /// Every record classified against the clinic's PH clients, each with the errors that
    /// keep it from being sent.
    pub fn classify(&self, ph: &[Client]) -> Classified {
        let mut classified = classify::classify(&self.clients, &self.patients, ph);
        for (i, m) in classified.clients.iter_mut().enumerate() {
            m.errors = self.client_error(i).to_owned();
        }
        for (j, m) in classified.patients.iter_mut().enumerate() {
            m.errors = self.patient_error(j).to_owned();
        }
        classified
    }
}

/// A source row: the table's position among the sources, and the row number people see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowOrigin {
    /// Position of the table in the sources.
    pub table: usize,
    /// Row number as a spreadsheet shows it.
    pub row: u64,
}

/// The error findings of a row about one record (`prefix` is `client.` or `patient.`).
fn errors_of<'a>(findings: &'a [Finding], prefix: &'a str) -> impl Iterator<Item = &'a Finding> {
    findings
        .iter()
        .filter(move |f| f.severity == Severity::Error && f.field.starts_with(prefix))
}

/// The messages of a record's errors, joined; empty when it has none.
fn reason(findings: &[Finding], prefix: &str) -> String {
    let list: Vec<&str> = errors_of(findings, prefix)
        .map(|f| f.message.as_str())
        .collect();
    list.join("; ")
}

/// Whether a field says which record this is (or whose): kept, even in error, since the
/// records are matched and linked by them.
fn is_id(field: Field) -> bool {
    matches!(
        field,
        Field::ClientExternalId | Field::PatientExternalId | Field::PatientClientExternalId
    )
}

/// Whether a phone is empty or E.164 (`+`, 7 to 15 digits, not starting with 0), the only
/// form PH takes.
fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else {
        return phone.is_empty();
    };
    (7..=15).contains(&digits.len())
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The fields in error of a record, other than its IDs: their values say nothing PH can be
/// compared with (an unusable e-mail would only look like a conflict).
fn fields_in_error<'a>(
    findings: &'a [Finding],
    prefix: &'a str,
) -> impl Iterator<Item = Field> + 'a {
    errors_of(findings, prefix)
        .filter_map(|f| Field::from_key(&f.field))
        .filter(|&f| !is_id(f))
}

/// Converts every row of `sources` with `mapping` (as `convert` does), with a review's
/// `edits` applied (the rows Save writes), and groups the duplicates. Records with errors
/// (and the pets of clients with errors) stay in the groups and in `clients` and
/// `patients`, to be matched against PH, with why they cannot be sent.
pub fn scan(
    sources: &[TableSource],
    mapping: &Mapping,
    policies: Policies,
    edits: &Edits,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, Progress),
) -> Result<Scan, WriteError> {
    let mut editor = Editor::new(edits, mapping, policies.required.clone());
    let converter = Converter::new(mapping, policies.required).with_import_policy(policies.import);
    let mut collector = Collector::default();
    let mut out = Scan::default();
    // Pets of a client left out cannot be sent either.
    let mut left_out: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
    convert_rows::<WriteError>(sources, mapping, converter, cancel, progress, &mut |row| {
        let row = editor.apply(row);
        collector.row(&row, repeated_entity(mapping, row.table));
        let origin = RowOrigin {
            table: row.table,
            row: row.row,
        };
        if let Some(mut c) = row.client {
            // PH takes phones in E.164 only and refuses a whole client for one that is not:
            // a number kept as written (`invalid_phone`, e.g. no area code) is not sent, so
            // the client is imported without it and the finding keeps it for follow-up.
            for f in [Field::ClientPhone, Field::ClientPhoneAlt] {
                if !is_e164(c.get(f)) {
                    c.set(f, String::new());
                }
            }
            let why = reason(&row.findings, "client.");
            if !why.is_empty() {
                out.excluded += 1;
                left_out.insert(c.external_id.clone());
                for f in fields_in_error(&row.findings, "client.") {
                    c.set(f, String::new());
                }
            }
            out.clients.push(c);
            out.client_rows.push(origin);
            out.client_errors.push(why);
        }
        if let Some(mut p) = row.patient {
            let mut why = reason(&row.findings, "patient.");
            if !why.is_empty() {
                for f in fields_in_error(&row.findings, "patient.") {
                    p.set(f, String::new());
                }
            } else if left_out.contains(&p.client_external_id) {
                why = format!("its owner {} is left out for errors", p.client_external_id);
            }
            if !why.is_empty() {
                out.excluded += 1;
            }
            out.patients.push(p);
            out.patient_rows.push(origin);
            out.patient_errors.push(why);
        }
        Ok(())
    })?;
    let labels: Vec<String> = sources.iter().map(|s| s.label.clone()).collect();
    out.groups = collector.groups(&labels);
    Ok(out)
}
