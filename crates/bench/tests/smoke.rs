//! The harness end to end at a tiny size: the export generated, every stage run in its own
//! process and printed with its figures, the targets judged. Kept small to run in debug.

use std::path::Path;
use std::process::Command;

/// Every stage of the table, in order.
const STAGES: [&str; 7] = [
    "floor", "read", "map", "validate", "convert", "plan", "import",
];

fn bench(fixtures: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ph-bench"))
        .args(["--sizes", "1000", "--fixtures"])
        .arg(fixtures)
        .args(args)
        .output()
        .expect("ph-bench starts");
    assert!(
        out.status.success(),
        "ph-bench failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the output is UTF-8")
}

#[test]
fn every_stage_is_measured_and_printed() {
    let fixtures = tempfile::tempdir().expect("a temporary folder");
    let table = bench(fixtures.path(), &[]);

    assert!(
        fixtures.path().join("clinic-1000.csv.truth.json").is_file(),
        "the missing export is generated with its truth file"
    );
    assert!(table.contains("clinic-1000.csv: 1,000 clients"), "{table}");
    for stage in STAGES {
        let line = table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(stage))
            .unwrap_or_else(|| panic!("no line for {stage} in:\n{table}"));
        let cells: Vec<&str> = line.split_whitespace().collect();
        let seconds: f64 = cells[1].parse().expect("a wall time");
        assert!(seconds >= 0.0, "{line}");
        assert!(line.contains(" MB "), "a peak RSS on Linux: {line}");
    }
    let floor = table.lines().find(|l| l.starts_with("floor")).unwrap_or("");
    assert!(floor.contains(" 1.0 "), "the floor is 1x itself: {floor}");
    let import = table
        .lines()
        .find(|l| l.starts_with("import"))
        .unwrap_or("");
    assert!(import.contains("1000 clients and"), "{import}");
    assert!(import.contains("clients/s"), "{import}");
    for target in ["vs floor", "peak RSS of convert", "XLSX read", "clients/s"] {
        assert!(table.contains(target), "target {target} missing:\n{table}");
    }
    assert!(table.contains("XLSX read"), "{table}");

    // The same export is reused, and --json carries the same figures.
    let json = bench(fixtures.path(), &["--json", "--stages", "floor,read"]);
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let stages = &report["runs"][0]["stages"];
    assert_eq!(stages[0]["stage"], "floor");
    assert_eq!(stages[1]["stage"], "read");
    assert_eq!(report["runs"][0]["export"]["rows"], 1720);
    assert!(stages[1]["ratio_to_floor"]
        .as_f64()
        .is_some_and(|r| r > 0.0));
    assert_eq!(report["targets"].as_array().map(Vec::len), Some(6));
}
