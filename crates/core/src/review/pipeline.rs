//! Applying the review's edits to rows as the conversion run hands them on
//! (the job's conversion run, the same run as `write_canonical`): with no
//! edits the files written here are byte-identical to `ph-import convert`'s (a test checks it).

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use crate::canonical::{Entity, Finding, RequiredPolicy};
use crate::mapping::row::RowOutput;
use crate::mapping::{Mapping, TableRole};
use crate::validate::Context;

use super::edits::{EditIndex, Edits, RecordRef};
use super::revalidate::{editable, revalidate, Checks, Record, TableRules};

/// A 64-bit hash of a client ID: the set of a million IDs in 16 MB instead of 50.
pub(crate) fn id_hash(id: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

fn entity_name(e: Entity) -> &'static str {
    match e {
        Entity::Client => "client",
        Entity::Patient => "patient",
    }
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
    /// Changes that cannot be made in a review (IDs, another entity's field), with why.
    pub(crate) refused: Vec<String>,
    /// The records of the edits that rows were found for.
    seen: HashSet<RecordRef>,
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
            refused: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// The changes and exclusions whose record no row of the export is (another export, or
    /// rows removed since), each named so the person can find it.
    pub(crate) fn unmatched(&self) -> Vec<String> {
        let name = |r: &RecordRef| format!("{} row {} {}", r.file, r.row, entity_name(r.entity));
        let mut out: Vec<String> = Vec::new();
        for (r, list) in &self.index.changes {
            if !self.seen.contains(r) {
                for (field, _, after) in list {
                    out.push(format!(
                        "{}: no such record in the export, so {} was not set to \"{after}\"",
                        name(r),
                        field.key()
                    ));
                }
            }
        }
        for r in &self.index.excluded {
            if !self.seen.contains(r) {
                out.push(format!(
                    "{}: no such record in the export, so nothing was left out",
                    name(r)
                ));
            }
        }
        out.sort();
        out
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
        if client_changes.is_some() || client_out {
            self.seen.insert(client_ref);
        }
        if patient_changes.is_some() || patient_out {
            self.seen.insert(patient_ref);
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
        let mut refused = Vec::new();
        let mut applied = 0;
        let role = rules.role();
        let mut change =
            |record: &Record,
             found: &[Finding],
             list: &[(crate::canonical::Field, String, String)]| {
                let mut typed = Vec::new();
                for (field, before, after) in list {
                    if field.entity() != record.entity() || !editable(*field, role) {
                        refused.push(format!(
                            "{label} row {} {}: {} cannot be changed in a review (IDs link pets to their owners and records to PH); change it in the export",
                            out.row,
                            entity_name(record.entity()),
                            field.key(),
                        ));
                    } else if record.get(*field) == before {
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
        self.refused.append(&mut refused);
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
