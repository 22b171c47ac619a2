//! The header vocabulary: what vendors call each canonical field.
//!
//! Phrases are written in the normalized form `header::analyze` produces (lowercase,
//! abbreviations expanded, entity markers such as "Owner" or "Pet" removed), and are
//! compared without spaces, so "E-Mail Address", "EmailAddress" and "email_address" all
//! match "email address". Collected from Cornerstone, AVImark, ImproMed, eVetPractice,
//! ezyVet, Vetspire, Provet, Covetrus Pulse (iClient/iPatient), Shepherd, Digitail,
//! Animana and RxWorks exports and conversion specs, plus common German, French, Dutch,
//! Spanish and Finnish words.

use crate::canonical::{Entity, Field};

/// What a column can be: a canonical field, or a shape that feeds several fields, or a
/// known non-canonical column that should be recognized (and left out) rather than
/// mistaken for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// One canonical field, copied or converted.
    Field(Field),
    /// A yes/no field whose column says the opposite ("Inactive" → `client.active`).
    Inverted(Field),
    /// A yes/no field that is true when the column has any value ("Date of death").
    PresentOf(Field),
    /// A person's whole name in one cell → `client.first_name` + `client.last_name`.
    ClientFullName,
    /// A one-line address → line 1, line 2, city, state, postal code.
    FullAddress,
    /// "City, ST 12345" → city, state, postal code.
    CityStateZip,
    /// The unit of a separate weight column.
    WeightUnit,
    /// A column recognized as something the canonical format does not carry.
    Known(&'static str),
}

impl Role {
    /// The entity the role belongs to; `None` for known non-canonical columns.
    pub fn entity(self) -> Option<Entity> {
        match self {
            Role::Field(f) | Role::Inverted(f) | Role::PresentOf(f) => Some(f.entity()),
            Role::ClientFullName | Role::FullAddress | Role::CityStateZip => Some(Entity::Client),
            Role::WeightUnit => Some(Entity::Patient),
            Role::Known(_) => None,
        }
    }
}

/// One way of naming a role.
#[derive(Debug, Clone, Copy)]
pub struct Synonym {
    /// What the phrase names.
    pub role: Role,
    /// The phrase, normalized.
    pub phrase: &'static str,
    /// How sure the phrase alone makes us (1.0: unmistakable).
    pub weight: f32,
    /// The phrase is too generic ("id", "name", "status") to name an entity by itself: it
    /// needs a marker ("Pet Name") or a table that holds only that entity.
    pub generic: bool,
}

macro_rules! syns {
    ($out:ident, $role:expr, $weight:expr, $generic:expr, [$($p:literal),* $(,)?]) => {
        $( $out.push(Synonym { role: $role, phrase: $p, weight: $weight, generic: $generic }); )*
    };
}

/// The whole vocabulary.
pub fn synonyms() -> &'static [Synonym] {
    static VOCAB: std::sync::OnceLock<Vec<Synonym>> = std::sync::OnceLock::new();
    VOCAB.get_or_init(build)
}

fn build() -> Vec<Synonym> {
    use Field::*;
    let mut v = Vec::new();
    let f = Role::Field;

    // Client ID.
    syns!(
        v,
        f(ClientExternalId),
        1.0,
        true,
        [
            "id",
            "number",
            "code",
            "key",
            "ref",
            "reference",
            "pms id",
            "system id",
            "record id",
            "record number",
            "uid",
            "guid",
            "file number",
            "id number",
            "account number",
            "",
            "pmsid",
            "external id",
            "legacy id",
            "old id",
            "source id",
        ]
    );
    // The entity-less "[Key]"/"PmsID" of conversion specs: context decides.
    // Client names.
    syns!(
        v,
        f(ClientFirstName),
        1.0,
        false,
        [
            "first name",
            "first",
            "given name",
            "given",
            "forename",
            "fore name",
            "christian name",
            "name first",
            "first nm",
            "vorname",
            "prenom",
            "voornaam",
            "nombre",
            "etunimi",
            "first names",
            "given names",
        ]
    );
    syns!(
        v,
        f(ClientLastName),
        1.0,
        false,
        [
            "last name",
            "last",
            "surname",
            "family name",
            "name last",
            "last nm",
            "nachname",
            "nom",
            "achternaam",
            "apellido",
            "apellidos",
            "sukunimi",
            "sur name",
        ]
    );
    syns!(
        v,
        Role::ClientFullName,
        0.95,
        true,
        ["name", "", "full name", "display name", "names", "nm"]
    );
    syns!(
        v,
        Role::ClientFullName,
        0.95,
        false,
        [
            "full name",
            "contact name",
            "customer name",
            "client name",
            "owner name",
            "name of owner",
            "naam",
            "nombre completo"
        ]
    );
    // Contact details.
    syns!(
        v,
        f(ClientEmail),
        1.0,
        false,
        [
            "email",
            "email address",
            "e mail",
            "e mail address",
            "mail",
            "email 1",
            "primary email",
            "email primary",
            "main email",
            "electronic mail",
            "emailaddr",
            "email addr",
            "correo",
            "courriel",
            "sahkoposti",
            "e post",
            "email id",
        ]
    );
    syns!(
        v,
        f(ClientPhone),
        1.0,
        false,
        [
            "cell",
            "cell phone",
            "mobile",
            "mobile phone",
            "mobile number",
            "cell number",
            "cellphone",
            "sms",
            "text number",
            "sms number",
            "handy",
            "mobiel",
            "gsm",
            "movil",
            "portable",
            "mobile phone number",
            "cell phone number",
        ]
    );
    syns!(
        v,
        f(ClientPhone),
        0.97,
        false,
        [
            "phone",
            "phone number",
            "phone 1",
            "primary phone",
            "telephone",
            "main phone",
            "phone primary",
            "contact number",
            "phone 1 as is",
            "tel",
            "telefon",
            "telefono",
            "telefoon",
            "puhelin",
            "telephone number",
            "phone main",
            "primary number",
            "phone 1 number",
        ]
    );
    syns!(
        v,
        f(ClientPhone),
        0.93,
        false,
        [
            "home phone",
            "home",
            "home number",
            "phone home",
            "residence phone",
            "evening phone",
            "home tel",
            "home telephone",
            "phone home number",
            "home phone number",
        ]
    );
    syns!(
        v,
        f(ClientPhone),
        0.85,
        false,
        [
            "work phone",
            "work",
            "business phone",
            "office phone",
            "day phone",
            "daytime phone",
            "work number",
            "phone work",
            "work telephone",
        ]
    );
    // Any phone word names the second phone too, a little less surely, so that with
    // "Home", "Cell" and "Work" columns the best goes to `phone` and the next to `phone_alt`.
    let phones: Vec<Synonym> = v
        .iter()
        .filter(|s| s.role == f(ClientPhone))
        .copied()
        .collect();
    for p in phones {
        v.push(Synonym {
            role: f(ClientPhoneAlt),
            weight: p.weight * 0.9,
            ..p
        });
    }
    syns!(
        v,
        f(ClientPhoneAlt),
        0.95,
        false,
        [
            "phone 2",
            "alt phone",
            "alternate phone",
            "alternative phone",
            "other phone",
            "secondary phone",
            "second phone",
            "phone alt",
            "phone 2 as is",
            "additional phone",
            "phone other",
            "alt",
            "other number",
            "second number",
            "phone secondary",
            "phone 3",
            "alt number",
            "alternate number",
            "phone 2 number",
            "secondary number",
        ]
    );
    // Address.
    syns!(
        v,
        f(ClientAddressLine1),
        1.0,
        false,
        [
            "address",
            "address 1",
            "address line 1",
            "street",
            "street address",
            "street 1",
            "mailing address",
            "address street",
            "line 1",
            "adresse",
            "direccion",
            "straat",
            "strasse",
            "osoite",
            "home address",
            "postal address",
            "street address 1",
            "mailing address 1",
            "mailing street",
            "address 1 line",
            "physical address",
            "billing address",
            "billing street",
            "residence address",
            "street name",
        ]
    );
    syns!(
        v,
        Role::FullAddress,
        0.95,
        false,
        [
            "address",
            "full address",
            "mailing address",
            "complete address",
            "home address",
            "postal address",
            "address full",
            "billing address",
        ]
    );
    syns!(
        v,
        f(ClientAddressLine2),
        1.0,
        false,
        [
            "address 2",
            "address line 2",
            "street 2",
            "line 2",
            "apt",
            "apartment",
            "suite",
            "unit",
            "apt suite",
            "addr 2",
            "apt number",
            "suite number",
            "unit number",
            "apartment number",
            "street address 2",
            "mailing address 2",
            "address 2 line",
            "apt unit",
            "billing address 2",
        ]
    );
    syns!(
        v,
        f(ClientCity),
        1.0,
        false,
        [
            "city",
            "town",
            "suburb",
            "locality",
            "city town",
            "municipality",
            "ciudad",
            "ville",
            "stadt",
            "ort",
            "plaats",
            "kaupunki",
            "woonplaats",
            "town city",
            "mailing city",
            "billing city",
            "city name",
        ]
    );
    syns!(
        v,
        Role::CityStateZip,
        0.95,
        false,
        [
            "city state zip",
            "city state",
            "city state zip code",
            "city state postal code",
            "city st zip",
            "csz",
            "city province postal code",
            "city state postal",
        ]
    );
    syns!(
        v,
        f(ClientState),
        1.0,
        false,
        [
            "state",
            "province",
            "st",
            "state province",
            "province state",
            "region",
            "state code",
            "state abbreviation",
            "estado",
            "territory",
            "state prov",
            "mailing state",
            "billing state",
            "state region",
            "provincia",
        ]
    );
    syns!(
        v,
        f(ClientPostalCode),
        1.0,
        false,
        [
            "zip",
            "zip code",
            "postal code",
            "post code",
            "p code",
            "postal",
            "zip postal",
            "postal zip",
            "zip postal code",
            "postal zip code",
            "zip 5",
            "plz",
            "code postal",
            "postleitzahl",
            "cp",
            "codigo postal",
            "postinumero",
            "mailing zip",
            "billing zip",
            "zip code 5",
            "postal code zip",
            "zipcode",
            "zip plus 4",
        ]
    );
    syns!(
        v,
        f(ClientCountry),
        1.0,
        false,
        [
            "country",
            "country code",
            "nation",
            "land",
            "pais",
            "pays",
            "maa",
            "country name",
            "mailing country",
        ]
    );
    // Status.
    syns!(
        v,
        f(ClientActive),
        0.95,
        false,
        [
            "active",
            "is active",
            "active status",
            "active flag",
            "enabled",
            "account status",
            "active client"
        ]
    );
    syns!(v, f(ClientActive), 0.9, true, ["status", "record status"]);
    syns!(
        v,
        Role::Inverted(ClientActive),
        0.95,
        false,
        [
            "inactive",
            "is inactive",
            "archived",
            "is archived",
            "inactive flag",
            "disabled",
            "inactive client",
        ]
    );

    // Patient ID and name.
    syns!(
        v,
        f(PatientExternalId),
        1.0,
        true,
        [
            "id",
            "number",
            "code",
            "key",
            "ref",
            "pms id",
            "record number",
            "uid",
            "guid",
            "file number",
            "id number",
            "",
            "system id",
            "record id",
            "external id",
            "legacy id",
        ]
    );
    syns!(
        v,
        f(PatientExternalId),
        0.95,
        false,
        [
            "chart number",
            "chart",
            "medical record number",
            "mrn",
            "case number",
            "chart id",
            "medical record",
            "record no",
        ]
    );
    syns!(
        v,
        f(PatientName),
        1.0,
        true,
        ["name", "", "call name", "names", "nm"]
    );
    syns!(
        v,
        f(PatientName),
        0.95,
        false,
        [
            "tiername",
            "nom animal",
            "nombre mascota",
            "diernaam",
            "pet name",
            "patient name",
            "animal name"
        ]
    );
    // Species and breed.
    syns!(
        v,
        f(PatientSpecies),
        1.0,
        false,
        [
            "species",
            "species description",
            "species name",
            "species code",
            "species type",
            "tierart",
            "art",
            "espece",
            "especie",
            "diersoort",
            "laji",
            "species 1",
            "species desc",
            "species description 1",
        ]
    );
    syns!(
        v,
        f(PatientSpecies),
        0.9,
        true,
        ["type", "kind", "class", "category"]
    );
    syns!(
        v,
        f(PatientBreed),
        1.0,
        false,
        [
            "breed",
            "breed description",
            "breed name",
            "breed 1",
            "breed 1 description",
            "primary breed",
            "rasse",
            "race",
            "raza",
            "ras",
            "rotu",
            "breed primary",
            "breed desc",
        ]
    );
    syns!(
        v,
        f(PatientBreed),
        0.85,
        false,
        ["breed code", "breed 1 code"]
    );
    // Sex and neutering.
    syns!(
        v,
        f(PatientSex),
        1.0,
        false,
        [
            "sex",
            "gender",
            "sex code",
            "gender code",
            "sex description",
            "gender description",
            "sex gender",
            "gender sex",
            "geschlecht",
            "sexe",
            "sexo",
            "geslacht",
            "sukupuoli",
            "sex status",
            "sex neuter",
            "sex neutered",
            "sex spay neuter",
            "gender status",
        ]
    );
    syns!(
        v,
        f(PatientNeutered),
        1.0,
        false,
        [
            "neutered",
            "spayed",
            "spayed neutered",
            "neutered spayed",
            "spay neuter",
            "neuter",
            "altered",
            "desexed",
            "fixed",
            "is neutered",
            "is spayed or neutered",
            "spayed or neutered",
            "neuter status",
            "sterilized",
            "sterilised",
            "castrated",
            "reproductive status",
            "repro status",
            "kastriert",
            "neutered status",
            "spay neuter status",
            "is spayed",
            "is altered",
            "is desexed",
            "neutered yn",
            "spayed neutered flag",
        ]
    );
    syns!(
        v,
        Role::Inverted(PatientNeutered),
        0.95,
        false,
        ["intact", "entire", "is intact"]
    );
    // Birth, weight, colour, chip.
    syns!(
        v,
        f(PatientDateOfBirth),
        1.0,
        false,
        [
            "dob",
            "date of birth",
            "birth date",
            "birthday",
            "born",
            "birth",
            "date born",
            "birth dt",
            "dob date",
            "geburtsdatum",
            "date de naissance",
            "fecha de nacimiento",
            "geboortedatum",
            "syntymaaika",
            "fecha nacimiento",
            "birthdate",
            "date birth",
            "born on",
        ]
    );
    syns!(
        v,
        f(PatientWeightKg),
        1.0,
        false,
        [
            "weight",
            "current weight",
            "last weight",
            "weight kg",
            "weight kgs",
            "weight lbs",
            "weight lb",
            "weight pounds",
            "body weight",
            "latest weight",
            "weight value",
            "gewicht",
            "poids",
            "peso",
            "paino",
            "current weight value",
            "weight in lbs",
            "weight in kg",
            "weight in pounds",
            "recent weight",
        ]
    );
    syns!(
        v,
        Role::WeightUnit,
        1.0,
        false,
        [
            "weight unit",
            "weight units",
            "weight uom",
            "uom",
            "current weight unit",
            "unit of weight",
            "weight unit of measure",
            "units",
        ]
    );
    syns!(v, Role::WeightUnit, 0.8, true, ["unit"]);
    syns!(
        v,
        f(PatientColor),
        1.0,
        false,
        [
            "color",
            "color description",
            "coat color",
            "coat",
            "colors",
            "color markings",
            "farbe",
            "couleur",
            "kleur",
            "vari",
            "color 1",
            "primary color",
            "coat colour",
            "fellfarbe",
        ]
    );
    syns!(v, f(PatientColor), 0.85, false, ["color code"]);
    syns!(
        v,
        f(PatientMicrochip),
        1.0,
        false,
        [
            "microchip",
            "microchip number",
            "microchip id",
            "chip",
            "chip number",
            "chip id",
            "microchip no",
            "rfid",
            "transponder",
            "id chip",
            "identichip",
            "microchip code",
            "chip code",
            "microchip tag",
            "mikrochip",
            "puce",
            "chipnummer",
            "micro chip",
            "microchip num",
            "microchip nbr",
            "transponder number",
            "chip num",
            "microchip 1",
            "lost and found serial",
        ]
    );
    syns!(
        v,
        f(PatientDeceased),
        1.0,
        false,
        [
            "deceased",
            "is deceased",
            "dead",
            "died",
            "deceased flag",
            "euthanized",
            "expired",
            "deceased yn",
            "deceased status",
            "is dead",
            "verstorben",
            "overleden",
        ]
    );
    syns!(
        v,
        f(PatientDeceased),
        0.9,
        true,
        ["status", "record status", "alive status"]
    );
    syns!(
        v,
        Role::Inverted(PatientDeceased),
        0.95,
        false,
        ["alive", "is alive", "living"]
    );
    syns!(
        v,
        Role::PresentOf(PatientDeceased),
        0.95,
        false,
        [
            "deceased date",
            "date of death",
            "death date",
            "date deceased",
            "died on",
            "euthanasia date",
            "date died",
            "death",
            "date of euthanasia",
            // A cause written down means the pet died, even where no date was.
            "cause of death",
            // The clinics' own abbreviation of it.
            "cod",
            "death cause",
            "reason of death",
            "reason for death",
            "death reason",
            "euthanasia reason",
        ]
    );

    // Recognized, and deliberately not mapped.
    let known = [
        (
            "a middle name",
            &[
                "middle name",
                "middle",
                "middle initial",
                "mi",
                "initial",
                "name middle",
                "middle names",
                "second name",
            ][..],
        ),
        (
            "a title or salutation",
            &[
                "title",
                "salutation",
                "prefix",
                "honorific",
                "greeting",
                "dear",
            ][..],
        ),
        ("a name suffix", &["suffix", "name suffix"][..]),
        (
            "an age (not a date of birth)",
            &[
                "age",
                "age years",
                "age months",
                "age in years",
                "current age",
                "years old",
                "age yrs",
            ][..],
        ),
        (
            "money owed or paid",
            &[
                "balance",
                "account balance",
                "ar balance",
                "amount due",
                "credit limit",
                "current balance",
                "total spent",
                "revenue",
                "outstanding balance",
                "credit",
                "deposit",
            ][..],
        ),
        (
            "a record-keeping date",
            &[
                "last visit",
                "last visit date",
                "first visit",
                "first visit date",
                "last seen",
                "date entered",
                "entered date",
                "created",
                "date created",
                "created at",
                "created date",
                "updated at",
                "modified",
                "last modified",
                "date modified",
                "last updated",
                "entered by",
                "visit count",
                "last transaction date",
                "last invoice date",
                "date added",
                "added",
                "client since",
                "since",
                "entry date",
                "next appointment",
                "last appointment",
                "next reminder",
                "reminder date",
                "last service date",
                "date registered",
                "registration date",
                "last payment date",
            ][..],
        ),
        (
            "notes",
            &[
                "notes",
                "note",
                "comments",
                "comment",
                "alert",
                "alerts",
                "memo",
                "remarks",
                "warning",
                "warnings",
                "medical alert",
                "caution",
                "client alert",
                "patient alert",
                "alert notes",
                "special instructions",
                "behavior",
                "behaviour",
            ][..],
        ),
        ("a fax number", &["fax", "fax number", "fax phone"][..]),
        ("a county", &["county", "parish", "borough"][..]),
        (
            "a referral",
            &[
                "referral",
                "referred by",
                "referral source",
                "how did you hear",
                "referring vet",
                "referring doctor",
                "referral clinic",
                "source",
                "lead source",
                "marketing source",
            ][..],
        ),
        (
            "a classification",
            &[
                "classification",
                "client class",
                "class code",
                "discount",
                "client type",
                "type code",
                "client type code",
                "discount code",
                "price level",
                "patient class",
                "tags",
                "tag list",
                "group",
                "category code",
            ][..],
        ),
        (
            "a reminder setting",
            &[
                "reminders",
                "email reminders",
                "suspend reminders",
                "reminder",
                "reminder method",
                "reminder preference",
                "send reminders",
                "no reminders",
                "reminder opt out",
            ][..],
        ),
        (
            "a provider",
            &[
                "provider",
                "doctor",
                "vet",
                "veterinarian",
                "primary doctor",
                "preferred provider",
                "provider id",
                "provider name",
                "preferred doctor",
                "primary vet",
                "primary veterinarian",
                "preferred provider id",
                "attending",
                "dvm",
                "assigned vet",
            ][..],
        ),
        (
            "a clinic or site",
            &[
                "site",
                "site id",
                "location",
                "clinic",
                "practice",
                "hospital",
                "branch",
                "division",
                "department",
                "home department",
                "clinic id",
                "location id",
            ][..],
        ),
        (
            "a tag or licence",
            &[
                "rabies tag",
                "rabies",
                "tag",
                "license",
                "licence",
                "tag number",
                "license number",
                "rabies tag number",
                "rabies number",
                "rabies certificate",
                "county license",
                "dog license",
                "tattoo",
                "tattoo number",
                "registration number",
                "passport number",
                "pet passport",
            ][..],
        ),
        (
            "a medical detail",
            &[
                "allergy",
                "allergies",
                "diet",
                "medications",
                "conditions",
                "diagnosis",
                "problems",
                "vaccines",
                "vaccination",
                "last rabies",
            ][..],
        ),
        (
            "insurance",
            &[
                "insurance",
                "insurer",
                "policy",
                "insurance company",
                "policy number",
                "insurance provider",
            ][..],
        ),
        (
            "a language",
            &["language", "preferred language", "locale"][..],
        ),
        (
            "an employer",
            &[
                "employer",
                "occupation",
                "company",
                "organization",
                "organisation",
                "business",
            ][..],
        ),
        (
            "a second owner",
            &[
                "spouse",
                "spouse name",
                "spouse first",
                "spouse last",
                "spouse name first",
                "spouse name last",
                "co owner",
                "secondary owner",
                "second owner",
                "partner",
                "co owner name",
                "other owner",
                "joint owner",
            ][..],
        ),
        (
            "a consent or preference",
            &[
                "marketing",
                "opt in",
                "sms opt in",
                "email opt in",
                "consent",
                "opt out",
                "do not email",
                "do not call",
                "email ok",
                "sms ok",
                "text ok",
                "contact preference",
                "preferred contact method",
                "communication preference",
                "newsletter",
            ][..],
        ),
        (
            "markings",
            &[
                "markings",
                "marking",
                "distinguishing marks",
                "identifying marks",
            ][..],
        ),
        (
            "a second breed",
            &[
                "mixed breed",
                "is mixed breed",
                "breed 2",
                "secondary breed",
                "breed 2 description",
                "breed 2 code",
                "cross",
                "breed secondary",
            ][..],
        ),
        (
            "an internal code of another table",
            &[
                "species id",
                "breed id",
                "gender id",
                "color id",
                "sex id",
                "provider code",
                "species code id",
            ][..],
        ),
        (
            "a phone type",
            &[
                "phone type",
                "phone type 1",
                "phone type 2",
                "phone type 3",
                "phone 1 type",
                "phone 2 type",
                "phone 3 type",
                "phone label",
            ][..],
        ),
        (
            "a deleted flag",
            &["is deleted", "deleted", "deleted flag"][..],
        ),
        (
            "a photo or file",
            &["photo", "picture", "image", "attachment", "file"][..],
        ),
        (
            "a social security or ID document number",
            &[
                "ssn",
                "social security number",
                "drivers license",
                "driver license",
                "dl number",
                "id card",
            ][..],
        ),
        (
            "a date of birth of the owner",
            &["owner dob", "client dob"][..],
        ),
        (
            "a count",
            &[
                "pets",
                "number of pets",
                "pet count",
                "patients",
                "patient count",
                "animals",
                "count",
            ][..],
        ),
        (
            "a website or social handle",
            &["website", "web", "url", "facebook", "instagram"][..],
        ),
    ];
    for (what, phrases) in known {
        for p in phrases {
            v.push(Synonym {
                role: Role::Known(what),
                phrase: p,
                weight: 0.9,
                generic: false,
            });
        }
    }
    v
}

/// The compact form of a phrase (spaces removed), as headers are compared.
pub fn compact(phrase: &str) -> String {
    phrase.split(' ').collect()
}
