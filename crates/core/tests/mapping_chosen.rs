//! A column a person picks for a field gets the transform its values call for.

use ph_import_core::canonical::Field;
use ph_import_core::mapping::suggest::map_chosen_column;
use ph_import_core::mapping::transform::Transform;
use ph_import_core::mapping::{SourceTable, SuggestOptions};

fn table() -> SourceTable {
    SourceTable::from_csv(
        "t.csv",
        "Kind,Seen,Born,Mass,Note\nK9,03/04/2020,13/04/2019,12 lb,x\nFEL,05/06/2021,01/02/2018,4 kg,y\n",
    )
    .expect("csv")
}

#[test]
fn a_chosen_date_column_keeps_an_honest_doubt() {
    let options = SuggestOptions::default();
    let (m, _, dates) =
        map_chosen_column(&table(), Field::PatientDateOfBirth, "Seen", &options).expect("column");
    assert!(matches!(m.transform, Transform::Date { .. }));
    assert_eq!(m.confidence, 1.0);
    // 03/04 and 05/06 read either way: the person must still say which.
    assert!(m.needs_confirmation);
    assert_eq!(dates.len(), 1);
    assert!(dates[0].detection.ambiguous);

    // 13/04/2019 settles it: day first, nothing to confirm.
    let (m, _, dates) =
        map_chosen_column(&table(), Field::PatientDateOfBirth, "Born", &options).expect("column");
    assert!(!m.needs_confirmation, "{:?}", m.reasons);
    assert!(!dates[0].detection.ambiguous);
}

#[test]
fn a_chosen_code_column_brings_its_code_table() {
    let (m, codes, _) = map_chosen_column(
        &table(),
        Field::PatientSpecies,
        "Kind",
        &SuggestOptions::default(),
    )
    .expect("column");
    assert!(matches!(m.transform, Transform::Species { .. }));
    assert_eq!(m.columns, ["Kind"]);
    assert_eq!(codes.len(), 1);
    let mapped: Vec<(&str, &str)> = codes[0]
        .entries
        .iter()
        .map(|e| (e.value.as_str(), e.maps_to.as_str()))
        .collect();
    assert!(
        mapped.contains(&("K9", "dog")) && mapped.contains(&("FEL", "cat")),
        "{mapped:?}"
    );
}

#[test]
fn an_unknown_column_is_none() {
    assert!(map_chosen_column(
        &table(),
        Field::ClientEmail,
        "Nope",
        &SuggestOptions::default()
    )
    .is_none());
}

#[test]
fn remapping_updates_the_mapping_and_what_is_missing() {
    use ph_import_core::canonical::RequiredPolicy;
    use ph_import_core::mapping::resolve::{remap_field, resolve};
    let tables = vec![SourceTable::from_csv(
        "owners.csv",
        "Owner ID,First,Last,Contact 2\n1,Ann,Lee,ann@example.com\n2,Bo,Park,bo@example.com\n",
    )
    .expect("csv")];
    let options = SuggestOptions::default();
    let policy = RequiredPolicy::ph_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut resolved = resolve(None, &tables, &options, &policy, dir.path()).expect("resolves");
    remap_field(
        &mut resolved,
        &tables,
        0,
        Field::ClientEmail,
        None,
        &options,
        &policy,
    )
    .expect("unmap");
    assert!(resolved.mapping.tables[0]
        .field(Field::ClientEmail)
        .is_none());
    assert!(resolved.tables[0]
        .missing_required
        .contains(&Field::ClientEmail));

    remap_field(
        &mut resolved,
        &tables,
        0,
        Field::ClientEmail,
        Some("Contact 2"),
        &options,
        &policy,
    )
    .expect("map");
    let email = resolved.mapping.tables[0]
        .field(Field::ClientEmail)
        .expect("mapped");
    assert_eq!(email.columns, ["Contact 2"]);
    assert!(!email.needs_confirmation);
    assert!(!resolved.tables[0]
        .missing_required
        .contains(&Field::ClientEmail));
    assert!(remap_field(
        &mut resolved,
        &tables,
        0,
        Field::ClientEmail,
        Some("Nope"),
        &options,
        &policy
    )
    .is_err());
    assert!(remap_field(
        &mut resolved,
        &tables,
        3,
        Field::ClientEmail,
        None,
        &options,
        &policy
    )
    .is_err());
}

#[test]
fn changing_what_one_table_holds_keeps_the_other_tables_as_the_person_left_them() {
    use ph_import_core::canonical::RequiredPolicy;
    use ph_import_core::mapping::resolve::{change_role, remap_field, resolve};
    use ph_import_core::mapping::TableRole;
    let owners = SourceTable::from_csv(
        "owners.csv",
        "Owner ID,First,Last,Email\n1,Ann,Lee,ann@example.com\n2,Bo,Park,bo@example.com\n",
    )
    .expect("csv");
    let pets = SourceTable::from_csv(
        "pets.csv",
        "Pet ID,Owner ID,Pet,Species\n10,1,Rex,dog\n11,2,Tom,cat\n",
    )
    .expect("csv");
    let tables = vec![owners, pets];
    let options = SuggestOptions::default();
    let policy = RequiredPolicy::ph_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut resolved = resolve(None, &tables, &options, &policy, dir.path()).expect("resolves");
    assert_eq!(resolved.mapping.tables[1].role, TableRole::Patients);
    // The person's own choice on the owners table.
    remap_field(
        &mut resolved,
        &tables,
        0,
        Field::ClientEmail,
        None,
        &options,
        &policy,
    )
    .expect("unmap");
    let owners_before = resolved.mapping.tables[0].clone();
    let owners_report = resolved.tables[0].clone();

    change_role(
        &mut resolved,
        &tables,
        1,
        TableRole::Combined,
        &options,
        &policy,
    )
    .expect("role changes");
    assert_eq!(resolved.mapping.tables[1].role, TableRole::Combined);
    assert_eq!(resolved.mapping.tables[1].table, "pets.csv");
    assert_eq!(
        resolved.mapping.tables[0], owners_before,
        "the owners table is kept"
    );
    assert_eq!(resolved.tables[0], owners_report);
    assert!(resolved.mapping.tables[0]
        .field(Field::ClientEmail)
        .is_none());

    assert!(change_role(
        &mut resolved,
        &tables,
        2,
        TableRole::Clients,
        &options,
        &policy
    )
    .is_err());
}
