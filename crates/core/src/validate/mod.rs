//! Validation and normalization: every problem in a record found, explained, and where
//! the fix is certain, fixed.
//!
//! Conversion reads each source value (its transforms report what they cannot read);
//! validation then checks the canonical records as a whole: names re-cased, ZIP codes
//! against states, dates of birth against today and the species, weights against the
//! species, owners repeated with different details, pets without owners, required fields.
//! Nothing here panics or fails a row: each problem is an [`Issue`] that the converter
//! turns into a [`Finding`](crate::canonical::Finding) with the file and row a person can
//! find. The codes are listed in [`CODES`] and documented in `docs/findings.md`.
//!
//! Every normalizer is idempotent: normalizing its own output changes nothing.

pub mod address;
mod controls;
pub mod dates;
pub mod e164;
pub mod email;
pub mod links;
pub mod names;
pub mod patient;
pub mod phone;
pub mod policy;

use chrono::NaiveDate;

use crate::canonical::vocab::is_organisation;
use crate::canonical::Problem;
use crate::canonical::{ClientRecord, Field, PatientRecord, Severity};

pub use links::{ClientRegistry, DuplicateRows};
pub use policy::{ImportPolicy, Skipped};

/// The lines of an embedded data file, without blanks and `#` comments.
fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// What validation needs to know beyond the record: the clinic's country and today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// ISO alpha-2 country of the clinic (default for clients without one).
    pub country: String,
    /// Today, for dates in the future and ages.
    pub today: NaiveDate,
}

impl Context {
    /// A context for `country` with today's date from the system clock (UTC).
    pub fn new(country: &str) -> Self {
        Context {
            country: country.trim().to_ascii_uppercase(),
            today: today(),
        }
    }
}

/// Today's date (UTC) from the system clock.
pub fn today() -> NaiveDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(days)))
        .unwrap_or(NaiveDate::MIN)
}

/// One problem in one field of a record; the caller adds the file and row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The field.
    pub field: Field,
    /// Code, severity, message and suggestion.
    pub problem: Problem,
    /// The value before validation touched it.
    pub value: String,
}

impl Issue {
    /// An issue about `field` whose value was `value`.
    pub fn new(field: Field, problem: Problem, value: &str) -> Self {
        Issue {
            field,
            problem,
            value: value.to_string(),
        }
    }
}

/// Validates and normalizes a client in place; returns what was found.
pub fn client(c: &mut ClientRecord, ctx: &Context) -> Vec<Issue> {
    let mut out = Vec::new();
    for field in controls::CLIENT_FIELDS {
        if let Some((kept, issue)) = controls::strip(field, c.get(field)) {
            c.set(field, kept);
            out.push(issue);
        }
    }
    if let Some(issue) = names::organisation(c) {
        out.push(issue);
    }
    for field in [Field::ClientFirstName, Field::ClientLastName] {
        if field == Field::ClientLastName
            && c.first_name.is_empty()
            && is_organisation(&c.last_name)
        {
            // A business's name is kept as written: `LLC` is not re-cased to `Llc`.
            continue;
        }
        let before = c.get(field).to_string();
        if before.is_empty() {
            continue;
        }
        let checked = names::check_person_name(&before);
        for p in checked.problems {
            out.push(Issue::new(field, p, &before));
        }
        c.set(field, checked.value);
    }
    if phone::is_excel_mangled(&c.external_id) {
        out.push(Issue::new(
            Field::ClientExternalId,
            Problem::new(
                "excel_mangled_number",
                Severity::Error,
                format!("client ID \"{}\" was turned into scientific notation by a spreadsheet; ask for a re-export with the column as text", c.external_id),
            ),
            &c.external_id.clone(),
        ));
    }
    // The second number is better than none: PH shows `phone` first.
    if c.phone.is_empty() && !c.phone_alt.is_empty() {
        c.phone = std::mem::take(&mut c.phone_alt);
    }
    if c.country.is_empty() {
        c.country = ctx.country.clone();
    }
    address::check_client(c, &mut out);
    out
}

/// Validates and normalizes a patient in place; returns what was found.
pub fn patient(p: &mut PatientRecord, ctx: &Context) -> Vec<Issue> {
    let mut out = Vec::new();
    for field in controls::PATIENT_FIELDS {
        if let Some((kept, issue)) = controls::strip(field, p.get(field)) {
            p.set(field, kept);
            out.push(issue);
        }
    }
    patient::check_patient(p, ctx, &mut out);
    out
}

/// A finding code, its usual severity, and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable code.
    pub code: &'static str,
    /// Its severity (some codes vary by field; this is the usual one).
    pub severity: Severity,
    /// One line for people.
    pub meaning: &'static str,
}

macro_rules! codes {
    ($( $code:literal, $sev:ident, $meaning:literal; )*) => {
        /// Every finding code conversion and validation produce (see `docs/findings.md`).
        pub const CODES: &[CodeInfo] = &[
            $( CodeInfo { code: $code, severity: Severity::$sev, meaning: $meaning }, )*
        ];
    };
}

codes! {
    "missing_required", Error, "a field the target requires is empty";
    "orphan_patient", Error, "a pet's owner ID matches no client of this run";
    "orphan_link_column", Warning, "most pets of a table have no owner: the owner-link column is probably wrong (names the column that would link them)";
    "invalid_email", Error, "not a usable e-mail address";
    "placeholder_email", Warning, "an e-mail that stands for \"none\" (none@none.com); treated as missing";
    "email_domain_typo", Warning, "a misspelt mail domain (gmial.com); the fix is suggested";
    "multiple_emails", Warning, "several addresses in one cell; the first is used";
    "invalid_phone", Warning, "not a valid phone number; kept as written";
    "placeholder_phone", Warning, "a number that stands for \"none\" (000-000-0000); treated as missing";
    "phone_extension", Warning, "an extension E.164 cannot hold";
    "impossible_date", Warning, "no such day (Feb 30); left empty";
    "unparseable_date", Warning, "not a date (\"unknown\"); left empty";
    "future_date", Warning, "a date of birth in the future; left empty";
    "ambiguous_date", Warning, "day/month order unconfirmed and this value reads differently the other way";
    "implausible_age", Warning, "a date of birth making the pet older than its species lives";
    "invalid_weight", Warning, "not a weight; left empty";
    "implausible_weight", Warning, "a weight outside the species' range";
    "invalid_postal_code", Warning, "not a ZIP or postal code of the client's country";
    "postal_state_mismatch", Warning, "the ZIP or postal code belongs to another state or province";
    "restored_leading_zero", Fixed, "a ZIP that lost its leading zero in a spreadsheet, restored";
    "address_lines_shifted", Fixed, "a unit in the city and the town in the state (the row's address lines sit one lower); moved up";
    "excel_mangled_number", Error, "an ID, phone or microchip a spreadsheet turned into 9.85E+14";
    "unknown_species", Error, "a species code the tables do not know";
    "breed_species_mismatch", Warning, "a breed of another species (a DSH recorded as a dog); that species is suggested";
    "unknown_sex_code", Warning, "a sex code the tables do not know; set to unknown";
    "inconsistent_repeated_client", Warning, "one client ID with different details on different rows";
    "duplicate_row", Warning, "a row identical to an earlier one; not imported twice";
    "ragged_row", Warning, "a row with more or fewer cells than the header";
    "stray_quote", Warning, "a quote left open ran over lines that are rows of their own; they were read as rows";
    "name_normalized", Fixed, "a name re-cased or stripped of a title";
    "organisation_name", Fixed, "an organisation's name (a legal form, or Kennels, Farm, Rescue…): the whole name is the last name, no first name";
    "second_owner", Warning, "a cell names two people; the second is not imported";
    "invalid_boolean", Warning, "not a yes/no value; left empty";
    "unknown_country", Warning, "a country this tool does not know; kept as written";
    "control_characters", Warning, "control characters (escape codes, bidi overrides) in a name, address or pet field; removed";
}

/// The usual severity of a code; `None` for unknown codes.
pub fn severity_of(code: &str) -> Option<Severity> {
    CODES.iter().find(|c| c.code == code).map(|c| c.severity)
}
