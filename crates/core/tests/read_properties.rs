//! Property tests of the reader: it never panics on arbitrary bytes, and whatever the `csv`
//! crate writes (in UTF-8 or UTF-16) reads back identical. Case counts are bounded so the
//! suite stays fast in CI; raise PROPTEST_CASES locally to fuzz longer.

use std::sync::atomic::AtomicBool;

use ph_import_core::read::{self, ReadOptions};
use proptest::prelude::*;

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

/// Reads everything there is to read; any error is fine, a panic is not.
fn read_all(path: &std::path::Path) {
    let options = ReadOptions::default();
    let _ = read::preview(path, &options);
    let _ = read::inspect(path, &options, &|_| {}, &AtomicBool::new(false));
    if let Ok(rows) = read::open_rows(path, &options) {
        for row in rows {
            if row.is_err() {
                break;
            }
        }
    }
}

/// Cell text that clinic exports really contain, with the characters that make CSV hard.
fn cell() -> impl Strategy<Value = String> {
    prop::string::string_regex("[A-Za-z0-9 ,;|\t\"'\n\r@.éüñøß-]{0,12}").expect("regex")
}

proptest! {
    // 256 cases keep CI to seconds; PROPTEST_CASES=100000 fuzzes longer locally.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().expect("temp dir");
        read_all(&write(&dir, "fuzz.csv", &bytes));
    }

    #[test]
    fn csv_like_text_never_panics(text in "[a-z,;\"\r\n\t|]{0,400}") {
        let dir = tempfile::tempdir().expect("temp dir");
        read_all(&write(&dir, "fuzz.csv", text.as_bytes()));
    }

    #[test]
    fn zip_and_ole_headers_with_garbage_never_panic(tail in prop::collection::vec(any::<u8>(), 0..1024), ole in any::<bool>()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut bytes = if ole { vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] } else { b"PK\x03\x04xl/workbook.xml".to_vec() };
        bytes.extend(tail);
        read_all(&write(&dir, "fuzz.xlsx", &bytes));
    }

    /// Real workbooks with a few bytes changed or cut short: a damaged download or disk.
    /// The spreadsheet library runs on a worker thread, so even a panic inside it must come
    /// back as an error, never take the reader down.
    #[test]
    fn damaged_real_workbooks_never_panic(
        which in prop::sample::select(vec!["clinic.xlsx", "clinic.xls", "clinic.ods", "clinic.xlsm"]),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/read").join(which);
        let mut bytes = std::fs::read(source).expect("fixture");
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let name = which.rsplit('/').next().unwrap_or(which);
        read_all(&write(&dir, name, &bytes));
    }

    #[test]
    fn what_the_csv_crate_writes_reads_back_identical(
        rows in prop::collection::vec(prop::collection::vec(cell(), 3), 1..20),
        delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
        utf16 in any::<bool>(),
    ) {
        // A real header, so header detection has nothing to guess.
        let header = ["Client ID", "Last Name", "Email"];
        let mut writer = csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
        writer.write_record(header).expect("header");
        for row in &rows {
            writer.write_record(row).expect("row");
        }
        let text = String::from_utf8(writer.into_inner().expect("flush")).expect("utf-8");
        let bytes = if utf16 {
            let mut b = vec![0xFF, 0xFE];
            b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            b
        } else {
            text.into_bytes()
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write(&dir, "roundtrip.csv", &bytes);
        let options = ReadOptions { delimiter: Some(char::from(delimiter)), ..ReadOptions::default() };
        let mut stream = read::open_rows(&path, &options).expect("readable");
        prop_assert_eq!(stream.columns(), &header[..]);
        let got: Vec<Vec<String>> = stream.by_ref().map(|r| r.expect("row").cells).collect();
        // Rows with nothing but blanks are skipped by design, as in every spreadsheet import.
        let want: Vec<Vec<String>> = rows.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
        // A value whose lines are shaped like whole rows of the file is, by design, read as
        // the rows a stray quote swallowed: never silently, always with a stray_quote note,
        // and never with fewer rows.
        if got != want {
            let notes = stream.notes();
            prop_assert!(notes.iter().any(|n| n.code == "stray_quote"), "{:?} != {:?}", got, want);
            prop_assert!(got.len() > want.len());
        }
    }
}

/// The reader's buffers hold 256 KiB: runs of blank lines, quoted line breaks and line
/// endings placed around that boundary must never drop, add or refuse a row.
const BUFFER: usize = 256 * 1024;

/// Rows of `Client ID,Last Name,Email` up to about `fill` bytes, then `gap` blank lines, then
/// a last row; every line ends with `eol`. Returns the text and the expected (line, cells).
fn boundary_file(
    fill: usize,
    gap: usize,
    eol: &str,
    quoted: bool,
) -> (String, Vec<(u64, Vec<String>)>) {
    let mut text = format!("Client ID,Last Name,Email{eol}");
    let mut want = Vec::new();
    let mut line = 2u64;
    let mut i = 0u64;
    while text.len() < fill {
        let last = format!("L{i}");
        text.push_str(&format!("{i},{last},e{i}@x.io{eol}"));
        want.push((line, vec![i.to_string(), last, format!("e{i}@x.io")]));
        line += 1;
        i += 1;
    }
    text.push_str(&eol.repeat(gap));
    line += gap as u64;
    if quoted {
        // A value that really spans two lines, right after the blank run.
        text.push_str(&format!("9999,\"Z{eol}Y\",z@x.io{eol}"));
        want.push((
            line,
            vec!["9999".into(), format!("Z{eol}Y"), "z@x.io".into()],
        ));
        line += 2;
    } else {
        text.push_str(&format!("9999,Z,z@x.io{eol}"));
        want.push((line, vec!["9999".into(), "Z".into(), "z@x.io".into()]));
        line += 1;
    }
    text.push_str(&format!("10000,W,w@x.io{eol}"));
    want.push((line, vec!["10000".into(), "W".into(), "w@x.io".into()]));
    (text, want)
}

fn read_lines(path: &std::path::Path) -> Vec<(u64, Vec<String>)> {
    let stream = read::open_rows(path, &ReadOptions::default()).expect("a valid file is read");
    stream
        .map(|r| {
            let r = r.expect("every row of a valid file is read");
            (r.number, r.cells)
        })
        .collect()
}

/// The case from the issue: 400 blank lines across the first buffer boundary (no quote at all)
/// were refused as a runaway quote.
#[test]
fn blank_run_across_the_buffer_boundary_is_not_a_runaway_quote() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut s = String::from("Client ID,Last Name,Email\n");
    for i in 0..11814 {
        s.push_str(&format!("{i},L{i},e{i}@x.io\n"));
    }
    s.push_str(&"\n".repeat(400));
    s.push_str("9999,Z,z@x.io\n");
    let rows = read_lines(&write(&dir, "blank400.csv", s.as_bytes()));
    assert_eq!(rows.len(), 11815);
    assert_eq!(rows.last().map(|r| r.0), Some(11816 + 400));
    // And every length of run, in each line ending, with the run ending right at the boundary.
    for eol in ["\n", "\r\n", "\r"] {
        for gap in [1, 2, 3, 199, 200, 201, 255, 256, 257, 400, 1000] {
            let (text, want) = boundary_file(BUFFER - gap * eol.len() + 1, gap, eol, false);
            let got = read_lines(&write(&dir, "gap.csv", text.as_bytes()));
            assert_eq!(got, want, "gap {gap}, eol {eol:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn blank_runs_and_quotes_around_buffer_boundaries_keep_every_row(
        before in 0usize..600,
        gap in 1usize..700,
        eol in prop::sample::select(vec!["\n", "\r\n", "\r"]),
        quoted in any::<bool>(),
        boundary in 1usize..3,
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let (text, want) = boundary_file((BUFFER * boundary).saturating_sub(before), gap, eol, quoted);
        let got = read_lines(&write(&dir, "prop.csv", text.as_bytes()));
        prop_assert_eq!(got, want);
    }
}
