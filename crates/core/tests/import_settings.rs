//! A person's import settings (country, weight unit, e-mail, send policy) change what the
//! job writes, and applying them keeps the rest of the person's mapping.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ph_import_core::canonical::Field;
use ph_import_core::job::{ImportSettings, Job, JobSpec};
use ph_import_core::mapping::resolve;
use ph_import_core::mapping::transform::units::WeightUnit;
use ph_import_core::mapping::transform::Transform;
use ph_import_core::private_file::Overwrite;
use ph_import_core::table_file::OutputFormat;

/// An Australian clinic's export that says nothing of its country: no state, no country
/// column, postcodes of 4 digits, weights with decimal commas.
fn clinic_files(dir: &Path) -> Vec<PathBuf> {
    let clients = dir.join("owners.csv");
    std::fs::write(
        &clients,
        "Client ID,First Name,Last Name,Email,Phone,Other Phone,Postcode\n\
         C1,Ann,Lee,ann@example.com,555-0101,555-0201,3136\n\
         C2,Bob,Ng,bob@example.com,555-0102,555-0202,2026\n\
         C3,Cy,Ho,cy@example.com,555-0103,555-0203,3056\n",
    )
    .expect("write owners");
    let patients = dir.join("pets.csv");
    std::fs::write(
        &patients,
        "Patient ID,Client ID,Name,Species,Weight\n\
         P1,C1,Rex,Dog,\"5,32\"\n\
         P2,C2,Tom,Cat,\"4,1\"\n\
         P3,C3,Max,Dog,\"30,25\"\n",
    )
    .expect("write pets");
    vec![clients, patients]
}

fn open(files: &[PathBuf], settings: ImportSettings, profiles: &Path) -> Job {
    let mut spec = JobSpec::for_files(files);
    spec.profile_dir = profiles.to_path_buf();
    spec.settings = settings;
    Job::open(&spec, &mut |_| {}, &AtomicBool::new(false)).expect("job opens")
}

/// The values of one column of a written canonical CSV (plain values, no quoting needed).
fn column(dir: &Path, file: &str, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(file)).expect("written file");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let i = header
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("{file} has no column {name}: {header:?}"));
    lines
        .map(|l| l.split(',').nth(i).unwrap_or("").to_owned())
        .collect()
}

fn write(job: &Job, settings: &ImportSettings, out: &Path) {
    job.write(
        out,
        OutputFormat::Csv,
        settings.policies(Overwrite::Replace),
        None,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect("written");
}

#[test]
fn australian_postcodes_keep_four_digits_when_the_country_is_au() {
    let tmp = tempfile::tempdir().expect("tmp");
    let files = clinic_files(tmp.path());
    for (country, want) in [("US", "03136"), ("AU", "3136")] {
        let settings = ImportSettings {
            country: Some(country.into()),
            ..ImportSettings::default()
        };
        let job = open(&files, settings.clone(), tmp.path());
        assert_eq!(job.mapping().country, country);
        let out = tmp.path().join(country);
        write(&job, &settings, &out);
        let postcodes = column(&out, "clients.csv", "postal_code");
        assert_eq!(
            postcodes.first().map(String::as_str),
            Some(want),
            "{country}"
        );
        if country == "AU" {
            assert_eq!(postcodes, ["3136", "2026", "3056"]);
        }
    }
}

#[test]
fn decimal_comma_weights_in_kg_are_read_as_kilograms() {
    let tmp = tempfile::tempdir().expect("tmp");
    let files = clinic_files(tmp.path());
    // The person's setting, over a US fallback country that would say pounds.
    let settings = ImportSettings {
        country: Some("US".into()),
        weight_unit: Some(WeightUnit::Kg),
        ..ImportSettings::default()
    };
    let job = open(&files, settings.clone(), tmp.path());
    let out = tmp.path().join("kg");
    write(&job, &settings, &out);
    let weights: Vec<f64> = column(&out, "patients.csv", "weight_kg")
        .iter()
        .map(|w| w.parse().expect("a number"))
        .collect();
    assert_eq!(weights, [5.32, 4.1, 30.25]);
}

#[test]
fn decimal_commas_point_to_kilograms_without_a_setting() {
    let tmp = tempfile::tempdir().expect("tmp");
    let files = clinic_files(tmp.path());
    let job = open(&files, ImportSettings::default(), tmp.path());
    let weight = job.mapping().tables[1]
        .fields
        .iter()
        .find(|f| f.field == Field::PatientWeightKg)
        .expect("weight mapped");
    assert_eq!(
        weight.transform,
        Transform::Weight {
            unit: WeightUnit::Kg
        }
    );
    assert!(weight.needs_confirmation, "evidence, not certainty");
    assert!(
        weight.reasons.iter().any(|r| r.contains("decimal commas")),
        "{:?}",
        weight.reasons
    );
}

#[test]
fn applying_settings_keeps_a_persons_remap_of_another_field() {
    let tmp = tempfile::tempdir().expect("tmp");
    let files = clinic_files(tmp.path());
    let defaults = ImportSettings::default();
    let job = open(&files, defaults.clone(), tmp.path());
    let mut resolved = job.resolved.clone();
    // The person says the main phone is "Other Phone".
    resolve::remap_field(
        &mut resolved,
        &job.tables,
        0,
        Field::ClientPhone,
        Some("Other Phone"),
        &defaults.suggest_options(),
        &defaults.required(),
    )
    .expect("remapped");
    let settings = ImportSettings {
        country: Some("au".into()),
        weight_unit: Some(WeightUnit::Lb),
        email_required: Some(false),
        ..ImportSettings::default()
    };
    settings.apply(&mut resolved);

    let phone = resolved.mapping.tables[0]
        .fields
        .iter()
        .find(|f| f.field == Field::ClientPhone)
        .expect("phone kept");
    assert_eq!(phone.columns, ["Other Phone"]);
    assert_eq!(
        phone.transform,
        Transform::Phone {
            country: "AU".into()
        }
    );
    assert_eq!(resolved.mapping.country, "AU");
    assert_eq!(resolved.country.code, "AU");
    assert!(!resolved.country.needs_confirmation);
    let weight = resolved.mapping.tables[1]
        .fields
        .iter()
        .find(|f| f.field == Field::PatientWeightKg)
        .expect("weight kept");
    assert_eq!(
        weight.transform,
        Transform::Weight {
            unit: WeightUnit::Lb
        }
    );
    assert!(!weight.needs_confirmation);
    // Without the e-mail requirement no table misses the e-mail.
    assert!(resolved
        .tables
        .iter()
        .all(|t| !t.missing_required.contains(&Field::ClientEmail)));
}

#[test]
fn remapping_a_phone_reads_it_with_the_mappings_country() {
    let tmp = tempfile::tempdir().expect("tmp");
    let files = clinic_files(tmp.path());
    let settings = ImportSettings {
        country: Some("AU".into()),
        ..ImportSettings::default()
    };
    let job = open(&files, settings, tmp.path());
    let mut resolved = job.resolved.clone();
    // A caller whose options still say US (the app before settings) must not make it US.
    resolve::remap_field(
        &mut resolved,
        &job.tables,
        0,
        Field::ClientPhoneAlt,
        Some("Other Phone"),
        &ImportSettings::default().suggest_options(),
        &ImportSettings::default().required(),
    )
    .expect("remapped");
    let alt = resolved.mapping.tables[0]
        .fields
        .iter()
        .find(|f| f.field == Field::ClientPhoneAlt)
        .expect("mapped");
    assert_eq!(
        alt.transform,
        Transform::Phone {
            country: "AU".into()
        }
    );
}

#[test]
fn settings_give_their_cli_flags() {
    let mut settings = ImportSettings {
        country: Some("au".into()),
        email_required: Some(false),
        weight_unit: Some(WeightUnit::Kg),
        ..ImportSettings::default()
    };
    settings.import.send_deceased_patients = true;
    settings.roles.insert(
        "pets.csv".into(),
        ph_import_core::mapping::TableRole::Patients,
    );
    assert_eq!(
        settings.to_args(),
        [
            "--country",
            "AU",
            "--no-email-required",
            "--weight-unit",
            "kg",
            "--send-deceased",
            "--role",
            "pets.csv=patients"
        ]
    );
    assert!(ImportSettings::default().to_args().is_empty());
}
