//! The sandbox's database: SQLite, in a file when a data folder is given, else in memory.

use std::path::Path;

use rusqlite::Connection;

use crate::SandboxError;

/// Tables of the PH client-import API v1 as the sandbox stores them.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS clinics (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    country     TEXT NOT NULL DEFAULT 'US'
);
CREATE TABLE IF NOT EXISTS clients (
    id            INTEGER PRIMARY KEY,
    clinic_id     TEXT NOT NULL REFERENCES clinics(id),
    external_id   TEXT,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    email         TEXT,
    phone         TEXT,
    phone_alt     TEXT,
    address_line1 TEXT,
    address_line2 TEXT,
    city          TEXT,
    state         TEXT,
    postal_code   TEXT,
    country       TEXT NOT NULL DEFAULT 'US',
    active        INTEGER NOT NULL DEFAULT 1,
    import_run_id TEXT,
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX IF NOT EXISTS clients_external ON clients(clinic_id, external_id) WHERE external_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS patients (
    id            INTEGER PRIMARY KEY,
    client_id     INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    external_id   TEXT,
    name          TEXT NOT NULL,
    species       TEXT NOT NULL,
    breed         TEXT,
    sex           TEXT,
    neutered      INTEGER,
    date_of_birth TEXT,
    weight_kg     REAL,
    color         TEXT,
    microchip     TEXT,
    deceased      INTEGER NOT NULL DEFAULT 0,
    import_run_id TEXT,
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE IF NOT EXISTS tokens (
    token   TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('importer', 'read_only')),
    clinics TEXT NOT NULL
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
    conn.execute_batch(SCHEMA).map_err(db_error)?;
    Ok(conn)
}

/// Row counts, for the health check and the start-up banner.
#[derive(Debug, Clone, Copy, serde::Serialize)]
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

pub(crate) fn db_error(e: rusqlite::Error) -> SandboxError {
    SandboxError::Database {
        reason: e.to_string(),
    }
}
