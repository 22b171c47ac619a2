//! The records of a plan that match PH records and may need a person: updates, conflicts
//! and ambiguous matches, with the file's values beside each PH record's, and the person's
//! decisions about them (merge with a field policy, keep both, skip), one by one or for every
//! record a filter shows. What the app's Duplicates screen lists and changes.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{ClientRecord, Entity, Field, PatientRecord};
use crate::dedupe::classify::{same_value, Classification, MatchedBy};
use crate::dedupe::resolve::{Decision, DecisionAction, Decisions, FieldPolicy};
use crate::dedupe::{DuplicateGroup, DuplicateKind};
use rustc_hash::FxHashMap;

use super::plan::{Op, Origin, Plan};

/// A PH record as the plan keeps it for comparing: its id and its non-empty values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhRecord {
    /// PH's id.
    pub id: String,
    /// Its canonical values, empty fields left out.
    pub values: Vec<(Field, String)>,
}

impl PhRecord {
    /// A PH client in canonical form.
    pub fn client(id: &str, r: &ClientRecord) -> PhRecord {
        Self::of(id, Entity::Client, |f| r.get(f))
    }

    /// A PH pet in canonical form.
    pub fn patient(id: &str, r: &PatientRecord) -> PhRecord {
        Self::of(id, Entity::Patient, |f| r.get(f))
    }

    fn of<'a>(id: &str, entity: Entity, get: impl Fn(Field) -> &'a str) -> PhRecord {
        PhRecord {
            id: id.to_owned(),
            values: Field::of(entity)
                .filter(|&f| !get(f).is_empty())
                .map(|f| (f, get(f).to_owned()))
                .collect(),
        }
    }

    /// The value of `field` (empty when PH has none).
    pub fn get(&self, field: Field) -> &str {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// Which matched records to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MatchFilter {
    /// Clients or pets only.
    #[serde(default)]
    pub entity: Option<Entity>,
    /// One classification only (`ambiguous` lists records that had several PH candidates,
    /// decided or not).
    #[serde(default)]
    pub classification: Option<Classification>,
    /// Only records without a decision of the person's.
    #[serde(default)]
    pub undecided_only: bool,
    /// Text the record's name or ID contains (any case).
    #[serde(default)]
    pub search: String,
}

/// One field of a matched record: the file's value and each PH record's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldCompare {
    /// The canonical field.
    pub field: Field,
    /// The file's value.
    pub file: String,
    /// Each PH record's value, in the order of [`MatchRow::ph_ids`].
    pub ph: Vec<String>,
    /// Whether each PH value differs from the file's (a file value left empty never does).
    pub differs: Vec<bool>,
    /// Whether the plan writes the file's value onto PH.
    pub written: bool,
}

/// A record of the files that matches one or more PH records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MatchRow {
    /// Client or pet.
    pub entity: Entity,
    /// Its ID in the file.
    pub external_id: String,
    /// Its name as a person reads it.
    pub label: String,
    /// For a pet, its owner's ID in the file.
    pub owner: String,
    /// The file (and sheet) it is in.
    pub file: String,
    /// Where it is in the files.
    pub origin: Origin,
    /// How it matched: `ambiguous` when several PH records may be it.
    pub classification: Classification,
    /// How it was matched.
    pub matched_by: Option<MatchedBy>,
    /// Why it matched, and what decided the operation.
    pub reasons: Vec<String>,
    /// The PH records compared, the one it is merged into first.
    pub ph_ids: Vec<String>,
    /// The fields either side has: disagreements first, then blanks the file fills.
    pub fields: Vec<FieldCompare>,
    /// What the plan does with it.
    pub op: Op,
    /// The person's decision the plan was made with, if any.
    pub decision: Option<Decision>,
}

/// How many matched records of each classification a plan has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MatchCounts {
    /// PH has the record; the file fills blanks.
    #[ts(type = "number")]
    pub update: u64,
    /// PH has the record; PH and the file disagree.
    #[ts(type = "number")]
    pub conflict: u64,
    /// Several PH records may be the record.
    #[ts(type = "number")]
    pub ambiguous: u64,
    /// Ambiguous records nobody has chosen for yet (the import waits for them).
    #[ts(type = "number")]
    pub undecided: u64,
    /// Records with a decision of the person's.
    #[ts(type = "number")]
    pub decided: u64,
}

/// A page of a plan's matched records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MatchPage {
    /// Matched records the filter lists, in all.
    #[ts(type = "number")]
    pub total: u64,
    /// Matched clients by classification, whatever the filter.
    pub clients: MatchCounts,
    /// Matched pets by classification, whatever the filter.
    pub patients: MatchCounts,
    /// The records of this page.
    pub rows: Vec<MatchRow>,
}

/// What a person decides for a matched record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Choice {
    /// Merge, writing the file's values only where PH's are empty (the default).
    FillBlanks,
    /// Merge, writing every value of the file that differs.
    TakeFile,
    /// Merge, writing nothing: PH stays as it is.
    KeepPh,
    /// Create the file's record beside the PH one.
    KeepBoth,
    /// Leave it out of the import.
    Skip,
    /// Forget the person's decision: the import's default applies.
    Reset,
}

/// One matched record of the plan, borrowed.
struct Matched<'a> {
    entity: Entity,
    external_id: &'a str,
    owner: &'a str,
    origin: Origin,
    classification: Classification,
    matched_by: Option<MatchedBy>,
    reasons: &'a [String],
    ph: &'a [PhRecord],
    op: &'a Op,
    get: Box<dyn Fn(Field) -> &'a str + 'a>,
}

impl Matched<'_> {
    /// `ambiguous` when it had several candidates, whatever was decided since.
    fn shown_class(&self) -> Classification {
        if self.ph.len() > 1 {
            Classification::Ambiguous
        } else {
            self.classification
        }
    }

    fn label(&self) -> String {
        match self.entity {
            Entity::Client => {
                let name = format!(
                    "{} {}",
                    (self.get)(Field::ClientFirstName),
                    (self.get)(Field::ClientLastName)
                );
                name.trim().to_owned()
            }
            Entity::Patient => (self.get)(Field::PatientName).to_owned(),
        }
    }

    fn lists(&self, filter: &MatchFilter, decisions: &Decisions) -> bool {
        if filter.entity.is_some_and(|e| e != self.entity) {
            return false;
        }
        if filter
            .classification
            .is_some_and(|c| c != self.shown_class())
        {
            return false;
        }
        if filter.undecided_only
            && decisions
                .for_record(self.entity, self.external_id)
                .is_some()
        {
            return false;
        }
        let search = filter.search.trim().to_lowercase();
        search.is_empty()
            || self.external_id.to_lowercase().contains(&search)
            || self.label().to_lowercase().contains(&search)
    }

    fn row(&self, plan: &Plan) -> MatchRow {
        // The PH record merged into comes first, so the first column is what the plan writes to.
        let mut ph: Vec<&PhRecord> = self.ph.iter().collect();
        if let Some(id) = self.op.ph_id() {
            ph.sort_by_key(|r| r.id != id);
        }
        let written: Vec<Field> = match self.op {
            Op::Update { set, .. } => set.iter().map(|d| d.field).collect(),
            _ => vec![],
        };
        let mut fields: Vec<FieldCompare> = Field::of(self.entity)
            .filter_map(|f| {
                let file = (self.get)(f);
                let values: Vec<String> = ph.iter().map(|r| r.get(f).to_owned()).collect();
                if file.is_empty() && values.iter().all(String::is_empty) {
                    return None;
                }
                let compared = !is_id(f);
                let differs = values
                    .iter()
                    .map(|v| compared && !file.is_empty() && !same_value(f, file, v))
                    .collect();
                Some(FieldCompare {
                    field: f,
                    file: file.to_owned(),
                    ph: values,
                    differs,
                    written: written.contains(&f),
                })
            })
            .collect();
        // Disagreements first, then blanks the file fills, then the rest, each in field
        // order (a stable sort keeps it).
        fields.sort_by_key(|c| {
            let differs = |blank: bool| {
                c.differs
                    .iter()
                    .zip(&c.ph)
                    .any(|(&d, v)| d && v.is_empty() == blank)
            };
            if differs(false) {
                0
            } else if differs(true) {
                1
            } else {
                2
            }
        });
        MatchRow {
            entity: self.entity,
            external_id: self.external_id.to_owned(),
            label: self.label(),
            owner: self.owner.to_owned(),
            file: plan.file_of(self.origin).to_owned(),
            origin: self.origin,
            classification: self.shown_class(),
            matched_by: self.matched_by,
            reasons: self.reasons.to_vec(),
            ph_ids: ph.iter().map(|r| r.id.clone()).collect(),
            fields,
            op: self.op.clone(),
            decision: plan
                .decisions
                .for_record(self.entity, self.external_id)
                .cloned(),
        }
    }
}

/// Whether `field` is an ID: IDs are how records match, never written onto PH and never a
/// difference to show (as in `classify::diffs`).
fn is_id(field: Field) -> bool {
    matches!(
        field,
        Field::ClientExternalId | Field::PatientExternalId | Field::PatientClientExternalId
    )
}

/// The plan's matched records, clients first, in file order.
fn matched(plan: &Plan) -> Vec<Matched<'_>> {
    let clients = plan
        .clients
        .iter()
        .filter(|s| !s.ph.is_empty())
        .map(|s| Matched {
            entity: Entity::Client,
            external_id: &s.record.external_id,
            owner: "",
            origin: s.origin,
            classification: s.classification,
            matched_by: s.matched_by,
            reasons: &s.reasons,
            ph: &s.ph,
            op: &s.op,
            get: Box::new(move |f| s.record.get(f)),
        });
    let patients = plan
        .patients
        .iter()
        .filter(|s| !s.ph.is_empty())
        .map(|s| Matched {
            entity: Entity::Patient,
            external_id: &s.record.external_id,
            owner: &s.record.client_external_id,
            origin: s.origin,
            classification: s.classification,
            matched_by: s.matched_by,
            reasons: &s.reasons,
            ph: &s.ph,
            op: &s.op,
            get: Box::new(move |f| s.record.get(f)),
        });
    clients.chain(patients).collect()
}

/// The matched records `filter` lists, from `offset`, at most `limit`, with the plan's
/// counts. `decisions` are the person's current ones (for `undecided_only`).
pub fn page(
    plan: &Plan,
    decisions: &Decisions,
    filter: &MatchFilter,
    offset: usize,
    limit: usize,
) -> MatchPage {
    let all = matched(plan);
    let mut clients = MatchCounts::default();
    let mut patients = MatchCounts::default();
    for m in &all {
        let counts = match m.entity {
            Entity::Client => &mut clients,
            Entity::Patient => &mut patients,
        };
        match m.shown_class() {
            Classification::Update => counts.update += 1,
            Classification::Conflict => counts.conflict += 1,
            Classification::Ambiguous => counts.ambiguous += 1,
            Classification::New | Classification::Identical => {}
        }
        if matches!(m.op, Op::Undecided { .. }) {
            counts.undecided += 1;
        }
        if decisions.for_record(m.entity, m.external_id).is_some() {
            counts.decided += 1;
        }
    }
    let listed: Vec<&Matched> = all.iter().filter(|m| m.lists(filter, decisions)).collect();
    MatchPage {
        total: listed.len() as u64,
        clients,
        patients,
        rows: listed
            .iter()
            .skip(offset)
            .take(limit)
            .map(|m| m.row(plan))
            .collect(),
    }
}

/// `decisions` with `choice` made for the record `external_id`; `ph_id` names the PH
/// record to merge into (needed for an ambiguous record, else the matched one is used).
pub fn decide(
    mut decisions: Decisions,
    entity: Entity,
    external_id: &str,
    choice: Choice,
    ph_id: Option<String>,
) -> Decisions {
    decisions
        .records
        .retain(|d| !(d.entity == entity && d.external_id == external_id));
    let (action, policy) = match choice {
        Choice::Reset => return decisions,
        Choice::KeepBoth => (DecisionAction::KeepBoth, None),
        Choice::Skip => (DecisionAction::Skip, None),
        Choice::FillBlanks => (DecisionAction::Merge, Some(FieldPolicy::FillBlanks)),
        Choice::TakeFile => (DecisionAction::Merge, Some(FieldPolicy::TakeFile)),
        Choice::KeepPh => (DecisionAction::Merge, Some(FieldPolicy::KeepPh)),
    };
    decisions.records.push(Decision {
        entity,
        external_id: external_id.to_owned(),
        action,
        ph_id,
        fields: policy
            .map(|p| Field::of(entity).map(|f| (f, p)).collect())
            .unwrap_or_default(),
    });
    decisions
}

/// What deciding for every record a filter lists did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BulkDecision {
    /// The decisions, changed.
    pub decisions: Decisions,
    /// Records decided.
    #[ts(type = "number")]
    pub decided: u64,
    /// Records left as they were: ambiguous ones (merging needs a person to choose the PH
    /// record, one by one), or groups that cannot be one record (households).
    #[ts(type = "number")]
    pub left: u64,
}

/// `decisions` with `choice` made for every matched record `filter` lists. An ambiguous
/// record is merged only into the PH record already chosen for it; one nobody chose is left.
pub fn decide_all(
    plan: &Plan,
    mut decisions: Decisions,
    filter: &MatchFilter,
    choice: Choice,
) -> BulkDecision {
    let (mut decided, mut left) = (0, 0);
    let merges = matches!(
        choice,
        Choice::FillBlanks | Choice::TakeFile | Choice::KeepPh
    );
    let listed: Vec<(Entity, String, Option<String>, bool)> = matched(plan)
        .iter()
        .filter(|m| m.lists(filter, &decisions))
        .map(|m| {
            let chosen = decisions
                .for_record(m.entity, m.external_id)
                .and_then(|d| d.ph_id.clone());
            (m.entity, m.external_id.to_owned(), chosen, m.ph.len() > 1)
        })
        .collect();
    for (entity, id, chosen, ambiguous) in listed {
        if merges && ambiguous && chosen.is_none() {
            left += 1;
            continue;
        }
        decisions = decide(decisions, entity, &id, choice, chosen);
        decided += 1;
    }
    BulkDecision {
        decisions,
        decided,
        left,
    }
}

/// Which duplicate groups of the files to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupFilter {
    /// Clients or pets only.
    #[serde(default)]
    pub entity: Option<Entity>,
    /// One kind only.
    #[serde(default)]
    pub kind: Option<DuplicateKind>,
    /// Text a member's name or ID contains (any case).
    #[serde(default)]
    pub search: String,
}

/// One record of a duplicate group, with its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupMemberView {
    /// Its ID in the file.
    pub external_id: String,
    /// Its name as a person reads it.
    pub label: String,
    /// The file (and sheet) it is in.
    pub file: String,
    /// Its row there.
    #[ts(type = "number")]
    pub row: u64,
    /// Whether it is the record kept when the group is one record.
    pub primary: bool,
    /// Why it is in the group.
    pub reasons: Vec<String>,
    /// For a client, how many pets the files give it.
    #[ts(type = "number")]
    pub pets: u64,
    /// What the plan does with it (none for a record left out for errors).
    pub op: Option<Op>,
}

/// A duplicate group of the files as the Duplicates panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupRow {
    /// The group's number.
    pub id: u32,
    /// Why its members are grouped.
    pub kind: DuplicateKind,
    /// Clients or pets.
    pub entity: Entity,
    /// The members, the kept one first.
    pub members: Vec<GroupMemberView>,
    /// The fields any member has: per field, each member's value and whether it differs
    /// from the first member's.
    pub fields: Vec<GroupField>,
    /// Whether the person made the group one record (the first member's).
    pub one_record: bool,
    /// Whether the group can be made one record (not for households and repeated rows).
    pub can_merge: bool,
}

/// One field across a group's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupField {
    /// The canonical field.
    pub field: Field,
    /// Each member's value, in member order.
    pub values: Vec<String>,
    /// Whether each member's value differs from the first member's.
    pub differs: Vec<bool>,
}

/// A page of the files' duplicate groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupPage {
    /// Groups the filter lists, in all.
    #[ts(type = "number")]
    pub total: u64,
    /// Groups of each kind, whatever the filter.
    pub counts: GroupCounts,
    /// The groups of this page.
    pub rows: Vec<GroupRow>,
}

/// How many duplicate groups of each kind the files have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupCounts {
    /// The same ID or e-mail.
    #[ts(type = "number")]
    pub exact: u64,
    /// The same person by fuzzy evidence.
    #[ts(type = "number")]
    pub fuzzy: u64,
    /// The same person with another address or phone.
    #[ts(type = "number")]
    pub conflicting: u64,
    /// Different people at one address or contact.
    #[ts(type = "number")]
    pub household: u64,
    /// Rows repeated cell for cell (already imported once).
    #[ts(type = "number")]
    pub repeated_row: u64,
    /// Groups the person made one record.
    #[ts(type = "number")]
    pub one_record: u64,
}

/// Whether a group of `kind` is of records a person may call one (a household is several
/// people; a repeated row is imported once already).
fn mergeable(kind: DuplicateKind) -> bool {
    matches!(
        kind,
        DuplicateKind::ExactDuplicate
            | DuplicateKind::FuzzyDuplicate
            | DuplicateKind::ConflictingDuplicate
    )
}

/// The records of the plan by entity and ID: what a group member's values come from.
struct Records<'a> {
    clients: FxHashMap<&'a str, &'a super::plan::ClientStep>,
    patients: FxHashMap<&'a str, &'a super::plan::PatientStep>,
    pets: FxHashMap<&'a str, u64>,
}

impl<'a> Records<'a> {
    fn of(plan: &'a Plan) -> Self {
        let mut clients = FxHashMap::default();
        for c in &plan.clients {
            clients.entry(c.record.external_id.as_str()).or_insert(c);
        }
        let mut patients = FxHashMap::default();
        let mut pets: FxHashMap<&str, u64> = FxHashMap::default();
        for p in &plan.patients {
            patients.entry(p.record.external_id.as_str()).or_insert(p);
            *pets
                .entry(p.record.client_external_id.as_str())
                .or_default() += 1;
        }
        Records {
            clients,
            patients,
            pets,
        }
    }

    fn get(&self, entity: Entity, id: &str, field: Field) -> &'a str {
        match entity {
            Entity::Client => self.clients.get(id).map(|c| c.record.get(field)),
            Entity::Patient => self.patients.get(id).map(|p| p.record.get(field)),
        }
        .unwrap_or("")
    }

    fn op(&self, entity: Entity, id: &str) -> Option<Op> {
        match entity {
            Entity::Client => self.clients.get(id).map(|c| c.op.clone()),
            Entity::Patient => self.patients.get(id).map(|p| p.op.clone()),
        }
    }

    fn label(&self, entity: Entity, id: &str) -> String {
        match entity {
            Entity::Client => format!(
                "{} {}",
                self.get(entity, id, Field::ClientFirstName),
                self.get(entity, id, Field::ClientLastName)
            )
            .trim()
            .to_owned(),
            Entity::Patient => self.get(entity, id, Field::PatientName).to_owned(),
        }
    }
}

/// Whether the person made `g` one record (every other member the same as the first).
fn is_one_record(g: &DuplicateGroup, decisions: &Decisions) -> bool {
    let Some(first) = kept(g) else {
        return false;
    };
    g.members
        .iter()
        .filter(|m| m.external_id != first)
        .all(|m| {
            !m.external_id.is_empty() && decisions.same_as(g.entity, &m.external_id) == Some(first)
        })
        && g.members.len() > 1
}

/// The member kept when the group is one record: the primary, else the first.
fn kept(g: &DuplicateGroup) -> Option<&str> {
    g.members
        .iter()
        .find(|m| m.primary)
        .or(g.members.first())
        .map(|m| m.external_id.as_str())
        .filter(|id| !id.is_empty())
}

fn group_lists(g: &DuplicateGroup, records: &Records, filter: &GroupFilter) -> bool {
    if filter.entity.is_some_and(|e| e != g.entity) || filter.kind.is_some_and(|k| k != g.kind) {
        return false;
    }
    let search = filter.search.trim().to_lowercase();
    search.is_empty()
        || g.members.iter().any(|m| {
            m.external_id.to_lowercase().contains(&search)
                || records
                    .label(g.entity, &m.external_id)
                    .to_lowercase()
                    .contains(&search)
        })
}

fn group_row(g: &DuplicateGroup, records: &Records, decisions: &Decisions) -> GroupRow {
    let mut members: Vec<&crate::dedupe::GroupMember> = g.members.iter().collect();
    // The kept record first, so every other column reads against it.
    members.sort_by_key(|m| !m.primary);
    let ids: Vec<&str> = members.iter().map(|m| m.external_id.as_str()).collect();
    let mut fields: Vec<GroupField> = Field::of(g.entity)
        .filter_map(|f| {
            let values: Vec<String> = ids
                .iter()
                .map(|id| records.get(g.entity, id, f).to_owned())
                .collect();
            if values.iter().all(String::is_empty) {
                return None;
            }
            let first = values.first().cloned().unwrap_or_default();
            let differs = values
                .iter()
                .map(|v| {
                    !is_id(f) && !v.is_empty() && !first.is_empty() && !same_value(f, &first, v)
                })
                .collect();
            Some(GroupField {
                field: f,
                values,
                differs,
            })
        })
        .collect();
    fields.sort_by_key(|f| !f.differs.iter().any(|&d| d));
    GroupRow {
        id: g.id,
        kind: g.kind,
        entity: g.entity,
        members: members
            .iter()
            .map(|m| GroupMemberView {
                external_id: m.external_id.clone(),
                label: records.label(g.entity, &m.external_id),
                file: m.file.clone(),
                row: m.row,
                primary: m.primary,
                reasons: m.reasons.clone(),
                pets: match g.entity {
                    Entity::Client => records
                        .pets
                        .get(m.external_id.as_str())
                        .copied()
                        .unwrap_or(0),
                    Entity::Patient => 0,
                },
                op: records.op(g.entity, &m.external_id),
            })
            .collect(),
        fields,
        one_record: is_one_record(g, decisions),
        can_merge: mergeable(g.kind) && kept(g).is_some(),
    }
}

/// The files' duplicate groups `filter` lists, from `offset`, at most `limit`; `decisions`
/// are the person's current ones.
pub fn groups(
    plan: &Plan,
    decisions: &Decisions,
    filter: &GroupFilter,
    offset: usize,
    limit: usize,
) -> GroupPage {
    let records = Records::of(plan);
    let mut counts = GroupCounts::default();
    for g in &plan.groups {
        match g.kind {
            DuplicateKind::ExactDuplicate => counts.exact += 1,
            DuplicateKind::FuzzyDuplicate => counts.fuzzy += 1,
            DuplicateKind::ConflictingDuplicate => counts.conflicting += 1,
            DuplicateKind::SameHousehold => counts.household += 1,
            DuplicateKind::DuplicateRow => counts.repeated_row += 1,
        }
        if is_one_record(g, decisions) {
            counts.one_record += 1;
        }
    }
    let listed: Vec<&DuplicateGroup> = plan
        .groups
        .iter()
        .filter(|g| group_lists(g, &records, filter))
        .collect();
    GroupPage {
        total: listed.len() as u64,
        counts,
        rows: listed
            .iter()
            .skip(offset)
            .take(limit)
            .map(|g| group_row(g, &records, decisions))
            .collect(),
    }
}

/// `decisions` with the group `id` made one record (its primary member's: a client gets the
/// pets of all), or made separate records again. A household or repeated row is left as is.
pub fn decide_group(plan: &Plan, decisions: Decisions, id: u32, one_record: bool) -> Decisions {
    match plan.groups.iter().find(|g| g.id == id) {
        Some(g) => set_one_record(decisions, g, one_record),
        None => decisions,
    }
}

fn set_one_record(mut decisions: Decisions, g: &DuplicateGroup, one_record: bool) -> Decisions {
    let Some(first) = kept(g).filter(|_| mergeable(g.kind)) else {
        return decisions;
    };
    let others: Vec<&str> = g
        .members
        .iter()
        .map(|m| m.external_id.as_str())
        .filter(|id| *id != first && !id.is_empty())
        .collect();
    decisions
        .same
        .retain(|s| !(s.entity == g.entity && others.contains(&s.external_id.as_str())));
    if one_record {
        decisions
            .same
            .extend(others.iter().map(|id| crate::dedupe::resolve::SameRecord {
                entity: g.entity,
                external_id: (*id).to_owned(),
                same_as: first.to_owned(),
            }));
    }
    decisions
}

/// `decisions` with every group `filter` lists made one record, or separate records again.
pub fn decide_groups(
    plan: &Plan,
    mut decisions: Decisions,
    filter: &GroupFilter,
    one_record: bool,
) -> BulkDecision {
    let records = Records::of(plan);
    let (mut decided, mut left) = (0, 0);
    for g in plan
        .groups
        .iter()
        .filter(|g| group_lists(g, &records, filter))
    {
        if mergeable(g.kind) && kept(g).is_some() {
            decisions = set_one_record(decisions, g, one_record);
            decided += 1;
        } else {
            left += 1;
        }
    }
    BulkDecision {
        decisions,
        decided,
        left,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::plan::{build, PlanInput, Target};
    use crate::job::{RowOrigin, Scan};
    use crate::ph::types::Client;
    use chrono::Utc;

    fn ph_client(id: &str, ext: Option<&str>, first: &str, address: &str) -> Client {
        let t = Utc::now();
        Client {
            id: id.into(),
            clinic_id: "c1".into(),
            external_id: ext.map(str::to_owned),
            first_name: first.into(),
            last_name: "Lee".into(),
            email: None,
            phone: Some("+12175550143".into()),
            phone_alt: None,
            address1: Some(address.into()),
            address2: None,
            city: Some("Springfield".into()),
            state: Some("IL".into()),
            postal_code: Some("62704".into()),
            country: Some("US".into()),
            active: true,
            created_by_import_run: None,
            import_run_id: None,
            created_at: t,
            updated_at: t,
            patients: Vec::new(),
        }
    }

    fn file_client(ext: &str, first: &str, address: &str, email: &str) -> ClientRecord {
        ClientRecord {
            external_id: ext.into(),
            first_name: first.into(),
            last_name: "Lee".into(),
            phone: "+12175550143".into(),
            email: email.into(),
            address_line1: address.into(),
            city: "Springfield".into(),
            state: "IL".into(),
            postal_code: "62704".into(),
            country: "US".into(),
            ..ClientRecord::default()
        }
    }

    /// Ann (PH 1) moved; Bea is in PH twice (2 and 3, no IDs); Cy is new.
    fn make_plan(decisions: Decisions) -> Plan {
        let ph = vec![
            ph_client("1", Some("100"), "Ann", "4 Elm Rd"),
            ph_client("2", None, "Bea", "9 Oak St"),
            ph_client("3", None, "Bea", "9 Oak St"),
        ];
        let scan = Scan {
            clients: vec![
                file_client("100", "Ann", "90 Pine Ave", "ann@example.com"),
                file_client("200", "Bea", "9 Oak St", ""),
                file_client("300", "Cy", "1 New Rd", ""),
            ],
            client_rows: (0..3)
                .map(|i| RowOrigin {
                    table: 0,
                    row: i + 2,
                })
                .collect(),
            ..Scan::default()
        };
        build(PlanInput {
            scan: std::borrow::Cow::Borrowed(&scan),
            tables: &[],
            ph: &ph,
            decisions,
            target: Target {
                env: "sandbox".into(),
                base_url: "http://127.0.0.1:1".into(),
                clinic_id: "c1".into(),
                clinic_name: "Clinic One".into(),
                country: "US".into(),
                principal: "tester".into(),
            },
            inputs: vec![],
        })
    }

    #[test]
    fn matched_records_show_each_ph_record_beside_the_file_with_differences_first() {
        let plan = make_plan(Decisions::default());
        let page = page(&plan, &plan.decisions, &MatchFilter::default(), 0, 50);
        // Cy is new: not listed. Ann conflicts, Bea may be two PH clients.
        assert_eq!(page.total, 2);
        assert_eq!(page.clients.conflict, 1);
        assert_eq!(page.clients.ambiguous, 1);
        assert_eq!(page.clients.undecided, 1);
        let ann = &page.rows[0];
        assert_eq!(ann.label, "Ann Lee");
        assert_eq!(ann.classification, Classification::Conflict);
        assert_eq!(ann.ph_ids, vec!["1".to_owned()]);
        let first = &ann.fields[0];
        assert_eq!(first.field, Field::ClientAddressLine1);
        assert_eq!(
            (first.file.as_str(), first.ph[0].as_str()),
            ("90 Pine Ave", "4 Elm Rd")
        );
        assert_eq!(first.differs, vec![true]);
        // The default fills blanks: the e-mail PH lacks is written, the address is not.
        assert!(!first.written);
        let email = ann
            .fields
            .iter()
            .find(|c| c.field == Field::ClientEmail)
            .unwrap();
        assert!(email.written && email.differs == vec![true] && email.ph[0].is_empty());
        let same = ann
            .fields
            .iter()
            .find(|c| c.field == Field::ClientCity)
            .unwrap();
        assert_eq!(same.differs, vec![false]);
        // Bea has no ID in PH: IDs match records and are never written, so they never differ.
        let bea_id = &page.rows[1]
            .fields
            .iter()
            .find(|c| c.field == Field::ClientExternalId);
        assert_eq!(bea_id.map(|c| c.differs.clone()), Some(vec![false, false]));
        let bea = &page.rows[1];
        assert_eq!(bea.classification, Classification::Ambiguous);
        assert_eq!(bea.ph_ids.len(), 2);
        assert!(matches!(bea.op, Op::Undecided { .. }));
    }

    #[test]
    fn filters_list_only_what_they_name() {
        let plan = make_plan(Decisions::default());
        let only = |filter: MatchFilter| {
            page(&plan, &plan.decisions, &filter, 0, 50)
                .rows
                .into_iter()
                .map(|r| r.external_id)
                .collect::<Vec<_>>()
        };
        let ambiguous = MatchFilter {
            classification: Some(Classification::Ambiguous),
            ..MatchFilter::default()
        };
        assert_eq!(only(ambiguous), vec!["200"]);
        let search = MatchFilter {
            search: "ann".into(),
            ..MatchFilter::default()
        };
        assert_eq!(only(search), vec!["100"]);
        let pets = MatchFilter {
            entity: Some(Entity::Patient),
            ..MatchFilter::default()
        };
        assert!(only(pets).is_empty());
        assert_eq!(
            page(&plan, &plan.decisions, &MatchFilter::default(), 1, 1)
                .rows
                .len(),
            1
        );
    }

    #[test]
    fn decisions_made_here_change_the_plan_made_with_them() {
        // Take the file's address for Ann; merge Bea into PH client 3.
        let d = decide(
            Decisions::default(),
            Entity::Client,
            "100",
            Choice::TakeFile,
            None,
        );
        let d = decide(
            d,
            Entity::Client,
            "200",
            Choice::FillBlanks,
            Some("3".into()),
        );
        let plan = make_plan(d.clone());
        let rows = page(&plan, &d, &MatchFilter::default(), 0, 50).rows;
        match &rows[0].op {
            Op::Update { ph_id, set } => {
                assert_eq!(ph_id, "1");
                assert!(set.iter().any(|s| s.field == Field::ClientAddressLine1));
            }
            other => panic!("expected an update, got {other:?}"),
        }
        assert!(rows[0].fields[0].written);
        assert_eq!(rows[1].op.ph_id(), Some("3"));
        // The PH record merged into comes first; the other candidate stays beside it.
        assert_eq!(rows[1].ph_ids, vec!["3".to_owned(), "2".to_owned()]);
        assert_eq!(rows[1].classification, Classification::Ambiguous);
        assert_eq!(plan.undecided(), 0);
        // Reset forgets a decision; a second decision replaces the first.
        let d = decide(d, Entity::Client, "100", Choice::Skip, None);
        assert_eq!(d.records.len(), 2);
        let d = decide(d, Entity::Client, "100", Choice::Reset, None);
        assert_eq!(d.records.len(), 1);
    }

    #[test]
    fn deciding_for_all_leaves_an_ambiguous_record_nobody_chose_for() {
        let plan = make_plan(Decisions::default());
        let all = decide_all(
            &plan,
            Decisions::default(),
            &MatchFilter::default(),
            Choice::KeepPh,
        );
        assert_eq!((all.decided, all.left), (1, 1));
        let plan = make_plan(all.decisions.clone());
        assert!(matches!(plan.clients[0].op, Op::Unchanged { .. }));
        let skip = decide_all(&plan, all.decisions, &MatchFilter::default(), Choice::Skip);
        assert_eq!((skip.decided, skip.left), (2, 0));
        let plan = make_plan(skip.decisions);
        assert_eq!(plan.undecided(), 0);
        assert!(plan.clients[..2]
            .iter()
            .all(|c| matches!(c.op, Op::Skip { .. })));
        // Undecided-only lists what is left without a decision.
        let filter = MatchFilter {
            undecided_only: true,
            ..MatchFilter::default()
        };
        assert_eq!(page(&plan, &plan.decisions, &filter, 0, 50).total, 0);
    }

    fn member(id: &str, row: u64, primary: bool) -> crate::dedupe::GroupMember {
        crate::dedupe::GroupMember {
            external_id: id.into(),
            file: "clients.csv".into(),
            row,
            primary,
            score: 0.9,
            reasons: vec!["same phone".into()],
        }
    }

    fn pet(id: &str, owner: &str, name: &str) -> PatientRecord {
        PatientRecord {
            external_id: id.into(),
            client_external_id: owner.into(),
            name: name.into(),
            species: "dog".into(),
            ..PatientRecord::default()
        }
    }

    /// Cy is in the files twice (300 and 301, a fuzzy duplicate); Dee and Cy share a household.
    fn plan_with_groups(decisions: Decisions) -> Plan {
        let scan = Scan {
            clients: vec![
                file_client("300", "Cy", "1 New Rd", ""),
                file_client("301", "Cyrus", "1 New Rd", ""),
                file_client("302", "Dee", "1 New Rd", ""),
            ],
            client_rows: (0..3)
                .map(|i| RowOrigin {
                    table: 0,
                    row: i + 2,
                })
                .collect(),
            patients: vec![
                pet("P1", "300", "Rex"),
                pet("P2", "301", "REX"),
                pet("P3", "301", "Tom"),
                pet("P4", "302", "Rex"),
            ],
            patient_rows: (0..4)
                .map(|i| RowOrigin {
                    table: 0,
                    row: i + 2,
                })
                .collect(),
            groups: vec![
                DuplicateGroup {
                    id: 1,
                    kind: DuplicateKind::FuzzyDuplicate,
                    entity: Entity::Client,
                    members: vec![member("300", 2, true), member("301", 3, false)],
                },
                DuplicateGroup {
                    id: 2,
                    kind: DuplicateKind::SameHousehold,
                    entity: Entity::Client,
                    members: vec![member("300", 2, true), member("302", 4, true)],
                },
            ],
            ..Scan::default()
        };
        build(PlanInput {
            scan: std::borrow::Cow::Borrowed(&scan),
            tables: &[],
            ph: &[],
            decisions,
            target: Target {
                env: "sandbox".into(),
                base_url: "http://127.0.0.1:1".into(),
                clinic_id: "c1".into(),
                clinic_name: "Clinic One".into(),
                country: "US".into(),
                principal: "tester".into(),
            },
            inputs: vec![],
        })
    }

    #[test]
    fn a_group_of_the_files_shows_its_members_side_by_side() {
        let plan = plan_with_groups(Decisions::default());
        let page = groups(&plan, &plan.decisions, &GroupFilter::default(), 0, 10);
        assert_eq!(page.total, 2);
        assert_eq!((page.counts.fuzzy, page.counts.household), (1, 1));
        let cy = &page.rows[0];
        assert!(cy.can_merge && !cy.one_record);
        assert_eq!(cy.members[0].external_id, "300");
        assert_eq!((cy.members[0].pets, cy.members[1].pets), (1, 2));
        assert_eq!(cy.fields[0].field, Field::ClientFirstName);
        assert_eq!(
            cy.fields[0].values,
            vec!["Cy".to_owned(), "Cyrus".to_owned()]
        );
        assert_eq!(cy.fields[0].differs, vec![false, true]);
        assert!(!page.rows[1].can_merge, "a household is never one record");
        // By default both are imported, each with its pets.
        assert!(plan.clients.iter().all(|c| c.op == Op::Create));
    }

    #[test]
    fn a_group_made_one_record_imports_one_client_with_the_pets_of_both() {
        let plan = plan_with_groups(Decisions::default());
        let d = decide_group(&plan, Decisions::default(), 1, true);
        assert_eq!(
            decide_group(&plan, d.clone(), 2, true),
            d,
            "a household was merged"
        );
        let plan = plan_with_groups(d.clone());
        let op = |id: &str| {
            plan.clients
                .iter()
                .find(|c| c.record.external_id == id)
                .map(|c| c.op.clone())
                .unwrap()
        };
        assert_eq!(op("300"), Op::Create);
        assert!(
            matches!(op("301"), Op::Skip { reason } if reason.contains("same person as client 300"))
        );
        assert_eq!(op("302"), Op::Create);
        let pet = |id: &str| {
            plan.patients
                .iter()
                .find(|p| p.record.external_id == id)
                .unwrap()
        };
        // Tom moves to Cy; Cy's second Rex is the Rex Cy has; Dee's Rex is Dee's own.
        assert_eq!(pet("P3").op, Op::Create);
        assert_eq!(pet("P3").record.client_external_id, "300");
        assert_eq!(
            pet("P3").owner,
            super::super::plan::Owner::Planned { step: 0 }
        );
        assert!(
            matches!(&pet("P2").op, Op::Skip { reason } if reason.contains("pet of this name"))
        );
        assert_eq!(pet("P1").op, Op::Create);
        assert_eq!(pet("P4").op, Op::Create);
        let page = groups(&plan, &d, &GroupFilter::default(), 0, 10);
        assert!(page.rows[0].one_record);
        assert_eq!(page.counts.one_record, 1);
        // Undone, both are imported again.
        let d = decide_group(&plan, d, 1, false);
        assert!(d.same.is_empty());
        let all = decide_groups(&plan, d, &GroupFilter::default(), true);
        assert_eq!((all.decided, all.left), (1, 1));
    }
}
