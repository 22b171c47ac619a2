//! Whether two clients are the same person: evidence from names, e-mail, phones and address,
//! weighed, with the reasons a person can check.
//!
//! The weights are log-odds in the spirit of Fellegi–Sunter: agreement on a value that is
//! rare between different people (an e-mail address, a phone number, a house number and
//! street) counts much more than agreement on one shared by many (a city, a state).
//! Disagreement counts against, less so for values people change (e-mail, phone) than for
//! names. The decision then looks at the names separately, so a household (same address,
//! different first names) is never called one person however much else it shares.

use serde::{Deserialize, Serialize};
use strsim::osa_distance;
use ts_rs::TS;

use super::fingerprint::{Fingerprint, Part, View};
use super::nicknames;
use super::similarity::jaro_winkler;

/// How two clients relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Verdict {
    /// One person, and their details agree (or one record lacks some).
    Same,
    /// One person, but the records disagree on the address or the phone: someone must say
    /// which is right.
    Conflicting,
    /// Different people who share an address, phone or e-mail (a family): flagged, never
    /// merged.
    Household,
    /// Not related as far as the evidence goes.
    Different,
}

/// The outcome of comparing two clients.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// What the evidence says.
    pub verdict: Verdict,
    /// How sure, 0 to 1: the match weight on a logistic scale.
    pub score: f32,
    /// Why, in words a person checks against the two records ("same phone", "first name
    /// Bill / William").
    pub reasons: Vec<String>,
    /// Only a name change ties them (the same given name at the same full address under
    /// another family name): one person, or two people of one name, as a person decides.
    pub name_change: bool,
}

/// The weight above which two clients whose names agree are one person.
const SAME_PERSON: f32 = 7.0;

/// How well two names agree.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
enum NameAgreement {
    /// One or both missing.
    Unknown,
    /// Clearly different names.
    Differ,
    /// An initial against a name that starts with it.
    Initial,
    /// Spelled differently but close (a typo, a variant, a nickname).
    Close,
    /// Equal once folded.
    Exact,
}

/// Compares two clients.
pub fn compare(a: &Fingerprint, b: &Fingerprint) -> Comparison {
    compare_views(a.view(), b.view())
}

/// Compares two clients' fingerprints wherever they are kept.
pub fn compare_views(a: View<'_>, b: View<'_>) -> Comparison {
    let e = Evidence::of(a, b);
    e.comparison()
}

/// The verdict and score of two clients, or `None` when they are unrelated: the blocking
/// pass calls this for millions of pairs, most of them strangers, so it rules those out
/// before any similarity is computed, and writes no reasons ([`compare`] does, for the few
/// pairs shown).
pub fn related(a: View<'_>, b: View<'_>) -> Option<(Verdict, f32)> {
    let email = agree_exact(a.get(Part::Email), b.get(Part::Email));
    let phone = phones(a, b);
    // A different postal code (not a typo) rules out the same street, so without a shared
    // e-mail or phone nothing is left to tie the two together.
    if email != Some(true) && phone != Some(true) {
        if postal(a.get(Part::Postal), b.get(Part::Postal)).1 == Some(false)
            && !(same_number(a, b) && same_city(a, b) == Some(true))
        {
            return None;
        }
        // Given names that cannot agree (other initials, not nicknames, not swapped) leave
        // only a household at one street address, and family names that cannot agree
        // only a name change there (or a typo the same street makes likely): two house
        // numbers rule both out. The given names go first: their test is cheaper.
        let (na, nb) = (a.get(Part::Number), b.get(Part::Number));
        let no_street = a.get(Part::Street).is_empty() || b.get(Part::Street).is_empty();
        let two_addresses = no_street || !na.is_empty() && !nb.is_empty() && na != nb;
        if two_addresses && (!given_names_can_agree(a, b) || !family_names_can_agree(a, b)) {
            return None;
        }
    }
    let e = Evidence::of(a, b);
    (e.verdict != Verdict::Different).then(|| (e.verdict, e.score()))
}

/// What rules most pairs of strangers out without their text: the cheap first part of
/// [`related`], kept per client, for the blocking pass's millions of pairs. Hashes stand in
/// for contacts and addresses, so equal hashes only mean "maybe equal", and a maybe is never
/// ruled out; names are numbered exactly by [`Names`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Quick {
    /// The e-mail and phone blocking keys (0 for none).
    contacts: [u32; 3],
    /// The given and family names' numbers in [`Names`] (0 for none).
    first: u32,
    last: u32,
    /// [`nicknames::group_bits`] of the given name.
    nicknames: u64,
    /// The given name's first two bytes and its length.
    first_head: [u8; 2],
    first_len: u8,
    /// Whether there is a street.
    street: bool,
    /// Hash of the house number (0 for none).
    number: u32,
    /// The postal code when it fits in 8 bytes (`postal_len` is then its length).
    postal: [u8; 8],
    postal_len: u8,
}

impl Quick {
    /// `f`'s, with its e-mail and phone keys (see `blocking::Keys`) and its given and family
    /// names' numbers in [`Names`].
    pub fn of(f: View<'_>, contacts: [u32; 3], [first_id, last_id]: [u32; 2]) -> Quick {
        let number = f.get(Part::Number);
        let number = if number.is_empty() {
            0
        } else {
            let mut h = rustc_hash::FxHasher::default();
            std::hash::Hash::hash(number, &mut h);
            (std::hash::Hasher::finish(&h) as u32).max(1)
        };
        let first = f.get(Part::First);
        let code = f.get(Part::Postal);
        let mut postal = [0u8; 8];
        let postal_len = if code.len() <= postal.len() {
            postal[..code.len()].copy_from_slice(code.as_bytes());
            code.len() as u8
        } else {
            u8::MAX
        };
        let b = first.as_bytes();
        Quick {
            contacts,
            first: first_id,
            last: last_id,
            nicknames: nicknames::group_bits(first),
            first_head: [
                b.first().copied().unwrap_or(0),
                b.get(1).copied().unwrap_or(0),
            ],
            // Saturating: equal lengths only ever keep a pair for the full comparison.
            first_len: first.len().min(255) as u8,
            number,
            street: !f.get(Part::Street).is_empty(),
            postal,
            postal_len,
        }
    }

    /// The postal code, when kept.
    fn postal(&self) -> Option<&str> {
        let len = usize::from(self.postal_len);
        self.postal
            .get(..len)
            .and_then(|b| std::str::from_utf8(b).ok())
    }

    /// Whether [`related`] certainly says `None` for the two: no shared e-mail or phone, and
    /// either another postal code (not a typo) at other house numbers, or given or family
    /// names that cannot agree (not swapped) at two addresses.
    pub fn rules_out(&self, other: &Quick, names: &Names<'_>) -> bool {
        let (a, b) = (self, other);
        let shared = a
            .contacts
            .iter()
            .any(|&x| x != 0 && b.contacts.contains(&x));
        if shared {
            return false;
        }
        let same_number = a.number != 0 && a.number == b.number;
        if let (Some(pa), Some(pb)) = (a.postal(), b.postal()) {
            if postal(pa, pb).1 == Some(false) && !same_number {
                return true;
            }
        }
        let two_addresses =
            !a.street || !b.street || a.number != 0 && b.number != 0 && a.number != b.number;
        if !two_addresses || a.first == b.last || b.first == a.last {
            return false;
        }
        let other_initials = a.first_len > 0
            && b.first_len > 0
            && a.first_head[0] != b.first_head[0]
            && a.nicknames & b.nicknames == 0
            // Perhaps the first two letters swapped.
            && !(a.first_len == b.first_len
                && a.first_head == [b.first_head[1], b.first_head[0]]);
        other_initials
            || !names.given_can_agree(a.first, b.first)
            || !names.family_can_agree(a.last, b.last)
    }
}

/// The distinct given and family names of a file's clients, numbered (0 for none), and, for
/// the pairs of them the blocking pass meets, whether they could agree: a million clients
/// have a few thousand names, so each pair's similarity is worked out once, not per client.
#[derive(Default)]
pub struct Names<'a> {
    ids: rustc_hash::FxHashMap<&'a str, u32>,
    texts: Vec<&'a str>,
    given: PairMemo,
    family: PairMemo,
}

impl<'a> Names<'a> {
    /// The number of `name` (the same for the same text, as a given or a family name).
    pub fn id(&mut self, name: &'a str) -> u32 {
        if name.is_empty() {
            return 0;
        }
        if self.texts.is_empty() {
            self.texts.push("");
        }
        let next = self.texts.len() as u32;
        let id = *self.ids.entry(name).or_insert(next);
        if id == next {
            self.texts.push(name);
        }
        id
    }

    fn text(&self, id: u32) -> &'a str {
        self.texts.get(id as usize).copied().unwrap_or_default()
    }

    /// [`given_pair_can_agree`] of two numbered names.
    fn given_can_agree(&self, a: u32, b: u32) -> bool {
        if a == b || a == 0 || b == 0 {
            return true;
        }
        self.given
            .get_or(a, b, || given_pair_can_agree(self.text(a), self.text(b)))
    }

    /// [`family_pair_can_agree`] of two numbered names.
    fn family_can_agree(&self, a: u32, b: u32) -> bool {
        if a == b || a == 0 || b == 0 {
            return true;
        }
        self.family
            .get_or(a, b, || family_pair_can_agree(self.text(a), self.text(b)))
    }
}

/// A yes or no per ordered pair of numbers, shared by the blocking pass's threads: in
/// shards, so that two threads seldom wait for one lock.
struct PairMemo([std::sync::Mutex<rustc_hash::FxHashMap<u64, bool>>; 16]);

impl Default for PairMemo {
    fn default() -> Self {
        PairMemo(std::array::from_fn(|_| Default::default()))
    }
}

impl PairMemo {
    fn get_or(&self, a: u32, b: u32, work: impl FnOnce() -> bool) -> bool {
        let key = (u64::from(a) << 32) | u64::from(b);
        let shard = &self.0[(key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize];
        // A poisoned shard only lost an answer to a panic elsewhere; the map is still whole.
        let lock = || shard.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&known) = lock().get(&key) {
            return known;
        }
        let answer = work();
        lock().insert(key, answer);
        answer
    }
}

/// Whether the given names could come out as agreeing (an initial, a nickname, a typo, or
/// names swapped): other first letters (not the first two swapped) rule it out before any
/// similarity, and the one similarity worked out is the given names' own, which
/// [`Evidence::of`] would find too.
fn given_names_can_agree(a: View<'_>, b: View<'_>) -> bool {
    let (fa, fb) = (a.get(Part::First), b.get(Part::First));
    // Swapped names need one of them the same (see `names`).
    let swapped = fa == b.get(Part::Last) || fb == a.get(Part::Last);
    swapped || given_pair_can_agree(fa, fb)
}

/// Whether two given names, as given names, could come out as agreeing.
fn given_pair_can_agree(fa: &str, fb: &str) -> bool {
    let (Some(x), Some(y)) = (fa.bytes().next(), fb.bytes().next()) else {
        return true;
    };
    (x == y || nicknames::are_variants(fa, fb) || transposed(fa, fb))
        && given(fa, fb).0 != NameAgreement::Differ
}

/// Whether the family names could come out as agreeing (equal, close, an initial, or names
/// swapped), by the similarity [`Evidence::of`] would work out too.
fn family_names_can_agree(a: View<'_>, b: View<'_>) -> bool {
    let (la, lb) = (a.get(Part::Last), b.get(Part::Last));
    // Swapped names need one of them the same (see `names`).
    let swapped = la == b.get(Part::First) || lb == a.get(Part::First);
    swapped || family_pair_can_agree(la, lb)
}

/// Whether two family names, as family names, could come out as agreeing.
fn family_pair_can_agree(la: &str, lb: &str) -> bool {
    family(la, lb).0 != NameAgreement::Differ
}

/// What two clients' values say, and the verdict: worked out without allocating.
struct Evidence<'a> {
    a: View<'a>,
    b: View<'a>,
    first: (NameAgreement, f64),
    last: (NameAgreement, f64),
    swapped: bool,
    /// The street of one is the second address line of the other.
    lines_swapped: bool,
    /// The last names are one letter apart, taken as a typo because the rest agrees.
    last_typo: bool,
    /// The same given name and full address under another family name.
    name_change: bool,
    email: Option<bool>,
    phone: Option<bool>,
    street: Option<(bool, f64)>,
    postal_typo: bool,
    postal: Option<bool>,
    weight: f32,
    verdict: Verdict,
}

impl<'a> Evidence<'a> {
    fn of(a: View<'a>, b: View<'a>) -> Evidence<'a> {
        let email = agree_exact(a.get(Part::Email), b.get(Part::Email));
        let phone = phones(a, b);
        let (street, lines_swapped) = street(a, b);
        let (postal_typo, postal) = postal(a.get(Part::Postal), b.get(Part::Postal));
        let city = same_city(a, b);
        // Swapped lines put each record's second line in the other's street: compared there.
        let unit = if lines_swapped {
            None
        } else {
            agree_close(a.get(Part::Unit), b.get(Part::Unit), 0.9)
        };
        // Another postal code at the same house number, street and town is a mistyped code
        // (or a renumbered area), not another address: one person's address in conflict.
        let same_town = city == Some(true) && same_number(a, b);
        let same_street = matches!(street, Some((true, _)))
            && (postal != Some(false) || same_town)
            && unit != Some(false);
        let (first, mut last, swapped) = names(a, b);
        // A one-letter slip in a short family name (`Nash` / `Nesh`) scores below the
        // similarity bar; it is a typo when the given name and strong evidence agree.
        // Household members differ in their given names, so they never pass this.
        let strong =
            email == Some(true) || phone == Some(true) || same_street && postal == Some(true);
        let last_typo = strong
            && !swapped
            && last.0 == NameAgreement::Differ
            && first.0 >= NameAgreement::Close
            && one_edit(a.get(Part::Last), b.get(Part::Last));
        if last_typo {
            last.0 = NameAgreement::Close;
        }

        let mut weight = 0.0f32;
        weight += match last.0 {
            NameAgreement::Exact => 4.0,
            NameAgreement::Close => 2.5,
            NameAgreement::Initial => 0.5,
            NameAgreement::Differ => -4.0,
            NameAgreement::Unknown => 0.0,
        };
        weight += match first.0 {
            NameAgreement::Exact => 3.0,
            NameAgreement::Close => 2.0,
            NameAgreement::Initial => 1.0,
            NameAgreement::Differ => -4.0,
            NameAgreement::Unknown => 0.0,
        };
        weight += match email {
            Some(true) => 6.0,
            // People change and share addresses: a different one says little.
            Some(false) => -1.0,
            None => 0.0,
        };
        weight += match phone {
            Some(true) => 4.5,
            Some(false) => -1.0,
            None => 0.0,
        };
        weight += match street {
            Some((true, sim)) if sim < 1.0 => 3.0,
            Some((true, _)) => 4.0,
            // The same street under another house number: a typo or a move along the street.
            Some((false, sim)) if sim >= 0.9 => 1.0,
            Some((false, _)) => -2.0,
            None => 0.0,
        };
        weight += match postal {
            Some(true) => 1.5,
            Some(false) => -1.0,
            None => 0.0,
        };
        weight += match city {
            Some(true) => 0.5,
            Some(false) => -0.5,
            None => 0.0,
        };
        match unit {
            Some(false) => weight -= 0.5,
            // The same second line (a flat, a property name) where the streets do not
            // disagree; `Apt 4` on two different streets says nothing.
            Some(true) if !matches!(street, Some((false, sim)) if sim < 0.9) => weight += 1.0,
            _ => {}
        }

        let names_agree = first.0 >= NameAgreement::Initial && last.0 >= NameAgreement::Close
            || (first.0 >= NameAgreement::Close && last.0 == NameAgreement::Unknown)
            || (last.0 >= NameAgreement::Close && first.0 == NameAgreement::Unknown);
        let shares_contact = email == Some(true) || phone == Some(true) || same_street;
        // Names alone never make one person: namesakes are common. A postal code one typo
        // off counts with the same street name (the house number may differ: a conflict).
        let street_name = matches!(street, Some((_, sim)) if sim >= 0.9);
        // So does the same house number in the same town or on the same second line, where
        // one record has no street name.
        let same_place =
            same_number(a, b) && street.is_none() && (city == Some(true) || unit == Some(true));
        let supported =
            shares_contact || postal == Some(true) || postal_typo && (street_name || same_place);
        // The same given name at the same full address (house number, street, postal code)
        // under another family name: a name change (marriage) far more often than two
        // people, since people sharing an address differ in their given names. One person,
        // but a person must confirm: a conflict.
        let full_address = same_street && same_number(a, b) && postal != Some(false);
        let name_change = full_address
            && !swapped
            && last.0 == NameAgreement::Differ
            && a.get(Part::First).len() >= 2
            && (first.0 == NameAgreement::Exact
                || first.0 == NameAgreement::Close && first.1 < 1.0);
        let verdict = if names_agree && supported && weight >= SAME_PERSON {
            if matches!(street, Some((false, _))) || postal == Some(false) || phone == Some(false) {
                Verdict::Conflicting
            } else {
                Verdict::Same
            }
        } else if name_change && email != Some(false) && phone != Some(false) {
            Verdict::Conflicting
        } else if shares_contact && first.0 == NameAgreement::Differ {
            Verdict::Household
        } else {
            Verdict::Different
        };
        Evidence {
            a,
            b,
            first,
            last,
            swapped,
            lines_swapped,
            last_typo,
            name_change,
            email,
            phone,
            street,
            postal_typo,
            postal,
            weight,
            verdict,
        }
    }

    /// The verdict, score and reasons.
    fn comparison(&self) -> Comparison {
        Comparison {
            verdict: self.verdict,
            score: self.score(),
            reasons: self.reasons(),
            // A family name that differs rules out every other way to one person.
            name_change: self.name_change && self.verdict == Verdict::Conflicting,
        }
    }

    /// The match weight on a logistic scale, 0 to 1.
    fn score(&self) -> f32 {
        1.0 / (1.0 + (-(self.weight - SAME_PERSON + 2.0) / 2.0).exp())
    }

    /// Why, in words a person checks against the two records.
    fn reasons(&self) -> Vec<String> {
        let (a, b) = (self.a, self.b);
        let mut reasons = Vec::new();
        if self.swapped {
            reasons.push("first and last names swapped".to_owned());
        }
        match self.last {
            _ if self.last_typo => reasons.push(format!(
                "last name one letter apart {} / {}",
                a.get(Part::Last),
                b.get(Part::Last)
            )),
            (NameAgreement::Close, sim) => reasons.push(format!("last name similarity {sim:.2}")),
            (NameAgreement::Exact, _) if !self.swapped => reasons.push("same last name".to_owned()),
            _ => {}
        }
        match self.first {
            (NameAgreement::Exact, _) if !self.swapped => {
                reasons.push("same first name".to_owned())
            }
            (NameAgreement::Close, sim) if sim >= 1.0 => reasons.push(format!(
                "first name {} / {}",
                a.get(Part::First),
                b.get(Part::First)
            )),
            (NameAgreement::Close, sim) => reasons.push(format!("first name similarity {sim:.2}")),
            (NameAgreement::Initial, _) => reasons.push("first name initial".to_owned()),
            _ => {}
        }
        if self.email == Some(true) {
            reasons.push("same e-mail".to_owned());
        }
        if self.phone == Some(true) {
            reasons.push("same phone".to_owned());
        }
        if self.lines_swapped {
            reasons.push("address lines swapped".to_owned());
        }
        match self.street {
            Some((true, sim)) if sim < 1.0 => reasons.push(format!("street similarity {sim:.2}")),
            Some((true, _)) => reasons.push("same street address".to_owned()),
            Some((false, sim)) if sim >= 0.9 => {
                reasons.push("same street, different house number".to_owned())
            }
            _ => {}
        }
        if self.postal_typo {
            let (pa, pb) = (a.get(Part::Postal), b.get(Part::Postal));
            reasons.push(if substituted_once(pa, pb) {
                "postal code one character apart".to_owned()
            } else {
                "postal code two characters swapped".to_owned()
            });
        }
        if self.postal == Some(true) {
            reasons.push("same postal code".to_owned());
        }
        match self.verdict {
            Verdict::Conflicting => {
                if self.name_change && self.last.0 == NameAgreement::Differ {
                    reasons.push(format!(
                        "different last names {} / {} (a name change?)",
                        a.get(Part::Last),
                        b.get(Part::Last)
                    ));
                }
                if matches!(self.street, Some((false, _))) || self.postal == Some(false) {
                    reasons.push("different address".to_owned());
                }
                if self.phone == Some(false) {
                    reasons.push("different phone".to_owned());
                }
            }
            Verdict::Household => reasons.push(format!(
                "different first names {} / {}",
                a.get(Part::First),
                b.get(Part::First)
            )),
            Verdict::Same | Verdict::Different => {}
        }
        reasons
    }
}

/// Whether one postal code is one character off the other or has two neighbouring
/// characters swapped (`4380` / `4308`: a typo more often than a neighbouring area: no
/// opinion), and otherwise whether they agree.
fn postal(pa: &str, pb: &str) -> (bool, Option<bool>) {
    let typo = pa.len() >= 4 && (substituted_once(pa, pb) || transposed(pa, pb));
    if typo {
        (true, None)
    } else {
        (false, agree_exact(pa, pb))
    }
}

/// Two values of one length that differ in exactly one character.
fn substituted_once(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() == 1
}

/// Two values of one length that differ only by two neighbouring characters swapped
/// (`4380` / `4308`, `ned` / `nde`).
fn transposed(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() != y.len() {
        return false;
    }
    let Some(i) = x.iter().zip(y).position(|(p, q)| p != q) else {
        return false;
    };
    i + 1 < x.len() && x[i] == y[i + 1] && x[i + 1] == y[i] && x[i + 2..] == y[i + 2..]
}

/// Two names of at least three letters one substitution, insertion, deletion or swap of
/// neighbours apart.
fn one_edit(a: &str, b: &str) -> bool {
    a.len().min(b.len()) >= 3 && a.len().abs_diff(b.len()) <= 1 && osa_distance(a, b) == 1
}

/// First-name and last-name agreement (each with its similarity), trying the names swapped
/// when that fits much better.
fn names(a: View<'_>, b: View<'_>) -> ((NameAgreement, f64), (NameAgreement, f64), bool) {
    let (af, al) = (a.get(Part::First), a.get(Part::Last));
    let (bf, bl) = (b.get(Part::First), b.get(Part::Last));
    let straight = (given(af, bf), family(al, bl));
    if straight.0 .0 >= NameAgreement::Close && straight.1 .0 >= NameAgreement::Close {
        return (straight.0, straight.1, false);
    }
    // Names entered in each other's fields: `Smith, John` against `John Smith`, one of
    // them perhaps mistyped as well (`Finlay, Danien`).
    let swapped = (given(af, bl), family(al, bf));
    let (x, y) = (swapped.0 .0, swapped.1 .0);
    let exact = NameAgreement::Exact;
    if x >= NameAgreement::Close && y >= NameAgreement::Close && (x == exact || y == exact) {
        return (swapped.0, swapped.1, true);
    }
    (straight.0, straight.1, false)
}

/// Agreement of two folded given names: equal, nicknames (similarity 1 by convention),
/// initials, typos.
fn given(a: &str, b: &str) -> (NameAgreement, f64) {
    if a.is_empty() || b.is_empty() {
        return (NameAgreement::Unknown, 0.0);
    }
    if a == b {
        return (NameAgreement::Exact, 1.0);
    }
    if nicknames::are_variants(a, b) {
        return (NameAgreement::Close, 1.0);
    }
    if (a.len() == 1 && b.starts_with(a)) || (b.len() == 1 && a.starts_with(b)) {
        return (NameAgreement::Initial, 0.0);
    }
    let sim = jaro_winkler(a, b);
    // Two neighbouring letters swapped (`ned` / `nde`) score low in short names.
    let typo = sim >= 0.88 || transposed(a, b);
    if typo && a.len().min(b.len()) >= 3 && !other_name(a, b) {
        (NameAgreement::Close, sim)
    } else {
        (NameAgreement::Differ, sim)
    }
}

/// Close given names that are more often two people than a typo: one letter changed in a
/// short name (Mary / Mark, Dana / Dane), a name and a longer one it begins (Daniel /
/// Danielle, Jose / Joseph), or the other form of a name by its final vowel (Antonio /
/// Antonia, Daniel / Daniela). Nicknames are known from the table before this.
fn other_name(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut changed = short.bytes().zip(long.bytes()).filter(|(x, y)| x != y);
    let substituted = short.len() == long.len()
        && short.len() <= 5
        && match (changed.next(), changed.next()) {
            // A key next to the right one is a slip of the finger.
            (Some((x, y)), None) => !keyboard_neighbours(x, y),
            _ => false,
        };
    let begins = long.len() >= short.len() + 2 && long.starts_with(short);
    substituted || begins || other_form(short.as_bytes(), long.as_bytes())
}

/// A name's other form (often the other sex's) by its ending: the final `a`, `e` or `o`
/// changed (Roberto / Roberta, Louisa / Louise) or one added to a name ending in a consonant
/// (Paul / Paula, Eric / Erica). A dropped final letter (`Sophi`) stays a typo.
fn other_form(short: &[u8], long: &[u8]) -> bool {
    let ending = |c: &u8| matches!(c, b'a' | b'e' | b'o');
    let vowel = |c: &u8| ending(c) || matches!(c, b'i' | b'u' | b'y');
    let (Some((s_end, s_stem)), Some((l_end, l_stem))) = (short.split_last(), long.split_last())
    else {
        return false;
    };
    short.len() >= 3
        && ending(l_end)
        && (short.len() == long.len() && s_stem == l_stem && ending(s_end) && s_end != l_end
            || long.len() == short.len() + 1 && l_stem == short && !vowel(s_end))
}

/// Agreement of two folded family names (a double-barrelled name against one of its halves
/// is close: `smithjones` / `smith`).
fn family(a: &str, b: &str) -> (NameAgreement, f64) {
    if a.is_empty() || b.is_empty() {
        return (NameAgreement::Unknown, 0.0);
    }
    if a == b {
        return (NameAgreement::Exact, 1.0);
    }
    if (a.len() == 1 && b.starts_with(a)) || (b.len() == 1 && a.starts_with(b)) {
        return (NameAgreement::Initial, 0.0);
    }
    let sim = jaro_winkler(a, b);
    let part = a.len().min(b.len()) >= 4 && (a.contains(b) || b.contains(a));
    if sim >= 0.88 || part {
        (NameAgreement::Close, sim.max(0.88))
    } else {
        (NameAgreement::Differ, sim)
    }
}

/// Whether two letters are next to each other on a QWERTY keyboard.
fn keyboard_neighbours(x: u8, y: u8) -> bool {
    const ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    let at = |c: u8| {
        ROWS.iter().enumerate().find_map(|(r, row)| {
            row.iter()
                .position(|&k| k == c)
                .map(|p| (r as i32, p as i32))
        })
    };
    match (at(x), at(y)) {
        // Rows are staggered: a key touches two keys of the row below (`s` touches `z`, `x`).
        (Some((rx, px)), Some((ry, py))) => match ry - rx {
            0 => (px - py).abs() == 1,
            1 => py == px || py == px - 1,
            -1 => px == py || px == py - 1,
            _ => false,
        },
        _ => false,
    }
}

/// Whether the towns agree (a typo allowed); `None` when either has none.
fn same_city(a: View<'_>, b: View<'_>) -> Option<bool> {
    agree_close(a.get(Part::City), b.get(Part::City), 0.9)
}

/// Whether both have a house number and it is the same.
fn same_number(a: View<'_>, b: View<'_>) -> bool {
    let na = a.get(Part::Number);
    !na.is_empty() && na == b.get(Part::Number)
}

/// `None` when either value is missing, else whether they are equal.
fn agree_exact(a: &str, b: &str) -> Option<bool> {
    (!a.is_empty() && !b.is_empty()).then(|| a == b)
}

/// `None` when either value is missing, else whether they are at least `min` similar.
fn agree_close(a: &str, b: &str, min: f64) -> Option<bool> {
    (!a.is_empty() && !b.is_empty()).then(|| a == b || jaro_winkler(a, b) >= min)
}

/// Whether any phone of one is a phone of the other; `None` when either has none.
fn phones(a: View<'_>, b: View<'_>) -> Option<bool> {
    let pa = [a.get(Part::Phone), a.get(Part::PhoneAlt)];
    let pb = [b.get(Part::Phone), b.get(Part::PhoneAlt)];
    if pa.iter().all(|p| p.is_empty()) || pb.iter().all(|p| p.is_empty()) {
        return None;
    }
    Some(
        pa.iter()
            .any(|x| !x.is_empty() && pb.iter().any(|y| x == y)),
    )
}

/// Street agreement and the street names' similarity: the house numbers equal (or one
/// missing) and the street names close. `None` when either has no street. The second value
/// says the address lines are swapped: one record's street is the other's second line
/// (`83 Tweed Place` / `Five Oaks` against `83 Five Oaks` / `Tweed Place`).
fn street<'a>(a: View<'a>, b: View<'a>) -> (Option<(bool, f64)>, bool) {
    let (sa, sb) = (a.get(Part::Street), b.get(Part::Street));
    if sa.is_empty() || sb.is_empty() {
        return (None, false);
    }
    let (na, nb) = (a.get(Part::Number), b.get(Part::Number));
    let numbers = na.is_empty() || nb.is_empty() || na == nb;
    let sim = street_similarity(sa, sb);
    if sim < 0.9 {
        let (ua, ub) = (a.get(Part::Unit), b.get(Part::Unit));
        // Both crossings must hold: a second line alone (`Five Oaks`) is no street.
        if !ua.is_empty() && !ub.is_empty() {
            let crossed = street_similarity(sa, ub).min(street_similarity(ua, sb));
            if crossed >= 0.9 {
                return (Some((numbers, crossed)), true);
            }
        }
    }
    (Some((numbers && sim >= 0.9, sim)), false)
}

/// How alike two street names are, words run together or apart (`pridhamstreet`,
/// `pridham street`) counting as equal.
fn street_similarity<'a>(sa: &'a str, sb: &'a str) -> f64 {
    if sa == sb {
        return 1.0;
    }
    let joined = |s: &'a str| s.bytes().filter(|b| *b != b' ');
    if joined(sa).eq(joined(sb)) {
        1.0
    } else {
        jaro_winkler(sa, sb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::ClientRecord;

    fn client(
        first: &str,
        last: &str,
        email: &str,
        phone: &str,
        street: &str,
        zip: &str,
    ) -> Fingerprint {
        Fingerprint::of(&ClientRecord {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            phone: phone.into(),
            address_line1: street.into(),
            city: "Springfield".into(),
            postal_code: zip.into(),
            ..ClientRecord::default()
        })
    }

    #[test]
    fn a_typo_and_reformatted_phone_are_the_same_person() {
        let a = client(
            "Jonathan",
            "Smith",
            "",
            "+1 217 555 0143",
            "12 Oak St",
            "62704",
        );
        let b = client(
            "Jonathon",
            "Smith",
            "",
            "(217) 555-0143",
            "12 Oak Street",
            "62704",
        );
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Same, "{c:?}");
        assert!(c.score > 0.9, "{c:?}");
        assert!(c.reasons.contains(&"same phone".to_owned()), "{c:?}");
        assert!(
            c.reasons
                .iter()
                .any(|r| r.starts_with("first name similarity 0.9")),
            "{c:?}"
        );
    }

    #[test]
    fn nicknames_and_swapped_names_are_the_same_person() {
        let a = client("Bill", "Turner", "bt@example.com", "", "", "");
        let b = client("William", "Turner", "bt@example.com", "", "", "");
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Same, "{c:?}");
        assert!(
            c.reasons.contains(&"first name bill / william".to_owned()),
            "{c:?}"
        );
        let swapped = client("Turner", "William", "", "2175550100", "", "");
        let plain = client("William", "Turner", "", "217-555-0100", "", "");
        let c = compare(&swapped, &plain);
        assert_eq!(c.verdict, Verdict::Same, "{c:?}");
        assert!(c
            .reasons
            .contains(&"first and last names swapped".to_owned()));
    }

    #[test]
    fn a_new_email_with_the_same_name_and_address_is_the_same_person() {
        let a = client("Ana", "Garcia", "ana@old.example", "", "4 Elm Rd", "62704");
        let b = client(
            "Ana",
            "Garcia",
            "ana.garcia@new.example",
            "",
            "4 Elm Road",
            "62704",
        );
        assert_eq!(compare(&a, &b).verdict, Verdict::Same);
    }

    #[test]
    fn household_members_are_flagged_not_merged() {
        let a = client("John", "Smith", "", "2175550143", "12 Oak St", "62704");
        let b = client("Mary", "Smith", "", "2175550143", "12 Oak St", "62704");
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Household, "{c:?}");
        assert!(c
            .reasons
            .contains(&"different first names john / mary".to_owned()));
    }

    #[test]
    fn the_same_person_at_a_new_address_is_a_conflict() {
        let a = client("Ana", "Garcia", "ana@example.com", "", "4 Elm Rd", "62704");
        let b = client(
            "Ana",
            "Garcia",
            "ana@example.com",
            "",
            "90 Pine Ave",
            "62711",
        );
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Conflicting, "{c:?}");
        assert!(c.reasons.contains(&"different address".to_owned()));
    }

    #[test]
    fn a_mistyped_house_number_or_postal_code_is_a_conflict_not_a_stranger() {
        let a = client("Sophie", "Reid", "", "", "37 Hawkins Close", "2268");
        let b = client("Sophie", "Reid", "", "", "37 Hawkins Close", "2267");
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Same, "{c:?}");
        assert!(c
            .reasons
            .contains(&"postal code one character apart".to_owned()));
        let a = client("Campbell", "Bossley", "", "", "176 Caley Crescent", "4880");
        let b = client("Campbell", "Bossley", "", "", "23 Caley Cres", "4880");
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Conflicting, "{c:?}");
        assert!(c
            .reasons
            .contains(&"same street, different house number".to_owned()));
    }

    #[test]
    fn namesakes_with_nothing_else_in_common_are_different() {
        let a = client("John", "Smith", "", "2175550143", "12 Oak St", "62704");
        let b = client("John", "Smith", "", "3125550199", "7 Lake Dr", "60601");
        assert_eq!(compare(&a, &b).verdict, Verdict::Different);
        let a = client("John", "Smith", "", "", "", "");
        assert_eq!(compare(&a, &a.clone()).verdict, Verdict::Different);
    }

    #[test]
    fn a_one_letter_typo_in_a_short_last_name_is_the_same_person_when_the_rest_agrees() {
        let a = client(
            "Ann",
            "Nash",
            "ann.nash@example.com",
            "",
            "12 Oak St",
            "62704",
        );
        let b = client(
            "Ann",
            "Nesh",
            "ann.nash@example.com",
            "",
            "12 Oak St",
            "62704",
        );
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Same, "{c:?}");
        assert!(
            c.reasons
                .contains(&"last name one letter apart nash / nesh".to_owned()),
            "{c:?}"
        );
        // The same street and postal code, without e-mail, is strong evidence too.
        let a = client("Ian", "Dahl", "", "", "7 Lake Dr", "60601");
        let b = client("Ian", "Dhal", "", "", "7 Lake Dr", "60601");
        assert_eq!(compare(&a, &b).verdict, Verdict::Same);
        // Only the postal code in common is not enough for a different-looking name.
        let a = client("Ann", "Nash", "", "", "12 Oak St", "62704");
        let b = client("Ann", "Nesh", "", "", "90 Pine Ave", "62704");
        assert_eq!(compare(&a, &b).verdict, Verdict::Different);
    }

    #[test]
    fn two_first_names_at_one_address_stay_two_people_even_one_letter_apart() {
        for (x, y) in [
            ("Jon", "Jan"),
            ("Mark", "Mary"),
            ("Dana", "Dina"),
            ("Daniel", "Danielle"),
            ("Jose", "Joseph"),
            ("Antonio", "Antonia"),
            ("Roberto", "Roberta"),
            ("Daniel", "Daniela"),
            ("Eric", "Erica"),
        ] {
            let a = client(
                x,
                "Smith",
                "smiths@example.com",
                "2175550143",
                "12 Oak St",
                "62704",
            );
            let b = client(
                y,
                "Smith",
                "smiths@example.com",
                "2175550143",
                "12 Oak St",
                "62704",
            );
            let c = compare(&a, &b);
            assert_eq!(c.verdict, Verdict::Household, "{x} / {y}: {c:?}");
            assert_eq!(
                related(a.view(), b.view()).map(|r| r.0),
                Some(Verdict::Household)
            );
            // Without e-mails, the shared phone and address still make them a household.
            let a = client(x, "Smith", "", "2175550143", "12 Oak St", "62704");
            let b = client(y, "Smith", "", "2175550143", "12 Oak St", "62704");
            assert_eq!(compare(&a, &b).verdict, Verdict::Household, "{x} / {y}");
        }
        // A slip to the next key is a typo, not another name; so is a dropped last letter.
        let a = client("Mary", "Smith", "", "2175550143", "12 Oak St", "62704");
        let b = client("Mart", "Smith", "", "2175550143", "12 Oak St", "62704");
        assert_eq!(compare(&a, &b).verdict, Verdict::Same);
        let a = client("Sophie", "Smith", "", "2175550143", "12 Oak St", "62704");
        let b = client("Sophi", "Smith", "", "2175550143", "12 Oak St", "62704");
        assert_eq!(compare(&a, &b).verdict, Verdict::Same);
    }

    /// A client with a second address line and a town.
    fn lined(
        first: &str,
        last: &str,
        line1: &str,
        line2: &str,
        city: &str,
        zip: &str,
    ) -> Fingerprint {
        Fingerprint::of(&ClientRecord {
            first_name: first.into(),
            last_name: last.into(),
            address_line1: line1.into(),
            address_line2: line2.into(),
            city: city.into(),
            postal_code: zip.into(),
            ..ClientRecord::default()
        })
    }

    #[test]
    fn swapped_postal_digits_are_a_typo() {
        let a = client("Jayden", "White", "", "", "10 McClintock St", "4380");
        let b = client("Jayden", "White", "", "", "10 McClintock Street", "4308");
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Same, "{c:?}");
        assert!(c
            .reasons
            .contains(&"postal code two characters swapped".to_owned()));
        assert!(transposed("4380", "4308") && !transposed("4380", "4380"));
        assert!(!transposed("4380", "3480x") && !transposed("4380", "8340"));
    }

    #[test]
    fn swapped_address_lines_are_the_same_street() {
        let a = lined(
            "Joshua",
            "Corbin",
            "83 Tweed Pl",
            "Five Oaks",
            "Keilor",
            "4818",
        );
        let b = lined(
            "Joshua",
            "Corbin",
            "83 Five Oaks",
            "Tweed Place",
            "Keilor",
            "4818",
        );
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Same, "{c:?}");
        assert!(c.reasons.contains(&"address lines swapped".to_owned()));
        // A second line alone in the other's street is no street match.
        let b = lined("Joshua", "Corbin", "83 Five Oaks", "", "Keilor", "4818");
        assert!(!compare(&a, &b)
            .reasons
            .contains(&"address lines swapped".to_owned()));
    }

    #[test]
    fn swapped_names_with_a_typo_are_the_same_person() {
        let a = client("Damien", "Finlay", "", "", "150 Pethebridge St", "2119");
        let b = client("Finlay", "Danien", "", "", "150 Pethebridge St", "2119");
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Same, "{c:?}");
        assert!(c
            .reasons
            .contains(&"first and last names swapped".to_owned()));
        // Both names mistyped as well as swapped: not enough.
        let b = client("Finlya", "Danien", "", "", "150 Pethebridge St", "2119");
        assert_ne!(compare(&a, &b).verdict, Verdict::Same);
    }

    #[test]
    fn two_letters_swapped_in_a_short_given_name_are_a_typo() {
        let a = client("Ned", "Lodge", "", "", "32 Karuah St", "2280");
        let b = client("Nde", "Lodge", "", "", "32 Karuah St", "2280");
        assert_eq!(compare(&a, &b).verdict, Verdict::Same);
    }

    #[test]
    fn the_same_given_name_and_full_address_under_another_last_name_is_a_conflict() {
        let a = client("Eliza", "Campbell", "", "", "10 Arnold Pl", "6148");
        let b = client("Eliza", "Clarie", "", "", "10 Arnold Place", "6148");
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Conflicting, "{c:?}");
        assert!(
            c.reasons
                .contains(&"different last names campbell / clarie (a name change?)".to_owned()),
            "{c:?}"
        );
        assert_eq!(
            related(a.view(), b.view()).map(|r| r.0),
            Some(Verdict::Conflicting)
        );
        // Another house number or postal code, no house number, or a different phone: two
        // people.
        let with_phone = client(
            "Eliza",
            "Campbell",
            "",
            "2175550143",
            "10 Arnold Pl",
            "6148",
        );
        for (a, b) in [
            (
                &a,
                client("Eliza", "Clarie", "", "", "12 Arnold Place", "6148"),
            ),
            (
                &a,
                client("Eliza", "Clarie", "", "", "10 Arnold Place", "6150"),
            ),
            (
                &a,
                client("Eliza", "Clarie", "", "", "Arnold Place", "6148"),
            ),
            (
                &with_phone,
                client(
                    "Eliza",
                    "Clarie",
                    "",
                    "3125550199",
                    "10 Arnold Place",
                    "6148",
                ),
            ),
        ] {
            assert_eq!(compare(a, &b).verdict, Verdict::Different, "{b:?}");
        }
        let a = lined("Eliza", "Campbell", "10 Arnold Pl", "Apt 4", "", "6148");
        let b = lined("Eliza", "Clarie", "10 Arnold Pl", "Flat 9", "", "6148");
        assert_eq!(compare(&a, &b).verdict, Verdict::Different);
    }

    #[test]
    fn a_household_with_different_given_names_stays_apart_whatever_the_last_names() {
        // Different given names, one letter apart or not, at one full address: never one
        // person, with the same last name, another one, or none.
        for (x, y) in [
            ("Mary", "Mark"),
            ("Jon", "Jan"),
            ("Dana", "Dina"),
            ("John", "Mary"),
        ] {
            for (lx, ly) in [
                ("Smith", "Smith"),
                ("Smith", "Jones"),
                ("Smith", ""),
                ("Smith", "Smyth"),
            ] {
                let a = client(x, lx, "", "", "12 Oak St", "62704");
                let b = client(y, ly, "", "", "12 Oak St", "62704");
                let c = compare(&a, &b);
                assert!(
                    !matches!(c.verdict, Verdict::Same | Verdict::Conflicting),
                    "{x} {lx} / {y} {ly}: {c:?}"
                );
            }
        }
    }

    #[test]
    fn another_postal_code_at_the_same_number_street_and_town_is_a_conflict() {
        let a = lined("Eliza", "Campbell", "113 Dines Pl", "", "Figtree", "2770");
        let b = lined(
            "Eliza",
            "Campbell",
            "113 Dines Place",
            "",
            "Figtree",
            "3550",
        );
        let c = compare(&a, &b);
        assert_eq!(c.verdict, Verdict::Conflicting, "{c:?}");
        assert_eq!(
            related(a.view(), b.view()).map(|r| r.0),
            Some(Verdict::Conflicting)
        );
        // Another town: two namesakes.
        let b = lined("Eliza", "Campbell", "113 Dines Place", "", "Ryde", "3550");
        assert_eq!(compare(&a, &b).verdict, Verdict::Different);
        assert_eq!(related(a.view(), b.view()), None);
    }

    #[test]
    fn a_postal_typo_counts_with_the_same_house_number_and_town_when_a_street_is_missing() {
        let a = lined("Kelsey", "Dearing", "25", "Bindaree", "Clare", "4109");
        let b = lined("Kelsey", "Dearing", "25", "Bindaree", "Clare", "1409");
        assert_eq!(compare(&a, &b).verdict, Verdict::Same);
        assert!(related(a.view(), b.view()).is_some());
        // Another house number: namesakes in neighbouring areas.
        let b = lined("Kelsey", "Dearing", "26", "", "Clare", "4190");
        assert_eq!(compare(&a, &b).verdict, Verdict::Different);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The shortcuts of `related` never drop a pair `compare` relates.
        #[test]
        fn related_agrees_with_compare_on_near_records(picks in proptest::collection::vec(0usize..64, 18)) {
            const FIRST: &[&str] = &["John", "Jon", "Ojhn", "Smith", "Mary", "Mark", "Daniel", "Daniela", ""];
            const LAST: &[&str] = &["Smith", "Smyth", "John", "Jones", "Smiht", ""];
            const PHONE: &[&str] = &["2175550143", "3125550199", ""];
            const LINE1: &[&str] = &["12 Oak St", "21 Oak Street", "14 Oak St", "Oak St", "12 Elm Rd", "12", ""];
            const LINE2: &[&str] = &["Apt 4", "Oak St", "Elm Rd", ""];
            const CITY: &[&str] = &["Springfield", "Springfeld", "Dover", ""];
            const ZIP: &[&str] = &["62704", "62740", "62705", "72604", ""];
            let pick = |list: &[&str], i: usize| list[picks[i] % list.len()].to_owned();
            let make = |o: usize| Fingerprint::of(&ClientRecord {
                first_name: pick(FIRST, o),
                last_name: pick(LAST, o + 1),
                phone: pick(PHONE, o + 2),
                address_line1: pick(LINE1, o + 3),
                address_line2: pick(LINE2, o + 4),
                city: pick(CITY, o + 5),
                postal_code: pick(ZIP, o + 6),
                ..ClientRecord::default()
            });
            let (a, b) = (make(0), make(9));
            let c = compare(&a, &b);
            let expected = (c.verdict != Verdict::Different).then_some((c.verdict, c.score));
            proptest::prop_assert_eq!(related(a.view(), b.view()), expected, "{:?} / {:?}", a, b);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// What `Quick` rules out, `compare` never relates.
        #[test]
        fn quick_rules_out_only_pairs_compare_does_not_relate(picks in proptest::collection::vec(0usize..64, 20)) {
            const FIRST: &[&str] = &["John", "Jon", "Ojhn", "Jacob", "Joan", "Smith", "Bill", "William", "Liz", "Beth", "Mary", "M", ""];
            const LAST: &[&str] = &["Smith", "Smyth", "Smiht", "Baker", "John", "Bill", "Jones", "S", ""];
            const EMAIL: &[&str] = &["js@example.com", "mary@example.com", "", ""];
            const PHONE: &[&str] = &["2175550143", "3125550199", ""];
            const LINE1: &[&str] = &["12 Oak St", "21 Oak Street", "14 Oak St", "Oak St", "12 Elm Rd", "12", ""];
            const CITY: &[&str] = &["Springfield", "Springfeld", ""];
            const ZIP: &[&str] = &["62704", "62740", "62705", "SW1A 1AA-LONG", "SW1A 1AB-LONG", ""];
            let pick = |list: &[&str], i: usize| list[picks[i] % list.len()].to_owned();
            let make = |o: usize| Fingerprint::of(&ClientRecord {
                first_name: pick(FIRST, o),
                last_name: pick(LAST, o + 1),
                email: pick(EMAIL, o + 2),
                phone: pick(PHONE, o + 3),
                address_line1: pick(LINE1, o + 4),
                city: pick(CITY, o + 5),
                postal_code: pick(ZIP, o + 6),
                ..ClientRecord::default()
            });
            let (a, b) = (make(0), make(10));
            let mut names = Names::default();
            let q = quicks(&[&a, &b], &mut names);
            if q[0].rules_out(&q[1], &names) {
                let c = compare(&a, &b);
                proptest::prop_assert_eq!(c.verdict, Verdict::Different, "{:?} / {:?}", a, b);
                proptest::prop_assert_eq!(related(a.view(), b.view()), None);
            }
        }
    }

    /// The [`Quick`]s of `clients`, their names numbered in `names`.
    fn quicks<'a>(clients: &[&'a Fingerprint], names: &mut Names<'a>) -> Vec<Quick> {
        let mut maker = super::super::blocking::KeyMaker::default();
        clients
            .iter()
            .map(|f| {
                let k = maker.keys(f.view());
                let ids = [
                    names.id(f.view().get(Part::First)),
                    names.id(f.view().get(Part::Last)),
                ];
                Quick::of(f.view(), [k[0], k[1], k[2]], ids)
            })
            .collect()
    }

    #[test]
    fn quick_rules_out_the_common_strangers_and_keeps_the_maybes() {
        let john = client("John", "Smith", "", "2175550143", "12 Oak St", "62704");
        let others = [
            // Ruled out: another initial at another house number; another postal code at
            // another number; another given name of the same initial at another number;
            // another family name.
            (client("Mary", "Smith", "", "", "14 Oak St", "62704"), true),
            (client("John", "Smith", "", "", "7 Lake Dr", "60601"), true),
            (client("Jacob", "Smith", "", "", "14 Oak St", "62704"), true),
            (client("John", "Baker", "", "", "14 Oak St", "62704"), true),
            // Compared in full: a nickname, the same house, a shared phone, a postal typo, a
            // family-name typo, names swapped.
            (client("Jack", "Smith", "", "", "14 Oak St", "62704"), false),
            (client("Mary", "Smith", "", "", "12 Oak St", "62704"), false),
            (
                client("Mary", "Smith", "", "2175550143", "14 Oak St", "62704"),
                false,
            ),
            (client("John", "Smith", "", "", "14 Oak St", "62740"), false),
            (client("John", "Smiht", "", "", "14 Oak St", "62704"), false),
            (client("Smith", "John", "", "", "14 Oak St", "62704"), false),
        ];
        let mut all = vec![&john];
        all.extend(others.iter().map(|(c, _)| c));
        let mut names = Names::default();
        let q = quicks(&all, &mut names);
        for (i, (other, out)) in others.iter().enumerate() {
            assert_eq!(q[0].rules_out(&q[i + 1], &names), *out, "{other:?}");
            if *out {
                assert_eq!(related(john.view(), other.view()), None, "{other:?}");
            }
        }
    }

    #[test]
    fn related_agrees_with_compare() {
        let a = client("John", "Smith", "", "2175550143", "12 Oak St", "62704");
        for b in [
            client(
                "Jon",
                "Smith",
                "",
                "(217) 555-0143",
                "12 Oak Street",
                "62704",
            ),
            client("Mary", "Smith", "", "2175550143", "12 Oak St", "62704"),
            client("John", "Smith", "", "3125550199", "7 Lake Dr", "60601"),
            client("John", "Smith", "", "", "12 Oak St", "62705"),
            client("Mary", "Smith", "", "", "14 Oak St", "62704"),
            client("Mary", "Smith", "", "", "12 Oak Street", "62704"),
            client("Smith", "John", "", "", "12 Oak St", "62704"),
            client("Bill", "Smith", "", "", "", "62704"),
            client("John", "Jones", "", "", "12 Oak St", "62704"),
            client("Smith", "Jonh", "", "", "12 Oak St", "62704"),
            client("John", "Smith", "", "", "12 Oak St", "62740"),
            client("Mary", "Jones", "", "", "12 Oak St", "62704"),
            client("Ojhn", "Smith", "", "", "14 Oak St", "62704"),
        ] {
            let c = compare(&a, &b);
            let expected = (c.verdict != Verdict::Different).then_some((c.verdict, c.score));
            assert_eq!(related(a.view(), b.view()), expected, "{b:?}");
        }
    }
}
