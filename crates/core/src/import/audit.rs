//! The audit log: one JSON line per plan, apply, resume, undo, refusal and purge, appended
//! to `<data dir>/audit.jsonl` and never rewritten. It names people, clinics and files, never
//! client data or tokens.
//!
//! Tamper evidence: each entry carries its number and the SHA-256 of the previous entry's
//! line, so an edited, removed or reordered entry breaks the chain where it stood; a small
//! head file (`audit.head`) keeps the last entry's number and hash, so entries cut from the
//! end are noticed too. Entries written before this existed have neither and are reported
//! as such, not as tampering.

use std::collections::BTreeSet;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::error::ImportError;
use super::plan::{hex, InputFile, OpCounts};

/// What the first entry's `prev_hash` holds: there is no line before it.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
    /// `plan`, `apply`, `resume`, `undo`, `purge`, or `refused <action>` (a principal
    /// without the importer role or the clinic).
    pub action: String,
    /// The import run.
    pub run_id: String,
    /// The input files and their SHA-256.
    pub inputs: Vec<InputFile>,
    /// Clients by planned operation.
    pub clients: OpCounts,
    /// Pets by planned operation.
    pub patients: OpCounts,
    /// `planned`, `completed`, `failed`, `cancelled`, `undone`, `refused`, `purged`, …
    pub outcome: String,
    /// The summary or the error.
    pub message: String,
    /// The entry's number in the log, from 1 (set when appended; none in old logs).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub seq: Option<u64>,
    /// SHA-256 (hex) of the previous entry's line, or [`GENESIS`] for the first (set when
    /// appended; none in old logs).
    #[serde(default)]
    pub prev_hash: Option<String>,
}

/// The audit log read back and checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditLog {
    /// Every readable entry, oldest first.
    pub entries: Vec<AuditEntry>,
    /// Entries written before tamper evidence (no number, no hash): readable, unprovable.
    #[ts(type = "number")]
    pub before_tamper_evidence: u64,
    /// What was changed, removed, reordered or cut off since it was written; empty when the
    /// log is intact.
    pub tampering: Vec<String>,
}

impl AuditLog {
    /// Whether the log was changed after it was written.
    pub fn tampered(&self) -> bool {
        !self.tampering.is_empty()
    }
}

/// The last entry as the head file records it.
#[derive(Debug, Serialize, Deserialize)]
struct Head {
    seq: u64,
    hash: String,
}

/// The log's path in `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("audit.jsonl")
}

fn head_path(data_dir: &Path) -> PathBuf {
    data_dir.join("audit.head")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The log's lines, blank ones left out (they carry nothing and are not chained).
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .collect()
}

/// Appends an entry, numbered and chained to the one before it.
pub fn append(data_dir: &Path, entry: &AuditEntry) -> Result<(), ImportError> {
    crate::private_file::create_dir(data_dir)?;
    let path = path(data_dir);
    if !path.exists() {
        crate::private_file::create(&path, crate::private_file::Overwrite::Refuse)?;
    }
    let io = |e: std::io::Error| ImportError::io(&path, e);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .open(&path)
        .map_err(io)?;
    // Two processes appending at once would chain both entries to the same line: the lock
    // makes the read of the last line and the write of the next one a single step.
    file.lock().map_err(io)?;
    let mut text = Vec::new();
    file.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
    file.read_to_end(&mut text).map_err(io)?;
    let existing = lines(&text);
    let (seq, prev_hash) = match existing.last() {
        None => (1, GENESIS.to_owned()),
        Some(last) => {
            let last_seq = serde_json::from_slice::<AuditEntry>(last)
                .ok()
                .and_then(|e| e.seq)
                .unwrap_or(existing.len() as u64);
            (last_seq + 1, sha256_hex(last))
        }
    };
    let entry = AuditEntry {
        seq: Some(seq),
        prev_hash: Some(prev_hash),
        ..entry.clone()
    };
    let line = serde_json::to_vec(&entry).map_err(|e| ImportError::io(&path, e))?;
    let mut out = Vec::with_capacity(line.len() + 2);
    if !text.is_empty() && !text.ends_with(b"\n") {
        // The last write was cut short: this entry starts on a line of its own.
        out.push(b'\n');
    }
    out.extend_from_slice(&line);
    out.push(b'\n');
    // One write of the whole line: appends of one line never interleave.
    file.write_all(&out).map_err(io)?;
    file.sync_data().map_err(io)?;
    write_head(
        data_dir,
        &Head {
            seq,
            hash: sha256_hex(&line),
        },
    )
}

/// Replaces the head file whole (a new file renamed over the old), so a crash leaves the
/// old head or the new one, never half of one.
fn write_head(data_dir: &Path, head: &Head) -> Result<(), ImportError> {
    let path = head_path(data_dir);
    let tmp = data_dir.join("audit.head.tmp");
    let mut file = crate::private_file::create(&tmp, crate::private_file::Overwrite::Replace)?;
    let json = serde_json::to_vec(head).map_err(|e| ImportError::io(&tmp, e))?;
    file.write_all(&json)
        .and_then(|_| file.sync_data())
        .map_err(|e| ImportError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| ImportError::io(&path, e))
}

/// Every readable entry, oldest first; use [`verify`] to know whether the log was changed.
pub fn read(data_dir: &Path) -> Result<Vec<AuditEntry>, ImportError> {
    Ok(verify(data_dir)?.entries)
}

/// Reads the log and checks its chain and head: what was changed, removed, reordered or cut
/// off since it was written is listed by entry number.
pub fn verify(data_dir: &Path) -> Result<AuditLog, ImportError> {
    let path = path(data_dir);
    let text = match std::fs::read(&path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ImportError::io(&path, e)),
    };
    let head = read_head(data_dir)?;
    let mut log = AuditLog {
        entries: Vec::new(),
        before_tamper_evidence: 0,
        tampering: Vec::new(),
    };
    let Some(text) = text else {
        if let Some(Ok(head)) = head {
            log.tampering.push(format!(
                "the audit log {} is missing, though {} entries were written to it",
                path.display(),
                head.seq
            ));
        }
        return Ok(log);
    };
    // Each line's number (its `seq`, or one more than the line before for old and damaged
    // lines) and hash, in the order found.
    let mut numbered: Vec<(u64, String)> = Vec::new();
    let mut damaged = BTreeSet::new();
    let mut chained = false;
    for line in lines(&text) {
        let hash = sha256_hex(line);
        let prev = numbered.last();
        let next = prev.map_or(1, |(n, _)| n + 1);
        let number = match serde_json::from_slice::<AuditEntry>(line) {
            Err(_) => {
                log.tampering.push(format!(
                    "entry {next} is damaged (not an audit entry): it was changed or cut short after it was written"
                ));
                damaged.insert(next);
                next
            }
            Ok(entry) => match (entry.seq, entry.prev_hash.clone()) {
                (Some(seq), Some(claimed)) => {
                    check_link(&mut log.tampering, seq, &claimed, prev);
                    chained = true;
                    log.entries.push(entry);
                    seq
                }
                _ => {
                    if chained {
                        log.tampering.push(format!(
                            "entry {next} has no tamper-evidence hash though the entries before it have: it was added or changed after it was written"
                        ));
                    } else {
                        log.before_tamper_evidence += 1;
                    }
                    log.entries.push(entry);
                    next
                }
            },
        };
        numbered.push((number, hash));
    }
    if chained {
        report_gaps(&mut log.tampering, &numbered);
    }
    match head {
        None if chained => log.tampering.push(format!(
            "the log's head file {} is missing: entries removed from the end could not be noticed",
            head_path(data_dir).display()
        )),
        None => {}
        Some(Err(reason)) => log.tampering.push(reason),
        Some(Ok(head)) if damaged.contains(&head.seq) => {}
        Some(Ok(head)) => check_head(&mut log.tampering, &head, &numbered),
    }
    Ok(log)
}

/// Checks that entry `seq`, which claims `claimed` as the hash of the line before it,
/// follows `prev` (the number and hash of the line found before it).
fn check_link(tampering: &mut Vec<String>, seq: u64, claimed: &str, prev: Option<&(u64, String)>) {
    match prev {
        None if seq == 1 && claimed != GENESIS => {
            tampering.push("entry 1 was changed after it was written".to_owned())
        }
        Some((n, _)) if seq <= *n => tampering.push(format!(
            "entry {seq} stands after entry {n}: entries were reordered or copied after they were written"
        )),
        Some((n, hash)) if seq == n + 1 && claimed != hash => tampering.push(format!(
            "entry {n} was changed or removed after it was written"
        )),
        // A larger step is a removed entry, reported with the others by `report_gaps`.
        _ => {}
    }
}

/// Reports the numbers below the last one that no line carries: entries removed.
fn report_gaps(tampering: &mut Vec<String>, numbered: &[(u64, String)]) {
    let present: BTreeSet<u64> = numbered.iter().map(|(n, _)| *n).collect();
    let last = present.last().copied().unwrap_or(0);
    let mut n = 1;
    while n <= last {
        if present.contains(&n) {
            n += 1;
            continue;
        }
        let from = n;
        while n <= last && !present.contains(&n) {
            n += 1;
        }
        tampering.push(removed(from, n - 1, ""));
    }
}

fn removed(from: u64, to: u64, place: &str) -> String {
    if from == to {
        format!("entry {from} was removed{place} after it was written")
    } else {
        format!("entries {from} to {to} were removed{place} after they were written")
    }
}

/// Checks the last entries against the head file: the entry it names is there, unchanged.
fn check_head(tampering: &mut Vec<String>, head: &Head, numbered: &[(u64, String)]) {
    let last = numbered.iter().map(|(n, _)| *n).max().unwrap_or(0);
    if head.seq > last {
        tampering.push(removed(last + 1, head.seq, " from the end of the log"));
        return;
    }
    // The head may be one entry behind: a process stopped between the line and the head.
    match numbered.iter().rev().find(|(n, _)| *n == head.seq) {
        Some((_, hash)) if *hash == head.hash => {}
        _ => tampering.push(format!(
            "entry {} was changed or removed after it was written",
            head.seq
        )),
    }
}

fn read_head(data_dir: &Path) -> Result<Option<Result<Head, String>>, ImportError> {
    let path = head_path(data_dir);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes).map_err(|_| {
            format!(
                "the log's head file {} is damaged: entries removed from the end could not be noticed",
                path.display()
            )
        }))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ImportError::io(&path, e)),
    }
}

/// The operating-system user running the tool.
pub fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u64) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
            os_user: "tester".into(),
            principal: "importer".into(),
            env: "sandbox".into(),
            clinic_id: "c1".into(),
            clinic_name: "Clinic One".into(),
            action: "apply".into(),
            run_id: format!("run-{n}"),
            inputs: Vec::new(),
            clients: OpCounts::default(),
            patients: OpCounts::default(),
            outcome: "completed".into(),
            message: format!("attempt {n}"),
            seq: None,
            prev_hash: None,
        }
    }

    /// A data folder whose log holds `n` entries, and the log's lines.
    fn log_of(n: u64) -> (tempfile::TempDir, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        for i in 1..=n {
            append(dir.path(), &entry(i)).unwrap();
        }
        let text = std::fs::read_to_string(path(dir.path())).unwrap();
        (dir, text.lines().map(str::to_owned).collect())
    }

    fn rewrite(dir: &Path, lines: &[String]) {
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(path(dir), text).unwrap();
    }

    #[test]
    fn an_intact_log_verifies_and_numbers_its_entries() {
        let (dir, lines) = log_of(5);
        let log = verify(dir.path()).unwrap();
        assert!(!log.tampered(), "{:?}", log.tampering);
        assert_eq!(log.entries.len(), 5);
        assert_eq!(log.entries[0].prev_hash.as_deref(), Some(GENESIS));
        assert_eq!(log.entries[4].seq, Some(5));
        assert_eq!(
            log.entries[4].prev_hash.as_deref(),
            Some(sha256_hex(lines[3].as_bytes()).as_str())
        );
        assert_eq!(log.before_tamper_evidence, 0);
    }

    #[test]
    fn an_edited_entry_is_named() {
        let (dir, mut lines) = log_of(9);
        lines[6] = lines[6].replace("attempt 7", "attempt 70");
        rewrite(dir.path(), &lines);
        let log = verify(dir.path()).unwrap();
        assert_eq!(
            log.tampering,
            ["entry 7 was changed or removed after it was written"]
        );
        // The last entry has no successor: the head file tells.
        let (dir, mut lines) = log_of(3);
        lines[2] = lines[2].replace("completed", "failed");
        rewrite(dir.path(), &lines);
        assert_eq!(
            verify(dir.path()).unwrap().tampering,
            ["entry 3 was changed or removed after it was written"]
        );
    }

    #[test]
    fn removed_reordered_and_truncated_entries_are_named() {
        let (dir, mut lines) = log_of(9);
        lines.remove(6);
        rewrite(dir.path(), &lines);
        assert_eq!(
            verify(dir.path()).unwrap().tampering,
            ["entry 7 was removed after it was written"]
        );

        let (dir, mut lines) = log_of(9);
        lines.swap(6, 7);
        rewrite(dir.path(), &lines);
        assert_eq!(
            verify(dir.path()).unwrap().tampering,
            ["entry 7 stands after entry 8: entries were reordered or copied after they were written"]
        );

        let (dir, lines) = log_of(9);
        rewrite(dir.path(), &lines[..7]);
        assert_eq!(
            verify(dir.path()).unwrap().tampering,
            ["entries 8 to 9 were removed from the end of the log after they were written"]
        );

        // Cut in the middle of the last line.
        let (dir, lines) = log_of(4);
        let text = lines.join("\n");
        std::fs::write(path(dir.path()), &text[..text.len() - 10]).unwrap();
        let log = verify(dir.path()).unwrap();
        assert_eq!(
            log.tampering,
            ["entry 4 is damaged (not an audit entry): it was changed or cut short after it was written"]
        );
        assert_eq!(log.entries.len(), 3);
        // The next entry starts a line of its own and chains to the damaged one.
        append(dir.path(), &entry(5)).unwrap();
        let log = verify(dir.path()).unwrap();
        assert_eq!(log.tampering.len(), 1, "{:?}", log.tampering);
        assert_eq!(log.entries.last().unwrap().seq, Some(5));
    }

    #[test]
    fn an_old_log_without_hashes_is_read_and_continued() {
        let dir = tempfile::tempdir().unwrap();
        let old: Vec<String> = (1..=3)
            .map(|i| serde_json::to_string(&entry(i)).unwrap())
            .collect();
        rewrite(dir.path(), &old);
        let log = verify(dir.path()).unwrap();
        assert!(!log.tampered(), "{:?}", log.tampering);
        assert_eq!(log.before_tamper_evidence, 3);
        append(dir.path(), &entry(4)).unwrap();
        let log = verify(dir.path()).unwrap();
        assert!(!log.tampered(), "{:?}", log.tampering);
        assert_eq!(log.entries.len(), 4);
        assert_eq!(log.entries[3].seq, Some(4));
        assert_eq!(log.before_tamper_evidence, 3);
        // An entry without a hash after chained ones was slipped in.
        let mut text = std::fs::read_to_string(path(dir.path())).unwrap();
        text.push_str(&serde_json::to_string(&entry(5)).unwrap());
        text.push('\n');
        std::fs::write(path(dir.path()), text).unwrap();
        assert_eq!(
            verify(dir.path()).unwrap().tampering,
            ["entry 5 has no tamper-evidence hash though the entries before it have: it was added or changed after it was written"]
        );
    }

    #[test]
    fn a_deleted_log_or_head_is_reported() {
        let (dir, _) = log_of(2);
        std::fs::remove_file(head_path(dir.path())).unwrap();
        assert!(verify(dir.path()).unwrap().tampering[0].contains("head file"));
        let (dir, _) = log_of(2);
        std::fs::remove_file(path(dir.path())).unwrap();
        assert!(verify(dir.path()).unwrap().tampering[0].contains("is missing"));
    }
}
