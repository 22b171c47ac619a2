//! Commands of the Cohort screen: thin adapters over `ph_import_core::cohort`. The core checks,
//! plans and applies; this opens the manifest's environments as the Import step does, asks
//! for production, and sends the core's progress as `cohort-event` events. One cohort job
//! runs at a time, cancelled with `cancel_job("cohort")`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ph_import_core::cohort::{
    self, ApplyOptions, CohortError, CohortEvent, CohortState, CohortStatus, Endpoint, Endpoints,
    Folders, Manifest, PlanOptions,
};
use ph_import_core::import::{ImportError, Journal};
use ph_import_core::ph::EnvironmentKind;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use crate::commands::Jobs;
use crate::environments::open;
use crate::error::AppError;
use crate::import::data_dir;
use crate::sandbox::EmbeddedSandbox;

/// The id of the cohort job, for `cancel_job`.
const JOB: &str = "cohort";

/// A cohort as the screen shows it: the manifest, and where each clinic stands once planned.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CohortOpened {
    /// The manifest file.
    pub manifest_path: String,
    /// What it says.
    pub manifest: Manifest,
    /// Each clinic's status, once the cohort was planned.
    pub status: Option<CohortStatus>,
    /// Environments of the manifest that are production: applying needs the cohort's name.
    pub production: Vec<String>,
}

impl From<CohortError> for AppError {
    fn from(e: CohortError) -> Self {
        // The core's words name the CLI's flag; here the choice is the screen's checkbox.
        if let CohortError::ChecksFailed {
            failed,
            total,
            problems,
        } = &e
        {
            let mut lines = vec![format!(
                "{failed} of {total} clinics failed their checks, so the cohort was not planned and nothing was sent:"
            )];
            for (clinic, list) in problems {
                lines.push(format!("{clinic}:"));
                lines.extend(list.iter().map(|p| format!("  - {p}")));
            }
            lines.push(
                "Fix them and plan again, or tick “Plan the clinics that pass their checks” to plan the others."
                    .to_owned(),
            );
            return AppError::new("checks", lines.join("\n"));
        }
        let code = match &e {
            CohortError::NoState { .. } => "not_planned",
            CohortError::Import(ImportError::Ph(_)) => "ph",
            _ => "cohort",
        };
        AppError::new(code, e.to_string())
    }
}

/// Reads a cohort manifest (or its state folder) and, when it was planned, each clinic's status.
#[tauri::command]
pub async fn cohort_open(path: String) -> Result<CohortOpened, AppError> {
    opened(Path::new(&path))
}

fn opened(path: &Path) -> Result<CohortOpened, AppError> {
    let located = cohort::locate(path)?;
    let Some(loaded) = located.manifest else {
        return Err(AppError::new(
            "cohort",
            format!(
                "{} is a cohort's state without its manifest: open the manifest (.toml) instead.",
                path.display()
            ),
        ));
    };
    let status = if located.state_file.exists() {
        Some(cohort::status(&data_dir()?, &located.state_file)?)
    } else {
        None
    };
    let names = loaded.envs();
    Ok(CohortOpened {
        manifest_path: loaded.path.display().to_string(),
        production: production(&names)?,
        manifest: loaded.manifest,
        status,
    })
}

/// Checks every clinic and file of the manifest at `path`, then plans each clinic; nothing is
/// sent. With `skip_failing`, clinics failing their checks are skipped instead of stopping
/// the cohort.
#[tauri::command]
pub async fn cohort_plan(
    app: AppHandle,
    jobs: State<'_, Jobs>,
    sandbox: State<'_, EmbeddedSandbox>,
    path: String,
    skip_failing: bool,
) -> Result<CohortOpened, AppError> {
    let loaded = cohort::manifest::load(Path::new(&path))?;
    let names = loaded.envs();
    let endpoints = open_all(names, &sandbox).await;
    let data = data_dir()?;
    let profiles = crate::mapping::profile_dir()?;
    let manifest_path = loaded.path.clone();
    jobs.run(JOB, move |cancel| {
        let mut emit = |e: CohortEvent| drop(app.emit("cohort-event", e));
        tauri::async_runtime::block_on(cohort::plan(
            &endpoints,
            &loaded,
            Folders {
                data_dir: &data,
                profile_dir: &profiles,
            },
            PlanOptions { skip_failing },
            cancel,
            &mut emit,
        ))?;
        opened(&manifest_path)
    })
    .await
}

/// Applies the planned cohort at `path`, a few clinics at once; clinics stopped part-way are
/// resumed and completed ones left alone, so this is also the cohort's resume. Clinics in
/// production need `confirmation` to be the cohort's name.
#[tauri::command]
pub async fn cohort_apply(
    app: AppHandle,
    jobs: State<'_, Jobs>,
    sandbox: State<'_, EmbeddedSandbox>,
    path: String,
    confirmation: String,
) -> Result<CohortOpened, AppError> {
    let located = cohort::locate(Path::new(&path))?;
    let state = CohortState::load(&located.state_file)?;
    let data = data_dir()?;
    let envs = CohortState::envs_to_send(&state, &Journal::open(&data)?)?;
    let names: BTreeSet<String> = envs.into_iter().collect();
    let in_production = production(&names)?;
    if !in_production.is_empty() && !state.confirms(&confirmation) {
        return Err(AppError::new(
            "confirm",
            format!(
                "{} {} production: type the cohort's name, {}, to import there. Nothing was sent.",
                in_production.join(", "),
                if in_production.len() == 1 {
                    "is"
                } else {
                    "are"
                },
                state.name
            ),
        ));
    }
    let endpoints = open_all(names, &sandbox).await;
    let state_file: PathBuf = located.state_file.clone();
    jobs.run(JOB, move |cancel| {
        let mut emit = |e: CohortEvent| drop(app.emit("cohort-event", e));
        tauri::async_runtime::block_on(cohort::apply(
            &endpoints,
            &state_file,
            &data,
            ApplyOptions { concurrency: 4 },
            cancel,
            &mut emit,
        ))?;
        opened(&path_of(&state_file, &path))
    })
    .await
}

/// The manifest when the person opened one, else the state file (which names its manifest).
fn path_of(state_file: &Path, given: &str) -> PathBuf {
    let given = PathBuf::from(given);
    if given.is_file() && given.extension().is_some_and(|e| e == "toml") {
        given
    } else {
        state_file.to_path_buf()
    }
}

/// Opens each environment once; one that cannot be opened is reported against its clinics.
async fn open_all(names: BTreeSet<String>, sandbox: &EmbeddedSandbox) -> Endpoints {
    let mut endpoints = Endpoints::new();
    for name in names {
        let opened = open(&name, sandbox)
            .await
            .map(|(api, base_url, env)| Endpoint {
                api,
                base_url,
                kind: env.kind,
            });
        endpoints.insert(name, opened.map_err(|e| e.message));
    }
    endpoints
}

/// The production environments among `names` (unknown names are reported by the core).
fn production(names: &BTreeSet<String>) -> Result<Vec<String>, AppError> {
    let (_, settings) = crate::environments::load_settings()?;
    Ok(names
        .iter()
        .filter(|n| {
            settings
                .get(n)
                .is_ok_and(|e| e.kind == EnvironmentKind::Production)
        })
        .cloned()
        .collect())
}
