//! Every finding code, table-driven, on real-world-looking values: each case changes a
//! clean one-row-per-pet row in one way and must yield its code (recall); the clean row
//! itself must yield no finding at all (precision).

use ph_import_core::canonical::{Field, Finding, RequiredPolicy, Severity};
use ph_import_core::mapping::convert::{plan, Collected, Converter};
use ph_import_core::mapping::transform::dates::DateOrder;
use ph_import_core::mapping::transform::units::WeightUnit;
use ph_import_core::mapping::transform::Transform;
use ph_import_core::mapping::{FieldMapping, Mapping, SourceRow, TableMapping, TableRole};
use ph_import_core::validate::{self, Context};

const HEADERS: &[&str] = &[
    "Client ID",
    "First",
    "Last",
    "Email",
    "Phone",
    "Phone 2",
    "Street",
    "City",
    "State",
    "Zip",
    "Country",
    "Active",
    "Patient ID",
    "Pet",
    "Species",
    "Breed",
    "Sex",
    "DOB",
    "Weight",
    "Chip",
    "Deceased",
];

/// A clean row: nothing to report.
const GOOD: &[&str] = &[
    "10023",
    "Mary",
    "O'Brien",
    "mobrien@example.net",
    "(217) 555-0143",
    "217-555-0199",
    "448 Lakeview Dr",
    "Chatham",
    "IL",
    "62629",
    "USA",
    "Y",
    "P-1",
    "Biscuit",
    "Canine",
    "Lab X",
    "FS",
    "03/14/2016",
    "62.5 lbs",
    "985112003456789",
    "N",
];

fn transform_for(field: Field) -> Transform {
    match field {
        Field::ClientEmail => Transform::Email,
        Field::ClientPhone | Field::ClientPhoneAlt => Transform::Phone {
            country: "US".into(),
        },
        Field::ClientState => Transform::State,
        Field::ClientCountry => Transform::Country,
        Field::ClientActive | Field::PatientDeceased => Transform::Bool {
            invert: false,
            codes: Vec::new(),
        },
        Field::PatientSpecies => Transform::Species { codes: vec![] },
        Field::PatientSex | Field::PatientNeutered => Transform::Sex { codes: vec![] },
        Field::PatientDateOfBirth => Transform::Date {
            order: DateOrder::Mdy,
            pivot_year: 2026,
        },
        Field::PatientWeightKg => Transform::Weight {
            unit: WeightUnit::Lb,
        },
        Field::PatientMicrochip => Transform::Microchip,
        _ => Transform::Copy,
    }
}

fn mapping() -> Mapping {
    let columns = [
        (Field::ClientExternalId, "Client ID"),
        (Field::ClientFirstName, "First"),
        (Field::ClientLastName, "Last"),
        (Field::ClientEmail, "Email"),
        (Field::ClientPhone, "Phone"),
        (Field::ClientPhoneAlt, "Phone 2"),
        (Field::ClientAddressLine1, "Street"),
        (Field::ClientCity, "City"),
        (Field::ClientState, "State"),
        (Field::ClientPostalCode, "Zip"),
        (Field::ClientCountry, "Country"),
        (Field::ClientActive, "Active"),
        (Field::PatientExternalId, "Patient ID"),
        (Field::PatientName, "Pet"),
        (Field::PatientSpecies, "Species"),
        (Field::PatientBreed, "Breed"),
        (Field::PatientSex, "Sex"),
        (Field::PatientNeutered, "Sex"),
        (Field::PatientDateOfBirth, "DOB"),
        (Field::PatientWeightKg, "Weight"),
        (Field::PatientMicrochip, "Chip"),
        (Field::PatientDeceased, "Deceased"),
    ];
    Mapping {
        format: "ph-import-mapping".into(),
        version: 1,
        country: "US".into(),
        tables: vec![TableMapping {
            table: "export.csv".into(),
            role: TableRole::Combined,
            headers: HEADERS.iter().map(|h| h.to_string()).collect(),
            fields: columns
                .iter()
                .map(|(field, col)| FieldMapping {
                    field: *field,
                    columns: vec![col.to_string()],
                    transform: transform_for(*field),
                    confidence: 1.0,
                    needs_confirmation: false,
                    reasons: vec![],
                })
                .collect(),
            ignored: vec![],
            pet_groups: vec![],
            left_out: None,
        }],
    }
}

fn context() -> Context {
    Context {
        country: "US".into(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"),
    }
}

/// Converts rows, each the clean row with `(column, value)` changes.
fn convert(rows: &[Vec<(&str, &str)>]) -> Collected {
    let m = mapping();
    let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    let p = plan(&m.tables[0], "export.csv", &headers).expect("plan");
    let mut conv = Converter::new(&m, RequiredPolicy::ph_default()).with_context(context());
    let mut out = Collected::default();
    for (i, changes) in rows.iter().enumerate() {
        let mut cells: Vec<String> = GOOD.iter().map(|c| c.to_string()).collect();
        // Each row its own client and pet unless the case says otherwise.
        cells[0] = format!("{}", 20000 + i);
        cells[12] = format!("P-{i}");
        for (col, value) in changes {
            let idx = HEADERS.iter().position(|h| h == col).expect("column");
            cells[idx] = value.to_string();
        }
        let row = SourceRow {
            number: i as u64 + 2,
            cells,
        };
        conv.row(&p, &row, &mut out).expect("memory sink");
    }
    out
}

fn codes(f: &[Finding]) -> Vec<String> {
    f.iter()
        .map(|f| format!("{} {} {}", f.field, f.code, f.severity.as_str()))
        .collect()
}

#[test]
fn a_clean_row_has_no_findings() {
    let out = convert(&[vec![]]);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    let c = &out.clients[0];
    assert_eq!(
        (c.phone.as_str(), c.country.as_str(), c.state.as_str()),
        ("+12175550143", "US", "IL")
    );
    assert_eq!(
        out.patients[0].breed, "Labrador Retriever Mix",
        "known breeds are written by their canonical name"
    );
}

/// Cell changes, then the field, code and severity they must produce.
type Case = (
    Vec<(&'static str, &'static str)>,
    &'static str,
    &'static str,
    Severity,
);

#[test]
fn every_code_is_found() {
    // (changes, field, code, severity)
    let cases: Vec<Case> = vec![
        (
            vec![("Email", "")],
            "client.email",
            "missing_required",
            Severity::Error,
        ),
        (
            vec![("First", "Mrs")],
            "client.first_name",
            "missing_required",
            Severity::Error,
        ),
        (
            vec![("Email", "mary.obrien@")],
            "client.email",
            "invalid_email",
            Severity::Error,
        ),
        (
            vec![("Email", "mary obrien gmail.com")],
            "client.email",
            "invalid_email",
            Severity::Error,
        ),
        (
            vec![("Email", "none@none.com")],
            "client.email",
            "placeholder_email",
            Severity::Warning,
        ),
        (
            vec![("Email", "noemail@clinic.com")],
            "client.email",
            "placeholder_email",
            Severity::Warning,
        ),
        (
            vec![("Email", "na@na.com")],
            "client.email",
            "placeholder_email",
            Severity::Warning,
        ),
        (
            vec![("Email", "N/A")],
            "client.email",
            "placeholder_email",
            Severity::Warning,
        ),
        (
            vec![("Email", "mary@gmial.com")],
            "client.email",
            "email_domain_typo",
            Severity::Warning,
        ),
        (
            vec![("Email", "mary@yahooo.com")],
            "client.email",
            "email_domain_typo",
            Severity::Warning,
        ),
        (
            vec![("Email", "mary@hotmail.con")],
            "client.email",
            "email_domain_typo",
            Severity::Warning,
        ),
        (
            vec![("Email", "a@x.com; b@y.com")],
            "client.email",
            "multiple_emails",
            Severity::Warning,
        ),
        (
            vec![("Phone", "217-555-01")],
            "client.phone",
            "invalid_phone",
            Severity::Warning,
        ),
        (
            vec![("Phone", "555-0143")],
            "client.phone",
            "invalid_phone",
            Severity::Warning,
        ),
        (
            vec![("Phone", "000-000-0000")],
            "client.phone",
            "placeholder_phone",
            Severity::Warning,
        ),
        (
            vec![("Phone", "555-5555")],
            "client.phone",
            "placeholder_phone",
            Severity::Warning,
        ),
        (
            vec![("Phone", "(217) 555-0143 ext. 12")],
            "client.phone",
            "phone_extension",
            Severity::Warning,
        ),
        (
            vec![("Phone", "2.17555E+9")],
            "client.phone",
            "excel_mangled_number",
            Severity::Warning,
        ),
        (
            vec![("Chip", "9.85112E+14")],
            "patient.microchip",
            "excel_mangled_number",
            Severity::Error,
        ),
        (
            vec![("Chip", "98510100123456")],
            "patient.microchip",
            "excel_mangled_number",
            Severity::Warning,
        ),
        (
            vec![("Species", "Dog"), ("Breed", "DSH")],
            "patient.species",
            "breed_species_mismatch",
            Severity::Warning,
        ),
        (
            vec![("Client ID", "1.0023E+4")],
            "client.external_id",
            "excel_mangled_number",
            Severity::Error,
        ),
        (
            vec![("DOB", "02/30/2019")],
            "patient.date_of_birth",
            "impossible_date",
            Severity::Warning,
        ),
        (
            vec![("DOB", "02/29/2019")],
            "patient.date_of_birth",
            "impossible_date",
            Severity::Warning,
        ),
        (
            vec![("DOB", "13/13/2019")],
            "patient.date_of_birth",
            "impossible_date",
            Severity::Warning,
        ),
        (
            vec![("DOB", "unknown")],
            "patient.date_of_birth",
            "unparseable_date",
            Severity::Warning,
        ),
        (
            vec![("DOB", "Spring 2018")],
            "patient.date_of_birth",
            "unparseable_date",
            Severity::Warning,
        ),
        (
            vec![("DOB", "00/00/0000")],
            "patient.date_of_birth",
            "unparseable_date",
            Severity::Warning,
        ),
        (
            vec![("DOB", "11/02/2031")],
            "patient.date_of_birth",
            "future_date",
            Severity::Warning,
        ),
        (
            vec![("DOB", "05/01/1985")],
            "patient.date_of_birth",
            "implausible_age",
            Severity::Warning,
        ),
        (
            vec![("Weight", "heavy")],
            "patient.weight_kg",
            "invalid_weight",
            Severity::Warning,
        ),
        (
            vec![("Weight", "0")],
            "patient.weight_kg",
            "invalid_weight",
            Severity::Warning,
        ),
        (
            vec![("Weight", "600 lbs")],
            "patient.weight_kg",
            "implausible_weight",
            Severity::Warning,
        ),
        (
            vec![("Species", "Feline"), ("Weight", "40 kg")],
            "patient.weight_kg",
            "implausible_weight",
            Severity::Warning,
        ),
        (
            vec![("Zip", "6262")],
            "client.postal_code",
            "invalid_postal_code",
            Severity::Warning,
        ),
        (
            vec![("Zip", "626299")],
            "client.postal_code",
            "invalid_postal_code",
            Severity::Warning,
        ),
        (
            vec![("Zip", "ABCDE")],
            "client.postal_code",
            "invalid_postal_code",
            Severity::Warning,
        ),
        (
            vec![("State", "Ontario"), ("Zip", "K1A 0B")],
            "client.postal_code",
            "invalid_postal_code",
            Severity::Warning,
        ),
        (
            vec![("Zip", "10001")],
            "client.postal_code",
            "postal_state_mismatch",
            Severity::Warning,
        ),
        (
            vec![("State", "Alberta"), ("Zip", "M5V 2T6")],
            "client.postal_code",
            "postal_state_mismatch",
            Severity::Warning,
        ),
        (
            vec![("State", "MA"), ("Zip", "2134")],
            "client.postal_code",
            "restored_leading_zero",
            Severity::Fixed,
        ),
        (
            vec![("State", "New Jersey"), ("Zip", "7030-1234")],
            "client.postal_code",
            "restored_leading_zero",
            Severity::Fixed,
        ),
        (
            vec![("Species", "Dragon")],
            "patient.species",
            "unknown_species",
            Severity::Error,
        ),
        (
            vec![("Sex", "Q")],
            "patient.sex",
            "unknown_sex_code",
            Severity::Warning,
        ),
        (
            vec![("First", "MARY")],
            "client.first_name",
            "name_normalized",
            Severity::Fixed,
        ),
        (
            vec![("Last", "o'brien")],
            "client.last_name",
            "name_normalized",
            Severity::Fixed,
        ),
        (
            vec![("First", "Dr. Mary")],
            "client.first_name",
            "name_normalized",
            Severity::Fixed,
        ),
        (
            vec![("Active", "maybe")],
            "client.active",
            "invalid_boolean",
            Severity::Warning,
        ),
        (
            vec![("Country", "Narnia")],
            "client.country",
            "unknown_country",
            Severity::Warning,
        ),
    ];
    let mut failures = Vec::new();
    for (changes, field, code, severity) in &cases {
        let out = convert(std::slice::from_ref(changes));
        let found = out
            .findings
            .iter()
            .any(|f| f.field == *field && f.code == *code && f.severity == *severity);
        if !found {
            failures.push(format!(
                "{changes:?}: want {field} {code} {}, got {:?}",
                severity.as_str(),
                codes(&out.findings)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn whole_file_codes() {
    // One client ID on two rows with different phones; an identical row; an orphan is
    // tested with a patients table below.
    let same_client = vec![("Client ID", "777"), ("Patient ID", "A")];
    let other_phone = vec![
        ("Client ID", "777"),
        ("Patient ID", "B"),
        ("Phone", "(217) 555-0100"),
    ];
    let out = convert(&[same_client.clone(), other_phone, vec![]]);
    let c = codes(&out.findings);
    assert!(
        c.contains(&"client.phone inconsistent_repeated_client warning".to_string()),
        "{c:?}"
    );
    assert!(out.findings.iter().any(|f| f.message.contains("phone")));
    assert_eq!(out.clients.len(), 2);

    // Rows numbered differently but identical cells: the second is a duplicate.
    let m = mapping();
    let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    let p = plan(&m.tables[0], "export.csv", &headers).expect("plan");
    let mut conv = Converter::new(&m, RequiredPolicy::ph_default()).with_context(context());
    let mut out = Collected::default();
    let cells: Vec<String> = GOOD.iter().map(|c| c.to_string()).collect();
    for n in [2, 3] {
        let row = SourceRow {
            number: n,
            cells: cells.clone(),
        };
        conv.row(&p, &row, &mut out).expect("memory");
    }
    let short = SourceRow {
        number: 4,
        cells: cells[..5].to_vec(),
    };
    conv.row(&p, &short, &mut out).expect("memory");
    let c = codes(&out.findings);
    assert!(c.contains(&" duplicate_row warning".to_string()), "{c:?}");
    assert!(c.contains(&" ragged_row warning".to_string()), "{c:?}");
    // The short row has no pet cells left; the duplicate is not converted twice.
    assert_eq!(out.patients.len(), 1);
}

#[test]
fn orphan_patients_are_errors() {
    use ph_import_core::mapping::convert::convert_tables;
    use ph_import_core::mapping::SourceTable;
    let clients = SourceTable::from_csv(
        "CLIENT.csv",
        "Client #,First,Last,Email\n0001,Ann,Lee,ann@example.com\n",
    )
    .expect("csv");
    // "1" lost the zeros of client "0001" in a spreadsheet: linked, reported as fixed.
    let pets = SourceTable::from_csv("ANIMAL.csv", "Client #,Pet,Species\n1,Rex,Dog\n7,Tom,Cat\n")
        .expect("csv");
    let fm = |field, col: &str, transform| FieldMapping {
        field,
        columns: vec![col.into()],
        transform,
        confidence: 1.0,
        needs_confirmation: false,
        reasons: vec![],
    };
    let m = Mapping {
        format: "ph-import-mapping".into(),
        version: 1,
        country: "US".into(),
        tables: vec![
            TableMapping {
                table: "CLIENT.csv".into(),
                role: TableRole::Clients,
                headers: clients.headers.clone(),
                fields: vec![
                    fm(Field::ClientExternalId, "Client #", Transform::Copy),
                    fm(Field::ClientFirstName, "First", Transform::Copy),
                    fm(Field::ClientLastName, "Last", Transform::Copy),
                    fm(Field::ClientEmail, "Email", Transform::Email),
                ],
                ignored: vec![],
                pet_groups: vec![],
                left_out: None,
            },
            TableMapping {
                table: "ANIMAL.csv".into(),
                role: TableRole::Patients,
                headers: pets.headers.clone(),
                fields: vec![
                    fm(Field::PatientClientExternalId, "Client #", Transform::Copy),
                    fm(Field::PatientName, "Pet", Transform::Copy),
                    fm(
                        Field::PatientSpecies,
                        "Species",
                        Transform::Species { codes: vec![] },
                    ),
                ],
                ignored: vec![],
                pet_groups: vec![],
                left_out: None,
            },
        ],
    };
    let out = convert_tables(&m, &[clients, pets], &RequiredPolicy::ph_default()).expect("convert");
    let c = codes(&out.findings);
    assert_eq!(
        c,
        vec![
            "patient.client_external_id excel_mangled_number fixed",
            "patient.client_external_id orphan_patient error"
        ]
    );
    assert_eq!(out.patients[0].client_external_id, "0001");
    assert_eq!(out.findings[0].suggestion, "0001");
    assert_eq!(out.findings[1].row, 3);
}

/// A clients table and a pets table whose owner link is mapped to the pet's own ID column.
fn wrongly_linked(pets_csv: &str) -> Collected {
    use ph_import_core::mapping::convert::convert_tables;
    use ph_import_core::mapping::SourceTable;
    let mut clients_csv = String::from("Acct,First,Last,Email\n");
    for i in 0..20 {
        clients_csv.push_str(&format!("C{i:03},Ann{i},Lee,ann{i}@example.com\n"));
    }
    let clients = SourceTable::from_csv("CLIENTS.csv", &clients_csv).expect("csv");
    let pets = SourceTable::from_csv("PETS.csv", pets_csv).expect("csv");
    let fm = |field, col: &str, transform| FieldMapping {
        field,
        columns: vec![col.into()],
        transform,
        confidence: 1.0,
        needs_confirmation: false,
        reasons: vec![],
    };
    let m = Mapping {
        format: "ph-import-mapping".into(),
        version: 1,
        country: "US".into(),
        tables: vec![
            TableMapping {
                table: "CLIENTS.csv".into(),
                role: TableRole::Clients,
                headers: clients.headers.clone(),
                fields: vec![
                    fm(Field::ClientExternalId, "Acct", Transform::Copy),
                    fm(Field::ClientFirstName, "First", Transform::Copy),
                    fm(Field::ClientLastName, "Last", Transform::Copy),
                    fm(Field::ClientEmail, "Email", Transform::Email),
                ],
                ignored: vec![],
                pet_groups: vec![],
                left_out: None,
            },
            TableMapping {
                table: "PETS.csv".into(),
                role: TableRole::Patients,
                headers: pets.headers.clone(),
                fields: vec![
                    // The wrong column: the pet's own ID.
                    fm(
                        Field::PatientClientExternalId,
                        "Patient ID",
                        Transform::Copy,
                    ),
                    fm(Field::PatientName, "Pet", Transform::Copy),
                    fm(
                        Field::PatientSpecies,
                        "Species",
                        Transform::Species { codes: vec![] },
                    ),
                ],
                ignored: vec![],
                pet_groups: vec![],
                left_out: None,
            },
        ],
    };
    convert_tables(&m, &[clients, pets], &RequiredPolicy::ph_default()).expect("convert")
}

#[test]
fn a_wrong_owner_link_column_is_named_with_the_column_that_would_link_the_pets() {
    let mut pets = String::from("Patient ID,Owner No,Pet,Species\n");
    for i in 0..20 {
        pets.push_str(&format!("P1000{i:02},C{i:03},Rex{i},Dog\n"));
    }
    let out = wrongly_linked(&pets);
    let orphans: Vec<&Finding> = out
        .findings
        .iter()
        .filter(|f| f.code == "orphan_patient")
        .collect();
    assert_eq!(orphans.len(), 20);
    assert!(
        orphans[0].message.contains("read from “Patient ID”"),
        "each orphan names the link column: {}",
        orphans[0].message
    );
    let hint: Vec<&Finding> = out
        .findings
        .iter()
        .filter(|f| f.code == "orphan_link_column")
        .collect();
    assert_eq!(hint.len(), 1, "one finding for the table");
    let hint = hint[0];
    assert_eq!(hint.row, 0);
    assert_eq!(hint.file, "PETS.csv");
    assert_eq!(hint.field, "patient.client_external_id");
    assert_eq!(hint.severity, Severity::Warning);
    assert_eq!(hint.value, "“Patient ID”");
    assert_eq!(hint.suggestion, "Owner No");
    assert!(
        hint.message.contains("20 of 20 pets (100 %)") && hint.message.contains("“Owner No”"),
        "{}",
        hint.message
    );
}

#[test]
fn a_few_missing_owners_or_no_matching_column_give_no_wrong_hint() {
    // 3 orphans of 20 pets: ordinary missing owners, no table finding.
    let mut pets = String::from("Patient ID,Owner No,Pet,Species\n");
    for i in 0..20 {
        let id = if i < 3 {
            format!("X{i}")
        } else {
            format!("C{i:03}")
        };
        pets.push_str(&format!("{id},C{i:03},Rex{i},Dog\n"));
    }
    let out = wrongly_linked(&pets);
    assert_eq!(
        out.findings
            .iter()
            .filter(|f| f.code == "orphan_patient")
            .count(),
        3
    );
    assert!(out.findings.iter().all(|f| f.code != "orphan_link_column"));

    // Every pet orphaned and no column holds client IDs: the hint says so, suggests nothing.
    let mut pets = String::from("Patient ID,Owner No,Pet,Species\n");
    for i in 0..20 {
        pets.push_str(&format!("P{i},Z{i},Rex{i},Dog\n"));
    }
    let out = wrongly_linked(&pets);
    let hint = out
        .findings
        .iter()
        .find(|f| f.code == "orphan_link_column")
        .expect("a table finding");
    assert_eq!(hint.suggestion, "");
    assert!(hint.message.contains("no other column"), "{}", hint.message);
}

#[test]
fn a_finding_keeps_the_cell_as_written_beside_the_value_it_was_read_as() {
    use ph_import_core::mapping::convert::convert_tables;
    use ph_import_core::mapping::SourceTable;
    let clients = SourceTable::from_csv(
        "C.csv",
        "Acct,First,Last,Email\nC000,Ann,Lee,ann@example.com\n",
    )
    .expect("csv");
    let pets = SourceTable::from_csv(
        "P.csv",
        "Owner,Pet,Species,Breed\nC000,Tom,Canine,Siamese\nC000,Rex,dog,Siamese\n",
    )
    .expect("csv");
    let fm = |field, col: &str, transform| FieldMapping {
        field,
        columns: vec![col.into()],
        transform,
        confidence: 1.0,
        needs_confirmation: false,
        reasons: vec![],
    };
    let m = Mapping {
        format: "ph-import-mapping".into(),
        version: 1,
        country: "US".into(),
        tables: vec![
            TableMapping {
                table: "C.csv".into(),
                role: TableRole::Clients,
                headers: clients.headers.clone(),
                fields: vec![
                    fm(Field::ClientExternalId, "Acct", Transform::Copy),
                    fm(Field::ClientFirstName, "First", Transform::Copy),
                    fm(Field::ClientLastName, "Last", Transform::Copy),
                    fm(Field::ClientEmail, "Email", Transform::Email),
                ],
                ignored: vec![],
                pet_groups: vec![],
                left_out: None,
            },
            TableMapping {
                table: "P.csv".into(),
                role: TableRole::Patients,
                headers: pets.headers.clone(),
                fields: vec![
                    fm(Field::PatientClientExternalId, "Owner", Transform::Copy),
                    fm(Field::PatientName, "Pet", Transform::Copy),
                    fm(
                        Field::PatientSpecies,
                        "Species",
                        Transform::Species { codes: vec![] },
                    ),
                    fm(Field::PatientBreed, "Breed", Transform::Copy),
                ],
                ignored: vec![],
                pet_groups: vec![],
                left_out: None,
            },
        ],
    };
    let out = convert_tables(&m, &[clients, pets], &RequiredPolicy::ph_default()).expect("convert");
    let mismatch: Vec<&Finding> = out
        .findings
        .iter()
        .filter(|f| f.code == "breed_species_mismatch")
        .collect();
    assert_eq!(mismatch.len(), 2, "{:?}", out.findings);
    // "Canine" was read as "dog": both are shown. "dog" is what the file says: no source.
    assert_eq!(
        (mismatch[0].value.as_str(), mismatch[0].source.as_str()),
        ("dog", "Canine")
    );
    assert_eq!(
        (mismatch[1].value.as_str(), mismatch[1].source.as_str()),
        ("dog", "")
    );
}

#[test]
fn required_policy_is_configurable_and_counted() {
    let m = mapping();
    let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    let p = plan(&m.tables[0], "export.csv", &headers).expect("plan");
    let mut cells: Vec<String> = GOOD.iter().map(|c| c.to_string()).collect();
    cells[3] = String::new();
    let row = SourceRow { number: 2, cells };
    for (policy, want) in [
        (RequiredPolicy::ph_default(), 1),
        (RequiredPolicy::without_email(), 0),
    ] {
        let mut conv = Converter::new(&m, policy).with_context(context());
        let mut out = Collected::default();
        conv.row(&p, &row, &mut out).expect("memory");
        let missing = out
            .findings
            .iter()
            .filter(|f| f.code == "missing_required")
            .count();
        assert_eq!(missing, want);
        assert_eq!(out.clients.len(), 1, "an error is counted, never a crash");
    }
}

#[test]
fn deceased_and_inactive_are_carried_and_counted() {
    let m = mapping();
    let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    let p = plan(&m.tables[0], "export.csv", &headers).expect("plan");
    let mut conv = Converter::new(&m, RequiredPolicy::ph_default()).with_context(context());
    let mut out = Collected::default();
    let mut cells: Vec<String> = GOOD.iter().map(|c| c.to_string()).collect();
    cells[11] = "N".into();
    cells[20] = "Y".into();
    let counts = conv
        .row(&p, &SourceRow { number: 2, cells }, &mut out)
        .expect("memory");
    assert_eq!(counts.skipped_inactive_clients, 1);
    assert_eq!(counts.skipped_deceased_patients, 1);
    assert_eq!(out.patients[0].deceased, Some(true));
    assert_eq!(out.clients[0].active, Some(false));
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/findings.md"),
    )
    .expect("docs/findings.md");
    for c in validate::CODES {
        assert!(
            doc.contains(&format!("| `{}` | {} |", c.code, c.severity.as_str())),
            "{} is not in docs/findings.md with severity {}",
            c.code,
            c.severity.as_str()
        );
    }
}

#[test]
fn a_species_is_suggested_from_the_breed_only_when_plausible() {
    let mismatches = |species: &str, breed: &str| -> Vec<String> {
        convert(&[vec![("Species", species), ("Breed", breed)]])
            .findings
            .iter()
            .filter(|f| f.code == "breed_species_mismatch")
            .map(|f| f.suggestion.clone())
            .collect()
    };
    // "Mixed" is in the dog list but fits any species: a mixed rabbit is no dog.
    assert!(mismatches("Rabbit", "Mixed").is_empty());
    assert!(mismatches("Cat", "Mixed").is_empty());
    assert!(mismatches("Cat", "Cross").is_empty());
    // The lists know only dog and cat breeds: a Rex rabbit is not judged by them.
    assert!(mismatches("Rabbit", "Labrador").is_empty());
    // Still said where the lists can judge: a dog, a cat, `other` or no species.
    assert_eq!(mismatches("Dog", "DSH"), ["cat"]);
    assert_eq!(mismatches("Other", "Labrador"), ["dog"]);
    assert_eq!(mismatches("", "Labrador"), ["dog"]);
}
