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

/// An XLSX of `sheets` sheets named "Clinic N", each a header and `rows` clients whose IDs
/// start at `first_id` + 1000 × N, with inline strings.
fn many_sheets(path: &Path, sheets: usize, rows: usize, first_id: usize) {
    use std::io::Write;
    let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let file = std::fs::File::create(path).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    let mut put = |name: &str, text: String| {
        zip.start_file(name, options).expect("member");
        zip.write_all(text.as_bytes()).expect("write");
    };
    put("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.into());
    put(
        "_rels/.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        ),
    );
    let list: String = (1..=sheets)
        .map(|n| format!(r#"<sheet name="Clinic {n}" sheetId="{n}" r:id="rId{n}"/>"#))
        .collect();
    put(
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets>{list}</sheets></workbook>"#
        ),
    );
    let rels: String = (1..=sheets)
        .map(|n| format!(r#"<Relationship Id="rId{n}" Type="{rel}/worksheet" Target="worksheets/sheet{n}.xml"/>"#))
        .collect();
    put(
        "xl/_rels/workbook.xml.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        ),
    );
    let cell = |r: usize, c: char, text: &str| {
        format!(r#"<c r="{c}{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    };
    for n in 1..=sheets {
        let mut body = format!(
            r#"<row r="1">{}{}</row>"#,
            cell(1, 'A', "Client ID"),
            cell(1, 'B', "Last Name")
        );
        for r in 0..rows {
            let id = first_id + 1000 * n + r;
            body += &format!(
                r#"<row r="{}">{}{}</row>"#,
                r + 2,
                cell(r + 2, 'A', &id.to_string()),
                cell(r + 2, 'B', &format!("Smith{id}"))
            );
        }
        put(
            &format!("xl/worksheets/sheet{n}.xml"),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{body}</sheetData></worksheet>"#
            ),
        );
    }
    zip.finish().expect("finish");
}

fn first_ids(path: &Path, sheet: &str) -> (usize, Vec<String>) {
    let options = ReadOptions {
        sheet: Some(sheet.to_owned()),
        ..ReadOptions::default()
    };
    let stream = read::open_rows(path, &options).expect("readable");
    let ids: Vec<String> = stream.map(|r| r.expect("row").cells[0].clone()).collect();
    (ids.len(), ids.into_iter().take(2).collect())
}

#[test]
fn every_sheet_of_a_many_sheet_workbook_is_its_own() {
    // Each sheet opened on its own, as `map` and `convert` do: the workbook kept between
    // opens must give each sheet its own rows, and nothing of a file rewritten since.
    // Before the workbook was kept, opening every sheet of N re-read all N (quadratic);
    // the bound below is far above what the linear read takes, even in a debug build.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("clinics.xlsx");
    many_sheets(&path, 300, 9, 0);
    let started = std::time::Instant::now();
    for n in 1..=300 {
        let (rows, ids) = first_ids(&path, &format!("Clinic {n}"));
        assert_eq!(rows, 9, "sheet {n}");
        assert_eq!(ids, [(1000 * n).to_string(), (1000 * n + 1).to_string()]);
    }
    assert!(started.elapsed().as_secs() < 120, "{:?}", started.elapsed());
    // The same name, other contents: read afresh.
    many_sheets(&path, 3, 4, 500);
    let (rows, ids) = first_ids(&path, "Clinic 2");
    assert_eq!(rows, 4);
    assert_eq!(ids, ["2500", "2501"]);
    let i = read::preview(&path, &ReadOptions::default()).expect("readable");
    assert_eq!(i.sheets.len(), 3);
}

#[test]
fn sheets_streamed_side_by_side_each_read_their_own_rows() {
    // Streams kept open together, as a run's first pass keeps one per table: each worker
    // holds a workbook while its rows wait, so the others open their own.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("clinics.xlsx");
    many_sheets(&path, 6, 900, 0);
    let streams: Vec<_> = (1..=6)
        .map(|n| {
            let options = ReadOptions {
                sheet: Some(format!("Clinic {n}")),
                ..ReadOptions::default()
            };
            read::open_rows(&path, &options).expect("readable")
        })
        .collect();
    for (n, stream) in (1..=6).zip(streams) {
        let ids: Vec<String> = stream.map(|r| r.expect("row").cells[0].clone()).collect();
        assert_eq!(ids.len(), 900, "sheet {n}");
        assert_eq!(ids[0], (1000 * n).to_string());
        assert_eq!(ids[899], (1000 * n + 899).to_string());
    }
}

fn provet() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/vendors/provet-workbook/provet-export.xlsx")
}

#[test]
fn a_header_row_chosen_for_one_sheet_keeps_every_sheet_a_table_and_moves_only_that_sheet() {
    use ph_import_core::mapping::source;

    // The person looked at Patients and said its header is on row 2 (its first data row).
    let mut options = ReadOptions::default();
    options.header_rows.insert("Patients".into(), 2);
    let tables = source::discover_with(&[(provet(), options)]).expect("the workbook reads");
    let labels: Vec<&str> = tables.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "provet-export.xlsx [Clients]",
            "provet-export.xlsx [Patients]"
        ]
    );

    let clients = source::sample(&tables[0], 100).expect("Clients reads");
    assert_eq!(clients.headers[0], "Client number", "Clients keeps row 1");
    assert_eq!(clients.rows.len(), 4);
    let patients = source::sample(&tables[1], 100).expect("Patients reads");
    assert_eq!(
        patients.headers[0], "P-9001",
        "Patients reads its header from row 2"
    );
    assert_eq!(patients.rows.len(), 4);

    // Looking at one sheet (preview) shows the header row the job uses for it.
    let mut look = ReadOptions {
        sheet: Some("Patients".into()),
        ..ReadOptions::default()
    };
    look.header_rows.insert("Patients".into(), 2);
    let seen = read::preview(&provet(), &look).expect("preview");
    assert_eq!(seen.header_row, Some(2));
    assert_eq!(seen.columns[0].name, "P-9001");
}

#[test]
fn a_sheets_header_row_is_matched_as_a_sheet_is_and_a_missing_sheet_names_the_sheets() {
    use ph_import_core::mapping::source;

    // Named in other letters, as `open_rows` matches a sheet: the row still moves Patients.
    let mut options = ReadOptions::default();
    options.header_rows.insert(" patients".into(), 2);
    let tables = source::discover_with(&[(provet(), options)]).expect("the workbook reads");
    let patients = source::sample(&tables[1], 100).expect("Patients reads");
    assert_eq!(patients.headers[0], "P-9001");

    let mut options = ReadOptions::default();
    options.header_rows.insert("Pets".into(), 2);
    let error = source::discover_with(&[(provet(), options)]).expect_err("no such sheet");
    assert_eq!(
        error.to_string(),
        "provet-export.xlsx: there is no sheet named \"Pets\". The sheets are: Clients, Patients."
    );
}

#[test]
fn one_header_row_for_a_workbook_of_several_sheets_or_a_sheet_of_a_text_file_is_refused() {
    use ph_import_core::mapping::source;

    let options = ReadOptions {
        header_row: Some(2),
        ..ReadOptions::default()
    };
    let error = source::discover_with(&[(provet(), options)]).expect_err("whose header row?");
    assert_eq!(error.code(), "header_row_needs_sheet");
    assert!(error.to_string().contains("(Clients, Patients)"), "{error}");

    let csv =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/read/windows1252-semicolon.csv");
    let mut options = ReadOptions::default();
    options.header_rows.insert("Clients".into(), 1);
    let error = source::discover_with(&[(csv, options)]).expect_err("a text file has no sheets");
    assert_eq!(error.code(), "no_sheets");
    assert!(
        error.to_string().starts_with("windows1252-semicolon.csv: "),
        "{error}"
    );
}

#[test]
fn a_delimiter_is_one_character_or_its_name() {
    assert_eq!(read::delimiter_named("tab"), Some('\t'));
    assert_eq!(read::delimiter_named("\\t"), Some('\t'));
    assert_eq!(read::delimiter_named("Semicolon"), Some(';'));
    assert_eq!(read::delimiter_named(","), Some(','));
    assert_eq!(read::delimiter_named(";;"), None);
    assert_eq!(read::delimiter_named(""), None);
}
