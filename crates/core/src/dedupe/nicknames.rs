//! Given names that can be the same person (`Bill` and `William`), from the table in
//! `data/nicknames.txt`.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

const TABLE: &str = include_str!("data/nicknames.txt");

/// Each name → the groups it stands in.
fn groups() -> &'static FxHashMap<&'static str, Vec<u16>> {
    static GROUPS: OnceLock<FxHashMap<&'static str, Vec<u16>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut map: FxHashMap<&'static str, Vec<u16>> = FxHashMap::default();
        let lines = TABLE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        for (i, line) in lines.enumerate() {
            let group = u16::try_from(i).unwrap_or(u16::MAX);
            for name in line.split_whitespace() {
                let entry = map.entry(name).or_default();
                if !entry.contains(&group) {
                    entry.push(group);
                }
            }
        }
        map
    })
}

/// Whether two different folded given names are forms of one name (`bill`, `william`;
/// `liz`, `beth`).
pub fn are_variants(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let groups = groups();
    match (groups.get(a), groups.get(b)) {
        (Some(x), Some(y)) => x.iter().any(|g| y.contains(g)),
        _ => false,
    }
}

/// The groups `name` stands in, as bits (group number modulo 64); 0 when it is in none. Two
/// names that are variants share a bit (the converse does not hold).
pub fn group_bits(name: &str) -> u64 {
    groups()
        .get(name)
        .map_or(0, |gs| gs.iter().fold(0, |bits, g| bits | 1 << (g % 64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_are_variants_of_their_name_and_of_each_other() {
        assert!(are_variants("bill", "william"));
        assert!(are_variants("william", "bill"));
        assert!(are_variants("liz", "beth"));
        assert!(are_variants("chris", "christine"));
        assert!(are_variants("chris", "christopher"));
        assert!(!are_variants("christopher", "christine"));
        assert!(!are_variants("john", "mary"));
        assert!(!are_variants("john", "john"));
        assert!(!are_variants("zebedee", "william"));
    }

    #[test]
    fn variants_share_a_group_bit() {
        for (a, b) in [("bill", "william"), ("liz", "beth"), ("chris", "christine")] {
            assert_ne!(group_bits(a) & group_bits(b), 0, "{a} / {b}");
        }
        assert_eq!(group_bits("zebedee"), 0);
    }
}
