//! Blind accuracy check of validation (issue 6): two export files this project had never seen
//! (`fixtures/validate-truth/`), written with a list of planted defects (`TRUTH.csv`) before the
//! tool was run on them. Each file is mapped automatically and validated the way
//! `ph-import validate` does it, and its findings are compared with the truth by
//! (file, row, field, code).
//!
//! What counts:
//! - **recall** = truth lines found / truth lines;
//! - **precision** = counted findings that are in the truth / counted findings, where a finding
//!   is *counted* when its severity is `error` or `warning`, or when its code is one the truth
//!   plants (so a `fixed` finding such as `name_normalized` or `restored_leading_zero` counts:
//!   re-casing a good `van der Berg` is a false alarm too). Other `fixed` findings (silent
//!   normalizations the truth does not plant) are listed but do not count either way.
//!
//! The table of misses and false alarms is printed (`-- --nocapture`) so that a failure says
//! which defect was missed or which good value was flagged.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ph_import_core::canonical::RequiredPolicy;
use ph_import_core::job as write;
use ph_import_core::mapping::resolve::{self, Origin};
use ph_import_core::mapping::SuggestOptions;
use ph_import_core::table_file::OutputFormat;

/// The fixture files and the clinic country each is validated with.
const FILES: [(&str, &str); 2] = [("animana-style.csv", "US"), ("vetport-style.csv", "CA")];

/// What the issue demands of files never seen: most defects found, little good data flagged.
const MIN_RECALL: f64 = 0.9;
const MIN_PRECISION: f64 = 0.9;

/// One finding's identity: file, row, field, code.
type Key = (String, u64, String, String);

/// A finding as read back from `findings.csv`.
#[derive(Debug, Clone)]
struct Finding {
    key: Key,
    severity: String,
    value: String,
    suggestion: String,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/validate-truth")
}

fn read_truth() -> BTreeSet<Key> {
    let mut reader = csv::Reader::from_path(dir().join("TRUTH.csv")).expect("TRUTH.csv readable");
    let mut truth = BTreeSet::new();
    for record in reader.records() {
        let r = record.expect("TRUTH.csv well formed");
        let row: u64 = r[1].parse().expect("TRUTH.csv row is a number");
        let key = (r[0].to_string(), row, r[2].to_string(), r[3].to_string());
        assert!(truth.insert(key.clone()), "TRUTH.csv repeats {key:?}");
    }
    truth
}

/// Maps and validates one file exactly as `ph-import validate --country <country>` does,
/// and reads back the findings it writes.
fn validate(name: &str, country: &str) -> Vec<Finding> {
    let path = dir().join(name);
    let (sources, tables) = resolve::load_tables(&[path]).expect("fixture readable");
    // An empty profile directory: only the automatic suggestion (or a built-in profile) applies.
    let profiles = tempfile::tempdir().expect("temp dir");
    let policy = RequiredPolicy::ph_default();
    let options = SuggestOptions {
        country: country.to_string(),
        infer_country: false,
        ..SuggestOptions::default()
    };
    let mut resolved =
        resolve::resolve(None, &tables, &options, &policy, profiles.path()).expect("mapping");
    if matches!(resolved.origin, Origin::Suggestion) {
        write::refine_dates(&mut resolved.mapping, &sources).expect("dates refined");
    }
    print_mapping(name, &resolved.mapping);

    let out = tempfile::tempdir().expect("temp dir");
    let never = AtomicBool::new(false);
    write::write_findings(
        &sources,
        &resolved.mapping,
        policy,
        out.path(),
        OutputFormat::Csv,
        &never,
    )
    .expect("validation runs");

    let mut reader =
        csv::Reader::from_path(out.path().join("findings.csv")).expect("findings.csv written");
    let headers = reader.headers().expect("findings header").clone();
    let col = |n: &str| {
        headers
            .iter()
            .position(|h| h == n)
            .unwrap_or_else(|| panic!("findings.csv has no {n} column"))
    };
    let (file, row, field, code) = (col("file"), col("row"), col("field"), col("code"));
    let (severity, value, suggestion) = (col("severity"), col("value"), col("suggestion"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("findings.csv well formed");
            // The file column names the file (a path or `file [sheet]` would still end in it).
            let f = Path::new(&r[file])
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Finding {
                key: (
                    f,
                    r[row].parse().unwrap_or(0),
                    r[field].to_string(),
                    r[code].to_string(),
                ),
                severity: r[severity].to_string(),
                value: r[value].to_string(),
                suggestion: r[suggestion].to_string(),
            }
        })
        .collect()
}

/// Which column feeds which field, so a miss caused by the mapping shows as such.
fn print_mapping(name: &str, mapping: &impl serde::Serialize) {
    let json = serde_json::to_value(mapping).expect("mapping serializes");
    println!("\n== mapping of {name}");
    for table in json["tables"].as_array().into_iter().flatten() {
        for f in table["fields"].as_array().into_iter().flatten() {
            println!(
                "  {:<28} <- {} {}",
                f["field"].as_str().unwrap_or("?"),
                f["columns"],
                f["transform"]
            );
        }
        for i in table["ignored"].as_array().into_iter().flatten() {
            println!("  (ignored) {} : {}", i["column"], i["reason"]);
        }
    }
}

/// Counts of one comparison.
#[derive(Default)]
struct Score {
    truth: usize,
    found: usize,
    counted: usize,
    counted_in_truth: usize,
}

impl Score {
    fn recall(&self) -> f64 {
        ratio(self.found, self.truth)
    }
    fn precision(&self) -> f64 {
        ratio(self.counted_in_truth, self.counted)
    }
    fn add(&mut self, other: &Score) {
        self.truth += other.truth;
        self.found += other.found;
        self.counted += other.counted;
        self.counted_in_truth += other.counted_in_truth;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn show(k: &Key) -> String {
    format!("{} row {:>2} {:<24} {}", k.0, k.1, k.2, k.3)
}

#[test]
fn findings_on_unseen_files_match_the_planted_defects() {
    let truth = read_truth();
    let planted: BTreeSet<&str> = truth.iter().map(|k| k.3.as_str()).collect();
    let mut scores: BTreeMap<&str, Score> = BTreeMap::new();

    for (name, country) in FILES {
        let findings = validate(name, country);
        let file_truth: BTreeSet<&Key> = truth.iter().filter(|k| k.0 == name).collect();
        assert!(!file_truth.is_empty(), "TRUTH.csv has no line for {name}");
        let counted: BTreeMap<&Key, &Finding> = findings
            .iter()
            .filter(|f| {
                f.severity == "error"
                    || f.severity == "warning"
                    || planted.contains(f.key.3.as_str())
            })
            .map(|f| (&f.key, f))
            .collect();
        let all: BTreeSet<&Key> = findings.iter().map(|f| &f.key).collect();

        let misses: Vec<&&Key> = file_truth.iter().filter(|k| !all.contains(**k)).collect();
        let alarms: Vec<&Finding> = counted
            .values()
            .filter(|f| !file_truth.contains(&f.key))
            .copied()
            .collect();
        let score = Score {
            truth: file_truth.len(),
            found: file_truth.len() - misses.len(),
            counted: counted.len(),
            counted_in_truth: counted.len() - alarms.len(),
        };

        println!(
            "\n== {name} (country {country}): {} findings",
            findings.len()
        );
        println!("-- misses (planted, not found):");
        for k in &misses {
            // A finding with the same code on the row (other field) or the same field and
            // code on another row tells a wrong field or row from a defect not seen at all.
            let near: Vec<String> = findings
                .iter()
                .filter(|f| {
                    f.key.0 == k.0
                        && f.key.3 == k.3
                        && (f.key.1 == k.1 || f.key.2 == k.2)
                        && !file_truth.contains(&f.key)
                })
                .map(|f| format!("row {} field {:?}", f.key.1, f.key.2))
                .collect();
            let on_row: Vec<String> = findings
                .iter()
                .filter(|f| f.key.1 == k.1)
                .map(|f| format!("{}/{}", f.key.2, f.key.3))
                .collect();
            println!(
                "   {}  near: [{}]  on this row: [{}]",
                show(k),
                near.join("; "),
                on_row.join(", ")
            );
        }
        println!("-- false alarms (counted, not planted):");
        for f in &alarms {
            println!(
                "   {} [{}] value {:?} suggestion {:?}",
                show(&f.key),
                f.severity,
                f.value,
                f.suggestion
            );
        }
        println!("-- not counted (fixed, code not planted):");
        for f in findings.iter().filter(|f| !counted.contains_key(&f.key)) {
            println!(
                "   {} value {:?} -> {:?}",
                show(&f.key),
                f.value,
                f.suggestion
            );
        }
        scores.insert(name, score);
    }

    let mut overall = Score::default();
    println!(
        "\n{:<20} {:>6} {:>6} {:>8} {:>8} {:>7} {:>9}",
        "file", "truth", "found", "counted", "correct", "recall", "precision"
    );
    for (name, s) in &scores {
        println!(
            "{:<20} {:>6} {:>6} {:>8} {:>8} {:>7.3} {:>9.3}",
            name,
            s.truth,
            s.found,
            s.counted,
            s.counted_in_truth,
            s.recall(),
            s.precision()
        );
        overall.add(s);
    }
    println!(
        "{:<20} {:>6} {:>6} {:>8} {:>8} {:>7.3} {:>9.3}",
        "overall",
        overall.truth,
        overall.found,
        overall.counted,
        overall.counted_in_truth,
        overall.recall(),
        overall.precision()
    );

    for (name, s) in scores
        .iter()
        .map(|(n, s)| (*n, s))
        .chain([("overall", &overall)])
    {
        assert!(
            s.recall() >= MIN_RECALL,
            "{name}: recall {:.3} < {MIN_RECALL} (see the misses above)",
            s.recall()
        );
        assert!(
            s.precision() >= MIN_PRECISION,
            "{name}: precision {:.3} < {MIN_PRECISION} (see the false alarms above)",
            s.precision()
        );
    }
}
