import { useEffect, useState } from "react";
import { api, errorMessage, type ImportSettings, type ReadRequest, type Resolved } from "../api";
import type { ClinicList } from "../bindings/ClinicList";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { PlanOverview } from "../bindings/PlanOverview";
import type { PlanProgress } from "../bindings/PlanProgress";
import type { RunReport } from "../bindings/RunReport";
import type { Decisions } from "../bindings/Decisions";
import { decisionsChanged } from "../duplicates";
import { confirmsProduction } from "../environments";
import { DuplicatesPanel } from "./DuplicatesPanel";
import { ReportCopies } from "./ReportCopies";
import { formatCount, newJobId } from "../format";
import {
  clientsAndPets,
  planBlocker,
  planLines,
  planProgressLine,
  progressLine,
  progressPercent,
  resultHeadline,
  resultLines,
} from "../importPlan";

interface Props {
  /** The environment chosen in the top bar (`sandbox` is the built-in one). */
  env: string;
  files: ReadRequest[];
  mapping: Resolved["mapping"];
  /** The import settings (country, e-mail rule, which flagged records are sent). */
  settings: ImportSettings;
}

type State =
  | { kind: "choose" }
  | { kind: "planning"; jobId: string; progress: PlanProgress | null }
  | { kind: "planned"; plan: PlanOverview; decisions: Decisions }
  | { kind: "importing"; plan: PlanOverview; progress: ImportProgress | null; stopping: boolean }
  | { kind: "done"; plan: PlanOverview; report: RunReport };

/** Plan the reviewed files against a clinic (nothing sent), confirm deliberately, import with
 * progress and cancel, and show the result with the run's folder. */
export function ImportStep({ env, files, mapping, settings }: Props) {
  const [clinics, setClinics] = useState<ClinicList | null>(null);
  const [clinicId, setClinicId] = useState("");
  const [state, setState] = useState<State>({ kind: "choose" });
  const [error, setError] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  // What the person typed to confirm an import into production.
  const [typed, setTyped] = useState("");
  // The person's decisions about records PH already has; a plan is made with them.
  const [decisions, setDecisions] = useState<Decisions>(NO_DECISIONS);

  useEffect(() => {
    api.listClinics(env).then(setClinics, (e) => setError(errorMessage(e)));
  }, [env]);

  // Progress events of the plan being made (this job's only).
  useEffect(() => {
    const unlisten = api.onPlanProgress((p) =>
      setState((s) => (s.kind === "planning" && s.jobId === p.job_id ? { ...s, progress: p } : s)),
    );
    return () => void unlisten.then((f) => f());
  }, []);

  // Progress events of the run being applied.
  useEffect(() => {
    const unlisten = api.onImportProgress((p) =>
      setState((s) => (s.kind === "importing" ? { ...s, progress: p } : s)),
    );
    return () => void unlisten.then((f) => f());
  }, []);

  const busy = state.kind === "planning" || state.kind === "importing";
  const clinic = clinics?.clinics.find((c) => c.id === clinicId) ?? null;

  const makePlan = async () => {
    const jobId = newJobId();
    // A plan made again replaces one never sent: its folder (the files' records) is deleted.
    const superseded = state.kind === "planned" ? state.plan.run_id : null;
    setError(null);
    setConfirmed(false);
    setTyped("");
    setState({ kind: "planning", jobId, progress: null });
    try {
      const plan = await api.planImport(jobId, files, mapping, settings, env, clinicId, decisions);
      setState({ kind: "planned", plan, decisions });
      if (superseded !== null) api.purgeRun(superseded).catch(() => undefined);
    } catch (e) {
      // Cancelled by the person: nothing to report.
      if (!isCancelled(e)) setError(errorMessage(e));
      setState({ kind: "choose" });
    }
  };

  const startImport = async (plan: PlanOverview) => {
    setError(null);
    setState({ kind: "importing", plan, progress: null, stopping: false });
    try {
      const report = await api.applyImport(plan.run_id, typed);
      setState({ kind: "done", plan, report });
      // The clinic's counts changed: the list shows them as they are now.
      api.listClinics(env).then(setClinics, () => undefined);
    } catch (e) {
      setError(errorMessage(e));
      setState({ kind: "planned", plan, decisions });
    }
  };

  const stop = (plan: PlanOverview) => {
    setState((s) => (s.kind === "importing" ? { ...s, stopping: true } : s));
    void api.cancelJob(plan.run_id);
  };

  return (
    <section className="step-page import-step" aria-labelledby="import-title" data-testid="import-step">
      <div className="step-body">
        <h1 id="import-title">Import into PH</h1>
        <div className="inline-form">
          <label htmlFor="import-clinic">Clinic</label>
          <select
            id="import-clinic"
            value={clinicId}
            disabled={busy || clinics === null}
            onChange={(e) => {
              setClinicId(e.target.value);
              setState({ kind: "choose" });
              // Decisions name another clinic's PH records.
              setDecisions(NO_DECISIONS);
              setConfirmed(false);
            }}
            data-testid="import-clinic"
          >
            <option value="">{clinics !== null ? "Choose a clinic" : error ? "No clinics (see below)" : "Loading the clinics…"}</option>
            {clinics?.clinics.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.id}) — {clientsAndPets(c.clients, c.patients)} in PH
              </option>
            ))}
          </select>
          {clinics && <span className="muted nowrap">on {clinics.env_label}</span>}
          <button
            type="button"
            className={state.kind === "choose" ? "primary" : undefined}
            disabled={clinicId === "" || busy}
            onClick={() => void makePlan()}
            data-testid="import-plan"
          >
            {state.kind === "choose" ? "Plan" : "Plan again"}
          </button>
        </div>
        {state.kind === "choose" && (
          <p className="muted">
            Planning reads the clinic from PH and says what the import would do to each record. Nothing is sent.
          </p>
        )}
        {state.kind === "planning" && (
          <span className="progress-line">
            <span className="spinner" aria-label="planning" />{" "}
            {state.progress ? planProgressLine(state.progress) : "Converting every row and reading the clinic from PH…"}
            <button type="button" onClick={() => void api.cancelJob(state.jobId)}>
              Cancel
            </button>
          </span>
        )}
        {error && (
          <div className="error-box" role="alert" data-testid="import-error">
            {error}
          </div>
        )}
        {state.kind !== "choose" && state.kind !== "planning" && (
          <PlanView
            plan={state.plan}
            envLabel={clinics?.env_label ?? state.plan.env}
            unsent={state.kind === "planned"}
          />
        )}
        {state.kind === "planned" && (
          <DuplicatesPanel
            runId={state.plan.run_id}
            decisions={decisions}
            onDecisions={setDecisions}
            changed={decisionsChanged(decisions, state.decisions)}
            onPlanAgain={() => void makePlan()}
          />
        )}
        {state.kind === "planned" && clinics && (
          <Confirm
            plan={state.plan}
            stale={decisionsChanged(decisions, state.decisions)}
            envLabel={clinics.env_label}
            production={clinics.production}
            typed={typed}
            onTyped={setTyped}
            confirmed={confirmed}
            onConfirmed={setConfirmed}
            onImport={() => void startImport(state.plan)}
          />
        )}
        {state.kind === "importing" && (
          <div className="import-progress" data-testid="import-progress">
            <progress
              max={100}
              value={state.progress ? progressPercent(state.progress) : undefined}
              aria-label="Import progress"
            />
            <p role="status">{state.progress ? progressLine(state.progress) : "Starting…"}</p>
            <button type="button" disabled={state.stopping} onClick={() => stop(state.plan)} data-testid="import-cancel">
              {state.stopping ? "Stopping after the batches in flight…" : "Cancel"}
            </button>
          </div>
        )}
        {state.kind === "done" && (
          <Results report={state.report} onResume={() => void startImport(state.plan)} />
        )}
        {clinic === null && clinicId !== "" && clinics !== null && (
          <p className="error-text">This clinic is no longer offered; choose another.</p>
        )}
      </div>
    </section>
  );
}

const NO_DECISIONS: Decisions = { policies: { default: "fill_blanks", fields: {} }, records: [], same: [] };

/** Whether a command stopped because the person cancelled it. */
function isCancelled(e: unknown): boolean {
  return typeof e === "object" && e !== null && "code" in e && (e as { code: unknown }).code === "cancelled";
}

/** The plan's counts by action, in words; nothing has been sent. */
function PlanView({ plan, envLabel, unsent }: { plan: PlanOverview; envLabel: string; unsent: boolean }) {
  return (
    <div className="import-plan" data-testid="import-plan-view">
      <h2>
        Plan for {plan.clinic_name} on {envLabel}
        {unsent && ": nothing has been sent yet"}
      </h2>
      <table className="plan-table">
        <thead>
          <tr>
            <th scope="col">What happens</th>
            <th scope="col">Clients</th>
            <th scope="col">Pets</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {planLines(plan).map((l) => (
            <tr key={l.key} data-testid={`plan-${l.key}`}>
              <th scope="row">{l.label}</th>
              <td className="num" data-testid={`plan-${l.key}-clients`}>
                {formatCount(l.clients)}
              </td>
              <td className="num" data-testid={`plan-${l.key}-pets`}>
                {formatCount(l.patients)}
              </td>
              <td className="muted">{l.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.not_sent.length > 0 && (
        <details className="not-sent">
          <summary>Why records are not sent</summary>
          <ul>
            {plan.not_sent.map((r) => (
              <li key={r.reason}>
                {clientsAndPets(r.clients, r.patients)}: {r.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      <p className="muted">{plan.summary.text}</p>
    </div>
  );
}

/** The deliberate confirmation: names the clinic and environment, or says what blocks. */
function Confirm({
  plan,
  stale,
  envLabel,
  production,
  typed,
  onTyped,
  confirmed,
  onConfirmed,
  onImport,
}: {
  plan: PlanOverview;
  /** Decisions were changed since the plan was made: it must be made again first. */
  stale: boolean;
  envLabel: string;
  production: boolean;
  typed: string;
  onTyped: (t: string) => void;
  confirmed: boolean;
  onConfirmed: (c: boolean) => void;
  onImport: () => void;
}) {
  const blocker = stale
    ? { severity: "info" as const, message: "Plan again with your decisions before importing: the plan above was made without them." }
    : planBlocker(plan);
  if (blocker) {
    return (
      <div
        className={blocker.severity === "error" ? "error-box" : "info-box"}
        role={blocker.severity === "error" ? "alert" : "status"}
        data-testid="import-blocked"
      >
        {blocker.message}
      </div>
    );
  }
  const target = `${plan.clinic_name} on ${envLabel}`;
  // Production needs the clinic's name typed too, as the CLI's --yes-i-mean-production.
  const typedOk = confirmsProduction(production, plan.clinic_id, plan.clinic_name, typed);
  return (
    <div className="import-confirm">
      {production && (
        <label className="production-confirm">
          <strong>{envLabel} is PRODUCTION.</strong> Type the clinic&apos;s name, <code>{plan.clinic_name}</code>, to
          enable the import:{" "}
          <input value={typed} onChange={(e) => onTyped(e.target.value)} data-testid="import-production-name" />
        </label>
      )}
      <label>
        <input
          type="checkbox"
          checked={confirmed}
          onChange={(e) => onConfirmed(e.target.checked)}
          data-testid="import-confirm"
        />{" "}
        I have checked the plan: send it to <strong>{target}</strong>.
      </label>
      <button type="button" className="primary" disabled={!confirmed || !typedOk} onClick={onImport} data-testid="import-start">
        Import into {target}
      </button>
    </div>
  );
}

/** The run's counts and its folder (results.csv, errors.csv, summary.txt); a stopped run
 * offers to resume. */
function Results({ report, onResume }: { report: RunReport; onResume: () => void }) {
  const stopped = report.status === "cancelled";
  const [copy, setCopy] = useState<"copied" | "refused" | null>(null);
  const copyPath = async () => {
    try {
      await navigator.clipboard.writeText(report.dir);
      setCopy("copied");
    } catch {
      // Some webviews refuse the clipboard; the path stays selectable in the box.
      setCopy("refused");
    }
  };
  return (
    <div
      className={report.status === "completed" ? "saved" : stopped ? "info-box" : "error-box"}
      role="status"
      data-testid="import-results"
    >
      <p data-testid="import-status">{resultHeadline(report)}</p>
      {stopped && (
        <button type="button" className="primary" onClick={onResume} data-testid="import-resume">
          Resume
        </button>
      )}
      <ul>
        {resultLines(report).map((l) => (
          <li key={l.key} data-testid={`result-${l.key}`}>
            {l.text}
          </li>
        ))}
      </ul>
      {report.problems.length > 0 && (
        <ul className="error-text">
          {report.problems.slice(0, 20).map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {stopped ? (
        <p>The run&apos;s folder has its plan, the clinic&apos;s backup and its log; the reports are written when it finishes:</p>
      ) : (
        <p>
          The run&apos;s folder has <code>results.csv</code> (every record), <code>errors.csv</code> (the rows not
          imported, ready to fix) and <code>summary.txt</code>:
        </p>
      )}
      {!stopped && <ReportCopies runId={report.run_id} />}
      <div className="folder-path">
        <input
          readOnly
          value={report.dir}
          aria-label="Run folder"
          className="folder"
          onFocus={(e) => e.currentTarget.select()}
          data-testid="import-run-folder"
        />
        <button type="button" onClick={() => void copyPath()} data-testid="copy-run-folder">
          Copy path
        </button>
        {copy === "copied" && <span className="muted">Copied.</span>}
        {copy === "refused" && <span className="muted">Copying was refused: select the path and copy it.</span>}
      </div>
    </div>
  );
}
