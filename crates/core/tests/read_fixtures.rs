//! The reader against every fixture in `fixtures/read`, with the exact outcome of each.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ph_import_core::read::{self, FileFormat, Inspection, ReadError, ReadOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/read")
        .join(name)
}

fn inspect_with(name: &str, options: &ReadOptions) -> Result<Inspection, ReadError> {
    read::inspect(&fixture(name), options, &|_| {}, &AtomicBool::new(false))
}

fn inspect(name: &str) -> Inspection {
    inspect_with(name, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn rows(name: &str, options: &ReadOptions) -> Vec<Vec<String>> {
    read::open_rows(&fixture(name), options)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .map(|r| r.unwrap_or_else(|e| panic!("{name}: {e}")).cells)
        .collect()
}

fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

fn names(i: &Inspection) -> Vec<&str> {
    i.columns.iter().map(|c| c.name.as_str()).collect()
}

const PEOPLE: &[&[&str]] = &[
    &["1001", "Müller", "José", "Zürich", "jose@example.com"],
    &["1002", "Brontë", "Zoë", "Haworth", "zoe@example.org"],
    &["1003", "Nuñez", "Søren", "São Paulo", "soren@example.net"],
];

#[test]
fn every_encoding_and_delimiter_gives_the_same_rows() {
    for (file, encoding, delimiter) in [
        ("utf8-bom-comma.csv", "UTF-8", ","),
        ("utf8-no-bom-comma.csv", "UTF-8", ","),
        ("utf16le-bom-tab.txt", "UTF-16LE", "\t"),
        ("utf16be-bom-tab.txt", "UTF-16BE", "\t"),
        ("windows1252-semicolon.csv", "windows-1252", ";"),
        ("latin1-pipe.txt", "windows-1252", "|"),
    ] {
        let i = inspect(file);
        assert_eq!(i.format, FileFormat::Csv, "{file}");
        assert_eq!(i.encoding.as_deref(), Some(encoding), "{file}");
        assert_eq!(i.delimiter.as_deref(), Some(delimiter), "{file}");
        assert_eq!(i.header_row, Some(1), "{file}");
        assert_eq!(
            names(&i),
            ["Client ID", "Last Name", "First Name", "City", "Email"],
            "{file}"
        );
        assert_eq!(i.row_count, Some(3), "{file}");
        assert!(i.notes.is_empty(), "{file}: {:?}", i.notes);
        assert_eq!(
            rows(file, &ReadOptions::default()),
            strings(PEOPLE),
            "{file}"
        );
        assert!(i.encoding_reason.is_some_and(|r| !r.is_empty()), "{file}");
    }
}

#[test]
fn rfc4180_quoting_keeps_delimiters_quotes_and_newlines() {
    assert_eq!(
        rows("quoted-fields.csv", &ReadOptions::default()),
        strings(&[
            &[
                "1",
                "Smith, John",
                "12 Elm St\r\nApt 4",
                "Says \"hi\" to staff"
            ],
            &["2", "Doe, Jane", "", "multi\nline\nnote"],
            &["3", "Plain", "No quotes", "trailing comma, inside"],
        ])
    );
    // Row numbers are the lines where each record starts, as a text editor shows them.
    let i = inspect("quoted-fields.csv");
    let numbers: Vec<u64> = i.preview.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [2, 4, 7]);
}

#[test]
fn ragged_rows_are_reported_not_fatal() {
    let i = inspect("ragged-rows.csv");
    assert_eq!(names(&i), ["ID", "Name", "Phone"]);
    assert_eq!(i.row_count, Some(4));
    let notes: Vec<(&str, u64, &[u64])> = i
        .notes
        .iter()
        .map(|n| (n.code.as_str(), n.count, n.rows.as_slice()))
        .collect();
    assert_eq!(
        notes,
        [
            ("ragged_long_rows", 1, &[4][..]),
            ("ragged_short_rows", 1, &[3][..])
        ]
    );
    assert_eq!(
        rows("ragged-rows.csv", &ReadOptions::default()),
        strings(&[
            &["1", "Ann", "555-0100"],
            &["2", "Bob", ""],
            &["3", "Cy", "555-0102"],
            &["4", "Di", "555-0103"]
        ])
    );
}

#[test]
fn blank_lines_and_trailing_delimiters_are_tolerated() {
    let i = inspect("blank-lines-trailing-delimiters.csv");
    assert_eq!(names(&i), ["ID", "Name", "Phone"]);
    assert_eq!(i.row_count, Some(2));
    assert_eq!(i.notes.len(), 1);
    assert_eq!(
        (i.notes[0].code.as_str(), i.notes[0].count),
        ("blank_rows", 1)
    );
    assert_eq!(
        rows(
            "blank-lines-trailing-delimiters.csv",
            &ReadOptions::default()
        ),
        strings(&[&["1", "Ann", "555-0100"], &["2", "Bob", "555-0101"]])
    );
}

#[test]
fn mixed_line_endings_split_rows_where_they_should() {
    assert_eq!(
        rows("mixed-line-endings.csv", &ReadOptions::default()),
        strings(&[&["1", "Ann"], &["2", "Bob"], &["3", "Cy"]])
    );
    let numbers: Vec<u64> = inspect("mixed-line-endings.csv")
        .preview
        .iter()
        .map(|r| r.number)
        .collect();
    assert_eq!(numbers, [2, 3, 4]);
}

#[test]
fn nul_characters_are_removed_and_counted() {
    let i = inspect("nul-padded.csv");
    assert_eq!(
        rows("nul-padded.csv", &ReadOptions::default()),
        strings(&[&["1", "Ann"], &["2", "Bob"]])
    );
    assert_eq!(i.notes.len(), 1);
    assert_eq!(
        (i.notes[0].code.as_str(), i.notes[0].count),
        ("nul_characters", 1)
    );
}

#[test]
fn header_detection_skips_banners_and_handles_headerless_files() {
    let i = inspect("banner-above-header.csv");
    assert_eq!(i.header_row, Some(4));
    assert_eq!(
        names(&i),
        ["Owner ID", "Owner Last", "Owner First", "Email"]
    );
    assert_eq!(i.row_count, Some(2));
    assert!(i.header_reason.contains("skipped"), "{}", i.header_reason);

    let i = inspect("no-header.csv");
    assert_eq!(i.header_row, None);
    assert_eq!(names(&i), ["A", "B", "C", "D", "E"]);
    assert_eq!(i.row_count, Some(3));
    assert_eq!(i.preview[0].cells[0], "1001");

    let i = inspect("duplicate-and-empty-headers.csv");
    assert_eq!(
        names(&i),
        ["Phone", "Column B", "Phone (2)", "Name", "Name (2)"]
    );
}

#[test]
fn the_header_row_can_be_overridden() {
    let no_header = ReadOptions {
        header_row: Some(0),
        ..ReadOptions::default()
    };
    let i = inspect_with("banner-above-header.csv", &no_header).expect("readable");
    assert_eq!(i.header_row, None);
    // Everything from the first non-blank line is data now, the banner included.
    assert_eq!(i.row_count, Some(5));
    assert_eq!(i.preview[0].cells[0], "Happy Paws Veterinary Clinic");

    let second = ReadOptions {
        header_row: Some(2),
        ..ReadOptions::default()
    };
    let i = inspect_with("banner-above-header.csv", &second).expect("readable");
    assert_eq!(i.header_row, Some(2));
    assert_eq!(i.columns[0].name, "Client list exported 2026-11-20 14:02");

    let beyond = ReadOptions {
        header_row: Some(99),
        ..ReadOptions::default()
    };
    assert!(matches!(
        inspect_with("banner-above-header.csv", &beyond),
        Err(ReadError::HeaderRowOutOfRange { row: 99, .. })
    ));
}

#[test]
fn the_encoding_can_be_overridden() {
    let as_utf8 = ReadOptions {
        encoding: Some("utf-8".into()),
        ..ReadOptions::default()
    };
    let i = inspect_with("windows1252-semicolon.csv", &as_utf8).expect("readable");
    assert_eq!(i.encoding.as_deref(), Some("UTF-8"));
    assert!(i.preview[0].cells[1].contains('\u{FFFD}'));
    assert!(i.notes.iter().any(|n| n.code == "invalid_characters"));

    let as_1252 = ReadOptions {
        encoding: Some("latin1".into()),
        ..ReadOptions::default()
    };
    let i = inspect_with("utf8-no-bom-comma.csv", &as_1252).expect("readable");
    assert_eq!(i.preview[0].cells[1], "MÃ¼ller");

    let unknown = ReadOptions {
        encoding: Some("klingon".into()),
        ..ReadOptions::default()
    };
    assert!(matches!(
        inspect_with("utf8-no-bom-comma.csv", &unknown),
        Err(ReadError::UnknownEncoding { .. })
    ));
}

#[test]
fn workbooks_from_another_producer_read_as_a_person_sees_them() {
    for (file, format) in [
        ("clinic.xlsx", FileFormat::Xlsx),
        ("clinic.xlsm", FileFormat::Xlsm),
        ("clinic.ods", FileFormat::Ods),
        ("clinic.xls", FileFormat::Xls),
    ] {
        let i = inspect(file);
        assert_eq!(i.format, format, "{file}");
        let sheet_names: Vec<&str> = i.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(sheet_names, ["Notes", "Clients", "Patients"], "{file}");
        assert!(!i.sheets[0].has_data, "{file}");
        // The first sheet with data, below its title row.
        assert_eq!(i.sheet.as_deref(), Some("Clients"), "{file}");
        assert_eq!(i.header_row, Some(3), "{file}");
        assert_eq!(
            names(&i),
            [
                "Client No",
                "Last Name",
                "First Name",
                "Zip",
                "Client Since"
            ],
            "{file}"
        );
        assert_eq!(
            rows(file, &ReadOptions::default()),
            strings(&[
                &["00123", "Müller", "José", "02134", "2015-03-14"],
                &["00124", "Brontë", "Zoë", "62704", "2019-11-02"],
                &["125", "O'Brien", "Siobhán", "33101", "2021-01-05"],
            ]),
            "{file}"
        );
        assert_eq!(
            i.preview.iter().map(|r| r.number).collect::<Vec<_>>(),
            [4, 5, 6],
            "{file}"
        );

        let patients = ReadOptions {
            sheet: Some("Patients".into()),
            ..ReadOptions::default()
        };
        assert_eq!(
            rows(file, &patients),
            strings(&[
                &[
                    "501",
                    "00123",
                    "Biscuit",
                    "2016-03-14",
                    "72.4",
                    "985112345678901"
                ],
                &[
                    "502",
                    "00123",
                    "Zoë",
                    "2019-11-02",
                    "9.1",
                    "985112345678902"
                ],
                &["530", "00124", "Captain", "2012-07-01", "88", ""],
            ]),
            "{file}"
        );
        let missing = ReadOptions {
            sheet: Some("Nope".into()),
            ..ReadOptions::default()
        };
        assert!(
            matches!(inspect_with(file, &missing), Err(ReadError::NoSuchSheet { ref available, .. }) if available == "Notes, Clients, Patients"),
            "{file}"
        );
    }
}

#[test]
fn dates_in_the_1904_system_are_the_same_dates() {
    assert_eq!(
        rows("dates-1904.xlsx", &ReadOptions::default()),
        strings(&[&["Biscuit", "2016-03-14"], &["Zoë", "1999-12-31"]])
    );
}

#[test]
fn hostile_files_get_their_documented_errors() {
    let err = |name: &str| {
        inspect_with(&format!("hostile/{name}"), &ReadOptions::default()).expect_err(name)
    };
    assert!(matches!(err("empty.csv"), ReadError::Empty { .. }));
    assert!(matches!(
        err("blank-lines-only.csv"),
        ReadError::Empty { .. }
    ));
    assert!(matches!(
        err("binary-noise.csv"),
        ReadError::NotTabular { .. }
    ));
    assert!(
        matches!(err("not-a-spreadsheet.pdf.csv"), ReadError::NotTabular { ref looks_like, .. } if looks_like == "a PDF document")
    );
    assert!(matches!(
        err("zip-not-workbook.xlsx"),
        ReadError::NotTabular { .. }
    ));
    assert!(matches!(
        err("truncated.xlsx"),
        ReadError::CorruptWorkbook { .. }
    ));
    for name in ["password-protected.xlsx", "password-protected.ods"] {
        assert!(
            matches!(err(name), ReadError::PasswordProtected { .. }),
            "{name}"
        );
    }
    assert!(
        matches!(err("html-table-saved-as.xls"), ReadError::NeedsResave { ref what, .. } if what.starts_with("a web page"))
    );
    assert!(
        matches!(err("spreadsheetml-2003.xls"), ReadError::NeedsResave { ref what, .. } if what == "an Excel 2003 XML spreadsheet")
    );
    assert!(
        matches!(err("zipped-export.csv"), ReadError::Archive { ref inside, .. } if inside == "clients.csv, patients.csv")
    );
    assert!(
        matches!(err("word-document.xlsx"), ReadError::NotTabular { ref looks_like, .. } if looks_like == "a Word document")
    );
    // Every file of hostile/ with its message: tests/read_hostile.rs.
    let missing = read::preview(
        Path::new("/nonexistent/clients.csv"),
        &ReadOptions::default(),
    )
    .expect_err("missing");
    assert!(matches!(missing, ReadError::Io { .. }));
}

#[test]
fn a_runaway_quote_stops_with_a_clear_error_and_bounded_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("runaway.csv");
    let mut text = String::from("Name,Notes\nAnn,\"this quote never closes\n");
    let line = "x".repeat(1023) + "\n";
    while text.len() < 40 * 1024 * 1024 {
        text.push_str(&line);
    }
    std::fs::write(&path, text).expect("write");
    let e = read::inspect(
        &path,
        &ReadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect_err("runaway");
    assert!(matches!(e, ReadError::FieldTooLarge { line: 2, .. }), "{e}");
}

#[test]
fn progress_is_reported_and_cancel_stops_the_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("many.csv");
    let mut text = String::from("ID,Name\n");
    for i in 0..20_000 {
        text.push_str(&format!("{i},Name {i}\n"));
    }
    std::fs::write(&path, &text).expect("write");
    let seen = std::cell::RefCell::new(Vec::new());
    let i = read::inspect(
        &path,
        &ReadOptions::default(),
        &|p| seen.borrow_mut().push(p),
        &AtomicBool::new(false),
    )
    .expect("readable");
    assert_eq!(i.row_count, Some(20_000));
    assert_eq!(i.preview.len(), 100);
    let seen = seen.into_inner();
    let last = seen.last().expect("progress");
    assert_eq!(
        (last.rows_read, last.bytes_read, last.bytes_total),
        (20_000, text.len() as u64, Some(text.len() as u64))
    );
    assert!(seen.len() >= 3);

    let cancelled = read::inspect(
        &path,
        &ReadOptions::default(),
        &|_| {},
        &AtomicBool::new(true),
    );
    assert!(matches!(cancelled, Err(ReadError::Cancelled { .. })));
}

/// The csv-spectrum conformance suite (not written by us; installed from the npm registry as
/// a dev dependency of the workspace, BSD-2-Clause): every file parses to its JSON.
#[test]
fn csv_spectrum_conformance() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/csv-spectrum");
    let dir = root.join("csvs");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!("csv-spectrum is missing ({e}): run `npm install` at the repository root (scripts/test.sh does)")
    });
    let mut checked = 0;
    for entry in entries {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let stem = path
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let json: serde_json::Value = serde_json::from_slice(
            &std::fs::read(root.join("json").join(format!("{stem}.json"))).expect("json"),
        )
        .expect("parse json");
        // One case holds a single object rather than a list of them.
        let json: Vec<serde_json::Value> = match json {
            serde_json::Value::Array(items) => items,
            one => vec![one],
        };
        let json: Vec<&serde_json::Map<String, serde_json::Value>> =
            json.iter().filter_map(|v| v.as_object()).collect();
        let options = ReadOptions {
            header_row: Some(1),
            ..ReadOptions::default()
        };
        let stream =
            read::open_rows(&path, &options).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let columns = stream.columns().to_vec();
        let got: Vec<Vec<String>> = stream.map(|r| r.expect("row").cells).collect();
        let mut want: Vec<Vec<String>> = json
            .iter()
            .map(|obj| {
                columns
                    .iter()
                    .map(|c| obj.get(c).and_then(|v| v.as_str()).unwrap_or("").to_owned())
                    .collect()
            })
            .collect();
        if path.ends_with("location_coordinates.csv") {
            // Upstream's JSON has another phone number than its CSV (1234567890 vs 2095257564);
            // the CSV is the input, so its value is the right parse.
            want[0][0] = "2095257564".into();
        }
        assert_eq!(got, want, "{}", path.display());
        assert_eq!(columns.len(), json[0].len(), "{}", path.display());
        checked += 1;
    }
    assert_eq!(checked, 12);
}
