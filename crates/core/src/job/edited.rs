//! Writing the canonical files with a person's review applied: the same run as
//! [`super::write::write_canonical`], each row through the review's [`Editor`]. With no
//! edits the files are byte-identical to a plain conversion's (a test checks it).

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::mapping::source::TableSource;
use crate::mapping::Mapping;
use crate::review::{Editor, Edits};
use crate::table_file::OutputFormat;

use crate::read::Progress;

use super::write::{write_canonical_progress, Policies, WriteError, WriteSummary};

/// What a conversion with edits wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EditedSummary {
    /// Records, findings and files written.
    pub summary: WriteSummary,
    /// Changes applied.
    #[ts(type = "number")]
    pub applied: u64,
    /// Records left out (a left-out client's pets included).
    #[ts(type = "number")]
    pub excluded: u64,
    /// Changes not applied because the value in the export is no longer the one changed.
    pub stale: Vec<String>,
    /// Changes and exclusions not applied for another reason (no such record in the export,
    /// a field a review cannot change), each saying which and why.
    pub not_applied: Vec<String>,
}

/// Converts every row like [`super::write::write_canonical`], applies `edits`,
/// and writes the canonical files into `dir`.
pub fn write_edited(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: impl Into<Policies>,
    edits: &Edits,
    dir: &Path,
    format: OutputFormat,
    cancel: &AtomicBool,
) -> Result<EditedSummary, WriteError> {
    write_edited_with(
        sources,
        mapping,
        policy,
        edits,
        dir,
        format,
        cancel,
        &mut |_, _| {},
        &[],
    )
}

/// Like [`write_edited`], `progress` told of each table's reading after every batch, and
/// the files `beside` (name, text) written into the same set.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_edited_with(
    sources: &[TableSource],
    mapping: &Mapping,
    policy: impl Into<Policies>,
    edits: &Edits,
    dir: &Path,
    format: OutputFormat,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, Progress),
    beside: &[(&str, &str)],
) -> Result<EditedSummary, WriteError> {
    let policies = policy.into();
    let mut editor = Editor::new(edits, mapping, policies.required.clone());
    let summary = write_canonical_progress(
        sources,
        mapping,
        policies,
        dir,
        format,
        cancel,
        &mut |row| editor.apply(row),
        progress,
        beside,
    )?;
    let mut not_applied = std::mem::take(&mut editor.refused);
    not_applied.extend(editor.unmatched());
    Ok(EditedSummary {
        summary,
        applied: editor.applied,
        excluded: editor.excluded,
        stale: editor.stale,
        not_applied,
    })
}
