//! A look inside an ODS file before calamine opens it. Calamine holds an ODS workbook in
//! memory whole: every sheet, every repeated row and column written out cell by cell. A
//! zipped `content.xml` of a few megabytes can unpack to gigabytes, and a tiny one can
//! repeat a row a million times or a space two billion times; either takes gigabytes of
//! memory or aborts the program. So the sheet data is read once as a stream first, with
//! caps, counting what calamine would hold; the same pass finds the values calamine would
//! drop without a word (rows below row 1,048,576, columns right of XFD).

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};

use super::Tally;

/// Largest unpacked `content.xml` read. LibreOffice writes about 90 bytes per filled cell,
/// so this is some 5 million cells, e.g. 250,000 rows of 20 columns: many times a clinic's
/// client list, whose exports run to tens of thousands of rows. Past it, the time to read
/// (and the memory calamine needs) is out of proportion to any real export.
const MAX_CONTENT_BYTES: u64 = 512 * 1024 * 1024;

/// Largest memory calamine may need for the cells it holds, by [`CELL_BYTES`] a cell plus
/// the text twice. Measured: 2 million short text cells took 270 MB, a 5.2 million cell gap
/// of empty rows 420 MB. 512 MB is about 3.5 million filled cells (175,000 rows of 20
/// columns): far above real clinic exports, and still a few hundred MB.
const MAX_MEMORY_BYTES: u64 = 512 * 1024 * 1024;

/// What one cell costs held by calamine: the value (32 bytes), its formula text (24) and the
/// copy of the chosen sheet (32).
const CELL_BYTES: u64 = 88;

/// What a text value costs beyond its characters (the allocation), per copy.
const TEXT_OVERHEAD: u64 = 24;

/// Largest single XML event (a tag, or the text between two tags): more than any cell holds.
const MAX_EVENT_BYTES: u64 = 64 * 1024 * 1024;

/// Largest `META-INF/manifest.xml` (calamine reads it whole to look for encryption); real
/// ones are a few KB.
const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;

/// Calamine keeps at most 1,048,576 rows and 16,384 columns of an ODS sheet.
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;

const MB: u64 = 1024 * 1024;

/// Why an ODS file is refused before calamine reads it: reading it would take more memory
/// or time than any real export needs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TooLarge(pub String);

/// What the scan of one sheet found that calamine drops silently.
#[derive(Default)]
pub(crate) struct SheetScan {
    pub name: String,
    /// Rows with values below row 1,048,576.
    pub rows_beyond: Tally,
    /// Rows with values right of column 16,384 (XFD).
    pub columns_beyond: Tally,
}

/// Checks the file's parts and scans its sheets. A ZIP or `content.xml` that cannot be
/// read passes with no sheets: calamine reports that in its own words.
pub(crate) fn check(path: &Path) -> Result<Vec<SheetScan>, TooLarge> {
    check_with(path, MAX_CONTENT_BYTES, MAX_MEMORY_BYTES)
}

fn check_with(path: &Path, max_content: u64, max_memory: u64) -> Result<Vec<SheetScan>, TooLarge> {
    let Ok(file) = File::open(path) else {
        return Ok(Vec::new());
    };
    let Ok(mut archive) = zip::ZipArchive::new(BufReader::new(file)) else {
        return Ok(Vec::new());
    };
    if let Ok(manifest) = archive.by_name("META-INF/manifest.xml") {
        check_size(
            "its file list (META-INF/manifest.xml)",
            manifest,
            MAX_MANIFEST_BYTES,
        )?;
    }
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(Vec::new());
    };
    let declared = content.size();
    if declared > max_content {
        return Err(TooLarge(format!(
            "its sheet data (content.xml) unpacks to {} MB, more than the {} MB an OpenDocument workbook may have here",
            declared.div_ceil(MB),
            max_content / MB
        )));
    }
    scan(content, max_content, max_memory)
}

/// Reads a part to its end without keeping it, refusing it past `limit` bytes.
fn check_size(what: &str, part: impl Read, limit: u64) -> Result<(), TooLarge> {
    let mut part = part.take(limit + 1);
    match io::copy(&mut part, &mut io::sink()) {
        Ok(n) if n > limit => Err(TooLarge(format!(
            "{what} unpacks to more than {} MB",
            limit / MB
        ))),
        _ => Ok(()),
    }
}

/// Streams `content.xml` the way calamine parses it, keeping only counts.
fn scan(content: impl Read, max_content: u64, max_memory: u64) -> Result<Vec<SheetScan>, TooLarge> {
    let read = Rc::new(Cell::new(0u64));
    let stop_at = Rc::new(Cell::new(MAX_EVENT_BYTES));
    let counted = Capped {
        inner: content,
        read: read.clone(),
        stop_at: stop_at.clone(),
    };
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(counted));
    xml.config_mut().check_end_names = false;
    let mut scan = Scanner {
        max_memory,
        ..Scanner::default()
    };
    let mut buf = Vec::new();
    loop {
        stop_at.set((read.get() + MAX_EVENT_BYTES).min(max_content + 1));
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(event) => event,
            Err(_) if read.get() > max_content => {
                return Err(TooLarge(format!(
                    "its sheet data (content.xml) unpacks to more than the {} MB an OpenDocument workbook may have here",
                    max_content / MB
                )))
            }
            Err(_) if read.get() >= stop_at.get() => {
                return Err(TooLarge(format!(
                    "one piece of its sheet data is longer than {} MB, more than any cell holds",
                    MAX_EVENT_BYTES / MB
                )))
            }
            // Broken XML, or a part that does not decompress: calamine's to report.
            Err(_) => break,
        };
        scan.event(&event)?;
    }
    Ok(scan.sheets)
}

/// One cell as calamine reads it (`get_datatype` in calamine's ods.rs).
#[derive(Default)]
struct CellValue {
    /// Calamine stores the cell (a value, or a formula).
    stored: bool,
    /// The cell shows something (an empty text does not).
    visible: bool,
    /// Bytes of text calamine allocates for the cell (value and formula).
    text: u64,
    /// The value or formula is text, an allocation of its own.
    has_text: bool,
    /// The cell's text is its element content (a string cell without string-value).
    text_in_content: bool,
}

/// The scan's state: where in the document it is, and the running totals.
#[derive(Default)]
struct Scanner {
    max_memory: u64,
    sheets: Vec<SheetScan>,
    /// Memory of the sheets already scanned.
    done_bytes: u64,
    table: Option<Table>,
    row: Option<Row>,
    /// Inside a string cell whose content is its text: the cell and its column repeats.
    cell: Option<(CellValue, u64)>,
    /// Inside an annotation (a comment), whose text calamine skips.
    annotation: usize,
}

/// The sheet being scanned: calamine's row count and the used area it builds.
#[derive(Default)]
struct Table {
    scan: SheetScan,
    /// Rows so far, repeats included, capped at [`MAX_ROWS`] as calamine caps them.
    rows: u64,
    /// Rows so far, uncapped: where the rows calamine drops really are.
    all_rows: u64,
    /// Cells calamine pushed while reading (one per stored or gap cell, repeats of a
    /// row not written out).
    pushed: u64,
    pushed_text: u64,
    /// The used area: rows from the first row with a stored cell to the last, columns.
    first_row_seen: bool,
    area_rows: u64,
    /// Rows since the last row with a stored cell (added to the area if another comes).
    pending_rows: u64,
    area_text: u64,
    col_min: u64,
    col_max: u64,
}

impl Table {
    /// What calamine holds for this sheet, in bytes.
    fn bytes(&self) -> u64 {
        let width = if self.first_row_seen {
            self.col_max - self.col_min + 1
        } else {
            0
        };
        let cells = self.pushed.max(self.area_rows.saturating_mul(width));
        let text = self.pushed_text.max(self.area_text);
        cells
            .saturating_mul(CELL_BYTES)
            .saturating_add(text.saturating_mul(2))
    }
}

/// The row being scanned.
#[derive(Default)]
struct Row {
    repeats: u64,
    /// Cells calamine pushed for this row (at most [`MAX_COLUMNS`]).
    pushed: u64,
    /// Empty cells waiting: calamine pushes them only when a stored cell follows.
    gap: u64,
    first: Option<u64>,
    last: u64,
    text: u64,
    visible: bool,
    beyond_columns: bool,
}

impl Scanner {
    fn event(&mut self, event: &Event<'_>) -> Result<(), TooLarge> {
        if self.cell.is_some() {
            return self.in_cell(event);
        }
        match event {
            Event::Start(e) => self.start(e, false),
            Event::Empty(e) => self.start(e, true),
            Event::End(e) => {
                match e.name().as_ref() {
                    "table:table-row" => self.end_row()?,
                    "table:table" => {
                        if let Some(table) = self.table.take() {
                            self.done_bytes = self.done_bytes.saturating_add(table.bytes());
                            self.sheets.push(table.scan);
                        }
                        self.row = None;
                    }
                    _ => {}
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), TooLarge> {
        match e.name().as_ref() {
            // Calamine reads only the sheets that have a name.
            "table:table" if !empty => {
                if let Some(name) = attr(e, "table:name") {
                    self.table = Some(Table {
                        scan: SheetScan {
                            name,
                            ..SheetScan::default()
                        },
                        ..Table::default()
                    });
                }
            }
            "table:table-row" if self.table.is_some() => {
                self.row = Some(Row {
                    repeats: repeats(e, "table:number-rows-repeated"),
                    ..Row::default()
                });
                if empty {
                    self.end_row()?;
                }
            }
            "table:table-cell" | "table:covered-table-cell" if self.row.is_some() => {
                let value = cell_value(e);
                let columns = repeats(e, "table:number-columns-repeated");
                if value.text_in_content && !empty {
                    self.cell = Some((value, columns));
                } else {
                    self.add_cell(&value, columns);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Events inside a string cell: its text, until the cell ends.
    fn in_cell(&mut self, event: &Event<'_>) -> Result<(), TooLarge> {
        let Some((mut value, columns)) = self.cell.take() else {
            return Ok(());
        };
        let add = match event {
            Event::Start(e) if e.name().as_ref() == "office:annotation" => {
                self.annotation += 1;
                0
            }
            Event::End(e) if e.name().as_ref() == "office:annotation" => {
                self.annotation = self.annotation.saturating_sub(1);
                0
            }
            Event::End(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                self.annotation = 0;
                self.add_cell(&value, columns);
                return self.check_memory();
            }
            _ if self.annotation > 0 => 0,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                // A line break between paragraphs: counted, but shows nothing alone.
                "text:p" => {
                    value.text = value.text.saturating_add(1);
                    0
                }
                "text:s" => repeats(e, "text:c"),
                "text:tab" | "text:line-break" => 1,
                _ => 0,
            },
            Event::Text(t) => t.len() as u64,
            Event::GeneralRef(_) => 1,
            _ => 0,
        };
        if add > 0 {
            value.text = value.text.saturating_add(add);
            value.visible = true;
        }
        // A cell whose text alone is past the limit is refused before it ends.
        if value.text.saturating_mul(2) > self.max_memory {
            return Err(self.too_large());
        }
        self.cell = Some((value, columns));
        Ok(())
    }

    /// Adds `columns` copies of a cell to the row, as calamine's `read_row` does.
    fn add_cell(&mut self, value: &CellValue, columns: u64) {
        let Some(row) = &mut self.row else {
            return;
        };
        if !value.stored {
            row.gap = row.gap.saturating_add(columns);
            return;
        }
        let room = MAX_COLUMNS.saturating_sub(row.pushed);
        let gap = row.gap.min(room);
        row.pushed += gap;
        row.gap = 0;
        let kept = columns.min(MAX_COLUMNS.saturating_sub(row.pushed));
        if kept > 0 {
            row.first.get_or_insert(row.pushed);
            row.last = row.pushed + kept - 1;
        }
        row.pushed += kept;
        if value.has_text {
            let each = value.text.saturating_add(TEXT_OVERHEAD);
            row.text = row.text.saturating_add(kept.saturating_mul(each));
        }
        if value.visible {
            row.visible = true;
            // Calamine keeps a row's first 16,384 cells; the copies past them are dropped.
            row.beyond_columns |= kept < columns;
        }
    }

    fn end_row(&mut self) -> Result<(), TooLarge> {
        let (Some(row), Some(table)) = (self.row.take(), &mut self.table) else {
            return Ok(());
        };
        let first_number = table.all_rows.saturating_add(1);
        let kept = row.repeats.min(MAX_ROWS.saturating_sub(table.rows));
        table.rows += kept;
        table.all_rows = table.all_rows.saturating_add(row.repeats);
        table.pushed = table.pushed.saturating_add(row.pushed);
        table.pushed_text = table.pushed_text.saturating_add(row.text);
        match row.first {
            Some(first) => {
                // Calamine writes out the empty rows between two rows with cells.
                if table.first_row_seen {
                    table.area_rows = table.area_rows.saturating_add(table.pending_rows);
                    table.col_min = table.col_min.min(first);
                    table.col_max = table.col_max.max(row.last);
                } else {
                    table.first_row_seen = true;
                    table.col_min = first;
                    table.col_max = row.last;
                }
                table.pending_rows = 0;
                table.area_rows = table.area_rows.saturating_add(kept);
                table.area_text = table
                    .area_text
                    .saturating_add(row.text.saturating_mul(kept));
            }
            None => table.pending_rows = table.pending_rows.saturating_add(kept),
        }
        if row.visible {
            if row.beyond_columns {
                add_rows(&mut table.scan.columns_beyond, first_number, kept);
            }
            if kept < row.repeats {
                add_rows(
                    &mut table.scan.rows_beyond,
                    first_number + kept,
                    row.repeats - kept,
                );
            }
        }
        self.check_memory()
    }

    fn check_memory(&self) -> Result<(), TooLarge> {
        let table = self.table.as_ref().map_or(0, Table::bytes);
        if self.done_bytes.saturating_add(table) > self.max_memory {
            return Err(self.too_large());
        }
        Ok(())
    }

    fn too_large(&self) -> TooLarge {
        let sheet = self.table.as_ref().map_or("", |t| t.scan.name.as_str());
        let before = if self.done_bytes > 0 {
            " (with the sheets before it)"
        } else {
            ""
        };
        TooLarge(format!(
            "sheet \"{sheet}\"{before} would need more than {} MB of memory once its repeated rows, columns and spaces are written out",
            self.max_memory / MB
        ))
    }
}

/// Notes `n` rows from row `first`: their count, and the first few numbers.
fn add_rows(tally: &mut Tally, first: u64, n: u64) {
    for number in (first..first.saturating_add(n)).take(20) {
        if tally.rows.len() < 20 {
            tally.rows.push(number);
        }
    }
    tally.count = tally.count.saturating_add(n);
}

/// A cell's value from its attributes, in calamine's order of precedence.
fn cell_value(e: &BytesStart<'_>) -> CellValue {
    let mut value = CellValue::default();
    let mut set = false;
    let mut is_string = false;
    let mut is_error = false;
    let mut empty_text = false;
    for a in e.attributes().with_checks(false).flatten() {
        let len = a.value.len() as u64;
        match a.key.as_ref() {
            "office:value" | "office:boolean-value" if !set => {
                set = true;
                value.stored = true;
                value.visible = true;
            }
            "office:string-value" | "office:date-value" | "office:time-value" if !set => {
                set = true;
                value.stored = true;
                value.visible = len > 0;
                value.has_text = true;
                value.text = value.text.saturating_add(len);
                empty_text = len == 0 && a.key.as_ref() == "office:string-value";
            }
            "office:value-type" if !set => is_string = a.value == "string",
            "calcext:value-type" => is_error = a.value == "error",
            "table:formula" if len > 0 => {
                value.stored = true;
                value.has_text = true;
                value.text = value.text.saturating_add(len);
            }
            _ => {}
        }
    }
    if (!set && is_string) || (is_error && empty_text) {
        value.stored = true;
        value.has_text = true;
        value.text_in_content = true;
    }
    value
}

/// A repeat count (1 when absent or unreadable, as a count calamine cannot read fails there).
fn repeats(e: &BytesStart<'_>, name: &str) -> u64 {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse().ok())
        .unwrap_or(1)
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok()??;
    Some(a.value.into_owned())
}

/// Counts the decompressed bytes and fails a read past `stop_at`, so that neither the whole
/// part nor one event of it can run past its cap.
struct Capped<R> {
    inner: R,
    read: Rc<Cell<u64>>,
    stop_at: Rc<Cell<u64>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read.get() >= self.stop_at.get() {
            return Err(io::Error::other("past the cap"));
        }
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>"#;
    const TAIL: &str = "</office:spreadsheet></office:body></office:document-content>";

    fn sheet(name: &str, rows: &str) -> String {
        format!(r#"<table:table table:name="{name}">{rows}</table:table>"#)
    }

    fn text(t: &str) -> String {
        format!(
            r#"<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>"#
        )
    }

    fn scan_of(sheets: &str) -> Result<Vec<SheetScan>, TooLarge> {
        let xml = format!("{HEAD}{sheets}{TAIL}");
        scan(xml.as_bytes(), MAX_CONTENT_BYTES, MAX_MEMORY_BYTES)
    }

    #[test]
    fn a_plain_sheet_passes_with_nothing_dropped() {
        let rows = format!(
            "<table:table-row>{}{}</table:table-row><table:table-row>{}{}</table:table-row>",
            text("Name"),
            text("Email"),
            text("Ann"),
            text("ann@example.com")
        );
        // LibreOffice ends a sheet with empty rows repeated to its last row.
        let filler = r#"<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
        let scans = scan_of(&sheet("Clients", &(rows + filler))).expect("passes");
        assert_eq!(scans.len(), 1);
        assert_eq!(scans[0].name, "Clients");
        assert_eq!(scans[0].rows_beyond.count, 0);
        assert_eq!(scans[0].columns_beyond.count, 0);
    }

    #[test]
    fn rows_below_the_last_row_are_counted() {
        let rows = format!(
            r#"<table:table-row>{}</table:table-row><table:table-row table:number-rows-repeated="4999998"><table:table-cell/></table:table-row><table:table-row table:number-rows-repeated="2">{}</table:table-row>"#,
            text("Name"),
            text("Zed")
        );
        let scans = scan_of(&sheet("Clients", &rows)).expect("passes");
        assert_eq!(scans[0].rows_beyond.count, 2);
        assert_eq!(scans[0].rows_beyond.rows, vec![5_000_000, 5_000_001]);
    }

    #[test]
    fn values_right_of_the_last_column_are_counted() {
        let rows = format!(
            r#"<table:table-row>{}<table:table-cell table:number-columns-repeated="20000"/>{}</table:table-row>"#,
            text("Name"),
            text("far")
        );
        let scans = scan_of(&sheet("Clients", &rows)).expect("passes");
        assert_eq!(scans[0].columns_beyond.count, 1);
        assert_eq!(scans[0].columns_beyond.rows, vec![1]);
    }

    #[test]
    fn repeats_that_would_fill_gigabytes_are_refused() {
        // 90 columns repeated a million times: 90 million cells.
        let row = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="90"/></table:table-row>"#;
        assert!(matches!(scan_of(&sheet("Clients", row)), Err(TooLarge(_))));
        // Two billion spaces in one cell.
        let spaces = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/>b</text:p></table:table-cell></table:table-row>"#;
        assert!(matches!(
            scan_of(&sheet("Clients", spaces)),
            Err(TooLarge(_))
        ));
        // Many sheets together count, not each alone.
        let row = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="4"/></table:table-row>"#;
        let sheets: String = (0..3).map(|i| sheet(&format!("S{i}"), row)).collect();
        assert!(scan_of(&sheet("One", row)).is_ok());
        assert!(matches!(scan_of(&sheets), Err(TooLarge(_))));
    }

    #[test]
    fn content_past_the_cap_is_refused() {
        let rows: String = (0..2000)
            .map(|i| {
                format!(
                    "<table:table-row>{}</table:table-row>",
                    text(&format!("Client {i}"))
                )
            })
            .collect();
        let xml = format!("{HEAD}{}{TAIL}", sheet("Clients", &rows));
        assert!(scan(xml.as_bytes(), 1_000_000, MAX_MEMORY_BYTES).is_ok());
        let refused = scan(xml.as_bytes(), 100_000, MAX_MEMORY_BYTES);
        assert!(
            matches!(&refused, Err(TooLarge(r)) if r.contains("content.xml")),
            "{:?}",
            refused.err()
        );
    }

    #[test]
    fn the_clinic_fixture_passes() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/read/clinic.ods");
        let scans = check(&path).expect("passes");
        assert!(!scans.is_empty());
        assert!(scans
            .iter()
            .all(|s| s.rows_beyond.count == 0 && s.columns_beyond.count == 0));
    }
}
