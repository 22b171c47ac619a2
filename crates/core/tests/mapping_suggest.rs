//! Generality of the suggester on small synthetic tables: vendor spellings, value sniffing,
//! entity markers, global assignment, honest flags, and no panics on anything.

use ph_import_core::canonical::{Field, RequiredPolicy};
use ph_import_core::mapping::transform::Transform;
use ph_import_core::mapping::{suggest, SourceTable, SuggestOptions, Suggestion, TableRole};
use proptest::prelude::*;

fn run(csv: &str) -> Suggestion {
    let table = SourceTable::from_csv("test.csv", csv).expect("csv");
    suggest(
        &[table],
        &SuggestOptions {
            country: "US".into(),
            pivot_year: 2026,
            ..SuggestOptions::default()
        },
        &RequiredPolicy::default(),
    )
}

fn col(s: &Suggestion, f: Field) -> Option<String> {
    s.mapping.tables[0].field(f).map(|m| m.columns.join("+"))
}

#[test]
fn vendor_spellings_of_the_same_fields() {
    let s = run(
        "OWNER_FNAME,ownerLastName,EmailAddr,MobileNo,ZipCode,PtName,Spp,DOB,Wt_kg,Sex\n\
        Ann,Lee,ann@x.com,217-555-0100,62704,Rex,K9,01/02/2020,12.1,MN\n\
        Bo,Kim,bo@y.org,217-555-0101,62705,Tom,FEL,03/15/2019,4,FS\n",
    );
    assert_eq!(
        col(&s, Field::ClientFirstName).as_deref(),
        Some("OWNER_FNAME")
    );
    assert_eq!(
        col(&s, Field::ClientLastName).as_deref(),
        Some("ownerLastName")
    );
    assert_eq!(col(&s, Field::ClientEmail).as_deref(), Some("EmailAddr"));
    assert_eq!(col(&s, Field::ClientPhone).as_deref(), Some("MobileNo"));
    assert_eq!(col(&s, Field::ClientPostalCode).as_deref(), Some("ZipCode"));
    assert_eq!(col(&s, Field::PatientName).as_deref(), Some("PtName"));
    assert_eq!(col(&s, Field::PatientSpecies).as_deref(), Some("Spp"));
    assert_eq!(col(&s, Field::PatientDateOfBirth).as_deref(), Some("DOB"));
    assert_eq!(col(&s, Field::PatientNeutered).as_deref(), Some("Sex"));
    let w = s.mapping.tables[0]
        .field(Field::PatientWeightKg)
        .expect("weight");
    assert!(matches!(
        w.transform,
        Transform::Weight {
            unit: ph_import_core::mapping::transform::units::WeightUnit::Kg
        }
    ));
    assert_eq!(s.mapping.tables[0].role, TableRole::Combined);
}

#[test]
fn values_overrule_a_useless_header() {
    let s = run(
        "Last Name,First Name,Contact 2\nLee,Ann,ann@x.com\nKim,Bo,bo@y.org\nPark,Cy,cy@z.net\n",
    );
    let email = s.mapping.tables[0]
        .field(Field::ClientEmail)
        .expect("sniffed");
    assert_eq!(email.columns, vec!["Contact 2".to_string()]);
    assert!(
        email.needs_confirmation,
        "found from values alone: must be confirmed"
    );
}

#[test]
fn values_contradicting_the_header_win() {
    // A "Phone" column full of e-mail addresses is not a phone column.
    let s =
        run("Last Name,First Name,Phone\nLee,Ann,ann@x.com\nKim,Bo,bo@y.org\nPark,Cy,cy@z.net\n");
    assert_ne!(col(&s, Field::ClientPhone).as_deref(), Some("Phone"));
    assert_eq!(col(&s, Field::ClientEmail).as_deref(), Some("Phone"));
}

#[test]
fn ambiguous_dates_are_flagged_never_guessed_silently() {
    let s = run("Pet Name,Species,Birthdate\nRex,Dog,03/04/2016\nTom,Cat,01/02/2015\n");
    let dob = s.mapping.tables[0]
        .field(Field::PatientDateOfBirth)
        .expect("dob");
    assert!(dob.needs_confirmation);
    assert!(dob.reasons.iter().any(|r| r.contains("not certain")));
}

#[test]
fn a_bare_name_in_a_pets_table_is_the_pets() {
    let s =
        run("Owner ID,Name,Species,Breed\n1,Rex,Dog,Beagle\n1,Tom,Cat,DSH\n2,Fifi,Dog,Poodle\n");
    assert_eq!(s.mapping.tables[0].role, TableRole::Patients);
    assert_eq!(col(&s, Field::PatientName).as_deref(), Some("Name"));
    assert_eq!(
        col(&s, Field::PatientClientExternalId).as_deref(),
        Some("Owner ID")
    );
}

#[test]
fn a_full_name_column_is_split_deliberately() {
    let s = run("Client,Pet,Species\n\"Smith, John\",Rex,Dog\nMary Jones,Tom,Cat\n");
    let first = s.mapping.tables[0]
        .field(Field::ClientFirstName)
        .expect("first");
    let last = s.mapping.tables[0]
        .field(Field::ClientLastName)
        .expect("last");
    assert_eq!(first.columns, last.columns);
    assert!(first.reasons.iter().any(|r| r.contains("deliberate split")));
}

#[test]
fn middle_names_and_balances_are_recognized_not_mistaken() {
    let s = run("First Name,Middle Name,Last Name,Balance,Email\nAnn,B,Lee,0.00,a@x.com\n");
    assert_eq!(
        col(&s, Field::ClientFirstName).as_deref(),
        Some("First Name")
    );
    let ignored: Vec<&str> = s.mapping.tables[0]
        .ignored
        .iter()
        .map(|i| i.column.as_str())
        .collect();
    assert!(
        ignored.contains(&"Middle Name") && ignored.contains(&"Balance"),
        "{ignored:?}"
    );
}

#[test]
fn no_column_feeds_two_unrelated_fields() {
    let s = run("Name,Phone,Phone 2,Address,Pet,Type,Gender,Born\n\
        \"Doe, Jane\",217-555-0100,217-555-0199,\"1 Elm St, Springfield, IL 62704\",Rex,Dog,MN,2019-01-01\n");
    let splits: [&[Field]; 4] = [
        &[Field::ClientFirstName, Field::ClientLastName],
        &[
            Field::ClientAddressLine1,
            Field::ClientAddressLine2,
            Field::ClientCity,
            Field::ClientState,
            Field::ClientPostalCode,
        ],
        &[Field::PatientSex, Field::PatientNeutered],
        &[
            Field::ClientCity,
            Field::ClientState,
            Field::ClientPostalCode,
        ],
    ];
    for t in &s.mapping.tables {
        for h in &t.headers {
            let fields: Vec<Field> = t
                .fields
                .iter()
                .filter(|f| f.columns.contains(h))
                .map(|f| f.field)
                .collect();
            if fields.len() > 1 {
                assert!(
                    splits.iter().any(|g| fields.iter().all(|f| g.contains(f))),
                    "{h}: {fields:?}"
                );
            }
        }
    }
    assert_eq!(col(&s, Field::ClientPhoneAlt).as_deref(), Some("Phone 2"));
    assert_eq!(col(&s, Field::PatientSpecies).as_deref(), Some("Type"));
}

#[test]
fn mapping_json_round_trips() {
    let s = run("Client ID,First,Last,Email\n1,Ann,Lee,a@x.com\n");
    let json = s.mapping.to_json();
    let back = ph_import_core::mapping::Mapping::from_json(&json).expect("parses");
    assert_eq!(back, s.mapping);
    let err = ph_import_core::mapping::Mapping::from_json(
        &json.replace("\"version\": 1", "\"version\": 99"),
    )
    .expect_err("newer version");
    assert!(err.to_string().contains("99"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn suggestion_never_panics(
        headers in proptest::collection::vec("\\PC{0,12}", 1..8),
        cells in proptest::collection::vec("\\PC{0,20}", 0..40),
    ) {
        let width = headers.len();
        let rows = cells
            .chunks(width)
            .enumerate()
            .map(|(i, c)| ph_import_core::mapping::SourceRow { number: i as u64 + 2, cells: c.to_vec() })
            .collect();
        let table = SourceTable { name: "x".into(), headers, rows };
        let s = suggest(std::slice::from_ref(&table), &SuggestOptions::default(), &RequiredPolicy::default());
        let _ = ph_import_core::mapping::convert::convert_tables(&s.mapping, &[table], &RequiredPolicy::default());
    }

    #[test]
    fn transforms_never_panic(value in "\\PC{0,40}") {
        use ph_import_core::mapping::transform::{dates::DateOrder, units::WeightUnit, AddressPart, NamePart};
        let transforms = [
            Transform::SplitName { part: NamePart::First },
            Transform::SplitAddress { part: AddressPart::City },
            Transform::Date { order: DateOrder::Dmy, pivot_year: 2026 },
            Transform::Species { codes: vec![] },
            Transform::Sex { codes: vec![] },
            Transform::Weight { unit: WeightUnit::Lb },
            Transform::Phone { country: "US".into() },
            Transform::Email,
            Transform::Microchip,
            Transform::State,
            Transform::Country,
            Transform::Bool {
                invert: false,
                codes: Vec::new(),
            },
        ];
        for t in &transforms {
            let _ = t.apply(Field::PatientSex, &[value.as_str(), value.as_str()]);
        }
    }
}

#[test]
fn a_role_a_person_chose_wins_over_the_guess() {
    let csv = "Client ID,First Name,Last Name,Email,Pet Name,Species\n\
               1,Ann,Lee,ann@x.com,Rex,Dog\n\
               2,Bo,Kim,bo@y.org,Tom,Cat\n";
    let table = SourceTable::from_csv("export.csv", csv).expect("csv");
    let with = |role: Option<TableRole>| {
        let mut options = SuggestOptions {
            country: "US".into(),
            pivot_year: 2026,
            ..SuggestOptions::default()
        };
        if let Some(role) = role {
            options.roles.insert("export.csv".into(), role);
        }
        suggest(
            std::slice::from_ref(&table),
            &options,
            &RequiredPolicy::default(),
        )
    };
    assert_eq!(with(None).mapping.tables[0].role, TableRole::Combined);

    // Clients only: the pet columns are left out, and say why.
    let clients = with(Some(TableRole::Clients));
    let t = &clients.mapping.tables[0];
    assert_eq!(t.role, TableRole::Clients);
    assert!(t
        .fields
        .iter()
        .all(|f| f.field.key().starts_with("client.")));
    assert!(t.ignored.iter().any(|i| i.column == "Pet Name"));

    // Pets only: the client ID becomes the owner link, owner details are left out.
    let patients = with(Some(TableRole::Patients));
    let t = &patients.mapping.tables[0];
    assert_eq!(t.role, TableRole::Patients);
    assert_eq!(
        t.field(Field::PatientClientExternalId)
            .map(|m| m.columns.join("+"))
            .as_deref(),
        Some("Client ID")
    );
    assert!(t.field(Field::ClientFirstName).is_none());
}
