//! The table abstraction the engine works on, independent of how a file was read.

use serde::{Deserialize, Serialize};

/// One data row: the row number a person sees in the spreadsheet, and its cells.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    /// The row number as shown by a spreadsheet program or text editor.
    pub number: u64,
    /// One cell per column (missing trailing cells read as empty).
    pub cells: Vec<String>,
}

/// A table of a source file (a CSV file, or one sheet of a workbook): headers and the
/// rows sampled for suggestion (the converter streams all rows separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceTable {
    /// A label for people and findings: the file name, or `file [sheet]`.
    pub name: String,
    /// Column names, unique.
    pub headers: Vec<String>,
    /// Sampled rows (a few thousand are plenty for suggestion).
    pub rows: Vec<SourceRow>,
}

impl SourceTable {
    /// The values of one column, empty where a row is short.
    pub fn column(&self, index: usize) -> impl Iterator<Item = &str> {
        self.rows
            .iter()
            .map(move |r| r.cells.get(index).map_or("", String::as_str))
    }

    /// Builds a table from CSV text with a header row (for tests and small inputs).
    pub fn from_csv(name: &str, text: &str) -> Result<SourceTable, csv::Error> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record?;
            let number = record.position().map_or(i as u64 + 2, |p| p.line());
            rows.push(SourceRow {
                number,
                cells: record.iter().map(str::to_string).collect(),
            });
        }
        Ok(SourceTable {
            name: name.to_string(),
            headers,
            rows,
        })
    }
}
