//! Pets side by side (issue 31): one row per client with numbered groups of pet columns
//! (`Pet1 Name` … `Pet4 Name`, `Name_2`, `Patient #3 Breed`, `Animal2Sex`). Each filled
//! group is a pet of the row's client; numbered client columns (`Phone1`/`Phone2`,
//! `Address1`/`Address2`, `Email 2`) stay client columns.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ph_import_core::canonical::{Field, RequiredPolicy};
use ph_import_core::job::{convert_rows, WriteError};
use ph_import_core::mapping::convert::{convert_tables, plan, Converter};
use ph_import_core::mapping::resolve::load_tables;
use ph_import_core::mapping::{suggest, Mapping, MappingError, SourceTable, SuggestOptions};

fn options() -> SuggestOptions {
    SuggestOptions {
        pivot_year: 2026,
        ..SuggestOptions::default()
    }
}

fn fixture(dir: &str, file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/vendors")
        .join(dir)
        .join(file)
}

fn mapping_of(csv: &str) -> (Mapping, Vec<SourceTable>) {
    let tables = vec![SourceTable::from_csv("list.csv", csv).expect("csv")];
    let s = suggest(&tables, &options(), &RequiredPolicy::default());
    (s.mapping, tables)
}

fn column(m: &Mapping, field: Field) -> Option<String> {
    m.tables[0]
        .field(field)
        .and_then(|f| f.columns.first().cloned())
}

#[test]
fn numbered_groups_become_further_pets_read_like_the_first() {
    let (sources, tables) =
        load_tables(&[fixture("wide-pets-numbered", "client-list.csv")]).expect("readable");
    let s = suggest(&tables, &options(), &RequiredPolicy::default());
    let t = &s.mapping.tables[0];
    assert_eq!(
        column(&s.mapping, Field::PatientName).as_deref(),
        Some("Pet1 Name")
    );
    assert_eq!(
        column(&s.mapping, Field::PatientExternalId).as_deref(),
        Some("Pet1 ID")
    );
    let numbers: Vec<u32> = t.pet_groups.iter().map(|g| g.number).collect();
    assert_eq!(numbers, [2, 3, 4]);
    let third: Vec<(&str, &str)> = t.pet_groups[1]
        .columns
        .iter()
        .map(|c| (c.first.as_str(), c.column.as_str()))
        .collect();
    assert_eq!(
        third,
        [
            ("Pet1 ID", "Pet3 ID"),
            ("Pet1 Name", "Pet3 Name"),
            ("Pet1 Species", "Pet3 Species"),
            ("Pet1 Breed", "Pet3 Breed"),
            ("Pet1 Sex", "Pet3 Sex"),
            ("Pet1 DOB", "Pet3 DOB"),
        ]
    );
    // A further pet's column is not "not mapped", and the Map step shows what it feeds.
    assert!(
        !t.ignored.iter().any(|i| i.column.starts_with("Pet")),
        "{:?}",
        t.ignored
    );
    let report = s.tables[0]
        .columns
        .iter()
        .find(|c| c.column == "Pet4 Name")
        .expect("reported");
    assert_eq!(report.fields, [Field::PatientName]);
    // The job's run (what `convert` and the app use) hands each pet on as its own row output.
    let converter = Converter::new(&s.mapping, RequiredPolicy::default());
    let mut pets = Vec::new();
    convert_rows::<WriteError>(
        &sources,
        &s.mapping,
        converter,
        &AtomicBool::new(false),
        &mut |_, _| {},
        &mut |out| {
            if let Some(p) = out.patient {
                pets.push((out.row, p.name, out.client.is_some()));
            }
            Ok(())
        },
    )
    .expect("converted");
    let want = [
        (2, "Biscuit", true),
        (2, "Cleo", false),
        (2, "Pip", false),
        (3, "Mochi", true),
        (4, "Ranger", true),
        (4, "Juniper", false),
        (4, "Olive", false),
        (4, "Basil", false),
        (6, "Teddy", true),
        (6, "Luna", false),
    ]
    .map(|(r, n, c)| (r, n.to_string(), c));
    assert_eq!(pets, want);
}

#[test]
fn every_numbering_style_is_read() {
    for csv in [
        "Owner ID,Owner Name,Email,Pet 1 Name,Pet 1 Species,Pet 2 Name,Pet 2 Species\n\
         1,Ann Lee,ann@example.com,Rex,Dog,Tib,Cat\n2,Bo Diaz,bo@example.com,Max,Dog,,\n",
        "Owner ID,Owner Name,Email,Patient #1 Name,Patient #1 Species,Patient #2 Name,Patient #2 Species\n\
         1,Ann Lee,ann@example.com,Rex,Dog,Tib,Cat\n2,Bo Diaz,bo@example.com,Max,Dog,,\n",
        "Owner ID,Owner Name,Email,Animal1Name,Animal1Species,Animal2Name,Animal2Species\n\
         1,Ann Lee,ann@example.com,Rex,Dog,Tib,Cat\n2,Bo Diaz,bo@example.com,Max,Dog,,\n",
        "Owner ID,Owner Name,Email,Pet Name,Species,Pet Name_2,Species_2\n\
         1,Ann Lee,ann@example.com,Rex,Dog,Tib,Cat\n2,Bo Diaz,bo@example.com,Max,Dog,,\n",
    ] {
        let (m, tables) = mapping_of(csv);
        let out = convert_tables(&m, &tables, &RequiredPolicy::default()).expect("convert");
        let pets: Vec<(&str, &str, &str)> = out
            .patients
            .iter()
            .map(|p| {
                (
                    p.client_external_id.as_str(),
                    p.name.as_str(),
                    p.species.as_str(),
                )
            })
            .collect();
        assert_eq!(
            pets,
            [("1", "Rex", "dog"), ("1", "Tib", "cat"), ("2", "Max", "dog")],
            "{}",
            m.to_json()
        );
    }
}

#[test]
fn numbered_client_columns_are_not_pets() {
    let csv = "Client ID,Name,Email,Email 2,Phone1,Phone2,Address1,Address2,Pet Name,Species\n\
        1,Ann Lee,ann@example.com,ann.work@example.com,(217) 555-0101,(217) 555-0111,1 Main St,Apt 2,Rex,Dog\n\
        2,Bo Diaz,bo@example.com,,(217) 555-0102,,5 Oak Rd,,Tib,Cat\n\
        3,Cy Ng,cy@example.com,,(217) 555-0103,(217) 555-0113,9 Elm St,Unit 4,Max,Dog\n";
    let (m, tables) = mapping_of(csv);
    assert!(m.tables[0].pet_groups.is_empty(), "{}", m.to_json());
    assert_eq!(column(&m, Field::ClientPhone).as_deref(), Some("Phone1"));
    assert_eq!(column(&m, Field::ClientPhoneAlt).as_deref(), Some("Phone2"));
    assert_eq!(
        column(&m, Field::ClientAddressLine1).as_deref(),
        Some("Address1")
    );
    assert_eq!(
        column(&m, Field::ClientAddressLine2).as_deref(),
        Some("Address2")
    );
    assert_eq!(column(&m, Field::ClientEmail).as_deref(), Some("Email"));
    let out = convert_tables(&m, &tables, &RequiredPolicy::default()).expect("convert");
    assert_eq!(out.patients.len(), 3);
}

#[test]
fn a_further_pets_finding_names_its_pet_and_column() {
    let csv = "Client ID,First,Last,Email,Pet1 Name,Pet1 Species,Pet1 DOB,Pet2 Name,Pet2 Species,Pet2 DOB\n\
        1,Ann,Lee,ann@example.com,Rex,Dog,03/14/2017,Tib,Cat,13/45/2019\n\
        2,Bo,Diaz,bo@example.com,Max,Dog,11/30/2021,,,\n";
    let (m, tables) = mapping_of(csv);
    let out = convert_tables(&m, &tables, &RequiredPolicy::default()).expect("convert");
    let dates: Vec<(u64, &str, &str)> = out
        .findings
        .iter()
        .filter(|f| f.field == "patient.date_of_birth")
        .map(|f| (f.row, f.value.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(dates.len(), 1, "{:?}", out.findings);
    let (row, value, message) = dates[0];
    assert_eq!((row, value), (2, "13/45/2019"));
    assert!(message.starts_with("pet 2 (“Pet2 DOB”): "), "{message}");
    // Derived IDs tell the two pets of the row apart.
    assert_eq!(out.patients.len(), 3);
    assert_ne!(out.patients[0].external_id, out.patients[1].external_id);
}

#[test]
fn a_mapping_with_pet_groups_needs_their_columns() {
    let (m, _) = mapping_of(
        "Client ID,Owner Name,Email,Pet1 Name,Pet1 Species,Pet2 Name,Pet2 Species\n\
         1,Ann Lee,ann@example.com,Rex,Dog,Tib,Cat\n",
    );
    // Saved and read back as a profile would be.
    let again = Mapping::from_json(&m.to_json()).expect("reads back");
    assert_eq!(again, m);
    let headers: Vec<String> = [
        "Client ID",
        "Owner Name",
        "Email",
        "Pet1 Name",
        "Pet1 Species",
    ]
    .map(String::from)
    .to_vec();
    let err = plan(&again.tables[0], "list.csv", &headers).expect_err("columns missing");
    assert_eq!(
        err,
        MappingError::MissingColumns {
            table: "list.csv".into(),
            columns: vec!["Pet2 Name".into(), "Pet2 Species".into()],
        }
    );
}
