//! Which pairs of clients are worth comparing: those that share a blocking key (the same
//! e-mail, phone, sound of the last name with the postal code or first initial, house number
//! and street...). Sorting the keys keeps the cost near-linear; a key shared by very many
//! clients (every John Smith) is cut into windows of neighbours instead of all pairs.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rphonetic::{DoubleMetaphone, Encoder};
use rustc_hash::{FxHashMap, FxHasher};

use super::fingerprint::{Part, View};

/// How many keys each client has (some may be absent).
pub const KEYS: usize = 8;

/// Blocks up to this size are compared all pairs; larger ones in windows.
const FULL_BLOCK: usize = 48;
/// In a large block, each client is compared with this many next to it (sorted by name).
const WINDOW: usize = 12;

/// The window of each kind of key (see [`KINDS`]). The sound of the last name with the first
/// initial is the loosest key: its large blocks (every J. Smith) only add the pairs whose
/// postal codes are one typo apart, and those sort side by side.
const WINDOWS: [usize; KEYS - 1] = [WINDOW, WINDOW, WINDOW, 4, WINDOW, WINDOW, WINDOW];
/// Blocks up to this size of each kind of key are compared all pairs. The sound of the last
/// name with the first initial, in windows of 4 past that, finds only the pairs whose postal
/// codes are one typo apart, and those sort side by side.
const FULL_BLOCKS: [usize; KEYS - 1] = [
    FULL_BLOCK, FULL_BLOCK, FULL_BLOCK, 8, FULL_BLOCK, FULL_BLOCK, FULL_BLOCK,
];

/// The blocking keys of one client; 0 means absent. 32-bit hashes: two different values
/// sharing one only adds a pair to compare, and a million clients' keys stay small.
pub type Keys = [u32; KEYS];

/// Works out blocking keys, remembering the sound of each distinct last name (a million
/// clients have far fewer names).
#[derive(Default)]
pub struct KeyMaker {
    sounds: FxHashMap<Box<str>, u32>,
    metaphone: DoubleMetaphone,
}

impl KeyMaker {
    /// The keys of `f`.
    pub fn keys(&mut self, f: View<'_>) -> Keys {
        let first = f.get(Part::First);
        let last = f.get(Part::Last);
        let initial = first.get(..1).unwrap_or_default();
        let sound = self.sound(last);
        let first_sound = self.sound(first);
        let postal = f.get(Part::Postal);
        let number = f.get(Part::Number);
        let street = f.get(Part::Street);
        [
            key(1, &[f.get(Part::Email)]),
            key(2, &[f.get(Part::Phone)]),
            key(2, &[f.get(Part::PhoneAlt)]),
            if sound == 0 {
                0
            } else {
                sounded(4, sound, postal)
            },
            if sound == 0 {
                0
            } else {
                sounded(5, sound, initial)
            },
            if street.is_empty() {
                0
            } else {
                // Spaces left out: words run together or apart (`boron ia drive`).
                let mut start = [0u8; 6];
                let bytes = street.bytes().filter(|b| *b != b' ');
                for (d, b) in start.iter_mut().zip(bytes) {
                    *d = b;
                }
                // The postal code without its last two characters (the area), so that a typo
                // there does not hide the same street address; all of it when there is no
                // house number.
                let area = match postal.len() {
                    n if n >= 4 && !number.is_empty() => postal.get(..n - 2).unwrap_or(postal),
                    _ => postal,
                };
                let mut h = FxHasher::default();
                (6u8, number, start, area).hash(&mut h);
                (h.finish() as u32).max(1)
            },
            // The sounds of the two names in either field (swapped first and last names, one
            // perhaps mistyped); the low bit says which way round (see `SWAPPED_KIND`).
            if sound == 0 || first_sound == 0 || sound == first_sound {
                0
            } else {
                let mut h = FxHasher::default();
                (7u8, sound.min(first_sound), sound.max(first_sound)).hash(&mut h);
                (h.finish() as u32 & !1) | 2 | u32::from(first_sound < sound)
            },
            // The given name with the postal code and house number: a family name mistyped
            // beyond its sound, or changed, and a street written differently. Without the
            // number every John of a postal code met every other (8.6 M pairs judged at a
            // million clients, 3 kept), for 0.007 of FEBRL's mean F1.
            if first.len() < 2 || postal.is_empty() {
                0
            } else {
                key(8, &[first, postal, number])
            },
        ]
    }

    /// The double-metaphone code of a folded name, hashed; 0 when there is none.
    fn sound(&mut self, name: &str) -> u32 {
        if name.is_empty() {
            return 0;
        }
        if let Some(&s) = self.sounds.get(name) {
            return s;
        }
        let code = self.metaphone.encode(name);
        let s = if code.is_empty() {
            key(3, &[name])
        } else {
            key(3, &[&code])
        };
        self.sounds.insert(name.into(), s);
        s
    }
}

/// A non-zero hash of `parts` under `tag`; 0 when every part is empty.
fn key(tag: u8, parts: &[&str]) -> u32 {
    if parts.iter().all(|p| p.is_empty()) {
        return 0;
    }
    let mut h = FxHasher::default();
    tag.hash(&mut h);
    parts.hash(&mut h);
    (h.finish() as u32).max(1)
}

/// A non-zero hash of a last name's sound and `part` under `tag`.
fn sounded(tag: u8, sound: u32, part: &str) -> u32 {
    let mut h = FxHasher::default();
    (tag, sound, part).hash(&mut h);
    (h.finish() as u32).max(1)
}

/// The key slots of each kind of key: the two phones are one kind, so a main phone meets
/// the other client's second phone.
const KINDS: [&[usize]; KEYS - 1] = [&[0], &[1, 2], &[3], &[4], &[5], &[6], &[7]];

/// The kind of the swapped-names key: its low bit says which way round the names are, and
/// only clients entered the other way round are paired (the same names the same way round
/// share the sound-and-initial key already).
const SWAPPED_KIND: usize = 5;

/// Whether `a` and `b` share a key of `kind`.
fn share(a: &Keys, b: &Keys, kind: &[usize]) -> bool {
    kind.iter()
        .any(|&s| a[s] != 0 && kind.iter().any(|&t| a[s] == b[t]))
}

/// Every pair of clients (indices into `keys`, `a < b`) that share a key, judged by
/// `judge` unless `rules_out` their summaries (one per client, small and `Copy`: a block's
/// are gathered side by side, where millions of pairs read them without cache misses); the
/// pairs `judge` keeps are returned, each once. Blocks too large for all pairs are
/// compared in windows of neighbours by `order` (each client's sort key, one that puts
/// likely matches side by side). Blocks are judged in parallel.
pub fn pairs<Q: Copy + Sync, T: Send>(
    keys: &[Keys],
    order: &[u64],
    summaries: &[Q],
    rules_out: impl Fn(&Q, &Q) -> bool + Sync,
    judge: impl Fn(u32, u32) -> Option<T> + Sync,
) -> Vec<T> {
    let mut kept = Vec::new();
    let mut entries: Vec<(u32, u32)> = Vec::with_capacity(keys.len());
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
        entries.par_sort_unstable();
        let cross = k == SWAPPED_KIND;
        let block_of = |key: u32| if cross { key >> 1 } else { key };
        let blocks: Vec<&[(u32, u32)]> = entries
            .chunk_by(|x, y| block_of(x.0) == block_of(y.0))
            .filter(|b| b.len() > 1)
            .collect();
        let found: Vec<Vec<T>> = blocks
            .par_iter()
            .map(|block| {
                let mut out = Vec::new();
                let mut members: Vec<(u32, u32)> = block.to_vec();
                let window = if members.len() <= FULL_BLOCKS[k] {
                    members.len()
                } else {
                    members.sort_unstable_by_key(|&(key, i)| (order[i as usize], key, i));
                    WINDOWS[k] + 1
                };
                let local: Vec<(Keys, Q)> = members
                    .iter()
                    .map(|&(_, i)| (keys[i as usize], summaries[i as usize]))
                    .collect();
                for (n, (&(kx, x), (kkx, qx))) in members.iter().zip(&local).enumerate() {
                    let later = members.iter().zip(&local).skip(n + 1).take(window - 1);
                    for (&(ky, y), (kky, qy)) in later {
                        if cross && kx == ky {
                            continue;
                        }
                        // A pair sharing an earlier kind of key was judged there already.
                        if KINDS[..k].iter().any(|earlier| share(kkx, kky, earlier)) {
                            continue;
                        }
                        if rules_out(qx, qy) {
                            continue;
                        }
                        let (a, b) = if x < y { (x, y) } else { (y, x) };
                        if let Some(t) = judge(a, b) {
                            out.push(t);
                        }
                    }
                }
                out
            })
            .collect();
        kept.extend(found.into_iter().flatten());
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::super::fingerprint::Fingerprint;
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
        let keys: Vec<Keys> = clients.iter().map(|c| maker.keys(c.view())).collect();
        let mut seen = pairs(
            &keys,
            &vec![0; keys.len()],
            &vec![(); keys.len()],
            |_, _| false,
            |a, b| Some((a, b)),
        );
        seen.sort_unstable();
        // Smith John meets Jon Smyth too: the swapped names sound the same.
        assert_eq!(seen, vec![(0, 1), (0, 3), (1, 3)]);
    }

    fn at(first: &str, last: &str, street: &str, zip: &str) -> Fingerprint {
        Fingerprint::of(&ClientRecord {
            first_name: first.into(),
            last_name: last.into(),
            address_line1: street.into(),
            postal_code: zip.into(),
            ..ClientRecord::default()
        })
    }

    #[test]
    fn a_mistyped_postal_code_or_family_name_still_meets_its_record() {
        let mut maker = KeyMaker::default();
        let clients = [
            at("Abby", "Toseland", "55 Haines St", "2877"),
            // The street address, a postal code of the same area and a family name of another
            // sound.
            at("Abby", "Moseland", "55 Haines St", "2871"),
            // The given name and postal code, the family name and street mistyped.
            at("Abby", "Xoseland", "55 Hianes St", "2877"),
            // Neither: another given name, street and postal code.
            at("Kate", "Toselda", "7 Lake Dr", "8277"),
        ];
        let keys: Vec<Keys> = clients.iter().map(|c| maker.keys(c.view())).collect();
        let mut seen = pairs(
            &keys,
            &vec![0; keys.len()],
            &vec![(); keys.len()],
            |_, _| false,
            |a, b| Some((a, b)),
        );
        seen.sort_unstable();
        assert_eq!(seen, vec![(0, 1), (0, 2)]);
    }

    #[test]
    fn a_huge_block_is_compared_in_windows() {
        let mut maker = KeyMaker::default();
        let keys: Vec<Keys> = (0..1000)
            .map(|_| maker.keys(fp("John", "Smith", "").view()))
            .collect();
        let count = pairs(
            &keys,
            &vec![0; keys.len()],
            &vec![(); keys.len()],
            |_, _| false,
            |_, _| Some(()),
        )
        .len();
        assert!(count < 1000 * WINDOW, "{count} pairs");
        assert!(count >= 999, "{count} pairs");
    }
}
