import { useCallback, useEffect, useState } from "react";
import { api, errorMessage } from "../api";
import type { AuditLog } from "../bindings/AuditLog";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { RunDetail } from "../bindings/RunDetail";
import type { RunReport } from "../bindings/RunReport";
import type { RunSummary } from "../bindings/RunSummary";
import type { UndoReport } from "../bindings/UndoReport";
import { formatBytes, formatCount } from "../format";
import { canPurge, canResume, canUndo, plannedLine, statusLabel, undoLines } from "../history";
import { ReportCopies } from "./ReportCopies";
import { countOf, phaseLabel, planLines, progressLine, progressPercent, resultHeadline, resultLines } from "../importPlan";

interface Props {
  /** The run to show first (from the app's "interrupted import" notice). */
  selected: string | null;
  onSelect: (runId: string) => void;
  /** Runs changed (resumed, undone, purged): the app's notice asks again. */
  onChanged: () => void;
}

type Work =
  | { kind: "idle" }
  | { kind: "working"; what: "resume" | "undo"; progress: ImportProgress | null; stopping: boolean }
  | { kind: "resumed"; report: RunReport }
  | { kind: "undone"; report: UndoReport };

/** Every import run of this computer, and for one: what it planned, every attempt, its log,
 * its files, and resume, undo and purge. */
export function HistoryStep({ selected, onSelect, onChanged }: Props) {
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    api.listRuns().then(
      (r) => {
        setRuns(r);
        setError(null);
      },
      (e) => setError(errorMessage(e)),
    );
  }, []);
  useEffect(refresh, [refresh]);

  // A run purged (or never there) is not shown: the newest is.
  const current = runs?.find((r) => r.id === selected)?.id ?? runs?.[0]?.id ?? null;
  return (
    <section className="step-page history-step" aria-labelledby="history-title" data-testid="history-step">
      <div className="step-body">
        <h1 id="history-title">Import history</h1>
        {error && (
          <div className="error-box" role="alert">
            {error}
          </div>
        )}
        <AuditState version={runs} />
        {runs !== null && runs.length === 0 && <p className="muted">No import has been planned on this computer yet.</p>}
        {runs !== null && runs.length > 0 && (
          <div className="history-layout">
            <table className="plan-table history-list" data-testid="history-list">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Clinic</th>
                  <th scope="col">State</th>
                  <th scope="col">Plan</th>
                  <th scope="col">On disk</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr
                    key={r.id}
                    className={r.id === current ? "selected" : undefined}
                    aria-selected={r.id === current}
                    data-testid="history-run"
                    data-status={r.status}
                    data-run={r.id}
                  >
                    <td>
                      <button type="button" className="link" onClick={() => onSelect(r.id)}>
                        {new Date(r.created_at).toLocaleString()}
                      </button>
                    </td>
                    <td>
                      {r.clinic_name} <span className="muted">on {r.env}</span>
                    </td>
                    <td>
                      <span className={`badge status-${r.status}`}>{statusLabel(r.status)}</span>
                    </td>
                    <td className="muted">{plannedLine(r)}</td>
                    <td className="num muted">{formatBytes(r.on_disk.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {current && (
              <RunPanel
                key={current}
                runId={current}
                onChanged={() => {
                  refresh();
                  onChanged();
                }}
              />
            )}
          </div>
        )}
      </div>
    </section>
  );
}

/** One run: its counts, attempts, log and files, and what can be done with it. */
function RunPanel({ runId, onChanged }: { runId: string; onChanged: () => void }) {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [work, setWork] = useState<Work>({ kind: "idle" });
  const [asking, setAsking] = useState<"undo" | "purge" | null>(null);
  // The clinic's name, typed when PH is production (asked for after the first refusal).
  const [typed, setTyped] = useState("");
  const [needsName, setNeedsName] = useState(false);
  const [deleteChanged, setDeleteChanged] = useState(false);

  const load = useCallback(() => {
    api.runDetail(runId).then(setDetail, (e) => setError(errorMessage(e)));
  }, [runId]);
  useEffect(load, [load]);

  useEffect(() => {
    const unlisten = api.onImportProgress((p) =>
      setWork((w) => (w.kind === "working" ? { ...w, progress: p } : w)),
    );
    return () => void unlisten.then((f) => f());
  }, []);

  const failed = (e: unknown) => {
    const code = typeof e === "object" && e !== null && "code" in e ? (e as { code: unknown }).code : null;
    if (code === "confirm") setNeedsName(true);
    setError(errorMessage(e));
    setWork({ kind: "idle" });
    load();
    onChanged();
  };

  const resume = () => {
    setError(null);
    setWork({ kind: "working", what: "resume", progress: null, stopping: false });
    api.applyImport(runId, typed).then((report) => {
      setWork({ kind: "resumed", report });
      load();
      onChanged();
    }, failed);
  };

  const undo = () => {
    setError(null);
    setAsking(null);
    setWork({ kind: "working", what: "undo", progress: null, stopping: false });
    api.undoRun(runId, typed, deleteChanged).then((report) => {
      setWork({ kind: "undone", report });
      load();
      onChanged();
    }, failed);
  };

  const purge = () => {
    setError(null);
    setAsking(null);
    api.purgeRun(runId).then(() => onChanged(), failed);
  };

  if (detail === null) {
    return error ? <div className="error-box">{error}</div> : <p className="muted">Loading the run…</p>;
  }
  const s = detail.summary;
  const busy = work.kind === "working";
  return (
    <div className="run-panel" data-testid="run-panel">
      <h2>
        {s.clinic_name} on {s.env}: <span data-testid="run-status">{statusLabel(s.status)}</span>
      </h2>
      <p className="muted">
        Run <code>{s.id}</code>, planned {new Date(s.created_at).toLocaleString()}, last changed{" "}
        {new Date(s.updated_at).toLocaleString()}
        {s.message && <> — {s.message}</>}
      </p>
      <table className="plan-table">
        <thead>
          <tr>
            <th scope="col">Planned</th>
            <th scope="col">Clients</th>
            <th scope="col">Pets</th>
          </tr>
        </thead>
        <tbody>
          {planLines(detail.overview).map((l) => (
            <tr key={l.key}>
              <th scope="row">{l.label}</th>
              <td className="num">{formatCount(l.clients)}</td>
              <td className="num">{formatCount(l.patients)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="inline-form run-actions">
        {canResume(s.status) && (
          <button type="button" className="primary" disabled={busy} onClick={resume} data-testid="history-resume">
            Resume
          </button>
        )}
        {canUndo(s.status) && (
          <button type="button" disabled={busy} onClick={() => setAsking("undo")} data-testid="history-undo">
            Undo…
          </button>
        )}
        {canPurge(s.status) && (
          <button type="button" disabled={busy} onClick={() => setAsking("purge")} data-testid="history-purge">
            Delete local files…
          </button>
        )}
      </div>
      {needsName && (
        <label className="production-confirm">
          <strong>{s.env} is PRODUCTION.</strong> Type the clinic&apos;s name, <code>{s.clinic_name}</code>, then try again:{" "}
          <input value={typed} onChange={(e) => setTyped(e.target.value)} />
        </label>
      )}
      {asking === "undo" && (
        <div className="notice-box" role="alertdialog" aria-label="Confirm undo" data-testid="undo-confirm">
          <p>
            Undo this import in <strong>{s.clinic_name}</strong> on <strong>{s.env}</strong>? What it created is deleted and
            what it updated gets its values from before. A record someone changed in PH since is left as it is and named.
          </p>
          <label>
            <input type="checkbox" checked={deleteChanged} onChange={(e) => setDeleteChanged(e.target.checked)} /> Also
            delete records it created that someone changed since
          </label>
          <div className="inline-form">
            <button type="button" className="primary" onClick={undo} data-testid="undo-yes">
              Undo the import
            </button>
            <button type="button" onClick={() => setAsking(null)}>
              Keep it
            </button>
          </div>
        </div>
      )}
      {asking === "purge" && (
        <div className="notice-box" role="alertdialog" aria-label="Confirm deleting the run's files" data-testid="purge-confirm">
          <p>
            Delete this run&apos;s files from this computer ({formatBytes(s.on_disk.bytes)}: plan, backup, reports, journal)?
            PH is not changed and the audit log keeps its entries, but the run can no longer be resumed or undone.
          </p>
          <div className="inline-form">
            <button type="button" className="primary" onClick={purge} data-testid="purge-yes">
              Delete the files
            </button>
            <button type="button" onClick={() => setAsking(null)}>
              Keep them
            </button>
          </div>
        </div>
      )}
      {work.kind === "working" && (
        <div className="import-progress" data-testid="history-progress">
          <progress max={100} value={work.progress ? progressPercent(work.progress) : undefined} aria-label="Progress" />
          <p role="status">{work.progress ? progressLine(work.progress) : work.what === "undo" ? "Starting the undo…" : "Resuming…"}</p>
          <button
            type="button"
            disabled={work.stopping}
            onClick={() => {
              setWork({ ...work, stopping: true });
              void api.cancelJob(runId);
            }}
          >
            {work.stopping ? "Stopping after the batches in flight…" : "Cancel"}
          </button>
        </div>
      )}
      {work.kind === "resumed" && (
        <div className="info-box" role="status" data-testid="history-result">
          <p>{resultHeadline(work.report)}</p>
          <ul>
            {resultLines(work.report).map((l) => (
              <li key={l.key}>{l.text}</li>
            ))}
          </ul>
        </div>
      )}
      {work.kind === "undone" && (
        <div className="info-box" role="status" data-testid="history-result">
          <ul>
            {undoLines(work.report).map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
          {work.report.refused.length > 0 && (
            <ul className="error-text">
              {work.report.refused.slice(0, 20).map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {error && (
        <div className="error-box" role="alert" data-testid="history-error">
          {error}
        </div>
      )}

      <h3>Every attempt</h3>
      <ol className="audit-list" data-testid="run-attempts">
        {detail.history.map((e, i) => (
          <li key={`${e.at}-${i}`}>
            {new Date(e.at).toLocaleString()} · <strong>{e.action}</strong> · {e.outcome}
            <span className="muted">
              {" "}
              by {e.os_user} as {e.principal || "—"}
              {e.message && ` — ${e.message}`}
            </span>
          </li>
        ))}
      </ol>
      <h3>Files</h3>
      <p className="muted">
        In <code>{s.dir}</code>: {s.on_disk.reports.map((f) => f.name).join(", ") || "no reports yet"}
        {s.on_disk.backup.length > 0 && `; the clinic's backup (${s.on_disk.backup.length} files)`}.
      </p>
      {s.on_disk.reports.some((f) => f.name === "results.csv") && <ReportCopies runId={s.id} />}
      {detail.log.length > 0 && (
        <details>
          <summary>Log ({detail.log.length} lines)</summary>
          <pre className="run-log">{detail.log.slice(-200).join("\n")}</pre>
        </details>
      )}
    </div>
  );
}

/** The audit log's state: intact, or what was changed since it was written; the whole log
 * on demand. Asked again whenever the runs change (`version`). */
function AuditState({ version }: { version: unknown }) {
  const [log, setLog] = useState<AuditLog | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.auditLog().then(setLog, (e) => setError(errorMessage(e)));
  }, [version]);
  if (error) return <div className="error-box">The audit log cannot be read: {error}</div>;
  if (log === null || log.entries.length === 0) return null;
  const tampered = log.tampering.length > 0;
  return (
    <details className={tampered ? "error-box audit-state" : "audit-state"} open={tampered} data-testid="audit-state">
      <summary>
        {tampered
          ? `The audit log was changed after it was written (${countOf(log.tampering.length, "problem", "problems")})`
          : `Audit log: ${countOf(log.entries.length, "entry", "entries")}, intact`}
        {log.before_tamper_evidence > 0 && `; ${formatCount(log.before_tamper_evidence)} written before tamper evidence`}
      </summary>
      {tampered && (
        <ul>
          {log.tampering.map((t) => (
            <li key={t}>{t}</li>
          ))}
        </ul>
      )}
      <table className="plan-table audit-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Where</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {[...log.entries].reverse().map((e, i) => (
            <tr key={`${e.seq ?? "x"}-${i}`}>
              <td>{new Date(e.at).toLocaleString()}</td>
              <td>
                {e.os_user} <span className="muted">as {e.principal || "—"}</span>
              </td>
              <td>{e.action}</td>
              <td>
                {e.clinic_name} <span className="muted">on {e.env}</span>
              </td>
              <td>{e.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Shown on every screen while imports stopped part-way wait to be resumed (or undone). */
export function InterruptedNotice({ runs, onOpen }: { runs: readonly RunSummary[]; onOpen: (runId: string) => void }) {
  const [first] = runs;
  if (first === undefined) return null;
  return (
    <div className="notice-box interrupted" role="status" data-testid="interrupted-runs">
      {runs.length === 1 ? (
        <>
          An import into <strong>{first.clinic_name}</strong> on {first.env} did not finish (
          {statusLabel(first.status).toLowerCase()} at {phaseLabel(first.phase).toLowerCase()}). Resuming it finishes it,
          sending nothing twice.{" "}
        </>
      ) : (
        <>{runs.length} imports did not finish. Resuming each finishes it, sending nothing twice. </>
      )}
      <button type="button" onClick={() => onOpen(first.id)} data-testid="interrupted-open">
        Open in History
      </button>
    </div>
  );
}
