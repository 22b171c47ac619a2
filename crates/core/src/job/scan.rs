//! Converting a clinic's files in memory for duplicate review: the records, ready to match
//! against PH, and the file's own duplicate groups.

use std::sync::atomic::AtomicBool;

use crate::canonical::{ClientRecord, Entity, PatientRecord, Severity};
use crate::dedupe::{Collector, DuplicateGroup};
use crate::mapping::convert::Converter;
use crate::mapping::source::TableSource;
use crate::mapping::Mapping;
use crate::read::Progress;

use super::convert::convert_rows;
use super::write::{repeated_entity, Policies, WriteError};

/// The files' records and their duplicate groups.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// Every client the conversion yields (each ID once), in file order.
    pub clients: Vec<ClientRecord>,
    /// Every pet, in file order.
    pub patients: Vec<PatientRecord>,
    /// The duplicate groups inside the files.
    pub groups: Vec<DuplicateGroup>,
    /// Records left out because a finding says they cannot be imported.
    pub excluded: u64,
    /// Where each of `clients` comes from, in the same order.
    pub client_rows: Vec<RowOrigin>,
    /// Where each of `patients` comes from, in the same order.
    pub patient_rows: Vec<RowOrigin>,
    /// The records left out, with why.
    pub excluded_rows: Vec<ExcludedRow>,
}

/// A source row: the table's position among the sources, and the row number people see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowOrigin {
    /// Position of the table in the sources.
    pub table: usize,
    /// Row number as a spreadsheet shows it.
    pub row: u64,
}

/// A record left out of the import because of an error finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludedRow {
    /// Where it is.
    pub origin: RowOrigin,
    /// Client or pet.
    pub entity: crate::canonical::Entity,
    /// Its ID in the file.
    pub external_id: String,
    /// The error (or errors) that keep it out.
    pub reason: String,
}

/// Converts every row of `sources` with `mapping` (as `convert` does) and groups the
/// duplicates. Records with errors (and the pets of clients with errors) stay in the groups,
/// for a person to fix, but are left out of `clients` and `patients`: what an import sends.
pub fn scan(
    sources: &[TableSource],
    mapping: &Mapping,
    policies: Policies,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, Progress),
) -> Result<Scan, WriteError> {
    let converter = Converter::new(mapping, policies.required).with_import_policy(policies.import);
    let mut collector = Collector::default();
    let mut out = Scan::default();
    // Pets of a client left out cannot be sent either.
    let mut left_out: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
    convert_rows::<WriteError>(sources, mapping, converter, cancel, progress, &mut |row| {
        collector.row(&row, repeated_entity(mapping, row.table));
        let blocked = |prefix: &str| {
            row.findings
                .iter()
                .any(|f| f.severity == Severity::Error && f.field.starts_with(prefix))
        };
        let errors = |prefix: &str| {
            let list: Vec<&str> = row
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error && f.field.starts_with(prefix))
                .map(|f| f.message.as_str())
                .collect();
            list.join("; ")
        };
        let (client_blocked, patient_blocked) = (blocked("client."), blocked("patient."));
        let origin = RowOrigin {
            table: row.table,
            row: row.row,
        };
        if let Some(c) = row.client {
            if client_blocked {
                out.excluded += 1;
                out.excluded_rows.push(ExcludedRow {
                    origin,
                    entity: Entity::Client,
                    external_id: c.external_id.clone(),
                    reason: errors("client."),
                });
                left_out.insert(c.external_id);
            } else {
                out.clients.push(c);
                out.client_rows.push(origin);
            }
        }
        if let Some(p) = row.patient {
            if patient_blocked || left_out.contains(&p.client_external_id) {
                out.excluded += 1;
                let reason = if patient_blocked {
                    errors("patient.")
                } else {
                    format!("its owner {} is left out for errors", p.client_external_id)
                };
                out.excluded_rows.push(ExcludedRow {
                    origin,
                    entity: Entity::Patient,
                    external_id: p.external_id.clone(),
                    reason,
                });
            } else {
                out.patients.push(p);
                out.patient_rows.push(origin);
            }
        }
        Ok(())
    })?;
    let labels: Vec<String> = sources.iter().map(|s| s.label.clone()).collect();
    out.groups = collector.groups(&labels);
    Ok(out)
}
