//! The data of the PH client-import API v1 (docs/ph-api.graphql), as Rust types.
//!
//! Field names follow the contract (camelCase on the wire). Inputs leave absent optional
//! fields out of the JSON so that an update changes only what it names.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[ts(export, rename = "PhRole")]
pub enum Role {
    /// May read and write the clinics of the token.
    Importer,
    /// May only read.
    ReadOnly,
}

impl Role {
    /// The role as people read it: `importer` or `read-only`.
    pub fn label(self) -> &'static str {
        match self {
            Role::Importer => "importer",
            Role::ReadOnly => "read-only",
        }
    }
}

/// The principal behind a token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "PhPrincipal")]
pub struct Principal {
    /// Who the token belongs to.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The clinics it may use.
    pub clinics: Vec<Clinic>,
}

/// Limits the client must respect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiInfo {
    /// The API version, e.g. `1.0`.
    pub version: String,
    /// Most items one mutation may carry.
    pub max_batch_size: u32,
    /// Most clients one page may return.
    pub max_page_size: u32,
}

/// A clinic in PH.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "PhClinic")]
pub struct Clinic {
    /// PH's id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// ISO 3166-1 alpha-2 default country.
    pub country: String,
    /// Whether PH requires an e-mail for each client.
    pub requires_email: bool,
    /// Clients it holds.
    pub client_count: u64,
    /// Patients it holds.
    pub patient_count: u64,
}

/// Where a page ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// Cursor to ask for the next page with.
    pub end_cursor: Option<String>,
    /// Whether another page follows.
    pub has_next_page: bool,
}

/// One page of a clinic's clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientConnection {
    /// The clients of this page, in the server's stable order.
    pub nodes: Vec<Client>,
    /// Where the page ends.
    pub page_info: PageInfo,
    /// How many clients match in all.
    pub total_count: u64,
}

/// A client (pet owner) as PH holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    /// PH's id.
    pub id: String,
    /// The clinic it belongs to.
    pub clinic_id: String,
    /// Its id in the clinic's old system.
    pub external_id: Option<String>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone, E.164.
    pub phone: Option<String>,
    /// Second phone, E.164.
    pub phone_alt: Option<String>,
    /// Street line 1.
    pub address1: Option<String>,
    /// Street line 2.
    pub address2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub state: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Whether the client is active.
    pub active: bool,
    /// The import run that created it, if one did.
    pub created_by_import_run: Option<String>,
    /// The import run that created or last changed it, if one did.
    pub import_run_id: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it or one of its patients last changed.
    pub updated_at: DateTime<Utc>,
    /// Its pets.
    #[serde(default)]
    pub patients: Vec<Patient>,
}

/// A patient (pet) as PH holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    /// PH's id.
    pub id: String,
    /// Its owner's PH id.
    pub client_id: String,
    /// Its id in the clinic's old system.
    pub external_id: Option<String>,
    /// Name.
    pub name: String,
    /// dog, cat, rabbit, bird, reptile, ferret, rodent, horse or other.
    pub species: String,
    /// Breed.
    pub breed: Option<String>,
    /// male, female or unknown.
    pub sex: Option<String>,
    /// Whether neutered or spayed.
    pub neutered: Option<bool>,
    /// YYYY-MM-DD, YYYY-MM or YYYY.
    pub date_of_birth: Option<String>,
    /// Weight in kilograms.
    pub weight_kg: Option<f64>,
    /// Colour or markings.
    pub color: Option<String>,
    /// Microchip number.
    pub microchip: Option<String>,
    /// Whether deceased.
    pub deceased: bool,
    /// The import run that created it, if one did.
    pub created_by_import_run: Option<String>,
    /// The import run that created or last changed it, if one did.
    pub import_run_id: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new client.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientInput {
    /// Its id in the clinic's old system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone, E.164.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Second phone, E.164.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_alt: Option<String>,
    /// Street line 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    /// Street line 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Whether active; PH assumes true when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// Changes to an existing client: absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientUpdate {
    /// PH's id of the client to change.
    pub id: String,
    /// New external id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// New given name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// New family name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// New e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// New phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// New second phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_alt: Option<String>,
    /// New street line 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    /// New street line 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// New city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// New state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// New postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// New country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// New active flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// A new patient of an existing client.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientInput {
    /// PH id of the owner.
    pub client_id: String,
    /// Its id in the clinic's old system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Name.
    pub name: String,
    /// Species code.
    pub species: String,
    /// Breed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breed: Option<String>,
    /// male, female or unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Whether neutered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neutered: Option<bool>,
    /// YYYY-MM-DD, YYYY-MM or YYYY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// Weight in kilograms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
    /// Colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Microchip number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub microchip: Option<String>,
    /// Whether deceased; PH assumes false when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deceased: Option<bool>,
}

/// A patient field without text that an update can empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PatientClear {
    /// Whether spayed or neutered becomes unknown.
    Neutered,
    /// The weight becomes unknown.
    WeightKg,
}

/// Changes to an existing patient: absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientUpdate {
    /// PH's id of the patient to change.
    pub id: String,
    /// New external id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New species.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub species: Option<String>,
    /// New breed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breed: Option<String>,
    /// New sex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// New neutered flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neutered: Option<bool>,
    /// New date of birth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// New weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
    /// New colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// New microchip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub microchip: Option<String>,
    /// New deceased flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deceased: Option<bool>,
    /// Optional number or flag fields to empty (text fields are emptied with `""`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clear: Vec<PatientClear>,
}

/// `createClients` input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateClientsInput {
    /// The clinic.
    pub clinic_id: String,
    /// The import run doing this.
    pub import_run_id: String,
    /// Repeating a request with this key returns the first result and changes nothing.
    pub idempotency_key: String,
    /// The clients to create.
    pub clients: Vec<ClientInput>,
}

/// `updateClients` input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateClientsInput {
    /// The clinic.
    pub clinic_id: String,
    /// The import run doing this.
    pub import_run_id: String,
    /// Repeating a request with this key returns the first result and changes nothing.
    pub idempotency_key: String,
    /// The changes.
    pub clients: Vec<ClientUpdate>,
}

/// `createPatients` input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePatientsInput {
    /// The clinic.
    pub clinic_id: String,
    /// The import run doing this.
    pub import_run_id: String,
    /// Repeating a request with this key returns the first result and changes nothing.
    pub idempotency_key: String,
    /// The patients to create.
    pub patients: Vec<PatientInput>,
}

/// `updatePatients` input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePatientsInput {
    /// The clinic.
    pub clinic_id: String,
    /// The import run doing this.
    pub import_run_id: String,
    /// Repeating a request with this key returns the first result and changes nothing.
    pub idempotency_key: String,
    /// The changes.
    pub patients: Vec<PatientUpdate>,
}

/// `deleteImportRun` input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteImportRunInput {
    /// The clinic.
    pub clinic_id: String,
    /// The import run to undo.
    pub import_run_id: String,
    /// Repeating a request with this key returns the first result and changes nothing.
    pub idempotency_key: String,
}

/// What happened to one item of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemStatus {
    /// Created.
    Created,
    /// Changed.
    Updated,
    /// An update that matched the stored values exactly.
    Unchanged,
    /// Refused; see the item's error.
    Error,
}

/// Why one item was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemError {
    /// INVALID_FIELD, DUPLICATE_EXTERNAL_ID, NOT_FOUND, WRONG_CLINIC, …
    pub code: String,
    /// Which input field, when one is to blame.
    pub field: Option<String>,
    /// What went wrong.
    pub message: String,
}

/// The outcome of one client of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientItemResult {
    /// Position in the input list (of the whole list when sent by the batching helpers).
    pub index: usize,
    /// What happened.
    pub status: ItemStatus,
    /// The client as stored, unless refused.
    pub client: Option<Client>,
    /// Why it was refused.
    pub error: Option<ItemError>,
}

/// The result of a client mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientBatchResult {
    /// One result per input item, in input order.
    pub items: Vec<ClientItemResult>,
    /// True when replayed for a repeated idempotency key.
    pub replayed: bool,
}

/// The outcome of one patient of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientItemResult {
    /// Position in the input list (of the whole list when sent by the batching helpers).
    pub index: usize,
    /// What happened.
    pub status: ItemStatus,
    /// The patient as stored, unless refused.
    pub patient: Option<Patient>,
    /// Why it was refused.
    pub error: Option<ItemError>,
}

/// The result of a patient mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientBatchResult {
    /// One result per input item, in input order.
    pub items: Vec<PatientItemResult>,
    /// True when replayed for a repeated idempotency key.
    pub replayed: bool,
}

/// The result of undoing an import run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteImportRunResult {
    /// Clients deleted.
    pub clients_deleted: u64,
    /// Patients deleted.
    pub patients_deleted: u64,
    /// True when replayed for a repeated idempotency key.
    pub replayed: bool,
}
