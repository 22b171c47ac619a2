//! Source tables from files on disk, through the reader: a CSV file is one table, a
//! workbook one table per sheet with data.

use std::path::{Path, PathBuf};

use crate::read::{self, display_name, ReadError, ReadOptions};

use super::table::{SourceRow, SourceTable};

/// One table to read: a file, or one sheet of a workbook.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableSource {
    /// The file.
    pub path: PathBuf,
    /// The sheet, for workbooks.
    pub sheet: Option<String>,
    /// The label used in mappings and findings: `file` or `file [sheet]`.
    pub label: String,
    /// How the file is read: the user's overrides of header row, encoding and delimiter.
    pub options: ReadOptions,
}

/// Lists the tables of the given files: every sheet with data of a workbook.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<TableSource>, ReadError> {
    let inputs: Vec<(PathBuf, ReadOptions)> = paths
        .iter()
        .map(|p| (p.clone(), ReadOptions::default()))
        .collect();
    discover_with(&inputs)
}

/// Like [`discover`], each file read with the user's overrides. A file whose options name a
/// sheet gives that one table; otherwise every sheet with data is a table, each read with its
/// own header row (`ReadOptions::header_rows`).
pub fn discover_with(inputs: &[(PathBuf, ReadOptions)]) -> Result<Vec<TableSource>, ReadError> {
    let mut out = Vec::new();
    discover_open(inputs, &mut |s, _| {
        out.push(s);
        Ok(())
    })?;
    Ok(out)
}

/// Like [`discover_with`], each table handed to `each` with its rows open: the stream that
/// found a file's tables goes on to read them, so a text file is opened once (a workbook once
/// per sheet). One table at a time: a workbook's thousands of sheets are never all held.
pub fn discover_open<E: From<ReadError>>(
    inputs: &[(PathBuf, ReadOptions)],
    each: &mut dyn FnMut(TableSource, read::RowStream) -> Result<(), E>,
) -> Result<(), E> {
    for (path, asked) in inputs {
        let file = display_name(path);
        let first = read::open_rows(path, asked)?;
        let chosen = &asked.for_sheets(&file, first.sheets())?;
        // A sheet's header row named in other letters than the sheet's: read it again with
        // the name the reader matches.
        let first = if chosen == asked {
            first
        } else {
            read::open_rows(path, chosen)?
        };
        let sheets: Vec<String> = first
            .sheets()
            .iter()
            .filter(|s| s.has_data)
            .map(|s| s.name.clone())
            .collect();
        if sheets.len() > 1 && chosen.sheet.is_none() {
            let per_sheet = chosen.clone();
            let mut first = Some(first);
            for sheet in sheets {
                let source = TableSource {
                    path: path.clone(),
                    label: format!("{file} [{sheet}]"),
                    sheet: Some(sheet),
                    options: per_sheet.clone(),
                };
                let rows = match first.take_if(|f| f.sheet() == source.sheet.as_deref()) {
                    Some(rows) => rows,
                    None => open(&source)?,
                };
                each(source, rows)?;
            }
        } else {
            let label = match (&chosen.sheet, first.sheet()) {
                (Some(sheet), _) if sheets.len() > 1 => format!("{file} [{sheet}]"),
                _ => file,
            };
            let source = TableSource {
                path: path.clone(),
                sheet: first.sheet().map(str::to_owned),
                label,
                options: chosen.clone(),
            };
            each(source, first)?;
        }
    }
    Ok(())
}

fn options(source: &TableSource) -> ReadOptions {
    ReadOptions {
        sheet: source.sheet.clone(),
        ..source.options.clone()
    }
}

/// Reads the headers and up to `max_rows` rows of a table.
pub fn sample(source: &TableSource, max_rows: usize) -> Result<SourceTable, ReadError> {
    let (headers, rows) = stream(source)?;
    let mut sampled = Vec::new();
    for row in rows.take(max_rows) {
        sampled.push(row?);
    }
    Ok(SourceTable {
        name: source.label.clone(),
        headers,
        rows: sampled,
    })
}

/// Opens a table's rows with the reader's notes (ragged rows…) available at the end.
pub fn open(source: &TableSource) -> Result<read::RowStream, ReadError> {
    read::open_rows(&source.path, &options(source))
}

/// Opens a table for streaming all its rows.
pub fn stream(
    source: &TableSource,
) -> Result<
    (
        Vec<String>,
        impl Iterator<Item = Result<SourceRow, ReadError>>,
    ),
    ReadError,
> {
    let rows = read::open_rows(&source.path, &options(source))?;
    let headers = rows.columns().to_vec();
    Ok((
        headers,
        rows.map(|r| {
            r.map(|r| SourceRow {
                number: r.number,
                cells: r.cells,
            })
        }),
    ))
}

/// Reads every table of the given files whole (small files, tests).
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<SourceTable>, ReadError> {
    discover(paths)?
        .iter()
        .map(|s| sample(s, usize::MAX))
        .collect()
}

/// The file name of a path, for labels.
pub fn label_of(path: &Path) -> String {
    display_name(path)
}
