//! Pets side by side: numbered column groups (`Pet1 Name`, `Pet 2 Species`, `Name_2`,
//! `Patient #3 Breed`, `Animal2Sex`) that repeat the first pet's columns for further pets
//! of the same client.
//!
//! Headers alone only say which columns differ by a number ([`families`]); whether a
//! family is a pet's (and not `Phone1`/`Phone2` or `Address1`/`Address2`) is decided by
//! what its first column maps to (`suggest`).

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use super::model::{GroupColumn, PetGroup};

/// Numbers above this are not a pet's number (years, codes, `Address 1..4` fits well below).
const MAX_NUMBER: u32 = 20;

/// Columns whose headers differ only by a number: `Pet1 Name`, `Pet2 Name`, `Pet3 Name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Family {
    /// The header without its number, letters and digits lowercased (`petname`).
    pub(crate) stem: String,
    /// Column index by number; an unnumbered header with the family's stem counts as 1
    /// (`Name` beside `Name_2`) when no header says 1.
    pub(crate) by_number: BTreeMap<u32, usize>,
}

impl Family {
    /// The first group's column (the lowest number).
    pub(crate) fn first(&self) -> Option<usize> {
        self.by_number.values().next().copied()
    }

    /// The columns of the groups after the first.
    pub(crate) fn later(&self) -> impl Iterator<Item = usize> + '_ {
        self.by_number.values().skip(1).copied()
    }
}

/// The number in a header and the header without it, compacted; `None` unless the header
/// holds exactly one run of digits, 1 to [`MAX_NUMBER`].
fn numbered(header: &str) -> Option<(u32, String)> {
    let runs: Vec<(usize, usize)> = digit_runs(header);
    let [(start, end)] = runs[..] else {
        return None;
    };
    let number: u32 = header.get(start..end)?.parse().ok()?;
    if number == 0 || number > MAX_NUMBER {
        return None;
    }
    let stem = compact(&format!("{}{}", &header[..start], &header[end..]));
    (!stem.is_empty()).then_some((number, stem))
}

/// The header without its group number, for reading what the column is (`Pet1 Name` →
/// `Pet Name`, `Patient #3 Breed` → `Patient Breed`, `Name_2` → `Name`); `None` when the
/// header has no single number.
pub(crate) fn unnumbered(header: &str) -> Option<String> {
    let [(start, end)] = digit_runs(header)[..] else {
        return None;
    };
    let before = header[..start].trim_end_matches(['#', '_', '-', '.']);
    let after = &header[end..];
    let joined = format!("{before} {after}");
    let words: Vec<&str> = joined.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Byte ranges of the runs of ASCII digits.
fn digit_runs(s: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, b) in s.bytes().enumerate() {
        match (b.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                runs.push((st, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        runs.push((st, s.len()));
    }
    runs
}

/// Lowercase letters and digits only: `Pet Name_`, `PetName` and `pet-name` compare equal.
fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The families of numbered headers with at least two members, in the order of their first
/// column.
pub(crate) fn families(headers: &[String]) -> Vec<Family> {
    let mut by_stem: BTreeMap<String, BTreeMap<u32, usize>> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some((n, stem)) = numbered(h) {
            // The first of two equal headers wins (the reader makes them unique anyway).
            by_stem.entry(stem).or_default().entry(n).or_insert(i);
        }
    }
    let mut out: Vec<Family> = by_stem
        .into_iter()
        .map(|(stem, mut by_number)| {
            if let Entry::Vacant(one) = by_number.entry(1) {
                if let Some(i) = headers.iter().position(|h| compact(h) == stem) {
                    one.insert(i);
                }
            }
            Family { stem, by_number }
        })
        .filter(|f| f.by_number.len() >= 2)
        .collect();
    out.sort_by_key(|f| f.first());
    out
}

/// The further pets of the families that are a pet's, as the mapping writes them: for
/// each number after the first, the first group's column and this group's.
pub(crate) fn pet_groups(headers: &[String], pets: &[&Family]) -> Vec<PetGroup> {
    let mut by_number: BTreeMap<u32, Vec<GroupColumn>> = BTreeMap::new();
    for f in pets {
        let Some(first) = f.first().and_then(|i| headers.get(i)) else {
            continue;
        };
        for (&n, &i) in f.by_number.iter().skip(1) {
            if let Some(column) = headers.get(i) {
                by_number.entry(n).or_default().push(GroupColumn {
                    first: first.clone(),
                    column: column.clone(),
                });
            }
        }
    }
    by_number
        .into_iter()
        .map(|(number, columns)| PetGroup { number, columns })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    /// The families as `stem: number=header …`, for readable assertions.
    fn show(headers: &str) -> Vec<String> {
        let h = heads(headers);
        families(&h)
            .iter()
            .map(|f| {
                let members: Vec<String> = f
                    .by_number
                    .iter()
                    .map(|(n, &i)| format!("{n}={}", h[i]))
                    .collect();
                format!("{}: {}", f.stem, members.join(" "))
            })
            .collect()
    }

    #[test]
    fn prefix_and_suffix_numbers_of_every_style_form_families() {
        assert_eq!(
            show("Client,Pet1 Name,Pet1 Species,Pet2 Name,Pet2 Species"),
            [
                "petname: 1=Pet1 Name 2=Pet2 Name",
                "petspecies: 1=Pet1 Species 2=Pet2 Species"
            ]
        );
        assert_eq!(
            show("Pet 1 Name,Pet 2 Name,Pet 3 Name"),
            ["petname: 1=Pet 1 Name 2=Pet 2 Name 3=Pet 3 Name"]
        );
        assert_eq!(
            show("Patient #1 Breed,Patient #3 Breed"),
            ["patientbreed: 1=Patient #1 Breed 3=Patient #3 Breed"]
        );
        assert_eq!(
            show("Animal1Sex,Animal2Sex"),
            ["animalsex: 1=Animal1Sex 2=Animal2Sex"]
        );
        // The first group unnumbered, the others with a suffix.
        assert_eq!(
            show("Owner,Name,Species,Name_2,Species_2,Name_3"),
            [
                "name: 1=Name 2=Name_2 3=Name_3",
                "species: 1=Species 2=Species_2"
            ]
        );
    }

    #[test]
    fn the_number_is_taken_out_to_read_the_header() {
        for (header, want) in [
            ("Pet1 Name", "Pet Name"),
            ("Pet 2 Species", "Pet Species"),
            ("Patient #3 Breed", "Patient Breed"),
            ("Animal2Sex", "Animal Sex"),
            ("Name_2", "Name"),
            ("Weight (lb)_2", "Weight (lb)"),
        ] {
            assert_eq!(unnumbered(header).as_deref(), Some(want), "{header}");
        }
        assert_eq!(unnumbered("Name"), None);
    }

    #[test]
    fn headers_with_no_number_or_several_or_a_year_form_none() {
        assert!(show("Name,Species,Email").is_empty());
        assert!(show("Visit 2024,Visit 2025").is_empty());
        assert!(show("Pet1 Vacc2,Pet2 Vacc2").is_empty());
        // One numbered header alone is no family.
        assert!(show("Email,Phone 2").is_empty());
    }

    #[test]
    fn client_columns_numbered_alike_are_families_that_suggest_then_rejects() {
        // Headers alone cannot tell them from pets; the mapping of their first column does
        // (see `suggest`'s tests): these are families here, and never pet groups there.
        assert_eq!(
            show("Phone1,Phone2,Address1,Address2,Email,Email 2"),
            [
                "phone: 1=Phone1 2=Phone2",
                "address: 1=Address1 2=Address2",
                "email: 1=Email 2=Email 2"
            ]
        );
    }

    #[test]
    fn pet_groups_pair_each_first_column_with_its_own() {
        let h = heads("Pet1 Name,Pet1 DOB,Pet2 Name,Pet3 Name,Pet3 DOB");
        let fams = families(&h);
        let refs: Vec<&Family> = fams.iter().collect();
        let groups = pet_groups(&h, &refs);
        let shown: Vec<(u32, Vec<(String, String)>)> = groups
            .into_iter()
            .map(|g| {
                (
                    g.number,
                    g.columns.into_iter().map(|c| (c.first, c.column)).collect(),
                )
            })
            .collect();
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            shown,
            [
                (2, vec![pair("Pet1 Name", "Pet2 Name")]),
                (
                    3,
                    vec![pair("Pet1 Name", "Pet3 Name"), pair("Pet1 DOB", "Pet3 DOB")]
                ),
            ]
        );
    }
}
