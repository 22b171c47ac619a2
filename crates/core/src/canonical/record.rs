//! The canonical records themselves.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::field::{Entity, Field, FieldKind};

/// A pet owner, canonical format v1. Empty text means "unknown".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClientRecord {
    /// The clinic's client ID, or a derived one (`auto-…`) when the file has none.
    pub external_id: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// E-mail address.
    pub email: String,
    /// Main phone, E.164 when it could be parsed.
    pub phone: String,
    /// Second phone, E.164 when it could be parsed.
    pub phone_alt: String,
    /// Street address.
    pub address_line1: String,
    /// Apartment, suite, unit.
    pub address_line2: String,
    /// City.
    pub city: String,
    /// State or province.
    pub state: String,
    /// ZIP or postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Active client; `None` when the file does not say (PH treats it as `true`).
    pub active: Option<bool>,
}

/// A pet, canonical format v1. Empty text means "unknown".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PatientRecord {
    /// The clinic's patient ID, or a derived one (`auto-…`).
    pub external_id: String,
    /// The owner's `external_id`.
    pub client_external_id: String,
    /// The pet's name.
    pub name: String,
    /// One of the canonical species.
    pub species: String,
    /// Breed as written in the source.
    pub breed: String,
    /// `male`, `female` or `unknown`.
    pub sex: String,
    /// Spayed/neutered; `None` when unknown.
    pub neutered: Option<bool>,
    /// ISO date of birth.
    pub date_of_birth: String,
    /// Weight in kilograms, as a decimal number.
    pub weight_kg: String,
    /// Colour.
    pub color: String,
    /// Microchip number.
    pub microchip: String,
    /// Deceased; `None` when the file does not say (PH treats it as `false`).
    pub deceased: Option<bool>,
}

fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn show_bool(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

impl ClientRecord {
    /// Sets a client field from canonical text (`true`/`false` for booleans); other
    /// entities' fields are ignored.
    pub fn set(&mut self, field: Field, value: String) {
        match field {
            Field::ClientExternalId => self.external_id = value,
            Field::ClientFirstName => self.first_name = value,
            Field::ClientLastName => self.last_name = value,
            Field::ClientEmail => self.email = value,
            Field::ClientPhone => self.phone = value,
            Field::ClientPhoneAlt => self.phone_alt = value,
            Field::ClientAddressLine1 => self.address_line1 = value,
            Field::ClientAddressLine2 => self.address_line2 = value,
            Field::ClientCity => self.city = value,
            Field::ClientState => self.state = value,
            Field::ClientPostalCode => self.postal_code = value,
            Field::ClientCountry => self.country = value,
            Field::ClientActive => self.active = parse_bool(&value),
            _ => {}
        }
    }

    /// A field as canonical text; empty for other entities' fields.
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::ClientExternalId => &self.external_id,
            Field::ClientFirstName => &self.first_name,
            Field::ClientLastName => &self.last_name,
            Field::ClientEmail => &self.email,
            Field::ClientPhone => &self.phone,
            Field::ClientPhoneAlt => &self.phone_alt,
            Field::ClientAddressLine1 => &self.address_line1,
            Field::ClientAddressLine2 => &self.address_line2,
            Field::ClientCity => &self.city,
            Field::ClientState => &self.state,
            Field::ClientPostalCode => &self.postal_code,
            Field::ClientCountry => &self.country,
            Field::ClientActive => show_bool(self.active),
            _ => "",
        }
    }

    /// The record as the cells of a `clients.csv` row, in [`Field::of`] order.
    pub fn cells(&self) -> Vec<&str> {
        Field::of(Entity::Client).map(|f| self.get(f)).collect()
    }
}

impl PatientRecord {
    /// Sets a patient field from canonical text; other entities' fields are ignored.
    pub fn set(&mut self, field: Field, value: String) {
        match field {
            Field::PatientExternalId => self.external_id = value,
            Field::PatientClientExternalId => self.client_external_id = value,
            Field::PatientName => self.name = value,
            Field::PatientSpecies => self.species = value,
            Field::PatientBreed => self.breed = value,
            Field::PatientSex => self.sex = value,
            Field::PatientNeutered => self.neutered = parse_bool(&value),
            Field::PatientDateOfBirth => self.date_of_birth = value,
            Field::PatientWeightKg => self.weight_kg = value,
            Field::PatientColor => self.color = value,
            Field::PatientMicrochip => self.microchip = value,
            Field::PatientDeceased => self.deceased = parse_bool(&value),
            _ => {}
        }
    }

    /// A field as canonical text; empty for other entities' fields.
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::PatientExternalId => &self.external_id,
            Field::PatientClientExternalId => &self.client_external_id,
            Field::PatientName => &self.name,
            Field::PatientSpecies => &self.species,
            Field::PatientBreed => &self.breed,
            Field::PatientSex => &self.sex,
            Field::PatientNeutered => show_bool(self.neutered),
            Field::PatientDateOfBirth => &self.date_of_birth,
            Field::PatientWeightKg => &self.weight_kg,
            Field::PatientColor => &self.color,
            Field::PatientMicrochip => &self.microchip,
            Field::PatientDeceased => show_bool(self.deceased),
            _ => "",
        }
    }

    /// The record as the cells of a `patients.csv` row, in [`Field::of`] order.
    pub fn cells(&self) -> Vec<&str> {
        Field::of(Entity::Patient).map(|f| self.get(f)).collect()
    }

    /// Whether the record says nothing about a pet (a combined row whose owner has none).
    pub fn is_blank(&self) -> bool {
        // Exports fill yes/no flags ("Deceased: No") on every row, pet or not: a flag
        // alone describes no pet, so it must not turn an owner-only row into a nameless one.
        Field::of(Entity::Patient)
            .filter(|f| *f != Field::PatientClientExternalId && f.kind() != FieldKind::Bool)
            .all(|f| self.get(f).is_empty())
    }
}

#[cfg(test)]
mod blank_patient_tests {
    use super::*;

    #[test]
    fn flags_alone_do_not_make_a_pet() {
        // A combined row whose owner has no pet still says "Deceased: No".
        let mut p = PatientRecord::default();
        p.set(Field::PatientDeceased, "false".into());
        p.set(Field::PatientNeutered, "false".into());
        assert!(p.is_blank());
        p.set(Field::PatientName, "Pepper".into());
        assert!(!p.is_blank());
    }
}
