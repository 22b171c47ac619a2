//! Printed reports (issue 31): a client line with its pets on the lines below, first cells
//! blank, under two heading lines, with the page's title, headings, page number and printed
//! date repeated on every page. Read as one row per pet with its client's cells.

use std::path::{Path, PathBuf};

use ph_import_core::read::{self, ReadOptions};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/vendors/printed-report/client-patient-report.csv")
}

#[test]
fn a_printed_report_reads_as_one_row_per_pet_with_its_client() {
    let i = read::preview(&fixture(), &ReadOptions::default()).expect("readable");
    let names: Vec<&str> = i.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Client #",
            "Client Name",
            "Address",
            "City",
            "State",
            "Zip",
            "Phone",
            "Email",
            "Patient",
            "Pet Species",
            "Pet Breed",
            "Pet Sex",
            "Pet Birth Date",
            "Pet Weight (lbs)",
        ]
    );
    assert_eq!(i.header_row, Some(5));
    assert!(
        i.header_reason.starts_with("a printed report"),
        "{}",
        i.header_reason
    );
    let rows: Vec<(u64, &str, &str)> = i
        .preview
        .iter()
        .map(|r| (r.number, r.cells[0].as_str(), r.cells[8].as_str()))
        .collect();
    // Rocky is on page 2, under the repeated headings: still Luis Ortiz's (4502). Amy Chen
    // (4503) has no pet and is a row of her own.
    assert_eq!(
        rows,
        [
            (8, "4501", "Scout"),
            (9, "4501", "Whiskers"),
            (11, "4502", "Bella"),
            (19, "4502", "Rocky"),
            (20, "4503", ""),
            (22, "4504", "Pepper"),
        ]
    );
    let page_lines = i
        .notes
        .iter()
        .find(|n| n.code == "report_page_lines")
        .expect("noted");
    // "Page 1 of 2", the repeated title, subtitle, printed date, both headings, "Page 2 of 2".
    assert_eq!(page_lines.count, 7, "{page_lines:?}");
}

#[test]
fn the_full_read_gives_the_same_rows_as_the_preview() {
    let options = ReadOptions::default();
    let preview = read::preview(&fixture(), &options).expect("readable");
    let mut stream = read::open_rows(&fixture(), &options).expect("readable");
    let (mut number, mut cells) = (0, Vec::new());
    let mut streamed = Vec::new();
    while let Some(row) = stream.next_into(&mut number, &mut cells) {
        row.expect("row");
        streamed.push((number, cells.clone()));
    }
    let previewed: Vec<(u64, Vec<String>)> = preview
        .preview
        .into_iter()
        .map(|r| (r.number, r.cells))
        .collect();
    assert_eq!(streamed, previewed);
}

#[test]
fn a_table_with_one_heading_is_read_as_before() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("list.csv");
    // A title, a heading, rows whose first cell is sometimes blank: not a report, since no
    // second heading stands under the first.
    std::fs::write(
        &path,
        "Clinic list\nID,Owner,Pet,Species\n1,Ann Lee,Rex,Dog\n,Bo Diaz,Tib,Cat\n3,Cy Ng,Max,Dog\n",
    )
    .expect("write");
    let i = read::preview(&path, &ReadOptions::default()).expect("readable");
    assert_eq!(i.columns.len(), 4);
    assert_eq!(i.preview.len(), 3);
    assert!(!i.notes.iter().any(|n| n.code == "report_page_lines"));
}
