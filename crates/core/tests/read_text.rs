//! Delimited text beyond the fixtures: encodings that change mid-file, long integers and
//! ZIP codes kept as typed, a CSV written by the `csv` crate read back identical.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use ph_import_core::read::{self, ReadOptions};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn legacy_bytes_past_the_sniffed_start_are_read_as_windows_1252_and_noted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bytes = b"Client ID,Last Name,First Name\n".to_vec();
    for i in 0..8000 {
        bytes.extend(format!("{i},Smith,John\n").as_bytes());
    }
    // Past the first 64 KB, an older program's Windows-1252 bytes.
    let (legacy, _, _) = encoding_rs::WINDOWS_1252.encode("8000,Müller,José\n8001,Brontë,Zoë\n");
    bytes.extend_from_slice(&legacy);
    assert!(bytes[..64 * 1024].is_ascii());
    let path = write(dir.path(), "mixed.csv", &bytes);
    let i = read::inspect(
        &path,
        &ReadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("readable");
    assert_eq!(i.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(i.row_count, Some(8002));
    let legacy_note = i
        .notes
        .iter()
        .find(|n| n.code == "legacy_characters")
        .expect("noted");
    assert_eq!(
        (legacy_note.count, legacy_note.rows.as_slice()),
        (2, &[8002, 8003][..])
    );
    let last: Vec<Vec<String>> = read::open_rows(&path, &ReadOptions::default())
        .expect("readable")
        .skip(8000)
        .map(|r| r.expect("row").cells)
        .collect();
    assert_eq!(
        last,
        [["8000", "Müller", "José"], ["8001", "Brontë", "Zoë"]]
    );

    // Told it is UTF-8, the reader keeps to it and marks what it cannot decode.
    let utf8 = ReadOptions {
        encoding: Some("UTF-8".into()),
        ..ReadOptions::default()
    };
    let i = read::inspect(&path, &utf8, &|_| {}, &AtomicBool::new(false)).expect("readable");
    assert!(i
        .notes
        .iter()
        .any(|n| n.code == "invalid_characters" && n.count == 2));
}

#[test]
fn identifiers_zip_codes_and_microchips_keep_every_digit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(
        dir.path(),
        "ids.csv",
        b"Client ID,Zip,Microchip,Phone\n00123,02134,985112345678901,0044 20 7946 0958\n",
    );
    let rows: Vec<Vec<String>> = read::open_rows(&path, &ReadOptions::default())
        .expect("readable")
        .map(|r| r.expect("row").cells)
        .collect();
    assert_eq!(
        rows,
        [["00123", "02134", "985112345678901", "0044 20 7946 0958"]]
    );
}

#[test]
fn what_the_csv_crate_writes_in_every_delimiter_reads_back_identical() {
    let records = [
        ["Client ID", "Name", "Notes", "Email"],
        [
            "1",
            "Müller, José",
            "said \"hi\"\nthen left",
            "jose@example.com",
        ],
        ["2", "Zoë Brontë", "", "zoe@example.org"],
        ["3", "O'Brien | Siobhán", "a;b;c\r\nd", ""],
    ];
    for delimiter in [b',', b';', b'\t', b'|'] {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(Vec::new());
        for r in &records {
            writer.write_record(r).expect("write");
        }
        let bytes = writer.into_inner().expect("flush");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write(dir.path(), "roundtrip.txt", &bytes);
        // The delimiter is sniffed, not given.
        let stream = read::open_rows(&path, &ReadOptions::default()).expect("readable");
        assert_eq!(stream.columns(), records[0], "{}", char::from(delimiter));
        let got: Vec<Vec<String>> = stream.map(|r| r.expect("row").cells).collect();
        assert_eq!(got, records[1..], "{}", char::from(delimiter));
    }
}

#[test]
fn preview_of_a_large_file_reads_only_its_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("ID,Name\n");
    for i in 0..200_000 {
        text.push_str(&format!("{i},Name {i}\n"));
    }
    let path = write(dir.path(), "big.csv", text.as_bytes());
    let stream = read::open_rows(&path, &ReadOptions::default()).expect("readable");
    let i = read::preview(
        &path,
        &ReadOptions {
            sample_rows: 5,
            ..ReadOptions::default()
        },
    )
    .expect("readable");
    assert_eq!(i.row_count, None);
    assert_eq!(i.preview.len(), 5);
    // Only the reader's buffers' worth of the file was taken, not all 2.6 MB.
    let mut stream = stream;
    assert!(stream.next().is_some());
    assert!(stream.progress(1).bytes_read < 1024 * 1024);
}

/// Reading into the same cells again and again (as the conversion's reader does) gives
/// exactly the rows the iterator gives, whatever the widths, blanks and encodings in between.
#[test]
fn reading_into_reused_cells_matches_reading_fresh_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("ID,Name,City,Note\n");
    for i in 0..300 {
        let line = match i % 6 {
            0 => format!("{i},Long Name Number {i},Springfield,a note that is long\n"),
            1 => format!("{i},Al\n"),
            2 => "\n".to_string(),
            3 => format!("{i},Zoë,Montréal,x,extra,cells\n"),
            4 => format!("{i},\"Quoted, with comma\",,\n"),
            _ => format!("{i},Bob,Boston,\n"),
        };
        text.push_str(&line);
    }
    let path = write(dir.path(), "widths.csv", text.as_bytes());
    let fresh: Vec<read::Row> = read::open_rows(&path, &ReadOptions::default())
        .expect("readable")
        .map(|r| r.expect("row"))
        .collect();
    let mut stream = read::open_rows(&path, &ReadOptions::default()).expect("readable");
    let (mut number, mut cells) = (0, Vec::new());
    let mut reused = Vec::new();
    while let Some(row) = stream.next_into(&mut number, &mut cells) {
        row.expect("row");
        reused.push((number, cells.clone()));
    }
    assert_eq!(fresh.len(), 250, "blank lines are skipped");
    let fresh: Vec<(u64, Vec<String>)> = fresh.into_iter().map(|r| (r.number, r.cells)).collect();
    assert_eq!(fresh, reused);
}
