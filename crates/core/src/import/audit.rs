//! The audit log: one JSON line per import, resume, undo, refusal and purge, appended to
//! `<data dir>/audit.jsonl` and never rewritten. It names people, clinics and files, never
//! client data or tokens.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::error::ImportError;
use super::plan::{InputFile, OpCounts};

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    /// When.
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// The operating-system user.
    pub os_user: String,
    /// The PH principal of the token.
    pub principal: String,
    /// The environment.
    pub env: String,
    /// The clinic's PH id.
    pub clinic_id: String,
    /// The clinic's name.
    pub clinic_name: String,
    /// `apply`, `resume`, `undo`, `purge`, or `refused` (a principal without the importer role).
    pub action: String,
    /// The import run.
    pub run_id: String,
    /// The input files and their SHA-256.
    pub inputs: Vec<InputFile>,
    /// Clients by planned operation.
    pub clients: OpCounts,
    /// Pets by planned operation.
    pub patients: OpCounts,
    /// `completed`, `failed`, `cancelled`, `undone`, `refused`, …
    pub outcome: String,
    /// The summary or the error.
    pub message: String,
}

/// The log's path in `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("audit.jsonl")
}

/// Appends an entry.
pub fn append(data_dir: &Path, entry: &AuditEntry) -> Result<(), ImportError> {
    crate::private_file::create_dir(data_dir)?;
    let path = path(data_dir);
    if !path.exists() {
        crate::private_file::create(&path, crate::private_file::Overwrite::Refuse)?;
    }
    let mut line = serde_json::to_vec(entry).map_err(|e| ImportError::io(&path, e))?;
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(|e| ImportError::io(&path, e))?;
    // One write of the whole line: appends of one line never interleave.
    file.write_all(&line)
        .map_err(|e| ImportError::io(&path, e))?;
    file.sync_data().map_err(|e| ImportError::io(&path, e))
}

/// Every entry, oldest first; a damaged line is skipped, not fatal.
pub fn read(data_dir: &Path) -> Result<Vec<AuditEntry>, ImportError> {
    let path = path(data_dir);
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ImportError::io(&path, e)),
    };
    let mut out = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(|e| ImportError::io(&path, e))?;
        if let Ok(entry) = serde_json::from_str(&line) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// The operating-system user running the tool.
pub fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}
