//! Held-out vendor files (`fixtures/vendors/holdout/`): written after tuning; see its README
//! for how the first run did. These keep the corrected results from regressing.

use std::path::{Path, PathBuf};

use ph_import_core::canonical::{Field, RequiredPolicy};
use ph_import_core::mapping::{source, suggest, SuggestOptions, Suggestion};

fn run(name: &str) -> Suggestion {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/vendors/holdout")
        .join(name);
    let tables = source::load_all(&[path]).expect("readable");
    suggest(
        &tables,
        &SuggestOptions {
            country: "US".into(),
            pivot_year: 2026,
            ..SuggestOptions::default()
        },
        &RequiredPolicy::default(),
    )
}

fn columns_of(s: &Suggestion, field: Field) -> Vec<String> {
    s.mapping.tables[0]
        .field(field)
        .map(|f| f.columns.clone())
        .unwrap_or_default()
}

#[test]
fn shepherd_style() {
    let s = run("shepherd-style.csv");
    let expect = [
        (Field::ClientFirstName, "Client Name"),
        (Field::ClientLastName, "Client Name"),
        (Field::ClientEmail, "Client Email"),
        (Field::ClientPhone, "Client Phone"),
        (Field::ClientAddressLine1, "Street"),
        (Field::ClientCity, "City/State/Zip"),
        (Field::ClientState, "City/State/Zip"),
        (Field::ClientPostalCode, "City/State/Zip"),
        (Field::PatientName, "Pet"),
        (Field::PatientSpecies, "Pet Species"),
        (Field::PatientBreed, "Pet Breed"),
        (Field::PatientSex, "Pet Gender"),
        (Field::PatientNeutered, "Spayed/Neutered"),
        (Field::PatientDateOfBirth, "Pet Birthday"),
        (Field::PatientWeightKg, "Pet Weight"),
        (Field::PatientMicrochip, "Chip #"),
        (Field::PatientDeceased, "Status"),
    ];
    for (field, column) in expect {
        assert_eq!(columns_of(&s, field), vec![column.to_string()], "{field}");
    }
}

#[test]
fn digitail_style_flags_what_it_cannot_know() {
    let s = run("digitail-style.csv");
    let t = &s.mapping.tables[0];
    let dob = t.field(Field::PatientDateOfBirth).expect("dob");
    assert!(
        dob.needs_confirmation,
        "day/month order cannot be told from these values"
    );
    let weight = t.field(Field::PatientWeightKg).expect("weight");
    assert!(weight.needs_confirmation, "no unit anywhere");
    assert_eq!(
        columns_of(&s, Field::ClientPostalCode),
        vec!["Address".to_string()]
    );
    assert_eq!(
        columns_of(&s, Field::PatientNeutered),
        vec!["Sterilized".to_string()]
    );
}

#[test]
fn rxworks_style() {
    let s = run("rxworks-style.csv");
    let expect = [
        (Field::ClientExternalId, "Owner no."),
        (Field::ClientLastName, "Surname"),
        (Field::ClientFirstName, "Forename"),
        (Field::ClientPhone, "Mobile telephone"),
        (Field::ClientPhoneAlt, "Telephone"),
        (Field::ClientCity, "Town"),
        (Field::ClientPostalCode, "Postcode"),
        (Field::PatientExternalId, "Animal no."),
        (Field::PatientColor, "Colour"),
        (Field::PatientMicrochip, "Chip number"),
        (Field::PatientDeceased, "Died"),
    ];
    for (field, column) in expect {
        assert_eq!(columns_of(&s, field), vec![column.to_string()], "{field}");
    }
    assert!(
        columns_of(&s, Field::ClientState).is_empty(),
        "an Irish county is not a state"
    );
}
