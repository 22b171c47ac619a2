//! Duplicates inside the clinic's own files: clients listed twice (by ID, e-mail or fuzzy
//! evidence), households, rows repeated verbatim, and pets entered twice for one owner.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};

use crate::canonical::{ClientRecord, Entity, PatientRecord};
use crate::mapping::row::RowOutput;
use crate::mapping::{RepeatKind, Repeated};

use super::blocking::{self, KeyMaker, Keys};
use super::compare::{compare_views, related, Names, Quick, Verdict};
use super::fingerprint::{Ends, Fingerprint, Part, View, PARTS};
use super::normalize;
use super::spill::{SpillWriter, Spilled, SpilledClient, SpilledPatient};
use super::{DuplicateGroup, DuplicateKind, GroupMember};

/// Where a record came from (a row past four billion, which no export reaches, keeps the
/// largest number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Origin {
    table: u16,
    row: u32,
}

/// Text kept for a million records in blocks that are filled and never moved: one growing
/// buffer would be copied as it doubles and hold up to twice what it needs.
#[derive(Default)]
struct Texts {
    blocks: Vec<String>,
}

/// The size of a block of [`Texts`] (a longer record gets a block of its own).
const BLOCK: usize = 4 << 20;

impl Texts {
    /// Keeps `parts` end to end, never split across blocks; returns where they start.
    fn push(&mut self, parts: &[&str]) -> (u32, u32) {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let fits = self
            .blocks
            .last()
            .is_some_and(|b| b.capacity() - b.len() >= len);
        if !fits {
            self.blocks.push(String::with_capacity(BLOCK.max(len)));
        }
        let block = self.blocks.len() - 1;
        let text = &mut self.blocks[block];
        let at = text.len();
        for p in parts {
            text.push_str(p);
        }
        (
            u32::try_from(block).unwrap_or(u32::MAX),
            u32::try_from(at).unwrap_or(u32::MAX),
        )
    }

    /// `len` bytes from `at` in `block`.
    fn get(&self, (block, at): (u32, u32), len: usize) -> &str {
        let at = at as usize;
        self.blocks
            .get(block as usize)
            .and_then(|b| b.get(at..at + len))
            .unwrap_or_default()
    }
}

/// A client's place in [`Clients::text`]: its fingerprint, then its ID.
struct ClientEntry {
    at: (u32, u32),
    ends: Ends,
    id_len: u32,
    origin: Origin,
}

/// The clients gathered: a million of them are a few vectors and one text buffer, not
/// millions of small allocations.
#[derive(Default)]
struct Clients {
    entries: Vec<ClientEntry>,
    keys: Vec<Keys>,
    text: Texts,
}

impl Clients {
    fn push(&mut self, text: &str, ends: Ends, keys: Keys, id: &str, origin: Origin) {
        let at = self.text.push(&[text, id]);
        self.entries.push(ClientEntry {
            at,
            ends,
            id_len: u32::try_from(id.len()).unwrap_or(u32::MAX),
            origin,
        });
        self.keys.push(keys);
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    /// Client `i`'s fingerprint.
    fn view(&self, i: u32) -> View<'_> {
        let e = &self.entries[i as usize];
        let len = usize::from(e.ends[PARTS - 1]);
        View::new(self.text.get(e.at, len), e.ends)
    }

    /// Client `i`'s ID.
    fn id(&self, i: u32) -> &str {
        let e = &self.entries[i as usize];
        let start = e.at.1.saturating_add(u32::from(e.ends[PARTS - 1]));
        self.text.get((e.at.0, start), e.id_len as usize)
    }

    fn origin(&self, i: u32) -> Origin {
        self.entries[i as usize].origin
    }
}

/// What says whether two pets are one: owner, species and date of birth as hashes (only
/// their equality matters), the folded name and the ID in [`Patients::text`].
struct PatientEntry {
    owner: u64,
    species: u32,
    date_of_birth: u32,
    at: (u32, u32),
    name_len: u32,
    id_len: u32,
    origin: Origin,
}

/// The pets gathered.
#[derive(Default)]
struct Patients {
    entries: Vec<PatientEntry>,
    text: Texts,
}

/// A pet's values as [`Patients::get`] gives them back.
struct Pet<'a> {
    owner: u64,
    species: u32,
    date_of_birth: u32,
    name: &'a str,
    external_id: &'a str,
}

/// A 64-bit hash of a value compared only for equality; 0 for none. SipHash, as the
/// values come from the file and must not collide by design.
fn hashed(value: &str) -> u64 {
    if value.is_empty() {
        return 0;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish().max(1)
}

impl Patients {
    fn push(&mut self, p: &SpilledPatient<'_>) {
        let (name, id) = (p.name, p.id);
        let at = self.text.push(&[name, id]);
        self.entries.push(PatientEntry {
            owner: p.owner,
            species: p.species,
            date_of_birth: p.date_of_birth,
            at,
            name_len: u32::try_from(name.len()).unwrap_or(u32::MAX),
            id_len: u32::try_from(id.len()).unwrap_or(u32::MAX),
            origin: Origin {
                table: p.place.0,
                row: p.place.1,
            },
        });
    }

    fn get(&self, i: u32) -> Pet<'_> {
        let e = &self.entries[i as usize];
        Pet {
            owner: e.owner,
            species: e.species,
            date_of_birth: e.date_of_birth,
            name: self.text.get(e.at, e.name_len as usize),
            external_id: self.text.get(
                (e.at.0, e.at.1.saturating_add(e.name_len)),
                e.id_len as usize,
            ),
        }
    }
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
    clients: Clients,
    patients: Patients,
    repeats: Vec<RepeatEntry>,
    keys: KeyMaker,
    /// Where clients and pets go instead of memory, while a [`Spilling`] collector runs.
    spill: Option<SpillWriter>,
}

/// A [`Collector`] that keeps its clients and pets in a file until they are read back:
/// a conversion's own memory is freed by then, so the two are never held at once.
pub struct Spilling(Collector);

impl Spilling {
    /// Collects into `file`: empty, readable and writable, and private (client data).
    pub fn new(file: std::fs::File) -> Spilling {
        Spilling(Collector {
            spill: Some(SpillWriter::new(file)),
            ..Collector::default()
        })
    }

    /// Everything of one converted row (see [`Collector::row`]).
    pub fn row(&mut self, row: &RowOutput, entity: Entity) {
        self.0.row(row, entity);
    }

    /// The clients and pets read back into memory, ready to be grouped.
    pub fn read_back(self) -> std::io::Result<Collector> {
        let mut c = self.0;
        let Some(spill) = c.spill.take() else {
            return Ok(c);
        };
        c.clients.entries.reserve_exact(spill.clients);
        c.clients.keys.reserve_exact(spill.clients);
        c.patients.entries.reserve_exact(spill.patients);
        let mut records = spill.finish()?;
        while let Some(record) = records.next()? {
            match record {
                Spilled::Client(r) => c.clients.push(
                    r.text,
                    r.ends,
                    r.keys,
                    r.id,
                    Origin {
                        table: r.place.0,
                        row: r.place.1,
                    },
                ),
                Spilled::Patient(p) => c.patients.push(&p),
            }
        }
        Ok(c)
    }
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
        let keys = self.keys.keys(fingerprint.view());
        let (text, ends) = fingerprint.parts();
        let o = origin(table, row);
        match &mut self.spill {
            Some(spill) => spill.client(&SpilledClient {
                text,
                ends,
                keys,
                id: &c.external_id,
                place: (o.table, o.row),
            }),
            None => self.clients.push(text, ends, keys, &c.external_id, o),
        }
    }

    /// A converted pet, from `row` of table `table`.
    pub fn patient(&mut self, p: &PatientRecord, table: usize, row: u64) {
        let name = normalize::fold(&p.name);
        // A pet without an owner or a name is never compared.
        if p.client_external_id.is_empty() || name.is_empty() {
            return;
        }
        let o = origin(table, row);
        let dob = p.date_of_birth.as_str();
        let pet = SpilledPatient {
            owner: hashed(&p.client_external_id),
            // Few species and dates: 32 bits of hash tell them apart.
            species: hashed(&p.species.to_ascii_lowercase()) as u32,
            date_of_birth: (hashed(dob) as u32) | u32::from(!dob.is_empty()),
            name: &name,
            id: &p.external_id,
            place: (o.table, o.row),
        };
        match &mut self.spill {
            Some(spill) => spill.patient(&pet),
            None => self.patients.push(&pet),
        }
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
        let mut out = Vec::new();
        self.each_group(labels, &mut |g| {
            out.push(g);
            Ok::<(), std::convert::Infallible>(())
        })
        .unwrap_or_else(|never| match never {});
        out
    }

    /// Like [`Collector::groups`], each group handed to `each` in turn: only the group being
    /// handed on carries its members' IDs, file labels and reasons in full, so a million
    /// records' groups are never all held as strings at once.
    pub fn each_group<E>(
        self,
        labels: &[String],
        each: &mut dyn FnMut(DuplicateGroup) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut found = Vec::new();
        repeat_groups(&self.repeats, &mut found);
        let (same, households) = client_pairs(&self.clients);
        let (owners, kept) = client_groups(&self.clients, &same, &mut found);
        household_groups(&self.clients, &households, &kept, &mut found);
        drop(kept);
        patient_groups(&self.patients, &owners, &mut found);
        let spelled = Spelled {
            clients: &self.clients,
            patients: &self.patients,
            repeats: &self.repeats,
            same: &same,
            households: &households,
            labels,
        };
        // Spelled out a slice at a time, in parallel: a large file has hundreds of thousands
        // of households, each member's reasons worked out again.
        let mut id = 0u32;
        for chunk in found.chunks(SPELLED_AT_ONCE) {
            let groups: Vec<DuplicateGroup> = chunk.par_iter().map(|g| spelled.group(g)).collect();
            for mut g in groups {
                id += 1;
                g.id = id;
                each(g)?;
            }
        }
        Ok(())
    }
}

fn origin(table: usize, row: u64) -> Origin {
    Origin {
        table: u16::try_from(table).unwrap_or(u16::MAX),
        row: u32::try_from(row).unwrap_or(u32::MAX),
    }
}

/// How many groups are spelled out (IDs, file labels, reasons) at once.
const SPELLED_AT_ONCE: usize = 4096;

/// A group as found: its members by index, their reasons worked out only when it is
/// spelled out.
struct Found {
    kind: DuplicateKind,
    entity: Entity,
    members: Vec<Member>,
}

/// One member of a [`Found`] group.
struct Member {
    who: Who,
    primary: bool,
    score: f32,
}

/// Which record a member is, and what links it to its group.
#[derive(Clone, Copy)]
enum Who {
    /// Repeated row `index`: the earlier row it repeats (`first`), or the row itself.
    Repeat { index: u32, first: bool },
    /// Client `index`, linked by a compared pair (none for the first of its group).
    Client { index: u32, link: Link },
    /// Pet `index`, compared with the first pet of its group.
    Patient { index: u32 },
}

/// The pair that links a client to its group.
#[derive(Clone, Copy)]
enum Link {
    None,
    /// An index into the pairs judged one person.
    Same(u32),
    /// An index into the household pairs.
    Household(u32),
}

/// What a [`Found`] group is spelled out from.
struct Spelled<'a> {
    clients: &'a Clients,
    patients: &'a Patients,
    repeats: &'a [RepeatEntry],
    same: &'a [Pair],
    households: &'a [Pair],
    labels: &'a [String],
}

impl Spelled<'_> {
    fn label(&self, o: Origin) -> String {
        self.labels
            .get(usize::from(o.table))
            .cloned()
            .unwrap_or_default()
    }

    fn group(&self, g: &Found) -> DuplicateGroup {
        let first_pet = match g.members.first().map(|m| m.who) {
            Some(Who::Patient { index }) => Some(index),
            _ => None,
        };
        DuplicateGroup {
            id: 0,
            kind: g.kind,
            entity: g.entity,
            members: g
                .members
                .iter()
                .map(|m| self.member(m, first_pet))
                .collect(),
        }
    }

    fn member(&self, m: &Member, first_pet: Option<u32>) -> GroupMember {
        let (external_id, origin, row, reasons) = match m.who {
            Who::Repeat { index, first } => {
                let r = &self.repeats[index as usize];
                let (row, reasons) = if first {
                    (r.first, Vec::new())
                } else {
                    (
                        u64::from(r.origin.row),
                        vec![repeat_reason(r.kind).to_owned()],
                    )
                };
                (r.external_id.to_string(), r.origin, row, reasons)
            }
            Who::Client { index, link } => {
                let c = self.clients;
                let reasons = match link {
                    Link::None => Vec::new(),
                    Link::Same(p) => self.same[p as usize].reasons(c),
                    Link::Household(p) => self.households[p as usize].reasons(c),
                };
                let o = c.origin(index);
                (c.id(index).to_owned(), o, u64::from(o.row), reasons)
            }
            Who::Patient { index } => {
                let pets = self.patients;
                let reasons = match first_pet {
                    Some(f) if f != index => same_pet(&pets.get(f), &pets.get(index))
                        .map(|(_, reasons)| reasons)
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                let o = pets.entries[index as usize].origin;
                (
                    pets.get(index).external_id.to_owned(),
                    o,
                    u64::from(o.row),
                    reasons,
                )
            }
        };
        GroupMember {
            external_id,
            file: self.label(origin),
            row,
            primary: m.primary,
            score: m.score,
            reasons,
        }
    }
}

/// Why a later row joins the group of the earlier row it repeats.
fn repeat_reason(kind: RepeatKind) -> &'static str {
    match kind {
        RepeatKind::Row => "every cell repeats the first row",
        RepeatKind::ClientId => "same client ID",
        RepeatKind::ClientIdDifferent => {
            "same client ID, different details (the first row's are kept)"
        }
    }
}

/// One group per earlier row that later rows repeat.
fn repeat_groups(repeats: &[RepeatEntry], out: &mut Vec<Found>) {
    let mut by_first: FxHashMap<(u16, u64), usize> = FxHashMap::default();
    for (n, r) in repeats.iter().enumerate() {
        let kind = match r.kind {
            RepeatKind::Row => DuplicateKind::DuplicateRow,
            RepeatKind::ClientId => DuplicateKind::ExactDuplicate,
            RepeatKind::ClientIdDifferent => DuplicateKind::ConflictingDuplicate,
        };
        let index = u32::try_from(n).unwrap_or(u32::MAX);
        let key = (r.origin.table, r.first);
        let i = *by_first.entry(key).or_insert_with(|| {
            out.push(Found {
                kind,
                entity: r.entity,
                members: vec![Member {
                    who: Who::Repeat { index, first: true },
                    primary: true,
                    score: 1.0,
                }],
            });
            out.len() - 1
        });
        let g = &mut out[i];
        // A different repeat of the same first row makes the group a conflict.
        if kind == DuplicateKind::ConflictingDuplicate {
            g.kind = kind;
        }
        g.members.push(Member {
            who: Who::Repeat {
                index,
                first: false,
            },
            primary: false,
            score: 1.0,
        });
    }
}

/// A compared pair of clients (its reasons are worked out again for the few shown).
struct Pair {
    a: u32,
    b: u32,
    verdict: Verdict,
    score: f32,
}

impl Pair {
    /// Why the two are related, in words.
    fn reasons(&self, clients: &Clients) -> Vec<String> {
        compare_views(clients.view(self.a), clients.view(self.b)).reasons
    }
}

/// Every blocked pair compared; the pairs judged one person and the households.
fn client_pairs(clients: &Clients) -> (Vec<Pair>, Vec<Pair>) {
    // In a block too large for all pairs (every John Smith), neighbours share the first
    // name and have close postal codes: where a typo in the code or street still leaves
    // the same person.
    // Given names by their first four letters, so `J` and `John`, `Jon` and `John` are near.
    let order = |i: u32| {
        let f = clients.view(i);
        let mut first = [0u8; 4];
        for (d, s) in first.iter_mut().zip(f.get(Part::First).bytes()) {
            *d = s;
        }
        let mut postal = [0u8; 4];
        for (d, s) in postal.iter_mut().zip(f.get(Part::Postal).bytes()) {
            *d = s;
        }
        (u64::from(u32::from_be_bytes(first)) << 32) | u64::from(u32::from_be_bytes(postal))
    };
    let order: Vec<u64> = (0..clients.len() as u32)
        .into_par_iter()
        .map(order)
        .collect();
    let mut names = Names::default();
    let ids: Vec<[u32; 2]> = (0..clients.len() as u32)
        .map(|i| {
            let f = clients.view(i);
            [names.id(f.get(Part::First)), names.id(f.get(Part::Last))]
        })
        .collect();
    let quick: Vec<Quick> = (0..clients.len() as u32)
        .into_par_iter()
        .map(|i| {
            let k = &clients.keys[i as usize];
            Quick::of(clients.view(i), [k[0], k[1], k[2]], ids[i as usize])
        })
        .collect();
    drop(ids);
    let rules_out = |a: &Quick, b: &Quick| a.rules_out(b, &names);
    let judged = blocking::pairs(&clients.keys, &order, &quick, rules_out, |a, b| {
        let (verdict, score) = related(clients.view(a), clients.view(b))?;
        Some(Pair {
            a,
            b,
            verdict,
            score,
        })
    });
    let (mut same, mut households): (Vec<Pair>, Vec<Pair>) = judged
        .into_iter()
        .partition(|p| matches!(p.verdict, Verdict::Same | Verdict::Conflicting));
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
    clients: &Clients,
    pairs: &[Pair],
    out: &mut Vec<Found>,
) -> (FxHashMap<u64, u64>, Sets) {
    let mut sets = Sets::new(clients.len());
    for p in pairs {
        sets.join(p.a, p.b);
    }
    // Each member's strongest link to the group, as an index into `pairs`.
    let mut best: FxHashMap<u32, u32> = FxHashMap::default();
    for (n, p) in pairs.iter().enumerate() {
        let n = n as u32;
        for m in [p.a, p.b] {
            let e = best.entry(m).or_insert(n);
            if p.score > pairs[*e as usize].score {
                *e = n;
            }
        }
    }
    // Every paired record under its group's root, groups in the order of their kept record.
    let mut by_root: Vec<(u32, u32)> = best.keys().map(|&m| (sets.root(m), m)).collect();
    by_root.sort_unstable();
    let mut owners = FxHashMap::default();
    for group in by_root.chunk_by(|x, y| x.0 == y.0) {
        let root = group[0].0;
        let link = |m: u32| best.get(&m).map(|&n| (n, &pairs[n as usize]));
        let in_group: Vec<&Pair> = group
            .iter()
            .filter_map(|&(_, m)| link(m))
            .map(|l| l.1)
            .collect();
        let conflicting = in_group.iter().any(|p| p.verdict == Verdict::Conflicting);
        let exact = in_group.iter().all(|p| {
            let (a, b) = (clients.view(p.a), clients.view(p.b));
            a == b
                || !a.get(Part::Email).is_empty()
                    && a.get(Part::Email) == b.get(Part::Email)
                    && p.verdict == Verdict::Same
        });
        let kind = if conflicting {
            DuplicateKind::ConflictingDuplicate
        } else if exact {
            DuplicateKind::ExactDuplicate
        } else {
            DuplicateKind::FuzzyDuplicate
        };
        let kept = hashed(clients.id(root));
        let members = group
            .iter()
            .map(|&(_, m)| {
                if m != root {
                    owners.insert(hashed(clients.id(m)), kept);
                }
                let (score, link) = match link(m) {
                    Some((n, p)) if m != root => (p.score, Link::Same(n)),
                    _ => (1.0, Link::None),
                };
                Member {
                    who: Who::Client { index: m, link },
                    primary: m == root,
                    score,
                }
            })
            .collect();
        out.push(Found {
            kind,
            entity: Entity::Client,
            members,
        });
    }
    (owners, sets)
}

/// One group per household: clients who share an address or contact but are different
/// people. Flagged so a person can look; never merged.
fn household_groups(clients: &Clients, pairs: &[Pair], kept: &Sets, out: &mut Vec<Found>) {
    // A duplicate's household is its kept record's: only kept records are listed.
    let listed: Vec<u32> = (0..pairs.len() as u32)
        .filter(|&n| {
            let p = &pairs[n as usize];
            kept.parent(p.a) == p.a && kept.parent(p.b) == p.b
        })
        .collect();
    let mut sets = Sets::new(clients.len());
    for &n in &listed {
        let p = &pairs[n as usize];
        sets.join(p.a, p.b);
    }
    // Each member with the pair that brought it in (none for the first of its pairs).
    let mut link: FxHashMap<u32, Option<u32>> = FxHashMap::default();
    for &n in &listed {
        let p = &pairs[n as usize];
        link.entry(p.a).or_insert(None);
        link.entry(p.b).or_insert(Some(n));
    }
    let mut by_root: Vec<(u32, u32, Option<u32>)> = link
        .into_iter()
        .map(|(m, p)| (sets.root(m), m, p))
        .collect();
    by_root.sort_unstable_by_key(|&(root, m, _)| (root, m));
    for group in by_root.chunk_by(|x, y| x.0 == y.0) {
        out.push(Found {
            kind: DuplicateKind::SameHousehold,
            entity: Entity::Client,
            members: group
                .iter()
                .map(|&(_, m, p)| Member {
                    who: Who::Client {
                        index: m,
                        link: p.map_or(Link::None, Link::Household),
                    },
                    // Nobody is dropped from a household: every member is kept.
                    primary: true,
                    score: p.map_or(1.0, |n| pairs[n as usize].score),
                })
                .collect(),
        });
    }
}

/// Pets entered twice for one owner (the owner's duplicates counted as the owner): the same
/// species, the same or a very close name, and no contradicting dates of birth.
fn patient_groups(patients: &Patients, owners: &FxHashMap<u64, u64>, out: &mut Vec<Found>) {
    // A duplicate client's pets count as its kept record's.
    let owner_of = |p: &Pet<'_>| -> u64 { owners.get(&p.owner).copied().unwrap_or(p.owner) };
    // Pets side by side by owner and species: a sort of hashes, not a map of lists (a
    // million owners would be a million small vectors).
    let mut order: Vec<(u64, u32)> = (0..patients.entries.len() as u32)
        .into_par_iter()
        .map(|i| {
            let p = patients.get(i);
            let mut h = FxHasher::default();
            (owner_of(&p), p.species).hash(&mut h);
            (h.finish(), i)
        })
        .collect();
    order.par_sort_unstable();
    let blocks: Vec<&[(u64, u32)]> = order
        .chunk_by(|x, y| x.0 == y.0)
        .filter(|b| b.len() > 1)
        .collect();
    let found: Vec<Vec<Vec<(u32, f32)>>> = blocks
        .par_iter()
        .map(|block| pet_groups_of(patients, block, &owner_of))
        .collect();
    let mut groups: Vec<Vec<(u32, f32)>> = found.into_iter().flatten().collect();
    groups.sort_unstable_by_key(|g| g[0].0);
    for group in groups {
        let exact = group.iter().skip(1).all(|(_, s)| *s >= 1.0);
        out.push(Found {
            kind: if exact {
                DuplicateKind::ExactDuplicate
            } else {
                DuplicateKind::FuzzyDuplicate
            },
            entity: Entity::Patient,
            members: group
                .into_iter()
                .enumerate()
                .map(|(n, (index, score))| Member {
                    who: Who::Patient { index },
                    primary: n == 0,
                    score,
                })
                .collect(),
        });
    }
}

/// The groups of same pets among one block of pets (one owner and species, as hashed).
fn pet_groups_of(
    patients: &Patients,
    block: &[(u64, u32)],
    owner_of: &(impl Fn(&Pet<'_>) -> u64 + Sync),
) -> Vec<Vec<(u32, f32)>> {
    let mut groups = Vec::new();
    let list: Vec<(u32, Pet<'_>, u64)> = block
        .iter()
        .map(|&(_, i)| {
            let p = patients.get(i);
            let owner = owner_of(&p);
            (i, p, owner)
        })
        .collect();
    let mut taken = vec![false; list.len()];
    for (n, (a, pa, oa)) in list.iter().enumerate() {
        if taken[n] {
            continue;
        }
        let mut group = vec![(*a, 1.0)];
        for (m, (b, pb, ob)) in list.iter().enumerate().skip(n + 1) {
            // The same hash for another owner or species is a collision, not a match.
            if taken[m] || oa != ob || pa.species != pb.species {
                continue;
            }
            if let Some((score, _)) = same_pet(pa, pb) {
                taken[m] = true;
                group.push((*b, score));
            }
        }
        if group.len() > 1 {
            groups.push(group);
        }
    }
    groups
}

/// Whether two pets of one owner and species are one pet: score and reasons.
fn same_pet(a: &Pet<'_>, b: &Pet<'_>) -> Option<(f32, Vec<String>)> {
    let mut reasons = vec!["same owner and species".to_owned()];
    let dob = match (a.date_of_birth == 0, b.date_of_birth == 0) {
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
    let sim = super::similarity::jaro_winkler(a.name, b.name);
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

    #[test]
    fn a_short_name_typo_is_one_person_and_two_first_names_at_one_address_are_two() {
        let clients = [
            client(
                "1",
                "Ann",
                "Nash",
                "ann@example.com",
                "2175550143",
                "12 Oak St",
            ),
            client(
                "2",
                "Ann",
                "Nesh",
                "ann@example.com",
                "2175550143",
                "12 Oak St",
            ),
            client("3", "Jan", "Nash", "", "2175550143", "12 Oak St"),
            client("4", "Daniel", "Nash", "", "2175550143", "12 Oak St"),
            client("5", "Danielle", "Nash", "", "2175550143", "12 Oak St"),
        ];
        let g = groups(&clients, &[]);
        let members = |kind: DuplicateKind| -> Vec<Vec<&str>> {
            g.iter()
                .filter(|g| g.kind == kind)
                .map(|g| g.members.iter().map(|m| m.external_id.as_str()).collect())
                .collect()
        };
        assert_eq!(
            members(DuplicateKind::ExactDuplicate),
            vec![vec!["1", "2"]],
            "{g:#?}"
        );
        assert!(members(DuplicateKind::FuzzyDuplicate).is_empty(), "{g:#?}");
        assert_eq!(
            members(DuplicateKind::SameHousehold),
            vec![vec!["1", "3", "4", "5"]],
            "{g:#?}"
        );
    }
}
