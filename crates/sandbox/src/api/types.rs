//! The GraphQL types of the PH client-import API v1. Doc comments become the schema's
//! descriptions, so they are written for the PH engineer reading docs/ph-api.graphql.

use async_graphql::{
    Enum, InputObject, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value,
    ID,
};
use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// RFC 3339 timestamp in UTC, e.g. 2026-11-23T10:00:00.000Z (millisecond precision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateTime(pub String);

/// RFC 3339 timestamp in UTC, e.g. 2026-11-23T10:00:00.000Z (millisecond precision).
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| DateTime(crate::db::format_time(t.with_timezone(&chrono::Utc))))
            .map_err(|e| {
                InputValueError::custom(format!(
                    "{text:?} is not an RFC 3339 time such as 2026-11-23T10:00:00Z: {e}"
                ))
            })
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// The caller behind the token.
#[derive(SimpleObject)]
#[graphql(name = "Principal")]
pub struct PrincipalInfo {
    /// What the token is for, e.g. "Importer, all demo clinics".
    pub name: String,
    /// What the token may do.
    pub role: Role,
    /// The clinics the token may use.
    pub clinics: Vec<Clinic>,
}

/// Limits the client must respect.
#[derive(SimpleObject)]
pub struct ApiInfo {
    /// API version; "1" for this contract.
    pub version: String,
    /// Most items one create/update mutation may carry; more is BATCH_TOO_LARGE.
    pub max_batch_size: i32,
    /// Largest `first` a page of clients may ask for.
    pub max_page_size: i32,
}

/// A clinic in PH.
#[derive(SimpleObject, Debug, Clone)]
pub struct Clinic {
    /// PH's id of the clinic.
    pub id: ID,
    /// Display name.
    pub name: String,
    /// ISO 3166-1 alpha-2, the default country of its clients' phones and addresses.
    pub country: String,
    /// Whether PH requires an e-mail address for each client of this clinic.
    pub requires_email: bool,
    /// How many clients the clinic holds.
    pub client_count: i32,
    /// How many patients the clinic's clients hold.
    pub patient_count: i32,
}

/// Where a page of clients ends.
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Pass as `after` to get the next page; null when the page is empty.
    pub end_cursor: Option<String>,
    /// Whether more clients follow this page.
    pub has_next_page: bool,
}

/// A page of clients.
#[derive(SimpleObject)]
pub struct ClientConnection {
    /// The clients of this page, by ascending id, each with all its patients.
    pub nodes: Vec<Client>,
    /// Where this page ends.
    pub page_info: PageInfo,
    /// How many clients match the filter over all pages.
    pub total_count: i32,
}

/// A client (pet owner) of a clinic.
#[derive(SimpleObject, Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    /// PH's id of the client.
    pub id: ID,
    /// The clinic the client belongs to.
    pub clinic_id: ID,
    /// The client's ID in the clinic's old system; unique within a clinic when present.
    pub external_id: Option<String>,
    /// Given name; a client has a first or a last name, or both.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// E.164, e.g. +12175550143.
    pub phone: Option<String>,
    /// Another phone, E.164.
    pub phone_alt: Option<String>,
    /// Street address, first line.
    pub address1: Option<String>,
    /// Street address, second line.
    pub address2: Option<String>,
    /// City or town.
    pub city: Option<String>,
    /// State, province or region.
    pub state: Option<String>,
    /// Postal or ZIP code.
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Whether the client is active in the clinic.
    pub active: bool,
    /// The import run that created this client, if one did.
    pub created_by_import_run: Option<String>,
    /// The import run that created or last changed this client, if one did.
    pub import_run_id: Option<String>,
    /// When the client was created.
    pub created_at: DateTime,
    /// When the client's own fields last changed.
    pub updated_at: DateTime,
    /// The client's patients, by ascending id.
    pub patients: Vec<Patient>,
}

/// A patient (pet) of a client.
#[derive(SimpleObject, Debug, Clone, Serialize, Deserialize)]
pub struct Patient {
    /// PH's id of the patient.
    pub id: ID,
    /// The owner.
    pub client_id: ID,
    /// The patient's ID in the clinic's old system; unique within a clinic when present.
    pub external_id: Option<String>,
    /// The pet's name.
    pub name: String,
    /// One of: dog, cat, rabbit, bird, reptile, ferret, rodent, horse, other.
    pub species: String,
    /// Breed as the clinic writes it.
    pub breed: Option<String>,
    /// male, female or unknown.
    pub sex: Option<String>,
    /// Whether spayed or neutered, when known.
    pub neutered: Option<bool>,
    /// YYYY-MM-DD, or YYYY-MM / YYYY when only that much is known.
    pub date_of_birth: Option<String>,
    /// Weight in kilograms.
    pub weight_kg: Option<f64>,
    /// Coat colour or markings.
    pub color: Option<String>,
    /// Microchip number.
    pub microchip: Option<String>,
    /// Whether the pet has died.
    pub deceased: bool,
    /// The import run that created this patient, if one did.
    pub created_by_import_run: Option<String>,
    /// The import run that created or last changed this patient, if one did.
    pub import_run_id: Option<String>,
    /// When the patient was created.
    pub created_at: DateTime,
    /// When the patient last changed.
    pub updated_at: DateTime,
}

/// A new client.
#[derive(InputObject, Debug, Clone, Serialize, Deserialize)]
pub struct ClientInput {
    /// The client's ID in the clinic's old system; unique within the clinic.
    pub external_id: Option<String>,
    /// Given name; may be empty when the last name is not.
    pub first_name: String,
    /// Family name; may be empty when the first name is not.
    pub last_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// E.164, e.g. +12175550143.
    pub phone: Option<String>,
    /// Another phone, E.164.
    pub phone_alt: Option<String>,
    /// Street address, first line.
    pub address1: Option<String>,
    /// Street address, second line.
    pub address2: Option<String>,
    /// City or town.
    pub city: Option<String>,
    /// State, province or region.
    pub state: Option<String>,
    /// Postal or ZIP code.
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Whether the client is active; true when absent.
    #[graphql(default_with = "Some(true)")]
    pub active: Option<bool>,
}

/// Changes to one client; absent (null) fields are left as they are.
#[derive(InputObject, Debug, Clone, Serialize, Deserialize)]
pub struct ClientUpdate {
    /// PH's id of the client to change.
    pub id: ID,
    /// New external ID; must stay unique within the clinic.
    pub external_id: Option<String>,
    /// New given name.
    pub first_name: Option<String>,
    /// New family name.
    pub last_name: Option<String>,
    /// New e-mail address.
    pub email: Option<String>,
    /// New phone, E.164.
    pub phone: Option<String>,
    /// New other phone, E.164.
    pub phone_alt: Option<String>,
    /// New street address, first line.
    pub address1: Option<String>,
    /// New street address, second line.
    pub address2: Option<String>,
    /// New city.
    pub city: Option<String>,
    /// New state.
    pub state: Option<String>,
    /// New postal code.
    pub postal_code: Option<String>,
    /// New country, ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// New active flag.
    pub active: Option<bool>,
}

/// A new patient.
#[derive(InputObject, Debug, Clone, Serialize, Deserialize)]
pub struct PatientInput {
    /// PH id of the owner (a client of the same clinic).
    pub client_id: ID,
    /// The patient's ID in the clinic's old system; unique within the clinic.
    pub external_id: Option<String>,
    /// The pet's name.
    pub name: String,
    /// One of: dog, cat, rabbit, bird, reptile, ferret, rodent, horse, other.
    pub species: String,
    /// Breed.
    pub breed: Option<String>,
    /// male, female or unknown.
    pub sex: Option<String>,
    /// Whether spayed or neutered.
    pub neutered: Option<bool>,
    /// YYYY-MM-DD, YYYY-MM or YYYY; not in the future.
    pub date_of_birth: Option<String>,
    /// Weight in kilograms, above 0.
    pub weight_kg: Option<f64>,
    /// Coat colour or markings.
    pub color: Option<String>,
    /// Microchip number.
    pub microchip: Option<String>,
    /// Whether the pet has died; false when absent.
    #[graphql(default_with = "Some(false)")]
    pub deceased: Option<bool>,
}

/// A patient field without text that an update can empty.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatientClear {
    /// Whether spayed or neutered becomes unknown.
    Neutered,
    /// The weight becomes unknown.
    WeightKg,
}

/// Changes to one patient; absent (null) fields are left as they are.
#[derive(InputObject, Debug, Clone, Serialize, Deserialize)]
pub struct PatientUpdate {
    /// PH's id of the patient to change.
    pub id: ID,
    /// New external ID; must stay unique within the clinic.
    pub external_id: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New species.
    pub species: Option<String>,
    /// New breed.
    pub breed: Option<String>,
    /// New sex.
    pub sex: Option<String>,
    /// New neutered flag.
    pub neutered: Option<bool>,
    /// New date of birth.
    pub date_of_birth: Option<String>,
    /// New weight in kilograms.
    pub weight_kg: Option<f64>,
    /// New colour.
    pub color: Option<String>,
    /// New microchip number.
    pub microchip: Option<String>,
    /// New deceased flag.
    pub deceased: Option<bool>,
    /// Fields without text to empty (text fields are emptied with `""`). A field both
    /// given and cleared is INVALID_FIELD.
    #[graphql(default)]
    #[serde(default)]
    pub clear: Vec<PatientClear>,
}

/// Creates clients. Every mutation input names its clinic, its import run, and an
/// idempotency key: repeating a request with the same key returns the first result and
/// changes nothing; the same key with a different request is IDEMPOTENCY_KEY_REUSED.
#[derive(InputObject, Debug, Clone, Serialize, Deserialize)]
pub struct CreateClientsInput {
    /// The clinic to write to.
    pub clinic_id: ID,
    /// The import run this batch belongs to (any non-empty string the client chooses).
    pub import_run_id: String,
    /// Unique per request the client means; reuse it only to repeat the same request.
    pub idempotency_key: String,
    /// At most `apiInfo.maxBatchSize` clients.
    pub clients: Vec<ClientInput>,
}

/// Changes clients; see CreateClientsInput for the common fields.
#[derive(InputObject, Debug, Clone, Serialize, Deserialize)]
pub struct UpdateClientsInput {
    /// The clinic to write to.
    pub clinic_id: ID,
    /// The import run this batch belongs to.
    pub import_run_id: String,
    /// Unique per request the client means.
    pub idempotency_key: String,
    /// At most `apiInfo.maxBatchSize` changes.
    pub clients: Vec<ClientUpdate>,
}

/// Creates patients; see CreateClientsInput for the common fields.
#[derive(InputObject, Debug, Clone, Serialize, Deserialize)]
pub struct CreatePatientsInput {
    /// The clinic to write to.
    pub clinic_id: ID,
    /// The import run this batch belongs to.
    pub import_run_id: String,
    /// Unique per request the client means.
    pub idempotency_key: String,
    /// At most `apiInfo.maxBatchSize` patients.
    pub patients: Vec<PatientInput>,
}

/// Changes patients; see CreateClientsInput for the common fields.
#[derive(InputObject, Debug, Clone, Serialize, Deserialize)]
pub struct UpdatePatientsInput {
    /// The clinic to write to.
    pub clinic_id: ID,
    /// The import run this batch belongs to.
    pub import_run_id: String,
    /// Unique per request the client means.
    pub idempotency_key: String,
    /// At most `apiInfo.maxBatchSize` changes.
    pub patients: Vec<PatientUpdate>,
}

/// Undoes an import run; see CreateClientsInput for the common fields.
#[derive(InputObject, Debug, Clone, Serialize, Deserialize)]
pub struct DeleteImportRunInput {
    /// The clinic the run wrote to.
    pub clinic_id: ID,
    /// The import run to undo.
    pub import_run_id: String,
    /// Unique per request the client means.
    pub idempotency_key: String,
}

/// What happened to one item of a batch.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemStatus {
    /// The record was created.
    Created,
    /// The record was changed.
    Updated,
    /// An update that matched the stored values exactly; nothing was written.
    Unchanged,
    /// The item was refused; see its error. The other items are unaffected.
    Error,
}

/// Why one item of a batch was refused.
#[derive(SimpleObject, Debug, Clone, Serialize, Deserialize)]
pub struct ItemError {
    /// Machine-readable: INVALID_FIELD, DUPLICATE_EXTERNAL_ID, NOT_FOUND, WRONG_CLINIC.
    pub code: String,
    /// Which input field, when one is to blame.
    pub field: Option<String>,
    /// What is wrong, for a person.
    pub message: String,
}

/// The outcome of one client of a batch.
#[derive(SimpleObject, Debug, Clone, Serialize, Deserialize)]
pub struct ClientItemResult {
    /// Position in the input list.
    pub index: i32,
    /// What happened.
    pub status: ItemStatus,
    /// The client as stored after this item (absent on ERROR).
    pub client: Option<Client>,
    /// Why the item was refused (only on ERROR).
    pub error: Option<ItemError>,
}

/// Per-item results of a client batch, in input order.
#[derive(SimpleObject, Debug, Clone, Serialize, Deserialize)]
pub struct ClientBatchResult {
    /// One result per input item, in input order.
    pub items: Vec<ClientItemResult>,
    /// True when this result was replayed for a repeated idempotency key.
    pub replayed: bool,
}

/// The outcome of one patient of a batch.
#[derive(SimpleObject, Debug, Clone, Serialize, Deserialize)]
pub struct PatientItemResult {
    /// Position in the input list.
    pub index: i32,
    /// What happened.
    pub status: ItemStatus,
    /// The patient as stored after this item (absent on ERROR).
    pub patient: Option<Patient>,
    /// Why the item was refused (only on ERROR).
    pub error: Option<ItemError>,
}

/// Per-item results of a patient batch, in input order.
#[derive(SimpleObject, Debug, Clone, Serialize, Deserialize)]
pub struct PatientBatchResult {
    /// One result per input item, in input order.
    pub items: Vec<PatientItemResult>,
    /// True when this result was replayed for a repeated idempotency key.
    pub replayed: bool,
}

/// What an undo removed.
#[derive(SimpleObject, Debug, Clone, Serialize, Deserialize)]
pub struct DeleteImportRunResult {
    /// Clients the run created that were deleted.
    pub clients_deleted: i32,
    /// Patients the run created that were deleted.
    pub patients_deleted: i32,
    /// Clients the run created that were kept because they still hold patients the run
    /// did not create (added by hand or by another run since).
    pub clients_kept: i32,
    /// True when this result was replayed for a repeated idempotency key.
    pub replayed: bool,
}

/// A result that can be stored under an idempotency key and replayed.
pub(crate) trait Replayable: Serialize + serde::de::DeserializeOwned {
    /// Marks the result as a replay of the stored one.
    fn mark_replayed(&mut self);
}

impl Replayable for ClientBatchResult {
    fn mark_replayed(&mut self) {
        self.replayed = true;
    }
}

impl Replayable for PatientBatchResult {
    fn mark_replayed(&mut self) {
        self.replayed = true;
    }
}

impl Replayable for DeleteImportRunResult {
    fn mark_replayed(&mut self) {
        self.replayed = true;
    }
}

impl ItemError {
    /// An item error with a code, the field to blame and a message.
    pub fn new(code: &str, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}
