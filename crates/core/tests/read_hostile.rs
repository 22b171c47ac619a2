//! The hostile corpus: every file in `fixtures/read/hostile/` with its exact outcome, and
//! the cases that cannot be committed as files (a named pipe, a folder, a device). The large
//! generated cases, with their time and memory bounds, are in the CLI's `hostile_bounded` test.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ph_import_core::read::{self, Inspection, ReadError, ReadOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/read/hostile")
        .join(name)
}

fn inspect(path: &Path) -> Result<Inspection, ReadError> {
    read::inspect(
        path,
        &ReadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )
}

/// What reading a file must give: an error with this code whose message holds the text, or
/// these data rows and notes.
enum Outcome {
    Fails(&'static str, &'static str),
    Reads {
        rows: u64,
        notes: &'static [(&'static str, u64)],
    },
}

use Outcome::{Fails, Reads};

/// Every committed hostile file. The test fails when a file is added without a line here.
const CORPUS: &[(&str, Outcome)] = &[
    (
        "binary-noise.csv",
        Fails("not_tabular", "binary data rather than text"),
    ),
    ("blank-lines-only.csv", Fails("empty", "the file is empty")),
    ("empty.csv", Fails("empty", "the file is empty")),
    (
        "html-table-saved-as.xls",
        Fails("needs_resave", "a web page (HTML)"),
    ),
    (
        "not-a-spreadsheet.pdf.csv",
        Fails("not_tabular", "a PDF document"),
    ),
    (
        "password-protected.ods",
        Fails("password_protected", "protected with a password"),
    ),
    (
        "password-protected.xlsx",
        Fails("password_protected", "protected with a password"),
    ),
    (
        "spreadsheetml-2003.xls",
        Fails("needs_resave", "an Excel 2003 XML spreadsheet"),
    ),
    (
        "truncated.xlsx",
        Fails("corrupt_workbook", "damaged or incomplete"),
    ),
    (
        "word-document.xlsx",
        Fails("not_tabular", "a Word document"),
    ),
    (
        "zip-not-workbook.xlsx",
        Fails("not_tabular", "a damaged ZIP archive"),
    ),
    (
        "zipped-export.csv",
        Fails("archive", "it holds clients.csv, patients.csv"),
    ),
    // 1.8 KB declaring ten trillion shared strings: calamine would reserve 240 TB and abort.
    (
        "shared-strings-bomb.xlsx",
        Fails(
            "corrupt_workbook",
            "claims 10000000000000 entries but has room for at most 41",
        ),
    ),
    (
        "malformed-sheet-xml.xlsx",
        Fails("corrupt_workbook", "after sheet row 2: Xml error"),
    ),
    (
        "sheet-not-xml.xlsx",
        Fails("corrupt_workbook", "sheet \"Clients\" could not be read"),
    ),
    // A quote opened on line 3 and never closed: 300 rows would vanish into one cell.
    (
        "runaway-quote.csv",
        Fails(
            "runaway_quote",
            "on line 3 opens a value that runs on for 301 lines",
        ),
    ),
    // A quote opened on line 12 and closed on line 51: the 39 rows between were one value.
    (
        "stray-quote.csv",
        Reads {
            rows: 60,
            notes: &[("stray_quote", 1)],
        },
    ),
    // A quote opened 11 lines before the end and never closed.
    (
        "stray-quote-near-end.csv",
        Reads {
            rows: 161,
            notes: &[("stray_quote", 1)],
        },
    ),
    // Ctrl-Z after the last line, as DOS programs end a file: no phantom row.
    (
        "dos-eof-mark.csv",
        Reads {
            rows: 5,
            notes: &[],
        },
    ),
    // Cells a spreadsheet would run as formulas read as the text they are (the writers
    // neutralize them: crates/cli/tests/written_files.rs).
    (
        "formula-cells.csv",
        Reads {
            rows: 3,
            notes: &[],
        },
    ),
    // 2 KB: a Workbook stream of 4 GB whose one sector points back at itself; calamine
    // copied that sector until it held 4 GB (SIGABRT where the allocation fails).
    (
        "fat-chain-bomb.xls",
        Fails(
            "corrupt_workbook",
            "its Workbook stream claims 4294967280 bytes, more than the whole file (2048 bytes)",
        ),
    ),
    (
        "fat-chain-loop.xls",
        Fails(
            "corrupt_workbook",
            "the sector chain of its Workbook stream loops back to sector 3",
        ),
    ),
    // Calamine read the directory's chain without end.
    (
        "directory-chain-loop.xls",
        Fails(
            "corrupt_workbook",
            "the sector chain of its directory loops back to sector 1",
        ),
    ),
    // The header claims an 8 GB mini allocation table, in a chain that loops.
    (
        "mini-fat-bomb.xls",
        Fails(
            "corrupt_workbook",
            "its mini allocation table claims 8589934592 bytes, more than the whole file (2048 bytes)",
        ),
    ),
    (
        "difat-loop.xls",
        Fails(
            "corrupt_workbook",
            "its allocation table index (DIFAT) loops back to sector 3",
        ),
    ),
    // OpenDocument files are read whole: what they unpack to is capped before calamine
    // reads them. A real content.xml of 1.9 GB took 2 GB and 58 s; this one only says so.
    (
        "content-claims-2gb.ods",
        Fails(
            "workbook_too_large",
            "its sheet data (content.xml) unpacks to 1812 MB, more than the 512 MB an OpenDocument workbook may have here",
        ),
    ),
    // 842 bytes: one row of 90 numbers repeated a million times (SIGABRT at 2.2 GB).
    (
        "rows-repeated-bomb.ods",
        Fails(
            "workbook_too_large",
            "sheet \"Clients\" would need more than 512 MB of memory once its repeated rows",
        ),
    ),
    // 11 KB: 20,000 rows of 16,384 repeated numbers (SIGABRT at 2.9 GB).
    (
        "columns-repeated-bomb.ods",
        Fails(
            "workbook_too_large",
            "sheet \"Clients\" would need more than 512 MB of memory once its repeated rows",
        ),
    ),
    // Two billion spaces in one cell (SIGABRT at 3 GB after 24 s).
    (
        "spaces-bomb.ods",
        Fails(
            "workbook_too_large",
            "sheet \"Clients\" would need more than 512 MB of memory once its repeated rows",
        ),
    ),
    // Calamine keeps an ODS sheet's first 1,048,576 rows; the three after the gap are noted.
    (
        "rows-beyond-last-row.ods",
        Reads {
            rows: 2,
            notes: &[("rows_beyond_limit", 3)],
        },
    ),
    (
        "cell-beyond-last-column.ods",
        Reads {
            rows: 1,
            notes: &[("columns_beyond_limit", 1)],
        },
    ),
    (
        "cell-beyond-last-column.xlsx",
        Reads {
            rows: 1,
            notes: &[("columns_beyond_limit", 1)],
        },
    ),
];

#[test]
fn every_hostile_file_gets_its_exact_outcome() {
    for (name, outcome) in CORPUS {
        let result = inspect(&fixture(name));
        match (outcome, result) {
            (Fails(code, text), Err(e)) => {
                let message = e.to_string();
                assert_eq!(e.code(), *code, "{name}: {message}");
                assert!(message.contains(text), "{name}: {message}");
                // Every message names the file and ends as a sentence saying what to do.
                assert!(message.starts_with(name), "{message}");
                assert!(message.ends_with('.'), "{message}");
            }
            (Reads { rows, notes }, Ok(i)) => {
                assert_eq!(i.row_count, Some(*rows), "{name}");
                let got: Vec<(&str, u64)> =
                    i.notes.iter().map(|n| (n.code.as_str(), n.count)).collect();
                assert_eq!(got, *notes, "{name}");
            }
            (Fails(code, _), Ok(_)) => panic!("{name}: read, but should fail with {code}"),
            (Reads { .. }, Err(e)) => panic!("{name}: should read, but {e}"),
        }
    }
}

#[test]
fn the_corpus_lists_every_committed_file() {
    let mut names: Vec<String> = std::fs::read_dir(fixture(""))
        .expect("hostile fixtures")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut listed: Vec<&str> = CORPUS.iter().map(|(n, _)| *n).collect();
    listed.sort();
    assert_eq!(names, listed);
}

#[test]
fn only_regular_files_are_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("clients.csv");
    std::fs::create_dir(&folder).expect("folder");
    let e = inspect(&folder).expect_err("a folder");
    assert_eq!(e.code(), "not_a_file");
    assert!(e.to_string().contains("this is a folder"), "{e}");
    #[cfg(unix)]
    {
        // A named pipe blocks whoever opens it until a writer comes: refused before opening.
        let fifo = dir.path().join("patients.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = inspect(&fifo).expect_err("a named pipe");
            assert_eq!(e.code(), "not_a_file");
            assert!(e.to_string().contains("a named pipe (FIFO)"), "{e}");
        }
        // A device never ends (/dev/zero) or is always empty (/dev/null).
        for device in ["/dev/zero", "/dev/null"] {
            let e = inspect(Path::new(device)).expect_err(device);
            assert_eq!(e.code(), "not_a_file", "{device}: {e}");
            assert!(e.to_string().contains("a device"), "{e}");
        }
    }
}

#[test]
fn a_quote_that_swallows_thousands_of_lines_stops_where_it_began() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Closed at last, 50,000 lines on: read as one value, it would be one ragged row.
    let mut text = String::from("ID,Name,Notes\n1,Ann,ok\n2,Bob,\"stray\n");
    for i in 0..50_000 {
        text.push_str(&format!("{i},Name {i},x\n"));
    }
    text.push_str("\"\n3,Cara,ok\n");
    let path = dir.path().join("swallowed.csv");
    std::fs::write(&path, text).expect("write");
    let e = inspect(&path).expect_err("runaway");
    assert!(
        matches!(
            e,
            ReadError::RunawayQuote {
                line: 3,
                lines: 50_002,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn a_note_of_a_few_dozen_lines_is_still_one_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    let note = vec!["Seen for vaccines, all fine"; 60].join("\n");
    let text = format!("ID,Name,Notes\n1,Ann,\"{note}\"\n2,Bob,ok\n");
    let path = dir.path().join("notes.csv");
    std::fs::write(&path, text).expect("write");
    let i = inspect(&path).expect("readable");
    assert_eq!(i.row_count, Some(2));
    assert_eq!(i.preview[0].cells[2], note);
    assert_eq!(i.preview[1].number, 62);
}

#[test]
fn a_line_of_more_columns_than_a_spreadsheet_has_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A 10 MB header of quoted cells full of the other delimiters: a million columns.
    let path = dir.path().join("header-10mb.csv");
    let header = "\"a;b|c\td\",".repeat(1024 * 1024);
    std::fs::write(&path, format!("{header}\n1,2\n")).expect("write");
    let e = inspect(&path).expect_err("too wide");
    assert!(
        matches!(
            e,
            ReadError::TooManyColumns {
                line: 1,
                columns: 1_048_577,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn repeated_header_names_are_numbered_at_the_limit_width() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 16,384 columns all named alike: every name numbered, none repeated.
    let path = dir.path().join("same-names.csv");
    let header = vec!["Phone"; 16_384].join(",");
    let row = vec!["1"; 16_384].join(",");
    std::fs::write(&path, format!("{header}\n{row}\n")).expect("write");
    let options = ReadOptions {
        header_row: Some(1),
        ..ReadOptions::default()
    };
    let i = read::inspect(&path, &options, &|_| {}, &AtomicBool::new(false)).expect("readable");
    assert_eq!(i.columns.len(), 16_384);
    assert_eq!(i.columns[1].name, "Phone (2)");
    assert_eq!(i.columns[16_383].name, "Phone (16384)");
}

#[test]
fn lines_a_stray_quote_ran_over_are_read_as_the_rows_they_are() {
    let i = inspect(&fixture("stray-quote.csv")).expect("readable");
    let row = |n: u64| {
        i.preview
            .iter()
            .find(|r| r.number == n)
            .map(|r| r.cells.clone())
            .unwrap_or_default()
    };
    // The quote is read as a plain character, on both of its lines.
    assert_eq!(row(12), ["11", "\"Ann", "Smith11", "a11@example.com"]);
    assert_eq!(row(13), ["12", "Ann", "Smith12", "a12@example.com"]);
    assert_eq!(row(51), ["50", "Bob\"", "Smith50", "a50@example.com"]);
    assert_eq!(row(52), ["51", "Ann", "Smith51", "a51@example.com"]);
    let note = &i.notes[0];
    assert_eq!(note.rows, [12]);
    assert!(
        note.message
            .contains("(line 12 to line 51, 39 row(s) kept)"),
        "{}",
        note.message
    );
    let end = inspect(&fixture("stray-quote-near-end.csv")).expect("readable");
    assert!(
        end.notes[0]
            .message
            .contains("(line 151 to line 162, 11 row(s) kept)"),
        "{}",
        end.notes[0].message
    );
}

#[test]
fn values_that_really_span_lines_stay_one_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    // An address of three lines, a note with commas on its second line, a quoted value
    // holding a row-shaped line between two lines of prose (a pasted record in a note).
    let text = "ID,Name,Address,Email\n\
        1,Ann,\"12 Main St\nApt 4\nSpringfield\",a@x.io\n\
        2,Bob,\"Called, left a message\nback, on Monday, ok\",b@x.io\n\
        3,Cy,\"see note\nolder, record, of, him\nand more prose here\",c@x.io\n\
        4,Di,plain,d@x.io\n";
    let path = dir.path().join("multiline.csv");
    std::fs::write(&path, text).expect("write");
    let i = inspect(&path).expect("readable");
    assert_eq!(i.row_count, Some(4));
    assert!(i.notes.is_empty(), "{:?}", i.notes);
    assert_eq!(i.preview[0].cells[2], "12 Main St\nApt 4\nSpringfield");
    assert_eq!(
        i.preview[1].cells[2],
        "Called, left a message\nback, on Monday, ok"
    );
    assert_eq!(i.preview[3].number, 10);
}

#[test]
fn a_dos_end_of_file_mark_is_dropped_only_at_the_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    // After the last line without a line break, and inside a value (kept: it is data).
    let path = dir.path().join("dos.csv");
    let mut text = String::from("ID,Name\r\n1,A\x1aB\r\n");
    for i in 2..20 {
        text.push_str(&format!("{i},Name {i}\r\n"));
    }
    text.push_str("20,Cy\x1a\x1a");
    std::fs::write(&path, text).expect("write");
    let i = inspect(&path).expect("readable");
    assert_eq!(i.row_count, Some(20));
    assert_eq!(i.preview[0].cells, ["1", "A\u{1a}B"]);
    assert_eq!(i.preview[19].cells, ["20", "Cy"]);
    assert!(i.notes.is_empty(), "{:?}", i.notes);
}
