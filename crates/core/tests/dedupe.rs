//! Duplicates end to end: a clinic export with typical duplicate patterns (nicknames,
//! typos, reformatted phones, swapped names, a new e-mail, a household, a move, a pet entered
//! twice, a row exported twice) converted into `duplicates.csv`; and the same export
//! classified against a real sandbox clinic before and after it is imported, with a
//! discrepancy that must be shown, never applied silently.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ph_import_core::canonical::{Field, RequiredPolicy};
use ph_import_core::dedupe::classify::{classify, Classification, Classified};
use ph_import_core::dedupe::resolve::{resolve, Decisions, FieldPolicy, Outcome};
use ph_import_core::job::{scan, Scan};
use ph_import_core::job::{write_canonical, Policies};
use ph_import_core::mapping::resolve::load_tables;
use ph_import_core::mapping::source::TableSource;
use ph_import_core::mapping::{suggest, Mapping, SuggestOptions};
use ph_import_core::ph::canonical::{client_input, patient_input};
use ph_import_core::ph::{BatchTarget, Client, ClientOptions, PhApi, RetryPolicy, Token};
use ph_import_core::table_file::OutputFormat;

const IMPORTER: &str = "phsb_importer_demo";

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/dedupe/clinic-with-duplicates.csv")
}

fn load() -> (Vec<TableSource>, Mapping) {
    let (sources, tables) = load_tables(&[fixture()]).expect("the fixture reads");
    let options = SuggestOptions {
        country: "US".into(),
        infer_country: false,
        ..SuggestOptions::default()
    };
    let mapping = suggest(&tables, &options, &RequiredPolicy::ph_default()).mapping;
    (sources, mapping)
}

fn scanned() -> Scan {
    let (sources, mapping) = load();
    scan(
        &sources,
        &mapping,
        Policies::from(RequiredPolicy::ph_default()),
        &ph_import_core::review::Edits::default(),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .expect("the scan runs")
}

#[test]
fn convert_writes_every_duplicate_group_member_by_member() {
    let (sources, mapping) = load();
    let dir = tempfile::tempdir().unwrap();
    let summary = write_canonical(
        &sources,
        &mapping,
        RequiredPolicy::ph_default(),
        dir.path(),
        OutputFormat::Csv,
        &AtomicBool::new(false),
    )
    .expect("convert");
    assert!(summary.files.iter().any(|f| f.ends_with("duplicates.csv")));
    let text = std::fs::read_to_string(dir.path().join("duplicates.csv")).unwrap();
    let mut lines = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = lines.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "group_id",
            "kind",
            "entity",
            "external_id",
            "file",
            "row",
            "primary",
            "score",
            "reasons"
        ]
    );
    let rows: Vec<(String, String, String, String, String, String)> = lines
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].into(),
                r[1].into(),
                r[2].into(),
                r[3].into(),
                r[5].into(),
                r[6].into(),
            )
        })
        .collect();
    let expect = |g: &str, kind: &str, entity: &str, id: &str, row: &str, primary: &str| {
        assert!(
            rows.contains(&(
                g.into(),
                kind.into(),
                entity.into(),
                id.into(),
                row.into(),
                primary.into()
            )),
            "no line {g},{kind},{entity},{id},row {row},{primary} in\n{text}"
        );
    };
    // A pet row exported twice, kept once.
    expect("1", "duplicate_row", "patient", "", "12", "true");
    expect("1", "duplicate_row", "patient", "", "13", "false");
    // Bill and William with one e-mail and phone; Jonathan and Jonathon with a new e-mail.
    expect("2", "exact_duplicate", "client", "1001", "2", "true");
    expect("2", "exact_duplicate", "client", "1002", "3", "false");
    expect("3", "fuzzy_duplicate", "client", "1004", "5", "true");
    expect("3", "fuzzy_duplicate", "client", "1005", "6", "false");
    // Ana moved (a conflict to decide), and once had her names swapped.
    expect("4", "conflicting_duplicate", "client", "1006", "7", "true");
    expect("4", "conflicting_duplicate", "client", "1007", "8", "false");
    expect("4", "conflicting_duplicate", "client", "1008", "9", "false");
    // Mary shares William's address and phone: a household, both kept.
    expect("5", "same_household", "client", "1001", "2", "true");
    expect("5", "same_household", "client", "1003", "4", "true");
    // Rex entered under both of William's records; Shadow twice for Peter.
    expect("6", "exact_duplicate", "patient", "P1", "2", "true");
    expect("6", "exact_duplicate", "patient", "P2", "3", "false");
    expect("7", "exact_duplicate", "patient", "P11", "12", "true");
    expect("7", "exact_duplicate", "patient", "P12", "14", "false");
    assert_eq!(rows.len(), 15, "{text}");
    // The namesake in Chicago and Zoë are nobody's duplicates.
    assert!(
        !rows.iter().any(|r| r.3 == "1010" || r.3 == "1009"),
        "{text}"
    );
    let reasons = text.lines().find(|l| l.contains(",1005,")).unwrap();
    assert!(
        reasons.contains("same phone") && reasons.contains("first name similarity 0.9"),
        "{reasons}"
    );
}

fn api(url: &str) -> PhApi {
    let options = ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(20),
        retry: RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(5),
        },
        max_concurrency: 2,
    };
    PhApi::new(
        "sandbox-test",
        url,
        &Token::parse(IMPORTER).unwrap(),
        &options,
    )
    .unwrap()
}

async fn clinic(api: &PhApi, id: &str) -> Vec<Client> {
    api.clients(id, None)
        .collect_all()
        .await
        .expect("the clinic pages")
}

/// Creates every client and pet of the scan in the clinic, as an import that kept every
/// record would.
async fn import(api: &PhApi, clinic_id: &str, found: &Scan) {
    let target = |what: &str| BatchTarget {
        clinic_id: clinic_id.into(),
        import_run_id: "run-dedupe-test".into(),
        key_prefix: format!("dedupe-test-{what}"),
    };
    let report = api
        .create_clients_batched(
            &target("clients"),
            found.clients.iter().map(client_input).collect(),
        )
        .await;
    assert!(report.is_complete());
    let refused: Vec<_> = report.items.iter().filter(|i| i.client.is_none()).collect();
    assert!(refused.is_empty(), "{refused:?}");
    let ids: std::collections::HashMap<String, String> = report
        .items
        .iter()
        .filter_map(|i| i.client.as_ref())
        .map(|c| (c.external_id.clone().unwrap_or_default(), c.id.clone()))
        .collect();
    let pets = found
        .patients
        .iter()
        .map(|p| patient_input(p, &ids[&p.client_external_id]))
        .collect();
    assert!(api
        .create_patients_batched(&target("patients"), pets)
        .await
        .is_complete());
}

fn count(c: &Classified, class: Classification) -> (usize, usize) {
    (
        c.clients
            .iter()
            .filter(|m| m.classification == class)
            .count(),
        c.patients
            .iter()
            .filter(|m| m.classification == class)
            .count(),
    )
}

#[tokio::test]
async fn a_rerun_after_the_import_is_identical_and_a_discrepancy_is_kept_for_a_decision() {
    let server = ph_sandbox::start(ph_sandbox::SandboxConfig::default())
        .await
        .expect("sandbox starts");
    let api = api(&server.url());
    let found = scanned();
    let (clients, patients) = (found.clients.len(), found.patients.len());
    assert!(
        clients >= 10 && patients >= 11,
        "{clients} clients, {patients} patients"
    );

    // Harbor Cats has none of these people: everything is new.
    let before = classify(
        &found.clients,
        &found.patients,
        &clinic(&api, "harbor-cats").await,
    );
    assert_eq!(count(&before, Classification::New), (clients, patients));

    import(&api, "harbor-cats", &found).await;
    let ph = clinic(&api, "harbor-cats").await;
    let again = classify(&found.clients, &found.patients, &ph);
    assert_eq!(
        count(&again, Classification::Identical),
        (clients, patients),
        "{again:#?}"
    );
    let decisions = Decisions::default();
    let outcomes: Vec<Outcome> = again
        .clients
        .iter()
        .chain(&again.patients)
        .map(|m| resolve(m, &decisions))
        .collect();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Unchanged { .. })),
        "{outcomes:?}"
    );

    // The clinic's next export: Zoë has moved, and her second phone is new.
    let mut next = found.clone();
    let zoe = next
        .clients
        .iter_mut()
        .find(|c| c.external_id == "1009")
        .unwrap();
    zoe.address_line1 = "77 Cedar Blvd".into();
    zoe.phone_alt = "+12175550100".into();
    let c = classify(&next.clients, &next.patients, &ph);
    let m = c.clients.iter().find(|m| m.external_id == "1009").unwrap();
    assert_eq!(m.classification, Classification::Conflict);
    let fields: Vec<(Field, &str, &str)> = m
        .diffs
        .iter()
        .map(|d| (d.field, d.ph.as_str(), d.file.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (Field::ClientPhoneAlt, "", "+12175550100"),
            (Field::ClientAddressLine1, "3 Birch Ln", "77 Cedar Blvd"),
        ]
    );
    // By default PH keeps its address and only the blank is filled...
    let Outcome::Update { set, .. } = resolve(m, &Decisions::default()) else {
        panic!("an update")
    };
    assert_eq!(
        set.iter().map(|d| d.field).collect::<Vec<_>>(),
        [Field::ClientPhoneAlt]
    );
    // ...unless the person says the file is right.
    let mut take = Decisions::default();
    take.policies
        .fields
        .insert(Field::ClientAddressLine1, FieldPolicy::TakeFile);
    let Outcome::Update { set, .. } = resolve(m, &take) else {
        panic!("an update")
    };
    assert_eq!(set.len(), 2);
    // Nothing else changed.
    assert_eq!(c.client_counts.identical as usize, clients - 1);
}
