//! The import plan: a saved JSON artifact that says, for every incoming record, how it
//! relates to PH, exactly what will be sent, and which decision made it so. A dry run stops
//! here; applying sends what the plan says and nothing else.

use std::borrow::Cow;
use std::path::Path;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::canonical::{ClientRecord, Entity, PatientRecord};
use crate::dedupe::classify::{
    self, classification, diffs, match_patient, Classification, FieldDiff, MatchedBy, RecordMatch,
};
use crate::dedupe::resolve::{resolve, Decisions, Outcome};
use crate::dedupe::DuplicateGroup;
use crate::job::{RowOrigin, Scan};
use crate::mapping::source::TableSource;
use crate::ph::canonical::client_record;
use crate::ph::canonical::{client_input, client_update, patient_input, patient_update};
use crate::ph::types::{Client, ClientInput, ClientUpdate, PatientInput, PatientUpdate};

use super::error::ImportError;
use super::matches::PhRecord;

/// The plan file format this version writes and reads.
pub const PLAN_FORMAT: u32 = 1;

/// Everything an import will do, decided before anything is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_FORMAT`].
    pub format: u32,
    /// The import run's id: PH tags what the run creates with it, and undo deletes by it.
    pub run_id: String,
    /// When the plan was made.
    pub created_at: DateTime<Utc>,
    /// Where it goes.
    pub target: Target,
    /// The files, with their SHA-256 as read.
    pub inputs: Vec<InputFile>,
    /// The tables read (how to re-read them for `errors.csv`).
    pub tables: Vec<TableSource>,
    /// What the clinic held in PH when the plan was made.
    pub snapshot: Snapshot,
    /// The person's field policies and per-record decisions.
    pub decisions: Decisions,
    /// One step per incoming client, in file order.
    pub clients: Vec<ClientStep>,
    /// One step per incoming pet, in file order.
    pub patients: Vec<PatientStep>,
    /// Records left out for errors in the files.
    pub excluded: Vec<ExcludedStep>,
    /// The duplicate groups inside the files (the same person or pet entered twice, households).
    #[serde(default)]
    pub groups: Vec<DuplicateGroup>,
    /// Counts and the one-paragraph summary.
    pub summary: Summary,
}

/// The environment and clinic of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "ImportTarget")]
pub struct Target {
    /// The environment's name (`sandbox`, `staging`, …).
    pub env: String,
    /// Its base URL.
    pub base_url: String,
    /// The clinic's PH id.
    pub clinic_id: String,
    /// The clinic's name.
    pub clinic_name: String,
    /// The clinic's country.
    pub country: String,
    /// Who made the plan (the token's principal).
    pub principal: String,
}

/// An input file as the plan read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InputFile {
    /// Its path.
    pub path: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
}

impl InputFile {
    /// Reads `path` to fingerprint it.
    pub fn of(path: &Path) -> Result<InputFile, ImportError> {
        let io = |e: std::io::Error| ImportError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut hasher = Sha256::new();
        let bytes = std::io::copy(&mut file, &mut hasher).map_err(io)?;
        Ok(InputFile {
            path: path.display().to_string(),
            sha256: hex(&hasher.finalize()),
            bytes,
        })
    }
}

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the clinic held in PH when the plan was made: applying refuses a clinic that has
/// changed since, because the plan's matches and diffs could be wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Snapshot {
    /// Clients.
    #[ts(type = "number")]
    pub clients: u64,
    /// Patients.
    #[ts(type = "number")]
    pub patients: u64,
    /// SHA-256 over every record's id and last change.
    pub digest: String,
    /// The latest change of any record (RFC 3339 in the JSON).
    #[ts(type = "string | null")]
    pub latest_change: Option<DateTime<Utc>>,
}

impl Snapshot {
    /// The snapshot of a clinic's records.
    pub fn of(clients: &[Client]) -> Snapshot {
        let mut stamps: Vec<(&str, DateTime<Utc>)> = Vec::new();
        for c in clients {
            stamps.push((&c.id, c.updated_at));
            for p in &c.patients {
                stamps.push((&p.id, p.updated_at));
            }
        }
        stamps.sort_unstable();
        let mut hasher = Sha256::new();
        for (id, at) in &stamps {
            hasher.update(id.as_bytes());
            hasher.update(b"\0");
            hasher.update(at.to_rfc3339().as_bytes());
            hasher.update(b"\n");
        }
        Snapshot {
            clients: clients.len() as u64,
            patients: clients.iter().map(|c| c.patients.len() as u64).sum(),
            digest: hex(&hasher.finalize()),
            latest_change: stamps.iter().map(|(_, at)| *at).max(),
        }
    }
}

/// Where a record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "RowOrigin")]
pub struct Origin {
    /// Position of its table in [`Plan::tables`].
    pub table: usize,
    /// Its row number as a spreadsheet shows it.
    #[ts(type = "number")]
    pub row: u64,
}

impl From<RowOrigin> for Origin {
    fn from(o: RowOrigin) -> Origin {
        Origin {
            table: o.table,
            row: o.row,
        }
    }
}

/// What the import does with one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "op")]
#[ts(export, rename = "PlannedOp")]
pub enum Op {
    /// Create it in PH.
    Create,
    /// Write the file's values of `set` onto the PH record `ph_id`.
    Update {
        /// The PH record.
        ph_id: String,
        /// The fields written: PH's value before and the file's value.
        set: Vec<FieldDiff>,
    },
    /// PH already has it as wanted: nothing is sent.
    Unchanged {
        /// The PH record.
        ph_id: String,
    },
    /// Not imported.
    Skip {
        /// Why.
        reason: String,
    },
    /// Waits for a person's decision (ambiguous match); applying refuses such a plan unless
    /// told to skip them.
    Undecided {
        /// The PH records it may be.
        candidates: Vec<String>,
    },
}

impl Op {
    /// The operation's name in reports: `create`, `update`, `unchanged`, `skip`, `undecided`.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Update { .. } => "update",
            Op::Unchanged { .. } => "unchanged",
            Op::Skip { .. } => "skip",
            Op::Undecided { .. } => "undecided",
        }
    }

    /// The PH record the operation works on, when it has one.
    pub fn ph_id(&self) -> Option<&str> {
        match self {
            Op::Update { ph_id, .. } | Op::Unchanged { ph_id } => Some(ph_id),
            _ => None,
        }
    }
}

/// One incoming client and what happens to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientStep {
    /// Where it is in the files.
    pub origin: Origin,
    /// The record as the file gives it, canonical.
    pub record: ClientRecord,
    /// How it relates to PH.
    pub classification: Classification,
    /// How it was matched, if it was.
    pub matched_by: Option<MatchedBy>,
    /// Why it matched (or is ambiguous), and what decided the operation.
    pub reasons: Vec<String>,
    /// What is sent.
    pub op: Op,
    /// The PH records a person compares it with: the one it matches where the file would
    /// change it, or each it may be. Empty for new and identical records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ph: Vec<PhRecord>,
}

impl ClientStep {
    /// `createClients` input of a `create` step.
    pub fn input(&self) -> ClientInput {
        client_input(&self.record)
    }

    /// `updateClients` change of an `update` step.
    pub fn update(&self) -> Option<ClientUpdate> {
        match &self.op {
            Op::Update { ph_id, set } => Some(client_update(
                ph_id,
                set.iter().map(|d| (d.field, d.file.as_str())),
            )),
            _ => None,
        }
    }
}

/// Who a pet's owner is in PH.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[ts(export)]
pub enum Owner {
    /// A client PH already has.
    Ph {
        /// Its PH id.
        id: String,
    },
    /// The client this plan creates at this position of [`Plan::clients`].
    Planned {
        /// The position.
        step: usize,
    },
    /// Not in PH and not created (the pet is skipped or waits).
    None,
}

/// One incoming pet and what happens to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientStep {
    /// Where it is in the files.
    pub origin: Origin,
    /// The record as the file gives it, canonical.
    pub record: PatientRecord,
    /// Its owner in PH.
    pub owner: Owner,
    /// How it relates to PH.
    pub classification: Classification,
    /// How it was matched, if it was.
    pub matched_by: Option<MatchedBy>,
    /// Why.
    pub reasons: Vec<String>,
    /// What is sent.
    pub op: Op,
    /// The PH pets a person compares it with (see [`ClientStep::ph`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ph: Vec<PhRecord>,
}

impl PatientStep {
    /// `createPatients` input of a `create` step, under the owner's PH id.
    pub fn input(&self, owner_ph_id: &str) -> PatientInput {
        patient_input(&self.record, owner_ph_id)
    }

    /// `updatePatients` change of an `update` step.
    pub fn update(&self) -> Option<PatientUpdate> {
        match &self.op {
            Op::Update { ph_id, set } => Some(patient_update(
                ph_id,
                set.iter().map(|d| (d.field, d.file.as_str())),
            )),
            _ => None,
        }
    }
}

/// A record the files hold that is not imported because of errors in it (or in its
/// owner); it is matched against PH all the same, so its classification shows what
/// importing it would do once fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExcludedStep {
    /// Where it is.
    pub origin: Origin,
    /// Client or pet.
    pub entity: Entity,
    /// Its ID in the file.
    pub external_id: String,
    /// The errors.
    pub reason: String,
    /// How it relates to PH (absent in plans made before records with errors were matched).
    #[serde(default)]
    pub classification: Option<Classification>,
    /// The PH record it matches, if one.
    #[serde(default)]
    pub ph_id: Option<String>,
    /// How it was matched, if it was.
    #[serde(default)]
    pub matched_by: Option<MatchedBy>,
}

impl ExcludedStep {
    /// A record left out for `reason`, with how it matched PH.
    fn of(origin: Origin, m: &RecordMatch, reason: &str) -> ExcludedStep {
        ExcludedStep {
            origin,
            entity: m.entity,
            external_id: m.external_id.clone(),
            reason: reason.to_owned(),
            classification: Some(m.classification),
            ph_id: m.ph_id.clone(),
            matched_by: m.matched_by,
        }
    }
}

/// How many records get each operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OpCounts {
    /// Created.
    #[ts(type = "number")]
    pub create: u64,
    /// Updated.
    #[ts(type = "number")]
    pub update: u64,
    /// Left as PH has them.
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Skipped.
    #[ts(type = "number")]
    pub skip: u64,
    /// Waiting for a decision.
    #[ts(type = "number")]
    pub undecided: u64,
}

impl OpCounts {
    fn add(&mut self, op: &Op) {
        let n = match op {
            Op::Create => &mut self.create,
            Op::Update { .. } => &mut self.update,
            Op::Unchanged { .. } => &mut self.unchanged,
            Op::Skip { .. } => &mut self.skip,
            Op::Undecided { .. } => &mut self.undecided,
        };
        *n += 1;
    }
}

/// What the plan will do, counted and said in words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "PlanSummary")]
pub struct Summary {
    /// Clients by operation.
    pub clients: OpCounts,
    /// Pets by operation.
    pub patients: OpCounts,
    /// Conflicting records (PH and the file disagree) resolved by a policy or decision.
    #[ts(type = "number")]
    pub conflicts_decided: u64,
    /// Rows left out for errors.
    #[ts(type = "number")]
    pub excluded: u64,
    /// The plan in one paragraph.
    pub text: String,
}

impl Summary {
    fn of(clients: &[ClientStep], patients: &[PatientStep], excluded: u64) -> Summary {
        let mut s = Summary {
            excluded,
            ..Summary::default()
        };
        for c in clients {
            s.clients.add(&c.op);
        }
        for p in patients {
            s.patients.add(&p.op);
        }
        s.conflicts_decided = clients
            .iter()
            .map(|c| (c.classification, &c.op))
            .chain(patients.iter().map(|p| (p.classification, &p.op)))
            .filter(|(c, op)| *c == Classification::Conflict && !matches!(op, Op::Undecided { .. }))
            .count() as u64;
        let (c, p) = (&s.clients, &s.patients);
        let mut text = format!(
            "Will create {} clients and {} patients, update {} clients and {} patients, \
             leave {} identical records unchanged, skip {}",
            thousands(c.create),
            thousands(p.create),
            thousands(c.update),
            thousands(p.update),
            thousands(c.unchanged + p.unchanged),
            thousands(c.skip + p.skip),
        );
        text.push_str(&format!(
            "; {} conflicts decided, {} rows excluded for errors",
            thousands(s.conflicts_decided),
            thousands(excluded)
        ));
        if c.undecided + p.undecided > 0 {
            text.push_str(&format!(
                "; {} records wait for a decision",
                thousands(c.undecided + p.undecided)
            ));
        }
        text.push('.');
        s.text = text;
        s
    }
}

/// `1203` as `1,203`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// What a plan is made from.
pub struct PlanInput<'a> {
    /// The files' records. Given owned, they move into the plan's steps, so a million
    /// records are not held twice; borrowed, they are copied.
    pub scan: Cow<'a, Scan>,
    /// The tables they were read from.
    pub tables: &'a [TableSource],
    /// The clinic's clients (with patients) in PH now.
    pub ph: &'a [Client],
    /// The person's policies and decisions.
    pub decisions: Decisions,
    /// Where the import goes.
    pub target: Target,
    /// The input files.
    pub inputs: Vec<InputFile>,
}

/// How a client's pets find their owner.
enum OwnerOf {
    Ph(usize),
    Planned(usize),
    Blocked { undecided: bool, reason: String },
}

/// Makes the plan: every record classified against PH, then resolved by the decisions.
pub fn build(input: PlanInput) -> Plan {
    let PlanInput {
        scan,
        tables,
        ph,
        decisions,
        target,
        inputs,
    } = input;
    let classified = classify::classify(&scan.clients, &scan.patients, ph);
    let same_client = SameClients::new(&scan, &decisions);
    let Scan {
        clients: scan_clients,
        patients: scan_patients,
        groups,
        client_rows,
        patient_rows,
        client_errors,
        patient_errors,
        ..
    } = scan.into_owned();
    let error_of = |errors: &[String], i: usize| errors.get(i).cloned().unwrap_or_default();
    let by_id: FxHashMap<&str, usize> = ph
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let by_external: FxHashMap<&str, usize> = ph
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.external_id.as_deref().map(|e| (e, i)))
        .collect();
    // A PH record two incoming records resolve to is written once: by the first of them.
    // Clients and patients have ids of their own, which may be equal: one map each.
    let mut claimed: FxHashMap<String, String> = FxHashMap::default();
    let mut claimed_pets: FxHashMap<String, String> = FxHashMap::default();
    let mut owners: FxHashMap<String, OwnerOf> = FxHashMap::default();
    let mut clients = Vec::with_capacity(scan_clients.len());
    let mut excluded = Vec::new();
    for (i, (record, m)) in scan_clients.into_iter().zip(classified.clients).enumerate() {
        let origin: Origin = client_rows.get(i).copied().unwrap_or_default().into();
        // One person entered twice: imported once, as the other record, with all the pets.
        if let Some(other) = same_client.of(&record.external_id) {
            clients.push(ClientStep {
                origin,
                record,
                classification: m.classification,
                matched_by: m.matched_by,
                reasons: m.reasons,
                op: Op::Skip {
                    reason: format!(
                        "the same person as client {other} of the files, which is imported with the pets of both"
                    ),
                },
                ph: vec![],
            });
            continue;
        }
        // Matched, so the person sees what it is, but not sent, and it claims no PH record.
        let errors = error_of(&client_errors, i);
        if !errors.is_empty() {
            excluded.push(ExcludedStep::of(origin, &m, &errors));
            owners.insert(
                record.external_id.clone(),
                OwnerOf::Blocked {
                    undecided: false,
                    reason: format!("its owner {} is left out for errors", record.external_id),
                },
            );
            continue;
        }
        let step = clients.len();
        let compared = ph_ids(&m)
            .filter_map(|id| {
                by_id
                    .get(id)
                    .map(|&k| PhRecord::client(id, &client_record(&ph[k])))
            })
            .collect();
        let m = rematch_chosen(m, &decisions, |id| {
            by_id.get(id).map(|&k| {
                let r = client_record(&ph[k]);
                diffs(Entity::Client, |f| record.get(f), |f| r.get(f))
            })
        });
        let mut op = op_of(resolve(&m, &decisions), &m);
        if let Some(id) = op.ph_id().map(str::to_owned) {
            if let Some(first) = claimed.get(&id) {
                op = Op::Skip {
                    reason: format!(
                        "the same PH client as client {first} of the file, which is imported into it"
                    ),
                };
            } else {
                claimed.insert(id, record.external_id.clone());
            }
        }
        let owner = match &op {
            Op::Create => OwnerOf::Planned(step),
            Op::Update { ph_id, .. } | Op::Unchanged { ph_id } => match by_id.get(ph_id.as_str()) {
                Some(&k) => OwnerOf::Ph(k),
                None => OwnerOf::Blocked {
                    undecided: false,
                    reason: format!("its owner's PH client {ph_id} is not in the clinic"),
                },
            },
            Op::Skip { reason } => OwnerOf::Blocked {
                undecided: false,
                reason: format!("its owner {} is skipped ({reason})", record.external_id),
            },
            Op::Undecided { .. } => OwnerOf::Blocked {
                undecided: true,
                reason: format!(
                    "its owner {} may be several PH clients: decide the owner first",
                    record.external_id
                ),
            },
        };
        owners.insert(record.external_id.clone(), owner);
        clients.push(ClientStep {
            origin,
            record,
            classification: m.classification,
            matched_by: m.matched_by,
            reasons: m.reasons,
            op,
            ph: compared,
        });
    }
    let mut patients = Vec::with_capacity(scan_patients.len());
    // `classify` gives one match per pet, in order.
    for (j, (mut record, m)) in scan_patients
        .into_iter()
        .zip(classified.patients)
        .enumerate()
    {
        let origin = patient_rows.get(j).copied().unwrap_or_default().into();
        // A pet whose owner is another client's duplicate goes to that client.
        let moved = same_client
            .of(&record.client_external_id)
            .map(str::to_owned);
        if let Some(other) = &moved {
            record.client_external_id.clone_from(other);
        }
        let errors = error_of(&patient_errors, j);
        if !errors.is_empty() {
            excluded.push(ExcludedStep::of(origin, &m, &errors));
            continue;
        }
        if let Some(reason) = same_client.same_pet(&record, moved.is_some()) {
            patients.push(PatientStep {
                origin,
                record,
                owner: Owner::None,
                classification: m.classification,
                matched_by: None,
                reasons: vec![],
                op: Op::Skip { reason },
                ph: vec![],
            });
            continue;
        }
        let owner = match owners.get(record.client_external_id.as_str()) {
            Some(o) => o,
            // A pets-only file names owners PH already has by their ID.
            None => match by_external.get(record.client_external_id.as_str()) {
                Some(&k) => &OwnerOf::Ph(k),
                None => &OwnerOf::Blocked {
                    undecided: false,
                    reason: String::new(),
                },
            },
        };
        let mut step = match owner {
            OwnerOf::Planned(i) => {
                let op = match decisions.for_record(Entity::Patient, &record.external_id) {
                    Some(d) if d.action == crate::dedupe::resolve::DecisionAction::Skip => {
                        Op::Skip {
                            reason: "skipped by decision".to_owned(),
                        }
                    }
                    _ => Op::Create,
                };
                PatientStep {
                    origin,
                    record: PatientRecord::default(),
                    owner: Owner::Planned { step: *i },
                    classification: Classification::New,
                    matched_by: None,
                    reasons: vec!["its owner is created by this import".to_owned()],
                    op,
                    ph: vec![],
                }
            }
            OwnerOf::Ph(k) => {
                let client = &ph[*k];
                let owner_ext = client.external_id.clone().unwrap_or_default();
                let m = match_patient(&record, client, &owner_ext);
                let compared = ph_ids(&m)
                    .filter_map(|id| {
                        let pet = client.patients.iter().find(|p| p.id == id)?;
                        let r = crate::ph::canonical::patient_record(pet, &owner_ext);
                        Some(PhRecord::patient(id, &r))
                    })
                    .collect();
                let m = rematch_chosen(m, &decisions, |id| {
                    let pet = client.patients.iter().find(|p| p.id == id)?;
                    let r = crate::ph::canonical::patient_record(pet, &owner_ext);
                    Some(diffs(Entity::Patient, |f| record.get(f), |f| r.get(f)))
                });
                let mut op = op_of(resolve(&m, &decisions), &m);
                if let Some(id) = op.ph_id().map(str::to_owned) {
                    if let Some(first) = claimed_pets.get(&id) {
                        op = Op::Skip {
                            reason: format!(
                                "the same PH patient as pet {first} of the file, which is imported into it"
                            ),
                        };
                    } else {
                        claimed_pets.insert(id, record.external_id.clone());
                    }
                }
                PatientStep {
                    origin,
                    record: PatientRecord::default(),
                    owner: Owner::Ph {
                        id: client.id.clone(),
                    },
                    classification: m.classification,
                    matched_by: m.matched_by,
                    reasons: m.reasons,
                    op,
                    ph: compared,
                }
            }
            OwnerOf::Blocked { undecided, reason } => {
                let reason = if reason.is_empty() {
                    format!(
                        "its owner {} is neither in the files nor in the clinic in PH",
                        record.client_external_id
                    )
                } else {
                    reason.clone()
                };
                let op = if *undecided {
                    Op::Undecided { candidates: vec![] }
                } else {
                    Op::Skip {
                        reason: reason.clone(),
                    }
                };
                PatientStep {
                    origin,
                    record: PatientRecord::default(),
                    owner: Owner::None,
                    classification: Classification::New,
                    matched_by: None,
                    reasons: vec![reason],
                    op,
                    ph: vec![],
                }
            }
        };
        // Moved in last: every arm above reads it.
        step.record = record;
        patients.push(step);
    }
    // In file order, as the rows are.
    excluded.sort_by_key(|e| (e.origin.table, e.origin.row, e.entity == Entity::Patient));
    let summary = Summary::of(&clients, &patients, excluded.len() as u64);
    Plan {
        format: PLAN_FORMAT,
        run_id: crate::ph::new_key(),
        created_at: Utc::now(),
        target,
        inputs,
        tables: tables.to_vec(),
        snapshot: Snapshot::of(ph),
        decisions,
        clients,
        patients,
        excluded,
        groups,
        summary,
    }
}

/// What [`plan`] needs besides the PH client.
pub struct Request<'a> {
    /// The files' records: owned, they move into the plan (see [`PlanInput::scan`]).
    pub scan: Cow<'a, Scan>,
    /// The tables they were read from.
    pub tables: &'a [TableSource],
    /// The person's policies and decisions.
    pub decisions: Decisions,
    /// The input files.
    pub inputs: Vec<InputFile>,
    /// The clinic's PH id.
    pub clinic_id: &'a str,
    /// The environment's base URL, recorded in the plan.
    pub base_url: &'a str,
}

/// Reads the clinic from PH (the token must be allowed to use it) and plans `request.scan`
/// against what it holds now. `progress(read, total)` follows the reading of the clinic.
pub async fn plan(
    api: &crate::ph::PhApi,
    request: Request<'_>,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Plan, ImportError> {
    let me = api.me().await?;
    if !me.clinics.iter().any(|c| c.id == request.clinic_id) {
        return Err(ImportError::WrongClinic {
            principal: me.name.clone(),
            env: api.env().to_owned(),
            clinic: request.clinic_id.to_owned(),
            allowed: me
                .clinics
                .iter()
                .map(|c| format!("{} ({})", c.id, c.name))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let clinic = api.clinic(request.clinic_id).await?;
    let ph = super::export::fetch_clinic(api, request.clinic_id, progress).await?;
    Ok(build(PlanInput {
        scan: request.scan,
        tables: request.tables,
        ph: &ph,
        decisions: request.decisions,
        target: Target {
            env: api.env().to_owned(),
            base_url: request.base_url.to_owned(),
            clinic_id: clinic.id,
            clinic_name: clinic.name,
            country: clinic.country,
            principal: me.name,
        },
        inputs: request.inputs,
    }))
}

/// An ambiguous record the person merged into one of its candidates, matched against that
/// candidate (classification and diffs); any other record as it is.
/// The person's "same record" decisions about clients of the files, checked against the
/// files: a client is only merged into one that is there and imported.
struct SameClients<'a> {
    /// Owned keys: the scan's records move into the plan while this is in use.
    into: FxHashMap<String, &'a str>,
    /// The pets the kept clients bring, by owner and folded name (only when some client is
    /// merged into another: nothing moves otherwise).
    kept_pets: rustc_hash::FxHashSet<(String, String)>,
    decisions: &'a Decisions,
}

impl<'a> SameClients<'a> {
    fn new(scan: &Scan, decisions: &'a Decisions) -> Self {
        let ids: rustc_hash::FxHashSet<&str> = scan
            .clients
            .iter()
            .map(|c| c.external_id.as_str())
            .collect();
        let into: FxHashMap<String, &'a str> = scan
            .clients
            .iter()
            .filter_map(|c| {
                let other = decisions.same_as(Entity::Client, &c.external_id)?;
                (ids.contains(other) && other != c.external_id)
                    .then(|| (c.external_id.clone(), other))
            })
            .collect();
        let kept_pets = if into.is_empty() {
            rustc_hash::FxHashSet::default()
        } else {
            scan.patients
                .iter()
                .filter(|p| !into.contains_key(p.client_external_id.as_str()))
                .map(|p| {
                    (
                        p.client_external_id.clone(),
                        crate::dedupe::normalize::fold(&p.name),
                    )
                })
                .collect()
        };
        SameClients {
            into,
            kept_pets,
            decisions,
        }
    }

    /// The client `external_id` is imported as, when it is another's duplicate.
    fn of(&self, external_id: &str) -> Option<&'a str> {
        self.into.get(external_id).copied()
    }

    /// Why the pet is not imported as a pet of its own: the person said it is another pet of
    /// the files, or it `moved` from a duplicate owner to one that has a pet of its name.
    fn same_pet(&self, p: &PatientRecord, moved: bool) -> Option<String> {
        if let Some(other) = self.decisions.same_as(Entity::Patient, &p.external_id) {
            if other != p.external_id {
                return Some(format!("the same pet as pet {other} of the files"));
            }
        }
        let name = crate::dedupe::normalize::fold(&p.name);
        let from_duplicate = moved
            && !name.is_empty()
            && self
                .kept_pets
                .contains(&(p.client_external_id.clone(), name))
            && self
                .decisions
                .for_record(Entity::Patient, &p.external_id)
                .is_none();
        from_duplicate.then(|| {
            format!(
                "client {} already has a pet of this name in the files (its owner was the same person)",
                p.client_external_id
            )
        })
    }
}

/// The PH records a person needs to see for `m`: the one it matches when the file would
/// change it, or every candidate of an ambiguous match; none for new and identical records.
fn ph_ids(m: &RecordMatch) -> impl Iterator<Item = &str> {
    let shown = matches!(
        m.classification,
        Classification::Update | Classification::Conflict | Classification::Ambiguous
    );
    let ids: Vec<&str> = if !shown {
        vec![]
    } else if m.classification == Classification::Ambiguous {
        m.candidates.iter().map(String::as_str).collect()
    } else {
        m.ph_id.as_deref().into_iter().collect()
    };
    ids.into_iter()
}

fn rematch_chosen(
    m: RecordMatch,
    decisions: &Decisions,
    diff_with: impl Fn(&str) -> Option<Vec<FieldDiff>>,
) -> RecordMatch {
    if m.classification != Classification::Ambiguous {
        return m;
    }
    let Outcome::Unchanged { ph_id } = resolve(&m, decisions) else {
        return m;
    };
    let Some(d) = diff_with(&ph_id) else {
        return m;
    };
    let mut chosen = m;
    chosen.classification = classification(&d);
    chosen.diffs = d;
    chosen.ph_id = Some(ph_id.clone());
    chosen.candidates.clear();
    chosen
        .reasons
        .push(format!("merged into PH record {ph_id} by decision"));
    chosen
}

fn op_of(outcome: Outcome, m: &RecordMatch) -> Op {
    match outcome {
        Outcome::Create => Op::Create,
        Outcome::Update { ph_id, set } => Op::Update { ph_id, set },
        Outcome::Unchanged { ph_id } => Op::Unchanged { ph_id },
        Outcome::Skip => Op::Skip {
            reason: "skipped by decision".to_owned(),
        },
        Outcome::Undecided => Op::Undecided {
            candidates: m.candidates.clone(),
        },
    }
}

impl Plan {
    /// Reads a plan saved with [`Plan::save`].
    pub fn load(path: &Path) -> Result<Plan, ImportError> {
        let text = std::fs::read_to_string(path).map_err(|e| ImportError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let plan: Plan = serde_json::from_str(&text).map_err(|e| ImportError::BadPlan {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if plan.format != PLAN_FORMAT {
            return Err(ImportError::BadPlan {
                path: path.display().to_string(),
                reason: format!(
                    "it is plan format {}, and this version reads format {PLAN_FORMAT}",
                    plan.format
                ),
            });
        }
        Ok(plan)
    }

    /// Writes the plan as JSON, readable by the user only, replacing the file in one step.
    pub fn save(&self, path: &Path) -> Result<(), ImportError> {
        let io = |e: std::io::Error| ImportError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let tmp = path.with_extension("json.partial");
        {
            let file = crate::private_file::create(&tmp, crate::private_file::Overwrite::Replace)?;
            let mut w = std::io::BufWriter::new(file);
            serde_json::to_writer_pretty(&mut w, self).map_err(|e| io(std::io::Error::other(e)))?;
            std::io::Write::flush(&mut w).map_err(io)?;
            w.get_ref().sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// The table label of an origin.
    pub fn file_of(&self, origin: Origin) -> &str {
        self.tables
            .get(origin.table)
            .map(|t| t.label.as_str())
            .unwrap_or("")
    }

    /// How many records wait for a decision.
    pub fn undecided(&self) -> u64 {
        self.summary.clients.undecided + self.summary.patients.undecided
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            env: "sandbox".into(),
            base_url: "http://127.0.0.1:1".into(),
            clinic_id: "c1".into(),
            clinic_name: "Clinic One".into(),
            country: "US".into(),
            principal: "tester".into(),
        }
    }

    fn ph_client(id: &str, at: &str) -> Client {
        let t = DateTime::parse_from_rfc3339(at)
            .unwrap()
            .with_timezone(&Utc);
        Client {
            id: id.into(),
            clinic_id: "c1".into(),
            external_id: Some(format!("X{id}")),
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            email: None,
            phone: None,
            phone_alt: None,
            address1: None,
            address2: None,
            city: None,
            state: None,
            postal_code: None,
            country: Some("US".into()),
            active: true,
            created_by_import_run: None,
            import_run_id: None,
            created_at: t,
            updated_at: t,
            patients: Vec::new(),
        }
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1203), "1,203");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn the_snapshot_changes_with_any_record_change_and_only_then() {
        let a = vec![
            ph_client("1", "2026-11-01T10:00:00Z"),
            ph_client("2", "2026-11-02T10:00:00Z"),
        ];
        let same = Snapshot::of(&a);
        assert_eq!(
            same,
            Snapshot::of(&a.iter().rev().cloned().collect::<Vec<_>>())
        );
        assert_eq!(same.clients, 2);
        let mut b = a.clone();
        b[1].updated_at += chrono::Duration::milliseconds(1);
        assert_ne!(Snapshot::of(&b).digest, same.digest);
        let mut c = a.clone();
        c.pop();
        assert_ne!(Snapshot::of(&c).digest, same.digest);
    }

    #[test]
    fn an_empty_import_plans_nothing_and_saves_and_loads_exactly() {
        let scan = Scan::default();
        let ph = vec![ph_client("1", "2026-11-01T10:00:00Z")];
        let plan = build(PlanInput {
            scan: std::borrow::Cow::Borrowed(&scan),
            tables: &[],
            ph: &ph,
            decisions: Decisions::default(),
            target: target(),
            inputs: Vec::new(),
        });
        assert_eq!(plan.format, PLAN_FORMAT);
        assert_eq!(plan.snapshot.clients, 1);
        assert_eq!(plan.undecided(), 0);
        assert!(
            plan.summary
                .text
                .starts_with("Will create 0 clients and 0 patients"),
            "{}",
            plan.summary.text
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        plan.save(&path).unwrap();
        assert_eq!(Plan::load(&path).unwrap(), plan);
        // A file of another format is refused with a way out.
        let mut other: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        other["format"] = 99.into();
        std::fs::write(&path, other.to_string()).unwrap();
        let err = Plan::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("format 99") && err.contains("ph-import plan"),
            "{err}"
        );
    }
}
