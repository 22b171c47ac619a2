//! Spreadsheets (XLSX, XLSM, XLSB, XLS, ODS) through `calamine`, with cells rendered as a
//! person sees them: dates as ISO dates, whole numbers without ".0", text kept as typed.

use std::path::Path;

use calamine::{open_workbook, Data, Ods, Range, Reader, Xls, Xlsb, Xlsx};

use super::error::{display_name, ReadError};
use super::{FileFormat, RawRecord, SheetInfo};

/// An opened workbook: its sheets' names and the rows of the chosen one.
pub(crate) struct Workbook {
    pub sheets: Vec<SheetInfo>,
    pub sheet: String,
    pub range: Range<Data>,
}

/// Opens the workbook, lists its sheets, and loads the chosen one (or the first with data).
pub(crate) fn open(
    path: &Path,
    format: FileFormat,
    sheet: Option<&str>,
) -> Result<Workbook, ReadError> {
    let file = display_name(path);
    let mut book = load(path, format).map_err(|e| classify(&file, e))?;
    let names = book.names();
    let mut sheets = Vec::with_capacity(names.len());
    let mut chosen: Option<(String, Range<Data>)> = None;
    for name in &names {
        let range = book.range(name).map_err(|e| classify(&file, e))?;
        let rows = range.height() as u32;
        let has_data = range
            .used_cells()
            .any(|(_, _, c)| !matches!(c, Data::Empty));
        sheets.push(SheetInfo {
            name: name.clone(),
            rows,
            has_data,
        });
        let wanted = match sheet {
            Some(s) => s == name,
            None => has_data && chosen.is_none(),
        };
        if wanted && chosen.is_none() {
            chosen = Some((name.clone(), range));
        }
    }
    match (chosen, sheet) {
        (Some((sheet, range)), _) => Ok(Workbook {
            sheets,
            sheet,
            range,
        }),
        (None, Some(s)) => Err(ReadError::NoSuchSheet {
            file,
            sheet: s.to_owned(),
            available: names.join(", "),
        }),
        (None, None) => Err(ReadError::NoData { file }),
    }
}

/// Hands out the rows of a loaded sheet with their sheet row numbers (1-based, as Excel shows them).
pub(crate) struct SheetSource {
    range: Range<Data>,
    next: usize,
}

impl SheetSource {
    /// Starts at the first row of the sheet's used range.
    pub(crate) fn new(range: Range<Data>) -> Self {
        Self { range, next: 0 }
    }

    /// The next row, or None after the last.
    pub(crate) fn next_record(&mut self) -> Option<RawRecord> {
        let (first_row, first_col) = self.range.start().unwrap_or((0, 0));
        let row = self.range.rows().nth(self.next)?;
        // Cells left of the used range are empty in the sheet; keep columns aligned with it.
        let mut cells = vec![String::new(); first_col as usize];
        cells.extend(row.iter().map(render));
        let number = u64::from(first_row) + self.next as u64 + 1;
        self.next += 1;
        Some(RawRecord { number, cells })
    }
}

/// A cell as a person sees it in the spreadsheet.
pub(crate) fn render(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => render_float(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(dt) => {
            // Calamine applies the workbook's 1900 or 1904 date system here.
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if dt.is_duration() {
                render_float(dt.as_f64())
            } else if h == 0 && mi == 0 && s == 0 {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}").to_uppercase(),
    }
}

/// Whole numbers without ".0" and never in scientific notation, so IDs, phones and
/// microchips keep every digit the cell holds.
fn render_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{f:.0}")
    } else if f.is_finite() {
        // Spreadsheets show at most 15 significant digits ("General" format): 0.1 + 0.2
        // is 0.3 to a person, not 0.30000000000000004.
        let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
        format!("{rounded}")
    } else {
        String::new()
    }
}

enum Book {
    Xlsx(Xlsx<std::io::BufReader<std::fs::File>>),
    Xlsb(Xlsb<std::io::BufReader<std::fs::File>>),
    Xls(Xls<std::io::BufReader<std::fs::File>>),
    Ods(Ods<std::io::BufReader<std::fs::File>>),
}

impl Book {
    fn names(&self) -> Vec<String> {
        match self {
            Book::Xlsx(b) => b.sheet_names(),
            Book::Xlsb(b) => b.sheet_names(),
            Book::Xls(b) => b.sheet_names(),
            Book::Ods(b) => b.sheet_names(),
        }
    }

    fn range(&mut self, name: &str) -> Result<Range<Data>, String> {
        match self {
            Book::Xlsx(b) => b.worksheet_range(name).map_err(|e| e.to_string()),
            Book::Xlsb(b) => b.worksheet_range(name).map_err(|e| e.to_string()),
            Book::Xls(b) => b.worksheet_range(name).map_err(|e| e.to_string()),
            Book::Ods(b) => b.worksheet_range(name).map_err(|e| e.to_string()),
        }
    }
}

fn load(path: &Path, format: FileFormat) -> Result<Book, String> {
    Ok(match format {
        FileFormat::Xlsx | FileFormat::Xlsm => {
            Book::Xlsx(open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?)
        }
        FileFormat::Xlsb => {
            Book::Xlsb(open_workbook(path).map_err(|e: calamine::XlsbError| e.to_string())?)
        }
        FileFormat::Xls => {
            Book::Xls(open_workbook(path).map_err(|e: calamine::XlsError| e.to_string())?)
        }
        FileFormat::Ods => {
            Book::Ods(open_workbook(path).map_err(|e: calamine::OdsError| e.to_string())?)
        }
        FileFormat::Csv => return Err("not a workbook".into()),
    })
}

fn classify(file: &str, reason: String) -> ReadError {
    let lower = reason.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        ReadError::PasswordProtected {
            file: file.to_owned(),
        }
    } else {
        ReadError::CorruptWorkbook {
            file: file.to_owned(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_render_like_a_spreadsheet() {
        assert_eq!(render_float(2134.0), "2134");
        assert_eq!(render_float(985112345678901.0), "985112345678901");
        assert_eq!(render_float(72.4), "72.4");
        assert_eq!(render_float(0.1 + 0.2), "0.3");
        assert_eq!(render_float(1e-7), "0.0000001");
    }

    #[test]
    fn cells_render_as_seen() {
        assert_eq!(render(&Data::String("02134".into())), "02134");
        assert_eq!(render(&Data::Int(42)), "42");
        assert_eq!(render(&Data::Bool(true)), "TRUE");
        assert_eq!(render(&Data::Empty), "");
        assert_eq!(
            render(&Data::DateTimeIso("2016-03-14T00:00:00".into())),
            "2016-03-14"
        );
    }
}
