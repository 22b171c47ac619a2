//! The review session: every canonical client and patient of a conversion with its
//! findings, in memory, to page through, filter, fix and exclude.
//!
//! A million-row export gives up to two million records, so each is kept compactly: its
//! values in one string, its findings (most records have none) in a boxed slice with the
//! code interned. A changed record keeps its converted original beside it, because a new
//! change is applied to the original with all of the record's changes, exactly as
//! `convert --edits` will apply them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{
    ClientRecord, CodeCount, Entity, Field, Finding, PatientRecord, RequiredPolicy, Severity,
};
use crate::mapping::{Mapping, TableRole};
use crate::validate::Context;

use super::edits::{Change, Edits, RecordRef};
use super::pipeline::id_hash;
use super::revalidate::{editable, revalidate, Checks, Record, TableRules};
use crate::mapping::row::{RowOutput, RunError, TableTallies, TableTally};
use crate::read::Progress;

/// Separates the values of a stored record (a control character no export cell needs).
const SEP: char = '\u{1f}';

/// Which records a page shows. Finding conditions apply to one finding together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Filter {
    /// Only records with a finding of this code.
    #[ts(optional)]
    pub code: Option<String>,
    /// Only records with a finding of this severity.
    #[ts(optional)]
    pub severity: Option<Severity>,
    /// Only records with a finding on this field.
    #[ts(optional)]
    pub field: Option<Field>,
    /// Only records with any finding.
    #[serde(default)]
    pub only_with_findings: bool,
}

/// A finding as the review grid shows it on its cell (or on the row when `field` is absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReviewFinding {
    /// The field, when the finding is about one.
    pub field: Option<Field>,
    /// Stable code.
    pub code: String,
    /// How bad it is.
    pub severity: Severity,
    /// What it means, for people.
    pub message: String,
    /// The value involved (before the fix, for `fixed`).
    pub value: String,
    /// The suggested value, when there is one.
    pub suggestion: String,
    /// The cell(s) as written in the file, when `value` is what they were read as; else empty.
    pub source: String,
}

/// One record of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReviewRow {
    /// The record's id in this session (stable while it lasts).
    pub id: u32,
    /// The source file (or `file [sheet]`).
    pub file: String,
    /// The row number a person sees in the spreadsheet.
    #[ts(type = "number")]
    pub row: u64,
    /// Left out of the canonical files by the person.
    pub excluded: bool,
    /// A pet left out because its owner was.
    pub owner_excluded: bool,
    /// The fields the person changed.
    pub changed: Vec<Field>,
    /// The values, in the canonical file's column order.
    pub cells: Vec<String>,
    /// The record's findings.
    pub findings: Vec<ReviewFinding>,
}

/// A window of the records matching a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Page {
    /// How many records match the filter.
    pub total: u32,
    /// The first record's position among them.
    pub offset: u32,
    /// The records.
    pub rows: Vec<ReviewRow>,
}

/// Findings of one code and severity, by entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CodeTally {
    /// The code.
    pub code: String,
    /// Its severity.
    pub severity: Severity,
    /// Findings on clients.
    pub clients: u32,
    /// Findings on patients.
    pub patients: u32,
}

/// Findings on one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldTally {
    /// The field.
    pub field: Field,
    /// How many findings.
    pub count: u32,
}

/// The counts of a review, over the records that will be written (not the excluded ones).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Summary {
    /// Clients converted.
    pub clients: u32,
    /// Patients converted.
    pub patients: u32,
    /// Clients excluded.
    pub excluded_clients: u32,
    /// Patients excluded (with their owner or on their own).
    pub excluded_patients: u32,
    /// Clients with an error: they will not be imported.
    pub clients_with_errors: u32,
    /// Patients with an error: they will not be imported.
    pub patients_with_errors: u32,
    /// Error findings.
    pub errors: u32,
    /// Warning findings.
    pub warnings: u32,
    /// Fixed findings.
    pub fixed: u32,
    /// Findings by code, most common first.
    pub by_code: Vec<CodeTally>,
    /// Findings by field, most common first.
    pub by_field: Vec<FieldTally>,
    /// Findings of rows that gave no record (duplicate rows, rows with no owner), by code.
    pub unattached: Vec<CodeCount>,
    /// Findings about a whole table (row 0), in full: each says what to change and where.
    pub notices: Vec<Finding>,
    /// Values changed by the person.
    pub changes: u32,
    /// Rows and records of each table, in the mapping's order (before exclusions).
    pub tables: Vec<TableTally>,
}

/// Why a review action could not be done.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The conversion failed.
    #[error(transparent)]
    Convert(#[from] RunError),
    /// No such record.
    #[error("there is no {entity:?} number {id} in this review; reload the page of records")]
    NoRecord {
        /// Client or patient.
        entity: Entity,
        /// The id asked for.
        id: u32,
    },
    /// The field cannot be changed here.
    #[error("{field} cannot be changed here: IDs link records together; correct it in the export and load it again")]
    NotEditable {
        /// The field.
        field: Field,
    },
    /// The field belongs to the other kind of record.
    #[error("{field} is not a field of a {entity:?} record")]
    WrongEntity {
        /// The field.
        field: Field,
        /// The record's kind.
        entity: Entity,
    },
}

#[derive(Debug, Clone)]
struct Stored {
    field: Option<Field>,
    code: u16,
    severity: Severity,
    /// The record's own finding (else about its row: a duplicate, a repeated owner).
    own: bool,
    message: Box<str>,
    value: Box<str>,
    suggestion: Box<str>,
    source: Box<str>,
}

#[derive(Debug, Clone)]
struct Rec {
    cells: Box<str>,
    row: u64,
    table: u16,
    excluded: bool,
    findings: Option<Box<[Stored]>>,
}

impl Rec {
    fn findings(&self) -> &[Stored] {
        self.findings.as_deref().unwrap_or(&[])
    }
}

/// A record as converted, before any change.
#[derive(Debug, Clone)]
struct Original {
    record: Record,
    findings: Vec<Finding>,
}

/// The ids of one entity's records matching one filter.
type Matches = (Entity, Filter, std::sync::Arc<Vec<u32>>);

/// Every record of one conversion with its findings, and the person's changes.
pub struct Session {
    rules: Vec<TableRules>,
    context: Context,
    policy: RequiredPolicy,
    expects_clients: bool,
    clients: Vec<Rec>,
    patients: Vec<Rec>,
    unattached: Vec<Finding>,
    codes: Vec<Box<str>>,
    code_ids: HashMap<Box<str>, u16>,
    client_ids: HashSet<u64>,
    excluded_clients: HashSet<String>,
    originals: HashMap<(Entity, u32), Original>,
    changes: BTreeMap<(Entity, u32, Field), (String, String)>,
    /// The ids matching the last filter asked for, kept while nothing changes.
    matches: Mutex<Option<Matches>>,
    /// Rows and records per table.
    tallies: TableTallies,
}

fn encode(record: &Record) -> Box<str> {
    let entity = record.entity();
    let mut s = String::new();
    for (i, f) in Field::of(entity).enumerate() {
        if i > 0 {
            s.push(SEP);
        }
        let v = record.get(f);
        if v.contains(SEP) {
            s.push_str(&v.replace(SEP, " "));
        } else {
            s.push_str(v);
        }
    }
    s.into_boxed_str()
}

fn decode(entity: Entity, cells: &str) -> Record {
    let values = cells.split(SEP);
    match entity {
        Entity::Client => {
            let mut c = ClientRecord::default();
            for (f, v) in Field::of(entity).zip(values) {
                c.set(f, v.to_string());
            }
            Record::Client(c)
        }
        Entity::Patient => {
            let mut p = PatientRecord::default();
            for (f, v) in Field::of(entity).zip(values) {
                p.set(f, v.to_string());
            }
            Record::Patient(p)
        }
    }
}

impl Session {
    /// An empty review of a conversion with `mapping`; the job's run hands it every row
    /// ([`Session::add`]), then [`Session::finish`].
    pub fn new(mapping: &Mapping, policy: RequiredPolicy) -> Session {
        Session {
            rules: TableRules::of(mapping),
            context: Context::new(&mapping.country),
            policy,
            expects_clients: mapping.tables.iter().any(|t| t.role != TableRole::Patients),
            clients: Vec::new(),
            patients: Vec::new(),
            unattached: Vec::new(),
            codes: Vec::new(),
            code_ids: HashMap::new(),
            client_ids: HashSet::new(),
            excluded_clients: HashSet::new(),
            originals: HashMap::new(),
            changes: BTreeMap::new(),
            matches: Mutex::new(None),
            tallies: TableTallies::new(mapping),
        }
    }

    /// Notes how far table `i` has been read, for the per-table tally.
    pub fn table_read(&mut self, i: usize, read: &Progress) {
        self.tallies.read(i, read);
    }

    /// The review with every row added, its memory trimmed.
    pub fn finish(mut self) -> Session {
        self.clients.shrink_to_fit();
        self.patients.shrink_to_fit();
        self
    }

    fn intern(&mut self, code: &str) -> u16 {
        if let Some(&id) = self.code_ids.get(code) {
            return id;
        }
        let id = u16::try_from(self.codes.len()).unwrap_or(u16::MAX);
        self.codes.push(code.into());
        self.code_ids.insert(code.into(), id);
        id
    }

    fn store(&mut self, f: &Finding, own: bool) -> Stored {
        Stored {
            field: Field::from_key(&f.field),
            code: self.intern(&f.code),
            severity: f.severity,
            own,
            message: f.message.as_str().into(),
            value: f.value.as_str().into(),
            suggestion: f.suggestion.as_str().into(),
            source: f.source.as_str().into(),
        }
    }

    fn stored_list(&mut self, own: &[Finding], rest: &[Finding]) -> Option<Box<[Stored]>> {
        let mut list = Vec::with_capacity(own.len() + rest.len());
        for f in own {
            list.push(self.store(f, true));
        }
        for f in rest {
            list.push(self.store(f, false));
        }
        (!list.is_empty()).then(|| list.into_boxed_slice())
    }

    /// Keeps one converted row's records and findings.
    pub fn add(&mut self, out: RowOutput) {
        self.tallies.row(&out);
        let (cf, pf, rest) = out.split_findings();
        let table = u16::try_from(out.table).unwrap_or(u16::MAX);
        // Findings about the row go with its pet, else its client, else stand alone.
        let (client_rest, patient_rest, alone): (&[Finding], &[Finding], &[Finding]) =
            match (&out.client, &out.patient) {
                (_, Some(_)) => (&[], &rest, &[]),
                (Some(_), None) => (&rest, &[], &[]),
                (None, None) => (&[], &[], &rest),
            };
        self.unattached.extend_from_slice(alone);
        if let Some(c) = out.client {
            self.client_ids.insert(id_hash(&c.external_id));
            let findings = self.stored_list(&cf, client_rest);
            self.clients.push(Rec {
                cells: encode(&Record::Client(c)),
                row: out.row,
                table,
                excluded: false,
                findings,
            });
        }
        if let Some(p) = out.patient {
            let findings = self.stored_list(&pf, patient_rest);
            self.patients.push(Rec {
                cells: encode(&Record::Patient(p)),
                row: out.row,
                table,
                excluded: false,
                findings,
            });
        }
    }

    fn records(&self, entity: Entity) -> &Vec<Rec> {
        match entity {
            Entity::Client => &self.clients,
            Entity::Patient => &self.patients,
        }
    }

    fn records_mut(&mut self, entity: Entity) -> &mut Vec<Rec> {
        match entity {
            Entity::Client => &mut self.clients,
            Entity::Patient => &mut self.patients,
        }
    }

    fn label(&self, table: u16) -> &str {
        self.rules.get(usize::from(table)).map_or("", |r| r.label())
    }

    fn owner_excluded(&self, entity: Entity, rec: &Rec) -> bool {
        if entity != Entity::Patient || self.excluded_clients.is_empty() {
            return false;
        }
        let link = rec.cells.split(SEP).nth(1).unwrap_or("");
        self.excluded_clients.contains(link)
    }

    fn to_finding(&self, rec: &Rec, s: &Stored) -> Finding {
        Finding {
            file: self.label(rec.table).to_string(),
            row: rec.row,
            field: s.field.map_or(String::new(), |f| f.key().to_string()),
            code: self.code(s.code).to_string(),
            severity: s.severity,
            message: s.message.to_string(),
            value: s.value.to_string(),
            suggestion: s.suggestion.to_string(),
            source: s.source.to_string(),
        }
    }

    fn code(&self, id: u16) -> &str {
        self.codes.get(usize::from(id)).map_or("", |c| c)
    }

    fn view(&self, entity: Entity, id: u32) -> Option<ReviewRow> {
        let rec = self.records(entity).get(id as usize)?;
        Some(ReviewRow {
            id,
            file: self.label(rec.table).to_string(),
            row: rec.row,
            excluded: rec.excluded,
            owner_excluded: self.owner_excluded(entity, rec),
            changed: self
                .changes
                .range((entity, id, Field::ALL[0])..=(entity, id, Field::ALL[Field::ALL.len() - 1]))
                .map(|((_, _, f), _)| *f)
                .collect(),
            cells: rec.cells.split(SEP).map(str::to_string).collect(),
            findings: rec
                .findings()
                .iter()
                .map(|s| ReviewFinding {
                    field: s.field,
                    code: self.code(s.code).to_string(),
                    severity: s.severity,
                    message: s.message.to_string(),
                    value: s.value.to_string(),
                    suggestion: s.suggestion.to_string(),
                    source: s.source.to_string(),
                })
                .collect(),
        })
    }

    fn matches(&self, rec: &Rec, filter: &Filter, code: Option<Option<u16>>) -> bool {
        let any_condition =
            filter.code.is_some() || filter.severity.is_some() || filter.field.is_some();
        if !any_condition {
            return !filter.only_with_findings || !rec.findings().is_empty();
        }
        rec.findings().iter().any(|s| {
            code.is_none_or(|c| c == Some(s.code))
                && filter.severity.is_none_or(|sev| sev == s.severity)
                && filter.field.is_none_or(|f| Some(f) == s.field)
        })
    }

    fn matching(&self, entity: Entity, filter: &Filter) -> Option<std::sync::Arc<Vec<u32>>> {
        if *filter == Filter::default() {
            return None;
        }
        if let Ok(cache) = self.matches.lock() {
            if let Some((e, f, ids)) = cache.as_ref() {
                if *e == entity && f == filter {
                    return Some(ids.clone());
                }
            }
        }
        let code = filter
            .code
            .as_ref()
            .map(|c| self.code_ids.get(c.as_str()).copied());
        let ids: Vec<u32> = self
            .records(entity)
            .iter()
            .enumerate()
            .filter(|(_, r)| self.matches(r, filter, code))
            .map(|(i, _)| i as u32)
            .collect();
        let ids = std::sync::Arc::new(ids);
        if let Ok(mut cache) = self.matches.lock() {
            *cache = Some((entity, filter.clone(), ids.clone()));
        }
        Some(ids)
    }

    fn forget_matches(&self) {
        if let Ok(mut cache) = self.matches.lock() {
            *cache = None;
        }
    }

    /// Up to `limit` records of `entity` matching `filter`, from position `offset`.
    pub fn page(&self, entity: Entity, filter: &Filter, offset: u32, limit: u32) -> Page {
        let all = self.records(entity).len() as u32;
        let (total, ids): (u32, Vec<u32>) = match self.matching(entity, filter) {
            None => {
                let end = offset.saturating_add(limit).min(all);
                (all, (offset.min(end)..end).collect())
            }
            Some(ids) => {
                let from = (offset as usize).min(ids.len());
                let to = from.saturating_add(limit as usize).min(ids.len());
                (ids.len() as u32, ids[from..to].to_vec())
            }
        };
        Page {
            total,
            offset,
            rows: ids
                .into_iter()
                .filter_map(|id| self.view(entity, id))
                .collect(),
        }
    }

    /// One record as a page shows it.
    pub fn row(&self, entity: Entity, id: u32) -> Result<ReviewRow, ReviewError> {
        self.view(entity, id)
            .ok_or(ReviewError::NoRecord { entity, id })
    }

    /// The counts, over the records that will be written.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            clients: self.clients.len() as u32,
            patients: self.patients.len() as u32,
            changes: self.changes.len() as u32,
            tables: self.tallies.clone().into_vec(),
            ..Summary::default()
        };
        let mut by_code: HashMap<(u16, Severity), (u32, u32)> = HashMap::new();
        let mut by_field: HashMap<Field, u32> = HashMap::new();
        for entity in [Entity::Client, Entity::Patient] {
            for rec in self.records(entity) {
                if rec.excluded || self.owner_excluded(entity, rec) {
                    match entity {
                        Entity::Client => s.excluded_clients += 1,
                        Entity::Patient => s.excluded_patients += 1,
                    }
                    continue;
                }
                let mut has_error = false;
                for f in rec.findings() {
                    let slot = by_code.entry((f.code, f.severity)).or_default();
                    match entity {
                        Entity::Client => slot.0 += 1,
                        Entity::Patient => slot.1 += 1,
                    }
                    if let Some(field) = f.field {
                        *by_field.entry(field).or_default() += 1;
                    }
                    match f.severity {
                        Severity::Error => {
                            s.errors += 1;
                            has_error = true;
                        }
                        Severity::Warning => s.warnings += 1,
                        Severity::Fixed => s.fixed += 1,
                    }
                }
                if has_error {
                    match entity {
                        Entity::Client => s.clients_with_errors += 1,
                        Entity::Patient => s.patients_with_errors += 1,
                    }
                }
            }
        }
        s.by_code = by_code
            .into_iter()
            .map(|((code, severity), (clients, patients))| CodeTally {
                code: self.code(code).to_string(),
                severity,
                clients,
                patients,
            })
            .collect();
        s.by_code.sort_by(|a, b| {
            (b.clients + b.patients)
                .cmp(&(a.clients + a.patients))
                .then_with(|| a.code.cmp(&b.code))
        });
        s.by_field = by_field
            .into_iter()
            .map(|(field, count)| FieldTally { field, count })
            .collect();
        s.by_field
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.field.cmp(&b.field)));
        let mut unattached: BTreeMap<(String, Severity), u64> = BTreeMap::new();
        for f in self.unattached.iter().filter(|f| f.row != 0) {
            *unattached.entry((f.code.clone(), f.severity)).or_default() += 1;
        }
        s.unattached = unattached
            .into_iter()
            .map(|((code, severity), count)| CodeCount {
                code,
                severity: severity.as_str().to_string(),
                count,
            })
            .collect();
        s.notices = self
            .unattached
            .iter()
            .filter(|f| f.row == 0)
            .cloned()
            .collect();
        s
    }

    /// Sets `field` of a record to what the person typed, validates the record again at
    /// once, and returns it with its new findings. Typing the converted value back undoes
    /// the change.
    pub fn edit(
        &mut self,
        entity: Entity,
        id: u32,
        field: Field,
        typed: &str,
    ) -> Result<ReviewRow, ReviewError> {
        if field.entity() != entity {
            return Err(ReviewError::WrongEntity { field, entity });
        }
        let rec = self
            .records(entity)
            .get(id as usize)
            .ok_or(ReviewError::NoRecord { entity, id })?;
        let role = self
            .rules
            .get(usize::from(rec.table))
            .map_or(TableRole::Combined, |r| r.role());
        if !editable(field, role) {
            return Err(ReviewError::NotEditable { field });
        }
        let original = match self.originals.get(&(entity, id)) {
            Some(o) => o.clone(),
            None => Original {
                record: decode(entity, &rec.cells),
                findings: rec
                    .findings()
                    .iter()
                    .filter(|s| s.own)
                    .map(|s| self.to_finding(rec, s))
                    .collect(),
            },
        };
        let before = original.record.get(field).to_string();
        if typed == before {
            self.changes.remove(&(entity, id, field));
        } else {
            self.changes
                .insert((entity, id, field), (before, typed.to_string()));
        }
        let typed: Vec<(Field, String)> = self
            .changes
            .range((entity, id, Field::ALL[0])..=(entity, id, Field::ALL[Field::ALL.len() - 1]))
            .map(|((_, _, f), (_, after))| (*f, after.clone()))
            .collect();
        let rec = &self.records(entity)[id as usize];
        let row = rec.row;
        let rest: Vec<Finding> = rec
            .findings()
            .iter()
            .filter(|s| !s.own)
            .map(|s| self.to_finding(rec, s))
            .collect();
        let (record, findings) = if typed.is_empty() {
            self.originals.remove(&(entity, id));
            (original.record, original.findings)
        } else {
            let client_ids = &self.client_ids;
            let exists = |id: &str| client_ids.contains(&id_hash(id));
            let rules = &self.rules[usize::from(rec.table)];
            let checks = Checks {
                table: rules,
                context: &self.context,
                policy: &self.policy,
                expects_clients: self.expects_clients,
                client_exists: &exists,
            };
            let pairs: Vec<(Field, &str)> = typed.iter().map(|(f, v)| (*f, v.as_str())).collect();
            let result = revalidate(&original.record, &original.findings, row, &pairs, &checks);
            self.originals.insert((entity, id), original);
            result
        };
        let cells = encode(&record);
        let stored = self.stored_list(&findings, &rest);
        let rec = &mut self.records_mut(entity)[id as usize];
        rec.cells = cells;
        rec.findings = stored;
        self.forget_matches();
        self.row(entity, id)
    }

    /// How records with a finding like this one are grouped as "similar": the same code and
    /// field, and the same value (for a mistyped mail domain, the same domain).
    fn similar_key<'a>(code: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
        if code == "email_domain_typo" {
            let domain = value.rsplit('@').next().unwrap_or(value);
            return std::borrow::Cow::Owned(domain.trim().to_lowercase());
        }
        std::borrow::Cow::Borrowed(value)
    }

    fn similar_ids(&self, code: &str, field: Field, value: &str) -> Vec<(u32, String)> {
        let Some(&code_id) = self.code_ids.get(code) else {
            return Vec::new();
        };
        let key = Self::similar_key(code, value);
        self.records(field.entity())
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.findings()
                    .iter()
                    .find(|s| {
                        s.code == code_id
                            && s.field == Some(field)
                            && Self::similar_key(code, &s.value) == key
                    })
                    .map(|s| (i as u32, s.suggestion.to_string()))
            })
            .collect()
    }

    /// How many records have a finding like this (code, field and value), this one included.
    pub fn similar_count(&self, code: &str, field: Field, value: &str) -> u32 {
        self.similar_ids(code, field, value).len() as u32
    }

    /// Applies a fix to every record with a finding like this one: `replacement` when
    /// given, else each finding's own suggestion (records without one are left alone).
    /// Returns how many records changed.
    pub fn apply_to_similar(
        &mut self,
        code: &str,
        field: Field,
        value: &str,
        replacement: Option<&str>,
    ) -> Result<u32, ReviewError> {
        let mut changed = 0;
        for (id, suggestion) in self.similar_ids(code, field, value) {
            let fix = replacement.unwrap_or(&suggestion).to_string();
            if fix.is_empty() && replacement.is_none() {
                continue;
            }
            self.edit(field.entity(), id, field, &fix)?;
            changed += 1;
        }
        Ok(changed)
    }

    /// Leaves records out of the canonical files (or puts them back). A client's pets go
    /// with it.
    pub fn set_excluded(
        &mut self,
        entity: Entity,
        ids: &[u32],
        excluded: bool,
    ) -> Result<(), ReviewError> {
        for &id in ids {
            let rec = self
                .records_mut(entity)
                .get_mut(id as usize)
                .ok_or(ReviewError::NoRecord { entity, id })?;
            rec.excluded = excluded;
            if entity == Entity::Client {
                let key = rec.cells.split(SEP).next().unwrap_or("").to_string();
                if excluded {
                    self.excluded_clients.insert(key);
                } else {
                    self.excluded_clients.remove(&key);
                }
            }
        }
        self.forget_matches();
        Ok(())
    }

    /// The changes and exclusions so far, as the document saved next to the files.
    pub fn edits(&self) -> Edits {
        let mut edits = Edits::default();
        for ((entity, id, field), (before, after)) in &self.changes {
            if let Some(rec) = self.records(*entity).get(*id as usize) {
                edits.changes.push(Change {
                    entity: *entity,
                    file: self.label(rec.table).to_string(),
                    row: rec.row,
                    field: *field,
                    before: before.clone(),
                    after: after.clone(),
                });
            }
        }
        for entity in [Entity::Client, Entity::Patient] {
            for rec in self.records(entity).iter().filter(|r| r.excluded) {
                edits.excluded.push(RecordRef {
                    entity,
                    file: self.label(rec.table).to_string(),
                    row: rec.row,
                });
            }
        }
        edits.changes.sort_by(|a, b| {
            (a.entity, &a.file, a.row, a.field).cmp(&(b.entity, &b.file, b.row, b.field))
        });
        edits.excluded.sort();
        edits
    }

    /// Applies a saved edits document (after the files were loaded again); returns how
    /// many changes and exclusions found their record.
    pub fn apply_edits(&mut self, edits: &Edits) -> Result<u32, ReviewError> {
        let mut index: HashMap<(Entity, &str, u64), u32> = HashMap::new();
        let labels: Vec<String> = self.rules.iter().map(|r| r.label().to_string()).collect();
        for entity in [Entity::Client, Entity::Patient] {
            for (i, r) in self.records(entity).iter().enumerate() {
                let label = labels.get(usize::from(r.table)).map_or("", String::as_str);
                index.insert((entity, label, r.row), i as u32);
            }
        }
        let mut found = 0;
        let mut todo = Vec::new();
        for c in &edits.changes {
            if let Some(&id) = index.get(&(c.entity, c.file.as_str(), c.row)) {
                todo.push((c.entity, id, c.field, c.after.clone()));
            }
        }
        let mut excluded = Vec::new();
        for r in &edits.excluded {
            if let Some(&id) = index.get(&(r.entity, r.file.as_str(), r.row)) {
                excluded.push((r.entity, id));
            }
        }
        for (entity, id, field, after) in todo {
            self.edit(entity, id, field, &after)?;
            found += 1;
        }
        for (entity, id) in excluded {
            self.set_excluded(entity, &[id], true)?;
            found += 1;
        }
        Ok(found)
    }
}
