//! Commands of the "Map columns" step: thin adapters over `ph_import_core::mapping`.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use ph_import_core::canonical::{Entity, Field};
use ph_import_core::job::{ImportSettings, Job, JobSpec, WriteSummary};
use ph_import_core::mapping::profile::{self, Profile};
use ph_import_core::mapping::resolve::{self, Resolved};
use ph_import_core::mapping::transform::codes::CodeEntry;
use ph_import_core::mapping::{Mapping, SourceTable, TableRole};
use ph_import_core::private_file::Overwrite;
use ph_import_core::review::Edits;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::commands::{off_ui_thread, read_inputs, Jobs, ReadRequest};
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

/// Every canonical field, in file column order, with the required set of the settings.
#[tauri::command]
pub fn canonical_fields(settings: ImportSettings) -> Vec<FieldInfo> {
    let policy = settings.required();
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
    session: State<'_, MappingSession>,
    files: Vec<ReadRequest>,
    settings: ImportSettings,
) -> Result<Resolved, AppError> {
    load_and_resolve(&session, &files, None, settings).await
}

/// Opens the files as a job (tables sampled, mapping chosen with the named profile if any,
/// date orders settled from every value), keeps the samples for re-mapping, and returns the
/// mapping: the same choice `ph-import map` and `convert` make.
async fn load_and_resolve(
    session: &MappingSession,
    files: &[ReadRequest],
    profile: Option<String>,
    settings: ImportSettings,
) -> Result<Resolved, AppError> {
    let spec = JobSpec {
        inputs: read_inputs(files)?,
        profile,
        profile_dir: profile_dir()?,
        settings,
    };
    let job =
        off_ui_thread(move || Ok(Job::open(&spec, &mut |_| {}, &AtomicBool::new(false))?)).await?;
    *session.0.lock().map_err(|_| busy())? = Some(job.tables);
    Ok(job.resolved)
}

/// Maps one field of one table to the column the user chose, or unmaps it (`column: null`).
#[tauri::command]
pub fn remap_field(
    session: State<'_, MappingSession>,
    mut resolved: Resolved,
    table: u32,
    field: Field,
    column: Option<String>,
    settings: ImportSettings,
) -> Result<Resolved, AppError> {
    let guard = session.0.lock().map_err(|_| busy())?;
    let tables = loaded(&guard)?;
    resolve::remap_field(
        &mut resolved,
        tables,
        table as usize,
        field,
        column.as_deref(),
        &settings.suggest_options(),
        &settings.required(),
    )
    .map_err(|e| AppError::new("mapping", e.to_string()))?;
    Ok(resolved)
}

/// Sets what the codes of one code column mean (the Map step's code-table editor).
#[tauri::command]
pub fn set_codes(
    session: State<'_, MappingSession>,
    mut resolved: Resolved,
    table: u32,
    column: String,
    field: Field,
    codes: Vec<CodeEntry>,
) -> Result<Resolved, AppError> {
    let guard = session.0.lock().map_err(|_| busy())?;
    let tables = loaded(&guard)?;
    resolve::set_codes(&mut resolved, tables, table as usize, &column, field, codes)
        .map_err(|e| AppError::new("mapping", e.to_string()))?;
    Ok(resolved)
}

/// Says what one table holds: that table is mapped again for it; every other table keeps
/// its mapping and the person's choices on it.
#[tauri::command]
pub fn set_table_role(
    session: State<'_, MappingSession>,
    mut resolved: Resolved,
    table: u32,
    role: TableRole,
    settings: ImportSettings,
) -> Result<Resolved, AppError> {
    let guard = session.0.lock().map_err(|_| busy())?;
    let tables = loaded(&guard)?;
    // The table is suggested again in the country the mapping already uses.
    let mut options = settings.suggest_options();
    options.country = resolved.mapping.country.clone();
    options.infer_country = false;
    resolve::change_role(
        &mut resolved,
        tables,
        table as usize,
        role,
        &options,
        &settings.required(),
    )
    .map_err(|e| AppError::new("mapping", e.to_string()))?;
    Ok(resolved)
}

/// The tables the mapping session holds, or an error saying to load the files again.
fn loaded(tables: &Option<Vec<SourceTable>>) -> Result<&[SourceTable], AppError> {
    tables.as_deref().ok_or_else(|| {
        AppError::new(
            "mapping",
            "Load the files again before changing the mapping.",
        )
    })
}

/// Applies the person's settings (country, e-mail, weight unit) to the mapping, keeping
/// every other choice they made.
#[tauri::command]
pub fn apply_settings(mut resolved: Resolved, settings: ImportSettings) -> Resolved {
    settings.apply(&mut resolved);
    resolved
}

pub(crate) fn profile_dir() -> Result<PathBuf, AppError> {
    profile::saved_dir().map_err(|e| {
        AppError::new(
            "internal",
            format!("The folder of saved profiles is unknown: {e}"),
        )
    })
}

fn busy() -> AppError {
    AppError::new(
        "internal",
        "The mapping is unavailable after an earlier failure; restart the app.",
    )
}

/// Saves the mapping as a named vendor profile, proposed first for files with the same columns.
#[tauri::command]
pub fn save_profile(
    name: String,
    description: String,
    mapping: Mapping,
) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::new(
            "invalid_option",
            "Give the profile a name, e.g. the clinic's practice system.",
        ));
    }
    let dir = profile_dir()?;
    let profile = Profile::new(name, &description, mapping);
    profile::save(&dir, &profile)
        .map(|p| p.display().to_string())
        .map_err(|e| {
            AppError::new(
                "io",
                format!("The profile could not be saved in {}: {e}", dir.display()),
            )
        })
}

/// Writes the mapping as a profile file at `path` (chosen in a save dialog), to share or keep.
#[tauri::command]
pub fn export_profile(name: String, mapping: Mapping, path: String) -> Result<(), AppError> {
    let profile = Profile::new(name.trim(), "", mapping);
    std::fs::write(&path, profile.to_json()).map_err(|e| {
        AppError::new(
            "io",
            format!("The profile could not be written to {path}: {e}"),
        )
    })
}

/// Maps the files with a profile: a saved profile's name, or a profile file's path.
#[tauri::command]
pub async fn apply_profile(
    session: State<'_, MappingSession>,
    files: Vec<ReadRequest>,
    profile: String,
    settings: ImportSettings,
) -> Result<Resolved, AppError> {
    load_and_resolve(&session, &files, Some(profile), settings).await
}

/// Names of the saved and built-in profiles, for the "use a profile" list.
#[tauri::command]
pub fn list_profiles() -> Result<Vec<String>, AppError> {
    Ok(resolve::all_profiles(&profile_dir()?)
        .into_iter()
        .map(|p| p.name)
        .collect())
}

/// Converts every row with the reviewed mapping and writes `clients.csv`, `patients.csv`,
/// `findings.csv`, `duplicates.csv` and the mapping profile into `dir`: the same files
/// `ph-import convert` writes.
#[tauri::command]
pub async fn save_canonical(
    jobs: State<'_, Jobs>,
    job_id: String,
    files: Vec<ReadRequest>,
    mapping: Mapping,
    dir: String,
    settings: ImportSettings,
) -> Result<WriteSummary, AppError> {
    let inputs = read_inputs(&files)?;
    jobs.run(&job_id, move |cancel| {
        let job = Job::with_mapping(&inputs, mapping)?;
        let saved = job.save_reviewed(
            Path::new(&dir),
            settings.policies(Overwrite::Replace),
            &Edits::default(),
            &mut |_| {},
            cancel,
        )?;
        Ok(saved.summary)
    })
    .await
}
