//! Applying a planned cohort: each clinic's run sent by the engine exactly as `ph-import
//! apply` sends one (access, backup, batches, verify, reports, audit), a few clinics at once.
//! A run not started is applied; a run stopped part-way (a kill, Ctrl-C, PH unreachable) is
//! resumed from its journal, sending nothing twice; a completed one is left alone, so applying
//! a finished cohort again sends nothing. One clinic's failure is recorded against it and the
//! others go on.

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::import::{self, load_run_plan, Context, ImportError, Journal, Options, RunReport};
use crate::ph::PhError;

use super::bounded;
use super::state::{run_of, summarize, ClinicStatus, CohortState, CohortStatus};
use super::{CohortError, CohortEvent, Endpoints};

/// How to apply a cohort.
#[derive(Debug, Clone, Copy)]
pub struct ApplyOptions {
    /// Batches in flight at once within one clinic's run (as `--concurrency`).
    pub concurrency: usize,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            concurrency: Options::default().concurrency,
        }
    }
}

/// What one clinic's attempt came to.
enum Outcome {
    Report(Box<RunReport>),
    Error {
        message: String,
        refused: bool,
    },
    /// Not started: the cohort was cancelled first.
    NotStarted,
}

/// Applies (or resumes) every clinic of the cohort at `state_file` that has something left to
/// send, at most the cohort's `max_parallel` at once, saving the state as each one finishes.
/// `cancel` stops the runs after their batches in flight and starts no more; each can be
/// resumed. Returns the cohort's status.
pub async fn apply(
    endpoints: &Endpoints,
    state_file: &Path,
    data_dir: &Path,
    options: ApplyOptions,
    cancel: &AtomicBool,
    events: &mut dyn FnMut(CohortEvent),
) -> Result<CohortStatus, CohortError> {
    let mut state = CohortState::load(state_file)?;
    let journal = Journal::open(data_dir)?;
    let mut to_send = Vec::new();
    for (i, c) in state.clinics.iter().enumerate() {
        let run = run_of(&journal, c)?;
        if c.status(run.as_ref()).to_send() {
            to_send.push(i);
        }
    }
    let events = RefCell::new(events);
    let emit = |e: CohortEvent| (*events.borrow_mut())(e);
    let clinics = state.clinics.clone();
    let mut save_error: Option<CohortError> = None;
    bounded::for_each(
        to_send,
        state.max_parallel,
        |i| {
            let c = &clinics[i];
            let emit = &emit;
            async move {
                if cancel.load(Ordering::Relaxed) {
                    return (i, Outcome::NotStarted);
                }
                let (Some(run_id), Some(endpoint)) = (&c.run_id, endpoints.get(&c.env)) else {
                    let message = format!("the environment {} was not opened", c.env);
                    return (
                        i,
                        Outcome::Error {
                            message,
                            refused: false,
                        },
                    );
                };
                let endpoint = match endpoint {
                    Ok(e) => e,
                    Err(why) => {
                        let message = why.clone();
                        return (
                            i,
                            Outcome::Error {
                                message,
                                refused: false,
                            },
                        );
                    }
                };
                emit(CohortEvent::Applying {
                    clinic_id: c.clinic_id.clone(),
                    env: c.env.clone(),
                    run_id: run_id.clone(),
                });
                let plan = match load_run_plan(data_dir, run_id) {
                    Ok(p) => p,
                    Err(e) => return (i, error(e)),
                };
                let ctx = Context {
                    api: &endpoint.api,
                    data_dir,
                };
                let run_options = Options {
                    concurrency: options.concurrency.max(1),
                    skip_undecided: c.skip_undecided,
                };
                let mut progress = |p: &import::Progress| {
                    emit(CohortEvent::Progress {
                        clinic_id: c.clinic_id.clone(),
                        env: c.env.clone(),
                        progress: p.clone(),
                    })
                };
                match import::apply(&ctx, &plan, run_options, cancel, &mut progress).await {
                    Ok(report) => (i, Outcome::Report(Box::new(report))),
                    Err(e) => (i, error(e)),
                }
            }
        },
        |(i, outcome)| {
            let c = &mut state.clinics[i];
            match outcome {
                Outcome::NotStarted => return,
                Outcome::Report(report) => {
                    c.last_report = Some(*report);
                    c.last_error = None;
                    c.refused = false;
                }
                Outcome::Error { message, refused } => {
                    c.last_error = Some(message);
                    c.refused = refused;
                }
            }
            // Saved as each clinic finishes: a kill of the batch loses no clinic's outcome.
            if let Err(e) = state.save(state_file) {
                save_error.get_or_insert(e);
            }
            let c = &state.clinics[i];
            let status = match journal.run(c.run_id.as_deref().unwrap_or_default()) {
                Ok(run) => c.status(run.as_ref()),
                Err(_) => ClinicStatus::Failed,
            };
            emit(CohortEvent::Finished {
                clinic_id: c.clinic_id.clone(),
                env: c.env.clone(),
                status,
                message: c
                    .last_error
                    .clone()
                    .or_else(|| c.last_report.as_ref().map(|r| r.summary.clone()))
                    .unwrap_or_default(),
            });
        },
    )
    .await;
    if let Some(e) = save_error {
        return Err(e);
    }
    summarize(&state, state_file, data_dir, &journal)
}

/// An engine error as the clinic's outcome: refusals (nothing sent, a new plan or a token
/// needed) apart from stops that a resume finishes.
fn error(e: ImportError) -> Outcome {
    let refused = matches!(
        e,
        ImportError::NotImporter { .. }
            | ImportError::WrongClinic { .. }
            | ImportError::WrongEnvironment { .. }
            | ImportError::PhChanged { .. }
            | ImportError::Undecided { .. }
            | ImportError::WrongState { .. }
            | ImportError::BadPlan { .. }
            | ImportError::UnknownRun { .. }
            | ImportError::Ph(PhError::Unauthenticated { .. } | PhError::Forbidden { .. })
    );
    Outcome::Error {
        message: e.to_string(),
        refused,
    }
}
