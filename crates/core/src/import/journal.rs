//! The durable journal of import runs: a SQLite database in the app's data folder. Every
//! answered batch is written in one transaction with its items' outcomes and PH ids, and the
//! before-image of every record a run updates is written before the first update is sent,
//! so a run killed at any moment resumes exactly where it stopped, and can be undone.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::error::ImportError;
use super::plan::Plan;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RunStatus {
    /// Saved, nothing sent yet.
    Planned,
    /// Being applied (or killed while it was: resume it).
    Running,
    /// Stopped by an error; resume it.
    Failed,
    /// Stopped by the person; resume or undo it.
    Cancelled,
    /// Everything sent and verified.
    Completed,
    /// Everything sent, but verifying found differences (see the run's log).
    VerifyFailed,
    /// Being undone (or killed while it was: undo it again).
    Undoing,
    /// Undone.
    Undone,
    /// Undone except records someone changed in PH since (see the run's log).
    UndonePartly,
}

impl RunStatus {
    /// The status as written in the journal and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Planned => "planned",
            RunStatus::Running => "running",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Completed => "completed",
            RunStatus::VerifyFailed => "verify_failed",
            RunStatus::Undoing => "undoing",
            RunStatus::Undone => "undone",
            RunStatus::UndonePartly => "undone_partly",
        }
    }

    fn parse(s: &str) -> RunStatus {
        match s {
            "running" => RunStatus::Running,
            "failed" => RunStatus::Failed,
            "cancelled" => RunStatus::Cancelled,
            "completed" => RunStatus::Completed,
            "verify_failed" => RunStatus::VerifyFailed,
            "undoing" => RunStatus::Undoing,
            "undone" => RunStatus::Undone,
            "undone_partly" => RunStatus::UndonePartly,
            _ => RunStatus::Planned,
        }
    }
}

/// A run as the journal lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunInfo {
    /// The run id.
    pub id: String,
    /// The environment.
    pub env: String,
    /// The clinic's PH id.
    pub clinic_id: String,
    /// The clinic's name.
    pub clinic_name: String,
    /// The run's folder (plan, backup, reports, log).
    pub dir: String,
    /// Where it stands.
    pub status: RunStatus,
    /// The last phase it reached.
    pub phase: String,
    /// When it was first applied.
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
    /// The last message (an error, or the summary).
    pub message: String,
}

/// What happened to one planned record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ItemStatus {
    /// PH created it.
    Created,
    /// PH changed it.
    Updated,
    /// PH already had the values.
    Unchanged,
    /// PH refused it.
    Error,
    /// Not sent (its owner was not created).
    Skipped,
    /// Undo put the before-image back.
    Restored,
    /// Undo left it: someone changed it in PH since.
    Refused,
}

impl ItemStatus {
    /// The status as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Created => "created",
            ItemStatus::Updated => "updated",
            ItemStatus::Unchanged => "unchanged",
            ItemStatus::Error => "error",
            ItemStatus::Skipped => "skipped",
            ItemStatus::Restored => "restored",
            ItemStatus::Refused => "refused",
        }
    }

    fn parse(s: &str) -> ItemStatus {
        match s {
            "created" => ItemStatus::Created,
            "updated" => ItemStatus::Updated,
            "unchanged" => ItemStatus::Unchanged,
            "skipped" => ItemStatus::Skipped,
            "restored" => ItemStatus::Restored,
            "refused" => ItemStatus::Refused,
            _ => ItemStatus::Error,
        }
    }
}

/// The outcome of one planned record in one phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The record's position in the plan's clients or patients.
    pub step: usize,
    /// What happened.
    pub status: ItemStatus,
    /// Its PH id.
    pub ph_id: Option<String>,
    /// PH's error, or why it was not sent.
    pub message: String,
    /// The record as PH stored it (canonical JSON), to tell later whether someone changed it.
    pub after: Option<String>,
}

/// The journal database.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    env TEXT NOT NULL,
    clinic_id TEXT NOT NULL,
    clinic_name TEXT NOT NULL,
    dir TEXT NOT NULL,
    status TEXT NOT NULL,
    phase TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS batches (
    run_id TEXT NOT NULL,
    phase TEXT NOT NULL,
    number INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    items INTEGER NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (run_id, phase, number)
);
CREATE TABLE IF NOT EXISTS items (
    run_id TEXT NOT NULL,
    phase TEXT NOT NULL,
    step INTEGER NOT NULL,
    status TEXT NOT NULL,
    ph_id TEXT,
    message TEXT NOT NULL DEFAULT '',
    after TEXT,
    PRIMARY KEY (run_id, phase, step)
);
CREATE TABLE IF NOT EXISTS befores (
    run_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    ph_id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (run_id, entity, ph_id)
);
CREATE TABLE IF NOT EXISTS batch_sizes (
    run_id TEXT PRIMARY KEY,
    size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS phases (
    run_id TEXT NOT NULL,
    phase TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (run_id, phase)
);
";

impl Journal {
    /// Opens (creating, readable by the user only) `<data_dir>/journal.sqlite`.
    pub fn open(data_dir: &Path) -> Result<Journal, ImportError> {
        crate::private_file::create_dir(data_dir)?;
        let path = data_dir.join("journal.sqlite");
        if !path.exists() {
            // Created private first: SQLite would create it with the default umask.
            crate::private_file::create(&path, crate::private_file::Overwrite::Refuse)?;
        }
        let err = |e: rusqlite::Error| ImportError::journal(&path, e);
        let conn = Connection::open(&path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        // WAL keeps the journal consistent when the process is killed mid-write: a committed
        // batch survives a kill with synchronous NORMAL too. Only a power cut can lose the
        // last commits, and that is safe: their batches are re-sent with the same keys and
        // PH replays them. FULL would fsync every batch for no gain in what is imported.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        // Deleted and replaced rows are overwritten, not just marked free: a purged run
        // leaves no client data in the file.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Journal { conn, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> ImportError {
        ImportError::journal(&self.path, e)
    }

    /// Records a run about to be applied (nothing when it is already there).
    pub fn add_run(&self, plan: &Plan, dir: &Path) -> Result<(), ImportError> {
        let now = Utc::now().to_rfc3339();
        self.conn
            .execute(
                "INSERT OR IGNORE INTO runs (id, env, clinic_id, clinic_name, dir, status, phase, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'planned', '', ?6, ?6)",
                params![
                    plan.run_id,
                    plan.target.env,
                    plan.target.clinic_id,
                    plan.target.clinic_name,
                    dir.display().to_string(),
                    now
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A run, if the journal has it.
    pub fn run(&self, id: &str) -> Result<Option<RunInfo>, ImportError> {
        self.conn
            .query_row(
                "SELECT id, env, clinic_id, clinic_name, dir, status, phase, created_at, updated_at, message
                 FROM runs WHERE id = ?1",
                params![id],
                row_to_run,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every run, newest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>, ImportError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, env, clinic_id, clinic_name, dir, status, phase, created_at, updated_at, message
                 FROM runs ORDER BY created_at DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], row_to_run)
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e));
        rows
    }

    /// Sets a run's status, phase and message.
    pub fn set_status(
        &self,
        id: &str,
        status: RunStatus,
        phase: &str,
        message: &str,
    ) -> Result<(), ImportError> {
        self.conn
            .execute(
                "UPDATE runs SET status = ?2, phase = ?3, message = ?4, updated_at = ?5 WHERE id = ?1",
                params![id, status.as_str(), phase, message, Utc::now().to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The batch size of a run: the first one it was given is kept for good, because a
    /// resume must cut the same batches (with the same keys) as the first attempt.
    pub fn batch_size(&self, run: &str, first: usize) -> Result<usize, ImportError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO batch_sizes (run_id, size) VALUES (?1, ?2)",
                params![run, first as i64],
            )
            .map_err(|e| self.err(e))?;
        self.conn
            .query_row(
                "SELECT size FROM batch_sizes WHERE run_id = ?1",
                params![run],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(1) as usize)
            .map_err(|e| self.err(e))
    }

    /// Marks a phase of a run finished.
    pub fn finish_phase(&self, run: &str, phase: &str) -> Result<(), ImportError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO phases (run_id, phase, finished_at) VALUES (?1, ?2, ?3)",
                params![run, phase, Utc::now().to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Whether a phase of a run is finished.
    pub fn phase_finished(&self, run: &str, phase: &str) -> Result<bool, ImportError> {
        self.conn
            .query_row(
                "SELECT 1 FROM phases WHERE run_id = ?1 AND phase = ?2",
                params![run, phase],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(|e| self.err(e))
    }

    /// The numbers of a phase's batches that were answered.
    pub fn answered_batches(&self, run: &str, phase: &str) -> Result<FxHashSet<u32>, ImportError> {
        let mut stmt = self
            .conn
            .prepare("SELECT number FROM batches WHERE run_id = ?1 AND phase = ?2")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![run, phase], |r| r.get::<_, u32>(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<FxHashSet<_>, _>>()
            .map_err(|e| self.err(e));
        rows
    }

    /// Records an answered batch and its items' outcomes, all or nothing.
    pub fn record_batch(
        &mut self,
        run: &str,
        phase: &str,
        number: u32,
        key: &str,
        items: &[Item],
    ) -> Result<(), ImportError> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| ImportError::journal(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "INSERT OR REPLACE INTO batches (run_id, phase, number, idempotency_key, items, answered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![run, phase, number, key, items.len(), Utc::now().to_rfc3339()],
        )
        .map_err(err)?;
        insert_items(&tx, run, phase, items).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Records outcomes decided without a request (pets whose owner was not created).
    pub fn record_items(
        &mut self,
        run: &str,
        phase: &str,
        items: &[Item],
    ) -> Result<(), ImportError> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| ImportError::journal(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        insert_items(&tx, run, phase, items).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Every outcome of a phase, by plan position.
    pub fn items(&self, run: &str, phase: &str) -> Result<FxHashMap<usize, Item>, ImportError> {
        let mut stmt = self
            .conn
            .prepare("SELECT step, status, ph_id, message, after FROM items WHERE run_id = ?1 AND phase = ?2")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![run, phase], |r| {
                Ok(Item {
                    step: r.get::<_, i64>(0)? as usize,
                    status: ItemStatus::parse(&r.get::<_, String>(1)?),
                    ph_id: r.get(2)?,
                    message: r.get(3)?,
                    after: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?
            .map(|r| r.map(|i| (i.step, i)))
            .collect::<Result<FxHashMap<_, _>, _>>()
            .map_err(|e| self.err(e));
        rows
    }

    /// Stores before-images (canonical JSON by PH id) of records a run will update.
    pub fn put_befores(
        &mut self,
        run: &str,
        entity: &str,
        records: &[(String, String)],
    ) -> Result<(), ImportError> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| ImportError::journal(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut stmt = tx
                .prepare("INSERT OR IGNORE INTO befores (run_id, entity, ph_id, record) VALUES (?1, ?2, ?3, ?4)")
                .map_err(err)?;
            for (id, json) in records {
                stmt.execute(params![run, entity, id, json]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// The before-images of a run's records of one entity, by PH id.
    pub fn befores(
        &self,
        run: &str,
        entity: &str,
    ) -> Result<FxHashMap<String, String>, ImportError> {
        let mut stmt = self
            .conn
            .prepare("SELECT ph_id, record FROM befores WHERE run_id = ?1 AND entity = ?2")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![run, entity], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<Result<FxHashMap<_, _>, _>>()
            .map_err(|e| self.err(e));
        rows
    }

    /// How many rows the journal holds for a run (its entry, batches, items, before-images,
    /// phases).
    pub fn rows(&self, run: &str) -> Result<u64, ImportError> {
        let mut total = 0u64;
        for (table, column) in TABLES {
            let n: i64 = self
                .conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?1"),
                    params![run],
                    |r| r.get(0),
                )
                .map_err(|e| self.err(e))?;
            total += n.max(0) as u64;
        }
        Ok(total)
    }

    /// Forgets a run entirely (its local data is purged). The deleted rows are overwritten
    /// (secure_delete) and the write-ahead log emptied, so no client data of the run stays
    /// in the files.
    pub fn forget(&mut self, run: &str) -> Result<(), ImportError> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| ImportError::journal(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        for (table, column) in TABLES {
            tx.execute(
                &format!("DELETE FROM {table} WHERE {column} = ?1"),
                params![run],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        // Rows freed before secure_delete was on (journals of older versions) may still hold
        // client data in free pages: rebuilding the file drops them.
        self.conn.execute_batch("VACUUM").map_err(err)?;
        // The write-ahead log still holds the pages as they were before: copy the zeroed
        // pages into the database and empty it.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(err)?;
        Ok(())
    }
}

/// Every table of the journal and the column naming the run.
const TABLES: [(&str, &str); 6] = [
    ("runs", "id"),
    ("batches", "run_id"),
    ("items", "run_id"),
    ("befores", "run_id"),
    ("phases", "run_id"),
    ("batch_sizes", "run_id"),
];

fn insert_items(
    tx: &rusqlite::Transaction,
    run: &str,
    phase: &str,
    items: &[Item],
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "INSERT OR REPLACE INTO items (run_id, phase, step, status, ph_id, message, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for i in items {
        stmt.execute(params![
            run,
            phase,
            i.step as i64,
            i.status.as_str(),
            i.ph_id,
            i.message,
            i.after
        ])?;
    }
    Ok(())
}

fn row_to_run(r: &rusqlite::Row) -> rusqlite::Result<RunInfo> {
    let time = |s: String| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    Ok(RunInfo {
        id: r.get(0)?,
        env: r.get(1)?,
        clinic_id: r.get(2)?,
        clinic_name: r.get(3)?,
        dir: r.get(4)?,
        status: RunStatus::parse(&r.get::<_, String>(5)?),
        phase: r.get(6)?,
        created_at: time(r.get(7)?),
        updated_at: time(r.get(8)?),
        message: r.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedupe::resolve::Decisions;
    use crate::import::plan::{build, PlanInput, Target};
    use crate::job::Scan;

    fn plan() -> Plan {
        build(PlanInput {
            scan: std::borrow::Cow::Owned(Scan::default()),
            tables: &[],
            ph: &[],
            decisions: Decisions::default(),
            target: Target {
                env: "sandbox".into(),
                base_url: "http://127.0.0.1:1".into(),
                clinic_id: "c1".into(),
                clinic_name: "Clinic One".into(),
                country: "US".into(),
                principal: "tester".into(),
            },
            inputs: Vec::new(),
        })
    }

    fn item(step: usize, status: ItemStatus, id: &str) -> Item {
        Item {
            step,
            status,
            ph_id: Some(id.into()),
            message: String::new(),
            after: Some("{}".into()),
        }
    }

    #[test]
    fn answered_batches_items_and_befores_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan();
        let run = plan.run_id.clone();
        {
            let mut j = Journal::open(dir.path()).unwrap();
            j.add_run(&plan, dir.path()).unwrap();
            // Adding it again (a resume) keeps its state.
            j.set_status(&run, RunStatus::Running, "clients.create", "")
                .unwrap();
            j.add_run(&plan, dir.path()).unwrap();
            j.record_batch(
                &run,
                "clients.create",
                0,
                "k-0",
                &[
                    item(0, ItemStatus::Created, "a"),
                    item(1, ItemStatus::Error, ""),
                ],
            )
            .unwrap();
            j.record_batch(
                &run,
                "clients.create",
                2,
                "k-2",
                &[item(5, ItemStatus::Created, "b")],
            )
            .unwrap();
            j.put_befores(&run, "client", &[("p1".into(), "{\"x\":1}".into())])
                .unwrap();
            j.finish_phase(&run, "backup").unwrap();
        }
        let j = Journal::open(dir.path()).unwrap();
        let info = j.run(&run).unwrap().unwrap();
        assert_eq!(info.status, RunStatus::Running);
        assert_eq!(info.phase, "clients.create");
        let answered = j.answered_batches(&run, "clients.create").unwrap();
        assert_eq!(answered.len(), 2);
        assert!(answered.contains(&0) && answered.contains(&2) && !answered.contains(&1));
        let items = j.items(&run, "clients.create").unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[&0].ph_id.as_deref(), Some("a"));
        assert_eq!(items[&1].status, ItemStatus::Error);
        assert!(j.phase_finished(&run, "backup").unwrap());
        assert!(!j.phase_finished(&run, "clients.create").unwrap());
        assert_eq!(j.befores(&run, "client").unwrap()["p1"], "{\"x\":1}");
        assert_eq!(j.runs().unwrap().len(), 1);
        assert!(j.run("nope").unwrap().is_none());
        // The first batch size sticks.
        assert_eq!(j.batch_size(&run, 50).unwrap(), 50);
        assert_eq!(j.batch_size(&run, 200).unwrap(), 50);
    }

    #[cfg(unix)]
    #[test]
    fn the_journal_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let j = Journal::open(&data).unwrap();
        let mode = std::fs::metadata(j.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn statuses_read_back_as_written() {
        for s in [
            RunStatus::Planned,
            RunStatus::Running,
            RunStatus::Failed,
            RunStatus::Cancelled,
            RunStatus::Completed,
            RunStatus::VerifyFailed,
            RunStatus::Undoing,
            RunStatus::Undone,
            RunStatus::UndonePartly,
        ] {
            assert_eq!(RunStatus::parse(s.as_str()), s);
        }
    }
}
