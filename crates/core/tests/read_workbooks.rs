//! Workbooks streamed row by row: previews stop early, and a stream dropped midway stops its
//! worker cleanly.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use ph_import_core::read::{self, FileFormat, ReadOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/read")
        .join(name)
}

#[test]
fn a_macro_enabled_workbook_is_told_from_a_plain_one() {
    let i = read::inspect(
        &fixture("clinic.xlsm"),
        &ReadOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("readable");
    assert_eq!(i.format, FileFormat::Xlsm);
    assert_eq!(i.sheet.as_deref(), Some("Clients"));
    assert_eq!(i.row_count, Some(3));
}

#[test]
fn preview_streams_a_workbook_without_reading_it_all() {
    let i = read::preview(
        &fixture("clinic.xlsx"),
        &ReadOptions {
            sample_rows: 2,
            ..ReadOptions::default()
        },
    )
    .expect("readable");
    assert_eq!(i.row_count, None);
    assert_eq!(i.preview.len(), 2);
    assert_eq!(i.preview[0].cells[0], "00123");
}

#[test]
fn dropping_a_workbook_stream_midway_is_clean() {
    // The worker thread must notice the reader is gone and stop, with no hang or panic.
    for _ in 0..20 {
        let mut stream =
            read::open_rows(&fixture("clinic.xlsx"), &ReadOptions::default()).expect("readable");
        assert!(stream.next().is_some());
        drop(stream);
    }
}
