//! Automatic mapping suggestion: headers and values → a scored, globally consistent mapping.
//!
//! Three sources of evidence, in this order of trust: what the header says (vocabulary,
//! entity markers, fuzzy similarity), what the values look like (sniffing), and what the
//! rest of the table is about (a bare "Name" in a pets-only table is the pet's). Every
//! (column, role) pair gets a confidence; a greedy global assignment then gives each
//! field at most one column and each column at most one role, so two fields never fight
//! over one column. The only columns feeding several fields are deliberate splits (a full
//! name, a one-line address, a sex code that also says "neutered"), and they say so.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{Entity, Field, FieldKind, RequiredPolicy};

use super::country::{infer as infer_country, CountryReport};
use super::draft::{Candidate, Draft, Strength};
pub use super::draft::{
    CandidateView, CodeChoice, CodeTable, CodeTableEntry, ColumnReport, DateReport, TableReport,
};
use super::groups;
use super::header::{analyze, HeaderInfo};
use super::model::{FieldMapping, IgnoredColumn, Mapping, TableMapping, TableRole};
use super::sniff::{sniff, ColumnStats};
use super::table::SourceTable;
use super::transform::codes::{builtin_sex, CodeEntry};
use super::transform::dates::{current_year, DateOrder};
use super::transform::units::WeightUnit;
use super::transform::{AddressPart, NamePart, Transform};
use super::vocab::{compact, synonyms, Role, Synonym};

/// Settings of a suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SuggestOptions {
    /// The clinic's country (ISO alpha-2): phone default, date order and weight unit defaults.
    /// With `infer_country`, only the fallback when the data says nothing.
    pub country: String,
    /// Whether the data decides the country (states, postcodes, phones, a country column);
    /// false when a person gave it.
    #[serde(default = "yes")]
    pub infer_country: bool,
    /// Two-digit years fall in the hundred years ending here (usually the current year).
    pub pivot_year: i32,
    /// What a person said a table holds, by table name, over the guess.
    #[serde(default)]
    pub roles: BTreeMap<String, TableRole>,
    /// The unit a person said weights written as bare numbers are in, over the evidence.
    #[serde(default)]
    #[ts(optional)]
    pub weight_unit: Option<WeightUnit>,
}

fn yes() -> bool {
    true
}

impl Default for SuggestOptions {
    fn default() -> Self {
        Self {
            country: "US".into(),
            infer_country: true,
            pivot_year: current_year(),
            roles: BTreeMap::new(),
            weight_unit: None,
        }
    }
}

/// A suggested mapping with everything the user needs to review it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Suggestion {
    /// The mapping, ready to convert once confirmed.
    pub mapping: Mapping,
    /// Per table: columns, candidates, code tables, date evidence, missing fields.
    pub tables: Vec<TableReport>,
    /// The country used for phones, postcodes and dates, and why.
    pub country: CountryReport,
}

const CONFIRM_BELOW: f32 = 0.75;

#[derive(Debug, Clone, Copy, Default)]
struct Context {
    client: bool,
    patient: bool,
}

/// Suggests a mapping for a set of tables (the files and sheets of one import).
pub fn suggest(
    tables: &[SourceTable],
    options: &SuggestOptions,
    policy: &RequiredPolicy,
) -> Suggestion {
    let country = if options.infer_country {
        // A first mapping with the fallback says which columns hold states, postcodes and
        // phones; their values then say the country.
        let first: Vec<Draft> = tables.iter().map(|t| draft_table(t, options)).collect();
        let fields: Vec<&[FieldMapping]> = first.iter().map(|d| d.fields.as_slice()).collect();
        infer_country(tables, &fields, &options.country)
    } else {
        CountryReport {
            code: options.country.clone(),
            reasons: vec![format!("{} was given", options.country)],
            needs_confirmation: false,
        }
    };
    let options = &SuggestOptions {
        country: country.code.clone(),
        ..options.clone()
    };
    let mut drafts: Vec<Draft> = tables.iter().map(|t| draft_table(t, options)).collect();
    // A key/value sheet beside the others (practice name, weight units) gives no records;
    // what it says about weights is used for the other tables' bare numbers.
    let settings: Vec<Option<super::settings_sheet::Settings>> = if tables.len() > 1 {
        tables.iter().map(super::settings_sheet::of).collect()
    } else {
        vec![None; tables.len()]
    };
    let sheet_unit = settings
        .iter()
        .flatten()
        .find_map(super::settings_sheet::Settings::weight_unit);
    for ((table, draft), s) in tables.iter().zip(drafts.iter_mut()).zip(&settings) {
        match s {
            Some(s) => leave_out_settings(table, draft, s),
            None => {
                if let Some(unit) = &sheet_unit {
                    super::weights::from_settings(table, draft, options.weight_unit, unit);
                }
            }
        }
    }
    let chosen: Vec<Option<TableRole>> = tables
        .iter()
        .map(|t| options.roles.get(&t.name).copied())
        .collect();
    decide_roles(&mut drafts, &chosen);
    super::crosstable::link_tables(tables, &mut drafts);
    for (table, draft) in tables.iter().zip(drafts.iter_mut()) {
        super::crosstable::pet_id_from_values(table, draft);
    }
    let mut mapping = Mapping {
        country: options.country.clone(),
        ..Mapping::default()
    };
    let mut reports = Vec::new();
    for (table, draft) in tables.iter().zip(drafts) {
        let (tm, report) = finish_table(table, draft, policy);
        mapping.tables.push(tm);
        reports.push(report);
    }
    Suggestion {
        mapping,
        tables: reports,
        country,
    }
}

/// A settings sheet maps nothing: every column is left out, saying what the sheet holds.
fn leave_out_settings(table: &SourceTable, d: &mut Draft, s: &super::settings_sheet::Settings) {
    d.fields.clear();
    d.assigned.clear();
    d.code_tables.clear();
    d.dates.clear();
    d.pet_groups.clear();
    let reason = format!("a settings sheet ({}), not records: left out", s.summary());
    d.left_out = Some(reason.clone());
    d.ignored = table
        .headers
        .iter()
        .map(|h| IgnoredColumn {
            column: h.clone(),
            reason: reason.clone(),
        })
        .collect();
}

/// A table's draft, with pets side by side (`Pet1 Name` … `Pet4 Name`) read as further
/// pets of each row when the first of each numbered family maps to a pet's field.
fn draft_table(table: &SourceTable, options: &SuggestOptions) -> Draft {
    let families = groups::families(&table.headers);
    if families.is_empty() {
        return draft_columns(table, options, &[]);
    }
    // Headers alone cannot tell `Pet2 Name` from `Phone2`: map the table with every later
    // group set aside, and keep the families whose first column then fills a pet's field.
    let all: Vec<&groups::Family> = families.iter().collect();
    let trial = draft_columns(table, options, &all);
    let pets = pet_families(&trial, &table.headers, &families);
    if pets.is_empty() {
        return draft_columns(table, options, &[]);
    }
    // Again with only the pets' later groups set aside, so `Phone2` is a phone again.
    let mut draft = draft_columns(table, options, &pets);
    let kept = pet_families(&draft, &table.headers, pets.iter().copied());
    draft.pet_groups = groups::pet_groups(&table.headers, &kept);
    draft
}

/// The families whose first column fills a pet's field, when one of them is the pet's name
/// (a pet group without a name is no pet).
fn pet_families<'f>(
    draft: &Draft,
    headers: &[String],
    families: impl IntoIterator<Item = &'f groups::Family>,
) -> Vec<&'f groups::Family> {
    let field_of = |f: &groups::Family| {
        let header = headers.get(f.first()?)?;
        draft
            .fields
            .iter()
            .find(|m| m.field.entity() == Entity::Patient && m.columns.contains(header))
            .map(|m| m.field)
    };
    let pets: Vec<(&groups::Family, Field)> = families
        .into_iter()
        .filter_map(|f| Some((f, field_of(f)?)))
        .collect();
    if !pets.iter().any(|(_, field)| *field == Field::PatientName) {
        return Vec::new();
    }
    pets.into_iter().map(|(f, _)| f).collect()
}

/// A table's draft; the columns of the groups after the first of `side_by_side` get no
/// role of their own, and their filled values count as their first column's.
fn draft_columns(
    table: &SourceTable,
    options: &SuggestOptions,
    side_by_side: &[&groups::Family],
) -> Draft {
    let mut later_of: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut set_aside: HashSet<usize> = HashSet::new();
    for f in side_by_side {
        if let Some(first) = f.first() {
            later_of.entry(first).or_default().extend(f.later());
            set_aside.extend(f.later());
        }
    }
    let headers: Vec<HeaderInfo> = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            // The first pet's `Pet1 Name` reads as `Pet Name`; the reasons still quote it.
            match groups::unnumbered(h).filter(|_| later_of.contains_key(&i)) {
                Some(plain) => HeaderInfo {
                    raw: h.clone(),
                    ..analyze(&plain)
                },
                None => analyze(h),
            }
        })
        .collect();
    let stats: Vec<ColumnStats> = (0..table.headers.len())
        .map(|i| {
            let later = later_of.get(&i).map_or(&[][..], Vec::as_slice);
            let others = later
                .iter()
                .flat_map(|&j| table.column(j))
                .filter(|v| !v.trim().is_empty());
            sniff(table.column(i).chain(others))
        })
        .collect();
    let context = table_context(&headers, &stats);
    let mut all: Vec<Candidate> = Vec::new();
    let mut per_column: Vec<Vec<Candidate>> = Vec::new();
    for (i, (h, s)) in headers.iter().zip(&stats).enumerate() {
        if set_aside.contains(&i) {
            per_column.push(Vec::new());
            continue;
        }
        let mut cands = column_candidates(i, h, s, context);
        // Roles come out of a hash map: break ties by name so runs are reproducible.
        cands.sort_by(|a, b| {
            b.rank
                .total_cmp(&a.rank)
                .then_with(|| role_target(a.role).cmp(&role_target(b.role)))
        });
        all.extend(cands.iter().cloned());
        per_column.push(cands);
    }
    all.sort_by(|a, b| {
        b.rank
            .total_cmp(&a.rank)
            .then_with(|| a.column.cmp(&b.column))
            .then_with(|| role_target(a.role).cmp(&role_target(b.role)))
    });
    let mut draft = Draft {
        stats,
        candidates: per_column,
        fields: Vec::new(),
        assigned: HashMap::new(),
        ignored: Vec::new(),
        role: TableRole::Combined,
        code_tables: Vec::new(),
        dates: Vec::new(),
        pet_groups: Vec::new(),
        left_out: None,
    };
    assign(&mut draft, &all, table, options);
    super::lines::settle(table, &mut draft);
    super::weights::settle(table, &mut draft, options.weight_unit);
    draft
}

/// What the table as a whole is about, from unmistakable headers and values.
fn table_context(headers: &[HeaderInfo], stats: &[ColumnStats]) -> Context {
    let mut ctx = Context::default();
    // A pets table carries its owner's ID ("Client #", "ClientKey"): an ID alone does not
    // make the table about owners.
    const ID_WORDS: [&str; 9] = [
        "", "id", "number", "code", "key", "ref", "pmsid", "idnumber", "uid",
    ];
    for (h, s) in headers.iter().zip(stats) {
        match h.entity {
            _ if ID_WORDS.contains(&h.compact.as_str()) => {}
            Some(Entity::Client) => ctx.client = true,
            Some(Entity::Patient) => ctx.patient = true,
            None => {}
        }
        for syn in synonyms().iter().filter(|s| !s.generic) {
            if compact(syn.phrase) == h.compact && !h.compact.is_empty() {
                match syn.role {
                    Role::Field(Field::ClientExternalId) | Role::Known(_) => {}
                    r => match r.entity() {
                        Some(Entity::Client) => ctx.client = true,
                        Some(Entity::Patient) => ctx.patient = true,
                        None => {}
                    },
                }
            }
        }
        if s.share.species_strict >= 0.8 && s.filled > 0 {
            ctx.patient = true;
        }
        if s.share.email >= 0.8 && s.filled > 0 {
            ctx.client = true;
        }
    }
    ctx
}

fn role_target(role: Role) -> String {
    match role {
        Role::Field(f) | Role::Inverted(f) | Role::PresentOf(f) => f.key().to_string(),
        Role::ClientFullName => "client.full_name".into(),
        Role::FullAddress => "client.full_address".into(),
        Role::CityStateZip => "client.city_state_zip".into(),
        Role::WeightUnit => "patient.weight_unit".into(),
        Role::Known(_) => "ignore".into(),
    }
}

fn role_label(role: Role) -> String {
    match role {
        Role::Field(f) => f.key().to_string(),
        Role::Inverted(f) => format!("{} (inverted)", f.key()),
        Role::PresentOf(f) => format!("{} (true when filled)", f.key()),
        Role::ClientFullName => "a full name (split into first and last)".into(),
        Role::FullAddress => "a one-line address (split into its parts)".into(),
        Role::CityStateZip => "city, state and postal code in one column".into(),
        Role::WeightUnit => "the unit of the weight column".into(),
        Role::Known(what) => what.to_string(),
    }
}

/// How well the header matches one synonym: (score, how).
fn header_match(h: &HeaderInfo, syn: &Synonym) -> Option<(f32, String)> {
    let sc = compact(syn.phrase);
    let full: String = h.raw_compact();
    if sc == h.compact {
        return Some((
            syn.weight,
            format!("header \"{}\" means {}", h.raw, describe_phrase(syn)),
        ));
    }
    if !sc.is_empty() && sc == full {
        return Some((
            syn.weight,
            format!("header \"{}\" means {}", h.raw, describe_phrase(syn)),
        ));
    }
    if syn.generic || sc.len() < 4 || h.core.is_empty() {
        return None;
    }
    // All the phrase's words appear in the header, with at most two more: "Primary Email Address".
    let words: Vec<&str> = syn.phrase.split(' ').collect();
    let contained = contains_run(&h.core, &words);
    if contained {
        let extra = h.core.len().saturating_sub(words.len());
        if extra <= 2 {
            let score = syn.weight * (0.85 - 0.05 * extra as f32);
            return Some((
                score,
                format!("header \"{}\" contains \"{}\"", h.raw, syn.phrase),
            ));
        }
    }
    // Typos and variants: "Adress", "Birthdate", "Microchp". Digits must agree ("Phone 2" ≠ "Phone 1").
    if sc.len() >= 5 && h.compact.len() >= 5 && digits(&sc) == digits(&h.compact) {
        let sim = strsim::jaro_winkler(&sc, &h.compact) as f32;
        if sim >= 0.93 {
            return Some((
                syn.weight * 0.8 * sim,
                format!("header \"{}\" is close to \"{}\"", h.raw, syn.phrase),
            ));
        }
    }
    None
}

fn describe_phrase(syn: &Synonym) -> String {
    if syn.phrase.is_empty() {
        role_label(syn.role)
    } else {
        format!("\"{}\"", syn.phrase)
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn contains_run(core: &[String], words: &[&str]) -> bool {
    if words.is_empty() || words.len() > core.len() {
        return false;
    }
    core.windows(words.len())
        .any(|w| w.iter().zip(words).all(|(a, b)| a == b))
}

impl HeaderInfo {
    fn raw_compact(&self) -> String {
        let mut all = self.markers.clone();
        all.extend(self.core.iter().cloned());
        // Markers were removed wherever they stood; "pet name" and "name pet" both compare as "petname".
        all.concat()
    }
}

/// The share of values fitting a role, and how much that share can say.
fn value_fit(role: Role, s: &ColumnStats) -> Option<(f32, Strength, &'static str)> {
    use Strength::*;
    let sh = &s.share;
    Some(match role {
        Role::Field(f) | Role::Inverted(f) => match f {
            Field::ClientExternalId | Field::PatientExternalId | Field::PatientClientExternalId => {
                (sh.id_like.max(sh.number), Medium, "look like IDs")
            }
            Field::ClientFirstName | Field::ClientLastName | Field::ClientCity => {
                (sh.name_like, Weak, "look like names")
            }
            Field::ClientEmail => (sh.email, Strong, "look like e-mail addresses"),
            Field::ClientPhone | Field::ClientPhoneAlt => {
                (sh.phone, Strong, "look like phone numbers")
            }
            Field::ClientAddressLine1 => (sh.street_only, Medium, "look like street addresses"),
            Field::ClientAddressLine2 => return None,
            Field::ClientState => (sh.state, Strong, "are US/Canadian state codes or names"),
            Field::ClientPostalCode => (
                sh.zip.max(sh.postal_any * 0.9),
                Strong,
                "look like ZIP or postal codes",
            ),
            Field::ClientCountry => (sh.country, Medium, "are country names or codes"),
            // A status column saying "Deceased" is about pets, not owners.
            Field::ClientActive => (
                (sh.active_bool - sh.deceased_word).max(0.0),
                Strong,
                "are yes/no or active/inactive values (and not \"deceased\")",
            ),
            Field::PatientName => (
                (sh.name_like - 0.6 * sh.person_full).max(0.0),
                Weak,
                "look like pet names",
            ),
            Field::PatientSpecies => (
                sh.species_strict.max(sh.species * 0.8),
                Strong,
                "are species codes or names",
            ),
            Field::PatientBreed => (sh.alpha_text, Weak, "are words"),
            // "MA", "MN", "IL": a column of state codes is no sex column, whatever its header.
            Field::PatientSex if sh.state >= 0.8 && sh.state > sh.sex => {
                (0.0, Strong, "are state codes, not sex codes")
            }
            Field::PatientSex => (sh.sex, Strong, "are sex codes"),
            Field::PatientNeutered => (
                sh.neutered_bool,
                Strong,
                "are yes/no or spayed/neutered values",
            ),
            Field::PatientDateOfBirth => (sh.date, Strong, "are dates"),
            Field::PatientWeightKg => (sh.weight, Strong, "are weights"),
            Field::PatientColor => (sh.alpha_text, Weak, "are words"),
            Field::PatientMicrochip => (sh.microchip, Medium, "look like microchip numbers"),
            Field::PatientDeceased => (
                sh.deceased_bool,
                Strong,
                "are yes/no or deceased/alive values",
            ),
        },
        // Anything written counts ("Renal failure" under "Cause of death"): words too.
        Role::PresentOf(_) => (
            sh.date.max(sh.deceased_bool).max(sh.alpha_text),
            Medium,
            "are dates, flags or words",
        ),
        Role::ClientFullName => (sh.person_full, Strong, "look like full names of people"),
        Role::FullAddress => (
            sh.full_address,
            Strong,
            "look like whole addresses with city, state or postal code",
        ),
        Role::CityStateZip => (sh.city_state_zip, Strong, "look like \"City, ST 12345\""),
        Role::WeightUnit => (sh.unit_word, Strong, "are weight units"),
        Role::Known(_) => return None,
    })
}

fn combine(
    header: f32,
    fit: Option<(f32, Strength, &'static str)>,
    generic_header: bool,
    s: &ColumnStats,
) -> f32 {
    let Some((share, strength, _)) = fit else {
        return header;
    };
    if s.is_empty() {
        return header * 0.85;
    }
    // A generic header ("Name", "ID", "Client") says little: let the values speak louder.
    let strength = if generic_header {
        Strength::Strong
    } else {
        strength
    };
    let factor = match strength {
        Strength::Strong => 0.25 + 0.75 * share,
        Strength::Medium => 0.5 + 0.5 * share,
        Strength::Weak => 0.8 + 0.2 * share,
    };
    let mut c = header * factor;
    if header >= 0.85 && share >= 0.8 && strength == Strength::Strong {
        c = (header + 0.03).min(1.0);
    }
    c
}

fn column_candidates(
    column: usize,
    h: &HeaderInfo,
    s: &ColumnStats,
    ctx: Context,
) -> Vec<Candidate> {
    let mut best: HashMap<Role, (f32, String, bool)> = HashMap::new();
    for syn in synonyms() {
        let Some((mut score, why)) = header_match(h, syn) else {
            continue;
        };
        let mut why = why;
        if let Some(entity) = syn.role.entity() {
            match h.entity {
                Some(e) if e != entity => continue,
                Some(_) => {
                    why.push_str(&format!(
                        " (\"{}\" names the {})",
                        h.markers.join(" "),
                        entity_word(entity)
                    ));
                }
                None if syn.generic => {
                    let (this, other) = match entity {
                        Entity::Client => (ctx.client, ctx.patient),
                        Entity::Patient => (ctx.patient, ctx.client),
                    };
                    let factor = match (this, other) {
                        (true, false) => 0.85,
                        (false, true) => 0.3,
                        _ => 0.6,
                    };
                    score *= factor;
                    why.push_str(&format!(
                        " (no owner/pet word: judged from the rest of the table, ×{factor:.2})"
                    ));
                }
                None => {}
            }
        }
        let generic = syn.generic || h.core.is_empty();
        let entry = best
            .entry(syn.role)
            .or_insert((0.0, String::new(), generic));
        if score > entry.0 {
            *entry = (score, why, generic);
        }
    }
    // "Died", "Deceased" holding dates: the pet is deceased when there is a date.
    if s.share.date >= 0.8 {
        if let Some(entry) = best.remove(&Role::Field(Field::PatientDeceased)) {
            let present = best
                .entry(Role::PresentOf(Field::PatientDeceased))
                .or_insert((0.0, String::new(), entry.2));
            if entry.0 > present.0 {
                *present = entry;
            }
        }
    }
    let mut out = Vec::new();
    for (role, (header_score, why, generic)) in best {
        let fit = value_fit(role, s);
        let mut confidence = combine(header_score, fit, generic, s);
        let mut reasons = vec![why];
        if let Some((share, _, what)) = fit {
            if !s.is_empty() {
                reasons.push(format!("{:.0}% of sampled values {what}", share * 100.0));
            } else {
                reasons.push("the column is empty in the sampled rows".into());
            }
        }
        // A client ID repeats on each pet's row; a patient ID does not.
        if generic && s.filled >= 5 {
            let repeats = s.unique_ratio() < 0.9;
            match role {
                Role::Field(Field::ClientExternalId) if repeats => {
                    confidence = (confidence * 1.15).min(0.95);
                    reasons.push("values repeat, as an owner's ID does on each pet's row".into());
                }
                Role::Field(Field::PatientExternalId) if repeats => {
                    confidence *= 0.5;
                    reasons.push("values repeat, which a pet's ID would not".into());
                }
                _ => {}
            }
        }
        // "A", "D", "DEC" beside pets: a status that can say "deceased" is the pet's.
        if role == Role::Field(Field::ClientActive)
            && generic
            && ctx.patient
            && s.share.deceased_code > 0.0
        {
            confidence *= 0.5;
            reasons
                .push("some values say \"deceased\", a pet's status rather than an owner's".into());
        }
        if confidence >= 0.3 {
            let rank = confidence + 0.01 * header_score;
            out.push(Candidate {
                column,
                role,
                confidence,
                rank,
                reasons,
                sniffed_only: false,
            });
        }
    }
    // Values alone, for columns whose header says nothing useful ("Contact 2", "Col7").
    let sh = &s.share;
    let sniffable: [(Role, f32, f32, &str); 9] = [
        (
            Role::Field(Field::ClientEmail),
            sh.email,
            0.8,
            "e-mail addresses",
        ),
        (
            Role::Field(Field::ClientPhone),
            sh.phone,
            0.8,
            "phone numbers",
        ),
        (
            Role::Field(Field::ClientPhoneAlt),
            sh.phone,
            0.8,
            "phone numbers",
        ),
        (
            Role::Field(Field::PatientSpecies),
            sh.species_strict,
            0.8,
            "species",
        ),
        (
            Role::Field(Field::PatientSex),
            if s.distinct <= 16 && !(sh.state >= 0.8 && sh.state > sh.sex) {
                sh.sex
            } else {
                0.0
            },
            0.9,
            "sex codes",
        ),
        (
            Role::Field(Field::PatientMicrochip),
            sh.microchip,
            0.8,
            "microchip numbers",
        ),
        (
            Role::FullAddress,
            sh.full_address,
            0.7,
            "one-line addresses",
        ),
        (
            Role::Field(Field::ClientAddressLine1),
            sh.street_only,
            0.8,
            "street addresses",
        ),
        // Two-letter codes of several states: a one-value column could be anything.
        (
            Role::Field(Field::ClientState),
            if s.distinct >= 2 && sh.sex < sh.state {
                sh.state
            } else {
                0.0
            },
            0.9,
            "state or province codes",
        ),
    ];
    if !s.is_empty() {
        for (role, share, min, what) in sniffable {
            if share < min || out.iter().any(|c| c.role == role) {
                continue;
            }
            let base = if role == Role::Field(Field::ClientPhoneAlt) {
                0.38
            } else {
                0.4
            };
            out.push(Candidate {
                column,
                role,
                confidence: base + 0.35 * share,
                rank: base + 0.35 * share,
                reasons: vec![format!(
                    "{:.0}% of sampled values look like {what}, though the header \"{}\" does not say so",
                    share * 100.0,
                    h.raw
                )],
                sniffed_only: true,
            });
        }
    }
    out
}

fn entity_word(e: Entity) -> &'static str {
    match e {
        Entity::Client => "owner",
        Entity::Patient => "pet",
    }
}

/// The fields a role fills: (core fields that must all be free, optional extra fields).
fn role_fields(role: Role, s: &ColumnStats) -> (Vec<Field>, Vec<Field>) {
    use Field::*;
    match role {
        Role::Field(PatientSex) if s.share.sex_neuter_info >= 0.1 => {
            (vec![PatientSex], vec![PatientNeutered])
        }
        Role::Field(f) | Role::Inverted(f) | Role::PresentOf(f) => (vec![f], vec![]),
        Role::ClientFullName => (vec![ClientFirstName, ClientLastName], vec![]),
        Role::FullAddress => (
            vec![ClientAddressLine1],
            vec![
                ClientAddressLine2,
                ClientCity,
                ClientState,
                ClientPostalCode,
            ],
        ),
        Role::CityStateZip => (vec![ClientCity], vec![ClientState, ClientPostalCode]),
        Role::WeightUnit | Role::Known(_) => (vec![], vec![]),
    }
}

fn assign(draft: &mut Draft, all: &[Candidate], table: &SourceTable, options: &SuggestOptions) {
    let mut taken_fields: HashSet<Field> = HashSet::new();
    let mut taken_columns: HashSet<usize> = HashSet::new();
    let mut unit_column: Option<(usize, f32)> = None;
    let mut field_column: HashMap<Field, usize> = HashMap::new();
    for cand in all {
        if taken_columns.contains(&cand.column) {
            continue;
        }
        let s = &draft.stats[cand.column];
        let header = &table.headers[cand.column];
        match cand.role {
            Role::Known(what) => {
                taken_columns.insert(cand.column);
                draft.ignored.push(IgnoredColumn {
                    column: header.clone(),
                    reason: format!(
                        "recognized as {what}, which the canonical format does not carry"
                    ),
                });
                continue;
            }
            Role::WeightUnit => {
                if unit_column.is_none() {
                    unit_column = Some((cand.column, cand.confidence));
                    taken_columns.insert(cand.column);
                }
                continue;
            }
            _ => {}
        }
        let (core, optional) = role_fields(cand.role, s);
        if core.iter().any(|f| taken_fields.contains(f)) {
            continue;
        }
        let fields: Vec<Field> = core
            .iter()
            .chain(&optional)
            .copied()
            .filter(|f| !taken_fields.contains(f))
            .collect();
        taken_columns.insert(cand.column);
        for &f in &fields {
            taken_fields.insert(f);
            field_column.insert(f, cand.column);
            let mut fm = field_mapping(
                f,
                cand,
                header,
                s,
                options,
                &mut draft.dates,
                &mut draft.code_tables,
            );
            if fields.len() > 1 {
                fm.reasons.push(format!(
                    "\"{header}\" also fills {} (a deliberate split of one column)",
                    fields
                        .iter()
                        .filter(|g| **g != f)
                        .map(|g| g.key())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            draft.fields.push(fm);
        }
        draft.assigned.insert(cand.column, fields);
    }
    // A separate unit column goes with the weight.
    if let Some((col, conf)) = unit_column {
        if let Some(w) = draft
            .fields
            .iter_mut()
            .find(|f| f.field == Field::PatientWeightKg)
        {
            w.columns.push(table.headers[col].clone());
            w.reasons
                .retain(|r| !r.starts_with("no unit in the header"));
            w.reasons
                .push(format!("units from the column \"{}\"", table.headers[col]));
            w.confidence = w.confidence.min(conf.max(0.8));
            w.needs_confirmation = w.confidence < CONFIRM_BELOW;
            draft.assigned.insert(col, vec![Field::PatientWeightKg]);
        } else {
            draft.ignored.push(IgnoredColumn {
                column: table.headers[col].clone(),
                reason: "a weight unit, but no weight column was found".into(),
            });
        }
    }
    join_death_evidence(draft, all, table);
    // Runner-ups: another column nearly as good for the same field deserves a look.
    for fm in &mut draft.fields {
        let Some(&col) = field_column.get(&fm.field) else {
            continue;
        };
        let rival = all.iter().find(|c| {
            c.column != col
                && role_fields(c.role, &draft.stats[c.column])
                    .0
                    .contains(&fm.field)
                && c.confidence >= 0.5
                && c.confidence + 0.08 >= fm.confidence
                && draft.assigned.get(&c.column).is_none_or(Vec::is_empty)
        });
        if let Some(r) = rival {
            fm.needs_confirmation = true;
            fm.reasons.push(format!(
                "\"{}\" could also be {} ({:.0}% sure): please confirm",
                table.headers[r.column],
                fm.field.key(),
                r.confidence * 100.0
            ));
        }
    }
}

/// A deceased flag and a date of death side by side: each says what the other forgets, so
/// the flag column reads first and the date, when there is one, also makes the pet deceased.
fn join_death_evidence(draft: &mut Draft, all: &[Candidate], table: &SourceTable) {
    let Some(pos) = draft
        .fields
        .iter()
        .position(|f| f.field == Field::PatientDeceased)
    else {
        return;
    };
    let free = |c: &&Candidate| draft.assigned.get(&c.column).is_none_or(Vec::is_empty);
    let winner = &draft.fields[pos];
    let (flag_col, date_col, invert) =
        match winner.transform {
            Transform::Present => {
                let Some(flag) = all.iter().filter(free).find(|c| {
                    c.confidence >= 0.5
                        && matches!(
                            c.role,
                            Role::Field(Field::PatientDeceased)
                                | Role::Inverted(Field::PatientDeceased)
                        )
                }) else {
                    return;
                };
                let invert = matches!(flag.role, Role::Inverted(_));
                (
                    table.headers[flag.column].clone(),
                    winner.columns[0].clone(),
                    invert,
                )
            }
            Transform::Bool { invert, .. } if winner.columns.len() == 1 => {
                let Some(date) = all.iter().filter(free).find(|c| {
                    c.confidence >= 0.5 && c.role == Role::PresentOf(Field::PatientDeceased)
                }) else {
                    return;
                };
                (
                    winner.columns[0].clone(),
                    table.headers[date.column].clone(),
                    invert,
                )
            }
            _ => return,
        };
    let fm = &mut draft.fields[pos];
    fm.reasons.push(format!(
        "\"{flag_col}\" and the date or cause in \"{date_col}\" are read together: deceased when the flag says so or a date or cause is there"
    ));
    fm.columns = vec![flag_col.clone(), date_col.clone()];
    let codes = match &fm.transform {
        Transform::Bool { codes, .. } => codes.clone(),
        // The date won the field: the flag's codes are read now, as they would have been.
        _ => match table.headers.iter().position(|h| *h == flag_col) {
            Some(i) => status_codes(
                Field::PatientDeceased,
                invert,
                &flag_col,
                &draft.stats[i],
                &mut fm.reasons,
                &mut fm.needs_confirmation,
                &mut draft.code_tables,
            ),
            None => Vec::new(),
        },
    };
    fm.transform = Transform::Bool { invert, codes };
    for col in [flag_col, date_col] {
        if let Some(i) = table.headers.iter().position(|h| *h == col) {
            draft.assigned.insert(i, vec![Field::PatientDeceased]);
        }
        draft.ignored.retain(|x| x.column != col);
    }
}

fn field_mapping(
    field: Field,
    cand: &Candidate,
    header: &str,
    s: &ColumnStats,
    options: &SuggestOptions,
    dates: &mut Vec<DateReport>,
    code_tables: &mut Vec<CodeTable>,
) -> FieldMapping {
    let mut reasons = cand.reasons.clone();
    let mut needs = cand.confidence < CONFIRM_BELOW || cand.sniffed_only;
    if cand.sniffed_only {
        reasons.push("suggested from the values alone: please confirm".into());
    }
    let transform = match cand.role {
        Role::Field(Field::PatientSex) => {
            let codes = mixed_sex_codes(s, &mut reasons);
            if field == Field::PatientSex {
                code_tables.extend(code_table(
                    field,
                    header,
                    s,
                    &codes,
                    &mut reasons,
                    &mut needs,
                ));
            }
            Transform::Sex { codes }
        }
        Role::Inverted(_) => Transform::Bool {
            invert: true,
            codes: status_codes(
                field,
                true,
                header,
                s,
                &mut reasons,
                &mut needs,
                code_tables,
            ),
        },
        Role::PresentOf(_) => Transform::Present,
        Role::ClientFullName => Transform::SplitName {
            part: if field == Field::ClientFirstName {
                NamePart::First
            } else {
                NamePart::Last
            },
        },
        Role::FullAddress | Role::CityStateZip => Transform::SplitAddress {
            part: match field {
                Field::ClientAddressLine2 => AddressPart::Line2,
                Field::ClientCity => AddressPart::City,
                Field::ClientState => AddressPart::State,
                Field::ClientPostalCode => AddressPart::PostalCode,
                _ => AddressPart::Line1,
            },
        },
        _ => match field.kind() {
            FieldKind::Email => Transform::Email,
            FieldKind::Phone => Transform::Phone {
                country: options.country.clone(),
            },
            FieldKind::State => Transform::State,
            FieldKind::Country => Transform::Country,
            FieldKind::Species => {
                code_tables.extend(code_table(field, header, s, &[], &mut reasons, &mut needs));
                Transform::Species { codes: Vec::new() }
            }
            FieldKind::Sex => {
                let codes = mixed_sex_codes(s, &mut reasons);
                if field == Field::PatientSex {
                    code_tables.extend(code_table(
                        field,
                        header,
                        s,
                        &codes,
                        &mut reasons,
                        &mut needs,
                    ));
                }
                Transform::Sex { codes }
            }
            FieldKind::Bool => Transform::Bool {
                invert: false,
                codes: status_codes(
                    field,
                    false,
                    header,
                    s,
                    &mut reasons,
                    &mut needs,
                    code_tables,
                ),
            },
            FieldKind::Date => {
                let default = default_order(&options.country);
                let detection = s.dates.detect(default);
                if detection.ambiguous {
                    needs = true;
                    reasons.push(format!("date order not certain: {}", detection.evidence));
                } else {
                    reasons.push(format!("date order: {}", detection.evidence));
                }
                let order = detection.order;
                dates.push(DateReport {
                    column: header.to_string(),
                    detection,
                });
                Transform::Date {
                    order,
                    pivot_year: options.pivot_year,
                }
            }
            FieldKind::WeightKg => {
                let (unit, why, sure) = weight_unit(header, s, options);
                reasons.push(why);
                if !sure {
                    needs = true;
                }
                Transform::Weight { unit }
            }
            FieldKind::Microchip => Transform::Microchip,
            FieldKind::Id | FieldKind::Name | FieldKind::Text | FieldKind::PostalCode => {
                Transform::Copy
            }
        },
    };
    // The sex column feeding `neutered` too is part of the split, with the same confidence.
    if field == Field::PatientNeutered && matches!(transform, Transform::Sex { .. }) {
        reasons.retain(|r| !r.starts_with("date"));
    }
    FieldMapping {
        field,
        columns: vec![header.to_string()],
        transform,
        confidence: (cand.confidence * 100.0).round() / 100.0,
        needs_confirmation: needs,
        reasons,
    }
}

/// A status or flag column with values the yes/no readings do not know (`E`, `X`, `Moved`)
/// would leave those rows empty. Its code table lists every value with what it reads as,
/// and the mapping's codes hold the unknown ones with no meaning yet, for a person to set
/// to `true` or `false`; the field is flagged until then. Status columns of clients and
/// pets only: other yes/no fields (neutered) keep the plain reading.
fn status_codes(
    field: Field,
    invert: bool,
    header: &str,
    s: &ColumnStats,
    reasons: &mut Vec<String>,
    needs: &mut bool,
    code_tables: &mut Vec<CodeTable>,
) -> Vec<CodeEntry> {
    if !matches!(field, Field::PatientDeceased | Field::ClientActive) || s.is_empty() {
        return Vec::new();
    }
    let plain = Transform::Bool {
        invert,
        codes: super::status::ambiguous_checkmarks(field, s),
    };
    let Some(table) = super::code_tables::code_table(field, header, s, &plain) else {
        return Vec::new();
    };
    let readings = super::status::short_code_readings(field, header, s, &plain);
    if !readings.is_empty() {
        *needs = true;
        reasons.push(format!(
            "the column writes short status codes, read as {}: please confirm in the code table",
            readings.join(", ")
        ));
    }
    let unknown: Vec<CodeEntry> = table
        .entries
        .iter()
        .filter(|e| !e.known)
        .map(|e| CodeEntry {
            code: e.value.clone(),
            value: String::new(),
        })
        .collect();
    if !unknown.is_empty() {
        *needs = true;
        reasons.push(format!(
            "status codes not known: {}; set each to true or false in the code table (until then those rows are left empty): please confirm",
            unknown
                .iter()
                .take(6)
                .map(|e| e.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    code_tables.push(table);
    unknown
}

fn default_order(country: &str) -> DateOrder {
    match country {
        "US" | "PH" | "FM" => DateOrder::Mdy,
        "CN" | "JP" | "KR" | "TW" | "HU" => DateOrder::Ymd,
        _ => DateOrder::Dmy,
    }
}

fn weight_unit(
    header: &str,
    s: &ColumnStats,
    options: &SuggestOptions,
) -> (WeightUnit, String, bool) {
    let why = |text: String| format!("{WEIGHT_UNIT_REASON}{text}");
    if let Some(unit) = options.weight_unit {
        return (
            unit,
            why(format!("{} (your setting)", unit_name(unit))),
            true,
        );
    }
    if let Some(u) = super::weights::header_unit(header) {
        return (u, why(format!("{}, from the header", unit_name(u))), true);
    }
    if s.share.weight_unit_in_text >= 0.5 {
        let unit = s
            .top_values
            .iter()
            .find_map(|(v, _)| super::transform::units::unit_in_text(v))
            .unwrap_or(WeightUnit::Kg);
        return (
            unit,
            why(format!("{}; the values carry their units", unit_name(unit))),
            true,
        );
    }
    // A clinic that writes 5,32 is a metric one, whatever the fallback country says.
    if s.share.decimal_comma >= 0.1 {
        return (
            WeightUnit::Kg,
            why("kilograms, as the values have decimal commas (5,32): please confirm".into()),
            false,
        );
    }
    let country = options.country.as_str();
    let unit = if matches!(country, "US" | "LR" | "MM") {
        WeightUnit::Lb
    } else {
        WeightUnit::Kg
    };
    (
        unit,
        why(format!(
            "{} assumed for a {country} clinic (no unit in the header or values); please confirm",
            unit_name(unit)
        )),
        false,
    )
}

/// How every weight unit reason starts, so a reason can be found and replaced.
pub const WEIGHT_UNIT_REASON: &str = "numbers without a unit: ";

/// The unit's name in a reason.
pub fn unit_name(unit: WeightUnit) -> &'static str {
    match unit {
        WeightUnit::Kg => "kilograms",
        WeightUnit::Lb => "pounds",
        WeightUnit::Oz => "ounces",
        WeightUnit::G => "grams",
    }
}

/// Column-level reading of plain sex codes: in a column that also writes neutered codes
/// (`CM`, `SF`, `MN`, `FS`), a plain `M` or `F` is the intact animal, since the clinic had
/// a code for neutered and did not use it. The entries go in the column's code table, so a
/// person sees and can change them; this reading is the rule, so it is said, not asked.
fn mixed_sex_codes(s: &ColumnStats, reasons: &mut Vec<String>) -> Vec<CodeEntry> {
    let neutered: Vec<&str> = s
        .top_values
        .iter()
        .filter(|(v, _)| builtin_sex(v).is_some_and(|c| c.neutered == Some(true)))
        .map(|(v, _)| v.as_str())
        .collect();
    if neutered.is_empty() {
        return Vec::new();
    }
    let plain: Vec<CodeEntry> = s
        .top_values
        .iter()
        .filter_map(|(v, _)| {
            let c = builtin_sex(v)?;
            let value = match (c.sex, c.neutered) {
                ("male", None) => "male_intact",
                ("female", None) => "female_intact",
                _ => return None,
            };
            Some(CodeEntry {
                code: v.clone(),
                value: value.into(),
            })
        })
        .collect();
    if !plain.is_empty() {
        reasons.push(format!(
            "the column also writes neutered codes ({}): plain {} read as intact",
            neutered.join(", "),
            plain
                .iter()
                .map(|e| e.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    plain
}

fn code_table(
    field: Field,
    column: &str,
    s: &ColumnStats,
    chosen: &[CodeEntry],
    reasons: &mut Vec<String>,
    needs: &mut bool,
) -> Option<CodeTable> {
    let transform = if field == Field::PatientSpecies {
        Transform::Species {
            codes: chosen.to_vec(),
        }
    } else {
        Transform::Sex {
            codes: chosen.to_vec(),
        }
    };
    let table = super::code_tables::code_table(field, column, s, &transform)?;
    let unknown: Vec<&str> = table
        .entries
        .iter()
        .filter(|e| !e.known)
        .map(|e| e.value.as_str())
        .take(5)
        .collect();
    if !unknown.is_empty() {
        *needs = true;
        reasons.push(format!(
            "codes not known: {}; map them in the code table",
            unknown.join(", ")
        ));
    }
    Some(table)
}

/// Settles each table's role, looking at all tables: a table with pets and only an owner
/// ID (or next to a clients table) is a patients table linked by that ID.
/// `chosen` holds what a person said instead, per table, which always wins.
fn decide_roles(drafts: &mut [Draft], chosen: &[Option<TableRole>]) {
    let has = |d: &Draft, f: Field| d.fields.iter().any(|m| m.field == f);
    let mut roles = Vec::new();
    for d in drafts.iter() {
        let pets = has(d, Field::PatientName) || has(d, Field::PatientSpecies);
        let owner_details = d.fields.iter().any(|m| {
            m.field.entity() == Entity::Client
                && !matches!(
                    m.field,
                    Field::ClientExternalId | Field::ClientCountry | Field::ClientActive
                )
        });
        roles.push(match (pets, owner_details) {
            (true, true) => TableRole::Combined,
            (true, false) => TableRole::Patients,
            (false, _) => TableRole::Clients,
        });
    }
    let clients_table = roles.contains(&TableRole::Clients);
    for (i, (d, role)) in drafts.iter_mut().zip(roles).enumerate() {
        // Beside a clients table, owner names repeated on a pets table are for reference only.
        let guessed = if role == TableRole::Combined && clients_table {
            TableRole::Patients
        } else {
            role
        };
        let role = chosen.get(i).copied().flatten().unwrap_or(guessed);
        d.role = role;
        if role == TableRole::Clients {
            keep_only(d, Entity::Client, "the table was said to hold clients only");
            continue;
        }
        if role != TableRole::Patients {
            continue;
        }
        let mut kept = Vec::new();
        for mut fm in std::mem::take(&mut d.fields) {
            if fm.field == Field::ClientExternalId {
                fm.field = Field::PatientClientExternalId;
                fm.reasons
                    .push("in a pets table, the owner's ID links each pet to its owner".into());
                kept.push(fm);
            } else if fm.field.entity() == Entity::Client {
                if fm.field == Field::ClientActive {
                    d.code_tables.retain(|t| t.field != Field::ClientActive);
                }
                let reason = if fm.field == Field::ClientActive {
                    "a pet's own active/archived flag in a pets table: not the owner's client.active"
                } else {
                    "owner details in a pets table: owners come from the clients table"
                };
                for c in &fm.columns {
                    if !d.ignored.iter().any(|i| &i.column == c) {
                        d.ignored.push(IgnoredColumn {
                            column: c.clone(),
                            reason: reason.into(),
                        });
                    }
                }
            } else {
                kept.push(fm);
            }
        }
        d.fields = kept;
    }
}

/// Leaves only `entity`'s fields mapped; the other columns are listed as ignored with `why`.
fn keep_only(d: &mut Draft, entity: Entity, why: &str) {
    let mut kept = Vec::new();
    for fm in std::mem::take(&mut d.fields) {
        if fm.field.entity() == entity {
            kept.push(fm);
            continue;
        }
        for c in &fm.columns {
            if !d.ignored.iter().any(|i| &i.column == c) {
                d.ignored.push(IgnoredColumn {
                    column: c.clone(),
                    reason: why.into(),
                });
            }
        }
    }
    d.fields = kept;
}

/// A third phone column ("Work Phone" beside "Home Phone" and "Cell") that lost both phone
/// fields still backs them up: a phone field reads the first filled of its columns, so a
/// client whose only number is at work keeps it (validation then moves a lone second phone
/// to `phone`).
fn add_spare_phones(table: &SourceTable, d: &mut Draft) {
    const PHONES: [Field; 2] = [Field::ClientPhone, Field::ClientPhoneAlt];
    let spare: Vec<String> = table
        .headers
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            !d.fields.iter().any(|f| f.columns.contains(h))
                && !d.ignored.iter().any(|x| &x.column == *h)
                && d.header_suggests(*i, &PHONES)
                && d.stats[*i].share.phone >= 0.5
        })
        .map(|(_, h)| h.clone())
        .collect();
    if spare.is_empty() {
        return;
    }
    let target = PHONES.iter().rev().find_map(|p| {
        d.fields
            .iter()
            .position(|f| f.field == *p && matches!(f.transform, Transform::Phone { .. }))
    });
    let Some(target) = target else {
        return;
    };
    let fm = &mut d.fields[target];
    for header in spare {
        fm.reasons.push(format!(
            "\"{header}\" is used on rows where the columns before it are empty"
        ));
        fm.columns.push(header);
    }
}

fn finish_table(
    table: &SourceTable,
    mut d: Draft,
    policy: &RequiredPolicy,
) -> (TableMapping, TableReport) {
    add_spare_phones(table, &mut d);
    if d.role == TableRole::Combined {
        super::status::drop_pet_level_active(table, &mut d);
    }
    d.fields.sort_by_key(|f| f.field);
    if d.role == TableRole::Clients {
        d.pet_groups.clear();
    }
    // A further pet's column reads as its first pet's column.
    let first_of: HashMap<String, String> = d
        .pet_groups
        .iter()
        .flat_map(|g| &g.columns)
        .map(|c| (c.column.clone(), c.first.clone()))
        .collect();
    let mapped: HashSet<&str> = d
        .fields
        .iter()
        .flat_map(|f| f.columns.iter().map(String::as_str))
        .chain(first_of.keys().map(String::as_str))
        .collect();
    let mut columns = Vec::new();
    for (i, header) in table.headers.iter().enumerate() {
        let read_as = first_of.get(header).unwrap_or(header);
        let fields: Vec<Field> = d
            .fields
            .iter()
            .filter(|f| f.columns.contains(read_as))
            .map(|f| f.field)
            .collect();
        let explicit = d
            .ignored
            .iter()
            .find(|x| &x.column == header)
            .map(|x| x.reason.clone());
        let ignored_reason = if fields.is_empty() {
            let lost_to = d.candidates[i].iter().find_map(|c| {
                let (core, _) = role_fields(c.role, &d.stats[i]);
                let winner = d.fields.iter().find(|f| core.contains(&f.field))?;
                Some(format!(
                    "looks like {} ({:.0}%), but \"{}\" fills it better",
                    winner.field.key(),
                    c.confidence * 100.0,
                    winner.columns.join(", ")
                ))
            });
            let reason = explicit.or(lost_to).unwrap_or_else(|| {
                if d.stats[i].is_empty() {
                    "empty in the sampled rows, and its header matches no canonical field".into()
                } else {
                    "its header and values match no canonical field".into()
                }
            });
            if !mapped.contains(header.as_str()) && !d.ignored.iter().any(|x| &x.column == header) {
                d.ignored.push(IgnoredColumn {
                    column: header.clone(),
                    reason: reason.clone(),
                });
            }
            Some(reason)
        } else {
            None
        };
        let candidates = d.candidates[i]
            .iter()
            .take(3)
            .map(|c| CandidateView {
                target: role_target(c.role),
                confidence: (c.confidence * 100.0).round() / 100.0,
                reasons: c.reasons.clone(),
            })
            .collect();
        let samples = d.stats[i]
            .top_values
            .iter()
            .take(5)
            .map(|(v, _)| v.clone())
            .collect();
        columns.push(ColumnReport {
            column: header.clone(),
            fields,
            candidates,
            ignored_reason,
            samples,
        });
    }
    // Keep the ignored list in file order.
    let order: HashMap<&String, usize> = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h, i))
        .collect();
    d.ignored
        .sort_by_key(|x| order.get(&x.column).copied().unwrap_or(usize::MAX));
    let tm = TableMapping {
        table: table.name.clone(),
        role: d.role,
        headers: table.headers.clone(),
        fields: d.fields,
        ignored: d.ignored,
        pet_groups: d.pet_groups,
        left_out: d.left_out,
    };
    let missing_required = missing_of(&tm, policy);
    let report = TableReport {
        table: table.name.clone(),
        role: d.role,
        columns,
        code_tables: d.code_tables,
        dates: d.dates,
        missing_required,
    };
    (tm, report)
}

/// How `field` is filled from the column `header` that a person chose: the transform its
/// values call for (date order, weight unit, code table) at full confidence, still flagged
/// when the values leave a doubt (an ambiguous date order, weights without a unit). Also
/// returns the code table and date evidence of that column. None when there is no such column.
pub fn map_chosen_column(
    table: &SourceTable,
    field: Field,
    header: &str,
    options: &SuggestOptions,
) -> Option<(FieldMapping, Vec<CodeTable>, Vec<DateReport>)> {
    let index = table.headers.iter().position(|h| h == header)?;
    let stats = sniff(table.column(index));
    let chosen = Candidate {
        column: index,
        role: Role::Field(field),
        confidence: 1.0,
        rank: 1.0,
        reasons: vec!["chosen by you".into()],
        sniffed_only: false,
    };
    let mut dates = Vec::new();
    let mut code_tables = Vec::new();
    let mapping = field_mapping(
        field,
        &chosen,
        header,
        &stats,
        options,
        &mut dates,
        &mut code_tables,
    );
    Some((mapping, code_tables, dates))
}

/// Required fields (per the target's policy) that the table's mapping leaves unfilled; none
/// for a table left out whole (a settings sheet gives no records).
pub fn missing_of(tm: &TableMapping, policy: &RequiredPolicy) -> Vec<Field> {
    if tm.left_out.is_some() {
        return Vec::new();
    }
    missing_required(tm.role, &tm.fields, policy)
}

/// Required fields (per the target's policy) that no mapping of a table with this role fills.
pub fn missing_required(
    role: TableRole,
    fields: &[FieldMapping],
    policy: &RequiredPolicy,
) -> Vec<Field> {
    let entities = match role {
        TableRole::Combined => vec![Entity::Client, Entity::Patient],
        TableRole::Clients => vec![Entity::Client],
        TableRole::Patients => vec![Entity::Patient],
    };
    let mut missing = Vec::new();
    for f in policy.client.iter().chain(&policy.patient) {
        // In a combined table the owner link is the row's own owner.
        let implicit = role == TableRole::Combined && *f == Field::PatientClientExternalId;
        if entities.contains(&f.entity()) && !implicit && !fields.iter().any(|m| m.field == *f) {
            missing.push(*f);
        }
    }
    missing
}
