//! The figures of every stage, the targets they are held to, and their table and JSON.

use std::io::Write;

use anyhow::Result;
pub use ph_import_core::import::plan::thousands;
use serde::Serialize;

use crate::child::ChildFigures;
use crate::fixtures::Export;
use crate::stages::Stage;

/// One stage over one export.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    /// The stage.
    pub stage: Stage,
    /// Wall time of the stage's work.
    pub seconds: f64,
    /// The export's data rows per second.
    pub rows_per_second: f64,
    /// The export's megabytes (10^6 bytes) per second.
    pub mb_per_second: f64,
    /// Peak resident memory of the stage's process, in MB (2^20 bytes); unknown off Unix.
    pub peak_rss_mb: Option<f64>,
    /// This stage's time over the raw parse floor's on the same rows.
    pub ratio_to_floor: Option<f64>,
    /// What the stage produced.
    pub detail: String,
    /// For `import`: the apply's clients created per second.
    pub clients_per_second: Option<f64>,
}

impl Measurement {
    /// The measurement of `stage` from its child's figures.
    pub fn new(stage: Stage, child: ChildFigures, export: &Export) -> Self {
        let f = child.figures;
        let secs = f.seconds.max(1e-9);
        let clients_per_second = match (f.clients_created, f.apply_seconds) {
            (Some(n), Some(s)) => Some(n as f64 / s.max(1e-9)),
            _ => None,
        };
        Measurement {
            stage,
            seconds: f.seconds,
            rows_per_second: export.rows as f64 / secs,
            mb_per_second: export.bytes as f64 / 1e6 / secs,
            peak_rss_mb: child.peak_rss.map(|b| b as f64 / (1024.0 * 1024.0)),
            ratio_to_floor: None,
            detail: f.detail,
            clients_per_second,
        }
    }
}

/// Every stage measured over one export.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// The export.
    pub export: Export,
    /// The floor the ratios are to: this export's own, or (for a workbook) that of the CSV
    /// export of the same clients.
    pub floor_seconds: Option<f64>,
    /// The stages, in pipeline order.
    pub stages: Vec<Measurement>,
    /// Why stages were not run.
    pub notes: Vec<String>,
}

impl Run {
    /// A run whose ratios [`fill_floors`] works out.
    pub fn new(export: Export, stages: Vec<Measurement>) -> Self {
        Run {
            export,
            floor_seconds: None,
            stages,
            notes: Vec::new(),
        }
    }

    fn stage(&self, stage: Stage) -> Option<&Measurement> {
        self.stages.iter().find(|m| m.stage == stage)
    }
}

/// Sets each run's floor and each stage's ratio to it.
pub fn fill_floors(runs: &mut [Run]) {
    let csv_floors: Vec<(u64, f64)> = runs
        .iter()
        .filter(|r| r.export.format == "csv")
        .filter_map(|r| Some((r.export.clients, r.stage(Stage::Floor)?.seconds)))
        .collect();
    for run in runs {
        let own = run.stage(Stage::Floor).map(|m| m.seconds);
        run.floor_seconds = own.or_else(|| {
            csv_floors
                .iter()
                .find(|(n, _)| *n == run.export.clients)
                .map(|&(_, s)| s)
        });
        if let Some(floor) = run.floor_seconds {
            for m in &mut run.stages {
                m.ratio_to_floor = Some(m.seconds / floor.max(1e-9));
            }
        }
    }
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Measured at the size it is set for, and met.
    Met,
    /// Measured at the size it is set for, and missed.
    NotMet,
    /// Met at a smaller size only: the size it is set for was not run.
    MetSmaller,
    /// Missed already at a smaller size.
    NotMetSmaller,
    /// Not measured in this run.
    NotMeasured,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "NOT MET",
            Status::MetSmaller => "met (smaller size)",
            Status::NotMetSmaller => "NOT MET (smaller size)",
            Status::NotMeasured => "not measured",
        }
    }
}

/// One of the targets and how this run did.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// What is measured.
    pub what: String,
    /// The target, as a person reads it.
    pub wanted: String,
    /// What was measured, and on which export.
    pub measured: String,
    /// Met or not.
    pub status: Status,
}

/// How a target picks its figure from a run, and whether that figure is good enough.
struct Rule {
    what: &'static str,
    wanted: &'static str,
    format: &'static str,
    clients: u64,
    figure: fn(&Run) -> Option<f64>,
    show: fn(f64) -> String,
    good: fn(f64) -> bool,
}

const MILLION: u64 = 1_000_000;

/// Peak memory of the stages run by this tool alone: the import's process also holds the
/// sandbox's in-memory database of every record sent.
fn pipeline_peak(run: &Run) -> Option<f64> {
    run.stages
        .iter()
        .filter(|m| m.stage != Stage::Import)
        .filter_map(|m| m.peak_rss_mb)
        .reduce(f64::max)
}

const RULES: [Rule; 6] = [
    Rule {
        what: "convert (read+map+validate+dedupe+write) vs floor",
        wanted: "<= 3x (goal)",
        format: "csv",
        clients: MILLION,
        figure: |r| r.stage(Stage::Convert)?.ratio_to_floor,
        show: |v| format!("{v:.1}x"),
        good: |v| v <= 3.0,
    },
    Rule {
        what: "convert vs floor, this round",
        wanted: "<= 5x",
        format: "csv",
        clients: MILLION,
        figure: |r| r.stage(Stage::Convert)?.ratio_to_floor,
        show: |v| format!("{v:.1}x"),
        good: |v| v <= 5.0,
    },
    Rule {
        what: "peak RSS of every stage but import",
        wanted: "< 2048 MB",
        format: "csv",
        clients: MILLION,
        figure: pipeline_peak,
        show: |v| format!("{v:.0} MB"),
        good: |v| v < 2048.0,
    },
    Rule {
        what: "peak RSS of convert",
        wanted: "<= 1024 MB",
        format: "csv",
        clients: MILLION,
        figure: |r| r.stage(Stage::Convert)?.peak_rss_mb,
        show: |v| format!("{v:.0} MB"),
        good: |v| v <= 1024.0,
    },
    Rule {
        what: "XLSX read",
        wanted: "< 3 s",
        format: "xlsx",
        clients: 100_000,
        figure: |r| Some(r.stage(Stage::Read)?.seconds),
        show: |v| format!("{v:.2} s"),
        good: |v| v < 3.0,
    },
    Rule {
        what: "import into the sandbox (apply)",
        wanted: ">= 2,000 clients/s",
        format: "csv",
        clients: MILLION,
        figure: |r| r.stage(Stage::Import)?.clients_per_second,
        show: |v| format!("{} clients/s", thousands(v as u64)),
        good: |v| v >= 2000.0,
    },
];

/// Each target, judged at the size it is set for, else at the largest size measured.
pub fn targets(runs: &[Run]) -> Vec<Target> {
    RULES.iter().map(|rule| judge(rule, runs)).collect()
}

fn judge(rule: &Rule, runs: &[Run]) -> Target {
    let measured = runs
        .iter()
        .filter(|r| r.export.format == rule.format)
        .filter_map(|r| Some((r, (rule.figure)(r)?)))
        .filter(|(r, _)| r.export.clients <= rule.clients)
        .max_by_key(|(r, _)| r.export.clients);
    let (measured, status) = match measured {
        None => ("-".to_owned(), Status::NotMeasured),
        Some((run, value)) => {
            let at_size = run.export.clients == rule.clients;
            let status = match ((rule.good)(value), at_size) {
                (true, true) => Status::Met,
                (false, true) => Status::NotMet,
                (true, false) => Status::MetSmaller,
                (false, false) => Status::NotMetSmaller,
            };
            (
                format!("{} ({})", (rule.show)(value), run.export.name()),
                status,
            )
        }
    };
    Target {
        what: format!("{} at {} clients", rule.what, thousands(rule.clients)),
        wanted: rule.wanted.to_owned(),
        measured,
        status,
    }
}

/// The whole report as JSON.
#[derive(Serialize)]
struct Report<'a> {
    date: String,
    cores: usize,
    runs: &'a [Run],
    targets: &'a [Target],
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Writes the report as JSON.
pub fn write_json(out: &mut impl Write, runs: &[Run], targets: &[Target]) -> Result<()> {
    let report = Report {
        date: today(),
        cores: cores(),
        runs,
        targets,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)?;
    Ok(())
}

/// Writes the report as aligned tables: one per export, then the targets.
pub fn write_table(out: &mut impl Write, runs: &[Run], targets: &[Target]) -> Result<()> {
    writeln!(out, "ph-bench, {}, {} cores", today(), cores())?;
    for run in runs {
        let e = &run.export;
        writeln!(out)?;
        writeln!(
            out,
            "{}: {} clients, {} rows, {:.1} MB",
            e.name(),
            thousands(e.clients),
            thousands(e.rows),
            e.bytes as f64 / 1e6
        )?;
        writeln!(
            out,
            "{:<9} {:>8} {:>11} {:>8} {:>10} {:>8}  what",
            "stage", "wall s", "rows/s", "MB/s", "peak RSS", "x floor"
        )?;
        for m in &run.stages {
            let peak = m
                .peak_rss_mb
                .map_or("?".to_owned(), |mb| format!("{mb:.0} MB"));
            let ratio = m
                .ratio_to_floor
                .map_or("-".to_owned(), |r| format!("{r:.1}"));
            let mut what = m.detail.clone();
            if let Some(rate) = m.clients_per_second {
                what.push_str(&format!("; apply {} clients/s", thousands(rate as u64)));
            }
            writeln!(
                out,
                "{:<9} {:>8.3} {:>11} {:>8.1} {:>10} {:>8}  {what}",
                m.stage.name(),
                m.seconds,
                thousands(m.rows_per_second as u64),
                m.mb_per_second,
                peak,
                ratio
            )?;
        }
        for note in &run.notes {
            writeln!(out, "({note})")?;
        }
        if e.format != "csv" {
            writeln!(
                out,
                "(x floor: to the CSV export of the same clients, when it was measured)"
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Targets")?;
    let width = targets.iter().map(|t| t.what.len()).max().unwrap_or(0);
    for t in targets {
        writeln!(
            out,
            "{:<width$}  {:<18}  {:<34}  {}",
            t.what,
            t.wanted,
            t.measured,
            t.status.label()
        )?;
    }
    if targets
        .iter()
        .any(|t| t.status == Status::MetSmaller || t.status == Status::NotMetSmaller)
    {
        writeln!(
            out,
            "(smaller size: judged at the largest size run; run --sizes 1000000 --xlsx for the sizes the targets are set for)"
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(format: &'static str, clients: u64) -> Export {
        Export {
            path: format!("clinic-{clients}.{format}").into(),
            format,
            clients,
            rows: clients * 17 / 10,
            bytes: clients * 290,
        }
    }

    fn stage(stage: Stage, seconds: f64, peak_mb: f64) -> Measurement {
        Measurement {
            stage,
            seconds,
            rows_per_second: 0.0,
            mb_per_second: 0.0,
            peak_rss_mb: Some(peak_mb),
            ratio_to_floor: None,
            detail: String::new(),
            clients_per_second: None,
        }
    }

    fn target<'a>(targets: &'a [Target], what: &str) -> &'a Target {
        targets
            .iter()
            .find(|t| t.what.starts_with(what))
            .unwrap_or_else(|| panic!("no target {what}"))
    }

    #[test]
    fn targets_are_judged_at_their_size_and_the_workbook_uses_the_csv_floor() {
        let mut runs = vec![
            Run::new(
                export("csv", 100_000),
                vec![
                    stage(Stage::Floor, 0.1, 20.0),
                    stage(Stage::Convert, 0.2, 300.0),
                ],
            ),
            Run::new(
                export("csv", MILLION),
                vec![
                    stage(Stage::Floor, 1.0, 20.0),
                    stage(Stage::Convert, 4.0, 1500.0),
                ],
            ),
            Run::new(export("xlsx", 100_000), vec![stage(Stage::Read, 2.5, 30.0)]),
        ];
        fill_floors(&mut runs);
        assert_eq!(runs[2].floor_seconds, Some(0.1));
        assert_eq!(runs[2].stages[0].ratio_to_floor, Some(25.0));

        let targets = targets(&runs);
        let goal = target(&targets, "convert (read");
        assert_eq!(goal.status, Status::NotMet);
        assert_eq!(goal.measured, "4.0x (clinic-1000000.csv)");
        assert_eq!(target(&targets, "convert vs floor").status, Status::Met);
        assert_eq!(target(&targets, "peak RSS of every").status, Status::Met);
        assert_eq!(
            target(&targets, "peak RSS of convert").status,
            Status::NotMet
        );
        assert_eq!(target(&targets, "XLSX read").status, Status::Met);
        assert_eq!(target(&targets, "import").status, Status::NotMeasured);
    }

    #[test]
    fn without_the_target_size_the_largest_size_run_is_judged_and_said_so() {
        let mut runs = vec![
            Run::new(
                export("csv", 10_000),
                vec![
                    stage(Stage::Floor, 0.01, 20.0),
                    stage(Stage::Convert, 0.02, 50.0),
                ],
            ),
            Run::new(
                export("csv", 100_000),
                vec![
                    stage(Stage::Floor, 0.1, 20.0),
                    stage(Stage::Convert, 1.0, 200.0),
                ],
            ),
        ];
        fill_floors(&mut runs);
        let targets = targets(&runs);
        let goal = target(&targets, "convert (read");
        assert_eq!(goal.status, Status::NotMetSmaller);
        assert_eq!(goal.measured, "10.0x (clinic-100000.csv)");
        assert_eq!(
            target(&targets, "peak RSS of convert").status,
            Status::MetSmaller
        );
        let mut table = Vec::new();
        write_table(&mut table, &runs, &targets).expect("written to memory");
        let table = String::from_utf8(table).expect("UTF-8");
        assert!(table.contains("NOT MET (smaller size)"), "{table}");
        assert!(table.contains("run --sizes 1000000"), "{table}");
    }
}
