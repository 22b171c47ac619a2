//! A file whose name, headers and cells hold terminal escape sequences, C0 and C1 controls
//! and a bidi override: every human-readable output shows them as `\xNN` / `\u{NNNN}`, never
//! raw, and `--json` keeps the exact values.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// Sets the window title, then clears the screen.
const TITLE_AND_CLEAR: &str = "\x1b]0;pwned\x07\x1b[2J";

const FILE_NAME: &str = "clinic\x1b]0;pwned\x07\x1b[2J\r\u{85}\u{9b}\u{202e}vsc.csv";

const HEADER: [&str; 7] = [
    "First\x1b[31mName",
    "Last Name\u{9b}",
    "Email\x07",
    "Pet Name\u{202e}",
    "Species",
    "Street Address",
    "City",
];

fn hostile_rows() -> Vec<[String; 7]> {
    let row = |cells: [&str; 7]| cells.map(str::to_owned);
    let mut rows = vec![
        row([
            &format!("Ann{TITLE_AND_CLEAR}"),
            "Lee\rX",
            "ann@example.com",
            "Rex\u{90}\u{9c}",
            "dog",
            "12 Long Meadow Road",
            "Springfield",
        ]),
        row([
            "Bob\x08\x0b\x0c",
            "Ray\u{202e}",
            "bob@example.com",
            "Kit\x7f",
            "cat",
            "14 Long Meadow Road",
            "Springfield",
        ]),
    ];
    for i in 0..20 {
        rows.push(row([
            "Carol",
            "Jones",
            &format!("carol{}@example.com", i % 10),
            "Fido",
            "dog",
            &format!("{} Elm Street North", i % 10),
            "Springfield",
        ]));
    }
    rows
}

/// Writes the hostile export into `dir` (cells with a CR quoted, as any CSV writer does).
fn hostile_file(dir: &Path) -> PathBuf {
    let path = dir.join(FILE_NAME);
    let mut w = csv::Writer::from_path(&path).expect("csv");
    w.write_record(HEADER).expect("header");
    for r in hostile_rows() {
        w.write_record(&r).expect("row");
    }
    w.flush().expect("flush");
    path
}

fn ph_import() -> Command {
    let mut cmd = Command::cargo_bin("ph-import").expect("binary");
    cmd.env(
        "PH_IMPORT_PROFILES",
        std::env::temp_dir().join("ph-import-test-no-profiles"),
    );
    cmd
}

/// What a terminal would act on instead of showing: controls (C0, DEL, C1) other than the
/// line breaks the output is made of, bidi controls, line separators.
fn raw_controls(bytes: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(
                    c,
                    '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
                )
                || matches!(c, '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
        })
        .collect()
}

/// Runs `args`; neither stream may hold a raw control. Returns the output.
fn run_clean(args: &[&std::ffi::OsStr]) -> Output {
    let out = ph_import().args(args).output().expect("runs");
    assert_eq!(raw_controls(&out.stdout), [], "stdout of {args:?}");
    assert_eq!(raw_controls(&out.stderr), [], "stderr of {args:?}");
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

#[test]
fn inspect_map_convert_validate_and_dedupe_show_controls_visibly() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = hostile_file(tmp.path());
    let file = file.as_os_str();
    let os = |s: &'static str| std::ffi::OsStr::new(s);

    let inspect = run_clean(&[os("inspect"), file, os("--rows"), os("all")]);
    assert!(inspect.status.success(), "{}", text(&inspect.stderr));
    let shown = text(&inspect.stdout);
    for expected in [
        "File:        clinic\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x85\\x9b\\u{202e}vsc.csv\n",
        "First\\x1b[31mName",
        "Last Name\\x9b",
        "Email\\x07",
        "Pet Name\\u{202e}",
        "Ann\\x1b]0;pwned\\x07\\x1b[2J | Lee\\x0dX | ann@example.com | Rex\\x90\\x9c | dog",
        "Bob\\x08\\x0b\\x0c | Ray\\u{202e} | bob@example.com | Kit\\x7f | cat",
    ] {
        assert!(shown.contains(expected), "{expected} in:\n{shown}");
    }

    let map = run_clean(&[os("map"), file]);
    assert!(map.status.success(), "{}", text(&map.stderr));
    let shown = text(&map.stdout);
    assert!(
        shown.contains("clinic\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x85\\x9b\\u{202e}vsc.csv — "),
        "{shown}"
    );
    assert!(shown.contains("\"Email\\x07\""), "{shown}");

    let out_dir = tmp.path().join("out\x1b[2J");
    let convert = run_clean(&[os("convert"), file, os("--out"), out_dir.as_os_str()]);
    assert!(convert.status.success(), "{}", text(&convert.stderr));
    assert!(
        text(&convert.stdout).contains("out\\x1b[2J/clients.csv"),
        "{}",
        text(&convert.stdout)
    );

    let validate = run_clean(&[
        os("validate"),
        file,
        os("--out"),
        tmp.path().join("checked").as_os_str(),
    ]);
    assert!(validate.status.success(), "{}", text(&validate.stderr));

    let dedupe = run_clean(&[os("dedupe"), file]);
    assert!(dedupe.status.success(), "{}", text(&dedupe.stderr));
    assert!(
        text(&dedupe.stdout)
            .contains("(clinic\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x85\\x9b\\u{202e}vsc.csv row "),
        "{}",
        text(&dedupe.stdout)
    );
}

#[test]
fn error_messages_quoting_names_show_controls_visibly() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = hostile_file(tmp.path());
    let missing = tmp.path().join(format!("gone{TITLE_AND_CLEAR}.csv"));
    let os = std::ffi::OsStr::new;

    // A core ReadError naming the file.
    let e = run_clean(&[os("inspect"), missing.as_os_str()]);
    assert_eq!(e.status.code(), Some(2));
    let shown = text(&e.stderr);
    assert!(
        shown.starts_with("error: ") && shown.contains("gone\\x1b]0;pwned\\x07\\x1b[2J.csv"),
        "{shown}"
    );

    // A CLI error listing the tables, whose names come from the file name; and the argument.
    let e = run_clean(&[
        os("map"),
        file.as_os_str(),
        os("--role"),
        os("\u{9b}2J=clients"),
    ]);
    assert_eq!(e.status.code(), Some(2));
    let shown = text(&e.stderr);
    assert!(
        shown.contains("\"\\x9b2J\" that is not among the files")
            && shown.contains("clinic\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x85\\x9b\\u{202e}vsc.csv"),
        "{shown}"
    );
}

#[test]
fn json_output_keeps_the_exact_values() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = hostile_file(tmp.path());
    let os = std::ffi::OsStr::new;

    let inspect = run_clean(&[
        os("inspect"),
        file.as_os_str(),
        os("--json"),
        os("--rows"),
        os("all"),
    ]);
    assert!(inspect.status.success(), "{}", text(&inspect.stderr));
    let v: serde_json::Value = serde_json::from_slice(&inspect.stdout).expect("json");
    assert_eq!(v["file"], FILE_NAME);
    let names: Vec<&str> = v["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, HEADER);
    let rows: Vec<Vec<String>> = serde_json::from_value(v["rows"].clone()).expect("rows");
    let expected: Vec<Vec<String>> = hostile_rows().into_iter().map(Vec::from).collect();
    assert_eq!(rows, expected);

    let map = run_clean(&[os("map"), file.as_os_str(), os("--json")]);
    assert!(map.status.success(), "{}", text(&map.stderr));
    let v: serde_json::Value = serde_json::from_slice(&map.stdout).expect("json");
    assert_eq!(v["mapping"]["tables"][0]["table"], FILE_NAME);
    assert_eq!(
        v["mapping"]["tables"][0]["headers"],
        serde_json::json!(HEADER)
    );
}
