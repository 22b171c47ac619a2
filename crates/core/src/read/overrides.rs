//! What a person says about how a file is read, over what is detected: its header row, its
//! encoding and its delimiter, for a file or one sheet of a workbook. The CLI's `--read` and
//! read flags and a cohort manifest's `[[clinic.read]]` give the same; every sheet with data
//! is still read, and a sheet is only named to say whose header row is set.

use std::path::{Path, PathBuf};

use super::{delimiter_named, ReadOptions};

/// How one file (or one sheet of a workbook) is read, over what is detected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOverride {
    /// The sheet whose header row is set.
    pub sheet: Option<String>,
    /// 1-based header row; 0 for none.
    pub header_row: Option<u32>,
    /// Text encoding label.
    pub encoding: Option<String>,
    /// Field delimiter.
    pub delimiter: Option<char>,
}

/// Why an override cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// A sheet named without a header row says nothing: every sheet is read anyway.
    #[error("the sheet \"{sheet}\" is named without a header row. Every sheet with data is read (as in the app); a sheet is named only to set its header row, so add one")]
    SheetWithoutHeaderRow {
        /// The sheet.
        sheet: String,
    },
}

impl ReadOverride {
    /// Sets these overrides in `options`.
    pub fn apply_to(&self, options: &mut ReadOptions) -> Result<(), OverrideError> {
        if let Some(encoding) = &self.encoding {
            options.encoding = Some(encoding.clone());
        }
        if let Some(delimiter) = self.delimiter {
            options.delimiter = Some(delimiter);
        }
        match (&self.sheet, self.header_row) {
            (Some(sheet), Some(row)) => {
                options.header_rows.insert(sheet.clone(), row);
            }
            (None, Some(row)) => options.header_row = Some(row),
            (Some(sheet), None) => {
                return Err(OverrideError::SheetWithoutHeaderRow {
                    sheet: sheet.clone(),
                })
            }
            (None, None) => {}
        }
        Ok(())
    }
}

/// A header row as a person writes it: 1-based, or `none` (0).
pub fn header_row_named(text: &str) -> Result<u32, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") {
        return Ok(0);
    }
    match text.parse::<u32>() {
        Ok(0) => Err("rows count from 1, as a spreadsheet program shows them; \
             write `none` for a file without a header row"
            .to_owned()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "\"{text}\" is not a row number; give the header row's number (1, 2, 3…) or `none`"
        )),
    }
}

/// A delimiter as a person writes it: one character or its name, else why not.
pub fn delimiter_or_why(text: &str) -> Result<char, String> {
    delimiter_named(text).ok_or_else(|| {
        format!(
            "\"{text}\" is not one character; give one, such as ';' or '|', or one of tab, \
             comma, semicolon, pipe, space"
        )
    })
}

/// Which of `files` an override names: the path as given, else the one file of that name.
pub fn file_index(files: &[PathBuf], named: &str) -> Option<usize> {
    let named_path = Path::new(named);
    if let Some(i) = files.iter().position(|f| f == named_path) {
        return Some(i);
    }
    let mut same_name = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.file_name().is_some_and(|n| n == named_path.as_os_str()));
    match (same_name.next(), same_name.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}
