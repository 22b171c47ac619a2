//! What goes wrong in real exports: defects in single records, and the ways a person
//! entered twice differs from the first record. Every injection is counted in `Truth`,
//! written beside the file so that benchmarks can tell how much of it was found.

use serde::Serialize;

use crate::data::{BAD_DOMAINS, NICKNAMES, STREET_TYPES, UNKNOWN_SPECIES};
use crate::people::{Client, Pet};
use crate::rng::Rng;

/// Share of clients given one client-level defect.
const CLIENT_DEFECT_RATE: f64 = 0.03;
/// Share of patients given one patient-level defect; with the clients', about 5 % of rows.
const PET_DEFECT_RATE: f64 = 0.025;

/// What a file holds and what was injected into it.
#[derive(Default, Serialize)]
pub struct Truth {
    pub seed: u64,
    pub format: &'static str,
    pub clients: u64,
    /// Data rows, exact repeats included.
    pub rows: u64,
    pub patients: u64,
    pub households: u64,
    /// Clients who share surname, address and home phone with another client: not duplicates.
    pub clients_in_shared_households: u64,
    /// Of those, clients who also share the first member's e-mail address.
    pub shared_household_emails: u64,
    /// Clients written with an empty e-mail address, for whatever reason.
    pub clients_without_email: u64,
    pub duplicates: Duplicates,
    /// Rows written twice in a row, word for word.
    pub exact_repeat_rows: u64,
    pub defects: Defects,
}

/// Second records of people already in the file.
#[derive(Default, Serialize)]
pub struct Duplicates {
    /// Extra client records (each with a new Client No) of someone earlier in the file.
    pub clients: u64,
    /// How they differ; each has one or two, so these may add up to more than `clients`.
    pub variations: Variations,
}

/// Counts of each way a duplicate differs from its original.
#[derive(Default, Serialize)]
pub struct Variations {
    pub nickname: u64,
    pub first_name_typo: u64,
    pub last_name_typo: u64,
    pub phone_reformatted: u64,
    pub street_type_respelled: u64,
    pub moved_address: u64,
    pub email_missing: u64,
}

/// Records with a defect, by kind.
#[derive(Default, Serialize)]
pub struct Defects {
    /// Data rows with at least one defect of a client or patient below.
    pub rows: u64,
    pub clients: ClientDefects,
    pub patients: PetDefects,
}

/// Client records with each kind of defect.
#[derive(Default, Serialize)]
pub struct ClientDefects {
    pub invalid_email: u64,
    pub extra_whitespace: u64,
    pub name_case: u64,
    pub missing_post_code: u64,
}

/// Patient records with each kind of defect.
#[derive(Default, Serialize)]
pub struct PetDefects {
    pub impossible_date: u64,
    pub unknown_species: u64,
    pub weight_with_comma: u64,
}

/// Maybe gives the client one defect, as a hurried receptionist would.
pub fn client(rng: &mut Rng, c: &mut Client, truth: &mut Truth) {
    if !rng.chance(CLIENT_DEFECT_RATE) {
        return;
    }
    let counts = &mut truth.defects.clients;
    match rng.below(100) {
        0..=29 if !c.email.is_empty() => {
            c.email = invalid_email(rng, &c.email);
            counts.invalid_email += 1;
        }
        0..=54 => {
            match rng.below(4) {
                0 => c.first = format!(" {}", c.first),
                1 => c.last = format!("{}  ", c.last),
                2 => c.address1 = c.address1.replacen(' ', "  ", 1),
                _ if !c.email.is_empty() => c.email = format!("{} ", c.email),
                _ => c.first = format!("{} ", c.first),
            }
            counts.extra_whitespace += 1;
        }
        55..=79 => {
            if rng.chance(0.75) {
                c.first = c.first.to_uppercase();
                c.last = c.last.to_uppercase();
            } else {
                c.first = c.first.to_lowercase();
                c.last = c.last.to_lowercase();
            }
            counts.name_case += 1;
        }
        _ => {
            c.zip.clear();
            counts.missing_post_code += 1;
        }
    }
    c.defective = true;
}

/// Maybe gives the patient one defect.
pub fn pet(rng: &mut Rng, p: &mut Pet, truth: &mut Truth) {
    if !rng.chance(PET_DEFECT_RATE) {
        return;
    }
    let counts = &mut truth.defects.patients;
    let has_date = !p.date_of_birth.is_empty() || !p.last_visit.is_empty();
    match rng.below(100) {
        0..=39 if has_date => {
            let date = if p.date_of_birth.is_empty() {
                &mut p.last_visit
            } else {
                &mut p.date_of_birth
            };
            *date = impossible_date(rng, date);
            counts.impossible_date += 1;
        }
        40..=69 if !p.weight.is_empty() => {
            p.weight = weight_with_comma(rng, &p.weight);
            counts.weight_with_comma += 1;
        }
        _ => {
            p.species = rng.pick(UNKNOWN_SPECIES).to_string();
            counts.unknown_species += 1;
        }
    }
    p.defective = true;
}

/// An address that cannot receive mail: misspelt domain, lost `@`, and the like.
fn invalid_email(rng: &mut Rng, email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, "gmail.com"));
    match rng.below(6) {
        0 | 1 => format!("{local}@{}", rng.pick(BAD_DOMAINS)),
        2 => format!("{local}{domain}"),
        3 => format!("{local}@@{domain}"),
        4 => format!("{local}@{}", domain.split('.').next().unwrap_or(domain)),
        _ => format!("{}@{domain}", local.replacen('.', ",", 1).replace('_', " ")),
    }
}

/// A date that cannot exist, in the same year: 02/30, 04/31, month 13 (day and month swapped).
fn impossible_date(rng: &mut Rng, date: &str) -> String {
    let year: i64 = date.get(6..).and_then(|y| y.parse().ok()).unwrap_or(2019);
    let (month, day) = (
        date.get(..2).unwrap_or("06"),
        date.get(3..5).unwrap_or("15"),
    );
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match rng.below(8) {
        0 if !leap => format!("02/29/{year}"),
        0 | 1 => format!("02/30/{year}"),
        2 => format!("{}/31/{year}", rng.pick(&["04", "06", "09", "11"])),
        3 => format!("02/31/{year}"),
        4 => format!("{}/{month}/{year}", rng.range(13, 31)),
        5 => format!("00/{day}/{year}"),
        6 => format!("{month}/00/{year}"),
        _ => format!("{month}/32/{year}"),
    }
}

/// The weight with a decimal comma, as typed on a European keyboard layout: `12,5 kg`.
fn weight_with_comma(rng: &mut Rng, weight: &str) -> String {
    let end = weight
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(weight.len());
    let (number, unit) = weight.split_at(end);
    if number.contains('.') {
        format!("{}{unit}", number.replacen('.', ",", 1))
    } else {
        format!("{number},{}{unit}", rng.range(1, 9))
    }
}

/// Ways a person's second record differs from the first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Variation {
    Nickname,
    FirstNameTypo,
    LastNameTypo,
    PhoneReformatted,
    StreetTypeRespelled,
    MovedAddress,
    EmailMissing,
}

impl Variation {
    const ALL: [Variation; 7] = [
        Variation::Nickname,
        Variation::FirstNameTypo,
        Variation::LastNameTypo,
        Variation::PhoneReformatted,
        Variation::StreetTypeRespelled,
        Variation::MovedAddress,
        Variation::EmailMissing,
    ];

    fn applies_to(self, c: &Client) -> bool {
        match self {
            Variation::Nickname => nicknames(&c.first).is_some(),
            Variation::FirstNameTypo | Variation::LastNameTypo => true,
            Variation::PhoneReformatted => !c.home_phone.is_empty() || !c.mobile.is_empty(),
            Variation::StreetTypeRespelled => respell_street_type(&c.address1).is_some(),
            // A move is recognisable only through the e-mail address that stayed.
            Variation::MovedAddress | Variation::EmailMissing => !c.email.is_empty(),
        }
    }

    /// Pairs that would undo or hide each other.
    fn clashes_with(self, other: Variation) -> bool {
        use Variation::*;
        let pair = |a, b| (self == a && other == b) || (self == b && other == a);
        self == other
            || pair(Nickname, FirstNameTypo)
            || pair(MovedAddress, StreetTypeRespelled)
            || pair(MovedAddress, EmailMissing)
    }
}

/// Makes `c` a second record of the same person: one variation, sometimes two. Returns
/// whether the person moved, for the caller to draw the new address.
pub fn vary(rng: &mut Rng, c: &mut Client, truth: &mut Truth) -> bool {
    let mut chosen: Vec<Variation> = Vec::with_capacity(2);
    let wanted = if rng.chance(0.3) { 2 } else { 1 };
    for _ in 0..wanted {
        let options: Vec<Variation> = Variation::ALL
            .into_iter()
            .filter(|v| v.applies_to(c) && chosen.iter().all(|w| !v.clashes_with(*w)))
            .collect();
        if options.is_empty() {
            break;
        }
        chosen.push(*rng.pick(&options));
    }

    let counts = &mut truth.duplicates.variations;
    let mut moved = false;
    for v in chosen {
        match v {
            Variation::Nickname => {
                let options = nicknames(&c.first).unwrap_or(&[]);
                if let Some(nick) = options.get(rng.below(options.len() as u64) as usize) {
                    c.first = nick.to_string();
                }
                counts.nickname += 1;
            }
            Variation::FirstNameTypo => {
                c.first = typo(rng, &c.first);
                counts.first_name_typo += 1;
            }
            Variation::LastNameTypo => {
                c.last = typo(rng, &c.last);
                counts.last_name_typo += 1;
            }
            Variation::PhoneReformatted => {
                c.home_phone = reformat_phone(rng, &c.home_phone);
                c.mobile = reformat_phone(rng, &c.mobile);
                counts.phone_reformatted += 1;
            }
            Variation::StreetTypeRespelled => {
                if let Some(line) = respell_street_type(&c.address1) {
                    c.address1 = line;
                }
                counts.street_type_respelled += 1;
            }
            Variation::MovedAddress => {
                moved = true;
                counts.moved_address += 1;
            }
            Variation::EmailMissing => {
                c.email.clear();
                counts.email_missing += 1;
            }
        }
    }
    moved
}

fn nicknames(first: &str) -> Option<&'static [&'static str]> {
    NICKNAMES
        .iter()
        .find(|(name, _)| *name == first)
        .map(|(_, n)| *n)
}

/// One slip of the keyboard, never on the first letter (people rarely get that wrong):
/// a neighbouring key, a dropped, doubled or swapped letter; a changed vowel in short
/// names, where that is the usual slip (Nash, Nesh).
pub fn typo(rng: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n < 2 {
        return format!("{word}{word}");
    }
    for _ in 0..20 {
        let mut out = chars.clone();
        let i = rng.range(1, n as u64 - 1) as usize;
        let op = if n <= 4 { 0 } else { rng.below(5) };
        match op {
            0 => {
                // Change a vowel if there is one after the first letter, else any letter.
                let vowels: Vec<usize> = (1..n).filter(|&j| is_vowel(chars[j])).collect();
                let j = if vowels.is_empty() {
                    i
                } else {
                    *rng.pick(&vowels)
                };
                out[j] = if is_vowel(chars[j]) {
                    other_vowel(rng, chars[j])
                } else {
                    neighbour_key(rng, chars[j])
                };
            }
            1 => out[i] = neighbour_key(rng, chars[i]),
            2 => {
                out.remove(i);
            }
            3 => out.insert(i, chars[i]),
            _ if i + 1 < n => out.swap(i, i + 1),
            _ => out.swap(i - 1, i),
        }
        let typed: String = out.into_iter().collect();
        if typed != word && !typed.is_empty() {
            return typed;
        }
    }
    format!("{word}{}", chars[n - 1])
}

fn is_vowel(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u')
}

fn other_vowel(rng: &mut Rng, c: char) -> char {
    let options: &[char] = match c.to_ascii_lowercase() {
        'a' => &['e', 'o'],
        'e' => &['a', 'i'],
        'i' => &['e', 'y'],
        'o' => &['a', 'u'],
        _ => &['o', 'i'],
    };
    same_case(c, *rng.pick(options))
}

/// A key beside `c` on a QWERTY keyboard.
fn neighbour_key(rng: &mut Rng, c: char) -> char {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    let lower = c.to_ascii_lowercase();
    for row in ROWS {
        if let Some(pos) = row.find(lower) {
            let row = row.as_bytes();
            let left = pos.checked_sub(1).map(|p| row[p] as char);
            let right = row.get(pos + 1).map(|&b| b as char);
            let pick = match (left, right) {
                (Some(l), Some(r)) => {
                    if rng.chance(0.5) {
                        l
                    } else {
                        r
                    }
                }
                (Some(l), None) => l,
                (None, Some(r)) => r,
                (None, None) => lower,
            };
            return same_case(c, pick);
        }
    }
    c
}

fn same_case(model: char, c: char) -> char {
    if model.is_ascii_uppercase() {
        c.to_ascii_uppercase()
    } else {
        c
    }
}

/// A phone number in one of the ways US clinics write them; style 0 is the usual one.
pub fn format_phone(style: u64, area: &str, exchange: u64, line: u64) -> String {
    match style {
        0 => format!("({area}) {exchange}-{line:04}"),
        1 => format!("{area}-{exchange}-{line:04}"),
        2 => format!("{area}.{exchange}.{line:04}"),
        3 => format!("{area}{exchange}{line:04}"),
        _ => format!("+1 {area} {exchange} {line:04}"),
    }
}

/// The same number written in another style; empty stays empty.
fn reformat_phone(rng: &mut Rng, phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 10 {
        return phone.to_string();
    }
    let digits = &digits[digits.len() - 10..];
    let current = match phone.chars().next() {
        Some('(') => 0,
        Some('+') => 4,
        _ if phone.contains('.') => 2,
        _ if phone.contains('-') => 1,
        _ => 3,
    };
    let style = (current + rng.range(1, 4)) % 5;
    let exchange = digits[3..6].parse().unwrap_or(555);
    let line = digits[6..].parse().unwrap_or(0);
    format_phone(style, &digits[..3], exchange, line)
}

/// The street line with its type spelled the other way (`St` ↔ `Street`), if it has one.
fn respell_street_type(line: &str) -> Option<String> {
    let (rest, last) = line.rsplit_once(' ')?;
    let bare = last.trim_end_matches('.');
    let (abbr, full, _) = STREET_TYPES
        .iter()
        .find(|(a, f, _)| a != f && (*a == bare || *f == bare))?;
    let other = if bare == *abbr { full } else { abbr };
    Some(format!("{rest} {other}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_change_one_thing_and_keep_the_initial() {
        let mut rng = Rng::new(5);
        for word in ["Nash", "Li", "Johnson", "O'Brien", "Williams"] {
            for _ in 0..50 {
                let t = typo(&mut rng, word);
                assert_ne!(t, word);
                assert_eq!(t.chars().next(), word.chars().next(), "{word} -> {t}");
                let diff = t.len().abs_diff(word.len());
                assert!(diff <= 1, "{word} -> {t}");
            }
        }
    }

    #[test]
    fn street_types_respell_both_ways() {
        assert_eq!(
            respell_street_type("12 Oak St").as_deref(),
            Some("12 Oak Street")
        );
        assert_eq!(
            respell_street_type("12 Oak St.").as_deref(),
            Some("12 Oak Street")
        );
        assert_eq!(
            respell_street_type("9 N Elm Drive").as_deref(),
            Some("9 N Elm Dr")
        );
        assert_eq!(respell_street_type("9 Elm Way"), None);
    }

    #[test]
    fn phones_keep_their_digits_when_reformatted() {
        let mut rng = Rng::new(2);
        let phone = format_phone(0, "217", 555, 143);
        assert_eq!(phone, "(217) 555-0143");
        let again = reformat_phone(&mut rng, &phone);
        assert_ne!(again, phone);
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        assert!(digits(&again).ends_with(&digits(&phone)));
    }

    #[test]
    fn defects_look_like_the_real_ones() {
        let mut rng = Rng::new(4);
        assert_eq!(weight_with_comma(&mut rng, "12.5 kg"), "12,5 kg");
        assert!(weight_with_comma(&mut rng, "27 lb").starts_with("27,"));
        for _ in 0..20 {
            let d = impossible_date(&mut rng, "03/14/2019");
            assert!(d.ends_with("/2019"), "{d}");
            assert_ne!(d, "03/14/2019");
        }
    }
}
