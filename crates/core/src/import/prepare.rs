//! From an opened job to a saved plan: what the CLI's `plan` and `import` and the app's
//! Plan button both do between "the files are mapped" and "the plan is made": convert every
//! row (with the review's edits), read the clinic from PH, classify, and save the plan in
//! the run's folder. Also the plan's counts as the app's Plan screen shows them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::Entity;
use crate::dedupe::classify::ClassCounts;
use crate::dedupe::resolve::Decisions;
use crate::job::{ImportSettings, Job, JobProgress};
use crate::ph::PhApi;
use crate::private_file::Overwrite;
use crate::review::Edits;

use super::apply::run_dir;
use super::error::ImportError;
use super::plan::{plan, InputFile, Plan, Request, Summary};

/// What [`plan_job`] needs besides the PH client.
pub struct JobPlan<'a> {
    /// The files, found and mapped.
    pub job: &'a Job,
    /// The person's settings; what they leave unset (country, e-mail rule) comes from the
    /// clinic in PH.
    pub settings: &'a ImportSettings,
    /// The review's changes and exclusions, applied to every row before planning.
    pub edits: Option<&'a Edits>,
    /// The person's field policies and per-record decisions.
    pub decisions: Decisions,
    /// The export files, recorded in the plan with their SHA-256.
    pub files: &'a [PathBuf],
    /// The clinic's PH id.
    pub clinic_id: &'a str,
    /// The environment's base URL, recorded in the plan.
    pub base_url: &'a str,
    /// The data folder whose `runs/<run id>/plan.json` receives the plan.
    pub data_dir: &'a Path,
}

/// Converts the job's rows with the clinic's rules, plans them against the clinic's PH
/// data and saves the plan in the run's folder; returns it with the file's path. Sends
/// nothing. `converting` follows the conversion, `reading(read, total)` the reading of the
/// clinic's PH clients; `cancel` stops the conversion.
pub async fn plan_job(
    api: &PhApi,
    request: JobPlan<'_>,
    converting: &mut dyn FnMut(JobProgress),
    reading: &mut dyn FnMut(u64, Option<u64>),
    cancel: &AtomicBool,
) -> Result<(Plan, PathBuf), ImportError> {
    let clinic = api.clinic(request.clinic_id).await?;
    // The clinic's own rules (its e-mail requirement, its country) decide what a record needs.
    let settings = request.settings.for_clinic(&clinic);
    // Nothing is written by the scan: the overwrite rule does not matter.
    let policies = settings.policies(Overwrite::Refuse);
    let found = request
        .job
        .scan(policies, request.edits, converting, cancel)?;
    let inputs = request
        .files
        .iter()
        .map(|f| InputFile::of(f))
        .collect::<Result<Vec<_>, _>>()?;
    let plan = plan(
        api,
        Request {
            scan: std::borrow::Cow::Owned(found),
            tables: &request.job.sources,
            decisions: request.decisions,
            inputs,
            clinic_id: request.clinic_id,
            base_url: request.base_url,
        },
        reading,
    )
    .await?;
    let dir = run_dir(request.data_dir, &plan.run_id);
    crate::private_file::create_dir(&dir)?;
    let path = dir.join("plan.json");
    plan.save(&path)?;
    super::audit::append(
        request.data_dir,
        &super::apply::audit_entry(
            &plan,
            &plan.target.principal,
            "plan",
            "planned",
            &plan.summary.text,
        ),
    )?;
    Ok((plan, path))
}

/// One reason records are not sent, and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NotSentReason {
    /// Why (the record's errors, or its owner's).
    pub reason: String,
    /// Clients left out for it.
    #[ts(type = "number")]
    pub clients: u64,
    /// Pets left out for it.
    #[ts(type = "number")]
    pub patients: u64,
}

/// A plan as the app's Plan screen shows it: where it goes, what it will do, what it
/// leaves out and why. Nothing has been sent when it is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlanOverview {
    /// The run this plan starts.
    pub run_id: String,
    /// The environment's name.
    pub env: String,
    /// The clinic's PH id.
    pub clinic_id: String,
    /// The clinic's name.
    pub clinic_name: String,
    /// Where the plan is saved.
    pub plan_file: String,
    /// Counts by operation, and the plan in one paragraph.
    pub summary: Summary,
    /// Clients sent, by how they match PH.
    pub clients: ClassCounts,
    /// Pets sent, by how they match PH.
    pub patients: ClassCounts,
    /// Records not sent, by reason, the most frequent first (at most [`REASONS_SHOWN`]).
    pub not_sent: Vec<NotSentReason>,
    /// Clients not sent, in all.
    #[ts(type = "number")]
    pub not_sent_clients: u64,
    /// Pets not sent, in all.
    #[ts(type = "number")]
    pub not_sent_patients: u64,
    /// Records that wait for a person's decision (ambiguous matches): they block the import.
    #[ts(type = "number")]
    pub undecided: u64,
}

/// How many not-sent reasons an overview lists; the plan file has every record.
pub const REASONS_SHOWN: usize = 10;

impl PlanOverview {
    /// The overview of `plan`, saved at `path`.
    pub fn of(plan: &Plan, path: &Path) -> PlanOverview {
        let mut clients = ClassCounts::default();
        let mut patients = ClassCounts::default();
        for c in &plan.clients {
            clients.add(c.classification);
        }
        for p in &plan.patients {
            patients.add(p.classification);
        }
        // Grouped by the reason as written, so rows with the same problem count together.
        let mut by_reason: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        let mut not_sent_clients = 0;
        for e in &plan.excluded {
            let n = by_reason.entry(e.reason.as_str()).or_default();
            match e.entity {
                Entity::Client => {
                    n.0 += 1;
                    not_sent_clients += 1;
                }
                Entity::Patient => n.1 += 1,
            }
        }
        let mut not_sent: Vec<NotSentReason> = by_reason
            .into_iter()
            .map(|(reason, (clients, patients))| NotSentReason {
                reason: reason.to_owned(),
                clients,
                patients,
            })
            .collect();
        not_sent.sort_by_key(|r| std::cmp::Reverse(r.clients + r.patients));
        not_sent.truncate(REASONS_SHOWN);
        PlanOverview {
            run_id: plan.run_id.clone(),
            env: plan.target.env.clone(),
            clinic_id: plan.target.clinic_id.clone(),
            clinic_name: plan.target.clinic_name.clone(),
            plan_file: path.display().to_string(),
            summary: plan.summary.clone(),
            clients,
            patients,
            not_sent,
            not_sent_clients,
            not_sent_patients: plan.excluded.len() as u64 - not_sent_clients,
            undecided: plan.undecided(),
        }
    }
}
