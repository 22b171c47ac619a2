//! Small files a person names for a run (`--edits`, `--decisions`): read by the core's
//! `small_file` (a regular file of a sane size, else a sentence at once).

use std::path::Path;

/// The text of `path`, the run's `what` (e.g. "edits file"); `hint` tells what to give
/// instead when it is not a regular file of a sane size.
pub(crate) fn read_small(path: &Path, what: &str, hint: &str) -> anyhow::Result<String> {
    Ok(ph_import_core::small_file::read(path, what, hint)?)
}

/// The decisions file, read as every file a person names for a run is.
pub(crate) fn decisions(path: &Path) -> anyhow::Result<ph_import_core::dedupe::resolve::Decisions> {
    Ok(ph_import_core::dedupe::resolve::Decisions::read_named(
        path,
    )?)
}
