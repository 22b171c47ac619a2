//! How each incoming record relates to what the clinic already has in PH: matched by
//! external ID, then e-mail, then fuzzy evidence (clients); within the matched owner by
//! external ID, then name and species (pets). Then classified, with field-level diffs.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{ClientRecord, Entity, Field, PatientRecord};
use crate::ph::canonical::{client_record, patient_record};
use crate::ph::types::Client;

use super::blocking::{KeyMaker, Keys, KEYS};
use super::compare::{compare, Verdict};
use super::fingerprint::{Fingerprint, Part};
use super::normalize;

/// What importing a record would do to PH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Classification {
    /// PH has no such record: it is created.
    New,
    /// PH has it with the same values: nothing to send.
    Identical,
    /// PH has it, and the file only fills fields PH has empty.
    Update,
    /// PH has it, and PH and the file disagree on at least one field.
    Conflict,
    /// Several PH records may be this one: a person must choose.
    Ambiguous,
}

impl Classification {
    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::New => "new",
            Classification::Identical => "identical",
            Classification::Update => "update",
            Classification::Conflict => "conflict",
            Classification::Ambiguous => "ambiguous",
        }
    }
}

/// How a record was matched to PH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MatchedBy {
    /// The clinic's own ID, which PH stores as the external ID.
    ExternalId,
    /// The same e-mail address (and names that agree).
    Email,
    /// Names, phones and address (clients); name, species and birth date (pets).
    Evidence,
}

/// One field on which the file and PH differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldDiff {
    /// The canonical field.
    pub field: Field,
    /// PH's value (empty when PH has none: the file fills it).
    pub ph: String,
    /// The file's value.
    pub file: String,
}

impl FieldDiff {
    /// Whether the file only fills a field PH has empty.
    pub fn fills_blank(&self) -> bool {
        self.ph.is_empty()
    }
}

/// How one incoming record relates to PH.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordMatch {
    /// Client or pet.
    pub entity: Entity,
    /// The record's ID in the file.
    pub external_id: String,
    /// For a pet, its owner's ID in the file.
    pub client_external_id: String,
    /// What importing it would do.
    pub classification: Classification,
    /// The PH record it matches (not for `new` and `ambiguous`).
    pub ph_id: Option<String>,
    /// How it was matched.
    pub matched_by: Option<MatchedBy>,
    /// How sure the match is, 0 to 1.
    pub score: f32,
    /// Why it matches, or why it is ambiguous.
    pub reasons: Vec<String>,
    /// For `ambiguous`: the PH records it may be.
    pub candidates: Vec<String>,
    /// For `update` and `conflict`: the fields that differ.
    pub diffs: Vec<FieldDiff>,
    /// The errors that keep it from being imported as it is (empty when none): a record
    /// with errors is matched all the same, on its other fields.
    #[serde(default)]
    pub errors: String,
}

/// How many records of each classification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClassCounts {
    /// Not in PH: created.
    #[ts(type = "number")]
    pub new: u64,
    /// In PH as in the file: nothing to send.
    #[ts(type = "number")]
    pub identical: u64,
    /// In PH, the file fills fields PH has empty.
    #[ts(type = "number")]
    pub update: u64,
    /// In PH, PH and the file disagree.
    #[ts(type = "number")]
    pub conflict: u64,
    /// Several PH records may be this one.
    #[ts(type = "number")]
    pub ambiguous: u64,
}

impl ClassCounts {
    /// Counts one more record of classification `c`.
    pub(crate) fn add(&mut self, c: Classification) {
        let n = match c {
            Classification::New => &mut self.new,
            Classification::Identical => &mut self.identical,
            Classification::Update => &mut self.update,
            Classification::Conflict => &mut self.conflict,
            Classification::Ambiguous => &mut self.ambiguous,
        };
        *n += 1;
    }
}

/// Every incoming record classified against PH.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Classified {
    /// One per incoming client, in the file's order.
    pub clients: Vec<RecordMatch>,
    /// One per incoming pet, in the file's order.
    pub patients: Vec<RecordMatch>,
    /// Clients by classification.
    pub client_counts: ClassCounts,
    /// Pets by classification.
    pub patient_counts: ClassCounts,
}

/// At most this many PH clients sharing one blocking key are compared with a record (a
/// clinic with 400 Smiths still meets each Smith through the phone, e-mail and address).
const MAX_CANDIDATES_PER_KEY: usize = 64;

/// The clinic's PH clients indexed for matching.
struct PhIndex<'a> {
    clients: &'a [Client],
    records: Vec<ClientRecord>,
    fingerprints: Vec<Fingerprint>,
    by_external_id: FxHashMap<&'a str, usize>,
    by_email: FxHashMap<String, Vec<usize>>,
    by_key: FxHashMap<u32, Vec<usize>>,
}

impl<'a> PhIndex<'a> {
    fn new(clients: &'a [Client], keys: &mut KeyMaker) -> PhIndex<'a> {
        let records: Vec<ClientRecord> = clients.iter().map(client_record).collect();
        let fingerprints: Vec<Fingerprint> = records.iter().map(Fingerprint::of).collect();
        let mut index = PhIndex {
            clients,
            records,
            fingerprints,
            by_external_id: FxHashMap::default(),
            by_email: FxHashMap::default(),
            by_key: FxHashMap::default(),
        };
        for (i, c) in clients.iter().enumerate() {
            if let Some(id) = c.external_id.as_deref().filter(|id| !id.is_empty()) {
                index.by_external_id.entry(id).or_insert(i);
            }
            let email = index.fingerprints[i].get(Part::Email);
            if !email.is_empty() {
                index.by_email.entry(email.to_owned()).or_default().push(i);
            }
            for k in keys.keys(index.fingerprints[i].view()) {
                if k != 0 {
                    let list = index.by_key.entry(k).or_default();
                    if list.len() < MAX_CANDIDATES_PER_KEY {
                        list.push(i);
                    }
                }
            }
        }
        index
    }
}

/// Classifies every incoming client and pet against the clinic's PH clients (with their
/// patients).
pub fn classify(clients: &[ClientRecord], patients: &[PatientRecord], ph: &[Client]) -> Classified {
    let mut keys = KeyMaker::default();
    let index = PhIndex::new(ph, &mut keys);
    let mut out = Classified::default();
    // The PH client each incoming client matched, by the client's ID in the file.
    let mut owners: FxHashMap<&str, (Option<usize>, Classification)> = FxHashMap::default();
    for c in clients {
        let (m, ph_index) = classify_client(c, &index, &mut keys);
        out.client_counts.add(m.classification);
        owners.insert(&c.external_id, (ph_index, m.classification));
        out.clients.push(m);
    }
    for p in patients {
        let owner = match owners.get(p.client_external_id.as_str()) {
            Some(found) => *found,
            // A pets-only file links to owners already in PH by their ID.
            None => (
                index
                    .by_external_id
                    .get(p.client_external_id.as_str())
                    .copied(),
                Classification::Identical,
            ),
        };
        let mut m = match owner.0 {
            Some(i) => match_patient(p, &index.clients[i], &index.records[i].external_id),
            None => unmatched_patient(p),
        };
        if owner.1 == Classification::Ambiguous {
            m.classification = Classification::Ambiguous;
            m.reasons
                .push("its owner may be several PH clients: decide the owner first".to_owned());
        }
        out.patient_counts.add(m.classification);
        out.patients.push(m);
    }
    out
}

fn classify_client(
    c: &ClientRecord,
    index: &PhIndex,
    keys: &mut KeyMaker,
) -> (RecordMatch, Option<usize>) {
    let fp = Fingerprint::of(c);
    let mut m = RecordMatch {
        entity: Entity::Client,
        external_id: c.external_id.clone(),
        client_external_id: String::new(),
        classification: Classification::New,
        ph_id: None,
        matched_by: None,
        score: 0.0,
        reasons: Vec::new(),
        candidates: Vec::new(),
        diffs: Vec::new(),
        errors: String::new(),
    };
    let found = if let Some(&i) = index.by_external_id.get(c.external_id.as_str()) {
        m.matched_by = Some(MatchedBy::ExternalId);
        m.score = 1.0;
        m.reasons.push("same client ID".to_owned());
        Some(i)
    } else {
        let email = fp.get(Part::Email);
        let by_email: Vec<usize> = index
            .by_email
            .get(email)
            .map(|list| {
                list.iter()
                    .copied()
                    .filter(|&i| is_person(&fp, &index.fingerprints[i]))
                    .collect()
            })
            .unwrap_or_default();
        if by_email.len() == 1 {
            m.matched_by = Some(MatchedBy::Email);
            let cmp = compare(&fp, &index.fingerprints[by_email[0]]);
            m.score = cmp.score;
            m.reasons = cmp.reasons;
            Some(by_email[0])
        } else if by_email.len() > 1 {
            ambiguous(
                &mut m,
                index,
                &by_email,
                "several PH clients have this e-mail and name",
            );
            None
        } else {
            fuzzy(&fp, &mut m, index, keys.keys(fp.view()))
        }
    };
    if let Some(i) = found {
        m.ph_id = Some(index.clients[i].id.clone());
        m.diffs = diffs(Entity::Client, |f| c.get(f), |f| index.records[i].get(f));
        m.classification = classification(&m.diffs);
    }
    (m, found)
}

/// Whether the comparison calls them one person (even with a different address).
fn is_person(a: &Fingerprint, b: &Fingerprint) -> bool {
    matches!(compare(a, b).verdict, Verdict::Same | Verdict::Conflicting)
}

/// Matches by evidence among the PH clients sharing a blocking key.
fn fuzzy(fp: &Fingerprint, m: &mut RecordMatch, index: &PhIndex, keys: Keys) -> Option<usize> {
    let mut candidates: Vec<usize> = keys
        .iter()
        .take(KEYS)
        .filter(|&&k| k != 0)
        .filter_map(|k| index.by_key.get(k))
        .flatten()
        .copied()
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let mut matches: Vec<(usize, super::compare::Comparison)> = candidates
        .into_iter()
        .map(|i| (i, compare(fp, &index.fingerprints[i])))
        .filter(|(_, c)| matches!(c.verdict, Verdict::Same | Verdict::Conflicting))
        .collect();
    match matches.len() {
        0 => None,
        // Two people of one given name at one address are rare but real: a name change
        // found by evidence alone waits for a person rather than update the PH client.
        1 if matches[0].1.name_change => {
            let (i, cmp) = matches.remove(0);
            m.score = cmp.score;
            m.reasons = cmp.reasons;
            ambiguous(
                m,
                index,
                &[i],
                "the same first name and address under another last name: a name change, or two people?",
            );
            None
        }
        1 => {
            let (i, cmp) = matches.remove(0);
            m.matched_by = Some(MatchedBy::Evidence);
            m.score = cmp.score;
            m.reasons = cmp.reasons;
            Some(i)
        }
        _ => {
            matches.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
            let ids: Vec<usize> = matches.iter().map(|(i, _)| *i).collect();
            ambiguous(m, index, &ids, "several PH clients match this client");
            m.score = matches[0].1.score;
            None
        }
    }
}

fn ambiguous(m: &mut RecordMatch, index: &PhIndex, candidates: &[usize], why: &str) {
    m.classification = Classification::Ambiguous;
    m.reasons.push(why.to_owned());
    m.candidates = candidates
        .iter()
        .map(|&i| index.clients[i].id.clone())
        .collect();
}

fn unmatched_patient(p: &PatientRecord) -> RecordMatch {
    RecordMatch {
        entity: Entity::Patient,
        external_id: p.external_id.clone(),
        client_external_id: p.client_external_id.clone(),
        classification: Classification::New,
        ph_id: None,
        matched_by: None,
        score: 0.0,
        reasons: Vec::new(),
        candidates: Vec::new(),
        diffs: Vec::new(),
        errors: String::new(),
    }
}

/// Matches a pet among the patients of `client`, the PH client its owner is; `owner_id` is
/// that client's external ID (how PH's pets name their owner in canonical form).
pub fn match_patient(p: &PatientRecord, client: &Client, owner_id: &str) -> RecordMatch {
    let mut m = unmatched_patient(p);
    let pets: Vec<PatientRecord> = client
        .patients
        .iter()
        .map(|x| patient_record(x, owner_id))
        .collect();
    let by_id = (!p.external_id.is_empty())
        .then(|| pets.iter().position(|x| x.external_id == p.external_id))
        .flatten();
    let found = if let Some(i) = by_id {
        m.matched_by = Some(MatchedBy::ExternalId);
        m.score = 1.0;
        m.reasons.push("same patient ID".to_owned());
        Some(i)
    } else {
        let name = normalize::fold(&p.name);
        let same: Vec<usize> = pets
            .iter()
            .enumerate()
            .filter(|(_, x)| {
                normalize::fold(&x.name) == name
                    && x.species.eq_ignore_ascii_case(&p.species)
                    && (x.date_of_birth.is_empty() || p.date_of_birth.is_empty() || x.date_of_birth == p.date_of_birth)
                    // A pet PH knows under another of the clinic's IDs is another pet.
                    && (x.external_id.is_empty() || p.external_id.is_empty())
            })
            .map(|(i, _)| i)
            .collect();
        match same.len() {
            0 => None,
            1 => {
                m.matched_by = Some(MatchedBy::Evidence);
                m.score = 0.95;
                m.reasons.push("same owner, name and species".to_owned());
                Some(same[0])
            }
            _ => {
                m.classification = Classification::Ambiguous;
                m.reasons
                    .push("the owner has several pets of this name and species in PH".to_owned());
                m.candidates = same
                    .iter()
                    .map(|&i| client.patients[i].id.clone())
                    .collect();
                None
            }
        }
    };
    if let Some(i) = found {
        m.ph_id = Some(client.patients[i].id.clone());
        m.diffs = diffs(Entity::Patient, |f| p.get(f), |f| pets[i].get(f));
        m.classification = classification(&m.diffs);
    }
    m
}

/// The fields where the file has a value PH does not share; a field the file leaves empty
/// says nothing (the file has no opinion), and IDs are how records were matched.
pub fn diffs<'a>(
    entity: Entity,
    file: impl Fn(Field) -> &'a str,
    ph: impl Fn(Field) -> &'a str,
) -> Vec<FieldDiff> {
    Field::of(entity)
        .filter(|f| {
            !matches!(
                f,
                Field::ClientExternalId | Field::PatientExternalId | Field::PatientClientExternalId
            )
        })
        .filter_map(|f| {
            let (a, b) = (file(f), ph(f));
            (!a.is_empty() && !same_value(f, a, b)).then(|| FieldDiff {
                field: f,
                ph: b.to_owned(),
                file: a.to_owned(),
            })
        })
        .collect()
}

/// Whether two values of `field` say the same thing (case, spacing and formatting aside).
pub fn same_value(field: Field, a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match field {
        Field::ClientEmail => normalize::email(a) == normalize::email(b),
        Field::ClientPhone | Field::ClientPhoneAlt => {
            !normalize::phone(a).is_empty() && normalize::phone(a) == normalize::phone(b)
        }
        Field::PatientWeightKg => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => (x - y).abs() < 0.005,
            _ => false,
        },
        Field::ClientPostalCode => normalize::postal_code(a) == normalize::postal_code(b),
        // `O'Brien` and `OBrien` are one spelling for PH's search; not worth a conflict.
        Field::ClientFirstName | Field::ClientLastName | Field::PatientName => {
            !normalize::name(a).is_empty() && normalize::name(a) == normalize::name(b)
        }
        _ => normalize::fold(a) == normalize::fold(b) && !normalize::fold(a).is_empty(),
    }
}

/// The classification of a matched record with these diffs.
pub fn classification(diffs: &[FieldDiff]) -> Classification {
    if diffs.is_empty() {
        Classification::Identical
    } else if diffs.iter().all(FieldDiff::fills_blank) {
        Classification::Update
    } else {
        Classification::Conflict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ph::types::Patient;
    use chrono::Utc;

    fn ph_client(
        id: &str,
        ext: Option<&str>,
        first: &str,
        last: &str,
        email: Option<&str>,
        address: Option<&str>,
    ) -> Client {
        Client {
            id: id.into(),
            clinic_id: "clinic-1".into(),
            external_id: ext.map(Into::into),
            first_name: first.into(),
            last_name: last.into(),
            email: email.map(Into::into),
            phone: Some("+12175550143".into()),
            phone_alt: None,
            address1: address.map(Into::into),
            address2: None,
            city: Some("Springfield".into()),
            state: Some("IL".into()),
            postal_code: Some("62704".into()),
            country: Some("US".into()),
            active: true,
            created_by_import_run: None,
            import_run_id: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            patients: Vec::new(),
        }
    }

    fn ph_pet(id: &str, name: &str, dob: Option<&str>) -> Patient {
        Patient {
            id: id.into(),
            client_id: "x".into(),
            external_id: None,
            name: name.into(),
            species: "dog".into(),
            breed: None,
            sex: None,
            neutered: None,
            date_of_birth: dob.map(Into::into),
            weight_kg: Some(12.5),
            color: None,
            microchip: None,
            deceased: false,
            created_by_import_run: None,
            import_run_id: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn file_client(id: &str, first: &str, last: &str, email: &str, address: &str) -> ClientRecord {
        ClientRecord {
            external_id: id.into(),
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            phone: "+12175550143".into(),
            address_line1: address.into(),
            city: "Springfield".into(),
            state: "IL".into(),
            postal_code: "62704".into(),
            country: "US".into(),
            ..ClientRecord::default()
        }
    }

    #[test]
    fn each_record_is_classified_with_its_diffs() {
        let mut ana = ph_client(
            "ph-1",
            Some("100"),
            "Ana",
            "Garcia",
            Some("ana@example.com"),
            Some("4 Elm Rd"),
        );
        ana.patients = vec![ph_pet("pp-1", "Rex", Some("2019-04-01"))];
        let ph = vec![
            ana,
            ph_client("ph-2", None, "Bill", "Turner", Some("bt@example.com"), None),
            ph_client("ph-3", None, "John", "Smith", None, Some("12 Oak St")),
            ph_client("ph-4", None, "John", "Smith", None, Some("12 Oak St")),
        ];
        let file = vec![
            // Same ID, same values: nothing to send.
            file_client("100", "Ana", "Garcia", "ANA@example.com", "4 Elm Rd"),
            // Matched by e-mail; the file fills the empty address.
            file_client("200", "Bill", "Turner", "bt@example.com", "9 Birch Ln"),
            // Two PH clients fit.
            file_client("300", "John", "Smith", "", "12 Oak Street"),
            // Nobody.
            file_client("400", "Zed", "Unique", "zed@example.com", "1 Lake Dr"),
        ];
        let mut moved = file_client("100", "Ana", "Garcia", "ana@example.com", "90 Pine Ave");
        moved.external_id = "100".into();
        let pets = vec![
            PatientRecord {
                client_external_id: "100".into(),
                name: "REX".into(),
                species: "dog".into(),
                weight_kg: "12.50".into(),
                ..PatientRecord::default()
            },
            PatientRecord {
                client_external_id: "100".into(),
                name: "Bella".into(),
                species: "cat".into(),
                ..PatientRecord::default()
            },
            PatientRecord {
                client_external_id: "400".into(),
                name: "Tom".into(),
                species: "cat".into(),
                ..PatientRecord::default()
            },
        ];
        let c = classify(&file, &pets, &ph);
        let classes: Vec<Classification> = c.clients.iter().map(|m| m.classification).collect();
        assert_eq!(
            classes,
            [
                Classification::Identical,
                Classification::Update,
                Classification::Ambiguous,
                Classification::New
            ]
        );
        assert_eq!(c.clients[1].matched_by, Some(MatchedBy::Email));
        assert_eq!(
            c.clients[1].diffs,
            vec![FieldDiff {
                field: Field::ClientAddressLine1,
                ph: String::new(),
                file: "9 Birch Ln".into()
            }]
        );
        assert_eq!(c.clients[2].candidates, ["ph-3", "ph-4"]);
        let pets: Vec<Classification> = c.patients.iter().map(|m| m.classification).collect();
        assert_eq!(
            pets,
            [
                Classification::Identical,
                Classification::New,
                Classification::New
            ]
        );
        assert_eq!(c.patients[0].ph_id.as_deref(), Some("pp-1"));
        assert_eq!(c.client_counts.new, 1);
        assert_eq!(c.patient_counts.identical, 1);

        // The same person at a new address is a conflict with both values, never a silent change.
        let c = classify(&[moved], &[], &ph);
        assert_eq!(c.clients[0].classification, Classification::Conflict);
        assert_eq!(
            c.clients[0].diffs,
            vec![FieldDiff {
                field: Field::ClientAddressLine1,
                ph: "4 Elm Rd".into(),
                file: "90 Pine Ave".into()
            }]
        );
    }

    #[test]
    fn a_name_change_found_by_evidence_alone_waits_for_a_decision() {
        let ph = vec![ph_client(
            "ph-1",
            None,
            "Eliza",
            "Campbell",
            Some("eliza@example.com"),
            Some("10 Arnold Pl"),
        )];
        // The same phone too: a household's line, which mother and daughter may share.
        let eliza = file_client("1", "Eliza", "Clarie", "", "10 Arnold Place");
        let out = classify(&[eliza], &[], &ph);
        let m = &out.clients[0];
        assert_eq!(m.classification, Classification::Ambiguous, "{m:?}");
        assert_eq!(m.candidates, ["ph-1"], "{m:?}");
        assert_eq!(m.ph_id, None, "{m:?}");
        assert!(
            m.reasons
                .iter()
                .any(|r| r.contains("a name change, or two people")),
            "{:?}",
            m.reasons
        );
        // Her e-mail says it is her.
        let same_email = file_client(
            "1",
            "Eliza",
            "Clarie",
            "eliza@example.com",
            "10 Arnold Place",
        );
        let out = classify(&[same_email], &[], &ph);
        assert_eq!(
            out.clients[0].ph_id.as_deref(),
            Some("ph-1"),
            "{:?}",
            out.clients[0]
        );
    }

    #[test]
    fn a_short_last_name_typo_matches_its_ph_client_but_a_household_member_does_not() {
        let ph = vec![ph_client(
            "ph-1",
            None,
            "Ann",
            "Nash",
            Some("ann.nash@example.com"),
            Some("12 Oak St"),
        )];
        let file = vec![
            file_client("1", "Ann", "Nesh", "ann.nash@example.com", "12 Oak St"),
            // Same phone and address (the helpers give every client one phone), another
            // given name: the PH client's daughter, not her.
            file_client("2", "Jan", "Nash", "", "12 Oak St"),
        ];
        let out = classify(&file, &[], &ph);
        assert_eq!(
            out.clients[0].ph_id.as_deref(),
            Some("ph-1"),
            "{:?}",
            out.clients[0]
        );
        assert!(
            out.clients[0]
                .reasons
                .iter()
                .any(|r| r.contains("one letter apart")),
            "{:?}",
            out.clients[0].reasons
        );
        assert_eq!(out.clients[1].ph_id, None, "{:?}", out.clients[1]);
        assert_eq!(out.clients[1].classification, Classification::New);
    }
}
