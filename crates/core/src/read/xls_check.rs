//! A look inside an XLS file before calamine opens it. Calamine sizes memory from what the
//! file declares (a sheet's DIMENSIONS, the row and column of each cell); a damaged file
//! declares billions of cells, and a failed allocation aborts the whole program instead of
//! returning an error. So the container and those numbers are checked first.

use std::io::{BufReader, Read};
use std::path::Path;

/// BIFF8 sheets hold at most 65,536 rows and 256 columns.
const MAX_ROWS: u32 = 65_536;
const MAX_COLUMNS: u32 = 256;

/// Why the file is damaged, if its container or a declared size is impossible.
pub(crate) fn damage(path: &Path) -> Option<String> {
    // Calamine follows a damaged container leniently, into records that are garbage;
    // Excel and LibreOffice write containers this stricter reader accepts.
    let mut book = match cfb::open(path) {
        Ok(book) => book,
        Err(e) => return Some(format!("its internal file table is inconsistent: {e}")),
    };
    let stream = ["/Workbook", "/Book"]
        .into_iter()
        .find(|name| book.is_stream(name))?;
    let mut records = BufReader::new(book.open_stream(stream).ok()?);
    let mut header = [0u8; 4];
    let mut data = vec![0u8; usize::from(u16::MAX)];
    while records.read_exact(&mut header).is_ok() {
        let typ = u16::from_le_bytes([header[0], header[1]]);
        let len = usize::from(u16::from_le_bytes([header[2], header[3]]));
        let body = &mut data[..len];
        if records.read_exact(body).is_err() {
            break;
        }
        let problem = match typ {
            0x0200 => check_dimensions(body),
            _ => check_cell(typ, body),
        };
        if problem.is_some() {
            return problem;
        }
    }
    None
}

/// Cell records (MS-XLS 2.4): row and first column at the start; MULRK and MULBLANK
/// also end with their last column.
fn check_cell(typ: u16, r: &[u8]) -> Option<String> {
    const CELLS: [u16; 10] = [
        0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00BD, 0x00BE, 0x00D6,
    ];
    if !CELLS.contains(&typ) || r.len() < 4 {
        return None;
    }
    let col = u32::from(u16::from_le_bytes([r[2], r[3]]));
    let last = if matches!(typ, 0x00BD | 0x00BE) && r.len() >= 6 {
        u32::from(u16::from_le_bytes([r[r.len() - 2], r[r.len() - 1]]))
    } else {
        col
    };
    (col >= MAX_COLUMNS || last >= MAX_COLUMNS).then(|| {
        format!(
            "a cell is placed in column {}, beyond the 256 an XLS sheet has",
            col.max(last) + 1
        )
    })
}

/// DIMENSIONS (MS-XLS 2.4.90): first row, last row + 1, first column, last column + 1.
fn check_dimensions(r: &[u8]) -> Option<String> {
    let u16_at = |i: usize| {
        r.get(i..i + 2)
            .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |i: usize| {
        r.get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (first_row, rows_end, first_col, cols_end) = match r.len() {
        10 => (u16_at(0)?, u16_at(2)?, u16_at(4)?, u16_at(6)?),
        14 | 16 => (u32_at(0)?, u32_at(4)?, u16_at(8)?, u16_at(10)?),
        _ => return None,
    };
    let bad = rows_end > MAX_ROWS
        || first_row > rows_end
        || cols_end > MAX_COLUMNS
        || (first_col <= 0xFF && first_col > cols_end);
    bad.then(|| {
        format!("a sheet declares rows {first_row}–{rows_end} and columns {first_col}–{cols_end}, more than an XLS file can hold")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(first_row: u32, rows_end: u32, first_col: u16, cols_end: u16) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend(first_row.to_le_bytes());
        r.extend(rows_end.to_le_bytes());
        r.extend(first_col.to_le_bytes());
        r.extend(cols_end.to_le_bytes());
        r.extend([0, 0]);
        r
    }

    #[test]
    fn sizes_an_xls_can_hold_pass() {
        assert_eq!(check_dimensions(&record(0, 65_536, 0, 256)), None);
        assert_eq!(check_dimensions(&record(3, 6, 0, 5)), None);
        assert_eq!(check_dimensions(&record(0, 0, 0, 0)), None);
    }

    #[test]
    fn impossible_sizes_are_caught() {
        assert!(check_dimensions(&record(0, 5_000_000, 0, 5)).is_some());
        assert!(check_dimensions(&record(9, 3, 0, 5)).is_some());
        assert!(check_dimensions(&record(0, 10, 0, 40_000)).is_some());
    }

    #[test]
    fn cells_beyond_the_last_column_are_caught() {
        // LABELSST at row 2, column 78 is fine; column 300 is not; MULRK ending at 400 neither.
        assert_eq!(check_cell(0x00FD, &[2, 0, 78, 0, 15, 0, 1, 0, 0, 0]), None);
        assert!(check_cell(0x00FD, &[2, 0, 0x2C, 1, 15, 0, 1, 0, 0, 0]).is_some());
        assert!(check_cell(0x00BD, &[2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x90, 1]).is_some());
        assert_eq!(check_cell(0x0809, &[0, 6, 0, 0x10]), None);
    }

    #[test]
    fn the_clinic_fixture_passes() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/read/clinic.xls");
        assert_eq!(damage(&path), None);
    }
}
