//! `ph-import plan`, `apply`, `import`, `runs` and `resume`: the write path into PH. The
//! plan is made and saved first; applying sends exactly what it says, journaled batch by
//! batch so a run stopped at any moment (Ctrl-C, a kill, the network) resumes with nothing
//! lost and nothing sent twice.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use ph_import_core::canonical::Entity;
use ph_import_core::dedupe::resolve::Decisions;
use ph_import_core::import::plan::{thousands, Op};
use ph_import_core::import::{
    self, load_run_plan, Context, ImportError, JobPlan, Journal, OnDisk, Options, Plan, Progress,
    RunFile, RunReport, RunStatus,
};
use ph_import_core::job::{Job, JobProgress};
use ph_import_core::ph::{environments, EnvironmentKind, PhError};
use serde::Serialize;

use crate::input_file;
use crate::ph_session::{self, Session, DEFAULT_ENV};
use crate::progress::{self, Display};
use crate::run_args::{ImportArgs, InputArgs};
use crate::visible::{visible, write_json};

/// Exit code: the run finished, but verifying found differences from the plan.
pub const EXIT_VERIFY_FAILED: u8 = 3;
/// Exit code: refused before anything was sent (role, clinic, changed clinic, undecided
/// records, production not confirmed).
pub const EXIT_REFUSED: u8 = 4;
/// Exit code: stopped part-way (cancelled, PH unreachable); `ph-import resume RUN` goes on.
pub const EXIT_INTERRUPTED: u8 = 5;

/// An outcome that is not a success, with its exit code; `main` prints it and exits so.
#[derive(Debug)]
pub struct Exit {
    /// The process exit code.
    pub code: u8,
    /// What to tell the person.
    pub message: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// The exit code of an error from these commands (2 for anything else).
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if let Some(exit) = e.downcast_ref::<Exit>() {
        return exit.code;
    }
    match e.downcast_ref::<ImportError>() {
        Some(
            ImportError::NotImporter { .. }
            | ImportError::WrongClinic { .. }
            | ImportError::WrongEnvironment { .. }
            | ImportError::PhChanged { .. }
            | ImportError::Undecided { .. }
            | ImportError::WrongState { .. },
        ) => EXIT_REFUSED,
        // A token PH refuses is the person's to fix, not a resume's.
        Some(ImportError::Ph(PhError::Unauthenticated { .. } | PhError::Forbidden { .. })) => {
            EXIT_REFUSED
        }
        Some(ImportError::Interrupted { .. } | ImportError::Ph(_)) => EXIT_INTERRUPTED,
        _ => 2,
    }
}

/// What the files are and how to read them, and where they go (shared by `plan` and `import`).
#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The files, their profile, roles and country (PH's country of the clinic by default;
    /// the clinic's own e-mail rule unless --no-email-required).
    #[command(flatten)]
    pub input: InputArgs,
    /// The environment to import into; the built-in sandbox by default.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_ENV)]
    pub env: String,
    /// The clinic's PH id (see `ph-import whoami`).
    #[arg(long, value_name = "ID")]
    pub clinic: String,
    /// Field policies and per-record decisions (merge, keep both, skip), see docs/dedupe.md.
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// Arguments of `ph-import plan`.
#[derive(Args, Debug)]
pub struct PlanCmdArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Also save the plan here (it is always saved in the run's folder).
    #[arg(long, value_name = "plan.json")]
    pub out: Option<PathBuf>,
    /// Print the plan's summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// How to apply (shared by `apply`, `import` and `resume`).
#[derive(Args, Debug, Clone)]
pub struct ApplyArgs {
    /// Confirm an import into a production environment without the prompt: the clinic's
    /// PH id or exact name.
    #[arg(long, value_name = "CLINIC")]
    pub yes_i_mean_production: Option<String>,
    /// Leave out the records that wait for a decision instead of refusing the plan.
    #[arg(long)]
    pub skip_undecided: bool,
    /// Batches sent at once.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub concurrency: usize,
    /// Print the run's report as JSON (no progress bars).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `ph-import apply`.
#[derive(Args, Debug)]
pub struct ApplyCmdArgs {
    /// The plan: a plan.json file from `ph-import plan`, or a run id.
    #[arg(value_name = "PLAN")]
    pub plan: String,
    #[command(flatten)]
    pub apply: ApplyArgs,
}

/// Arguments of `ph-import import`.
#[derive(Args, Debug)]
pub struct ImportCmdArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Stop after the plan: show what would be done, send nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub apply: ApplyArgs,
}

/// Arguments of `ph-import resume`.
#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// The run id (see `ph-import runs`).
    #[arg(value_name = "RUN")]
    pub run: String,
    #[command(flatten)]
    pub apply: ApplyArgs,
}

/// Arguments of `ph-import runs`.
#[derive(Args, Debug)]
pub struct RunsArgs {
    /// Print the runs as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The app's data folder (journal, runs, audit log).
pub(crate) fn data_dir() -> anyhow::Result<PathBuf> {
    Ok(environments::data_dir()?)
}

/// Reads the files, reads the clinic from PH and makes the plan, saved in the run's folder.
fn make_plan(
    runtime: &tokio::runtime::Runtime,
    session: &Session,
    args: &PlanArgs,
    quiet: bool,
) -> anyhow::Result<(Plan, PathBuf)> {
    let clinic = runtime.block_on(session.api.clinic(&args.clinic))?;
    // The clinic's own rules decide what a record needs, from the suggestion on.
    let spec = args.input.spec_for(&clinic)?;
    let decisions = match &args.decisions {
        Some(path) => input_file::decisions(path)?,
        None => Decisions::default(),
    };
    // Shared by the conversion's bar and the reading line, which clears the bar first.
    let display = RefCell::new(Display::new(quiet));
    let job = Job::open(
        &spec,
        &mut display.borrow_mut().callback(),
        progress::cancel(),
    )?;
    let mut settings = spec.settings.clone();
    settings.import = args.import.import();
    let data = data_dir()?;
    let mut converting = |p: JobProgress| display.borrow_mut().callback()(p);
    let mut reading = |read: u64, total: Option<u64>| {
        display.borrow_mut().finish();
        if !quiet {
            eprint!(
                "\rReading the clinic's PH clients: {read}{}",
                total.map(|t| format!(" of {t}")).unwrap_or_default()
            );
        }
    };
    let planned = runtime.block_on(import::plan_job(
        &session.api,
        JobPlan {
            job: &job,
            settings: &settings,
            edits: None,
            decisions,
            files: &args.input.files,
            clinic_id: &args.clinic,
            base_url: &session.url,
            data_dir: &data,
        },
        &mut converting,
        &mut reading,
        progress::cancel(),
    ));
    display.borrow_mut().finish();
    if !quiet {
        eprintln!();
    }
    Ok(planned?)
}

#[derive(Serialize)]
struct PlanJson<'a> {
    run_id: &'a str,
    plan_file: String,
    env: &'a str,
    clinic_id: &'a str,
    clinic_name: &'a str,
    summary: &'a ph_import_core::import::plan::Summary,
}

fn plan_json<'a>(plan: &'a Plan, path: &Path) -> PlanJson<'a> {
    PlanJson {
        run_id: &plan.run_id,
        plan_file: path.display().to_string(),
        env: &plan.target.env,
        clinic_id: &plan.target.clinic_id,
        clinic_name: &plan.target.clinic_name,
        summary: &plan.summary,
    }
}

/// How many undecided or skipped records the text output lists.
const SHOWN: usize = 20;

fn print_plan(out: &mut impl Write, plan: &Plan, path: &Path) -> anyhow::Result<()> {
    writeln!(
        out,
        "Plan {} for {} ({}) on {}:",
        plan.run_id,
        visible(&plan.target.clinic_name),
        visible(&plan.target.clinic_id),
        visible(&plan.target.env)
    )?;
    writeln!(out, "  {}", visible(&plan.summary.text))?;
    let waiting = plan
        .clients
        .iter()
        .map(|s| ("client", &s.record.external_id, &s.op))
        .chain(
            plan.patients
                .iter()
                .map(|s| ("patient", &s.record.external_id, &s.op)),
        )
        .filter(|(_, _, op)| matches!(op, Op::Undecided { .. }));
    for (what, id, op) in waiting.take(SHOWN) {
        if let Op::Undecided { candidates } = op {
            let may_be = if candidates.is_empty() {
                "its owner waits for a decision".to_owned()
            } else {
                format!("may be PH {}", candidates.join(", "))
            };
            writeln!(
                out,
                "  waits for a decision: {what} {} ({})",
                visible(id),
                visible(&may_be)
            )?;
        }
    }
    // A row with errors is matched all the same: what it is in PH, and why it is not sent.
    for e in plan.excluded.iter().take(SHOWN) {
        let what = match e.entity {
            Entity::Client => "client",
            Entity::Patient => "patient",
        };
        let class = e.classification.map_or("excluded", |c| c.as_str());
        let ph = e
            .ph_id
            .as_deref()
            .map(|id| format!(" PH {id}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  not sent: {what} {} ({class}{}): {}",
            visible(&e.external_id),
            visible(&ph),
            visible(&e.reason)
        )?;
    }
    if plan.excluded.len() > SHOWN {
        writeln!(
            out,
            "  … and {} more not sent (see the plan file)",
            plan.excluded.len() - SHOWN
        )?;
    }
    writeln!(
        out,
        "Saved the plan to {}",
        visible(&path.display().to_string())
    )?;
    Ok(())
}

/// Runs `ph-import plan`.
pub fn run_plan(args: &PlanCmdArgs) -> anyhow::Result<()> {
    let runtime = ph_session::runtime()?;
    let session = runtime.block_on(ph_session::open(&args.plan.env))?;
    let (plan, path) = make_plan(&runtime, &session, &args.plan, args.json)?;
    let mut shown = path.clone();
    if let Some(out) = &args.out {
        plan.save(out)?;
        shown = out.clone();
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        return write_json(&mut out, &plan_json(&plan, &shown));
    }
    print_plan(&mut out, &plan, &shown)?;
    writeln!(
        out,
        "Apply it with `ph-import apply {}`.",
        visible(&shown.display().to_string())
    )?;
    Ok(())
}

/// Runs `ph-import import`: plan, then (unless --dry-run) apply.
pub fn run_import(args: &ImportCmdArgs) -> anyhow::Result<()> {
    let runtime = ph_session::runtime()?;
    let session = runtime.block_on(ph_session::open(&args.plan.env))?;
    let (plan, path) = make_plan(&runtime, &session, &args.plan, args.apply.json)?;
    if args.dry_run {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if args.apply.json {
            return write_json(&mut out, &plan_json(&plan, &path));
        }
        print_plan(&mut out, &plan, &path)?;
        writeln!(
            out,
            "Dry run: nothing was sent. Apply this plan with `ph-import apply {}`.",
            plan.run_id
        )?;
        return Ok(());
    }
    if !args.apply.json {
        let mut err = std::io::stderr().lock();
        writeln!(err, "{}", visible(&plan.summary.text))?;
    }
    confirm_production(
        session.env.kind,
        &plan,
        args.apply.yes_i_mean_production.as_deref(),
    )?;
    apply_plan(&runtime, &session, &plan, &args.apply)
}

/// Runs `ph-import apply PLAN`.
pub fn run_apply(args: &ApplyCmdArgs) -> anyhow::Result<()> {
    let plan = load_plan(&args.plan)?;
    confirm_before_connecting(&plan, args.apply.yes_i_mean_production.as_deref())?;
    let runtime = ph_session::runtime()?;
    let session = runtime.block_on(ph_session::open(&plan.target.env))?;
    apply_plan(&runtime, &session, &plan, &args.apply)
}

/// Runs `ph-import resume RUN`.
pub fn run_resume(args: &ResumeArgs) -> anyhow::Result<()> {
    let data = data_dir()?;
    let plan = load_run_plan(&data, &args.run)?;
    // A run can finish just before its process is killed: resuming it again is then a
    // success with nothing to do, so "resume until it exits 0" always ends.
    if let Some(run) = Journal::open(&data)?.run(&args.run)? {
        if run.status == RunStatus::Completed {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if args.apply.json {
                return write_json(&mut out, &run);
            }
            writeln!(
                out,
                "Run {} is already completed; nothing left to send.",
                run.id
            )?;
            for line in run.message.lines() {
                writeln!(out, "{}", visible(line))?;
            }
            return Ok(());
        }
    }
    confirm_before_connecting(&plan, args.apply.yes_i_mean_production.as_deref())?;
    let runtime = ph_session::runtime()?;
    let session = runtime.block_on(ph_session::open(&plan.target.env))?;
    apply_plan(&runtime, &session, &plan, &args.apply)
}

/// Production is confirmed before anything else, even reading PH: a person who did not
/// mean production should not need a token to be told.
pub(crate) fn confirm_before_connecting(plan: &Plan, given: Option<&str>) -> anyhow::Result<()> {
    let env = ph_session::load_settings()?.get(&plan.target.env)?;
    confirm_production(env.kind, plan, given)
}

/// A plan file, or the plan of a run of this computer.
fn load_plan(arg: &str) -> anyhow::Result<Plan> {
    let path = Path::new(arg);
    if path.is_file() {
        return Ok(Plan::load(path)?);
    }
    Ok(load_run_plan(&data_dir()?, arg)?)
}

/// Asks for (or checks) the confirmation an import into production needs.
fn confirm_production(
    kind: EnvironmentKind,
    plan: &Plan,
    given: Option<&str>,
) -> anyhow::Result<()> {
    if kind != EnvironmentKind::Production {
        return Ok(());
    }
    let target = &plan.target;
    let matches = |s: &str| {
        environments::confirms_production(kind, &target.clinic_id, &target.clinic_name, s)
    };
    if let Some(given) = given {
        if matches(given) {
            return Ok(());
        }
        return Err(Exit {
            code: EXIT_REFUSED,
            message: format!(
                "--yes-i-mean-production {} does not name this plan's clinic, {} ({}); nothing was sent",
                visible(given),
                visible(&target.clinic_name),
                visible(&target.clinic_id)
            ),
        }
        .into());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Exit {
            code: EXIT_REFUSED,
            message: format!(
                "{} is a production environment: confirm with --yes-i-mean-production \"{}\" (no terminal to ask on); nothing was sent",
                visible(&target.env),
                visible(&target.clinic_name)
            ),
        }
        .into());
    }
    eprintln!(
        "This writes to PRODUCTION ({}): {}",
        visible(&target.env),
        visible(&plan.summary.text)
    );
    eprint!(
        "Type the clinic's name ({}) to go on: ",
        visible(&target.clinic_name)
    );
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("could not read the confirmation")?;
    if matches(&line) {
        Ok(())
    } else {
        Err(Exit {
            code: EXIT_REFUSED,
            message: "the name typed is not the clinic's; nothing was sent".to_owned(),
        }
        .into())
    }
}

/// Shows progress: bars on a terminal, a plain line every few seconds otherwise, nothing
/// with --json.
pub(crate) struct Reporter {
    mode: Mode,
    phase: String,
    last_line: Instant,
}

enum Mode {
    Quiet,
    Lines,
    Bar(Option<indicatif::ProgressBar>),
}

impl Reporter {
    pub(crate) fn new(json: bool) -> Reporter {
        let mode = if json {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bar(None)
        } else {
            Mode::Lines
        };
        Reporter {
            mode,
            phase: String::new(),
            last_line: Instant::now(),
        }
    }

    pub(crate) fn update(&mut self, p: &Progress) {
        let new_phase = p.phase != self.phase;
        let eta = p
            .eta_secs
            .map(|s| format!(", about {s:.0} s left"))
            .unwrap_or_default();
        match &mut self.mode {
            Mode::Quiet => {}
            Mode::Lines => {
                let finished = p.done == p.total;
                if new_phase || finished || self.last_line.elapsed() > Duration::from_secs(2) {
                    eprintln!(
                        "{}: {} of {} ({:.0}/s{eta})",
                        p.phase,
                        thousands(p.done),
                        thousands(p.total),
                        p.rate
                    );
                    self.last_line = Instant::now();
                }
            }
            Mode::Bar(bar) => {
                if new_phase {
                    if let Some(b) = bar.take() {
                        b.finish();
                    }
                    let b = indicatif::ProgressBar::new(p.total);
                    let style = indicatif::ProgressStyle::with_template(
                        "{prefix:>16} [{bar:30}] {pos}/{len} {per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> ");
                    b.set_style(style);
                    b.set_prefix(p.phase.clone());
                    *bar = Some(b);
                }
                if let Some(b) = bar {
                    b.set_length(p.total);
                    b.set_position(p.done);
                }
            }
        }
        self.phase = p.phase.clone();
    }

    pub(crate) fn finish(&mut self) {
        if let Mode::Bar(Some(b)) = &self.mode {
            b.finish();
        }
    }
}

/// Applies (or resumes) `plan` through `session`, with Ctrl-C stopping it cleanly; a
/// production environment has been confirmed by the caller.
fn apply_plan(
    runtime: &tokio::runtime::Runtime,
    session: &Session,
    plan: &Plan,
    args: &ApplyArgs,
) -> anyhow::Result<()> {
    let data = data_dir()?;
    progress::on_interrupt(
        "Stopping after the batches in flight (Ctrl-C again to quit at once; resuming is safe either way)…",
        true,
    );
    let mut reporter = Reporter::new(args.json);
    let ctx = Context {
        api: &session.api,
        data_dir: &data,
    };
    let options = Options {
        concurrency: args.concurrency.max(1),
        skip_undecided: args.skip_undecided,
    };
    let outcome = runtime.block_on(import::apply(
        &ctx,
        plan,
        options,
        progress::cancel(),
        &mut |p| reporter.update(p),
    ));
    reporter.finish();
    let report = outcome?;
    print_report(&report, args.json)?;
    match report.status {
        RunStatus::Completed => Ok(()),
        RunStatus::Cancelled => Err(Exit {
            code: EXIT_INTERRUPTED,
            message: format!(
                "the run was stopped; `ph-import resume {}` finishes it",
                report.run_id
            ),
        }
        .into()),
        _ => Err(Exit {
            code: EXIT_VERIFY_FAILED,
            message: format!(
                "the run finished, but PH differs from the plan in {} places: see {}",
                report.problems.len(),
                Path::new(&report.dir).join("summary.txt").display()
            ),
        }
        .into()),
    }
}

fn print_report(report: &RunReport, json: bool) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        return write_json(&mut out, report);
    }
    // Line by line: `visible` would show the line breaks as codes.
    for line in report.summary.lines() {
        writeln!(out, "{}", visible(line))?;
    }
    if report.status != RunStatus::Cancelled {
        writeln!(
            out,
            "Reports: {}",
            visible(&Path::new(&report.dir).display().to_string())
        )?;
    }
    Ok(())
}

/// Runs `ph-import runs`.
pub fn run_runs(args: &RunsArgs) -> anyhow::Result<()> {
    let runs = import::runs(&data_dir()?)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        return write_json(&mut out, &runs);
    }
    if runs.is_empty() {
        writeln!(out, "No import runs on this computer yet.")?;
        return Ok(());
    }
    for r in &runs {
        let info = &r.info;
        // The summary's first line repeats the run and clinic; its counts follow.
        let note: Vec<&str> = info
            .message
            .lines()
            .filter(|l| !l.starts_with("Import run "))
            .take(2)
            .collect();
        let first = note.join("; ");
        writeln!(
            out,
            "{}  {:<13} {:<16} {} {} ({})  {}",
            info.id,
            info.status.as_str(),
            info.phase,
            info.updated_at.format("%Y-%m-%d %H:%M"),
            visible(&info.env),
            visible(&info.clinic_id),
            visible(&first)
        )?;
        writeln!(out, "    on disk: {}", on_disk_text(&r.on_disk))?;
    }
    Ok(())
}

/// What a run holds on disk, in one line.
pub(crate) fn on_disk_text(d: &OnDisk) -> String {
    if d.is_empty() {
        return "nothing".to_owned();
    }
    let size = |files: &[&RunFile]| files.iter().map(|f| f.bytes).sum::<u64>();
    let mut parts = vec![format!("{} journal rows", thousands(d.journal_rows))];
    parts.push(match &d.plan {
        Some(p) => format!("plan {}", bytes(p.bytes)),
        None => "no plan".to_owned(),
    });
    let backup: Vec<&RunFile> = d.backup.iter().collect();
    parts.push(if backup.is_empty() {
        "no backup".to_owned()
    } else {
        format!("backup {} files {}", backup.len(), bytes(size(&backup)))
    });
    let reports: Vec<&RunFile> = d.reports.iter().collect();
    parts.push(if reports.is_empty() {
        "no reports".to_owned()
    } else {
        format!(
            "reports {} ({})",
            reports
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            bytes(size(&reports))
        )
    });
    if let Some(log) = &d.log {
        parts.push(format!("log {}", bytes(log.bytes)));
    }
    visible(&parts.join(", ")).to_string()
}

/// A size for people: bytes, KB or MB.
fn bytes(n: u64) -> String {
    match n {
        0..=9_999 => format!("{n} B"),
        10_000..=9_999_999 => format!("{} KB", n / 1000),
        _ => format!("{} MB", n / 1_000_000),
    }
}
