//! Planning a cohort: every clinic checked first (its environment and token, the importer
//! role and access to the clinic, the clinic in PH, its decisions file, its files read and
//! mapped), then each clinic that passed planned as one run of the engine (every row
//! converted and matched against PH, the plan saved in the run's folder). Nothing is sent.
//! A clinic that fails fails the cohort, unless the person chose to skip failing clinics.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::canonical::Field;
use crate::dedupe::resolve::Decisions;
use crate::import::plan::Summary;
use crate::import::{self, JobPlan, Journal, Plan};
use crate::job::{ImportSettings, Job, JobProgress, JobSpec};
use crate::ph::types::Role;
use crate::ph::Clinic;
use crate::read::overrides::file_index;
use crate::read::ReadOptions;

use super::bounded;
use super::manifest::{ClinicEntry, LoadedManifest};
use super::state::{run_of, summarize, ClinicState, CohortState, CohortStatus, STATE_FORMAT};
use super::{CohortError, CohortEvent, Endpoint, Endpoints};

/// How to plan a cohort.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// Plan the clinics that pass their checks and mark the others skipped, instead of
    /// planning none.
    pub skip_failing: bool,
}

/// Where a cohort's runs and profiles are.
#[derive(Debug, Clone, Copy)]
pub struct Folders<'a> {
    /// The app's data folder (journal, runs, audit log).
    pub data_dir: &'a Path,
    /// Where saved mapping profiles are.
    pub profile_dir: &'a Path,
}

/// A clinic that passed its checks: what its plan needs.
struct Checked<'a> {
    entry: &'a ClinicEntry,
    endpoint: &'a Endpoint,
    clinic: Clinic,
    job: Job,
    settings: ImportSettings,
    decisions: Decisions,
}

/// Checks every clinic of `manifest`, then plans each one that passed, and saves the
/// cohort's state; sends nothing. Clinics whose runs have already sent something (an
/// earlier plan of this cohort, applied) keep their runs and are not checked again.
pub async fn plan(
    endpoints: &Endpoints,
    manifest: &LoadedManifest,
    folders: Folders<'_>,
    options: PlanOptions,
    cancel: &AtomicBool,
    events: &mut dyn FnMut(CohortEvent),
) -> Result<CohortStatus, CohortError> {
    let state_file = CohortState::path_in(&manifest.state_dir());
    let journal = Journal::open(folders.data_dir)?;
    let kept = started_clinics(&state_file, &journal)?;
    let events = RefCell::new(events);
    let emit = |e: CohortEvent| (*events.borrow_mut())(e);
    let m = &manifest.manifest;
    let to_plan: Vec<&ClinicEntry> = m
        .clinics
        .iter()
        .filter(|c| !kept.contains_key(&key(&c.env, &c.clinic_id)))
        .collect();

    // First every clinic's checks, so a bad file is found before any clinic is planned.
    let mut checked: BTreeMap<usize, Checked> = BTreeMap::new();
    let mut failed: BTreeMap<usize, (String, Vec<String>)> = BTreeMap::new();
    bounded::for_each(
        to_plan.iter().copied().enumerate(),
        m.max_parallel,
        |(i, entry)| {
            let emit = &emit;
            async move {
                emit(CohortEvent::Checking {
                    clinic_id: entry.clinic_id.clone(),
                    env: entry.env.clone(),
                });
                (
                    i,
                    check(endpoints, entry, folders.profile_dir, cancel, emit).await,
                )
            }
        },
        |(i, outcome)| match outcome {
            Ok(c) => {
                checked.insert(i, c);
            }
            Err((name, problems)) => {
                if let Some(entry) = to_plan.get(i) {
                    emit(not_planned(entry, &problems));
                }
                failed.insert(i, (name, problems));
            }
        },
    )
    .await;
    // A cancelled check or plan is not the clinic's fault: nothing is marked, nothing saved.
    if cancel.load(Ordering::Relaxed) {
        return Err(CohortError::Cancelled);
    }
    if !failed.is_empty() && !options.skip_failing {
        return Err(checks_failed(&to_plan, &failed, m.clinics.len()));
    }

    // Then the plans: every row read and matched against PH.
    // Only what the state keeps: a large clinic's plan is not held until the last is made.
    let mut planned: BTreeMap<usize, (String, String, PathBuf, Summary)> = BTreeMap::new();
    let checked_list: Vec<(usize, Checked)> = checked.into_iter().collect();
    bounded::for_each(
        checked_list,
        m.max_parallel,
        |(i, c)| {
            let emit = &emit;
            async move {
                emit(CohortEvent::Planning {
                    clinic_id: c.entry.clinic_id.clone(),
                    env: c.entry.env.clone(),
                });
                let (entry, name) = (c.entry, c.clinic.name.clone());
                (
                    i,
                    entry,
                    name,
                    plan_one(c, folders.data_dir, cancel, emit).await,
                )
            }
        },
        |(i, entry, name, outcome)| match outcome {
            Ok((plan, path)) => {
                emit(CohortEvent::Planned {
                    clinic_id: entry.clinic_id.clone(),
                    env: entry.env.clone(),
                    run_id: plan.run_id.clone(),
                    summary: plan.summary.text.clone(),
                });
                let Plan {
                    run_id,
                    target,
                    summary,
                    ..
                } = plan;
                planned.insert(i, (run_id, target.clinic_name, path, summary));
            }
            Err(problem) => {
                let problems = vec![problem];
                emit(not_planned(entry, &problems));
                failed.insert(i, (name, problems));
            }
        },
    )
    .await;
    // A cancelled check or plan is not the clinic's fault: nothing is marked, nothing saved.
    if cancel.load(Ordering::Relaxed) {
        return Err(CohortError::Cancelled);
    }
    if !failed.is_empty() && !options.skip_failing {
        return Err(checks_failed(&to_plan, &failed, m.clinics.len()));
    }

    let mut clinics = Vec::with_capacity(m.clinics.len() + kept.len());
    let mut kept = kept;
    let mut next = 0usize;
    for entry in &m.clinics {
        if let Some(old) = kept.remove(&key(&entry.env, &entry.clinic_id)) {
            clinics.push(old);
            continue;
        }
        let i = next;
        next += 1;
        let mut c = ClinicState {
            clinic_id: entry.clinic_id.clone(),
            env: entry.env.clone(),
            clinic_name: String::new(),
            run_id: None,
            plan_file: None,
            planned: None,
            skip_undecided: entry.skip_undecided,
            problems: Vec::new(),
            last_report: None,
            last_error: None,
            refused: false,
        };
        if let Some((run_id, clinic_name, path, summary)) = planned.remove(&i) {
            c.clinic_name = clinic_name;
            c.run_id = Some(run_id);
            c.plan_file = Some(path.display().to_string());
            c.planned = Some(summary);
        } else if let Some((name, problems)) = failed.remove(&i) {
            c.clinic_name = name;
            c.problems = problems;
        }
        clinics.push(c);
    }
    // Runs of this cohort that sent something stay in it even when the manifest dropped them.
    clinics.extend(kept.into_values());
    let state = CohortState {
        format: STATE_FORMAT,
        name: m.name.clone(),
        manifest: manifest.path.display().to_string(),
        manifest_sha256: manifest.sha256.clone(),
        max_parallel: m.max_parallel,
        planned_at: chrono::Utc::now(),
        clinics,
    };
    state.save(&state_file)?;
    summarize(&state, &state_file, folders.data_dir, &journal)
}

fn not_planned(entry: &ClinicEntry, problems: &[String]) -> CohortEvent {
    CohortEvent::NotPlanned {
        clinic_id: entry.clinic_id.clone(),
        env: entry.env.clone(),
        problems: problems.to_vec(),
    }
}

fn reading(entry: &ClinicEntry, progress: JobProgress) -> CohortEvent {
    CohortEvent::Reading {
        clinic_id: entry.clinic_id.clone(),
        env: entry.env.clone(),
        progress,
    }
}

fn key(env: &str, clinic: &str) -> (String, String) {
    (env.to_owned(), clinic.to_owned())
}

/// The clinics of an earlier state whose runs have sent something, by environment and id.
fn started_clinics(
    state_file: &Path,
    journal: &Journal,
) -> Result<BTreeMap<(String, String), ClinicState>, CohortError> {
    let mut kept = BTreeMap::new();
    if !state_file.exists() {
        return Ok(kept);
    }
    for c in CohortState::load(state_file)?.clinics {
        let run = run_of(journal, &c)?;
        if c.status(run.as_ref()).started() {
            kept.insert(key(&c.env, &c.clinic_id), c);
        }
    }
    Ok(kept)
}

fn checks_failed(
    to_plan: &[&ClinicEntry],
    failed: &BTreeMap<usize, (String, Vec<String>)>,
    total: usize,
) -> CohortError {
    CohortError::ChecksFailed {
        failed: failed.len(),
        total,
        problems: failed
            .iter()
            .map(|(i, (_, problems))| {
                let label = to_plan.get(*i).map(|e| e.label()).unwrap_or_default();
                (label, problems.clone())
            })
            .collect(),
    }
}

/// Checks one clinic without sending anything: every problem found, not only the first.
/// The error carries the clinic's PH name (when PH gave it) and the problems.
async fn check<'a>(
    endpoints: &'a Endpoints,
    entry: &'a ClinicEntry,
    profile_dir: &Path,
    cancel: &AtomicBool,
    emit: &dyn Fn(CohortEvent),
) -> Result<Checked<'a>, (String, Vec<String>)> {
    let mut problems = Vec::new();
    let endpoint = match endpoints.get(&entry.env) {
        Some(Ok(e)) => e,
        Some(Err(why)) => return Err((String::new(), vec![why.clone()])),
        None => {
            return Err((
                String::new(),
                vec![format!("the environment {} was not opened", entry.env)],
            ))
        }
    };
    let api = &endpoint.api;
    let allowed = match api.me().await {
        Err(e) => return Err((String::new(), vec![e.to_string()])),
        Ok(me) => {
            let allowed = me.clinics.iter().any(|c| c.id == entry.clinic_id);
            // A cohort plans to apply: a read-only token would plan and then be refused.
            if me.role != Role::Importer {
                problems.push(format!(
                    "{} has the {} role on {}; a cohort needs a token with the importer role (`ph-import login --env {}`)",
                    me.name,
                    me.role.label(),
                    entry.env,
                    entry.env
                ));
            }
            if !allowed {
                let theirs: Vec<String> = me
                    .clinics
                    .iter()
                    .map(|c| format!("{} ({})", c.id, c.name))
                    .collect();
                problems.push(format!(
                    "the token of {} on {} may not use clinic {}; its clinics are: {}",
                    me.name,
                    entry.env,
                    entry.clinic_id,
                    theirs.join(", ")
                ));
            }
            allowed
        }
    };
    // A clinic the token may not use cannot be read either: said once, above.
    let clinic = if allowed {
        match api.clinic(&entry.clinic_id).await {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(e.to_string());
                None
            }
        }
    } else {
        None
    };
    let decisions = match &entry.decisions {
        Some(path) => match Decisions::read_named(path) {
            Ok(d) => d,
            Err(e) => {
                problems.push(e.to_string());
                Decisions::default()
            }
        },
        None => Decisions::default(),
    };
    // The clinic's own rules (its e-mail requirement, its country) decide what a record needs.
    let settings = match &clinic {
        Some(c) => entry.settings.for_clinic(c),
        None => entry.settings.clone(),
    };
    let missing: Vec<&PathBuf> = entry.files.iter().filter(|f| !f.is_file()).collect();
    for f in &missing {
        problems.push(format!(
            "{}: there is no such file (paths are from the manifest's folder)",
            f.display()
        ));
    }
    let mut job = None;
    if missing.is_empty() {
        let spec = JobSpec {
            inputs: read_options(entry, &mut problems),
            profile: entry.profile.clone(),
            profile_dir: profile_dir.to_path_buf(),
            settings: settings.clone(),
        };
        let mut sampling = |p| emit(reading(entry, p));
        match Job::open(&spec, &mut sampling, cancel) {
            Ok(j) => {
                problems.extend(unmapped(&j));
                job = Some(j);
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    let name = clinic.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    match (clinic, job) {
        (Some(clinic), Some(job)) if problems.is_empty() => Ok(Checked {
            entry,
            endpoint,
            clinic,
            job,
            settings,
            decisions,
        }),
        _ => Err((name, problems)),
    }
}

/// Each file with how the manifest says to read it; a read that names no file of the clinic,
/// or says something unusable, is a problem.
fn read_options(entry: &ClinicEntry, problems: &mut Vec<String>) -> Vec<(PathBuf, ReadOptions)> {
    let mut inputs: Vec<(PathBuf, ReadOptions)> = entry
        .files
        .iter()
        .map(|f| (f.clone(), ReadOptions::default()))
        .collect();
    for r in &entry.read {
        let Some(i) = file_index(&entry.files, &r.file) else {
            let listed: Vec<String> = entry
                .files
                .iter()
                .map(|f| f.display().to_string())
                .collect();
            problems.push(format!(
                "read: \"{}\" is not one of the clinic's files ({}); write it as in `files`, or its file name when no other file has that name",
                r.file,
                listed.join(", ")
            ));
            continue;
        };
        let applied = r.to_override().and_then(|o| {
            o.apply_to(&mut inputs[i].1)
                .map_err(|e| format!("{e} (header_row = N)"))
        });
        if let Err(why) = applied {
            problems.push(format!("read of {}: {why}", r.file));
        }
    }
    inputs
}

/// Tables that hold records but that no column fills a required field of: every row of
/// them would be refused, so the file (or its mapping) needs fixing first.
fn unmapped(job: &Job) -> Vec<String> {
    let left_out = |table: &str| {
        job.mapping()
            .tables
            .iter()
            .any(|t| t.table == table && t.left_out.is_some())
    };
    job.resolved
        .tables
        .iter()
        .filter(|t| !t.missing_required.is_empty() && !left_out(&t.table))
        .map(|t| {
            let fields: Vec<&str> = t.missing_required.iter().map(|f: &Field| f.key()).collect();
            format!(
                "{}: no column gives the required {}; check the file, or give a profile that maps it (`ph-import map` shows the mapping)",
                t.table,
                fields.join(", ")
            )
        })
        .collect()
}

/// Plans one checked clinic with the engine, as `ph-import plan` does.
async fn plan_one(
    c: Checked<'_>,
    data_dir: &Path,
    cancel: &AtomicBool,
    emit: &dyn Fn(CohortEvent),
) -> Result<(Plan, PathBuf), String> {
    let entry = c.entry;
    let (plan, path) = import::plan_job(
        &c.endpoint.api,
        JobPlan {
            job: &c.job,
            settings: &c.settings,
            edits: None,
            decisions: c.decisions,
            files: &c.entry.files,
            clinic_id: &c.entry.clinic_id,
            base_url: &c.endpoint.base_url,
            data_dir,
        },
        &mut |p| emit(reading(entry, p)),
        &mut |read, total| {
            emit(CohortEvent::ReadingPh {
                clinic_id: entry.clinic_id.clone(),
                env: entry.env.clone(),
                read,
                total,
            })
        },
        cancel,
    )
    .await
    .map_err(|e| e.to_string())?;
    // Checked now, not at apply: an unattended batch should not stop on a question.
    if plan.undecided() > 0 && !c.entry.skip_undecided {
        return Err(format!(
            "{} records of its plan wait for a decision (ambiguous matches); decide them in a decisions file (`decisions = …`) or set `skip_undecided = true` to leave them out",
            plan.undecided()
        ));
    }
    Ok((plan, path))
}
