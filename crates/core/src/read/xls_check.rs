//! A look inside an XLS file before calamine opens it. Calamine sizes memory from what the
//! file declares (a stream's size, a sheet's DIMENSIONS, the row and column of each cell)
//! and follows the container's sector chains wherever they lead; a damaged file declares
//! billions of bytes or cells, or a chain that loops, and a failed allocation aborts the
//! whole program instead of returning an error. So the container and those numbers are
//! checked first.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// BIFF8 sheets hold at most 65,536 rows and 256 columns.
const MAX_ROWS: u32 = 65_536;
const MAX_COLUMNS: u32 = 256;

/// Why the file is damaged, if its container or a declared size is impossible.
pub(crate) fn damage(path: &Path) -> Option<String> {
    if let Some(reason) = container_damage(path) {
        return Some(format!("its internal file table is broken: {reason}"));
    }
    // Calamine follows a damaged container leniently, into records that are garbage;
    // Excel and LibreOffice write containers this stricter reader accepts.
    let mut book = match cfb::open(path) {
        Ok(book) => book,
        Err(e) => return Some(format!("its internal file table is inconsistent: {e}")),
    };
    let stream = ["/Workbook", "/Book"]
        .into_iter()
        .find(|name| book.is_stream(name))?;
    let stream = match book.open_stream(stream) {
        Ok(stream) => stream,
        Err(e) => return Some(format!("its {} stream cannot be read: {e}", &stream[1..])),
    };
    let mut records = BufReader::new(stream);
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

/// Sector ids at or above this are markers (free, end of chain, FAT, DIFAT), not sectors.
const MAX_REGULAR_SECTOR: u32 = 0xFFFF_FFFA;
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;
/// Streams shorter than this live in the mini stream, in 64-byte mini sectors (MS-CFB 2.2).
const MINI_STREAM_CUTOFF: u64 = 4096;
const MINI_SECTOR: u64 = 64;

/// The container walked the way calamine's own reader walks it (`calamine::cfb`), so that
/// every chain it would follow is known to end, inside the file, before it follows it.
fn container_damage(path: &Path) -> Option<String> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    check_container(&mut file, len).err()
}

/// Checks the header, the allocation tables, the directory and the streams calamine reads.
/// A header calamine itself refuses (a wrong sector size) passes: calamine reports it.
fn check_container(r: &mut (impl Read + Seek), len: u64) -> Result<(), String> {
    let mut header = [0u8; 512];
    if r.read_exact(&mut header).is_err() {
        return Ok(());
    }
    let u16_at = |i: usize| u16::from_le_bytes([header[i], header[i + 1]]);
    let u32_at =
        |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let sector = match (u16_at(30), u16_at(32)) {
        (9, 6) => 512,
        (12, 6) => 4096,
        _ => return Ok(()),
    };
    let mut file = Sectors { r, len, sector };
    let fat = file.fat(&header)?;
    let directory = file.chain("directory", u32_at(48), u64::MAX, &fat)?;
    let entries = file.directory(&directory)?;
    let Some(root) = entries.first() else {
        return Ok(());
    };
    let mini_fat_sectors = u64::from(u32_at(64));
    let mini = if mini_fat_sectors > 0 {
        let stream = file.stream("mini stream", root, &fat)?;
        let table_len = mini_fat_sectors.saturating_mul(sector);
        file.fits("mini allocation table", table_len)?;
        let table = file.chain("mini allocation table", u32_at(60), table_len, &fat)?;
        let mut mini_fat = Vec::new();
        for id in table {
            mini_fat.extend(file.read_u32s(id)?);
        }
        // Calamine keeps the declared length of the mini allocation table, not the chain's.
        mini_fat.truncate(usize::try_from(table_len / 4).unwrap_or(usize::MAX));
        let bytes = stream.len() as u64 * sector;
        Some((mini_fat, root.len.min(bytes).div_ceil(MINI_SECTOR)))
    } else {
        None
    };
    // Calamine reads the first entry named Workbook (any case), else the first named Book.
    for name in ["Workbook", "Book"] {
        let Some(entry) = entries.iter().find(|e| e.name.eq_ignore_ascii_case(name)) else {
            continue;
        };
        if entry.len < MINI_STREAM_CUTOFF {
            mini_chain(entry, mini.as_ref())?;
        } else {
            file.stream(&format!("{} stream", entry.name), entry, &fat)?;
        }
    }
    Ok(())
}

/// One directory entry, as calamine reads it.
struct Entry {
    name: String,
    start: u32,
    len: u64,
}

/// The sectors of a compound file on disk, read one at a time.
struct Sectors<'a, R> {
    r: &'a mut R,
    len: u64,
    sector: u64,
}

impl<R: Read + Seek> Sectors<'_, R> {
    /// How many sectors begin inside the file (the header takes the first sector's place).
    fn count(&self) -> u64 {
        self.len.saturating_sub(self.sector).div_ceil(self.sector)
    }

    /// The bytes of one sector (fewer when the file ends inside it).
    fn read(&mut self, id: u32) -> Result<Vec<u8>, String> {
        let start = (u64::from(id) + 1) * self.sector;
        let n = self.sector.min(self.len.saturating_sub(start));
        let mut bytes = vec![0u8; usize::try_from(n).unwrap_or(0)];
        self.r
            .seek(SeekFrom::Start(start))
            .and_then(|_| self.r.read_exact(&mut bytes))
            .map_err(|e| format!("sector {id} could not be read ({e})"))?;
        Ok(bytes)
    }

    fn read_u32s(&mut self, id: u32) -> Result<Vec<u32>, String> {
        Ok(self
            .read(id)?
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// A sector id that names no sector of the file is damage, whatever refers to it.
    fn check_id(&self, what: impl FnOnce() -> String, id: u32) -> Result<(), String> {
        if id >= MAX_REGULAR_SECTOR || u64::from(id) >= self.count() {
            return Err(format!(
                "the {} points to sector {id}, past the end of the file (it has {} sectors)",
                what(),
                self.count()
            ));
        }
        Ok(())
    }

    /// A declared size no larger than the file: every stream is stored inside it.
    fn fits(&self, what: &str, declared: u64) -> Result<(), String> {
        if declared > self.len {
            return Err(format!(
                "its {what} claims {declared} bytes, more than the whole file ({} bytes)",
                self.len
            ));
        }
        Ok(())
    }

    /// The FAT, from the sectors the header's and the DIFAT chain's entries list.
    fn fat(&mut self, header: &[u8; 512]) -> Result<Vec<u32>, String> {
        let mut listed: Vec<u32> = header[76..]
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let mut next = u32::from_le_bytes([header[68], header[69], header[70], header[71]]);
        let mut seen = HashSet::new();
        while next < MAX_REGULAR_SECTOR {
            self.check_id(|| "allocation table index (DIFAT)".into(), next)?;
            if !seen.insert(next) {
                return Err(format!(
                    "its allocation table index (DIFAT) loops back to sector {next}"
                ));
            }
            listed.extend(self.read_u32s(next)?);
            // The last entry of a DIFAT sector names the next DIFAT sector.
            next = listed.pop().unwrap_or(END_OF_CHAIN);
        }
        let mut fat = Vec::new();
        let mut seen = HashSet::new();
        for id in listed.into_iter().filter(|&id| id < DIFAT_SECTOR) {
            self.check_id(|| "allocation table index (DIFAT)".into(), id)?;
            // Each FAT sector once: a sector listed again and again would multiply the
            // table calamine builds far beyond the file's size.
            if !seen.insert(id) {
                return Err(format!(
                    "its allocation table index (DIFAT) lists sector {id} twice"
                ));
            }
            fat.extend(self.read_u32s(id)?);
        }
        Ok(fat)
    }

    /// The sectors of a chain, as far as `len` bytes need (to its end when `len` is
    /// `u64::MAX`): every one inside the file, none twice.
    fn chain(&mut self, what: &str, start: u32, len: u64, fat: &[u32]) -> Result<Vec<u32>, String> {
        let mut ids = Vec::new();
        let mut seen = HashSet::new();
        let mut bytes = 0u64;
        let mut id = start;
        while id != END_OF_CHAIN {
            self.check_id(|| format!("sector chain of its {what}"), id)?;
            if !seen.insert(id) {
                return Err(format!(
                    "the sector chain of its {what} loops back to sector {id}"
                ));
            }
            ids.push(id);
            let begins = (u64::from(id) + 1) * self.sector;
            bytes += self.sector.min(self.len.saturating_sub(begins));
            if bytes >= len {
                break;
            }
            id = *fat.get(id as usize).ok_or_else(|| {
                format!("the sector chain of its {what} reaches sector {id}, which the allocation table does not cover")
            })?;
        }
        Ok(ids)
    }

    /// The chain of a stream stored in regular sectors, after its declared size.
    fn stream(&mut self, what: &str, entry: &Entry, fat: &[u32]) -> Result<Vec<u32>, String> {
        self.fits(what, entry.len)?;
        self.chain(what, entry.start, entry.len, fat)
    }

    /// The directory entries held by the directory's sectors.
    fn directory(&mut self, ids: &[u32]) -> Result<Vec<Entry>, String> {
        let mut entries = Vec::new();
        for &id in ids {
            let bytes = self.read(id)?;
            for raw in bytes.chunks_exact(128) {
                let units: Vec<u16> = raw[..64]
                    .chunks_exact(2)
                    .map(|b| u16::from_le_bytes([b[0], b[1]]))
                    .collect();
                let mut name = String::from_utf16_lossy(&units);
                if let Some(end) = name.find('\0') {
                    name.truncate(end);
                }
                let start = u32::from_le_bytes([raw[116], raw[117], raw[118], raw[119]]);
                let mut size = [0u8; 8];
                // Version 3 files (512-byte sectors) keep only the low 32 bits of the size.
                let size_len = if self.sector == 512 { 4 } else { 8 };
                size[..size_len].copy_from_slice(&raw[120..120 + size_len]);
                entries.push(Entry {
                    name,
                    start,
                    len: u64::from_le_bytes(size),
                });
            }
        }
        Ok(entries)
    }
}

/// A short stream's chain of mini sectors: inside the mini stream, none twice.
fn mini_chain(entry: &Entry, mini: Option<&(Vec<u32>, u64)>) -> Result<(), String> {
    let what = format!("{} stream", entry.name);
    let Some((mini_fat, mini_sectors)) = mini else {
        return Err(format!(
            "its {what} is stored in a mini stream that the file does not have"
        ));
    };
    let mut seen = HashSet::new();
    let mut bytes = 0u64;
    let mut id = entry.start;
    while id != END_OF_CHAIN {
        if u64::from(id) >= *mini_sectors {
            return Err(format!(
                "the mini sector chain of its {what} points to mini sector {id}, past the end of the mini stream"
            ));
        }
        if !seen.insert(id) {
            return Err(format!(
                "the mini sector chain of its {what} loops back to mini sector {id}"
            ));
        }
        bytes += MINI_SECTOR;
        if bytes >= entry.len {
            break;
        }
        id = *mini_fat.get(id as usize).ok_or_else(|| {
            format!("the mini sector chain of its {what} reaches mini sector {id}, which the mini allocation table does not cover")
        })?;
    }
    Ok(())
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

    /// A version 3 compound file: the FAT in sector 0, the directory in sector 1, then
    /// `sectors`; `mini_fat` is the header's (first sector, sector count).
    fn compound(
        fat: &[u32],
        entries: &[(&str, u8, u32, u32)],
        sectors: &[Vec<u8>],
        mini_fat: (u32, u32),
    ) -> Vec<u8> {
        let mut file = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        file.resize(24, 0);
        for v in [0x3Eu16, 3, 0xFFFE, 9, 6] {
            file.extend(v.to_le_bytes());
        }
        file.resize(44, 0);
        for v in [1, 1, 0, 4096, mini_fat.0, mini_fat.1, END_OF_CHAIN, 0, 0] {
            file.extend(u32::to_le_bytes(v));
        }
        file.resize(512, 0xFF);
        let mut fat_sector: Vec<u8> = fat.iter().flat_map(|v| v.to_le_bytes()).collect();
        fat_sector.resize(512, 0xFF);
        file.extend(fat_sector);
        let mut directory = Vec::new();
        for (i, &(name, kind, start, size)) in entries.iter().enumerate() {
            let mut entry: Vec<u8> = name
                .encode_utf16()
                .chain([0])
                .flat_map(u16::to_le_bytes)
                .collect();
            let name_len = entry.len() as u16;
            entry.resize(64, 0);
            entry.extend(name_len.to_le_bytes());
            entry.extend([kind, 1]);
            let child = if i == 0 { 1 } else { u32::MAX };
            for v in [u32::MAX, u32::MAX, child] {
                entry.extend(v.to_le_bytes());
            }
            entry.resize(116, 0);
            entry.extend(start.to_le_bytes());
            entry.extend(size.to_le_bytes());
            entry.resize(128, 0);
            directory.extend(entry);
        }
        directory.resize(512, 0);
        file.extend(directory);
        for s in sectors {
            let mut s = s.clone();
            s.resize(512, 0);
            file.extend(s);
        }
        file
    }

    fn container(bytes: Vec<u8>) -> Result<(), String> {
        let len = bytes.len() as u64;
        check_container(&mut std::io::Cursor::new(bytes), len)
    }

    #[test]
    fn a_short_stream_in_a_looping_mini_chain_is_caught() {
        const FAT: u32 = 0xFFFF_FFFD;
        // The mini stream (two mini sectors) in sector 2, its allocation table in sector 3:
        // mini sector 0 leads to 1 and 1 back to 0, for a 200-byte Workbook stream.
        let mini_fat: Vec<u8> = [1u32, 0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let looping = compound(
            &[FAT, END_OF_CHAIN, END_OF_CHAIN, END_OF_CHAIN],
            &[("Root Entry", 5, 2, 128), ("Workbook", 2, 0, 200)],
            &[vec![0; 128], mini_fat],
            (3, 1),
        );
        assert_eq!(
            container(looping),
            Err("the mini sector chain of its Workbook stream loops back to mini sector 0".into())
        );
        let ending: Vec<u8> = [1u32, END_OF_CHAIN]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let fine = compound(
            &[FAT, END_OF_CHAIN, END_OF_CHAIN, END_OF_CHAIN],
            &[("Root Entry", 5, 2, 128), ("Workbook", 2, 0, 100)],
            &[vec![0; 128], ending],
            (3, 1),
        );
        assert_eq!(container(fine), Ok(()));
        // A short stream needs a mini stream to live in.
        let homeless = compound(
            &[FAT, END_OF_CHAIN],
            &[("Root Entry", 5, END_OF_CHAIN, 0), ("Book", 2, 0, 100)],
            &[],
            (END_OF_CHAIN, 0),
        );
        assert_eq!(
            container(homeless),
            Err("its Book stream is stored in a mini stream that the file does not have".into())
        );
    }

    #[test]
    fn a_chain_leaving_the_file_is_caught() {
        const FAT: u32 = 0xFFFF_FFFD;
        // The file ends after sector 8; the Workbook chain goes on from sector 2 to 40.
        let file = compound(
            &[FAT, END_OF_CHAIN, 40],
            &[("Root Entry", 5, END_OF_CHAIN, 0), ("Workbook", 2, 2, 4096)],
            &vec![vec![0; 512]; 7],
            (END_OF_CHAIN, 0),
        );
        assert_eq!(
            container(file),
            Err("the sector chain of its Workbook stream points to sector 40, past the end of the file (it has 9 sectors)".into())
        );
    }

    #[test]
    fn the_clinic_fixture_passes() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/read/clinic.xls");
        assert_eq!(
            check_container(
                &mut File::open(&path).unwrap(),
                path.metadata().unwrap().len()
            ),
            Ok(())
        );
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/read/clinic.xls");
        assert_eq!(damage(&path), None);
    }
}
