//! Small files a person names for a run (`--edits`, `--decisions`, a cohort manifest and the
//! files it names): read only when they are a regular file of a sane size, so a wrong path
//! fails at once with a sentence instead of hanging on a pipe or filling memory from a device.

use std::io::Read;
use std::path::Path;

/// The largest such file read: the app saves a few kilobytes per thousand changes or decisions.
pub const LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// Why a named file was not read; `what` names it ("decisions file"), `hint` says what to
/// give instead.
#[derive(Debug, thiserror::Error)]
pub enum SmallFileError {
    /// A folder, named pipe, device or socket.
    #[error("the {what} {path} is not a regular file; {hint}")]
    NotRegular {
        /// What the file is for.
        what: String,
        /// Its path.
        path: String,
        /// What to give instead.
        hint: String,
    },
    /// Larger than [`LIMIT_BYTES`].
    #[error(
        "the {what} {path} is {mb} MB, more than the {limit_mb} MB such a file can be; {hint}"
    )]
    TooBig {
        /// What the file is for.
        what: String,
        /// Its path.
        path: String,
        /// Its size in MiB.
        mb: u64,
        /// The limit in MiB.
        limit_mb: u64,
        /// What to give instead.
        hint: String,
    },
    /// The system could not read it (missing, no permission, not UTF-8).
    #[error("could not read the {what} {path}: {reason}")]
    Io {
        /// What the file is for.
        what: String,
        /// Its path.
        path: String,
        /// What the system said.
        reason: String,
    },
}

/// The text of `path`, the run's `what` (e.g. "edits file"): a regular file of at most
/// [`LIMIT_BYTES`], never a named pipe (which waits for a writer forever), a folder or a device
/// such as /dev/zero (which never ends). `hint` tells what to give instead.
pub fn read(path: &Path, what: &str, hint: &str) -> Result<String, SmallFileError> {
    let shown = path.display().to_string();
    let not_regular = || SmallFileError::NotRegular {
        what: what.to_owned(),
        path: shown.clone(),
        hint: hint.to_owned(),
    };
    let too_big = |bytes: u64| SmallFileError::TooBig {
        what: what.to_owned(),
        path: shown.clone(),
        mb: bytes / (1024 * 1024),
        limit_mb: LIMIT_BYTES / (1024 * 1024),
        hint: hint.to_owned(),
    };
    let cannot = |e: std::io::Error| SmallFileError::Io {
        what: what.to_owned(),
        path: shown.clone(),
        reason: e.to_string(),
    };
    // Looked at before it is opened: opening a named pipe already blocks.
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    if meta.len() > LIMIT_BYTES {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    // Again on what was opened, in case the path was swapped meanwhile.
    if !file.metadata().map_err(cannot)?.is_file() {
        return Err(not_regular());
    }
    let mut text = String::new();
    file.take(LIMIT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(cannot)?;
    if text.len() as u64 > LIMIT_BYTES {
        return Err(too_big(text.len() as u64));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_refused_and_a_file_is_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let e = read(dir.path(), "decisions file", "give the file").expect_err("a folder");
        assert!(matches!(e, SmallFileError::NotRegular { .. }), "{e}");
        let file = dir.path().join("d.json");
        std::fs::write(&file, "{}").expect("write");
        assert_eq!(read(&file, "decisions file", "").expect("read"), "{}");
        let e = read(&dir.path().join("none"), "decisions file", "").expect_err("missing");
        assert!(
            e.to_string()
                .starts_with("could not read the decisions file "),
            "{e}"
        );
    }
}
