//! Small files a person names for a run (`--edits`, `--decisions`): read only when they are a
//! regular file of a sane size, so a wrong path fails at once with a sentence instead of
//! hanging on a pipe or filling memory from a device.

use std::io::Read;
use std::path::Path;

use anyhow::Context;

/// The largest such file read: the app saves a few kilobytes per thousand changes or decisions.
const LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// The text of `path`, the run's `what` (e.g. "edits file"): a regular file of at most
/// [`LIMIT_BYTES`], never a named pipe (which waits for a writer forever), a folder or a device
/// such as /dev/zero (which never ends). `hint` tells what to give instead.
pub(crate) fn read_small(path: &Path, what: &str, hint: &str) -> anyhow::Result<String> {
    let shown = path.display();
    let not_regular = || anyhow::anyhow!("the {what} {shown} is not a regular file; {hint}");
    let too_big = |bytes: u64| {
        anyhow::anyhow!(
            "the {what} {shown} is {} MB, more than the {} MB such a file can be; {hint}",
            bytes / (1024 * 1024),
            LIMIT_BYTES / (1024 * 1024)
        )
    };
    let cannot = || format!("could not read the {what} {shown}");
    // Looked at before it is opened: opening a named pipe already blocks.
    let meta = std::fs::metadata(path).with_context(cannot)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    if meta.len() > LIMIT_BYTES {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).with_context(cannot)?;
    // Again on what was opened, in case the path was swapped meanwhile.
    if !file.metadata().with_context(cannot)?.is_file() {
        return Err(not_regular());
    }
    let mut text = String::new();
    file.take(LIMIT_BYTES + 1)
        .read_to_string(&mut text)
        .with_context(cannot)?;
    if text.len() as u64 > LIMIT_BYTES {
        return Err(too_big(text.len() as u64));
    }
    Ok(text)
}

/// The decisions file, read as every file a person names for a run is.
pub(crate) fn decisions(path: &Path) -> anyhow::Result<ph_import_core::dedupe::resolve::Decisions> {
    let text = read_small(
        path,
        "decisions file",
        "give the decisions file the app saved, or one written as docs/dedupe.md describes",
    )?;
    serde_json::from_str(&text).map_err(|e| {
        ph_import_core::dedupe::resolve::DecisionsError::Invalid {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
        .into()
    })
}
