//! The linking half of a conversion, in row order on one thread: rows repeated verbatim,
//! owners repeated with different details, pets linked to their owners, and the output.

use crate::canonical::{Field, Finding, PatientRecord, RequiredPolicy, Severity};
use crate::validate::links::Repeat;
use crate::validate::{policy, ClientRegistry, DuplicateRows, ImportPolicy};

use super::super::model::TableRole;
use super::super::table::SourceRow;
use super::plan::TablePlan;
use super::prepare::{MorePet, Prepared};
use super::{Counts, RepeatKind, Repeated, Sink};

/// What linking remembers across rows and tables of a run.
pub(super) struct Linker {
    pub(super) policy: RequiredPolicy,
    pub(super) import: ImportPolicy,
    /// Clients seen, by key, for merging repeats, spotting conflicts and linking pets.
    pub(super) clients: ClientRegistry,
    pub(super) duplicates: DuplicateRows,
    /// Whether any table of this run yields clients (else pets link to clients already in PH).
    pub(super) expects_clients: bool,
    /// The current table's pets whose owner ID no client has.
    pub(super) orphans: OrphanTally,
}

/// Pets of one table checked against the clients, and, for the first pets without an owner,
/// which other columns hold an ID a client has: a wrong owner-link column shows up as
/// nearly every pet orphaned while another column matches.
#[derive(Debug, Default)]
pub(super) struct OrphanTally {
    linked: u64,
    orphans: u64,
    probed: u64,
    /// Per column of the table: probed orphans whose cell there is a client's ID.
    hits: Vec<u64>,
}

/// Orphans whose other columns are tried against the clients (enough to be sure, few
/// enough to cost nothing).
const PROBED_ORPHANS: u64 = 1000;
/// Fewer orphans than this are ordinary missing owners, not a wrong link.
const MASS_ORPHANS: u64 = 10;

impl Linker {
    /// The part that links rows: duplicates, repeated owners, owners of pets, and the output
    /// (every pet of the row).
    pub(super) fn commit(
        &mut self,
        plan: &TablePlan,
        row: &SourceRow,
        mut p: Prepared,
        sink: &mut dyn Sink,
    ) -> std::io::Result<Counts> {
        let more = std::mem::take(&mut p.more_pets);
        let (mut counts, converted) = self.commit_row(plan, row, p, sink)?;
        if converted {
            for pet in more {
                counts.add(self.commit_more(plan, row, pet, sink)?);
            }
        }
        Ok(counts)
    }

    /// A further pet of a row whose client and first pet [`Linker::commit_row`] committed.
    pub(super) fn commit_more(
        &mut self,
        plan: &TablePlan,
        row: &SourceRow,
        pet: MorePet,
        sink: &mut dyn Sink,
    ) -> std::io::Result<Counts> {
        let mut counts = Counts::default();
        let mut findings = Vec::new();
        self.pet(
            plan,
            row,
            pet.patient,
            pet.findings,
            &mut findings,
            &mut counts,
            sink,
        )?;
        counts.findings = findings.len() as u64;
        for f in findings {
            sink.finding(f)?;
        }
        Ok(counts)
    }

    /// The row's client and first pet (its further pets, in `p.more_pets`, are left for
    /// [`Linker::commit_more`]). Also says whether the row was converted: a row repeating an
    /// earlier one is not.
    pub(super) fn commit_row(
        &mut self,
        plan: &TablePlan,
        row: &SourceRow,
        p: Prepared,
        sink: &mut dyn Sink,
    ) -> std::io::Result<(Counts, bool)> {
        let mut counts = Counts::default();
        let finding =
            |field: &str, code: &str, severity: Severity, message: String, value: &str| {
                plan.finding(p.number, field, code, severity, message, value)
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
                sink.finding(f)?;
                sink.repeat(Repeated {
                    first,
                    kind: RepeatKind::Row,
                    external_id: String::new(),
                })?;
                counts.findings = 1;
                return Ok((counts, false));
            }
        }
        let mut findings = p.findings;
        if let Some(owner) = p.client {
            let id_field = Field::ClientExternalId.key();
            let repeat = owner
                .key
                .as_deref()
                .map(|key| self.clients.add_hashed(key, owner.hashes, p.number));
            match repeat {
                None => {
                    findings.extend(owner.findings(p.number));
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
                // On each field that differs, so the review marks the cell to look at.
                Some(Repeat::Different { row: first, fields }) => {
                    let key = owner.key.as_deref().unwrap_or_default();
                    sink.repeat(Repeated {
                        first,
                        kind: RepeatKind::ClientIdDifferent,
                        external_id: key.to_owned(),
                    })?;
                    for field in fields {
                        findings.push(finding(
                                field.key(),
                                "inconsistent_repeated_client",
                                Severity::Warning,
                                format!(
                                    "client {key} appears again with a different {} than on row {first}; the first row's details are kept",
                                    field.column()
                                ),
                                &owner.value(field),
                            ));
                    }
                }
                // Owners repeat on every pet row of a combined table; only a clients table
                // listing one client twice has a duplicate.
                Some(Repeat::Same { row: first }) if plan.role == TableRole::Clients => {
                    sink.repeat(Repeated {
                        first,
                        kind: RepeatKind::ClientId,
                        external_id: owner.key.clone().unwrap_or_default(),
                    })?;
                }
                Some(Repeat::Same { .. }) => {}
                Some(Repeat::New) => {
                    // The first registration of this client, so the owner still holds it (it is
                    // taken only here, and the registry says New once per client).
                    if let Some((client, client_findings)) = owner.take(p.number) {
                        findings.extend(client_findings);
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
                        sink.client(client)?;
                        counts.clients += 1;
                    }
                }
            }
        }
        if let Some(patient) = p.patient {
            self.pet(
                plan,
                row,
                patient,
                p.patient_findings,
                &mut findings,
                &mut counts,
                sink,
            )?;
        }
        counts.findings = findings.len() as u64;
        for f in findings {
            sink.finding(f)?;
        }
        Ok((counts, true))
    }

    /// Links one pet of the row to its owner and writes it; its findings (`own`, and the
    /// link's) join `findings`.
    #[allow(clippy::too_many_arguments)]
    fn pet(
        &mut self,
        plan: &TablePlan,
        row: &SourceRow,
        mut patient: PatientRecord,
        own: Vec<Finding>,
        findings: &mut Vec<Finding>,
        counts: &mut Counts,
        sink: &mut dyn Sink,
    ) -> std::io::Result<()> {
        let finding =
            |field: &str, code: &str, severity: Severity, message: String, value: &str| {
                plan.finding(row.number, field, code, severity, message, value)
            };
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
                None => {
                    self.probe_orphan(plan, row);
                    let columns = plan.column_names(plan.owner_link_columns());
                    findings.push(finding(
                        field,
                        "orphan_patient",
                        Severity::Error,
                        format!(
                            "no client has the ID \"{written}\" (the owner ID is read from {columns})"
                        ),
                        &written,
                    ))
                }
            }
        } else if plan.role == TableRole::Patients && !patient.client_external_id.is_empty() {
            self.orphans.linked += 1;
        }
        findings.extend(own);
        if !self.import.sends_patient(&patient) {
            counts.skipped_deceased_patients += 1;
        }
        sink.patient(patient)?;
        counts.patients += 1;
        Ok(())
    }

    /// Counts an orphaned pet and, for the first ones, which of its other cells are a
    /// client's ID.
    fn probe_orphan(&mut self, plan: &TablePlan, row: &SourceRow) {
        let tally = &mut self.orphans;
        tally.orphans += 1;
        if tally.probed >= PROBED_ORPHANS {
            return;
        }
        tally.probed += 1;
        if tally.hits.len() < row.cells.len() {
            tally.hits.resize(row.cells.len(), 0);
        }
        let link = plan.owner_link_columns();
        for (j, cell) in row.cells.iter().enumerate() {
            let id = cell.trim();
            if id.is_empty() || link.contains(&j) {
                continue;
            }
            if self.clients.contains(id) || self.clients.match_without_zeros(id).is_some() {
                tally.hits[j] += 1;
            }
        }
    }

    /// At the end of a table: when most of its pets have no owner, a finding about the
    /// whole table naming the owner-link column used and the column that would link them.
    pub(super) fn end_table(&mut self, plan: &TablePlan) -> Option<Finding> {
        let t = std::mem::take(&mut self.orphans);
        let pets = t.linked + t.orphans;
        if t.orphans < MASS_ORPHANS || t.orphans * 2 < pets {
            return None;
        }
        let link = plan.owner_link_columns();
        let used = plan.column_names(link);
        // A column matching at least 80 % of the probed orphans, the best one.
        let better = t
            .hits
            .iter()
            .enumerate()
            .filter(|&(j, &hits)| !link.contains(&j) && hits * 5 >= t.probed * 4)
            .max_by_key(|&(j, &hits)| (hits, std::cmp::Reverse(j)))
            .and_then(|(j, &hits)| Some((plan.headers.get(j)?.clone(), hits)));
        let share = t.orphans * 100 / pets.max(1);
        let (message, suggestion) = match better {
            Some((column, hits)) => (
                format!(
                    "{} of {pets} pets ({share} %) have an owner ID no client has, read from {used}; “{column}” holds a client's ID on {} % of them: map the pet's owner (patient.client_external_id) to “{column}”",
                    t.orphans,
                    hits * 100 / t.probed.max(1),
                ),
                column,
            ),
            None => (
                format!(
                    "{} of {pets} pets ({share} %) have an owner ID no client has, read from {used}, and no other column of this table holds client IDs: check which column gives the client ID (client.external_id) in the clients' table, and that the right clients' file is loaded",
                    t.orphans
                ),
                String::new(),
            ),
        };
        let mut f = plan.finding(
            0,
            Field::PatientClientExternalId.key(),
            "orphan_link_column",
            Severity::Warning,
            message,
            &used,
        );
        f.suggestion = suggestion;
        Some(f)
    }
}
