//! Duplicates inside the clinic's own files: clients listed twice (by ID, e-mail or fuzzy
//! evidence), households, rows repeated verbatim, and pets entered twice for one owner.

use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};

use crate::canonical::{ClientRecord, Entity, PatientRecord};
use crate::mapping::row::RowOutput;
use crate::mapping::{RepeatKind, Repeated};

use super::blocking::{self, KeyMaker, Keys};
use super::compare::{compare, Comparison, Verdict};
use super::fingerprint::{Fingerprint, Part};
use super::normalize;
use super::{DuplicateGroup, DuplicateKind, GroupMember};

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Origin {
    table: u16,
    row: u64,
}

struct ClientEntry {
    fingerprint: Fingerprint,
    keys: Keys,
    external_id: Box<str>,
    origin: Origin,
}

struct PatientEntry {
    owner: Box<str>,
    name: Box<str>,
    species: Box<str>,
    date_of_birth: Box<str>,
    external_id: Box<str>,
    origin: Origin,
}

struct RepeatEntry {
    entity: Entity,
    external_id: Box<str>,
    origin: Origin,
    kind: RepeatKind,
    first: u64,
}

/// Gathers the records of a conversion as they are written, then finds their duplicates.
#[derive(Default)]
pub struct Collector {
    clients: Vec<ClientEntry>,
    patients: Vec<PatientEntry>,
    repeats: Vec<RepeatEntry>,
    keys: KeyMaker,
}

impl Collector {
    /// Everything of one converted row; `entity` is what a repeated row of its table holds.
    pub fn row(&mut self, row: &RowOutput, entity: Entity) {
        if let Some(c) = &row.client {
            self.client(c, row.table, row.row);
        }
        if let Some(p) = &row.patient {
            self.patient(p, row.table, row.row);
        }
        if let Some(r) = &row.repeat {
            let entity = match r.kind {
                RepeatKind::Row => entity,
                RepeatKind::ClientId | RepeatKind::ClientIdDifferent => Entity::Client,
            };
            self.repeat(r.clone(), entity, row.table, row.row);
        }
    }

    /// A converted client, first seen on `row` of table `table`.
    pub fn client(&mut self, c: &ClientRecord, table: usize, row: u64) {
        let fingerprint = Fingerprint::of(c);
        let keys = self.keys.keys(&fingerprint);
        self.clients.push(ClientEntry {
            fingerprint,
            keys,
            external_id: c.external_id.as_str().into(),
            origin: origin(table, row),
        });
    }

    /// A converted pet, from `row` of table `table`.
    pub fn patient(&mut self, p: &PatientRecord, table: usize, row: u64) {
        self.patients.push(PatientEntry {
            owner: p.client_external_id.as_str().into(),
            name: normalize::fold(&p.name).into(),
            species: p.species.to_ascii_lowercase().into(),
            date_of_birth: p.date_of_birth.as_str().into(),
            external_id: p.external_id.as_str().into(),
            origin: origin(table, row),
        });
    }

    /// Row `row` of table `table` repeats an earlier one; `entity` is what the table holds.
    pub fn repeat(&mut self, repeated: Repeated, entity: Entity, table: usize, row: u64) {
        self.repeats.push(RepeatEntry {
            entity,
            external_id: repeated.external_id.as_str().into(),
            origin: origin(table, row),
            kind: repeated.kind,
            first: repeated.first,
        });
    }

    /// How many clients were collected.
    pub fn clients(&self) -> usize {
        self.clients.len()
    }

    /// The duplicate groups, numbered from 1, each member's file named by `labels[table]`:
    /// repeated rows first, then clients, households, and pets.
    pub fn groups(self, labels: &[String]) -> Vec<DuplicateGroup> {
        let label = |o: Origin| {
            labels
                .get(usize::from(o.table))
                .cloned()
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        repeat_groups(&self.repeats, &label, &mut out);
        let (same, households) = client_pairs(&self.clients);
        let (owners, kept) = client_groups(&self.clients, &same, &label, &mut out);
        household_groups(&self.clients, &households, &kept, &label, &mut out);
        patient_groups(&self.patients, &owners, &label, &mut out);
        for (i, g) in out.iter_mut().enumerate() {
            g.id = i as u32 + 1;
        }
        out
    }
}

fn origin(table: usize, row: u64) -> Origin {
    Origin {
        table: u16::try_from(table).unwrap_or(u16::MAX),
        row,
    }
}

/// One group per earlier row that later rows repeat.
fn repeat_groups(
    repeats: &[RepeatEntry],
    label: &dyn Fn(Origin) -> String,
    out: &mut Vec<DuplicateGroup>,
) {
    let mut by_first: FxHashMap<(u16, u64), usize> = FxHashMap::default();
    for r in repeats {
        let kind = match r.kind {
            RepeatKind::Row => DuplicateKind::DuplicateRow,
            RepeatKind::ClientId => DuplicateKind::ExactDuplicate,
            RepeatKind::ClientIdDifferent => DuplicateKind::ConflictingDuplicate,
        };
        let reason = match r.kind {
            RepeatKind::Row => "every cell repeats the first row",
            RepeatKind::ClientId => "same client ID",
            RepeatKind::ClientIdDifferent => {
                "same client ID, different details (the first row's are kept)"
            }
        };
        let key = (r.origin.table, r.first);
        let i = *by_first.entry(key).or_insert_with(|| {
            out.push(DuplicateGroup {
                id: 0,
                kind,
                entity: r.entity,
                members: vec![GroupMember {
                    external_id: r.external_id.to_string(),
                    file: label(r.origin),
                    row: r.first,
                    primary: true,
                    score: 1.0,
                    reasons: Vec::new(),
                }],
            });
            out.len() - 1
        });
        let g = &mut out[i];
        // A different repeat of the same first row makes the group a conflict.
        if kind == DuplicateKind::ConflictingDuplicate {
            g.kind = kind;
        }
        g.members.push(GroupMember {
            external_id: r.external_id.to_string(),
            file: label(r.origin),
            row: r.origin.row,
            primary: false,
            score: 1.0,
            reasons: vec![reason.to_owned()],
        });
    }
}

/// A compared pair of clients.
struct Pair {
    a: u32,
    b: u32,
    comparison: Comparison,
}

/// Every blocked pair compared; the pairs judged one person and the households.
fn client_pairs(clients: &[ClientEntry]) -> (Vec<Pair>, Vec<Pair>) {
    let keys: Vec<Keys> = clients.iter().map(|c| c.keys).collect();
    let order = |i: u32| {
        let f = &clients[i as usize].fingerprint;
        let mut h = FxHasher::default();
        (f.get(Part::First), f.get(Part::Postal)).hash(&mut h);
        h.finish()
    };
    let mut same = Vec::new();
    let mut households = Vec::new();
    blocking::pairs(&keys, order, |a, b| {
        let comparison = compare(
            &clients[a as usize].fingerprint,
            &clients[b as usize].fingerprint,
        );
        match comparison.verdict {
            Verdict::Same | Verdict::Conflicting => same.push(Pair { a, b, comparison }),
            Verdict::Household => households.push(Pair { a, b, comparison }),
            Verdict::Different => {}
        }
    });
    for pairs in [&mut same, &mut households] {
        pairs.sort_unstable_by_key(|p| (p.a, p.b));
        pairs.dedup_by_key(|p| (p.a, p.b));
    }
    (same, households)
}

/// Union–find over record indices.
struct Sets(Vec<u32>);

impl Sets {
    fn new(n: usize) -> Sets {
        Sets((0..n as u32).collect())
    }
    fn root(&mut self, mut i: u32) -> u32 {
        while self.0[i as usize] != i {
            let parent = self.0[self.0[i as usize] as usize];
            self.0[i as usize] = parent;
            i = parent;
        }
        i
    }
    /// The direct parent (the record itself for a root).
    fn parent(&self, i: u32) -> u32 {
        self.0[i as usize]
    }
    fn join(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.root(a), self.root(b));
        // The earlier record stays the root: it is the one kept.
        if ra < rb {
            self.0[rb as usize] = ra;
        } else if rb < ra {
            self.0[ra as usize] = rb;
        }
    }
}

/// Groups of one person from the pairs (transitively: A~B and B~C make one group, the
/// record seen first kept); returns each duplicate client's ID → the kept client's ID, and
/// each client's kept record.
fn client_groups(
    clients: &[ClientEntry],
    pairs: &[Pair],
    label: &dyn Fn(Origin) -> String,
    out: &mut Vec<DuplicateGroup>,
) -> (FxHashMap<Box<str>, Box<str>>, Sets) {
    let mut sets = Sets::new(clients.len());
    for p in pairs {
        sets.join(p.a, p.b);
    }
    // Each member's strongest link to the group.
    let mut best: FxHashMap<u32, &Pair> = FxHashMap::default();
    let mut members: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for p in pairs {
        for (m, _) in [(p.a, p.b), (p.b, p.a)] {
            let e = best.entry(m).or_insert(p);
            if p.comparison.score > e.comparison.score {
                *e = p;
            }
        }
        let root = sets.root(p.a);
        let list = members.entry(root).or_default();
        for m in [p.a, p.b] {
            if !list.contains(&m) {
                list.push(m);
            }
        }
    }
    let mut roots: Vec<u32> = members.keys().copied().collect();
    roots.sort_unstable();
    let mut owners = FxHashMap::default();
    for root in roots {
        let mut list = members.remove(&root).unwrap_or_default();
        list.sort_unstable();
        let in_group: Vec<&&Pair> = best
            .iter()
            .filter(|(m, _)| list.contains(m))
            .map(|(_, p)| p)
            .collect();
        let conflicting = in_group
            .iter()
            .any(|p| p.comparison.verdict == Verdict::Conflicting);
        let exact = in_group.iter().all(|p| {
            let (a, b) = (
                &clients[p.a as usize].fingerprint,
                &clients[p.b as usize].fingerprint,
            );
            a == b
                || !a.get(Part::Email).is_empty()
                    && a.get(Part::Email) == b.get(Part::Email)
                    && p.comparison.verdict == Verdict::Same
        });
        let kind = if conflicting {
            DuplicateKind::ConflictingDuplicate
        } else if exact {
            DuplicateKind::ExactDuplicate
        } else {
            DuplicateKind::FuzzyDuplicate
        };
        let kept = &clients[root as usize].external_id;
        let members = list
            .iter()
            .map(|&m| {
                let c = &clients[m as usize];
                if m != root {
                    owners.insert(c.external_id.clone(), kept.clone());
                }
                let (score, reasons) = match best.get(&m) {
                    Some(p) if m != root => (p.comparison.score, p.comparison.reasons.clone()),
                    _ => (1.0, Vec::new()),
                };
                GroupMember {
                    external_id: c.external_id.to_string(),
                    file: label(c.origin),
                    row: c.origin.row,
                    primary: m == root,
                    score,
                    reasons,
                }
            })
            .collect();
        out.push(DuplicateGroup {
            id: 0,
            kind,
            entity: Entity::Client,
            members,
        });
    }
    (owners, sets)
}

/// One group per household: clients who share an address or contact but are different
/// people. Flagged so a person can look; never merged.
fn household_groups(
    clients: &[ClientEntry],
    pairs: &[Pair],
    kept: &Sets,
    label: &dyn Fn(Origin) -> String,
    out: &mut Vec<DuplicateGroup>,
) {
    // A duplicate's household is its kept record's: only kept records are listed.
    let pairs: Vec<&Pair> = pairs
        .iter()
        .filter(|p| kept.parent(p.a) == p.a && kept.parent(p.b) == p.b)
        .collect();
    let mut sets = Sets::new(clients.len());
    for p in &pairs {
        sets.join(p.a, p.b);
    }
    let mut groups: FxHashMap<u32, Vec<(u32, Option<&Pair>)>> = FxHashMap::default();
    for &p in &pairs {
        let root = sets.root(p.a);
        let list = groups.entry(root).or_default();
        if !list.iter().any(|(m, _)| *m == p.a) {
            list.push((p.a, None));
        }
        match list.iter_mut().find(|(m, _)| *m == p.b) {
            Some(_) => {}
            None => list.push((p.b, Some(p))),
        }
    }
    let mut roots: Vec<u32> = groups.keys().copied().collect();
    roots.sort_unstable();
    for root in roots {
        let mut list = groups.remove(&root).unwrap_or_default();
        list.sort_unstable_by_key(|(m, _)| *m);
        let members = list
            .iter()
            .map(|(m, p)| {
                let c = &clients[*m as usize];
                GroupMember {
                    external_id: c.external_id.to_string(),
                    file: label(c.origin),
                    row: c.origin.row,
                    // Nobody is dropped from a household: every member is kept.
                    primary: true,
                    score: p.map_or(1.0, |p| p.comparison.score),
                    reasons: p.map(|p| p.comparison.reasons.clone()).unwrap_or_default(),
                }
            })
            .collect();
        out.push(DuplicateGroup {
            id: 0,
            kind: DuplicateKind::SameHousehold,
            entity: Entity::Client,
            members,
        });
    }
}

/// Pets entered twice for one owner (the owner's duplicates counted as the owner): the same
/// species, the same or a very close name, and no contradicting dates of birth.
fn patient_groups(
    patients: &[PatientEntry],
    owners: &FxHashMap<Box<str>, Box<str>>,
    label: &dyn Fn(Origin) -> String,
    out: &mut Vec<DuplicateGroup>,
) {
    let mut by_owner: FxHashMap<(&str, &str), Vec<u32>> = FxHashMap::default();
    for (i, p) in patients.iter().enumerate() {
        if p.owner.is_empty() || p.name.is_empty() {
            continue;
        }
        let owner = owners.get(&p.owner).map_or(&*p.owner, |o| &**o);
        by_owner
            .entry((owner, &p.species))
            .or_default()
            .push(i as u32);
    }
    let mut groups: Vec<Vec<(u32, f32, Vec<String>)>> = Vec::new();
    for (_, list) in by_owner {
        if list.len() < 2 {
            continue;
        }
        let mut taken = vec![false; list.len()];
        for (n, &a) in list.iter().enumerate() {
            if taken[n] {
                continue;
            }
            let mut group = vec![(a, 1.0, Vec::new())];
            for (m, &b) in list.iter().enumerate().skip(n + 1) {
                if taken[m] {
                    continue;
                }
                if let Some((score, reasons)) =
                    same_pet(&patients[a as usize], &patients[b as usize])
                {
                    taken[m] = true;
                    group.push((b, score, reasons));
                }
            }
            if group.len() > 1 {
                groups.push(group);
            }
        }
    }
    groups.sort_unstable_by_key(|g| g[0].0);
    for group in groups {
        let exact = group.iter().skip(1).all(|(_, s, _)| *s >= 1.0);
        out.push(DuplicateGroup {
            id: 0,
            kind: if exact {
                DuplicateKind::ExactDuplicate
            } else {
                DuplicateKind::FuzzyDuplicate
            },
            entity: Entity::Patient,
            members: group
                .into_iter()
                .enumerate()
                .map(|(n, (i, score, reasons))| {
                    let p = &patients[i as usize];
                    GroupMember {
                        external_id: p.external_id.to_string(),
                        file: label(p.origin),
                        row: p.origin.row,
                        primary: n == 0,
                        score,
                        reasons,
                    }
                })
                .collect(),
        });
    }
}

/// Whether two pets of one owner and species are one pet: score and reasons.
fn same_pet(a: &PatientEntry, b: &PatientEntry) -> Option<(f32, Vec<String>)> {
    let mut reasons = vec!["same owner and species".to_owned()];
    let dob = match (a.date_of_birth.is_empty(), b.date_of_birth.is_empty()) {
        (false, false) if a.date_of_birth != b.date_of_birth => return None,
        (false, false) => {
            reasons.push("same date of birth".to_owned());
            true
        }
        _ => false,
    };
    if a.name == b.name {
        reasons.insert(0, "same name".to_owned());
        return Some((1.0, reasons));
    }
    let sim = strsim::jaro_winkler(&a.name, &b.name);
    // Without a date of birth, two close names may be two pets (Max and Maxi).
    (sim >= 0.9 && dob).then(|| {
        reasons.insert(0, format!("name similarity {sim:.2}"));
        (sim as f32 * 0.95, reasons)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(
        id: &str,
        first: &str,
        last: &str,
        email: &str,
        phone: &str,
        street: &str,
    ) -> ClientRecord {
        ClientRecord {
            external_id: id.into(),
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            phone: phone.into(),
            address_line1: street.into(),
            city: "Springfield".into(),
            postal_code: "62704".into(),
            ..ClientRecord::default()
        }
    }

    fn pet(id: &str, owner: &str, name: &str, dob: &str) -> PatientRecord {
        PatientRecord {
            external_id: id.into(),
            client_external_id: owner.into(),
            name: name.into(),
            species: "canine".into(),
            date_of_birth: dob.into(),
            ..PatientRecord::default()
        }
    }

    fn groups(clients: &[ClientRecord], pets: &[PatientRecord]) -> Vec<DuplicateGroup> {
        let mut c = Collector::default();
        for (i, r) in clients.iter().enumerate() {
            c.client(r, 0, i as u64 + 2);
        }
        for (i, p) in pets.iter().enumerate() {
            c.patient(p, 1, i as u64 + 2);
        }
        c.groups(&["clients.csv".into(), "pets.csv".into()])
    }

    #[test]
    fn duplicates_households_and_pets_are_grouped() {
        let clients = [
            client(
                "1",
                "John",
                "Smith",
                "js@example.com",
                "2175550143",
                "12 Oak St",
            ),
            client("2", "Mary", "Smith", "", "2175550143", "12 Oak St"),
            client("3", "Jon", "Smith", "", "(217) 555-0143", "12 Oak Street"),
            client("4", "Ana", "Garcia", "ana@example.com", "", "4 Elm Rd"),
            client("5", "Ana", "Garcia", "ana@example.com", "", "4 Elm Rd"),
            client("6", "Ana", "Garcia", "ana@example.com", "", "90 Pine Ave"),
            client("7", "Zed", "Unique", "", "3125550199", "1 Lake Dr"),
        ];
        let pets = [
            pet("p1", "1", "Rex", "2019-04-01"),
            pet("p2", "3", "Rex", ""),
            pet("p3", "2", "Bella", ""),
        ];
        let g = groups(&clients, &pets);
        type Summary<'a> = (DuplicateKind, Entity, Vec<(&'a str, bool)>);
        let summary: Vec<Summary> = g
            .iter()
            .map(|g| {
                (
                    g.kind,
                    g.entity,
                    g.members
                        .iter()
                        .map(|m| (m.external_id.as_str(), m.primary))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    DuplicateKind::FuzzyDuplicate,
                    Entity::Client,
                    vec![("1", true), ("3", false)]
                ),
                (
                    DuplicateKind::ConflictingDuplicate,
                    Entity::Client,
                    vec![("4", true), ("5", false), ("6", false)]
                ),
                (
                    DuplicateKind::SameHousehold,
                    Entity::Client,
                    vec![("1", true), ("2", true)]
                ),
                (
                    DuplicateKind::ExactDuplicate,
                    Entity::Patient,
                    vec![("p1", true), ("p2", false)]
                ),
            ],
            "{g:#?}"
        );
        let jon = &g[0].members[1];
        assert!(jon.reasons.contains(&"same phone".to_owned()), "{jon:?}");
        assert!(jon.score > 0.9 && jon.score <= 1.0);
        assert!(g.iter().enumerate().all(|(i, g)| g.id == i as u32 + 1));
    }

    #[test]
    fn repeated_rows_and_ids_are_grouped_under_their_first_row() {
        let mut c = Collector::default();
        let row = Repeated {
            first: 2,
            kind: RepeatKind::Row,
            external_id: String::new(),
        };
        c.repeat(row.clone(), Entity::Patient, 1, 5);
        c.repeat(row, Entity::Patient, 1, 9);
        let id = Repeated {
            first: 3,
            kind: RepeatKind::ClientIdDifferent,
            external_id: "c7".into(),
        };
        c.repeat(id, Entity::Client, 0, 4);
        let g = c.groups(&["clients.csv".into(), "pets.csv".into()]);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].kind, DuplicateKind::DuplicateRow);
        assert_eq!(
            g[0].members
                .iter()
                .map(|m| (m.row, m.primary))
                .collect::<Vec<_>>(),
            vec![(2, true), (5, false), (9, false)]
        );
        assert_eq!(g[0].members[0].file, "pets.csv");
        assert_eq!(g[1].kind, DuplicateKind::ConflictingDuplicate);
    }
}
