//! The list of canonical fields: their names, owners and kinds of value.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The two kinds of canonical record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Entity {
    /// A pet owner.
    Client,
    /// A pet.
    Patient,
}

/// What kind of value a field holds; decides validation and which value sniffing applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FieldKind {
    /// An identifier from the clinic's system, kept as text (leading zeros matter).
    Id,
    /// A person's given or family name, or a pet's name.
    Name,
    /// An e-mail address.
    Email,
    /// A telephone number, E.164 (`+12175550143`).
    Phone,
    /// Free text.
    Text,
    /// A 2-letter state or province code for US/CA, free text elsewhere.
    State,
    /// A ZIP or postal code.
    PostalCode,
    /// An ISO 3166-1 alpha-2 country code.
    Country,
    /// `true` / `false`, empty when unknown.
    Bool,
    /// One of [`SPECIES`].
    Species,
    /// `male`, `female` or `unknown`.
    Sex,
    /// An ISO date (`YYYY-MM-DD`).
    Date,
    /// A weight in kilograms.
    WeightKg,
    /// A microchip number, kept as text.
    Microchip,
}

/// The canonical species list.
pub const SPECIES: [&str; 9] = [
    "dog", "cat", "bird", "rabbit", "rodent", "ferret", "horse", "reptile", "other",
];

macro_rules! fields {
    ($( $variant:ident => $entity:ident, $column:literal, $kind:ident, $doc:literal; )*) => {
        /// One canonical field. Serialized as `client.<name>` or `patient.<name>`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[ts(export)]
        pub enum Field {
            $(
                #[doc = $doc]
                #[serde(rename = $column)]
                $variant,
            )*
        }

        impl Field {
            /// Every field, clients first, in the column order of the canonical files.
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            /// The qualified name, e.g. `client.first_name`.
            pub fn key(self) -> &'static str {
                match self { $(Field::$variant => $column,)* }
            }

            /// Which record the field belongs to.
            pub fn entity(self) -> Entity {
                match self { $(Field::$variant => Entity::$entity,)* }
            }

            /// What kind of value the field holds.
            pub fn kind(self) -> FieldKind {
                match self { $(Field::$variant => FieldKind::$kind,)* }
            }

            /// A one-line description for people.
            pub fn description(self) -> &'static str {
                match self { $(Field::$variant => $doc,)* }
            }
        }
    };
}

fields! {
    ClientExternalId => Client, "client.external_id", Id, "The clinic's own client ID, kept as PH's external reference.";
    ClientFirstName => Client, "client.first_name", Name, "Given name of the owner.";
    ClientLastName => Client, "client.last_name", Name, "Family name of the owner.";
    ClientEmail => Client, "client.email", Email, "E-mail address.";
    ClientPhone => Client, "client.phone", Phone, "Main phone number, E.164.";
    ClientPhoneAlt => Client, "client.phone_alt", Phone, "Second phone number, E.164.";
    ClientAddressLine1 => Client, "client.address_line1", Text, "Street address.";
    ClientAddressLine2 => Client, "client.address_line2", Text, "Apartment, suite, unit.";
    ClientCity => Client, "client.city", Text, "City or town.";
    ClientState => Client, "client.state", State, "State or province (2-letter code for US/CA).";
    ClientPostalCode => Client, "client.postal_code", PostalCode, "ZIP or postal code.";
    ClientCountry => Client, "client.country", Country, "ISO 3166-1 alpha-2 country code (default US).";
    ClientActive => Client, "client.active", Bool, "Whether the client is active (default true).";
    PatientExternalId => Patient, "patient.external_id", Id, "The clinic's own patient ID.";
    PatientClientExternalId => Patient, "patient.client_external_id", Id, "The owner's client ID: links the pet to its owner.";
    PatientName => Patient, "patient.name", Name, "The pet's name.";
    PatientSpecies => Patient, "patient.species", Species, "dog, cat, bird, rabbit, rodent, ferret, horse, reptile or other.";
    PatientBreed => Patient, "patient.breed", Text, "Breed as written in the source, trimmed.";
    PatientSex => Patient, "patient.sex", Sex, "male, female or unknown.";
    PatientNeutered => Patient, "patient.neutered", Bool, "Spayed or neutered; empty when unknown.";
    PatientDateOfBirth => Patient, "patient.date_of_birth", Date, "Date of birth, ISO.";
    PatientWeightKg => Patient, "patient.weight_kg", WeightKg, "Weight in kilograms.";
    PatientColor => Patient, "patient.color", Text, "Coat colour or markings.";
    PatientMicrochip => Patient, "patient.microchip", Microchip, "Microchip number.";
    PatientDeceased => Patient, "patient.deceased", Bool, "Whether the pet has died (default false).";
}

impl Field {
    /// The column name in `clients.csv` / `patients.csv` (the key without its entity).
    pub fn column(self) -> &'static str {
        let key = self.key();
        key.split_once('.').map_or(key, |(_, c)| c)
    }

    /// The fields of one entity, in file column order.
    pub fn of(entity: Entity) -> impl Iterator<Item = Field> {
        Field::ALL
            .iter()
            .copied()
            .filter(move |f| f.entity() == entity)
    }

    /// Looks a field up by its qualified key (`client.email`).
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.key() == key)
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_serde() {
        for &f in Field::ALL {
            let json = serde_json::to_string(&f).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", f.key()));
            assert_eq!(Field::from_key(f.key()), Some(f));
        }
        assert_eq!(Field::ClientAddressLine1.column(), "address_line1");
        assert_eq!(Field::of(Entity::Client).count(), 13);
        assert_eq!(Field::of(Entity::Patient).count(), 12);
    }
}
