//! A clinic's PH data as canonical files: the backup taken before an import writes, and
//! `ph-import export`.

use std::path::{Path, PathBuf};

use crate::canonical::{Entity, Field};
use crate::ph::canonical::{client_record, patient_record};
use crate::ph::types::Client;
use crate::ph::{PhApi, PhError};
use crate::private_file::Overwrite;
use crate::table_file::{OutputFormat, Writer};

use super::error::ImportError;

/// Every client of the clinic with its patients, `progress(read, total)` after each page.
pub async fn fetch_clinic(
    api: &PhApi,
    clinic_id: &str,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Vec<Client>, PhError> {
    let mut pages = api.clients(clinic_id, None);
    let mut all = Vec::new();
    while let Some(page) = pages.next_page().await? {
        all.extend(page);
        progress(all.len() as u64, pages.total_count());
    }
    Ok(all)
}

/// Writes `clients.csv` and `patients.csv` (canonical format) and `ph-clients.jsonl` (PH's
/// records as PH returned them, ids and times included) into `dir`.
pub fn write_canonical(
    dir: &Path,
    clients: &[Client],
    overwrite: Overwrite,
) -> Result<Vec<PathBuf>, ImportError> {
    crate::private_file::create_dir(dir)?;
    let paths = vec![
        dir.join("clients.csv"),
        dir.join("patients.csv"),
        dir.join("ph-clients.jsonl"),
    ];
    let client_cols: Vec<&str> = Field::of(Entity::Client).map(Field::column).collect();
    let patient_cols: Vec<&str> = Field::of(Entity::Patient).map(Field::column).collect();
    let mut cw = Writer::create_with(&paths[0], OutputFormat::Csv, &client_cols, overwrite)?;
    let mut pw = Writer::create_with(&paths[1], OutputFormat::Csv, &patient_cols, overwrite)?;
    let mut jw = Writer::create_with(&paths[2], OutputFormat::Jsonl, &[], overwrite)?;
    let io = |p: &Path, e: std::io::Error| ImportError::io(p, e);
    for c in clients {
        let record = client_record(c);
        cw.write(&record.cells(), || serde_json::Value::Null)
            .map_err(|e| io(&paths[0], e))?;
        for p in &c.patients {
            let pet = patient_record(p, &record.external_id);
            pw.write(&pet.cells(), || serde_json::Value::Null)
                .map_err(|e| io(&paths[1], e))?;
        }
        jw.write(&[], || serde_json::to_value(c).unwrap_or_default())
            .map_err(|e| io(&paths[2], e))?;
    }
    cw.flush().map_err(|e| io(&paths[0], e))?;
    pw.flush().map_err(|e| io(&paths[1], e))?;
    jw.flush().map_err(|e| io(&paths[2], e))?;
    Ok(paths)
}

/// Writes the clinic's PH clients and patients into `dir` as the backup of an import does
/// (`ph-import export`): the same records give the same bytes. `progress(read, total)` after
/// each page read.
pub async fn export_clinic(
    api: &PhApi,
    clinic_id: &str,
    dir: &Path,
    overwrite: Overwrite,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Vec<PathBuf>, ImportError> {
    let clients = fetch_clinic(api, clinic_id, progress).await?;
    write_canonical(dir, &clients, overwrite)
}

/// Reads back the PH records of a backup written by [`write_canonical`].
pub fn read_backup(dir: &Path) -> Result<Vec<Client>, ImportError> {
    let path = dir.join("ph-clients.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| ImportError::io(&path, e))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| ImportError::io(&path, e)))
        .collect()
}
