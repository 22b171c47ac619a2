//! The vendor fixtures in `fixtures/vendors/`: the automatic mapping of each is exactly the
//! reviewed one (the built-in profile), its conversion is exactly the checked-in expected
//! output, and the built-in profiles recognize their own layouts.
//!
//! To regenerate after a deliberate change: `BLESS=1 cargo test -p ph-import-core --test mapping_fixtures`,
//! then review the diff of `fixtures/vendors/*/expected/` and `crates/core/src/mapping/profiles/`.

use std::path::{Path, PathBuf};

use ph_import_core::canonical::RequiredPolicy;
use ph_import_core::job::output::OutputFiles;
use ph_import_core::mapping::convert::{plan, run_order, Converter};
use ph_import_core::mapping::profile::{best_match, builtin_profiles, Profile};
use ph_import_core::mapping::{source, suggest, Mapping, SourceTable, SuggestOptions};
use ph_import_core::table_file::OutputFormat;

struct Fixture {
    dir: &'static str,
    files: &'static [&'static str],
    profile: &'static str,
    name: &'static str,
    description: &'static str,
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        dir: "cornerstone-patient-list",
        files: &["Patient List.csv"],
        profile: "cornerstone-patient-list",
        name: "Cornerstone patient list",
        description: "One row per pet with the owner repeated; report title above the header.",
    },
    Fixture {
        dir: "avimark-clients-animals",
        files: &["CLIENT.csv", "ANIMAL.csv"],
        profile: "avimark-clients-animals",
        name: "AVImark clients + animals",
        description: "Two files linked by \"Client #\".",
    },
    Fixture {
        dir: "ezyvet-contacts",
        files: &["contacts-export.csv"],
        profile: "ezyvet-contacts",
        name: "ezyVet contacts",
        description: "Clients only.",
    },
    Fixture {
        dir: "impromed-owner-pet",
        files: &["OWNERPET.TXT"],
        profile: "impromed-owner-pet",
        name: "ImproMed owner/pet list",
        description: "Tab-delimited Windows-1252; owner name and address each in one cell; no IDs.",
    },
    Fixture {
        dir: "vetspire-patients",
        files: &["patients.csv"],
        profile: "vetspire-patients",
        name: "Vetspire patients with owners",
        description: "One row per pet; ISO dates, kilograms, true/false flags.",
    },
    Fixture {
        dir: "pulse-conversion",
        files: &["iClient.csv", "iPatient.csv"],
        profile: "pulse-conversion",
        name: "Covetrus Pulse conversion (iClient/iPatient)",
        description: "Conversion-spec files linked by [Key]; weight unit in its own column.",
    },
    Fixture {
        dir: "provet-workbook",
        files: &["provet-export.xlsx"],
        profile: "provet-workbook",
        name: "Provet Cloud workbook",
        description:
            "One workbook, clients and patients on separate sheets; day-first dates, kilograms.",
    },
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(f: &Fixture) -> Vec<SourceTable> {
    let paths: Vec<PathBuf> = f
        .files
        .iter()
        .map(|n| root().join("fixtures/vendors").join(f.dir).join(n))
        .collect();
    source::load_all(&paths).unwrap_or_else(|e| panic!("{}: {e}", f.dir))
}

fn options() -> SuggestOptions {
    SuggestOptions {
        country: "US".into(),
        infer_country: false,
        pivot_year: 2026,
        ..SuggestOptions::default()
    }
}

fn bless() -> bool {
    std::env::var_os("BLESS").is_some()
}

fn profile_path(f: &Fixture) -> PathBuf {
    root()
        .join("crates/core/src/mapping/profiles")
        .join(format!("{}.json", f.profile))
}

/// The mapping without the suggestion's commentary: what must be exactly right.
fn essence(m: &Mapping) -> Vec<String> {
    let mut out = Vec::new();
    for t in &m.tables {
        out.push(format!("table {} {:?}", t.table, t.role));
        for fm in &t.fields {
            out.push(format!(
                "  {} <- {:?} {}",
                fm.field.key(),
                fm.columns,
                serde_json::to_string(&fm.transform).unwrap_or_default()
            ));
        }
    }
    out
}

fn convert_to_dir(mapping: &Mapping, tables: &[SourceTable], dir: &Path) {
    let mut files = OutputFiles::create(dir, OutputFormat::Csv).expect("output dir");
    let mut converter = Converter::new(mapping, RequiredPolicy::default());
    for i in run_order(mapping) {
        let p = plan(&mapping.tables[i], &tables[i].name, &tables[i].headers).expect("plan");
        for row in &tables[i].rows {
            converter.row(&p, row, &mut files).expect("write");
        }
    }
    files.finish().expect("flush");
}

#[test]
fn automatic_mapping_is_exactly_the_reviewed_one() {
    let mut failures = Vec::new();
    for f in FIXTURES {
        let tables = load(f);
        let suggestion = suggest(&tables, &options(), &RequiredPolicy::default());
        let path = profile_path(f);
        if bless() {
            let profile = Profile::new(f.name, f.description, suggestion.mapping.clone());
            std::fs::write(&path, profile.to_json() + "\n").expect("write profile");
        }
        let expected = Profile::from_json(&std::fs::read_to_string(&path).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (got, want) = (essence(&suggestion.mapping), essence(&expected.mapping));
        if got != want {
            failures.push(format!(
                "{}:\n  got:\n{}\n  want:\n{}",
                f.dir,
                got.join("\n"),
                want.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn conversion_matches_the_expected_output() {
    let mut failures = Vec::new();
    for f in FIXTURES {
        let tables = load(f);
        let mapping = suggest(&tables, &options(), &RequiredPolicy::default()).mapping;
        let tmp = tempfile::tempdir().expect("tempdir");
        convert_to_dir(&mapping, &tables, tmp.path());
        let expected_dir = root().join("fixtures/vendors").join(f.dir).join("expected");
        for name in ["clients.csv", "patients.csv", "findings.csv"] {
            let got = std::fs::read_to_string(tmp.path().join(name)).unwrap_or_default();
            if bless() {
                std::fs::create_dir_all(&expected_dir).expect("expected dir");
                std::fs::write(expected_dir.join(name), &got).expect("write expected");
            }
            let want = std::fs::read_to_string(expected_dir.join(name)).unwrap_or_default();
            if got != want {
                failures.push(format!(
                    "{}/{name}:\n--- got\n{got}\n--- want\n{want}",
                    f.dir
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn builtin_profiles_recognize_their_layouts() {
    let profiles = builtin_profiles();
    assert_eq!(
        profiles.len(),
        FIXTURES.len(),
        "every built-in profile parses"
    );
    for f in FIXTURES {
        let tables = load(f);
        let headers: Vec<Vec<String>> = tables.iter().map(|t| t.headers.clone()).collect();
        let m = best_match(&profiles, &headers)
            .unwrap_or_else(|| panic!("{}: no profile matched", f.dir));
        assert_eq!(m.name, f.name, "{}", f.dir);
        assert!(m.missing_columns.is_empty());
        let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
        let profile = profiles.iter().find(|p| p.name == f.name).expect("profile");
        let mapping = profile.mapping_for(&names, &headers).expect("mapping_for");
        assert_eq!(mapping.tables.len(), tables.len());
    }
}

#[test]
fn a_profile_reports_schema_drift_instead_of_failing_silently() {
    let profiles = builtin_profiles();
    let f = &FIXTURES[0];
    let tables = load(f);
    let mut headers: Vec<Vec<String>> = tables.iter().map(|t| t.headers.clone()).collect();
    // The clinic's next export renamed one column.
    if let Some(h) = headers[0].iter_mut().find(|h| *h == "Birth Date") {
        *h = "DOB".into();
    }
    let profile = profiles.iter().find(|p| p.name == f.name).expect("profile");
    let fit = profile.fit(&headers).expect("fit");
    assert_eq!(fit.missing_columns, vec!["Birth Date".to_string()]);
    let err = profile
        .mapping_for(&["Patient List.csv".into()], &headers)
        .expect_err("drift is an error");
    assert!(err.to_string().contains("Birth Date"), "{err}");
}
