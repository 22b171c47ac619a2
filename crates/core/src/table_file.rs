//! The files a run writes, as CSV or JSON Lines, each created private (see
//! [`crate::private_file`]) with every CSV cell a spreadsheet would run as a formula
//! neutralized: canonical files, findings, duplicates, matches and import reports alike.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::private_file::{self, CreateError, FileSet, Overwrite};

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Comma-separated, with a header row, UTF-8.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl OutputFormat {
    fn extension(self) -> &'static str {
        match self {
            OutputFormat::Csv => "csv",
            OutputFormat::Jsonl => "jsonl",
        }
    }

    /// The name of the output file `stem` in this format, e.g. `clients.csv`.
    pub fn file_name(self, stem: &str) -> String {
        format!("{stem}.{}", self.extension())
    }
}

/// One output file, CSV or JSON Lines, created private (see [`crate::private_file`]).
/// Every CSV cell goes through [`spreadsheet_safe`]; JSON Lines are written exactly.
pub enum Writer {
    /// Comma-separated, neutralized for spreadsheets.
    Csv(Box<csv::Writer<BufWriter<File>>>),
    /// One JSON object per line, values exact.
    Jsonl(BufWriter<File>),
}

impl Writer {
    /// Creates `path` (replacing a regular file already there, never a link) with `header`
    /// as its first CSV row.
    pub fn create(
        path: &Path,
        format: OutputFormat,
        header: &[&str],
    ) -> Result<Writer, CreateError> {
        Writer::create_with(path, format, header, Overwrite::Replace)
    }

    /// Like [`Writer::create`], an existing file handled as `overwrite` says.
    pub fn create_with(
        path: &Path,
        format: OutputFormat,
        header: &[&str],
        overwrite: Overwrite,
    ) -> Result<Writer, CreateError> {
        Writer::from_file(private_file::create(path, overwrite)?, path, format, header)
    }

    /// Writes the file `name` of `set` (its temporary file until the set is committed);
    /// returns the writer and the path the file will have.
    pub fn in_set(
        set: &mut FileSet,
        name: &str,
        format: OutputFormat,
        header: &[&str],
    ) -> Result<(Writer, PathBuf), CreateError> {
        let (file, path) = set.create(name)?;
        Ok((Writer::from_file(file, &path, format, header)?, path))
    }

    /// A writer on `file`, created private; `path` names it in errors.
    fn from_file(
        file: File,
        path: &Path,
        format: OutputFormat,
        header: &[&str],
    ) -> Result<Writer, CreateError> {
        let file = BufWriter::new(file);
        let mut writer = match format {
            OutputFormat::Csv => Writer::Csv(Box::new(csv::Writer::from_writer(file))),
            OutputFormat::Jsonl => Writer::Jsonl(file),
        };
        if format == OutputFormat::Csv {
            writer
                .write(header, || serde_json::Value::Null)
                .map_err(|e| CreateError::Io {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
        }
        Ok(writer)
    }

    /// Writes one line: `cells` as CSV, or the object `json` builds (only built for JSON Lines).
    pub fn write(
        &mut self,
        cells: &[&str],
        json: impl FnOnce() -> serde_json::Value,
    ) -> std::io::Result<()> {
        match self {
            Writer::Csv(w) => {
                for cell in cells {
                    w.write_field(spreadsheet_safe(cell).as_bytes())
                        .map_err(std::io::Error::other)?;
                }
                w.write_record(None::<&[u8]>).map_err(std::io::Error::other)
            }
            Writer::Jsonl(w) => {
                serde_json::to_writer(&mut *w, &json()).map_err(std::io::Error::other)?;
                w.write_all(b"\n")
            }
        }
    }

    /// Flushes what is buffered to disk.
    pub fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Writer::Csv(w) => w.flush(),
            Writer::Jsonl(w) => w.flush(),
        }
    }
}

/// A cell as written to CSV meant for spreadsheets. Excel, LibreOffice and Google Sheets run
/// a cell that begins with `=`, `+`, `-` or `@` as a formula (and trim a leading tab or
/// carriage return first), so a value from a clinic's file could run a formula on the
/// reader's machine. Such a cell gets a leading `'`, which spreadsheets show as text and hide.
/// A plain signed number (`-12.5`, `+12175550143`, an E.164 phone) is left as it is: it
/// cannot be a formula, and a spreadsheet reads it as the number it is. `-` alone, or `-` with
/// anything but digits and one decimal point, is not a number and gets the `'`.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'+' | b'-') if is_plain_number(&cell[1..]) => Cow::Borrowed(cell),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Digits with at most one decimal point, at least one digit, nothing else.
fn is_plain_number(text: &str) -> bool {
    let mut digits = 0;
    let mut points = 0;
    for b in text.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' => points += 1,
            _ => return false,
        }
    }
    digits > 0 && points <= 1
}

/// The names of the files `stems` in `format`.
pub fn file_names(format: OutputFormat, stems: &[&str]) -> Vec<String> {
    stems.iter().map(|stem| format.file_name(stem)).collect()
}

/// Flushes `w`, an error naming `path`.
pub fn flush(w: &mut Writer, path: &Path) -> Result<(), CreateError> {
    w.flush().map_err(|e| CreateError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Writes the one file `stem` into `dir` with `write`, as a [`FileSet`] of its own.
pub fn write_alone(
    dir: &Path,
    format: OutputFormat,
    stem: &str,
    overwrite: Overwrite,
    write: impl FnOnce(&mut FileSet) -> Result<PathBuf, CreateError>,
) -> Result<PathBuf, CreateError> {
    let mut set = FileSet::new(dir, &[format.file_name(stem)], overwrite)?;
    let path = write(&mut set)?;
    set.commit()?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starters_are_neutralized() {
        for (cell, written) in [
            ("=1+2", "'=1+2"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+2", "'\t=1+2"),
            ("\r=1+2", "'\r=1+2"),
            ("-", "'-"),
            ("+", "'+"),
            ("-.", "'-."),
            ("-1.2.3", "'-1.2.3"),
            ("+1 217 555 0143", "'+1 217 555 0143"),
        ] {
            assert_eq!(spreadsheet_safe(cell), written, "{cell:?}");
        }
    }

    #[test]
    fn plain_values_and_signed_numbers_stay_as_they_are() {
        for cell in [
            "",
            "Ann",
            "a=b",
            " =1+2",
            "12",
            "-12.5",
            "+12175550143",
            "-0.5",
            "-.5",
            "+7.",
            "ann@example.com",
        ] {
            assert!(
                matches!(spreadsheet_safe(cell), Cow::Borrowed(c) if c == cell),
                "{cell:?}"
            );
        }
    }
}
