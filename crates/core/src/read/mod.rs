//! Opens whatever file a clinic exported — delimited text in any common encoding, or a
//! workbook — and turns it into named columns and rows of text, exactly as a person sees
//! them in a spreadsheet program.
//!
//! [`preview`] reads only the start of a file, so even a huge export shows at once;
//! [`inspect`] reads all of it with progress and a cancel flag; [`open_rows`] streams
//! the rows for the later steps with bounded memory.

mod delimited;
mod encoding;
mod error;
mod header;
pub mod kinds;
mod ods_check;
pub mod overrides;
mod report;
mod sniff;
mod workbook;
mod xls_check;
mod xlsx_check;

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use error::{display_name, ReadError};
pub use kinds::ValueKind;

/// The container format of a file, detected from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum FileFormat {
    /// Delimited text: comma, semicolon, tab or pipe separated.
    Csv,
    /// Excel 2007+ workbook.
    Xlsx,
    /// Excel 2007+ workbook with macros.
    Xlsm,
    /// Excel binary workbook.
    Xlsb,
    /// Excel 97–2003 workbook.
    Xls,
    /// OpenDocument spreadsheet (LibreOffice).
    Ods,
}

impl FileFormat {
    /// Whether this is a workbook with sheets rather than delimited text.
    pub fn is_workbook(self) -> bool {
        self != FileFormat::Csv
    }
}

/// The user's overrides of what is otherwise detected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadOptions {
    /// Sheet to read; the first sheet with data when absent.
    pub sheet: Option<String>,
    /// 1-based header row (line of a text file, row of a sheet); `Some(0)`: no header row.
    pub header_row: Option<u32>,
    /// Header row per sheet of a workbook, by sheet name; wins over `header_row` for that
    /// sheet, so a header row chosen for one sheet never moves the others'.
    #[serde(default)]
    pub header_rows: BTreeMap<String, u32>,
    /// Text encoding label, e.g. `windows-1252`; detected when absent.
    pub encoding: Option<String>,
    /// Field delimiter; sniffed when absent.
    pub delimiter: Option<char>,
    /// How many data rows [`preview`] returns and [`inspect`] keeps as a preview.
    pub sample_rows: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            sheet: None,
            header_row: None,
            header_rows: BTreeMap::new(),
            encoding: None,
            delimiter: None,
            sample_rows: 100,
        }
    }
}

impl ReadOptions {
    /// These options checked against the sheets the reader found in `file` (none for delimited
    /// text), as a job reads every sheet with data: each per-sheet header row keyed by the
    /// sheet's own name (a name is matched as [`open_rows`] matches `sheet`). A header row for
    /// a sheet that is not there, a sheet of a text file, or one header row for a workbook of
    /// several sheets with data is an error rather than silently ignored.
    pub fn for_sheets(&self, file: &str, sheets: &[SheetInfo]) -> Result<ReadOptions, ReadError> {
        let mut settled = self.clone();
        settled.header_rows = BTreeMap::new();
        for (wanted, &row) in &self.header_rows {
            if sheets.is_empty() {
                return Err(ReadError::NoSheets {
                    file: file.to_owned(),
                    sheet: wanted.clone(),
                });
            }
            let Some(found) = workbook::find_sheet(sheets, wanted) else {
                return Err(ReadError::NoSuchSheet {
                    file: file.to_owned(),
                    sheet: wanted.clone(),
                    available: names(sheets.iter()),
                });
            };
            settled.header_rows.insert(found.name.clone(), row);
        }
        let with_data: Vec<&SheetInfo> = sheets.iter().filter(|s| s.has_data).collect();
        if let (Some(row), None, true) = (self.header_row, &self.sheet, with_data.len() > 1) {
            return Err(ReadError::HeaderRowNeedsSheet {
                file: file.to_owned(),
                row,
                sheets: names(with_data.into_iter()),
            });
        }
        Ok(settled)
    }
}

fn names<'a>(sheets: impl Iterator<Item = &'a SheetInfo>) -> String {
    sheets
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The field delimiter a person typed: one character, or its name (`tab`, `\t`, `comma`,
/// `semicolon`, `pipe`, `space`); `None` when it is neither.
pub fn delimiter_named(text: &str) -> Option<char> {
    match text.to_ascii_lowercase().as_str() {
        "tab" | "\\t" => Some('\t'),
        "comma" => Some(','),
        "semicolon" => Some(';'),
        "pipe" => Some('|'),
        "space" => Some(' '),
        _ => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            }
        }
    }
}

/// One sheet of a workbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SheetInfo {
    /// The sheet's name as shown on its tab.
    pub name: String,
    /// Rows in the sheet's used range.
    pub rows: u32,
    /// Whether any cell holds a value.
    pub has_data: bool,
    /// Whether the sheet is hidden in the workbook (never chosen by default if another has data).
    pub hidden: bool,
}

/// One column of the file: its name, what its values look like, and a few of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ColumnInfo {
    /// 0-based position in the row.
    pub index: u32,
    /// Unique, non-empty name (from the header row, or A, B, C… without one).
    pub name: String,
    /// What most values look like.
    pub kind: ValueKind,
    /// Up to five distinct non-empty values from the first rows.
    pub samples: Vec<String>,
}

/// One data row: where a person finds it, and its cells as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Row {
    /// The line of a text file where the row starts, or the row number of a sheet.
    #[ts(type = "number")]
    pub number: u64,
    /// One cell per column, padded with empty cells when the row is short.
    pub cells: Vec<String>,
}

/// Something about the file worth knowing that did not stop it being read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReadNote {
    /// Stable code: `ragged_long_rows`, `ragged_short_rows`, `blank_rows`,
    /// `invalid_characters`, `nul_characters`, `report_page_lines`… (`docs/inspect-json.md`).
    pub code: String,
    /// What it means, for the user.
    pub message: String,
    /// How many rows are affected.
    #[ts(type = "number")]
    pub count: u64,
    /// The first affected rows (line or sheet row numbers), at most 20.
    #[ts(type = "Array<number>")]
    pub rows: Vec<u64>,
}

/// Progress of a full read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Bytes of the file read so far.
    pub bytes_read: u64,
    /// Size of the file.
    pub bytes_total: Option<u64>,
    /// Data rows read so far.
    pub rows_read: u64,
}

/// Everything detected about a file, and its first rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Inspection {
    /// The file's name.
    pub file: String,
    /// The full path as given.
    pub path: String,
    /// Container format, detected from the content.
    pub format: FileFormat,
    /// Text encoding (text files only), e.g. `UTF-8`, `windows-1252`, `UTF-16LE`.
    pub encoding: Option<String>,
    /// Why that encoding was chosen.
    pub encoding_reason: Option<String>,
    /// Field delimiter (text files only).
    pub delimiter: Option<String>,
    /// Why that delimiter was chosen.
    pub delimiter_reason: Option<String>,
    /// The workbook's sheets (empty for text files).
    pub sheets: Vec<SheetInfo>,
    /// The sheet read.
    pub sheet: Option<String>,
    /// 1-based line or sheet row of the header; None when the file has none.
    pub header_row: Option<u32>,
    /// Why that row was chosen.
    pub header_reason: String,
    /// The columns, in file order.
    pub columns: Vec<ColumnInfo>,
    /// Data rows in the whole file (None from [`preview`], which reads only the start).
    #[ts(type = "number | null")]
    pub row_count: Option<u64>,
    /// The first data rows.
    pub preview: Vec<Row>,
    /// Things worth knowing that did not stop the read.
    pub notes: Vec<ReadNote>,
}

/// A record as it comes out of a file, before header and width handling.
#[derive(Debug, Clone)]
pub(crate) struct RawRecord {
    pub number: u64,
    pub cells: Vec<String>,
}

impl RawRecord {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Reads the start of a file: detection and the first `sample_rows` rows. Fast on any size.
pub fn preview(path: &Path, options: &ReadOptions) -> Result<Inspection, ReadError> {
    let mut stream = open_rows(path, options)?;
    let mut rows = Vec::new();
    for row in stream.by_ref().take(options.sample_rows) {
        rows.push(row?);
    }
    Ok(stream.inspection(rows, None))
}

/// Reads the whole file once: exact row count and every note, reporting progress.
/// Stops with [`ReadError::Cancelled`] soon after `cancel` is set.
pub fn inspect(
    path: &Path,
    options: &ReadOptions,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<Inspection, ReadError> {
    let mut stream = open_rows(path, options)?;
    let mut rows = Vec::new();
    let mut count = 0u64;
    while let Some(row) = stream.next() {
        let row = row?;
        count += 1;
        if rows.len() < options.sample_rows {
            rows.push(row);
        }
        if count.is_multiple_of(8192) {
            if cancel.load(Ordering::Relaxed) {
                return Err(ReadError::Cancelled {
                    file: display_name(path),
                });
            }
            progress(stream.progress(count));
        }
    }
    progress(stream.progress(count));
    Ok(stream.inspection(rows, Some(count)))
}

/// Opens a file for streaming its data rows, after detecting format, encoding,
/// delimiter, sheet and header row (each overridable through `options`).
pub fn open_rows(path: &Path, options: &ReadOptions) -> Result<RowStream, ReadError> {
    let file = display_name(path);
    let head = sniff::read_head(path)?;
    let format = sniff::detect_format(path, &head)?;
    let mut meta = Meta {
        file: file.clone(),
        path: path.display().to_string(),
        format,
        encoding: None,
        encoding_reason: None,
        delimiter: None,
        delimiter_reason: None,
        sheets: Vec::new(),
        sheet: None,
        file_len: head.file_len,
    };
    let source = if format.is_workbook() {
        let book = workbook::open(path, format, options.sheet.as_deref())?;
        meta.sheets = book.sheets;
        meta.sheet = Some(book.sheet);
        Source::Sheet(book.rows)
    } else {
        let complete = head.bytes.len() as u64 >= head.file_len;
        let detected = match &options.encoding {
            Some(label) => encoding::chosen(encoding::from_label(label, &file)?, &head.bytes),
            None => encoding::detect(&head.bytes, complete),
        };
        let body = head.bytes.get(detected.bom_len..).unwrap_or_default();
        let (sample, _) = detected.encoding.decode_without_bom_handling(body);
        if sample.trim().is_empty() {
            return Err(ReadError::Empty { file });
        }
        if encoding::looks_binary(&sample) {
            return Err(ReadError::NotTabular {
                file,
                looks_like: "binary data rather than text".into(),
            });
        }
        let (delimiter, reason) = match options.delimiter {
            Some(d) if d.is_ascii() => (d as u8, "chosen by you".to_owned()),
            Some(d) => {
                return Err(ReadError::Malformed {
                    file,
                    line: 1,
                    reason: format!("the delimiter \"{d}\" is not a plain ASCII character, which delimited files require"),
                })
            }
            None => delimited::sniff_delimiter(&sample),
        };
        meta.encoding = Some(detected.encoding.name().to_owned());
        meta.encoding_reason = Some(detected.reason);
        meta.delimiter = Some(char::from(delimiter).to_string());
        meta.delimiter_reason = Some(reason);
        Source::Text(Box::new(delimited::DelimitedSource::open(
            path,
            head.file,
            detected.encoding,
            detected.bom_len,
            delimiter,
            detected.fallback,
        )?))
    };
    let header_row = meta
        .sheet
        .as_ref()
        .and_then(|s| options.header_rows.get(s).copied())
        .or(options.header_row);
    RowStream::start(meta, source, header_row)
}

struct Meta {
    file: String,
    path: String,
    format: FileFormat,
    encoding: Option<String>,
    encoding_reason: Option<String>,
    delimiter: Option<String>,
    delimiter_reason: Option<String>,
    sheets: Vec<SheetInfo>,
    sheet: Option<String>,
    file_len: u64,
}

enum Source {
    Text(Box<delimited::DelimitedSource>),
    Sheet(workbook::SheetSource),
}

impl Source {
    fn next_record(&mut self) -> Option<Result<RawRecord, ReadError>> {
        match self {
            Source::Text(source) => source.next_record(),
            Source::Sheet(source) => source.next_record(),
        }
    }

    /// The next record written over `out` (text files reuse its cells' memory).
    fn next_record_into(&mut self, out: &mut RawRecord) -> Option<Result<(), ReadError>> {
        match self {
            Source::Text(source) => source.next_record_into(out),
            Source::Sheet(source) => match source.next_record()? {
                Ok(record) => {
                    *out = record;
                    Some(Ok(()))
                }
                Err(e) => Some(Err(e)),
            },
        }
    }
}

/// Rows affected by one kind of note: a count and the first few row numbers.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tally {
    count: u64,
    rows: Vec<u64>,
}

impl Tally {
    pub(crate) fn add(&mut self, row: u64) {
        self.count += 1;
        if self.rows.len() < 20 {
            self.rows.push(row);
        }
    }
}

/// The data rows of a file, streamed; see [`open_rows`].
pub struct RowStream {
    meta: Meta,
    source: Source,
    columns: Vec<String>,
    header_row: Option<u32>,
    header_reason: String,
    pending: VecDeque<RawRecord>,
    long_rows: Tally,
    short_rows: Tally,
    blank_rows: Tally,
    failed: bool,
    /// A printed report's reading (client lines, pet lines, page lines), when it is one.
    report: Option<Box<report::Report>>,
}

impl RowStream {
    fn start(meta: Meta, mut source: Source, header_row: Option<u32>) -> Result<Self, ReadError> {
        let mut lookahead_blanks: Vec<u64> = Vec::new();
        let mut top: Vec<RawRecord> = Vec::new();
        // Enough rows to find the header; further when the user named a lower header row.
        let want_line = header_row.filter(|&n| n > 0).map(u64::from);
        while top.len() < header::LOOKAHEAD
            || want_line.is_some_and(|n| top.last().is_none_or(|r| r.number < n))
        {
            match source.next_record() {
                None => break,
                Some(record) => {
                    let record = record?;
                    if record.is_blank() {
                        // Blanks above the first row with values are layout, never noted; the
                        // cap keeps a file of a million empty lines from filling memory.
                        if !top.is_empty() && lookahead_blanks.len() < 10_000 {
                            lookahead_blanks.push(record.number);
                        }
                    } else {
                        top.push(record);
                    }
                }
            }
            if top.len() > 100_000 {
                break;
            }
        }
        if top.is_empty() {
            return Err(match meta.format {
                FileFormat::Csv => ReadError::Empty { file: meta.file },
                _ => ReadError::NoData { file: meta.file },
            });
        }
        let (header_index, data_start, header_reason) = match header_row {
            Some(0) => (
                None,
                0,
                "chosen by you: the file has no header row".to_owned(),
            ),
            Some(n) => match top.iter().position(|r| r.number == u64::from(n)) {
                Some(i) => (Some(i), i + 1, format!("row {n} chosen by you")),
                None => {
                    return Err(ReadError::HeaderRowOutOfRange {
                        file: meta.file,
                        row: n,
                        rows: top.last().map_or(0, |r| r.number as u32),
                    })
                }
            },
            None => {
                let choice = header::detect(&top);
                (choice.index, choice.data_start, choice.reason)
            }
        };
        // A printed report: its client heading, then its pets' heading further right.
        let report = header_index
            .filter(|_| header_row.is_none())
            .and_then(|i| report::detect(&top, i));
        let (header_index, data_start, header_reason) = match &report {
            Some((r, _)) => (
                header_index,
                data_start + 1,
                format!(
                    "a printed report: row {} names the client lines' columns, row {} the pet lines' below each client; titles, headings and page numbers repeated on each page are left out",
                    r.headings.0, r.headings.1
                ),
            ),
            None => (header_index, data_start, header_reason),
        };
        let (report, report_columns) = match report {
            Some((r, names)) => (Some(Box::new(r)), Some(names)),
            None => (None, None),
        };
        let header_cells = match &report_columns {
            Some(names) => Some(names.clone()),
            None => header_index.map(|i| top[i].cells.clone()),
        };
        let header_width = header_cells.as_deref().map_or(0, filled_width);
        let data_widths: Vec<usize> = top[data_start..]
            .iter()
            .map(|r| filled_width(&r.cells))
            .collect();
        // With a header, the header decides the width, unless most rows are wider (unnamed
        // trailing columns); one stray long row is reported, not turned into a column.
        let width = match (header_index, &report_columns) {
            (_, Some(names)) => names.len(),
            (Some(_), None) => header_width.max(modal(&data_widths)),
            (None, None) => data_widths.iter().copied().max().unwrap_or(0),
        }
        .max(1);
        let columns = header::column_names(header_cells.as_deref(), width);
        let header_row = header_index.map(|i| top[i].number as u32);
        let first_data = top.get(data_start).map_or(u64::MAX, |r| r.number);
        let mut blank_rows = Tally::default();
        // Blank rows above the data are layout; blank rows among the data are worth a note.
        let data_begins = header_row.map_or(first_data, u64::from);
        for &n in lookahead_blanks.iter().filter(|&&n| n > data_begins) {
            blank_rows.add(n);
        }
        // Rows above the header (titles, notes) are not data.
        let pending: VecDeque<RawRecord> = top.into_iter().skip(data_start).collect();
        Ok(Self {
            meta,
            source,
            columns,
            header_row,
            header_reason,
            pending,
            long_rows: Tally::default(),
            short_rows: Tally::default(),
            blank_rows,
            failed: false,
            report,
        })
    }

    /// The column names, in file order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// A workbook's sheets (empty for a text file).
    pub fn sheets(&self) -> &[SheetInfo] {
        &self.meta.sheets
    }

    /// The sheet being read, for a workbook.
    pub fn sheet(&self) -> Option<&str> {
        self.meta.sheet.as_deref()
    }

    /// Whether the rows stream from a text file (a workbook's sheet is held in memory whole).
    pub fn is_text(&self) -> bool {
        matches!(self.source, Source::Text(_))
    }

    /// The header row, 1-based; None when the file has none.
    pub fn header_row(&self) -> Option<u32> {
        self.header_row
    }

    /// Progress after `rows` data rows.
    pub fn progress(&self, rows: u64) -> Progress {
        let bytes_read = match &self.source {
            Source::Text(s) => s.bytes_read().min(self.meta.file_len),
            // Workbooks are compressed: how far through the sheet's rows stands in for bytes.
            Source::Sheet(s) => (self.meta.file_len as f64 * s.fraction_read()) as u64,
        };
        Progress {
            bytes_read,
            bytes_total: Some(self.meta.file_len),
            rows_read: rows,
        }
    }

    /// What was noticed so far while reading.
    pub fn notes(&self) -> Vec<ReadNote> {
        let mut notes = Vec::new();
        let width = self.columns.len();
        let mut push = |code: &str, tally: &Tally, message: String| {
            if tally.count > 0 {
                notes.push(ReadNote {
                    code: code.into(),
                    message,
                    count: tally.count,
                    rows: tally.rows.clone(),
                });
            }
        };
        push(
            "ragged_long_rows",
            &self.long_rows,
            format!(
                "{} row(s) have more values than the {width} columns (first at {}); the extra values are not read. A delimiter inside an unquoted value usually causes this.",
                self.long_rows.count,
                rows_text(&self.long_rows.rows)
            ),
        );
        push(
            "ragged_short_rows",
            &self.short_rows,
            format!(
                "{} row(s) have fewer values than the {width} columns (first at {}); the missing values are read as empty.",
                self.short_rows.count,
                rows_text(&self.short_rows.rows)
            ),
        );
        push(
            "blank_rows",
            &self.blank_rows,
            format!("{} blank row(s) were skipped.", self.blank_rows.count),
        );
        if let Some(r) = &self.report {
            push(
                "report_page_lines",
                &r.dropped,
                format!(
                    "{} line(s) of the printed report's pages (titles, headings, page numbers, printed dates) were left out (first at {}).",
                    r.dropped.count,
                    rows_text(&r.dropped.rows)
                ),
            );
        }
        if let Source::Sheet(s) = &self.source {
            let cut = s.cut_columns();
            push(
                "columns_beyond_limit",
                &cut,
                format!(
                    "{} row(s) hold values beyond column 16,384 (XFD), the last column a spreadsheet has (first at {}); those values are not read. Check that the file was exported as a table.",
                    cut.count,
                    rows_text(&cut.rows)
                ),
            );
            let cut = s.cut_rows();
            push(
                "rows_beyond_limit",
                &cut,
                format!(
                    "{} row(s) hold values below row 1,048,576, the last row a spreadsheet has (first at {}); those rows are not read. Save the sheet as CSV, which has no row limit, and use that file.",
                    cut.count,
                    rows_text(&cut.rows)
                ),
            );
        }
        if let Source::Text(s) = &self.source {
            push(
                "invalid_characters",
                &s.replaced,
                format!(
                    "{} row(s) hold bytes that are not valid {} (first at {}); they show as �. Choose another encoding (often windows-1252) if names look wrong.",
                    s.replaced.count,
                    self.meta.encoding.as_deref().unwrap_or("text"),
                    rows_text(&s.replaced.rows)
                ),
            );
            push(
                "legacy_characters",
                &s.fell_back,
                format!(
                    "{} row(s) hold text that is not valid UTF-8 (first at {}); it was read as windows-1252, as older Windows programs write it. If accented names there look wrong, choose the file's encoding.",
                    s.fell_back.count,
                    rows_text(&s.fell_back.rows)
                ),
            );
            let spans: Vec<String> = s
                .stray_spans
                .iter()
                .map(|(open, last, rows)| format!("line {open} to line {last}, {rows} row(s) kept"))
                .collect();
            push(
                "stray_quote",
                &s.stray_quotes,
                format!(
                    "{} quote character(s) left open made a value run over lines that look like rows of their own ({}); each of those lines was read as its own row and the quote as a plain character, so no row is lost. Check the row where each quote opened, and fix the quote in the file if a value there really spans lines.",
                    s.stray_quotes.count,
                    spans.join("; ")
                ),
            );
            push(
                "nul_characters",
                &s.nuls,
                format!(
                    "{} row(s) held NUL characters (first at {}), which were removed.",
                    s.nuls.count,
                    rows_text(&s.nuls.rows)
                ),
            );
        }
        notes
    }

    /// The report of a read, given the rows kept and the row count if all were read.
    fn inspection(&self, preview: Vec<Row>, row_count: Option<u64>) -> Inspection {
        let columns = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let values = preview
                    .iter()
                    .filter_map(|r| r.cells.get(i))
                    .map(String::as_str);
                let mut samples: Vec<String> = Vec::new();
                for v in values.clone() {
                    let v = v.trim();
                    if !v.is_empty() && !samples.iter().any(|s| s == v) {
                        samples.push(v.to_owned());
                        if samples.len() == 5 {
                            break;
                        }
                    }
                }
                ColumnInfo {
                    index: i as u32,
                    name: name.clone(),
                    kind: kinds::with_header(name, kinds::infer(values)),
                    samples,
                }
            })
            .collect();
        Inspection {
            file: self.meta.file.clone(),
            path: self.meta.path.clone(),
            format: self.meta.format,
            encoding: self.meta.encoding.clone(),
            encoding_reason: self.meta.encoding_reason.clone(),
            delimiter: self.meta.delimiter.clone(),
            delimiter_reason: self.meta.delimiter_reason.clone(),
            sheets: self.meta.sheets.clone(),
            sheet: self.meta.sheet.clone(),
            header_row: self.header_row,
            header_reason: self.header_reason.clone(),
            columns,
            row_count,
            preview,
            notes: self.notes(),
        }
    }

    fn shape(&mut self, mut record: RawRecord) -> Row {
        self.shape_cells(record.number, &mut record.cells);
        Row {
            number: record.number,
            cells: record.cells,
        }
    }

    /// Cuts or pads a row's cells to the header's width, noting the rows that needed it.
    fn shape_cells(&mut self, number: u64, cells: &mut Vec<String>) {
        let width = self.columns.len();
        if cells.len() > width {
            if cells[width..].iter().any(|c| !c.trim().is_empty()) {
                self.long_rows.add(number);
            }
            cells.truncate(width);
        } else if cells.len() < width {
            // A sheet row simply ends at its last value; a short line of text is worth a note.
            if !self.meta.format.is_workbook() {
                self.short_rows.add(number);
            }
            cells.resize(width, String::new());
        }
    }

    /// Like [`Iterator::next`], written over `number` and `cells`, whose memory is reused:
    /// a reader that hands rows back can read a whole file without allocating per cell.
    pub fn next_into(
        &mut self,
        number: &mut u64,
        cells: &mut Vec<String>,
    ) -> Option<Result<(), ReadError>> {
        if self.failed {
            return None;
        }
        if self.report.is_some() {
            return self.next().map(|row| {
                row.map(|row| {
                    *number = row.number;
                    *cells = row.cells;
                })
            });
        }
        let mut record = RawRecord {
            number: 0,
            cells: std::mem::take(cells),
        };
        loop {
            let read = match self.pending.pop_front() {
                Some(r) => {
                    record = r;
                    Some(Ok(()))
                }
                None => self.source.next_record_into(&mut record),
            };
            match read {
                None => {
                    *cells = record.cells;
                    return None;
                }
                Some(Err(e)) => {
                    self.failed = true;
                    *cells = record.cells;
                    return Some(Err(e));
                }
                Some(Ok(())) if record.is_blank() => self.blank_rows.add(record.number),
                Some(Ok(())) => {
                    self.shape_cells(record.number, &mut record.cells);
                    *number = record.number;
                    *cells = record.cells;
                    return Some(Ok(()));
                }
            }
        }
    }
}

impl Iterator for RowStream {
    type Item = Result<Row, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.report.is_some() {
            return self.next_report_row();
        }
        loop {
            let record = match self.pending.pop_front() {
                Some(r) => r,
                None => match self.source.next_record()? {
                    Ok(r) => r,
                    Err(e) => {
                        self.failed = true;
                        return Some(Err(e));
                    }
                },
            };
            if record.is_blank() {
                self.blank_rows.add(record.number);
                continue;
            }
            return Some(Ok(self.shape(record)));
        }
    }
}

impl RowStream {
    /// The next row of a printed report: lines are read until the report has a row ready
    /// (a pet line, or the end of a client without pets).
    fn next_report_row(&mut self) -> Option<Result<Row, ReadError>> {
        loop {
            if let Some(ready) = self.report.as_mut().and_then(|r| r.next_ready()) {
                return Some(Ok(self.shape(ready)));
            }
            let record = match self.pending.pop_front() {
                Some(r) => r,
                None => match self.source.next_record() {
                    None => {
                        let report = self.report.as_mut()?;
                        report.finish();
                        let ready = report.next_ready()?;
                        return Some(Ok(self.shape(ready)));
                    }
                    Some(Ok(r)) => r,
                    Some(Err(e)) => {
                        self.failed = true;
                        return Some(Err(e));
                    }
                },
            };
            if !record.is_blank() {
                self.report.as_mut()?.feed(record);
            }
        }
    }
}

fn modal(values: &[usize]) -> usize {
    let mut counts = std::collections::BTreeMap::new();
    for &v in values {
        *counts.entry(v).or_insert(0usize) += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(v, n)| (n, v))
        .map_or(0, |(v, _)| v)
}

fn filled_width(cells: &[String]) -> usize {
    cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1)
}

fn rows_text(rows: &[u64]) -> String {
    match rows {
        [] => "unknown rows".into(),
        [one] => format!("row {one}"),
        many => format!(
            "rows {}",
            many.iter()
                .take(5)
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
