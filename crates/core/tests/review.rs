//! The review of problems: the session sees exactly what `convert` writes, a change is
//! validated again at once, and `write_edited` with the session's edits writes exactly the
//! records the session shows.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ph_import_core::canonical::{Entity, Field, RequiredPolicy, Severity};
use ph_import_core::job::write_canonical;
use ph_import_core::job::write_edited;
use ph_import_core::mapping::resolve;
use ph_import_core::mapping::source::TableSource;
use ph_import_core::mapping::{Mapping, SuggestOptions};
use ph_import_core::read::ReadOptions;
use ph_import_core::review::{Edits, Filter, Session};
use ph_import_core::table_file::OutputFormat;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The files' sources and the mapping `convert` would choose (built-in profile or suggestion).
fn mapped(files: &[&str]) -> (Vec<TableSource>, Mapping) {
    let inputs: Vec<(PathBuf, ReadOptions)> = files
        .iter()
        .map(|f| (root().join("fixtures").join(f), ReadOptions::default()))
        .collect();
    let (sources, tables) = resolve::load_tables_with(&inputs).expect("fixture reads");
    let none = tempfile::tempdir().expect("temp dir");
    let resolved = resolve::resolve(
        None,
        &tables,
        &SuggestOptions::default(),
        &RequiredPolicy::default(),
        none.path(),
    )
    .expect("mapping");
    (sources, resolved.mapping)
}

fn open(sources: &[TableSource], mapping: &Mapping) -> Session {
    ph_import_core::job::review_rows(
        sources,
        mapping,
        RequiredPolicy::default(),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .expect("session opens")
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

const FIXTURES: &[&[&str]] = &[
    &["vendors/cornerstone-patient-list/Patient List.csv"],
    &[
        "vendors/avimark-clients-animals/CLIENT.csv",
        "vendors/avimark-clients-animals/ANIMAL.csv",
    ],
    &["vendors/ezyvet-contacts/contacts-export.csv"],
    &["vendors/impromed-owner-pet/OWNERPET.TXT"],
    &["vendors/vetspire-patients/patients.csv"],
    &[
        "vendors/pulse-conversion/iClient.csv",
        "vendors/pulse-conversion/iPatient.csv",
    ],
    &["vendors/provet-workbook/provet-export.xlsx"],
    &["vendors/holdout/digitail-style.csv"],
    &["demo/riverside-clients-pets.csv"],
    &["demo/maple-clinic-problems.csv"],
    &["read/ragged-rows.csv"],
];

#[test]
fn without_edits_the_files_are_byte_identical_to_convert() {
    for files in FIXTURES {
        let (sources, mapping) = mapped(files);
        let plain = tempfile::tempdir().expect("temp dir");
        let edited = tempfile::tempdir().expect("temp dir");
        let never = AtomicBool::new(false);
        let a = write_canonical(
            &sources,
            &mapping,
            RequiredPolicy::default(),
            plain.path(),
            OutputFormat::Csv,
            &never,
        )
        .expect("convert");
        let b = write_edited(
            &sources,
            &mapping,
            RequiredPolicy::default(),
            &Edits::default(),
            edited.path(),
            OutputFormat::Csv,
            &never,
        )
        .expect("convert with edits");
        for name in ["clients.csv", "patients.csv", "findings.csv"] {
            assert_eq!(
                read(plain.path(), name),
                read(edited.path(), name),
                "{files:?}: {name}"
            );
        }
        assert_eq!(a.by_code, b.summary.by_code, "{files:?}");
        assert_eq!(
            (a.clients, a.patients, a.findings, a.skipped),
            (
                b.summary.clients,
                b.summary.patients,
                b.summary.findings,
                b.summary.skipped
            ),
            "{files:?}"
        );

        // The session holds every record and every finding of those files.
        let session = open(&sources, &mapping);
        let s = session.summary();
        assert_eq!(
            (u64::from(s.clients), u64::from(s.patients)),
            (a.clients, a.patients),
            "{files:?}"
        );
        let on_records: u32 = s.by_code.iter().map(|c| c.clients + c.patients).sum();
        let alone: u64 = s.unattached.iter().map(|c| c.count).sum();
        assert_eq!(u64::from(on_records) + alone, a.findings, "{files:?}");
        assert_eq!(s.errors + s.warnings + s.fixed, on_records, "{files:?}");
    }
}

/// The session's records (not excluded) as CSV rows, to compare with the written files.
fn session_rows(session: &Session, entity: Entity) -> Vec<Vec<String>> {
    let page = session.page(entity, &Filter::default(), 0, u32::MAX);
    page.rows
        .into_iter()
        .filter(|r| !r.excluded && !r.owner_excluded)
        .map(|r| r.cells)
        .collect()
}

fn csv_rows(dir: &Path, name: &str) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(dir.join(name)).expect("written file");
    reader
        .records()
        .map(|r| r.expect("csv row").iter().map(str::to_string).collect())
        .collect()
}

fn id_of(session: &Session, entity: Entity, row: u64) -> u32 {
    session
        .page(entity, &Filter::default(), 0, u32::MAX)
        .rows
        .iter()
        .find(|r| r.row == row)
        .map(|r| r.id)
        .expect("a record on that row")
}

fn codes_on(session: &Session, entity: Entity, id: u32, field: Field) -> Vec<String> {
    let row = session.row(entity, id).expect("record");
    row.findings
        .into_iter()
        .filter(|f| f.field == Some(field))
        .map(|f| f.code)
        .collect()
}

#[test]
fn fixes_are_validated_at_once_and_written_exactly_as_reviewed() {
    let (sources, mapping) = mapped(&["demo/maple-clinic-problems.csv"]);
    let mut session = open(&sources, &mapping);
    let before = session.summary();
    let typo = |s: &ph_import_core::review::Summary| {
        s.by_code
            .iter()
            .find(|c| c.code == "email_domain_typo")
            .map_or(0, |c| c.clients)
    };
    assert_eq!(typo(&before), 2);

    // An invalid address typed right: its error is gone, the record has no other.
    let ana = id_of(&session, Entity::Client, 4);
    assert_eq!(
        codes_on(&session, Entity::Client, ana, Field::ClientEmail),
        ["invalid_email"]
    );
    let row = session
        .edit(
            Entity::Client,
            ana,
            Field::ClientEmail,
            " ana.garcia@example.com ",
        )
        .expect("edit");
    assert_eq!(row.cells[3], "ana.garcia@example.com");
    assert!(row
        .findings
        .iter()
        .all(|f| f.field != Some(Field::ClientEmail)));
    assert_eq!(row.changed, [Field::ClientEmail]);
    // A new mistake in a typed value is found like any other.
    let row = session
        .edit(Entity::Client, ana, Field::ClientEmail, "ana@yahooo.com")
        .expect("edit");
    assert!(row.findings.iter().any(|f| f.code == "email_domain_typo"));
    session
        .edit(
            Entity::Client,
            ana,
            Field::ClientEmail,
            "ana.garcia@example.com",
        )
        .expect("edit");
    assert_eq!(
        session.summary().clients_with_errors,
        before.clients_with_errors - 1
    );

    // Both gmial.com addresses, each with its own suggestion.
    let mary = id_of(&session, Entity::Client, 2);
    assert_eq!(
        session.similar_count(
            "email_domain_typo",
            Field::ClientEmail,
            "mary.obrien@gmial.com"
        ),
        2
    );
    let changed = session
        .apply_to_similar(
            "email_domain_typo",
            Field::ClientEmail,
            "mary.obrien@gmial.com",
            None,
        )
        .expect("apply");
    assert_eq!(changed, 2);
    assert_eq!(typo(&session.summary()), 0);
    let mary_row = session.row(Entity::Client, mary).expect("record");
    assert_eq!(mary_row.cells[3], "mary.obrien@gmail.com");
    // The name normalized by the conversion stays reported as fixed.
    assert!(mary_row
        .findings
        .iter()
        .any(|f| f.code == "name_normalized"));

    // One unknown species code, mapped for every pet that has it.
    assert_eq!(
        session.similar_count("unknown_species", Field::PatientSpecies, "Dragon"),
        2
    );
    let changed = session
        .apply_to_similar(
            "unknown_species",
            Field::PatientSpecies,
            "Dragon",
            Some("Reptile"),
        )
        .expect("apply");
    assert_eq!(changed, 2);
    let spike = id_of(&session, Entity::Patient, 4);
    let spike_row = session.row(Entity::Patient, spike).expect("record");
    assert_eq!(spike_row.cells[3], "reptile");
    assert!(spike_row
        .findings
        .iter()
        .all(|f| f.severity != Severity::Error));

    // A ZIP typed for the right state clears the mismatch found from the state.
    let lee = id_of(&session, Entity::Client, 5);
    assert!(
        codes_on(&session, Entity::Client, lee, Field::ClientPostalCode)
            .contains(&"postal_state_mismatch".to_string())
    );
    session
        .edit(Entity::Client, lee, Field::ClientPostalCode, "78701")
        .expect("edit");
    assert!(codes_on(&session, Entity::Client, lee, Field::ClientPostalCode).is_empty());

    // IDs cannot be changed: they link records.
    assert!(session
        .edit(Entity::Client, lee, Field::ClientExternalId, "X")
        .is_err());

    // Leaving out a client leaves out its pets.
    let rosa = id_of(&session, Entity::Client, 7);
    session
        .set_excluded(Entity::Client, &[rosa], true)
        .expect("exclude");
    let s = session.summary();
    assert_eq!((s.excluded_clients, s.excluded_patients), (1, 1));
    let filter = Filter {
        code: Some("unknown_species".into()),
        ..Filter::default()
    };
    assert_eq!(session.page(Entity::Patient, &filter, 0, 10).total, 0);

    // The edits, applied by a new conversion, write exactly what the session shows.
    let edits = session.edits();
    assert_eq!(edits.changes.len(), 6);
    assert_eq!(edits.excluded.len(), 1);
    let reread = Edits::from_json(&edits.to_json()).expect("edits round trip");
    let out = tempfile::tempdir().expect("temp dir");
    let written = write_edited(
        &sources,
        &mapping,
        RequiredPolicy::default(),
        &reread,
        out.path(),
        OutputFormat::Csv,
        &AtomicBool::new(false),
    )
    .expect("write");
    assert_eq!((written.applied, written.excluded), (6, 2));
    assert!(written.stale.is_empty());
    assert_eq!(
        csv_rows(out.path(), "clients.csv"),
        session_rows(&session, Entity::Client)
    );
    assert_eq!(
        csv_rows(out.path(), "patients.csv"),
        session_rows(&session, Entity::Patient)
    );
    let findings = read(out.path(), "findings.csv");
    assert!(!findings.contains("email_domain_typo"));
    assert!(!findings.contains("unknown_species"));
    assert!(!findings.contains("invalid_email"));
    let written_count = findings.lines().count() as u32 - 1;
    let s = session.summary();
    let alone: u64 = s.unattached.iter().map(|c| c.count).sum();
    assert_eq!(
        u64::from(written_count),
        u64::from(s.errors + s.warnings + s.fixed) + alone
    );

    // The same edits on a session opened again give the same records.
    let mut again = open(&sources, &mapping);
    assert_eq!(again.apply_edits(&reread).expect("apply"), 7);
    assert_eq!(
        session_rows(&again, Entity::Client),
        session_rows(&session, Entity::Client)
    );
    assert_eq!(again.summary(), session.summary());
}

#[test]
fn typing_the_converted_value_back_undoes_the_change() {
    let (sources, mapping) = mapped(&["demo/maple-clinic-problems.csv"]);
    let mut session = open(&sources, &mapping);
    let ana = id_of(&session, Entity::Client, 4);
    let original = session.row(Entity::Client, ana).expect("record");
    session
        .edit(Entity::Client, ana, Field::ClientEmail, "ana@example.com")
        .expect("edit");
    let back = session
        .edit(Entity::Client, ana, Field::ClientEmail, "ana.garcia@")
        .expect("edit");
    assert_eq!(back, original);
    assert!(session.edits().is_empty());
}

#[test]
fn a_pet_linked_to_an_existing_owner_is_no_longer_an_orphan() {
    let (sources, mapping) = mapped(&[
        "vendors/avimark-clients-animals/CLIENT.csv",
        "vendors/avimark-clients-animals/ANIMAL.csv",
    ]);
    let mut session = open(&sources, &mapping);
    let orphan = Filter {
        code: Some("orphan_patient".into()),
        ..Filter::default()
    };
    let page = session.page(Entity::Patient, &orphan, 0, 10);
    assert_eq!(page.total, 1);
    let pet = &page.rows[0];
    let owner = session.page(Entity::Client, &Filter::default(), 0, 1).rows[0].cells[0].clone();
    let fixed = session
        .edit(
            Entity::Patient,
            pet.id,
            Field::PatientClientExternalId,
            &owner,
        )
        .expect("edit");
    assert!(fixed.findings.iter().all(|f| f.code != "orphan_patient"));
    assert_eq!(session.page(Entity::Patient, &orphan, 0, 10).total, 0);
    let wrong = session
        .edit(
            Entity::Patient,
            pet.id,
            Field::PatientClientExternalId,
            "9999",
        )
        .expect("edit");
    assert!(wrong.findings.iter().any(|f| f.code == "orphan_patient"));
}

#[test]
fn a_change_to_a_value_that_is_no_longer_in_the_export_is_not_applied() {
    let (sources, mapping) = mapped(&["demo/maple-clinic-problems.csv"]);
    let mut edits = Edits::default();
    edits.changes.push(ph_import_core::review::Change {
        entity: Entity::Client,
        file: "maple-clinic-problems.csv".into(),
        row: 4,
        field: Field::ClientEmail,
        before: "someone.else@".into(),
        after: "x@example.com".into(),
    });
    let out = tempfile::tempdir().expect("temp dir");
    let written = write_edited(
        &sources,
        &mapping,
        RequiredPolicy::default(),
        &edits,
        out.path(),
        OutputFormat::Csv,
        &AtomicBool::new(false),
    )
    .expect("write");
    assert_eq!(written.applied, 0);
    assert_eq!(written.stale.len(), 1);
    assert!(read(out.path(), "clients.csv").contains("ana.garcia@"));
    assert!(!read(out.path(), "clients.csv").contains("x@example.com"));
}

/// A change no review can make (an ID) and changes whose record is not in the export are
/// each named as not applied, never counted as applied.
#[test]
fn changes_that_cannot_apply_are_named_not_counted() {
    use ph_import_core::review::{Change, RecordRef};
    let (sources, mapping) = mapped(&["vendors/avimark-clients-animals/CLIENT.csv"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = write_canonical(
        &sources,
        &mapping,
        RequiredPolicy::default(),
        dir.path(),
        OutputFormat::Csv,
        &AtomicBool::new(false),
    )
    .expect("convert");
    assert!(plain.clients > 0);
    let clients = read(dir.path(), "clients.csv");
    let first_id = clients
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').next())
        .expect("a client")
        .to_string();
    let label = sources[0].label.clone();
    let change = |row: u64, field: Field, before: &str, after: &str| Change {
        entity: Entity::Client,
        file: label.clone(),
        row,
        field,
        before: before.into(),
        after: after.into(),
    };
    let edits = Edits {
        changes: vec![
            change(2, Field::ClientExternalId, &first_id, "X-1"),
            change(9999, Field::ClientEmail, "", "a@b.co"),
        ],
        excluded: vec![RecordRef {
            entity: Entity::Client,
            file: "another-file.csv".into(),
            row: 3,
        }],
        ..Edits::default()
    };
    let edited = tempfile::tempdir().expect("temp dir");
    let out = write_edited(
        &sources,
        &mapping,
        RequiredPolicy::default(),
        &edits,
        edited.path(),
        OutputFormat::Csv,
        &AtomicBool::new(false),
    )
    .expect("convert with edits");
    assert_eq!((out.applied, out.excluded), (0, 0));
    assert_eq!(
        out.not_applied,
        [
            format!("{label} row 2 client: client.external_id cannot be changed in a review (IDs link pets to their owners and records to PH); change it in the export"),
            format!("{label} row 9999 client: no such record in the export, so client.email was not set to \"a@b.co\""),
            "another-file.csv row 3 client: no such record in the export, so nothing was left out".to_string(),
        ]
    );
    // Nothing changed in what was written.
    assert_eq!(read(edited.path(), "clients.csv"), clients);
}

#[test]
fn every_sheet_is_tallied_and_a_table_giving_no_records_is_flagged() {
    // A per-sheet header row keeps both sheets tables (the header row of the sheet looked at
    // never restricts the job to it).
    let mut options = ReadOptions::default();
    options.header_rows.insert("Patients".into(), 1);
    let file = root().join("fixtures/vendors/provet-workbook/provet-export.xlsx");
    let (sources, tables) = resolve::load_tables_with(&[(file, options)]).expect("fixture reads");
    let none = tempfile::tempdir().expect("temp dir");
    let mut mapping = resolve::resolve(
        None,
        &tables,
        &SuggestOptions::default(),
        &RequiredPolicy::default(),
        none.path(),
    )
    .expect("mapping")
    .mapping;
    assert_eq!(mapping.tables.len(), 2);

    let tallies = open(&sources, &mapping).summary().tables;
    let counts: Vec<(&str, u64, u64, u64)> = tallies
        .iter()
        .map(|t| (t.table.as_str(), t.rows, t.clients, t.patients))
        .collect();
    assert_eq!(
        counts,
        [
            ("provet-export.xlsx [Clients]", 4, 4, 0),
            ("provet-export.xlsx [Patients]", 5, 0, 5),
        ]
    );
    assert!(tallies.iter().all(|t| t.warning().is_none()));

    // The same tally from a conversion, and a table whose mapping fills nothing is told.
    mapping.tables[1].fields.clear();
    let out = tempfile::tempdir().expect("temp dir");
    let summary = write_canonical(
        &sources,
        &mapping,
        RequiredPolicy::default(),
        out.path(),
        OutputFormat::Csv,
        &AtomicBool::new(false),
    )
    .expect("convert");
    assert_eq!(summary.tables[0].clients, 4);
    let patients = &summary.tables[1];
    assert_eq!(
        (patients.rows, patients.clients, patients.patients),
        (5, 0, 0)
    );
    assert!(patients.gives_nothing());
    assert_eq!(
        patients.warning().as_deref(),
        Some("provet-export.xlsx [Patients] has 5 rows but gives no records: check what it holds and its columns on the mapping step")
    );
    assert_eq!(summary.patients, 0);
}
