import { useEffect, useState } from "react";
import { open } from "@tauri-apps/plugin-dialog";
import { api, errorMessage, type EditedSummary, type ReadRequest, type Resolved, type Summary } from "../api";
import { formatCount, newJobId } from "../format";
import { errorsSentence } from "../review";

interface Props {
  files: ReadRequest[];
  mapping: Resolved["mapping"];
}

/** Writes the canonical clients, patients and findings files, the mapping and the review's
 * edits to a folder: the files `ph-import convert --profile … --edits …` writes. */
export function SaveFiles({ files, mapping }: Props) {
  const [state, setState] = useState<
    | { kind: "idle" }
    | { kind: "saving"; jobId: string }
    | { kind: "saved"; summary: EditedSummary }
    | { kind: "failed"; message: string }
  >({ kind: "idle" });
  const [dir, setDir] = useState("");
  const [review, setReview] = useState<Summary | null>(null);

  useEffect(() => {
    api.reviewSummary().then(setReview, () => setReview(null));
  }, []);

  const browse = async () => {
    const chosen = await open({ directory: true, title: "Choose a folder for the canonical files" });
    if (typeof chosen === "string") setDir(chosen);
  };

  const saveTo = async () => {
    const jobId = newJobId();
    setState({ kind: "saving", jobId });
    try {
      const summary = await api.saveReviewed(jobId, files, mapping, dir.trim());
      setState({ kind: "saved", summary });
    } catch (e) {
      setState({ kind: "failed", message: errorMessage(e) });
    }
  };

  return (
    <section className="save-step" aria-labelledby="save-title" data-testid="save-step">
      <h1 id="save-title">Save canonical files</h1>
      {review && (
        <div className="save-review" data-testid="save-review">
          <p>
            {formatCount(review.clients - review.excluded_clients)} clients and{" "}
            {formatCount(review.patients - review.excluded_patients)} patients will be written
            {review.changes > 0 && <>, with {formatCount(review.changes)} value(s) you changed</>}
            {review.excluded_clients + review.excluded_patients > 0 && (
              <>; {formatCount(review.excluded_clients + review.excluded_patients)} record(s) you excluded are left out</>
            )}
            .
          </p>
          <p className={review.clients_with_errors + review.patients_with_errors > 0 ? "error-text" : "muted"}>
            {errorsSentence(review)}
          </p>
        </div>
      )}
      <div className="save-files">
        {state.kind === "saving" ? (
          <span className="progress-line">
            <span className="spinner" aria-label="saving" /> Converting every row…
            <button type="button" onClick={() => void api.cancelJob(state.jobId)}>
              Cancel
            </button>
          </span>
        ) : (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void saveTo();
            }}
          >
            <input
              aria-label="Folder for the canonical files"
              placeholder="Folder for clients.csv, patients.csv, findings.csv"
              value={dir}
              onChange={(e) => setDir(e.target.value)}
              className="folder"
              data-testid="save-folder"
            />
            <button type="button" onClick={() => void browse()}>
              Browse…
            </button>
            <button type="submit" className="primary" disabled={dir.trim() === ""} data-testid="save-canonical">
              Save canonical files
            </button>
          </form>
        )}
        {state.kind === "failed" && (
          <div className="error-box" role="alert">
            {state.message}
          </div>
        )}
        {state.kind === "saved" && (
          <div className="saved" role="status" data-testid="saved-summary">
            <p>
              Wrote <strong>{formatCount(state.summary.summary.clients)}</strong> clients,{" "}
              <strong>{formatCount(state.summary.summary.patients)}</strong> patients and{" "}
              <strong>{formatCount(state.summary.summary.findings)}</strong> findings
              {state.summary.applied > 0 && <>, with {formatCount(state.summary.applied)} change(s) of yours</>}
              {state.summary.excluded > 0 && <>, leaving out {formatCount(state.summary.excluded)} record(s)</>}:
            </p>
            <ul>
              {state.summary.summary.files.map((f) => (
                <li key={f}>
                  <code>{f}</code>
                </li>
              ))}
            </ul>
            {state.summary.stale.length > 0 && (
              <p className="error-text">
                {state.summary.stale.length} change(s) were not applied because the file changed since the review.
              </p>
            )}
            {state.summary.not_applied.length > 0 && (
              <ul className="error-text">
                {state.summary.not_applied.map((s) => (
                  <li key={s}>Not applied: {s}</li>
                ))}
              </ul>
            )}
            {state.summary.summary.by_code.length > 0 && (
              <ul className="by-code">
                {state.summary.summary.by_code.map((c) => (
                  <li key={`${c.code}-${c.severity}`}>
                    {formatCount(c.count)} × {c.code} ({c.severity})
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
