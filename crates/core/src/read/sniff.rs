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
    /// The file, open: a text file's rows are read through it, so it is opened once.
    pub file: std::fs::File,
}

pub(crate) fn read_head(path: &Path) -> Result<Head, ReadError> {
    // Checked before opening: opening a named pipe waits for a writer that may never come.
    let kind = std::fs::metadata(path)
        .map_err(|e| ReadError::io(path, &e))?
        .file_type();
    if !kind.is_file() {
        return Err(ReadError::NotAFile {
            file: display_name(path),
            what: special_kind(kind).into(),
        });
    }
    let mut file = std::fs::File::open(path).map_err(|e| ReadError::io(path, &e))?;
    let file_len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(HEAD_BYTES.min(file_len as usize));
    file.by_ref()
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::io(path, &e))?;
    Ok(Head {
        bytes,
        file_len,
        file,
    })
}

/// What a path that is not a regular file is, in words.
fn special_kind(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "something other than a file"
    }
}

/// Decides the format, or says in words what the file is instead.
pub(crate) fn detect_format(path: &Path, head: &Head) -> Result<FileFormat, ReadError> {
    let b = &head.bytes;
    let file = display_name(path);
    if b.is_empty() {
        return Err(ReadError::Empty { file });
    }
    if b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") {
        return zip_format_remembered(path, b);
    }
    if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // Excel stores password-protected .xlsx files in this old container too,
        // with an `EncryptionInfo` stream instead of a workbook.
        if contains_utf16le(b, "EncryptionInfo") || contains_utf16le(b, "EncryptedPackage") {
            return Err(ReadError::PasswordProtected { file });
        }
        if contains_utf16le(b, "WordDocument") {
            return Err(ReadError::NotTabular {
                file,
                looks_like: "a Word document".into(),
            });
        }
        return Ok(FileFormat::Xls);
    }
    if let Some(what) = known_binary(b) {
        return Err(ReadError::NotTabular {
            file,
            looks_like: what.into(),
        });
    }
    match markup(b) {
        Some(Markup::Resave(what)) => Err(ReadError::NeedsResave {
            file,
            what: what.into(),
        }),
        Some(Markup::Other(what)) => Err(ReadError::NotTabular {
            file,
            looks_like: what.into(),
        }),
        None => Ok(FileFormat::Csv),
    }
}

/// The file a ZIP format was last decided for: its path, size and modification time.
type ZipIdentity = (std::path::PathBuf, u64, std::time::SystemTime);

/// [`zip_format`], remembered for the last workbook: each sheet of a workbook is opened on
/// its own, and reading the ZIP directory again for each of 5,000 sheets was most of the
/// time. A file changed since (size or modification time) is looked at afresh.
fn zip_format_remembered(path: &Path, head: &[u8]) -> Result<FileFormat, ReadError> {
    static LAST: std::sync::Mutex<Option<(ZipIdentity, FileFormat)>> = std::sync::Mutex::new(None);
    let identity = std::fs::metadata(path)
        .ok()
        .and_then(|m| Some((path.to_path_buf(), m.len(), m.modified().ok()?)));
    if let (Some(id), Ok(last)) = (&identity, LAST.lock()) {
        if let Some((seen, format)) = last.as_ref() {
            if seen == id {
                return Ok(*format);
            }
        }
    }
    let format = zip_format(path, head)?;
    if let (Some(id), Ok(mut last)) = (identity, LAST.lock()) {
        *last = Some((id, format));
    }
    Ok(format)
}

/// Which workbook a ZIP holds, from its member names (and content types, which alone tell
/// a macro-enabled workbook that has no macros yet).
fn zip_format(path: &Path, head: &[u8]) -> Result<FileFormat, ReadError> {
    let file = display_name(path);
    let archive = std::fs::File::open(path)
        .map_err(|e| ReadError::io(path, &e))
        .map(|f| zip::ZipArchive::new(std::io::BufReader::new(f)));
    let mut archive = match archive? {
        Ok(a) => a,
        // No readable directory: a cut-off download. The names in the first local headers
        // still tell a workbook, which the workbook reader then reports as damaged.
        Err(_) => {
            return head_zip_format(head).ok_or(ReadError::NotTabular {
                file,
                looks_like: "a damaged ZIP archive, not an Excel or OpenDocument workbook".into(),
            })
        }
    };
    let names: Vec<String> = archive
        .file_names_raw()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    let has_prefix = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    if has("mimetype") {
        let mimetype = read_member(&mut archive, "mimetype", 256);
        if mimetype.starts_with("application/vnd.oasis.opendocument.spreadsheet") {
            return Ok(FileFormat::Ods);
        }
        if mimetype.starts_with("application/vnd.oasis.opendocument.text") {
            return Err(ReadError::NotTabular {
                file,
                looks_like: "an OpenDocument text document".into(),
            });
        }
    }
    if has("xl/workbook.bin") {
        return Ok(FileFormat::Xlsb);
    }
    if has("xl/workbook.xml") || has_prefix("xl/") {
        let types = read_member(&mut archive, "[Content_Types].xml", 1024 * 1024);
        return Ok(
            if has("xl/vbaProject.bin") || types.contains("macroEnabled") {
                FileFormat::Xlsm
            } else {
                FileFormat::Xlsx
            },
        );
    }
    if has_prefix("word/") {
        return Err(ReadError::NotTabular {
            file,
            looks_like: "a Word document".into(),
        });
    }
    if has_prefix("ppt/") {
        return Err(ReadError::NotTabular {
            file,
            looks_like: "a PowerPoint presentation".into(),
        });
    }
    if has_prefix("Index/") && names.iter().any(|n| n.ends_with(".iwa")) {
        return Err(ReadError::NeedsResave {
            file,
            what: "an Apple Numbers spreadsheet".into(),
        });
    }
    let exports: Vec<&str> = names
        .iter()
        .filter(|n| !n.ends_with('/') && !n.starts_with("__MACOSX"))
        .map(|n| n.rsplit('/').next().unwrap_or(n))
        .filter(|n| {
            let lower = n.to_lowercase();
            [
                ".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods",
            ]
            .iter()
            .any(|ext| lower.ends_with(ext))
        })
        .take(5)
        .collect();
    Err(ReadError::Archive {
        file,
        inside: if exports.is_empty() {
            "no CSV or spreadsheet files".into()
        } else {
            exports.join(", ")
        },
    })
}

/// Up to `limit` bytes of one member, as text; empty when it cannot be read.
fn read_member<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
    limit: u64,
) -> String {
    let mut text = String::new();
    if let Ok(member) = archive.by_name(name) {
        let mut bytes = Vec::new();
        if member.take(limit).read_to_end(&mut bytes).is_ok() {
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    text
}

/// The workbook a ZIP's first local headers name, for archives without a directory.
fn head_zip_format(b: &[u8]) -> Option<FileFormat> {
    let has = |name: &[u8]| b.windows(name.len()).any(|w| w == name);
    if has(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet") {
        Some(FileFormat::Ods)
    } else if has(b"xl/workbook.bin") {
        Some(FileFormat::Xlsb)
    } else if has(b"xl/vbaProject.bin") {
        Some(FileFormat::Xlsm)
    } else if has(b"xl/") {
        Some(FileFormat::Xlsx)
    } else {
        None
    }
}

/// Markup where a table was expected.
enum Markup {
    /// Excel opens it and can save it as a real workbook.
    Resave(&'static str),
    /// Not a table at all.
    Other(&'static str),
}

/// Web pages and XML spreadsheets that practice systems save with an `.xls` name: Excel
/// opens them, but they are not workbooks.
fn markup(b: &[u8]) -> Option<Markup> {
    // NULs out, so UTF-16 markup reads as ASCII too; BOM and leading blanks skipped.
    let text: String = b
        .iter()
        .take(4096)
        .filter(|&&c| c != 0 && c.is_ascii())
        .map(|&c| char::from(c).to_ascii_lowercase())
        .collect();
    let text = text.trim_start();
    if !text.starts_with('<') {
        return None;
    }
    if text.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        Some(Markup::Resave("an Excel 2003 XML spreadsheet"))
    } else if text.starts_with("<!doctype html")
        || text.starts_with("<html")
        || text.contains("<table")
        || (text.starts_with("<?xml") && text.contains("<html"))
    {
        Some(Markup::Resave(
            "a web page (HTML) that some programs save as a spreadsheet",
        ))
    } else if text.starts_with("<?xml") {
        Some(Markup::Other("an XML file"))
    } else {
        None
    }
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
