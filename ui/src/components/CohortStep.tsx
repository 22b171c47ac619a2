import { useCallback, useEffect, useState } from "react";
import { open } from "@tauri-apps/plugin-dialog";
import { api, errorMessage } from "../api";
import type { CohortOpened } from "../bindings/CohortOpened";
import { clinicCounts, clinicKey, clinicStatusLabel, cohortAction, eventLine, nextStepLabel, summaryLine } from "../cohort";
import { useFileDrop } from "../fileDrop";
import { fileName } from "../format";

interface Props {
  /** Whether the screen is shown: only then does a dropped file open as a manifest. */
  active: boolean;
  /** Opens a clinic's run in the History screen (its plan, log and reports). */
  onOpenRun: (runId: string) => void;
  /** Runs were planned or applied: the app's notice of stopped runs asks again. */
  onChanged: () => void;
}

type Work = { kind: "idle" } | { kind: "working"; what: "plan" | "apply"; stopping: boolean };

/** A week's clinics from one manifest: each clinic's status, plan, apply, resume, and each
 * clinic's report. The core does the work (docs/cohort.md); this shows it. */
export function CohortStep({ active, onOpenRun, onChanged }: Props) {
  const [path, setPath] = useState<string | null>(null);
  const [opened, setOpened] = useState<CohortOpened | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [work, setWork] = useState<Work>({ kind: "idle" });
  const [skipFailing, setSkipFailing] = useState(false);
  const [confirmation, setConfirmation] = useState("");
  // Each clinic's latest progress line, by `env/clinic`.
  const [lines, setLines] = useState<Record<string, string>>({});

  const openPath = useCallback((p: string) => {
    setPath(p);
    setError(null);
    setLines({});
    api.cohortOpen(p).then(setOpened, (e) => {
      setOpened(null);
      setError(errorMessage(e));
    });
  }, []);

  const dropped = useCallback((paths: string[]) => {
    if (paths[0]) openPath(paths[0]);
  }, [openPath]);
  const { listening } = useFileDrop(active, dropped);

  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let alive = true;
    api
      .onCohortEvent((e) => setLines((old) => ({ ...old, [clinicKey(e)]: eventLine(e) })))
      .then((u) => {
        if (alive) unlisten = u;
        else u();
      });
    return () => {
      alive = false;
      unlisten?.();
    };
  }, []);

  const pick = async () => {
    const chosen = await open({
      multiple: false,
      directory: false,
      title: "Choose the cohort manifest",
      filters: [
        { name: "Cohort manifest (TOML)", extensions: ["toml"] },
        { name: "All files", extensions: ["*"] },
      ],
    });
    if (typeof chosen === "string") openPath(chosen);
  };

  const run = (what: "plan" | "apply") => {
    if (!path) return;
    setWork({ kind: "working", what, stopping: false });
    setError(null);
    const call = what === "plan" ? api.cohortPlan(path, skipFailing) : api.cohortApply(path, confirmation);
    call.then(
      (o) => setOpened(o),
      (e) => {
        setError(errorMessage(e));
        // What did happen (clinics planned or imported before the stop) is still shown.
        api.cohortOpen(path).then(setOpened, () => undefined);
      },
    ).finally(() => {
      setWork({ kind: "idle" });
      onChanged();
    });
  };

  const stop = () => {
    setWork((w) => (w.kind === "working" ? { ...w, stopping: true } : w));
    void api.cancelJob("cohort");
  };

  const action = opened ? cohortAction(opened) : null;
  const busy = work.kind === "working";
  const needsConfirmation = opened !== null && opened.production.length > 0 && (action === "apply" || action === "resume");
  const status = opened?.status ?? null;
  const clinics = opened
    ? opened.manifest.clinic.map((entry) => ({
        entry,
        view: status?.clinics.find((c) => c.clinic_id === entry.clinic_id && c.env === entry.env) ?? null,
      }))
    : [];

  return (
    <section className="step-page cohort-step" aria-labelledby="cohort-title" data-testid="cohort-step">
      <div className="step-body">
        <h1 id="cohort-title">Cohort</h1>
        <p className="muted">
          Import a week's clinics in one batch from a cohort manifest: every clinic and file is checked before anything
          is sent, then each clinic is imported as its own run, a few at a time.
        </p>
        <div className="dropzone" data-testid="cohort-dropzone" data-listening={listening}>
          <p>Drop a cohort manifest (.toml) here, or</p>
          <button type="button" onClick={() => void pick()} disabled={busy}>
            Open manifest…
          </button>
        </div>
        {error && (
          <div className="error-box" role="alert" data-testid="cohort-error" style={{ whiteSpace: "pre-wrap" }}>
            {error}
          </div>
        )}
        {opened && (
          <>
            <h2 data-testid="cohort-name">{opened.manifest.name}</h2>
            <p data-testid="cohort-summary">
              {fileName(opened.manifest_path)} · {summaryLine(opened)}
            </p>
            <table className="plan-table" data-testid="cohort-clinics">
              <thead>
                <tr>
                  <th>Clinic</th>
                  <th>Environment</th>
                  <th>Files</th>
                  <th>Status</th>
                  <th>Records</th>
                  <th>Report</th>
                </tr>
              </thead>
              <tbody>
                {clinics.map(({ entry, view }) => {
                  const key = clinicKey(entry);
                  const live = lines[key];
                  return (
                    <tr key={key} data-testid="cohort-clinic" data-status={view?.status ?? "not_planned"}>
                      <td>
                        {view?.clinic_name || entry.clinic_id}
                        {view?.clinic_name && view.clinic_name !== entry.clinic_id && (
                          <span className="muted"> ({entry.clinic_id})</span>
                        )}
                      </td>
                      <td>{entry.env}</td>
                      <td>{entry.files.map(fileName).join(", ")}</td>
                      <td>
                        <div>{view ? clinicStatusLabel(view.status) : "Not planned"}</div>
                        {busy && live && <div className="muted">{live}</div>}
                        {!busy && view && view.problems.length > 0 && (
                          <ul className="muted">
                            {view.problems.map((p) => (
                              <li key={p}>{p}</li>
                            ))}
                          </ul>
                        )}
                        {!busy && view && nextStepLabel(view.status) && (
                          <div className="muted">{nextStepLabel(view.status)}</div>
                        )}
                      </td>
                      <td>{view ? clinicCounts(view) : ""}</td>
                      <td>
                        {view?.run_id && (
                          <button type="button" className="link" onClick={() => onOpenRun(view.run_id as string)}>
                            Open run
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <div className="actions">
              {action === "plan" && (
                <label>
                  <input type="checkbox" checked={skipFailing} onChange={(e) => setSkipFailing(e.target.checked)} data-testid="cohort-skip-failing" /> Plan
                  the clinics that pass their checks and skip the others
                </label>
              )}
              {needsConfirmation && (
                <label>
                  {opened.production.join(", ")} {opened.production.length === 1 ? "is" : "are"} production: type the
                  cohort's name, {opened.manifest.name}, to import there{" "}
                  <input value={confirmation} onChange={(e) => setConfirmation(e.target.value)} data-testid="cohort-confirm" />
                </label>
              )}
              <button type="button" onClick={() => run("plan")} disabled={busy} data-testid="cohort-plan">
                {status ? "Plan again" : "Check and plan"}
              </button>
              {(action === "apply" || action === "resume") && (
                <button type="button" className="primary" onClick={() => run("apply")} disabled={busy} data-testid="cohort-apply">
                  {action === "resume" ? "Resume the cohort" : "Import the planned clinics"}
                </button>
              )}
              {action === "done" && <span data-testid="cohort-done">Nothing left to send.</span>}
              {busy && (
                <button type="button" onClick={stop} disabled={work.stopping}>
                  {work.stopping ? "Stopping after the batches in flight…" : "Stop"}
                </button>
              )}
            </div>
          </>
        )}
      </div>
    </section>
  );
}
