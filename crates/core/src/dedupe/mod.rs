//! Duplicates: clients and pets the clinic's files list more than once, and how each
//! incoming record relates to what the clinic already has in PH.
//!
//! `normalize` and `fingerprint` put identifying values in comparable form, `compare`
//! weighs the evidence between two clients, `blocking` picks the pairs worth comparing,
//! `within` groups the file's own duplicates, `classify` matches the file against PH and
//! `resolve` applies the person's policies and decisions.

mod blocking;
pub mod classify;
mod compare;
mod fingerprint;
mod nicknames;
pub mod normalize;
pub mod output;
pub mod resolve;
mod similarity;
mod spill;
mod within;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::Entity;

pub use compare::{compare, Comparison, Verdict};
pub use fingerprint::{Fingerprint, Part};
pub use within::{Collector, Spilling};

/// Column names of `duplicates.*`.
pub const DUPLICATE_COLUMNS: [&str; 9] = [
    "group_id",
    "kind",
    "entity",
    "external_id",
    "file",
    "row",
    "primary",
    "score",
    "reasons",
];

/// Why records are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DuplicateKind {
    /// The same client ID twice, or the same person with the same e-mail.
    ExactDuplicate,
    /// The same person by fuzzy evidence (typos, nicknames, reformatted phone...).
    FuzzyDuplicate,
    /// The same person, but a different address or phone: someone must say which is right.
    ConflictingDuplicate,
    /// Different people sharing an address or contact: flagged, never merged.
    SameHousehold,
    /// A row repeated cell for cell (not converted twice).
    DuplicateRow,
}

impl DuplicateKind {
    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateKind::ExactDuplicate => "exact_duplicate",
            DuplicateKind::FuzzyDuplicate => "fuzzy_duplicate",
            DuplicateKind::ConflictingDuplicate => "conflicting_duplicate",
            DuplicateKind::SameHousehold => "same_household",
            DuplicateKind::DuplicateRow => "duplicate_row",
        }
    }
}

/// Records of the file that are (or may be) one client or one pet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DuplicateGroup {
    /// Numbered from 1 in the order groups are reported.
    pub id: u32,
    /// Why the members are grouped.
    pub kind: DuplicateKind,
    /// Clients or pets.
    pub entity: Entity,
    /// The records, the kept one(s) marked primary.
    pub members: Vec<GroupMember>,
}

/// One record of a [`DuplicateGroup`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupMember {
    /// The record's ID in the file (derived when the file has none; empty for a repeated row).
    pub external_id: String,
    /// The file (and sheet) it is in.
    pub file: String,
    /// Its row in that file.
    #[ts(type = "number")]
    pub row: u64,
    /// Whether this is the record kept (every member of a household is kept).
    pub primary: bool,
    /// How sure the link to the group is, 0 to 1 (1 for the primary).
    pub score: f32,
    /// Why it is linked ("same phone", "name similarity 0.93").
    pub reasons: Vec<String>,
}

/// How many groups of each kind.
pub fn count_by_kind(groups: &[DuplicateGroup]) -> Vec<(DuplicateKind, usize)> {
    let mut out: Vec<(DuplicateKind, usize)> = Vec::new();
    for g in groups {
        match out.iter_mut().find(|(k, _)| *k == g.kind) {
            Some((_, n)) => *n += 1,
            None => out.push((g.kind, 1)),
        }
    }
    out
}
