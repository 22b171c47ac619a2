//! The verbs that read export files take the app's read overrides (a sheet's header row, the
//! encoding, the delimiter) and give what the app gives with the same choices; a wrong value
//! stops the run with a sentence naming the file and what to give instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::AtomicBool;

use assert_cmd::cargo::CommandCargoExt;
use assert_cmd::Command;
use ph_import_core::canonical::RequiredPolicy;
use ph_import_core::job::{Job, JobSpec};
use ph_import_core::read::ReadOptions;
use ph_import_core::review::Edits;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/read")
        .join(name)
}

/// A workbook whose sheet Owners has its column names on row 3, below two rows the reader
/// takes for the header; its sheet Pets has them on row 1.
fn report() -> PathBuf {
    fixture("report-header-row-3.xlsx")
}

fn ph_import(profiles: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::cargo_bin("ph-import").expect("binary");
    cmd.env("PH_IMPORT_PROFILES", profiles);
    cmd
}

/// `ph-import convert FILE ARGS --out DIR`, which must succeed.
fn convert(profiles: &Path, file: &Path, args: &[&str], out: &Path) {
    let status = ph_import(profiles)
        .arg("convert")
        .arg(file)
        .args(args)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .status()
        .expect("runs");
    assert!(status.success(), "convert {args:?}");
}

/// What the app's Save writes for `file` read with `options` (as `read_inputs` builds them
/// from the Files step, and `save_canonical` writes).
fn app_save(profiles: &Path, file: &Path, options: ReadOptions, out: &Path) -> Job {
    let spec = JobSpec {
        inputs: vec![(file.to_path_buf(), options)],
        profile_dir: profiles.to_path_buf(),
        ..JobSpec::default()
    };
    let job = Job::open(&spec, &mut |_| {}, &AtomicBool::new(false)).expect("job opens");
    Job::with_mapping(&spec.inputs, job.mapping().clone())
        .expect("job")
        .save_reviewed(
            out,
            RequiredPolicy::ph_default().into(),
            &Edits::default(),
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .expect("saved");
    job
}

fn assert_same_files(cli: &Path, app: &Path) {
    for name in ["clients.csv", "patients.csv", "findings.csv"] {
        let a = std::fs::read(cli.join(name)).expect(name);
        let b = std::fs::read(app.join(name)).expect(name);
        assert!(a == b, "{name} differs between the CLI and the app");
    }
}

/// The mapping `ph-import map --json` shows.
fn map_json(profiles: &Path, file: &Path, args: &[&str]) -> serde_json::Value {
    let out = ph_import(profiles)
        .arg("map")
        .arg(file)
        .args(args)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(out.status.success(), "map {args:?}: {out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    json["mapping"].clone()
}

#[test]
fn a_workbook_with_its_header_on_row_3_maps_and_converts_as_in_the_app() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let profiles = tmp.path().join("no-profiles");

    // Detected alone, row 1 is taken for Owners' header: no e-mail column is found.
    let detected = map_json(&profiles, &report(), &[]);
    assert!(
        !detected.to_string().contains("\"Email\""),
        "the fixture's header must need the override"
    );

    let per_file = [
        "--read",
        "report-header-row-3.xlsx:sheet=Owners,header-row=3",
    ];
    let flags = ["--sheet", "owners", "--header-row", "3"];
    let cli = tmp.path().join("cli");
    convert(&profiles, &report(), &per_file, &cli);

    let app = tmp.path().join("app");
    let options = ReadOptions {
        header_rows: BTreeMap::from([("Owners".to_owned(), 3)]),
        ..ReadOptions::default()
    };
    let job = app_save(&profiles, &report(), options, &app);
    assert_same_files(&cli, &app);
    let app_mapping = serde_json::to_value(job.mapping()).expect("mapping JSON");
    assert_eq!(map_json(&profiles, &report(), &per_file), app_mapping);
    // The flags for every file say the same, the sheet named in other letters.
    assert_eq!(map_json(&profiles, &report(), &flags), app_mapping);

    let clients = std::fs::read_to_string(cli.join("clients.csv")).expect("clients");
    assert!(clients.contains("chloe@example.com"), "{clients}");
    assert_eq!(clients.lines().count(), 4, "three clients: {clients}");
    let patients = std::fs::read_to_string(cli.join("patients.csv")).expect("patients");
    assert!(patients.contains("Bubbles"), "Pets keeps its row 1 header");
}

#[test]
fn a_windows_1252_semicolon_file_read_with_overrides_converts_as_in_the_app() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let profiles = tmp.path().join("no-profiles");
    let file = fixture("windows1252-semicolon.csv");

    let flags = tmp.path().join("flags");
    convert(
        &profiles,
        &file,
        &["--encoding", "windows-1252", "--delimiter", ";"],
        &flags,
    );
    let per_file = tmp.path().join("per-file");
    convert(
        &profiles,
        &file,
        &[
            "--read",
            "windows1252-semicolon.csv:encoding=cp1252,delimiter=semicolon,header-row=1",
        ],
        &per_file,
    );
    let app = tmp.path().join("app");
    let options = ReadOptions {
        encoding: Some("windows-1252".into()),
        delimiter: Some(';'),
        ..ReadOptions::default()
    };
    app_save(&profiles, &file, options, &app);
    assert_same_files(&flags, &app);
    assert_same_files(&per_file, &app);

    let clients = std::fs::read_to_string(app.join("clients.csv")).expect("clients");
    for name in ["Müller", "José", "Brontë", "Søren"] {
        assert!(clients.contains(name), "{name} in {clients}");
    }

    // A wrong override is used, not second-guessed: read as comma-separated, the file is one
    // column of whole lines, without the e-mail the other columns hold.
    let out = ph_import(&profiles)
        .arg("map")
        .arg(&file)
        .args(["--delimiter", "comma", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let missing = json["tables"][0]["missing_required"].to_string();
    assert!(missing.contains("client.email"), "{json}");
}

/// `ph-import VERB FILES ARGS`: refused with exit 2 and exactly `stderr`, nothing on stdout.
fn refused(verb: &str, files: &[PathBuf], args: &[&str], stderr: &str) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut cmd = Command::cargo_bin("ph-import").expect("binary");
    cmd.env("PH_IMPORT_PROFILES", tmp.path().join("no-profiles"))
        .arg(verb)
        .args(files)
        .args(args);
    if verb == "convert" {
        cmd.arg("--out").arg(tmp.path().join("out"));
    }
    cmd.assert().code(2).stdout("").stderr(stderr.to_owned());
    assert!(!tmp.path().join("out").exists(), "{verb} {args:?} wrote");
}

#[test]
fn each_bad_override_says_what_is_wrong_and_what_to_give() {
    let csv = fixture("windows1252-semicolon.csv");
    let book = report();
    let both = [book.clone(), csv.clone()];
    for verb in ["map", "convert", "validate", "dedupe"] {
        refused(
            verb,
            &both,
            &["--read", "report-header-row-3.xlsx:sheet=Ownrs,header-row=3"],
            "error: report-header-row-3.xlsx: there is no sheet named \"Ownrs\". The sheets are: Owners, Pets.\n",
        );
    }
    refused(
        "convert",
        &both,
        &["--read", "windows1252-semicolon.csv:encoding=klingon"],
        "error: windows1252-semicolon.csv: \"klingon\" is not a text encoding this tool knows. Try UTF-8, UTF-16LE, windows-1252 or ISO-8859-1.\n",
    );
    refused(
        "validate",
        &both,
        &["--header-row", "3"],
        "error: report-header-row-3.xlsx: the workbook has several sheets with data (Owners, Pets), so header row 3 must be chosen for one of them by name.\n",
    );
    refused(
        "map",
        &both,
        &["--sheet", "Owners", "--header-row", "3"],
        "error: windows1252-semicolon.csv: this is a text file, which has no sheets, so a header row cannot be chosen for sheet \"Owners\". Choose the header row of the file itself.\n",
    );
    refused(
        "map",
        std::slice::from_ref(&csv),
        &["--header-row", "2000"],
        "error: windows1252-semicolon.csv: row 2000 was chosen as the header row, but the file has only 4 rows at the top that could be a header. Choose a smaller row number, or no header row for a file without one.\n",
    );
    refused(
        "map",
        std::slice::from_ref(&book),
        &["--sheet", "Owners"],
        "error: --sheet: the sheet \"Owners\" is named without a header row. Every sheet with data is read (as in the app); a sheet is named only to set its header row, so add one (--header-row N, or header-row=N in --read)\n",
    );
    refused(
        "map",
        std::slice::from_ref(&csv),
        &["--read", "clients.csv:header-row=2"],
        &format!(
            "error: --read clients.csv:header-row=2: \"clients.csv\" is not one of this run's files ({}); write it as given, or its file name when no other file has that name\n",
            csv.display()
        ),
    );
    let usage = "\n\nFor more information, try '--help'.\n";
    refused(
        "map",
        std::slice::from_ref(&csv),
        &["--header-row", "0"],
        &format!("error: invalid value '0' for '--header-row <N|none>': rows count from 1, as a spreadsheet program shows them; write `none` for a file without a header row{usage}"),
    );
    refused(
        "convert",
        std::slice::from_ref(&csv),
        &["--delimiter", ";;"],
        &format!("error: invalid value ';;' for '--delimiter <C>': \";;\" is not one character; give one, such as ';' or '|', or one of tab, comma, semicolon, pipe, space{usage}"),
    );
    refused(
        "map",
        std::slice::from_ref(&csv),
        &["--read", "windows1252-semicolon.csv:delimiter=;;"],
        "error: --read windows1252-semicolon.csv:delimiter=;;: delimiter=;;: \";;\" is not one character; give one, such as ';' or '|', or one of tab, comma, semicolon, pipe, space\n",
    );
}
