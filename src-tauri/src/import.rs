//! Commands of the "Import" step: thin adapters over `ph_import_core::import`.
//!
//! The clinics of the environment, a plan of the reviewed files for one of them (nothing
//! sent), and applying that plan with progress events and cancel. The core plans, applies,
//! journals and reports; these commands only find the environment and pass things on.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ph_import_core::canonical::Entity;
use ph_import_core::dedupe::resolve::Decisions;
use ph_import_core::import::matches::{
    self, BulkDecision, Choice, GroupFilter, GroupPage, MatchFilter, MatchPage,
};
use ph_import_core::import::{
    self, load_run_plan, Context, ImportError, JobPlan, Options, Plan, PlanOverview, RunReport,
};
use ph_import_core::job::{ImportSettings, Job, WriteError};
use ph_import_core::mapping::Mapping;
use ph_import_core::ph::environments::{self, confirms_production};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use crate::commands::{read_inputs, Jobs, ReadRequest};
use crate::environments::open;
use crate::error::AppError;
use crate::review::ReviewState;
use crate::sandbox::EmbeddedSandbox;

/// A clinic the app may import into.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ClinicChoice {
    /// PH's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its country (ISO alpha-2).
    pub country: String,
    /// Clients it holds now.
    #[ts(type = "number")]
    pub clients: u64,
    /// Pets it holds now.
    #[ts(type = "number")]
    pub patients: u64,
}

/// The clinics of the environment the app talks to.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ClinicList {
    /// The environment's name as plans record it (`sandbox`).
    pub env: String,
    /// The environment's name as the badge shows it (`Sandbox`).
    pub env_label: String,
    /// Whether it is a production environment (importing needs the clinic's name typed).
    pub production: bool,
    /// The clinics the app's token may use.
    pub clinics: Vec<ClinicChoice>,
}

/// Progress of making a plan, sent as the `plan-progress` event.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PlanProgress {
    /// The job this progress belongs to.
    pub job_id: String,
    /// `converting` (the files' rows) or `reading` (the clinic's PH clients).
    pub step: String,
    /// Rows converted, or PH clients read, so far.
    #[ts(type = "number")]
    pub done: u64,
    /// The clinic's PH clients in all, when reading and PH said.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}

impl From<ImportError> for AppError {
    fn from(e: ImportError) -> Self {
        let code = match &e {
            ImportError::Convert(WriteError::Cancelled) => {
                return AppError::new("cancelled", "Cancelled.")
            }
            ImportError::Undecided { .. } => "undecided",
            ImportError::PhChanged { .. } => "changed",
            ImportError::Ph(_) | ImportError::Interrupted { .. } => "ph",
            _ => "import",
        };
        AppError::new(code, e.to_string())
    }
}

/// Refuses to write to a production environment unless `confirmation` is the plan's clinic's
/// name (or id), as the CLI's `--yes-i-mean-production`; `what` says what would be done.
pub(crate) fn confirm_production(
    env: &environments::Environment,
    plan: &Plan,
    confirmation: &str,
    what: &str,
) -> Result<(), AppError> {
    let target = &plan.target;
    if confirms_production(
        env.kind,
        &target.clinic_id,
        &target.clinic_name,
        confirmation,
    ) {
        return Ok(());
    }
    Err(AppError::new(
        "confirm",
        format!(
            "`{}` is a production environment: type the clinic's name, {}, to {what}. Nothing was sent.",
            env.name, target.clinic_name
        ),
    ))
}

pub(crate) fn data_dir() -> Result<PathBuf, AppError> {
    environments::data_dir().map_err(|e| {
        AppError::new(
            "data_dir",
            format!("The app's data folder cannot be used: {e}"),
        )
    })
}

/// The label of an environment in sentences: the built-in one is `Sandbox`.
fn env_label(env: &environments::Environment) -> String {
    if env.is_embedded_sandbox() {
        "Sandbox".to_owned()
    } else {
        env.name.clone()
    }
}

/// The clinics of the chosen environment the app may import into.
#[tauri::command]
pub async fn list_clinics(
    sandbox: State<'_, EmbeddedSandbox>,
    env: String,
) -> Result<ClinicList, AppError> {
    let (api, _, env) = open(&env, &sandbox).await?;
    let me = api.me().await.map_err(ImportError::from)?;
    Ok(ClinicList {
        env: api.env().to_owned(),
        env_label: env_label(&env),
        production: env.kind == environments::EnvironmentKind::Production,
        clinics: me
            .clinics
            .into_iter()
            .map(|c| ClinicChoice {
                id: c.id,
                name: c.name,
                country: c.country,
                clients: c.client_count,
                patients: c.patient_count,
            })
            .collect(),
    })
}

/// Plans the files (with the confirmed mapping, the review's changes and the settings)
/// against the clinic's PH data and saves the plan in its run's folder; sends nothing.
/// Cancellable with `cancel_job(job_id)`.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn plan_import(
    app: AppHandle,
    jobs: State<'_, Jobs>,
    sandbox: State<'_, EmbeddedSandbox>,
    review: State<'_, ReviewState>,
    job_id: String,
    files: Vec<ReadRequest>,
    mapping: Mapping,
    settings: ImportSettings,
    env: String,
    clinic_id: String,
    decisions: Decisions,
) -> Result<PlanOverview, AppError> {
    let inputs = read_inputs(&files)?;
    let paths: Vec<PathBuf> = inputs.iter().map(|(p, _)| p.clone()).collect();
    // The review's changes and exclusions are the person's: what Save writes is what is planned.
    let edits = review.edits_for(&mapping)?;
    let (api, url, _) = open(&env, &sandbox).await?;
    let data = data_dir()?;
    let id = job_id.clone();
    jobs.run(&job_id, move |cancel| {
        let job = Job::with_mapping(&inputs, mapping)?;
        // A lost progress event only makes the line lag.
        let emit = |step: &str, done: u64, total: Option<u64>| {
            let p = PlanProgress {
                job_id: id.clone(),
                step: step.to_owned(),
                done,
                total,
            };
            drop(app.emit("plan-progress", p))
        };
        let (plan, path) = tauri::async_runtime::block_on(import::plan_job(
            &api,
            JobPlan {
                job: &job,
                settings: &settings,
                edits: edits.as_ref(),
                decisions,
                files: &paths,
                clinic_id: &clinic_id,
                base_url: &url,
                data_dir: &data,
            },
            &mut |p| emit("converting", p.rows, None),
            &mut |read, total| emit("reading", read, total),
            cancel,
        ))?;
        Ok(PlanOverview::of(&plan, &path))
    })
    .await
}

/// Applies a planned run: backup, clients, pets, verify, reports; `import-progress` events
/// follow it, `cancel_job(run_id)` stops it after the batches in flight (it can be resumed).
/// It goes to the environment the plan was made for; a production one needs `confirmation`
/// to be the clinic's name (or id), as the CLI's `--yes-i-mean-production`.
#[tauri::command]
pub async fn apply_import(
    app: AppHandle,
    jobs: State<'_, Jobs>,
    sandbox: State<'_, EmbeddedSandbox>,
    run_id: String,
    confirmation: String,
) -> Result<RunReport, AppError> {
    let data = data_dir()?;
    let plan = load_run_plan(&data, &run_id)?;
    let (api, _, env) = open(&plan.target.env, &sandbox).await?;
    confirm_production(&env, &plan, &confirmation, "import into it")?;
    jobs.run(&run_id, move |cancel| {
        let ctx = Context {
            api: &api,
            data_dir: &data,
        };
        // A lost progress event only makes the bar lag.
        let mut report = |p: &import::Progress| drop(app.emit("import-progress", p.clone()));
        Ok(tauri::async_runtime::block_on(import::apply(
            &ctx,
            &plan,
            Options::default(),
            cancel,
            &mut report,
        ))?)
    })
    .await
}

/// The plan the Duplicates screen pages through, kept loaded: a large plan takes a while to
/// read, and the screen asks for a page at every scroll and filter.
#[derive(Default)]
pub struct LoadedPlan(Mutex<Option<Arc<Plan>>>);

impl LoadedPlan {
    fn get(&self, run_id: &str) -> Result<Arc<Plan>, AppError> {
        let mut loaded = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(plan) = loaded.as_ref().filter(|p| p.run_id == run_id) {
            return Ok(plan.clone());
        }
        let plan = Arc::new(load_run_plan(&data_dir()?, run_id)?);
        *loaded = Some(plan.clone());
        Ok(plan)
    }
}

/// A page of the planned run's records that match PH records (updates, conflicts,
/// ambiguous matches), each beside the PH records it may be.
#[tauri::command]
pub async fn plan_matches(
    loaded: State<'_, LoadedPlan>,
    run_id: String,
    decisions: Decisions,
    filter: MatchFilter,
    offset: usize,
    limit: usize,
) -> Result<MatchPage, AppError> {
    let plan = loaded.get(&run_id)?;
    Ok(matches::page(&plan, &decisions, &filter, offset, limit))
}

/// The decisions with one more: `choice` for one matched record (`ph_id` picks the PH
/// record an ambiguous one is merged into).
#[tauri::command]
pub fn decide_match(
    decisions: Decisions,
    entity: Entity,
    external_id: String,
    choice: Choice,
    ph_id: Option<String>,
) -> Decisions {
    matches::decide(decisions, entity, &external_id, choice, ph_id)
}

/// The decisions with `choice` made for every matched record the filter lists.
#[tauri::command]
pub async fn decide_matches(
    loaded: State<'_, LoadedPlan>,
    run_id: String,
    decisions: Decisions,
    filter: MatchFilter,
    choice: Choice,
) -> Result<BulkDecision, AppError> {
    let plan = loaded.get(&run_id)?;
    Ok(matches::decide_all(&plan, decisions, &filter, choice))
}

/// A page of the planned run's duplicate groups inside the files.
#[tauri::command]
pub async fn plan_groups(
    loaded: State<'_, LoadedPlan>,
    run_id: String,
    decisions: Decisions,
    filter: GroupFilter,
    offset: usize,
    limit: usize,
) -> Result<GroupPage, AppError> {
    let plan = loaded.get(&run_id)?;
    Ok(matches::groups(&plan, &decisions, &filter, offset, limit))
}

/// The decisions with the group `id` made one record, or separate records again.
#[tauri::command]
pub async fn decide_group(
    loaded: State<'_, LoadedPlan>,
    run_id: String,
    decisions: Decisions,
    id: u32,
    one_record: bool,
) -> Result<Decisions, AppError> {
    let plan = loaded.get(&run_id)?;
    Ok(matches::decide_group(&plan, decisions, id, one_record))
}

/// The decisions with every group the filter lists made one record, or separate again.
#[tauri::command]
pub async fn decide_groups(
    loaded: State<'_, LoadedPlan>,
    run_id: String,
    decisions: Decisions,
    filter: GroupFilter,
    one_record: bool,
) -> Result<BulkDecision, AppError> {
    let plan = loaded.get(&run_id)?;
    Ok(matches::decide_groups(
        &plan, decisions, &filter, one_record,
    ))
}
