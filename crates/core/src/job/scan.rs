//! Converting a clinic's files in memory for duplicate review: the records, ready to match
//! against PH, and the file's own duplicate groups.

use std::sync::atomic::AtomicBool;

use crate::canonical::{ClientRecord, PatientRecord, Severity};
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
        let (client_blocked, patient_blocked) = (blocked("client."), blocked("patient."));
        if let Some(c) = row.client {
            if client_blocked {
                out.excluded += 1;
                left_out.insert(c.external_id);
            } else {
                out.clients.push(c);
            }
        }
        if let Some(p) = row.patient {
            if patient_blocked || left_out.contains(&p.client_external_id) {
                out.excluded += 1;
            } else {
                out.patients.push(p);
            }
        }
        Ok(())
    })?;
    let labels: Vec<String> = sources.iter().map(|s| s.label.clone()).collect();
    out.groups = collector.groups(&labels);
    Ok(out)
}
