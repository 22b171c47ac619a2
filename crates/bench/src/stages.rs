//! The stages, each run alone in a child process through the core's public functions: every
//! stage from `map` on is the import up to and including that step, as the CLI's verbs run it.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use ph_gen_fixtures::FileFormat;
use ph_import_core::dedupe::DuplicateKind;
use ph_import_core::import::{self, Context, JobPlan, Options, Plan, RunStatus};
use ph_import_core::job::{ImportSettings, Job, JobSpec, Phase};
use ph_import_core::ph::{ClientOptions, PhApi, Token};
use ph_import_core::private_file::Overwrite;
use ph_import_core::read::{self, ReadOptions};
use ph_import_core::table_file::OutputFormat;
use ph_sandbox::{DemoToken, RunningSandbox, SandboxConfig};
use serde::{Deserialize, Serialize};

/// One stage of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The raw parse floor: the `csv` crate's records over the file, nothing else.
    Floor,
    /// The core's reader: every row of the file as text cells.
    Read,
    /// Opening the job: the tables found and sampled, the mapping suggested, and the date
    /// orders settled from every row's dates (a full read).
    Map,
    /// `ph-import validate`: every row mapped, transformed and validated, findings written.
    Validate,
    /// `ph-import convert`: the same, plus the canonical files and the duplicate groups
    /// inside the file.
    Convert,
    /// The plan against an empty clinic of the in-process sandbox: the records converted in
    /// memory with their duplicate groups, the clinic read, every record classified.
    Plan,
    /// The plan applied to that clinic: backup, creates in batches, read-back verification,
    /// reports.
    Import,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 7] = [
        Stage::Floor,
        Stage::Read,
        Stage::Map,
        Stage::Validate,
        Stage::Convert,
        Stage::Plan,
        Stage::Import,
    ];

    /// The stage's name in the table and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Floor => "floor",
            Stage::Read => "read",
            Stage::Map => "map",
            Stage::Validate => "validate",
            Stage::Convert => "convert",
            Stage::Plan => "plan",
            Stage::Import => "import",
        }
    }

    /// Whether the stage is measured on an export of this format: the floor is the `csv`
    /// crate's, and a workbook is measured up to its conversion (what its target is about).
    pub fn applies_to(self, format: FileFormat) -> bool {
        match format {
            FileFormat::Csv => true,
            FileFormat::Xlsx => matches!(
                self,
                Stage::Read | Stage::Map | Stage::Validate | Stage::Convert
            ),
        }
    }
}

/// What a child reports of its stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageFigures {
    /// Wall time of the stage's work (the sandbox's start-up left out).
    pub seconds: f64,
    /// What the stage produced, as a check that it did the work.
    pub detail: String,
    /// For `import`: the apply's own wall time.
    pub apply_seconds: Option<f64>,
    /// For `import`: clients created in PH.
    pub clients_created: Option<u64>,
}

impl StageFigures {
    fn timed(started: Instant, detail: String) -> Self {
        StageFigures {
            seconds: started.elapsed().as_secs_f64(),
            detail,
            apply_seconds: None,
            clients_created: None,
        }
    }
}

/// Runs `stage` over `file` and prints its figures as one line of JSON (the child's side
/// of the harness).
pub fn run_and_print(stage: Stage, file: &Path) -> Result<()> {
    let figures = run(stage, file)?;
    println!("{}", serde_json::to_string(&figures)?);
    Ok(())
}

fn run(stage: Stage, file: &Path) -> Result<StageFigures> {
    match stage {
        Stage::Floor => floor(file),
        Stage::Read => read_rows(file),
        Stage::Map => map(file),
        Stage::Validate => validate(file),
        Stage::Convert => convert(file),
        Stage::Plan => plan_stage(file),
        Stage::Import => import_stage(file),
    }
}

/// Every record through one reused `StringRecord`: the cells checked as UTF-8, as the
/// core's are text, and nothing else.
fn floor(file: &Path) -> Result<StageFigures> {
    let started = Instant::now();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .with_context(|| format!("cannot open {}", file.display()))?;
    let mut record = csv::StringRecord::new();
    let mut records = 0u64;
    while reader.read_record(&mut record)? {
        records += 1;
    }
    Ok(StageFigures::timed(started, format!("{records} records")))
}

/// The core's streaming reader, every row's cells into reused buffers.
fn read_rows(file: &Path) -> Result<StageFigures> {
    let started = Instant::now();
    let mut stream = read::open_rows(file, &ReadOptions::default())?;
    let (mut number, mut cells) = (0u64, Vec::new());
    let mut rows = 0u64;
    while let Some(read) = stream.next_into(&mut number, &mut cells) {
        read?;
        rows += 1;
    }
    let columns = stream.columns().len();
    Ok(StageFigures::timed(
        started,
        format!("{rows} rows of {columns} columns"),
    ))
}

/// A job over `file` with the default settings, its saved profiles looked for in an empty
/// folder (so a developer's own profiles do not change the figures).
fn spec(file: &Path, profiles: &Path, settings: ImportSettings) -> JobSpec {
    JobSpec {
        profile_dir: profiles.to_path_buf(),
        settings,
        ..JobSpec::for_files(&[file.to_path_buf()])
    }
}

fn open_job(file: &Path, profiles: &Path, settings: ImportSettings) -> Result<Job> {
    let job = Job::open(
        &spec(file, profiles, settings),
        &mut |_| {},
        &AtomicBool::new(false),
    )?;
    Ok(job)
}

fn map(file: &Path) -> Result<StageFigures> {
    let profiles = tempfile::tempdir()?;
    let started = Instant::now();
    let job = open_job(file, profiles.path(), ImportSettings::default())?;
    let mapped: usize = job.mapping().tables.iter().map(|t| t.fields.len()).sum();
    Ok(StageFigures::timed(
        started,
        format!(
            "{} table(s), {mapped} fields mapped",
            job.mapping().tables.len()
        ),
    ))
}

fn validate(file: &Path) -> Result<StageFigures> {
    let (profiles, out) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let started = Instant::now();
    let settings = ImportSettings::default();
    let job = open_job(file, profiles.path(), settings.clone())?;
    let summary = job.write_findings(
        out.path(),
        OutputFormat::Csv,
        settings.policies(Overwrite::Replace),
        &mut |_| {},
        &AtomicBool::new(false),
    )?;
    Ok(StageFigures::timed(
        started,
        format!(
            "{} clients, {} patients, {} findings",
            summary.clients, summary.patients, summary.findings
        ),
    ))
}

fn convert(file: &Path) -> Result<StageFigures> {
    let (profiles, out) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let started = Instant::now();
    let settings = ImportSettings::default();
    let job = open_job(file, profiles.path(), settings.clone())?;
    // When the rows are all converted and the duplicate groups are worked out.
    let mut grouping: Option<Instant> = None;
    let written = job.write(
        out.path(),
        OutputFormat::Csv,
        settings.policies(Overwrite::Replace),
        None,
        &mut |p| {
            if p.phase == Phase::GroupingDuplicates && grouping.is_none() {
                grouping = Some(Instant::now());
            }
        },
        &AtomicBool::new(false),
    )?;
    let grouped = grouping.map_or(0.0, |t| t.elapsed().as_secs_f64());
    let s = written.summary;
    let in_groups: u64 = s
        .duplicates
        .iter()
        .filter(|d| {
            !matches!(
                d.kind,
                DuplicateKind::SameHousehold | DuplicateKind::DuplicateRow
            )
        })
        .map(|d| d.records)
        .sum();
    Ok(StageFigures::timed(
        started,
        format!(
            "{} clients, {} patients, {} findings, {in_groups} client and pet records in groups of duplicates (grouped in {grouped:.2} s after the last row)",
            s.clients, s.patients, s.findings
        ),
    ))
}

/// The in-process sandbox with one empty clinic, and a PH client for it.
struct Clinic {
    sandbox: RunningSandbox,
    api: PhApi,
}

const CLINIC: &str = "bench";
const TOKEN: &str = "phsb_bench_importer";

async fn empty_clinic() -> Result<Clinic> {
    let sandbox = ph_sandbox::start(SandboxConfig {
        seed_demo: false,
        ..SandboxConfig::default()
    })
    .await?;
    sandbox.add_clinic(CLINIC, "Bench Clinic", "US", false)?;
    sandbox.add_token(&DemoToken {
        name: "bench".into(),
        token: TOKEN.into(),
        role: "importer".into(),
        clinics: vec![CLINIC.into()],
    })?;
    let api = PhApi::new(
        CLINIC,
        &sandbox.url(),
        &Token::parse(TOKEN)?,
        &ClientOptions {
            // A million-record page or batch on a busy machine can take a while.
            request_timeout: Duration::from_secs(300),
            ..ClientOptions::default()
        },
    )?;
    Ok(Clinic { sandbox, api })
}

/// Opens the job with the clinic's rules and saves its plan in `data`, as `ph-import plan`.
async fn make_plan(clinic: &Clinic, file: &Path, profiles: &Path, data: &Path) -> Result<Plan> {
    let ph = clinic.api.clinic(CLINIC).await?;
    let settings = ImportSettings::default().for_clinic(&ph);
    // Opening reads the files, blocking: the sandbox serves on the runtime's other threads.
    let job = tokio::task::block_in_place(|| open_job(file, profiles, settings.clone()))?;
    let files = [file.to_path_buf()];
    let (plan, _) = import::plan_job(
        &clinic.api,
        JobPlan {
            job: &job,
            settings: &settings,
            edits: None,
            decisions: Default::default(),
            files: &files,
            clinic_id: CLINIC,
            base_url: &clinic.sandbox.url(),
            data_dir: data,
        },
        &mut |_| {},
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .await?;
    Ok(plan)
}

fn plan_detail(plan: &Plan) -> String {
    let (c, p) = (&plan.summary.clients, &plan.summary.patients);
    format!(
        "{} clients and {} patients to create, {} records undecided",
        c.create,
        p.create,
        c.undecided + p.undecided
    )
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn plan_stage(file: &Path) -> Result<StageFigures> {
    let (profiles, data) = (tempfile::tempdir()?, tempfile::tempdir()?);
    runtime()?.block_on(async {
        let clinic = empty_clinic().await?;
        let started = Instant::now();
        let plan = make_plan(&clinic, file, profiles.path(), data.path()).await?;
        let figures = StageFigures::timed(started, plan_detail(&plan));
        clinic.sandbox.shutdown().await;
        Ok(figures)
    })
}

fn import_stage(file: &Path) -> Result<StageFigures> {
    let (profiles, data) = (tempfile::tempdir()?, tempfile::tempdir()?);
    runtime()?.block_on(async {
        let clinic = empty_clinic().await?;
        let started = Instant::now();
        let plan = make_plan(&clinic, file, profiles.path(), data.path()).await?;
        let applying = Instant::now();
        let report = import::apply(
            &Context {
                api: &clinic.api,
                data_dir: data.path(),
            },
            &plan,
            // Duplicates inside the file wait for a person's decision: they are left out,
            // as `ph-import apply --skip-undecided` does.
            Options {
                skip_undecided: true,
                ..Options::default()
            },
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .await?;
        let apply_seconds = applying.elapsed().as_secs_f64();
        if report.status != RunStatus::Completed {
            bail!(
                "the import did not complete ({:?}): {}",
                report.status,
                report.problems.join("; ")
            );
        }
        let mut figures = StageFigures::timed(
            started,
            format!(
                "{} clients and {} patients created, {} clients skipped",
                report.clients.created, report.patients.created, report.clients.skipped
            ),
        );
        figures.apply_seconds = Some(apply_seconds);
        figures.clients_created = Some(report.clients.created);
        clinic.sandbox.shutdown().await;
        Ok(figures)
    })
}
