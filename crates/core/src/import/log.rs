//! The run's phase log, `log.txt`: one timestamped line per phase, kept across resumes.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::ImportError;

/// Appends phase lines to a run's `log.txt`.
pub struct RunLog {
    path: PathBuf,
    file: File,
}

impl RunLog {
    /// Opens (or creates, private) the log of the run in `dir`.
    pub fn open(dir: &Path) -> Result<RunLog, ImportError> {
        let path = dir.join("log.txt");
        if !path.exists() {
            drop(crate::private_file::create(
                &path,
                crate::private_file::Overwrite::Refuse,
            )?);
        }
        if std::fs::symlink_metadata(&path)
            .map_err(|e| ImportError::io(&path, e))?
            .file_type()
            .is_symlink()
        {
            return Err(crate::private_file::CreateError::Symlink {
                path: path.display().to_string(),
            }
            .into());
        }
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| ImportError::io(&path, e))?;
        Ok(RunLog { path, file })
    }

    /// Writes `time phase records=… errors=… elapsed=…s note`, flushed at once so a killed
    /// process leaves every finished phase logged.
    pub fn line(
        &mut self,
        phase: &str,
        records: u64,
        errors: u64,
        elapsed: Duration,
        note: &str,
    ) -> Result<(), ImportError> {
        let note = note.replace(['\n', '\r'], " ");
        let line = format!(
            "{} {phase:<16} records={records} errors={errors} elapsed={:.2}s{}{note}\n",
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            elapsed.as_secs_f64(),
            if note.is_empty() { "" } else { " " },
        );
        self.file
            .write_all(line.as_bytes())
            .and_then(|_| self.file.flush())
            .map_err(|e| ImportError::io(&self.path, e))
    }
}
