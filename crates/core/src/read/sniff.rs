//! Tells what kind of file this is from its bytes, never from its name: clinics rename
//! files freely (an `.xls` that is really HTML, a PDF saved as `.csv`).

use std::io::Read;
use std::path::Path;

use super::error::{display_name, ReadError};
use super::FileFormat;

/// How many bytes from the start are enough to recognize every format we handle.
const HEAD_BYTES: usize = 64 * 1024;

/// The first bytes of a file, kept for the later steps that sniff encoding and delimiter.
pub(crate) struct Head {
    pub bytes: Vec<u8>,
    pub file_len: u64,
}

pub(crate) fn read_head(path: &Path) -> Result<Head, ReadError> {
    let mut file = std::fs::File::open(path).map_err(|e| ReadError::io(path, &e))?;
    let file_len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(HEAD_BYTES.min(file_len as usize));
    file.by_ref()
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::io(path, &e))?;
    Ok(Head { bytes, file_len })
}

/// Decides the format, or says in words what the file is instead.
pub(crate) fn detect_format(path: &Path, head: &Head) -> Result<FileFormat, ReadError> {
    let b = &head.bytes;
    let file = display_name(path);
    if b.is_empty() {
        return Err(ReadError::Empty { file });
    }
    if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        return zip_format(b).ok_or_else(|| ReadError::NotTabular {
            file,
            looks_like: "a ZIP archive, not an Excel or OpenDocument workbook".into(),
        });
    }
    if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // Excel stores password-protected .xlsx files in this old container too,
        // with an `EncryptionInfo` stream instead of a workbook.
        if contains_utf16le(b, "EncryptionInfo") || contains_utf16le(b, "EncryptedPackage") {
            return Err(ReadError::PasswordProtected { file });
        }
        return Ok(FileFormat::Xls);
    }
    if let Some(what) = known_binary(b) {
        return Err(ReadError::NotTabular {
            file,
            looks_like: what.into(),
        });
    }
    Ok(FileFormat::Csv)
}

/// Which workbook a ZIP holds, from the member names in its local headers.
fn zip_format(b: &[u8]) -> Option<FileFormat> {
    let has = |name: &[u8]| b.windows(name.len()).any(|w| w == name);
    if has(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet") {
        return Some(FileFormat::Ods);
    }
    if has(b"xl/workbook.bin") {
        return Some(FileFormat::Xlsb);
    }
    if has(b"xl/vbaProject.bin") || has(b"macroEnabled") {
        return Some(FileFormat::Xlsm);
    }
    if has(b"xl/") || has(b"[Content_Types].xml") {
        // Member order varies between producers; `[Content_Types].xml` alone is also
        // Word or PowerPoint, which the workbook reader will then reject clearly.
        return Some(FileFormat::Xlsx);
    }
    None
}

fn contains_utf16le(haystack: &[u8], needle: &str) -> bool {
    let wide: Vec<u8> = needle
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    haystack.windows(wide.len()).any(|w| w == wide.as_slice())
}

/// Recognizes common non-tabular files by their signatures.
fn known_binary(b: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xBC\xAF", "a 7-Zip archive"),
        (b"\x7FELF", "a Linux program"),
        (b"SQLite format 3", "an SQLite database"),
        (b"{\\rtf", "a Rich Text (RTF) document"),
    ];
    SIGNATURES
        .iter()
        .find(|(sig, _)| b.starts_with(sig))
        .map(|(_, what)| *what)
}
