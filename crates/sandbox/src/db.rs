//! The sandbox's database: SQLite, in a file when a data folder is given, else in memory.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;

use crate::SandboxError;

/// The layout below; a data folder made by another layout is refused rather than misread.
const SCHEMA_VERSION: i64 = 2;

/// Tables of the PH client-import API v1 as the sandbox stores them.
/// Timestamps are RFC 3339 UTC text with milliseconds, so they sort as text.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS clinics (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    country        TEXT NOT NULL DEFAULT 'US',
    requires_email INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS clients (
    id                    INTEGER PRIMARY KEY,
    clinic_id             TEXT NOT NULL REFERENCES clinics(id),
    external_id           TEXT,
    first_name            TEXT NOT NULL,
    last_name             TEXT NOT NULL,
    email                 TEXT,
    phone                 TEXT,
    phone_alt             TEXT,
    address_line1         TEXT,
    address_line2         TEXT,
    city                  TEXT,
    state                 TEXT,
    postal_code           TEXT,
    country               TEXT,
    active                INTEGER NOT NULL DEFAULT 1,
    created_by_import_run TEXT,
    import_run_id         TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS clients_external ON clients(clinic_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS clients_clinic ON clients(clinic_id, id);
CREATE INDEX IF NOT EXISTS clients_created_by ON clients(clinic_id, created_by_import_run);
CREATE TABLE IF NOT EXISTS patients (
    id                    INTEGER PRIMARY KEY,
    clinic_id             TEXT NOT NULL REFERENCES clinics(id),
    client_id             INTEGER NOT NULL REFERENCES clients(id),
    external_id           TEXT,
    name                  TEXT NOT NULL,
    species               TEXT NOT NULL,
    breed                 TEXT,
    sex                   TEXT,
    neutered              INTEGER,
    date_of_birth         TEXT,
    weight_kg             REAL,
    color                 TEXT,
    microchip             TEXT,
    deceased              INTEGER NOT NULL DEFAULT 0,
    created_by_import_run TEXT,
    import_run_id         TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS patients_external ON patients(clinic_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS patients_client ON patients(client_id);
CREATE INDEX IF NOT EXISTS patients_created_by ON patients(clinic_id, created_by_import_run);
-- Only a SHA-256 of each token is kept, so a copied database file opens nothing.
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('importer', 'read_only')),
    clinics      TEXT NOT NULL
);
-- The first result of each mutation, per token and idempotency key, for replays.
CREATE TABLE IF NOT EXISTS idempotency (
    principal      TEXT NOT NULL,
    key            TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    response       TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (principal, key)
);
";

/// Opens (and creates if needed) the database.
pub(crate) fn open(data_dir: Option<&Path>) -> Result<Connection, SandboxError> {
    let conn = match data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| SandboxError::Database {
                reason: format!("could not create {}: {e}", dir.display()),
            })?;
            Connection::open(dir.join("ph-sandbox.sqlite3"))
        }
        None => Connection::open_in_memory(),
    }
    .map_err(db_error)?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;")
        .map_err(db_error)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db_error)?;
    let has_tables: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'clinics')",
            [],
            |r| r.get(0),
        )
        .map_err(db_error)?;
    if has_tables && version != SCHEMA_VERSION {
        return Err(SandboxError::Database {
            reason: format!(
                "the data folder holds a database of another sandbox version (layout {version}, this one needs {SCHEMA_VERSION}); delete the folder or choose another --data-dir"
            ),
        });
    }
    conn.execute_batch(SCHEMA).map_err(db_error)?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(db_error)?;
    Ok(conn)
}

/// The one database connection, shared by all requests. Every request holds it for its
/// whole unit of work, which also serializes concurrent uses of one idempotency key.
/// Beside it, the row counts as of the last change, so the health check never waits for
/// the connection.
#[derive(Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
    counts: Arc<Mutex<Counts>>,
}

impl Db {
    pub(crate) fn new(conn: Connection) -> Self {
        let counts = counts(&conn).unwrap_or_default();
        Self {
            conn: Arc::new(Mutex::new(conn)),
            counts: Arc::new(Mutex::new(counts)),
        }
    }

    /// The connection, for work that is short or already off the async threads.
    /// Prefer [`Db::sync`] for changes, which keeps the health check's counts current.
    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, Connection>, SandboxError> {
        self.conn.lock().map_err(|_| SandboxError::Database {
            reason: "the database is unusable after an earlier failure; restart the sandbox".into(),
        })
    }

    /// Runs `work` with the connection on this thread, then refreshes the row counts if it
    /// changed anything.
    pub(crate) fn sync<T, E>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<SandboxError>,
    {
        let mut conn = self.lock()?;
        let before = conn.total_changes();
        let result = work(&mut conn);
        if conn.total_changes() != before {
            if let Ok(now) = counts(&conn) {
                if let Ok(mut cached) = self.counts.lock() {
                    *cached = now;
                }
            }
        }
        result
    }

    /// Runs `work` with the connection on a blocking thread, so a long query does not
    /// stall the server's async threads.
    pub(crate) async fn run<T, E>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<SandboxError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.sync(work))
            .await
            .unwrap_or_else(|e| {
                Err(E::from(SandboxError::Database {
                    reason: format!("a database task stopped unexpectedly: {e}"),
                }))
            })
    }

    /// The row counts as of the last change, without touching the connection.
    pub(crate) fn cached_counts(&self) -> Counts {
        self.counts.lock().map(|c| *c).unwrap_or_default()
    }
}

/// Row counts, for the health check and the start-up banner.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Counts {
    /// Clinics.
    pub clinics: u64,
    /// Clients of all clinics.
    pub clients: u64,
    /// Patients of all clients.
    pub patients: u64,
}

pub(crate) fn counts(conn: &Connection) -> Result<Counts, SandboxError> {
    let count = |table: &str| -> Result<u64, SandboxError> {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n.max(0) as u64)
        .map_err(db_error)
    };
    Ok(Counts {
        clinics: count("clinics")?,
        clients: count("clients")?,
        patients: count("patients")?,
    })
}

/// The current time as stored and served: RFC 3339 UTC with milliseconds.
pub(crate) fn now() -> String {
    format_time(chrono::Utc::now())
}

/// The stored and served form of a time.
pub(crate) fn format_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub(crate) fn db_error(e: rusqlite::Error) -> SandboxError {
    SandboxError::Database {
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_folder_of_another_layout_is_refused_not_misread() {
        let dir = tempfile::tempdir().expect("temp dir");
        let old = Connection::open(dir.path().join("ph-sandbox.sqlite3")).expect("open");
        old.execute_batch("CREATE TABLE clinics (id TEXT PRIMARY KEY, name TEXT NOT NULL);")
            .expect("old layout");
        drop(old);
        let error = open(Some(dir.path())).expect_err("refused");
        assert!(
            error.to_string().contains("another sandbox version"),
            "{error}"
        );
        // A fresh folder gets the current layout, and opens again.
        let fresh = tempfile::tempdir().expect("temp dir");
        drop(open(Some(fresh.path())).expect("created"));
        assert!(open(Some(fresh.path())).is_ok());
    }

    #[test]
    fn times_are_fixed_width_utc_with_milliseconds() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00+02:00")
            .expect("time")
            .with_timezone(&chrono::Utc);
        assert_eq!(format_time(t), "2026-11-23T08:00:00.000Z");
        assert_eq!(now().len(), "2026-11-23T08:00:00.000Z".len());
    }
}
