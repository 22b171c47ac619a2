//! Whole-file checks: owners repeated with different details, pets without owners,
//! rows repeated verbatim.
//!
//! Memory is what a million-row file needs: a small per-client summary (a 16-bit hash of
//! each field and the first row) and an 8-byte hash per distinct row, never the rows.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The keys are hashes already (or short IDs hashed once): FNV-1a instead of SipHash,
/// whose resistance to crafted keys a local file does not need.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

use crate::canonical::{ClientRecord, Entity, Field};

const CLIENT_FIELDS: usize = 13;

fn fnv(bytes: impl Iterator<Item = u8>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A short hash of each field of a client, which is all the registry keeps of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientHashes([u16; CLIENT_FIELDS]);

#[derive(Debug, Clone)]
struct Seen {
    row: u64,
    fields: ClientHashes,
}

fn field_hashes(c: &ClientRecord) -> ClientHashes {
    let mut out = [0u16; CLIENT_FIELDS];
    for (slot, f) in out.iter_mut().zip(Field::of(Entity::Client)) {
        // Folded to 16 bits: a difference is missed once in 65,536 comparisons at worst.
        let h = fnv(c.get(f).bytes());
        *slot = (h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48)) as u16;
    }
    ClientHashes(out)
}

/// The clients of one run, by ID: the first row's details, to spot repeats that differ.
#[derive(Default, Clone)]
pub struct ClientRegistry {
    seen: FastMap<String, Seen>,
    /// Numeric IDs without their leading zeros → the ID (`None`: several), built only
    /// when a pet's owner is not found, so files without orphans never pay for it.
    unpadded: Option<(usize, FastMap<String, Option<String>>)>,
}

/// What the registry said about a client row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repeat {
    /// The first time this ID is seen.
    New,
    /// Seen before on `row` with the same details.
    Same {
        /// Where the client was first seen.
        row: u64,
    },
    /// Seen before on `row` with different `fields`.
    Different {
        /// Where the client was first seen.
        row: u64,
        /// The fields that differ.
        fields: Vec<Field>,
    },
}

impl ClientRegistry {
    /// Records a client row (after normalization, so case and spacing do not count).
    pub fn add(&mut self, key: &str, client: &ClientRecord, row: u64) -> Repeat {
        self.add_hashed(key, field_hashes(client), row)
    }

    /// What [`ClientRegistry::add_hashed`] compares: pure, so it can be computed on any thread.
    pub fn hashes(client: &ClientRecord) -> ClientHashes {
        field_hashes(client)
    }

    /// Like [`ClientRegistry::add`], with the client's [`ClientRegistry::hashes`].
    pub fn add_hashed(&mut self, key: &str, fields: ClientHashes, row: u64) -> Repeat {
        match self.seen.get(key) {
            None => {
                self.seen.insert(key.to_string(), Seen { row, fields });
                Repeat::New
            }
            Some(seen) if seen.fields == fields => Repeat::Same { row: seen.row },
            Some(seen) => Repeat::Different {
                row: seen.row,
                fields: Field::of(Entity::Client)
                    .zip(seen.fields.0.iter().zip(fields.0.iter()))
                    .filter(|(_, (a, b))| a != b)
                    .map(|(f, _)| f)
                    .collect(),
            },
        }
    }

    /// Whether a client with this ID was seen.
    pub fn contains(&self, key: &str) -> bool {
        self.seen.contains_key(key)
    }

    /// The client ID that `key` matches once leading zeros are ignored ("123" and "00123"),
    /// when exactly one does: a spreadsheet drops the zeros of a numeric ID column in one
    /// file and not in the other. `None` for non-numeric keys or no single match.
    pub fn match_without_zeros(&mut self, key: &str) -> Option<String> {
        let bare = unpadded(key)?;
        let stale = self
            .unpadded
            .as_ref()
            .is_none_or(|(len, _)| *len != self.seen.len());
        if stale {
            let mut index: FastMap<String, Option<String>> = FastMap::default();
            for id in self.seen.keys() {
                if let Some(b) = unpadded(id) {
                    index
                        .entry(b.to_string())
                        .and_modify(|v| *v = None)
                        .or_insert_with(|| Some(id.clone()));
                }
            }
            self.unpadded = Some((self.seen.len(), index));
        }
        let (_, index) = self.unpadded.as_ref()?;
        index.get(bare).cloned().flatten().filter(|id| id != key)
    }

    /// How many distinct clients were seen.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether none were.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// `str::trim`, with a shortcut for the usual cell that starts and ends with a visible
/// ASCII character (the full trim walks Unicode whitespace tables from both ends).
fn trim(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// The form in which the linker compares an owner ID with the client IDs when the exact
/// text does not match: trimmed, and a numeric ID without its leading zeros. The mapping's
/// cross-table evidence compares columns in this same form.
pub fn link_key(id: &str) -> &str {
    let t = trim(id);
    unpadded(t).unwrap_or(t)
}

/// A numeric ID without its leading zeros; `None` when it is not all digits.
fn unpadded(id: &str) -> Option<&str> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bare = id.trim_start_matches('0');
    Some(if bare.is_empty() { "0" } else { bare })
}

/// Rows identical to an earlier row of the same table (every cell, ignoring surrounding
/// spaces and letter case), e.g. an export that listed a pet twice.
#[derive(Default, Clone)]
pub struct DuplicateRows {
    seen: FastMap<(u64, u64), u64>,
}

impl DuplicateRows {
    /// The row number of an earlier identical row of `table`, or `None` (and remembered).
    /// Blank rows are never duplicates.
    pub fn check(&mut self, table: &str, cells: &[String], row: u64) -> Option<u64> {
        let hash = Self::hash_row(cells)?;
        self.check_hash(table, hash, row)
    }

    /// The hash [`DuplicateRows::check_hash`] compares (cells trimmed, letter case
    /// ignored); `None` for a blank row. Pure, so it can be computed on any thread.
    pub fn hash_row(cells: &[String]) -> Option<u64> {
        let mut blank = true;
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for cell in cells {
            let cell = trim(cell);
            blank &= cell.is_empty();
            for b in cell.bytes().chain(std::iter::once(0x1f)) {
                hash ^= u64::from(b.to_ascii_lowercase());
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        (!blank).then_some(hash)
    }

    /// Like [`DuplicateRows::check`], with the row's hash from [`DuplicateRows::hash_row`].
    pub fn check_hash(&mut self, table: &str, row_hash: u64, row: u64) -> Option<u64> {
        let table_hash = fnv(table.bytes());
        match self.seen.get(&(table_hash, row_hash)) {
            Some(&first) => Some(first),
            None => {
                self.seen.insert((table_hash, row_hash), row);
                None
            }
        }
    }
}
