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

mod codes {
    use ph_import_core::canonical::{Field, RequiredPolicy};
    use ph_import_core::mapping::resolve::{remap_field, resolve, set_codes, RemapError, Resolved};
    use ph_import_core::mapping::transform::codes::CodeEntry;
    use ph_import_core::mapping::transform::Transform;
    use ph_import_core::mapping::{SourceTable, SuggestOptions};

    fn entry(code: &str, value: &str) -> CodeEntry {
        CodeEntry {
            code: code.into(),
            value: value.into(),
        }
    }

    /// A pets table whose status column writes H (here), ND, NA (not dead) and D (dead), and
    /// whose sex column has a code of its own ("Q"), with "Status" mapped to deceased.
    fn status_codes() -> (Vec<SourceTable>, Resolved) {
        let tables = vec![SourceTable::from_csv(
            "pets.csv",
            "Owner ID,Patient ID,Patient Name,Species,Sex,Status\n\
             1,P1,Rex,Dog,MN,H\n2,P2,Tib,Cat,Q,ND\n3,P3,Bun,Rabbit,F,NA\n4,P4,Max,Dog,FS,D\n5,P5,Ivy,Cat,M,H\n",
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
            Field::PatientDeceased,
            Some("Status"),
            &options,
            &policy,
        )
        .expect("map the status");
        (tables, resolved)
    }

    /// The values the code table of `field` does not know, sorted.
    fn unknown(resolved: &Resolved, field: Field) -> Vec<String> {
        let mut values: Vec<String> = resolved.tables[0]
            .code_tables
            .iter()
            .filter(|t| t.field == field)
            .flat_map(|t| &t.entries)
            .filter(|e| !e.known)
            .map(|e| e.value.clone())
            .collect();
        values.sort();
        values
    }

    fn deceased(resolved: &Resolved) -> &ph_import_core::mapping::FieldMapping {
        resolved.mapping.tables[0]
            .field(Field::PatientDeceased)
            .expect("deceased mapped")
    }

    #[test]
    fn status_codes_set_by_a_person_clear_the_confirmation_once_all_are_known() {
        let (tables, mut resolved) = status_codes();
        assert_eq!(
            unknown(&resolved, Field::PatientDeceased),
            ["H", "NA", "ND"]
        );
        assert!(deceased(&resolved).needs_confirmation);

        let partly = vec![entry("H", "false"), entry("ND", "false")];
        set_codes(
            &mut resolved,
            &tables,
            0,
            "Status",
            Field::PatientDeceased,
            partly,
        )
        .expect("valid codes");
        assert_eq!(unknown(&resolved, Field::PatientDeceased), ["NA"]);
        assert!(
            deceased(&resolved).needs_confirmation,
            "NA is still unknown"
        );

        let all = vec![
            entry("H", "false"),
            entry("ND", "false"),
            entry("NA", "false"),
            entry("D", "true"),
        ];
        set_codes(
            &mut resolved,
            &tables,
            0,
            "Status",
            Field::PatientDeceased,
            all,
        )
        .expect("valid codes");
        assert!(unknown(&resolved, Field::PatientDeceased).is_empty());
        let m = deceased(&resolved);
        assert!(!m.needs_confirmation, "{:?}", m.reasons);
        assert_eq!(m.confidence, 1.0);
        assert!(
            m.reasons.iter().all(|r| !r.contains("not known")),
            "{:?}",
            m.reasons
        );
        let Transform::Bool { codes, invert } = &m.transform else {
            panic!("{:?}", m.transform)
        };
        assert!(!invert);
        assert_eq!(codes.len(), 4);
        let table = resolved.tables[0]
            .code_tables
            .iter()
            .find(|t| t.field == Field::PatientDeceased)
            .expect("status code table");
        let read: Vec<(&str, &str, &str)> = table
            .entries
            .iter()
            .map(|e| (e.value.as_str(), e.maps_to.as_str(), e.chosen.as_str()))
            .collect();
        assert!(read.contains(&("NA", "Alive", "false")), "{read:?}");
        assert!(read.contains(&("D", "Deceased", "true")), "{read:?}");
        assert_eq!(table.sampled_rows, 5);
        let labels: Vec<&str> = table.choices.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["Deceased", "Alive"]);
    }

    #[test]
    fn a_value_the_field_does_not_take_is_refused_and_nothing_changes() {
        let (tables, mut resolved) = status_codes();
        let before = resolved.clone();
        let err = set_codes(
            &mut resolved,
            &tables,
            0,
            "Status",
            Field::PatientDeceased,
            vec![entry("H", "false"), entry("D", "dead")],
        )
        .expect_err("dead is not true or false");
        assert!(matches!(err, RemapError::BadCode { ref value, .. } if value == "dead"));
        assert!(err.to_string().contains("true, false"), "{err}");
        assert_eq!(resolved, before);

        let err = set_codes(
            &mut resolved,
            &tables,
            0,
            "Species",
            Field::PatientSpecies,
            vec![entry("Dog", "wolf")],
        )
        .expect_err("wolf is no species");
        assert!(err.to_string().contains("rabbit"), "{err}");
        // A field not read with codes from that column.
        assert!(matches!(
            set_codes(
                &mut resolved,
                &tables,
                0,
                "Patient Name",
                Field::PatientName,
                vec![]
            ),
            Err(RemapError::NotACodeColumn { .. })
        ));
        assert!(matches!(
            set_codes(
                &mut resolved,
                &tables,
                0,
                "Status",
                Field::PatientSpecies,
                vec![]
            ),
            Err(RemapError::NotACodeColumn { .. })
        ));
        assert!(matches!(
            set_codes(
                &mut resolved,
                &tables,
                7,
                "Status",
                Field::PatientDeceased,
                vec![]
            ),
            Err(RemapError::NoSuchTable(7))
        ));
    }

    #[test]
    fn sex_and_neutered_share_the_sex_column_s_codes() {
        let (tables, mut resolved) = status_codes();
        assert_eq!(unknown(&resolved, Field::PatientSex), ["Q"]);
        set_codes(
            &mut resolved,
            &tables,
            0,
            "Sex",
            Field::PatientSex,
            // An empty choice is no code: the built-in reading applies.
            vec![entry("Q", "male_neutered"), entry("M", "")],
        )
        .expect("valid codes");
        for field in [Field::PatientSex, Field::PatientNeutered] {
            let m = resolved.mapping.tables[0].field(field).expect("mapped");
            let Transform::Sex { codes } = &m.transform else {
                panic!("{field:?}: {:?}", m.transform)
            };
            assert_eq!(codes, &[entry("Q", "male_neutered")], "{field:?}");
        }
        assert!(unknown(&resolved, Field::PatientSex).is_empty());
        assert!(
            !resolved.mapping.tables[0]
                .field(Field::PatientSex)
                .expect("sex")
                .needs_confirmation
        );
        // The status table was rebuilt with the rest and still knows its own codes.
        assert_eq!(
            unknown(&resolved, Field::PatientDeceased),
            ["H", "NA", "ND"]
        );
    }
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
