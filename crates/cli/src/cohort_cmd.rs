//! `ph-import cohort plan|apply|resume|status`: a week's clinics imported as one batch from a
//! manifest (docs/cohort.md). The core checks, plans and applies; this opens the
//! environments, asks for production, shows progress and prints the cohort's status.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use ph_import_core::cohort::{
    self, ApplyOptions, ClinicStatus, ClinicView, CohortError, CohortEvent, CohortState,
    CohortStatus, Endpoint, Endpoints, Folders, Group, PlanOptions,
};
use ph_import_core::import::plan::thousands;
use ph_import_core::import::{Journal, Tally};
use ph_import_core::ph::EnvironmentKind;

use crate::import_cmd::{data_dir, Exit, EXIT_INTERRUPTED, EXIT_REFUSED, EXIT_VERIFY_FAILED};
use crate::ph_session::{self, Session};
use crate::progress;
use crate::run_args::profile_dir;
use crate::visible::{visible, write_json};

/// The cohort verbs.
#[derive(Subcommand, Debug)]
pub enum CohortCommand {
    /// Check every clinic and file of a manifest (environment, token, access, files read and
    /// mapped), then plan each clinic as one import run; nothing is sent.
    Plan(CohortPlanArgs),
    /// Apply the cohort's runs, a few clinics at once (the manifest's max_parallel); runs
    /// stopped part-way are resumed, completed ones left alone.
    Apply(CohortApplyArgs),
    /// Finish a cohort that was stopped (a kill, Ctrl-C, PH unreachable): runs stopped
    /// part-way are resumed, runs not started are applied; nothing is sent twice.
    Resume(CohortApplyArgs),
    /// Show each clinic of the cohort: done, failed or pending, with counts and its reports.
    Status(CohortStatusArgs),
}

/// Arguments of `ph-import cohort`.
#[derive(Args, Debug)]
pub struct CohortArgs {
    #[command(subcommand)]
    pub command: CohortCommand,
}

/// Arguments of `ph-import cohort plan`.
#[derive(Args, Debug)]
pub struct CohortPlanArgs {
    /// The cohort manifest (TOML, docs/cohort.md).
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    /// Plan the clinics that pass their checks and mark the others skipped, instead of
    /// planning none.
    #[arg(long)]
    pub skip_failing: bool,
    /// Print the cohort's status as JSON (no progress lines).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `ph-import cohort apply` and `resume`.
#[derive(Args, Debug)]
pub struct CohortApplyArgs {
    /// The cohort: its manifest, its state folder, or its cohort-state.json.
    #[arg(value_name = "MANIFEST|STATE")]
    pub cohort: PathBuf,
    /// Confirm the clinics in production environments without the prompt: the cohort's name.
    #[arg(long, value_name = "COHORT")]
    pub yes_i_mean_production: Option<String>,
    /// Batches sent at once within each clinic's run.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub concurrency: usize,
    /// Print the cohort's status as JSON (no progress lines).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `ph-import cohort status`.
#[derive(Args, Debug)]
pub struct CohortStatusArgs {
    /// The cohort: its manifest, its state folder, or its cohort-state.json.
    #[arg(value_name = "MANIFEST|STATE")]
    pub cohort: PathBuf,
    /// Print the status as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `ph-import cohort …`.
pub fn run(args: &CohortArgs) -> anyhow::Result<()> {
    match &args.command {
        CohortCommand::Plan(a) => run_plan(a),
        CohortCommand::Apply(a) => run_apply(a, "apply"),
        CohortCommand::Resume(a) => run_apply(a, "resume"),
        CohortCommand::Status(a) => run_status(a),
    }
}

/// Opens each environment once; one that cannot be opened is reported against its clinics.
/// The sessions keep the built-in sandbox alive while the cohort runs.
async fn open_all(names: impl IntoIterator<Item = String>) -> (Vec<Session>, Endpoints) {
    let mut sessions = Vec::new();
    let mut endpoints = Endpoints::new();
    for name in names {
        match ph_session::open(&name).await {
            Ok(s) => {
                endpoints.insert(
                    name,
                    Ok(Endpoint {
                        api: s.api.clone(),
                        base_url: s.url.clone(),
                        kind: s.env.kind,
                    }),
                );
                sessions.push(s);
            }
            Err(e) => {
                endpoints.insert(name, Err(format!("{e:#}")));
            }
        }
    }
    (sessions, endpoints)
}

fn run_plan(args: &CohortPlanArgs) -> anyhow::Result<()> {
    let manifest = cohort::manifest::load(&args.manifest)?;
    let runtime = ph_session::runtime()?;
    let data = data_dir()?;
    let profiles = profile_dir()?;
    let mut shown = Shown::new(args.json);
    let outcome = runtime.block_on(async {
        let (_sessions, endpoints) = open_all(manifest.envs()).await;
        cohort::plan(
            &endpoints,
            &manifest,
            Folders {
                data_dir: &data,
                profile_dir: &profiles,
            },
            PlanOptions {
                skip_failing: args.skip_failing,
            },
            progress::cancel(),
            &mut |e| shown.event(&e),
        )
        .await
    });
    let status = match outcome {
        Ok(s) => s,
        Err(CohortError::ChecksFailed {
            failed,
            total,
            problems,
        }) => {
            let mut err = std::io::stderr().lock();
            for (clinic, list) in &problems {
                writeln!(err, "{}:", visible(clinic))?;
                for p in list {
                    writeln!(err, "  - {}", visible(p))?;
                }
            }
            return Err(Exit {
                code: 2,
                message: format!(
                    "{failed} of {total} clinics failed their checks, so the cohort was not planned and nothing was sent; fix them, or plan with --skip-failing to plan the others"
                ),
            }
            .into());
        }
        Err(CohortError::Cancelled) => {
            return Err(Exit {
                code: 130,
                message: CohortError::Cancelled.to_string(),
            }
            .into())
        }
        Err(e) => return Err(e.into()),
    };
    print_status(&status, args.json)?;
    if !args.json {
        writeln!(
            std::io::stdout(),
            "Apply it with `ph-import cohort apply {}`.",
            visible(&manifest.path.display().to_string())
        )?;
    }
    Ok(())
}

fn run_apply(args: &CohortApplyArgs, verb: &str) -> anyhow::Result<()> {
    let located = cohort::locate(&args.cohort)?;
    let state = CohortState::load(&located.state_file)?;
    let data = data_dir()?;
    let envs = CohortState::envs_to_send(&state, &Journal::open(&data)?)?;
    confirm_production(&state, &envs, args.yes_i_mean_production.as_deref())?;
    progress::on_interrupt(
        "Stopping after the batches in flight; no clinic is started after this (Ctrl-C again to quit at once; `ph-import cohort resume` is safe either way)…",
        true,
    );
    let runtime = ph_session::runtime()?;
    let mut shown = Shown::new(args.json);
    let status = runtime.block_on(async {
        let (_sessions, endpoints) = open_all(envs).await;
        cohort::apply(
            &endpoints,
            &located.state_file,
            &data,
            ApplyOptions {
                concurrency: args.concurrency.max(1),
            },
            progress::cancel(),
            &mut |e| shown.event(&e),
        )
        .await
    })?;
    print_status(&status, args.json)?;
    let stopped = status.clinics.iter().filter(|c| c.status.to_send()).count();
    if stopped > 0 {
        return Err(Exit {
            code: EXIT_INTERRUPTED,
            message: format!(
                "{stopped} clinics are not finished; `ph-import cohort resume {}` finishes them ({verb} stopped)",
                located.state_file.display()
            ),
        }
        .into());
    }
    // Clinics skipped at the plan were the person's choice, shown then and in the status.
    let not_imported = status
        .clinics
        .iter()
        .filter(|c| c.group == Group::Failed && c.status != ClinicStatus::Skipped)
        .count();
    if not_imported > 0 {
        return Err(Exit {
            code: EXIT_VERIFY_FAILED,
            message: format!(
                "{not_imported} of {} clinics were not imported as planned; `ph-import cohort status {}` says why and what to do",
                status.clinics.len(),
                located.state_file.display()
            ),
        }
        .into());
    }
    Ok(())
}

fn run_status(args: &CohortStatusArgs) -> anyhow::Result<()> {
    let located = cohort::locate(&args.cohort)?;
    let status = cohort::status(&data_dir()?, &located.state_file)?;
    print_status(&status, args.json)
}

/// Clinics in production need the cohort's name typed (or `--yes-i-mean-production NAME`)
/// before anything is read or sent, as a single import needs the clinic's.
fn confirm_production(
    state: &CohortState,
    envs: &[String],
    given: Option<&str>,
) -> anyhow::Result<()> {
    let settings = ph_session::load_settings()?;
    let mut production = BTreeSet::new();
    for name in envs {
        // An environment that cannot be read is reported against its clinics later.
        if settings
            .get(name)
            .is_ok_and(|e| e.kind == EnvironmentKind::Production)
        {
            production.insert(name.clone());
        }
    }
    if production.is_empty() {
        return Ok(());
    }
    let clinics: Vec<String> = state
        .clinics
        .iter()
        .filter(|c| production.contains(&c.env))
        .map(|c| c.label())
        .collect();
    if let Some(given) = given {
        if state.confirms(given) {
            return Ok(());
        }
        return Err(Exit {
            code: EXIT_REFUSED,
            message: format!(
                "--yes-i-mean-production {} is not this cohort's name, {}; nothing was sent",
                visible(given),
                visible(&state.name)
            ),
        }
        .into());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Exit {
            code: EXIT_REFUSED,
            message: format!(
                "{} are in production: confirm with --yes-i-mean-production \"{}\" (no terminal to ask on); nothing was sent",
                visible(&clinics.join(", ")),
                visible(&state.name)
            ),
        }
        .into());
    }
    eprintln!(
        "This writes to PRODUCTION for {}.",
        visible(&clinics.join(", "))
    );
    eprint!(
        "Type the cohort's name ({}) to go on: ",
        visible(&state.name)
    );
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("could not read the confirmation")?;
    if state.confirms(&line) {
        Ok(())
    } else {
        Err(Exit {
            code: EXIT_REFUSED,
            message: "the name typed is not the cohort's; nothing was sent".to_owned(),
        }
        .into())
    }
}

/// Progress on stderr, one line per step of a clinic and every few seconds within a phase;
/// nothing with --json.
struct Shown {
    quiet: bool,
    last: Instant,
    phase: String,
}

impl Shown {
    fn new(json: bool) -> Shown {
        Shown {
            quiet: json,
            last: Instant::now(),
            phase: String::new(),
        }
    }

    /// Whether a line is due: a new step (`key`), or two seconds since the last line.
    fn due(&mut self, key: &str) -> bool {
        if key != self.phase || self.last.elapsed() > Duration::from_secs(2) {
            self.phase = key.to_owned();
            self.last = Instant::now();
            return true;
        }
        false
    }

    fn event(&mut self, e: &CohortEvent) {
        if self.quiet {
            return;
        }
        let at = |clinic: &str, env: &str| visible(&format!("{clinic} on {env}")).to_string();
        match e {
            CohortEvent::Checking { clinic_id, env } => {
                eprintln!("{}: checking", at(clinic_id, env))
            }
            CohortEvent::Planning { clinic_id, env } => {
                eprintln!("{}: planning", at(clinic_id, env))
            }
            CohortEvent::Planned {
                clinic_id,
                env,
                run_id,
                summary,
            } => eprintln!(
                "{}: planned run {run_id}: {}",
                at(clinic_id, env),
                visible(summary)
            ),
            CohortEvent::Reading {
                clinic_id,
                env,
                progress: p,
            } => {
                if self.due(&format!("{clinic_id}/{env}/read/{}", p.table)) {
                    eprintln!(
                        "{}: reading {}: {} rows",
                        at(clinic_id, env),
                        visible(&p.table),
                        thousands(p.rows)
                    );
                }
            }
            CohortEvent::ReadingPh {
                clinic_id,
                env,
                read,
                total,
            } => {
                if self.due(&format!("{clinic_id}/{env}/ph")) {
                    eprintln!(
                        "{}: reading the clinic's PH clients: {}{}",
                        at(clinic_id, env),
                        thousands(*read),
                        total
                            .map(|t| format!(" of {}", thousands(t)))
                            .unwrap_or_default()
                    );
                }
            }
            CohortEvent::NotPlanned {
                clinic_id,
                env,
                problems,
            } => eprintln!(
                "{}: failed its checks: {}",
                at(clinic_id, env),
                visible(&problems.join("; "))
            ),
            CohortEvent::Applying {
                clinic_id,
                env,
                run_id,
            } => eprintln!("{}: applying run {run_id}", at(clinic_id, env)),
            CohortEvent::Progress {
                clinic_id,
                env,
                progress: p,
            } => {
                if self.due(&format!("{clinic_id}/{env}/{}", p.phase)) || p.done == p.total {
                    eprintln!(
                        "{}: {} {} of {}",
                        at(clinic_id, env),
                        p.phase,
                        thousands(p.done),
                        thousands(p.total)
                    );
                }
            }
            CohortEvent::Finished {
                clinic_id,
                env,
                status,
                message,
            } => eprintln!(
                "{}: {}: {}",
                at(clinic_id, env),
                status.as_str(),
                visible(gist(message))
            ),
        }
    }
}

/// A run's message in one line: a run's summary opens with "Import run … into …", which the
/// line already names, so its counts (the next line) are shown instead.
fn gist(message: &str) -> &str {
    let mut lines = message.lines();
    match lines.next() {
        Some(first) if first.starts_with("Import run ") => lines.next().unwrap_or(first),
        Some(first) => first,
        None => "",
    }
}

fn tally(t: &Tally) -> String {
    format!(
        "{} created, {} updated, {} unchanged, {} refused by PH, {} not sent",
        thousands(t.created),
        thousands(t.updated),
        thousands(t.unchanged),
        thousands(t.errors),
        thousands(t.skipped)
    )
}

fn print_status(status: &CohortStatus, json: bool) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        return write_json(&mut out, status);
    }
    writeln!(
        out,
        "Cohort \"{}\": {} done, {} failed, {} pending ({} clinics)",
        visible(&status.name),
        status.done,
        status.failed,
        status.pending,
        status.clinics.len()
    )?;
    writeln!(out, "  clients: {}", tally(&status.clients))?;
    writeln!(out, "  pets:    {}", tally(&status.patients))?;
    for c in &status.clinics {
        print_clinic(&mut out, c)?;
    }
    writeln!(
        out,
        "State: {}",
        visible(&Path::new(&status.state_file).display().to_string())
    )?;
    Ok(())
}

fn print_clinic(out: &mut impl Write, c: &ClinicView) -> anyhow::Result<()> {
    let group = match c.group {
        Group::Done => "done",
        Group::Failed => "FAILED",
        Group::Pending => "pending",
    };
    let name = if c.clinic_name.is_empty() {
        String::new()
    } else {
        format!(" ({})", c.clinic_name)
    };
    writeln!(
        out,
        "- {} on {}{}: {group}, {}{}",
        visible(&c.clinic_id),
        visible(&c.env),
        visible(&name),
        c.status.as_str(),
        c.run_id
            .as_deref()
            .map(|r| format!(", run {r}"))
            .unwrap_or_default()
    )?;
    if let Some(planned) = &c.planned {
        writeln!(out, "    plan: {}", visible(&planned.text))?;
    }
    if c.group == Group::Done || c.clients != Tally::default() {
        writeln!(out, "    clients: {}", tally(&c.clients))?;
        writeln!(out, "    pets:    {}", tally(&c.patients))?;
    }
    for p in &c.problems {
        writeln!(out, "    problem: {}", visible(p))?;
    }
    let planned_text = c.planned.as_ref().map(|p| p.text.as_str());
    if c.group != Group::Done
        && c.problems.is_empty()
        && !c.message.is_empty()
        && Some(c.message.as_str()) != planned_text
    {
        writeln!(out, "    {}", visible(gist(&c.message)))?;
    }
    if let Some(dir) = &c.run_dir {
        if c.group == Group::Done || c.status == ClinicStatus::VerifyFailed {
            writeln!(out, "    reports: {}", visible(dir))?;
        }
    }
    if !c.next_step.is_empty() {
        writeln!(out, "    next: {}", visible(&c.next_step))?;
    }
    Ok(())
}
