//! Which pairs of clients are worth comparing: those that share a blocking key (the same
//! e-mail, phone, sound of the last name with the postal code or first initial, house number
//! and street...). Sorting the keys keeps the cost near-linear; a key shared by very many
//! clients (every John Smith) is cut into windows of neighbours instead of all pairs.

use std::hash::{Hash, Hasher};

use rphonetic::{DoubleMetaphone, Encoder};
use rustc_hash::{FxHashMap, FxHasher};

use super::fingerprint::{Fingerprint, Part};

/// How many keys each client has (some may be absent).
pub const KEYS: usize = 7;

/// Blocks up to this size are compared all pairs; larger ones in windows.
const FULL_BLOCK: usize = 48;
/// In a large block, each client is compared with this many next to it (sorted by name).
const WINDOW: usize = 12;

/// The blocking keys of one client; 0 means absent.
pub type Keys = [u64; KEYS];

/// Works out blocking keys, remembering the sound of each distinct last name (a million
/// clients have far fewer names).
#[derive(Default)]
pub struct KeyMaker {
    sounds: FxHashMap<Box<str>, u64>,
    metaphone: DoubleMetaphone,
}

impl KeyMaker {
    /// The keys of `f`.
    pub fn keys(&mut self, f: &Fingerprint) -> Keys {
        let first = f.get(Part::First);
        let last = f.get(Part::Last);
        let initial = first.get(..1).unwrap_or_default();
        let sound = self.sound(last);
        let postal = f.get(Part::Postal);
        let number = f.get(Part::Number);
        let street = f.get(Part::Street);
        let (lo, hi) = if first <= last {
            (first, last)
        } else {
            (last, first)
        };
        [
            key(1, &[f.get(Part::Email)]),
            key(2, &[f.get(Part::Phone)]),
            key(2, &[f.get(Part::PhoneAlt)]),
            if sound == 0 {
                0
            } else {
                key(4, &[&sound.to_string(), postal])
            },
            if sound == 0 {
                0
            } else {
                key(5, &[&sound.to_string(), initial])
            },
            if street.is_empty() {
                0
            } else {
                key(
                    6,
                    &[
                        number,
                        street.get(..street.len().min(6)).unwrap_or(street),
                        postal,
                    ],
                )
            },
            // The same two names in either field (swapped first and last names).
            if first.is_empty() || last.is_empty() {
                0
            } else {
                key(7, &[lo, hi])
            },
        ]
    }

    /// The double-metaphone code of a folded last name, hashed; 0 when there is none.
    fn sound(&mut self, last: &str) -> u64 {
        if last.is_empty() {
            return 0;
        }
        if let Some(&s) = self.sounds.get(last) {
            return s;
        }
        let code = self.metaphone.encode(last);
        let s = if code.is_empty() {
            key(3, &[last])
        } else {
            key(3, &[&code])
        };
        self.sounds.insert(last.into(), s);
        s
    }
}

/// A non-zero hash of `parts` under `tag`; 0 when every part is empty.
fn key(tag: u8, parts: &[&str]) -> u64 {
    if parts.iter().all(|p| p.is_empty()) {
        return 0;
    }
    let mut h = FxHasher::default();
    tag.hash(&mut h);
    parts.hash(&mut h);
    h.finish().max(1)
}

/// The key slots of each kind of key: the two phones are one kind, so a main phone meets
/// the other client's second phone.
const KINDS: [&[usize]; KEYS - 1] = [&[0], &[1, 2], &[3], &[4], &[5], &[6]];

/// Whether `a` and `b` share a key of `kind`.
fn share(a: &Keys, b: &Keys, kind: &[usize]) -> bool {
    kind.iter()
        .any(|&s| a[s] != 0 && kind.iter().any(|&t| a[s] == b[t]))
}

/// Calls `each(a, b)` for every pair of clients (indices into `keys`, `a < b`) that share a
/// key, once per pair save rare repeats; blocks too large for all pairs are compared in
/// windows of neighbours by `order` (a sort key such as the name).
pub fn pairs(keys: &[Keys], order: impl Fn(u32) -> u64, mut each: impl FnMut(u32, u32)) {
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(keys.len());
    let mut block: Vec<u32> = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        entries.clear();
        for (i, ks) in keys.iter().enumerate() {
            let mut last = 0;
            for &s in kind.iter() {
                if ks[s] != 0 && ks[s] != last {
                    entries.push((ks[s], i as u32));
                    last = ks[s];
                }
            }
        }
        entries.sort_unstable();
        let mut start = 0;
        while start < entries.len() {
            let block_key = entries[start].0;
            let len = entries[start..]
                .iter()
                .take_while(|(key, _)| *key == block_key)
                .count();
            block.clear();
            block.extend(entries[start..start + len].iter().map(|&(_, i)| i));
            start += len;
            let window = if block.len() <= FULL_BLOCK {
                block.len()
            } else {
                block.sort_by_key(|&i| (order(i), i));
                WINDOW + 1
            };
            for (n, &x) in block.iter().enumerate() {
                for &y in block.iter().skip(n + 1).take(window - 1) {
                    let (a, b) = if x < y { (x, y) } else { (y, x) };
                    let (ka, kb) = (&keys[a as usize], &keys[b as usize]);
                    // A pair sharing an earlier kind of key was compared there already.
                    if !KINDS[..k].iter().any(|earlier| share(ka, kb, earlier)) {
                        each(a, b);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::ClientRecord;

    fn fp(first: &str, last: &str, phone: &str) -> Fingerprint {
        Fingerprint::of(&ClientRecord {
            first_name: first.into(),
            last_name: last.into(),
            phone: phone.into(),
            ..ClientRecord::default()
        })
    }

    #[test]
    fn clients_sharing_a_key_are_paired_once() {
        let mut maker = KeyMaker::default();
        let clients = [
            fp("John", "Smith", "2175550143"),
            fp("Jon", "Smyth", "2175550143"),
            fp("Mary", "Jones", "3125550100"),
            fp("Smith", "John", ""),
        ];
        let keys: Vec<Keys> = clients.iter().map(|c| maker.keys(c)).collect();
        let mut seen = Vec::new();
        pairs(&keys, u64::from, |a, b| seen.push((a, b)));
        seen.sort_unstable();
        assert_eq!(seen, vec![(0, 1), (0, 3)]);
    }

    #[test]
    fn a_huge_block_is_compared_in_windows() {
        let mut maker = KeyMaker::default();
        let keys: Vec<Keys> = (0..1000)
            .map(|_| maker.keys(&fp("John", "Smith", "")))
            .collect();
        let mut count = 0usize;
        pairs(&keys, u64::from, |_, _| count += 1);
        assert!(count < 1000 * WINDOW, "{count} pairs");
        assert!(count >= 999, "{count} pairs");
    }
}
