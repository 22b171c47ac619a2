//! The runs of this computer as the app's History screen and `ph-import runs` show them:
//! where each stands, what it planned, and what it still holds on disk (journal rows,
//! backup, reports), so a person knows what a purge would delete.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::apply::{load_run_plan, run_dir};
use super::audit::{self, AuditEntry};
use super::error::ImportError;
use super::journal::{Journal, RunInfo, RunStatus};
use super::plan::OpCounts;
use super::prepare::PlanOverview;

/// A file of a run's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunFile {
    /// Its path inside the run's folder (`results.csv`, `backup/clients.csv`).
    pub name: String,
    /// Its full path.
    pub path: String,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// What a run still holds on this computer; a purge deletes all of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OnDisk {
    /// Rows of the journal database for the run (batches, items, before-images…).
    #[ts(type = "number")]
    pub journal_rows: u64,
    /// The plan file, when there.
    pub plan: Option<RunFile>,
    /// The clinic's backup taken before the import wrote (empty when none).
    pub backup: Vec<RunFile>,
    /// The reports (results.csv, errors.csv, summary.txt) and any other file of the folder.
    pub reports: Vec<RunFile>,
    /// The phase log, when there.
    pub log: Option<RunFile>,
    /// The folder's files in all.
    #[ts(type = "number")]
    pub bytes: u64,
}

impl OnDisk {
    /// Whether nothing of the run is left.
    pub fn is_empty(&self) -> bool {
        self.journal_rows == 0
            && self.plan.is_none()
            && self.backup.is_empty()
            && self.reports.is_empty()
            && self.log.is_none()
    }
}

/// A run as the History list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunSummary {
    /// Where it stands, where it went, when (its fields inline in JSON).
    #[serde(flatten)]
    pub info: RunInfo,
    /// Clients by planned operation.
    pub clients: OpCounts,
    /// Pets by planned operation.
    pub patients: OpCounts,
    /// What it holds on disk.
    pub on_disk: OnDisk,
}

/// One run in full, for the History screen's detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunDetail {
    /// The run as the list shows it, with its files' paths.
    pub summary: RunSummary,
    /// The plan's counts as the Plan screen showed them.
    pub overview: PlanOverview,
    /// Its audit entries (every attempt: plan, apply, resume, undo, refusals), oldest first.
    pub history: Vec<AuditEntry>,
    /// Its phase log, line by line.
    pub log: Vec<String>,
}

/// Every run of this computer, newest first: those applied (in the journal) and those only
/// planned (a folder with a plan).
pub fn runs(data_dir: &Path) -> Result<Vec<RunSummary>, ImportError> {
    let journal = Journal::open(data_dir)?;
    let mut infos = journal.runs()?;
    infos.extend(planned_only(data_dir, &infos)?);
    let entries = audit::read(data_dir)?;
    let counts = latest_counts(&entries);
    let mut out = Vec::with_capacity(infos.len());
    for info in infos {
        let (clients, patients) = counts.get(info.id.as_str()).cloned().unwrap_or_default();
        let on_disk = on_disk(data_dir, &journal, &info.id)?;
        out.push(RunSummary {
            info,
            clients,
            patients,
            on_disk,
        });
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.info.created_at));
    Ok(out)
}

/// One run in full: its plan's overview, its audit entries and its log.
pub fn run_detail(data_dir: &Path, run_id: &str) -> Result<RunDetail, ImportError> {
    let plan = load_run_plan(data_dir, run_id)?;
    let journal = Journal::open(data_dir)?;
    let info = match journal.run(run_id)? {
        Some(info) => info,
        None => planned_info(data_dir, &plan),
    };
    let history: Vec<AuditEntry> = audit::read(data_dir)?
        .into_iter()
        .filter(|e| e.run_id == run_id)
        .collect();
    let dir = run_dir(data_dir, run_id);
    let log_path = dir.join("log.txt");
    let log = match std::fs::read_to_string(&log_path) {
        Ok(text) => text.lines().map(str::to_owned).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(ImportError::io(&log_path, e)),
    };
    Ok(RunDetail {
        summary: RunSummary {
            on_disk: on_disk(data_dir, &journal, run_id)?,
            info,
            clients: plan.summary.clients.clone(),
            patients: plan.summary.patients.clone(),
        },
        overview: PlanOverview::of(&plan, &dir.join("plan.json")),
        history,
        log,
    })
}

/// The runs with a folder and a plan but not in the journal: planned, never applied.
fn planned_only(data_dir: &Path, known: &[RunInfo]) -> Result<Vec<RunInfo>, ImportError> {
    let runs = data_dir.join("runs");
    let entries = match std::fs::read_dir(&runs) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ImportError::io(&runs, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| ImportError::io(&runs, e))?;
        let Some(id) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if known.iter().any(|r| r.id == id) {
            continue;
        }
        // A folder without a readable plan is not a run this tool made.
        if let Ok(plan) = load_run_plan(data_dir, &id) {
            out.push(planned_info(data_dir, &plan));
        }
    }
    Ok(out)
}

fn planned_info(data_dir: &Path, plan: &super::plan::Plan) -> RunInfo {
    RunInfo {
        id: plan.run_id.clone(),
        env: plan.target.env.clone(),
        clinic_id: plan.target.clinic_id.clone(),
        clinic_name: plan.target.clinic_name.clone(),
        dir: run_dir(data_dir, &plan.run_id).display().to_string(),
        status: RunStatus::Planned,
        phase: String::new(),
        created_at: plan.created_at,
        updated_at: plan.created_at,
        message: plan.summary.text.clone(),
    }
}

/// Each run's planned counts, from its latest audit entry (reading every plan file would
/// take long for large runs).
fn latest_counts(entries: &[AuditEntry]) -> FxHashMap<&str, (OpCounts, OpCounts)> {
    entries
        .iter()
        .map(|e| (e.run_id.as_str(), (e.clients.clone(), e.patients.clone())))
        .collect()
}

/// What the run holds: its journal rows and the files of its folder.
pub fn on_disk(data_dir: &Path, journal: &Journal, run_id: &str) -> Result<OnDisk, ImportError> {
    let dir = run_dir(data_dir, run_id);
    let mut out = OnDisk {
        journal_rows: journal.rows(run_id)?,
        ..OnDisk::default()
    };
    let mut files = Vec::new();
    collect_files(&dir, &dir, &mut files)?;
    files.sort_by(|a, b| a.name.cmp(&b.name));
    for f in files {
        out.bytes += f.bytes;
        match f.name.as_str() {
            "plan.json" => out.plan = Some(f),
            "log.txt" => out.log = Some(f),
            name if name.starts_with("backup/") => out.backup.push(f),
            _ => out.reports.push(f),
        }
    }
    Ok(out)
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<RunFile>) -> Result<(), ImportError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ImportError::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| ImportError::io(dir, e))?;
        let path: PathBuf = entry.path();
        // Not followed: a link in a run folder is not the run's data.
        let meta = std::fs::symlink_metadata(&path).map_err(|e| ImportError::io(&path, e))?;
        if meta.is_dir() {
            collect_files(root, &path, out)?;
        } else {
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push(RunFile {
                name,
                path: path.display().to_string(),
                bytes: meta.len(),
            });
        }
    }
    Ok(())
}

/// The reports a run writes when it finishes, which a person may copy elsewhere.
pub const REPORTS: [&str; 3] = ["results.csv", "errors.csv", "summary.txt"];

/// Copies the run's report `name` (one of [`REPORTS`]) to `to`, e.g. to hand `errors.csv` to
/// the clinic; returns the bytes copied.
pub fn copy_report(
    data_dir: &Path,
    run_id: &str,
    name: &str,
    to: &Path,
) -> Result<u64, ImportError> {
    if !REPORTS.contains(&name) {
        return Err(ImportError::NotAReport {
            run: run_id.to_owned(),
            name: name.to_owned(),
        });
    }
    let from = run_dir(data_dir, run_id).join(name);
    if !from.is_file() {
        return Err(ImportError::NoReport {
            run: run_id.to_owned(),
            name: name.to_owned(),
        });
    }
    std::fs::copy(&from, to).map_err(|e| ImportError::io(to, e))
}

#[cfg(test)]
mod report_tests {
    use super::*;

    #[test]
    fn a_report_is_copied_and_nothing_else_is() {
        let data = tempfile::tempdir().unwrap();
        let dir = run_dir(data.path(), "r1");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("errors.csv"), "row,reason\n").unwrap();
        std::fs::write(dir.join("plan.json"), "{}").unwrap();
        let to = data.path().join("copy.csv");
        assert_eq!(
            copy_report(data.path(), "r1", "errors.csv", &to).unwrap(),
            11
        );
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "row,reason\n");
        let e = copy_report(data.path(), "r1", "plan.json", &to).unwrap_err();
        assert!(e.to_string().contains("not a report"), "{e}");
        let e = copy_report(data.path(), "r1", "../r1/plan.json", &to).unwrap_err();
        assert!(e.to_string().contains("not a report"), "{e}");
        let e = copy_report(data.path(), "r1", "results.csv", &to).unwrap_err();
        assert!(e.to_string().contains("no results.csv yet"), "{e}");
    }
}
