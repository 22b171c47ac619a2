//! PH's records in canonical form, so the file's records and PH's are compared (and backed
//! up) field by field in one shape.

use crate::canonical::{ClientRecord, PatientRecord};

use super::types::{Client, ClientInput, Patient, PatientInput};

/// A PH client as a canonical client record (its patients left out).
pub fn client_record(c: &Client) -> ClientRecord {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    ClientRecord {
        external_id: text(&c.external_id),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        email: text(&c.email),
        phone: text(&c.phone),
        phone_alt: text(&c.phone_alt),
        address_line1: text(&c.address1),
        address_line2: text(&c.address2),
        city: text(&c.city),
        state: text(&c.state),
        postal_code: text(&c.postal_code),
        country: text(&c.country),
        active: Some(c.active),
    }
}

/// A PH patient as a canonical patient record; `owner` is its client's external ID.
pub fn patient_record(p: &Patient, owner: &str) -> PatientRecord {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    PatientRecord {
        external_id: text(&p.external_id),
        client_external_id: owner.to_owned(),
        name: p.name.clone(),
        species: p.species.clone(),
        breed: text(&p.breed),
        sex: text(&p.sex),
        neutered: p.neutered,
        date_of_birth: text(&p.date_of_birth),
        weight_kg: p.weight_kg.map(|w| w.to_string()).unwrap_or_default(),
        color: text(&p.color),
        microchip: text(&p.microchip),
        deceased: Some(p.deceased),
    }
}

/// What creating a canonical client in PH sends (empty values sent as absent).
pub fn client_input(c: &ClientRecord) -> ClientInput {
    ClientInput {
        external_id: some(&c.external_id),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        email: some(&c.email),
        phone: some(&c.phone),
        phone_alt: some(&c.phone_alt),
        address1: some(&c.address_line1),
        address2: some(&c.address_line2),
        city: some(&c.city),
        state: some(&c.state),
        postal_code: some(&c.postal_code),
        country: some(&c.country),
        active: c.active,
    }
}

/// What creating a canonical patient in PH sends, under the PH client `client_id`.
pub fn patient_input(p: &PatientRecord, client_id: &str) -> PatientInput {
    PatientInput {
        client_id: client_id.to_owned(),
        external_id: some(&p.external_id),
        name: p.name.clone(),
        species: p.species.clone(),
        breed: some(&p.breed),
        sex: some(&p.sex),
        neutered: p.neutered,
        date_of_birth: some(&p.date_of_birth),
        weight_kg: p.weight_kg.trim().parse().ok(),
        color: some(&p.color),
        microchip: some(&p.microchip),
        deceased: p.deceased,
    }
}

fn some(v: &str) -> Option<String> {
    (!v.is_empty()).then(|| v.to_owned())
}
