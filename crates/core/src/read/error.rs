//! What can go wrong when opening a clinic export, in words a tech-team member can act on.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Why a file could not be read. Every message names the file and says what to do next.
#[derive(Debug, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ReadError {
    /// The file could not be opened or read from disk.
    #[error("{file}: the file could not be opened ({reason}). Check that it exists, is not open in another program that locks it, and that you may read it.")]
    Io {
        /// File name as shown to the user.
        file: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A folder, named pipe, device or socket: only regular files are read, since reading
    /// from a pipe or device can wait forever or never end.
    #[error("{file}: this is {what}, not a regular file, so it is not read. Choose the export file itself, saved on a disk.")]
    NotAFile {
        /// File name as shown to the user.
        file: String,
        /// What the path is instead, e.g. "a named pipe (FIFO)".
        what: String,
    },
    /// The file has no bytes at all, or nothing but blank lines.
    #[error("{file}: the file is empty. Ask the clinic to export it again; the export may have been cancelled or saved before it finished.")]
    Empty {
        /// File name as shown to the user.
        file: String,
    },
    /// A PDF, image, archive or program, not a spreadsheet or delimited text.
    #[error("{file}: this is not a spreadsheet or CSV file (it looks like {looks_like}). Ask the clinic for a CSV or Excel export of their clients and patients.")]
    NotTabular {
        /// File name as shown to the user.
        file: String,
        /// What the content looks like, e.g. "a PDF document".
        looks_like: String,
    },
    /// A web page or XML spreadsheet with a spreadsheet name: Excel opens it, this tool does not.
    #[error("{file}: this is {what}, not a real workbook, so it cannot be read directly. Open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) or CSV UTF-8, and use that file.")]
    NeedsResave {
        /// File name as shown to the user.
        file: String,
        /// What the file really is.
        what: String,
    },
    /// A ZIP archive, perhaps holding the export.
    #[error("{file}: this is a ZIP archive, not a spreadsheet (it holds {inside}). Unzip it and choose the CSV or Excel file inside.")]
    Archive {
        /// File name as shown to the user.
        file: String,
        /// The export-like files inside, comma-separated, or a phrase saying there are none.
        inside: String,
    },
    /// The workbook is encrypted with a password.
    #[error("{file}: the workbook is protected with a password. Open it in Excel or LibreOffice, remove the password (File → Info → Protect Workbook, or Save As without a password), and try again.")]
    PasswordProtected {
        /// File name as shown to the user.
        file: String,
    },
    /// A workbook whose structure is damaged or cut short.
    #[error("{file}: the workbook is damaged or incomplete (details: {reason}). Open and re-save it in Excel or LibreOffice, or ask the clinic to export it again.")]
    CorruptWorkbook {
        /// File name as shown to the user.
        file: String,
        /// What the spreadsheet library reported.
        reason: String,
    },
    /// A workbook that would take more memory or time to open than any real export needs:
    /// an OpenDocument file is read whole, so its unpacked size is capped.
    #[error("{file}: the workbook is too large to read here ({reason}). Open it in LibreOffice or Excel and save it as Excel Workbook (.xlsx) or CSV UTF-8, which are read row by row, or ask the clinic to export fewer rows at a time.")]
    WorkbookTooLarge {
        /// File name as shown to the user.
        file: String,
        /// What is too large, and the limit.
        reason: String,
    },
    /// The named sheet is not in the workbook.
    #[error("{file}: there is no sheet named \"{sheet}\". The sheets are: {available}.")]
    NoSuchSheet {
        /// File name as shown to the user.
        file: String,
        /// The sheet that was asked for.
        sheet: String,
        /// The sheets that exist, comma-separated.
        available: String,
    },
    /// No sheet of the workbook holds any data.
    #[error("{file}: every sheet of this workbook is empty. Ask the clinic to export it again.")]
    NoData {
        /// File name as shown to the user.
        file: String,
    },
    /// A header row was chosen for a sheet of a file that has no sheets (delimited text).
    #[error("{file}: this is a text file, which has no sheets, so a header row cannot be chosen for sheet \"{sheet}\". Choose the header row of the file itself.")]
    NoSheets {
        /// File name as shown to the user.
        file: String,
        /// The sheet that was named.
        sheet: String,
    },
    /// One header row was chosen for a workbook with several sheets with data, without
    /// saying which sheet: a header row belongs to one sheet.
    #[error("{file}: the workbook has several sheets with data ({sheets}), so header row {row} must be chosen for one of them by name.")]
    HeaderRowNeedsSheet {
        /// File name as shown to the user.
        file: String,
        /// The header row chosen.
        row: u32,
        /// The sheets with data, comma-separated.
        sheets: String,
    },
    /// The user asked for an encoding name that does not exist.
    #[error("{file}: \"{label}\" is not a text encoding this tool knows. Try UTF-8, UTF-16LE, windows-1252 or ISO-8859-1.")]
    UnknownEncoding {
        /// File name as shown to the user.
        file: String,
        /// The label as given.
        label: String,
    },
    /// The user asked for a header row beyond the end of the file.
    #[error("{file}: row {row} was chosen as the header row, but the file has only {rows} rows at the top that could be a header. Choose a smaller row number, or no header row for a file without one.")]
    HeaderRowOutOfRange {
        /// File name as shown to the user.
        file: String,
        /// The requested row.
        row: u32,
        /// How many rows were looked at.
        rows: u32,
    },
    /// One field grew past the size limit: almost always an unbalanced quote.
    #[error("{file}: near line {line}, one field is longer than {limit_mb} MB. This usually means a quote character (\") opens a field that is never closed. Fix that line in a text editor, or export the file again.")]
    FieldTooLarge {
        /// File name as shown to the user.
        file: String,
        /// Line where the runaway field starts.
        line: u64,
        /// The limit in megabytes.
        limit_mb: u64,
    },
    /// One record runs over hundreds of lines: a quote opened and never closed, which would
    /// read every row after it as one value.
    #[error("{file}: a quote character (\") on line {line} opens a value that runs on for {lines} lines, so the rows in those lines would be lost inside one cell. Fix that quote on line {line} in a text editor (a quote inside a value must be doubled, as in 12\"\" toy), or export the file again.")]
    RunawayQuote {
        /// File name as shown to the user.
        file: String,
        /// Line where the runaway value starts.
        line: u64,
        /// How many lines it runs over.
        lines: u64,
    },
    /// A line splits into more columns than any spreadsheet has.
    #[error("{file}: line {line} splits into {columns} columns, more than the 16,384 a spreadsheet can have, so this is not a table of clients. Check that the right delimiter was chosen, or export the file again.")]
    TooManyColumns {
        /// File name as shown to the user.
        file: String,
        /// The line.
        line: u64,
        /// How many columns it has.
        columns: u64,
    },
    /// The delimited text is malformed in a way the reader cannot recover from.
    #[error("{file}: line {line} could not be read ({reason}). Check that line in a text editor, or export the file again.")]
    Malformed {
        /// File name as shown to the user.
        file: String,
        /// Line where the problem is.
        line: u64,
        /// What went wrong.
        reason: String,
    },
    /// The user cancelled a long read.
    #[error("Reading {file} was cancelled.")]
    Cancelled {
        /// File name as shown to the user.
        file: String,
    },
}

impl ReadError {
    /// The sentence to show the user: what happened and what to do (same as `Display`).
    pub fn user_message(&self) -> String {
        self.to_string()
    }

    /// Stable machine-readable kind, the same as the `code` field of the serialized error.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Io { .. } => "io",
            ReadError::NotAFile { .. } => "not_a_file",
            ReadError::Empty { .. } => "empty",
            ReadError::NotTabular { .. } => "not_tabular",
            ReadError::NeedsResave { .. } => "needs_resave",
            ReadError::Archive { .. } => "archive",
            ReadError::PasswordProtected { .. } => "password_protected",
            ReadError::CorruptWorkbook { .. } => "corrupt_workbook",
            ReadError::WorkbookTooLarge { .. } => "workbook_too_large",
            ReadError::NoSuchSheet { .. } => "no_such_sheet",
            ReadError::NoData { .. } => "no_data",
            ReadError::NoSheets { .. } => "no_sheets",
            ReadError::HeaderRowNeedsSheet { .. } => "header_row_needs_sheet",
            ReadError::UnknownEncoding { .. } => "unknown_encoding",
            ReadError::HeaderRowOutOfRange { .. } => "header_row_out_of_range",
            ReadError::FieldTooLarge { .. } => "field_too_large",
            ReadError::RunawayQuote { .. } => "runaway_quote",
            ReadError::TooManyColumns { .. } => "too_many_columns",
            ReadError::Malformed { .. } => "malformed",
            ReadError::Cancelled { .. } => "cancelled",
        }
    }

    pub(crate) fn io(path: &Path, e: &std::io::Error) -> Self {
        ReadError::Io {
            file: display_name(path),
            reason: e.to_string(),
        }
    }
}

/// The file name a person recognizes: the last path component, or the whole path.
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| PathBuf::from(path).display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_matches_the_serialized_tag() {
        let errors = [
            ReadError::Empty {
                file: "a.csv".into(),
            },
            ReadError::NeedsResave {
                file: "a.xls".into(),
                what: "a web page".into(),
            },
            ReadError::HeaderRowOutOfRange {
                file: "a.csv".into(),
                row: 9,
                rows: 3,
            },
            ReadError::FieldTooLarge {
                file: "a.csv".into(),
                line: 2,
                limit_mb: 32,
            },
        ];
        for e in errors {
            let json = serde_json::to_value(&e).unwrap_or_default();
            assert_eq!(json["code"], e.code());
            assert!(e.user_message().starts_with("a."), "{e}");
        }
    }
}
