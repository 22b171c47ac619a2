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
use strsim::jaro_winkler;
use ts_rs::TS;

use super::fingerprint::{Fingerprint, Part};
use super::nicknames;

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
    let mut weight = 0.0f32;
    let mut reasons = Vec::new();

    let (first, last, swapped) = names(a, b);
    if swapped {
        reasons.push("first and last names swapped".to_owned());
    }
    weight += match last {
        (NameAgreement::Exact, _) => 4.0,
        (NameAgreement::Close, sim) => {
            reasons.push(format!("last name similarity {sim:.2}"));
            2.5
        }
        (NameAgreement::Initial, _) => 0.5,
        (NameAgreement::Differ, _) => -4.0,
        (NameAgreement::Unknown, _) => 0.0,
    };
    if last.0 == NameAgreement::Exact && !swapped {
        reasons.push("same last name".to_owned());
    }
    weight += match first {
        (NameAgreement::Exact, _) => {
            if !swapped {
                reasons.push("same first name".to_owned());
            }
            3.0
        }
        (NameAgreement::Close, sim) => {
            if sim >= 1.0 {
                reasons.push(format!(
                    "first name {} / {}",
                    a.get(Part::First),
                    b.get(Part::First)
                ));
            } else {
                reasons.push(format!("first name similarity {sim:.2}"));
            }
            2.0
        }
        (NameAgreement::Initial, _) => {
            reasons.push("first name initial".to_owned());
            1.0
        }
        (NameAgreement::Differ, _) => -4.0,
        (NameAgreement::Unknown, _) => 0.0,
    };

    let email = agree_exact(a.get(Part::Email), b.get(Part::Email));
    weight += match email {
        Some(true) => {
            reasons.push("same e-mail".to_owned());
            6.0
        }
        // People change and share addresses: a different one says little.
        Some(false) => -1.0,
        None => 0.0,
    };

    let phone = phones(a, b);
    weight += match phone {
        Some(true) => {
            reasons.push("same phone".to_owned());
            4.5
        }
        Some(false) => -1.0,
        None => 0.0,
    };

    let street = street(a, b);
    weight += match street {
        Some((true, sim)) => {
            if sim < 1.0 {
                reasons.push(format!("street similarity {sim:.2}"));
                3.0
            } else {
                reasons.push("same street address".to_owned());
                4.0
            }
        }
        // The same street under another house number: a typo or a move along the street.
        Some((false, sim)) if sim >= 0.9 => {
            reasons.push("same street, different house number".to_owned());
            1.0
        }
        Some((false, _)) => -2.0,
        None => 0.0,
    };
    let (pa, pb) = (a.get(Part::Postal), b.get(Part::Postal));
    // One character apart is a typo more often than a neighbouring area: no opinion.
    let postal_typo = pa.len() == pb.len()
        && pa.len() >= 4
        && pa.bytes().zip(pb.bytes()).filter(|(x, y)| x != y).count() == 1;
    let postal = if postal_typo {
        reasons.push("postal code one character apart".to_owned());
        None
    } else {
        agree_exact(pa, pb)
    };
    weight += match postal {
        Some(true) => {
            reasons.push("same postal code".to_owned());
            1.5
        }
        Some(false) => -1.0,
        None => 0.0,
    };
    let city = agree_close(a.get(Part::City), b.get(Part::City), 0.9);
    weight += match city {
        Some(true) => 0.5,
        Some(false) => -0.5,
        None => 0.0,
    };
    let unit = agree_close(a.get(Part::Unit), b.get(Part::Unit), 0.9);
    if unit == Some(false) {
        weight -= 0.5;
    }

    let names_agree = first.0 >= NameAgreement::Initial && last.0 >= NameAgreement::Close
        || (first.0 >= NameAgreement::Close && last.0 == NameAgreement::Unknown)
        || (last.0 >= NameAgreement::Close && first.0 == NameAgreement::Unknown);
    let same_street =
        matches!(street, Some((true, _))) && postal != Some(false) && unit != Some(false);
    let shares_contact = email == Some(true) || phone == Some(true) || same_street;
    // Names alone never make one person: namesakes are common.
    let supported = shares_contact || postal == Some(true);
    let verdict = if names_agree && supported && weight >= SAME_PERSON {
        let address_differs = matches!(street, Some((false, _))) || postal == Some(false);
        let phone_differs = phone == Some(false);
        if address_differs || phone_differs {
            if address_differs {
                reasons.push("different address".to_owned());
            }
            if phone_differs {
                reasons.push("different phone".to_owned());
            }
            Verdict::Conflicting
        } else {
            Verdict::Same
        }
    } else if shares_contact && first.0 == NameAgreement::Differ {
        reasons.push(format!(
            "different first names {} / {}",
            a.get(Part::First),
            b.get(Part::First)
        ));
        Verdict::Household
    } else {
        Verdict::Different
    };
    Comparison {
        verdict,
        score: 1.0 / (1.0 + (-(weight - SAME_PERSON + 2.0) / 2.0).exp()),
        reasons,
    }
}

/// First-name and last-name agreement (each with its similarity), trying the names swapped
/// when that fits much better.
fn names(a: &Fingerprint, b: &Fingerprint) -> ((NameAgreement, f64), (NameAgreement, f64), bool) {
    let (af, al) = (a.get(Part::First), a.get(Part::Last));
    let (bf, bl) = (b.get(Part::First), b.get(Part::Last));
    let straight = (given(af, bf), family(al, bl));
    if straight.0 .0 >= NameAgreement::Close && straight.1 .0 >= NameAgreement::Close {
        return (straight.0, straight.1, false);
    }
    // Names entered in each other's fields: `Smith, John` against `John Smith`.
    let swapped = (given(af, bl), family(al, bf));
    if swapped.0 .0 == NameAgreement::Exact && swapped.1 .0 == NameAgreement::Exact {
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
    if sim >= 0.88 && a.len().min(b.len()) >= 3 {
        (NameAgreement::Close, sim)
    } else {
        (NameAgreement::Differ, sim)
    }
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

/// `None` when either value is missing, else whether they are equal.
fn agree_exact(a: &str, b: &str) -> Option<bool> {
    (!a.is_empty() && !b.is_empty()).then(|| a == b)
}

/// `None` when either value is missing, else whether they are at least `min` similar.
fn agree_close(a: &str, b: &str, min: f64) -> Option<bool> {
    (!a.is_empty() && !b.is_empty()).then(|| a == b || jaro_winkler(a, b) >= min)
}

/// Whether any phone of one is a phone of the other; `None` when either has none.
fn phones(a: &Fingerprint, b: &Fingerprint) -> Option<bool> {
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
/// missing) and the street names close. `None` when either has no street.
fn street(a: &Fingerprint, b: &Fingerprint) -> Option<(bool, f64)> {
    let (sa, sb) = (a.get(Part::Street), b.get(Part::Street));
    if sa.is_empty() || sb.is_empty() {
        return None;
    }
    let (na, nb) = (a.get(Part::Number), b.get(Part::Number));
    let numbers = na.is_empty() || nb.is_empty() || na == nb;
    let sim = if sa == sb {
        1.0
    } else {
        // Words run together or apart (`pridhamstreet`, `pridham street`).
        let joined = |s: &str| s.replace(' ', "");
        if joined(sa) == joined(sb) {
            1.0
        } else {
            jaro_winkler(sa, sb)
        }
    };
    Some((numbers && sim >= 0.9, sim))
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
}
