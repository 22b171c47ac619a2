//! Commands of the "Map columns" step: thin adapters over `ph_import_core::mapping`.

use std::path::PathBuf;
use std::sync::Mutex;

use ph_import_core::canonical::{Entity, Field, RequiredPolicy};
use ph_import_core::mapping::resolve::{self, Resolved};
use ph_import_core::mapping::{SourceTable, SuggestOptions};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::commands::{off_ui_thread, ReadRequest};
use crate::error::AppError;

/// The sampled tables of the files being mapped, kept so re-mapping a field is instant.
#[derive(Default)]
pub struct MappingSession(Mutex<Option<Vec<SourceTable>>>);

/// A canonical field as the mapping screen lists it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FieldInfo {
    /// The field key, e.g. `client.email`.
    pub field: Field,
    /// Client or patient.
    pub entity: Entity,
    /// What it holds, for people.
    pub description: String,
    /// Whether PH needs it for the record to be imported.
    pub required: bool,
}

/// Every canonical field, in file column order, with PH's required set.
#[tauri::command]
pub fn canonical_fields() -> Vec<FieldInfo> {
    let policy = policy();
    Field::ALL
        .iter()
        .map(|&field| FieldInfo {
            field,
            entity: field.entity(),
            description: field.description().to_owned(),
            required: policy.requires(field),
        })
        .collect()
}

/// Suggests (or recognizes from a saved profile) the mapping of the files, each read with its overrides.
#[tauri::command]
pub async fn suggest_mapping(
    app: AppHandle,
    session: State<'_, MappingSession>,
    files: Vec<ReadRequest>,
    country: String,
) -> Result<Resolved, AppError> {
    let inputs = files
        .iter()
        .map(|f| Ok((PathBuf::from(&f.path), f.options()?)))
        .collect::<Result<Vec<_>, AppError>>()?;
    let dir = profile_dir(&app)?;
    let (tables, resolved) = off_ui_thread(move || {
        let (_, tables) = resolve::load_tables_with(&inputs)?;
        let resolved = resolve::resolve(None, &tables, &options(&country), &policy(), &dir)
            .map_err(|e| AppError::new("mapping", e.to_string()))?;
        Ok((tables, resolved))
    })
    .await?;
    *session.0.lock().map_err(|_| busy())? = Some(tables);
    Ok(resolved)
}

/// Maps one field of one table to the column the user chose, or unmaps it (`column: null`).
#[tauri::command]
pub fn remap_field(
    session: State<'_, MappingSession>,
    mut resolved: Resolved,
    table: u32,
    field: Field,
    column: Option<String>,
    country: String,
) -> Result<Resolved, AppError> {
    let guard = session.0.lock().map_err(|_| busy())?;
    let tables = guard.as_ref().ok_or_else(|| {
        AppError::new(
            "mapping",
            "Load the files again before changing the mapping.",
        )
    })?;
    resolve::remap_field(
        &mut resolved,
        tables,
        table as usize,
        field,
        column.as_deref(),
        &options(&country),
        &policy(),
    )
    .map_err(|e| AppError::new("mapping", e.to_string()))?;
    Ok(resolved)
}

fn options(country: &str) -> SuggestOptions {
    SuggestOptions {
        country: country.to_ascii_uppercase(),
        ..SuggestOptions::default()
    }
}

/// PH's required set; becomes the chosen target's policy once targets carry one.
fn policy() -> RequiredPolicy {
    RequiredPolicy::ph_default()
}

fn profile_dir(app: &AppHandle) -> Result<PathBuf, AppError> {
    app.path()
        .app_config_dir()
        .map(|d| d.join("profiles"))
        .map_err(|e| {
            AppError::new(
                "internal",
                format!("The app's settings folder is unknown: {e}"),
            )
        })
}

fn busy() -> AppError {
    AppError::new(
        "internal",
        "The mapping is unavailable after an earlier failure; restart the app.",
    )
}
