//! PH's records in canonical form, so the file's records and PH's are compared (and backed
//! up) field by field in one shape.

use crate::canonical::{ClientRecord, Field, PatientRecord};

use super::types::{
    Client, ClientInput, ClientUpdate, Patient, PatientClear, PatientInput, PatientUpdate,
};

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

/// The update that writes `set` (canonical field, canonical text) onto the PH client `ph_id`.
/// An empty text clears an optional field, as the API says; other entities' fields are ignored.
pub fn client_update<'a>(
    ph_id: &str,
    set: impl IntoIterator<Item = (Field, &'a str)>,
) -> ClientUpdate {
    let mut u = ClientUpdate {
        id: ph_id.to_owned(),
        ..ClientUpdate::default()
    };
    for (field, value) in set {
        let text = Some(value.to_owned());
        match field {
            Field::ClientExternalId => u.external_id = text,
            Field::ClientFirstName => u.first_name = text,
            Field::ClientLastName => u.last_name = text,
            Field::ClientEmail => u.email = text,
            Field::ClientPhone => u.phone = text,
            Field::ClientPhoneAlt => u.phone_alt = text,
            Field::ClientAddressLine1 => u.address1 = text,
            Field::ClientAddressLine2 => u.address2 = text,
            Field::ClientCity => u.city = text,
            Field::ClientState => u.state = text,
            Field::ClientPostalCode => u.postal_code = text,
            Field::ClientCountry => u.country = text,
            Field::ClientActive => u.active = parse_bool(value),
            _ => {}
        }
    }
    u
}

/// The update that writes `set` onto the PH patient `ph_id`. A number or flag cannot be
/// emptied through an update: an empty weight or neutered flag is named in `clear`.
pub fn patient_update<'a>(
    ph_id: &str,
    set: impl IntoIterator<Item = (Field, &'a str)>,
) -> PatientUpdate {
    let mut u = PatientUpdate {
        id: ph_id.to_owned(),
        ..PatientUpdate::default()
    };
    for (field, value) in set {
        let text = Some(value.to_owned());
        match field {
            Field::PatientExternalId => u.external_id = text,
            Field::PatientName => u.name = text,
            Field::PatientSpecies => u.species = text,
            Field::PatientBreed => u.breed = text,
            Field::PatientSex => u.sex = text,
            Field::PatientNeutered => match parse_bool(value) {
                Some(b) => u.neutered = Some(b),
                None => u.clear.push(PatientClear::Neutered),
            },
            Field::PatientDateOfBirth => u.date_of_birth = text,
            Field::PatientWeightKg => match value.trim().parse::<f64>() {
                Ok(w) => u.weight_kg = Some(w),
                Err(_) => u.clear.push(PatientClear::WeightKg),
            },
            Field::PatientColor => u.color = text,
            Field::PatientMicrochip => u.microchip = text,
            Field::PatientDeceased => u.deceased = parse_bool(value),
            _ => {}
        }
    }
    u
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}
