//! The clinic's country, inferred from the data: state and province codes, postal-code
//! shapes, phone prefixes and a country column.
//!
//! A Canadian or Australian export read as American makes every phone "invalid" and every
//! postcode wrong, so the data decides unless a person gave the country. Each column votes
//! only for what it clearly is (a column of state codes, of postcodes, of phone numbers),
//! so a sex column's `MN` never votes for Minnesota.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::Field;

use super::model::FieldMapping;
use super::table::SourceTable;
use super::transform::address::{is_canadian_postal, is_zip, split_address, STATES};
use super::transform::{country_code, AddressPart, Transform};

/// The country a suggestion used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CountryReport {
    /// ISO alpha-2 code.
    pub code: String,
    /// The evidence, or that the country was given.
    pub reasons: Vec<String>,
    /// Whether it is a guess to confirm (weak or no evidence).
    pub needs_confirmation: bool,
}

/// Australian state and territory codes that are not also US or Canadian codes.
const AU_ONLY: [&str; 6] = ["NSW", "VIC", "QLD", "TAS", "ACT", "SA"];
/// The first Canadian entry of [`STATES`].
const FIRST_PROVINCE: &str = "AB";

fn state_country(v: &str) -> Option<&'static str> {
    let up = v.trim().to_ascii_uppercase();
    if AU_ONLY.contains(&up.as_str()) {
        return Some("AU");
    }
    if up.len() != 2 {
        return None;
    }
    let at = STATES.iter().position(|(c, _)| *c == up)?;
    let first_ca = STATES.iter().position(|(c, _)| *c == FIRST_PROVINCE)?;
    Some(if at >= first_ca { "CA" } else { "US" })
}

fn is_uk_postcode(v: &str) -> bool {
    let parts: Vec<&str> = v.split_whitespace().collect();
    let [out, inw] = parts.as_slice() else {
        return false;
    };
    let ib = inw.as_bytes();
    (2..=4).contains(&out.len())
        && out.as_bytes()[0].is_ascii_alphabetic()
        && out.bytes().any(|b| b.is_ascii_digit())
        && out.bytes().all(|b| b.is_ascii_alphanumeric())
        && ib.len() == 3
        && ib[0].is_ascii_digit()
        && ib[1].is_ascii_alphabetic()
        && ib[2].is_ascii_alphabetic()
}

fn postal_country(v: &str) -> Option<&'static str> {
    let t = v.trim();
    if is_canadian_postal(t) {
        Some("CA")
    } else if is_zip(t) {
        Some("US")
    } else if is_uk_postcode(&t.to_ascii_uppercase()) {
        Some("GB")
    } else if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        // Australia, New Zealand and much of Europe write 4 digits; alone it is a hint.
        Some("AU")
    } else {
        None
    }
}

fn phone_country(v: &str) -> Option<&'static str> {
    let t = v.trim();
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || b" ()-.+".contains(&b))
    {
        return None;
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if t.starts_with('+') || t.starts_with("00") {
        let d = digits.trim_start_matches("00");
        return [("61", "AU"), ("44", "GB"), ("64", "NZ"), ("353", "IE")]
            .iter()
            .find(|(p, _)| d.starts_with(p))
            .map(|(_, c)| *c);
    }
    match digits.len() {
        // 04xx xxx xxx mobiles and (02)/(03)/(07)/(08) landlines.
        10 if digits.starts_with("04")
            || ["02", "03", "07", "08"]
                .iter()
                .any(|p| digits.starts_with(p)) =>
        {
            Some("AU")
        }
        11 if digits.starts_with("07") || digits.starts_with("01") || digits.starts_with("02") => {
            Some("GB")
        }
        _ => None,
    }
}

/// Votes of one kind of evidence, per country, with the columns they came from.
#[derive(Default)]
struct Tally {
    votes: BTreeMap<&'static str, f32>,
    evidence: BTreeMap<&'static str, Vec<String>>,
    /// Countries with evidence that points to them alone (not only 4-digit postcodes or
    /// landline prefixes that neighbours share).
    strong: BTreeSet<&'static str>,
}

/// A hint several countries share: 4-digit postcodes (Australia, New Zealand, much of
/// Europe) and 10-digit numbers starting 02/03/07/08 (Australian and New Zealand landlines).
fn shared_hint(v: &str) -> bool {
    let t = v.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    (t.len() == 4 && digits.len() == 4)
        || (!t.starts_with('+') && digits.len() == 10 && !digits.starts_with("04"))
}

impl Tally {
    fn column(
        &mut self,
        table: &SourceTable,
        i: usize,
        part: &dyn Fn(&str) -> String,
        what: &str,
        weight: f32,
        test: impl Fn(&str) -> Option<&'static str>,
    ) {
        let mut filled = 0u32;
        let mut per: BTreeMap<&'static str, u32> = BTreeMap::new();
        let mut strong: BTreeSet<&'static str> = BTreeSet::new();
        for v in table.column(i).map(part) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            filled += 1;
            if let Some(c) = test(v) {
                *per.entry(c).or_insert(0) += 1;
                if !shared_hint(v) {
                    strong.insert(c);
                }
            }
        }
        let hits: u32 = per.values().sum();
        // Only a column that is clearly of this kind votes.
        if filled == 0 || (hits as f32) < 0.6 * filled as f32 {
            return;
        }
        self.strong.extend(strong);
        for (c, n) in per {
            *self.votes.entry(c).or_insert(0.0) += weight * n as f32 / filled as f32;
            self.evidence.entry(c).or_default().push(format!(
                "{what} in \"{}\" of {} ({n} of {filled})",
                table.headers[i], table.name
            ));
        }
    }
}

/// The country the data points to, or `fallback` (flagged) when it says nothing. Only the
/// columns a first mapping gave to states, postal codes, phones or countries vote (`fields`
/// per table, as in `tables`), so IDs of four digits never pass for Australian postcodes.
pub fn infer(tables: &[SourceTable], fields: &[&[FieldMapping]], fallback: &str) -> CountryReport {
    let mut t = Tally::default();
    for (table, fields) in tables.iter().zip(fields) {
        for fm in fields.iter() {
            let Some(i) = fm
                .columns
                .first()
                .and_then(|c| table.headers.iter().position(|h| h == c))
            else {
                continue;
            };
            let part: Box<dyn Fn(&str) -> String> = match &fm.transform {
                Transform::SplitAddress { part } => {
                    let part = *part;
                    Box::new(move |v: &str| {
                        let a = split_address(v);
                        match part {
                            AddressPart::State => a.state,
                            AddressPart::PostalCode => a.postal_code,
                            _ => String::new(),
                        }
                    })
                }
                _ => Box::new(|v: &str| v.to_string()),
            };
            match fm.field {
                Field::ClientState => t.column(
                    table,
                    i,
                    &part,
                    "state or province codes",
                    2.0,
                    state_country,
                ),
                Field::ClientPostalCode => {
                    t.column(table, i, &part, "postal codes", 2.0, postal_country)
                }
                Field::ClientPhone | Field::ClientPhoneAlt => {
                    t.column(table, i, &part, "phone numbers", 1.5, phone_country)
                }
                Field::ClientCountry => {
                    t.column(table, i, &part, "country names or codes", 3.0, country_code)
                }
                _ => {}
            }
        }
    }
    let ranked = t
        .votes
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)));
    match ranked {
        Some((code, score)) if *score >= 1.0 => {
            let total: f32 = t.votes.values().sum();
            let mut reasons = vec![format!("{code} inferred from the data")];
            reasons.extend(t.evidence.get(code).cloned().unwrap_or_default());
            let mixed = *score < 0.75 * total;
            let shared = !t.strong.contains(code);
            if shared {
                reasons.push(
                    "only postcodes or phone prefixes that neighbouring countries share: please confirm"
                        .into(),
                );
            }
            if mixed {
                reasons.push(format!(
                    "other countries also show ({}); please confirm",
                    t.votes
                        .keys()
                        .filter(|c| *c != code)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            CountryReport {
                code: code.to_string(),
                reasons,
                needs_confirmation: mixed || shared,
            }
        }
        _ => CountryReport {
            code: fallback.to_string(),
            reasons: vec![format!(
                "no state, postal code, phone or country in the data says which country: {fallback} assumed; please confirm"
            )],
            needs_confirmation: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(csv: &str, fallback: &str) -> CountryReport {
        let t = SourceTable::from_csv("t.csv", csv).expect("csv");
        let fields: Vec<FieldMapping> = t
            .headers
            .iter()
            .filter_map(|h| {
                let field = match h.as_str() {
                    "Prov" | "State" => Field::ClientState,
                    "Postal" | "Postcode" | "Zip" => Field::ClientPostalCode,
                    "Mobile" => Field::ClientPhone,
                    _ => return None,
                };
                Some(FieldMapping {
                    field,
                    columns: vec![h.clone()],
                    transform: Transform::Copy,
                    confidence: 1.0,
                    needs_confirmation: false,
                    reasons: vec![],
                })
            })
            .collect();
        infer(std::slice::from_ref(&t), &[&fields], fallback)
    }

    #[test]
    fn canadian_australian_and_us_data() {
        assert_eq!(
            guess("Prov,Postal\nQC,H3G 1K4\nON,M5H 2N2\n", "US").code,
            "CA"
        );
        let r = guess(
            "ID,State,Postcode,Mobile\n7001,NSW,2026,0491 570 156\n7002,VIC,3056,0491 570 157\n",
            "US",
        );
        assert_eq!((r.code.as_str(), r.needs_confirmation), ("AU", false));
        assert_eq!(guess("State,Zip\nMA,02215\nIL,60611\n", "GB").code, "US");
        // Four digits and an 02 landline: Australia, but New Zealand writes them too.
        let r = guess(
            "Postcode,Mobile\n2026,02 5550 1234\n3056,02 5550 1235\n",
            "US",
        );
        assert_eq!((r.code.as_str(), r.needs_confirmation), ("AU", true));
        let r = guess("Name,ID\nRex,1234\n", "US");
        assert_eq!((r.code.as_str(), r.needs_confirmation), ("US", true));
    }
}
