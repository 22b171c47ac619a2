import { useEffect, useState } from "react";
import { open } from "@tauri-apps/plugin-dialog";
import {
  api,
  errorMessage,
  type EditedSummary,
  type ImportSettings,
  type ReadRequest,
  type Resolved,
  type Summary,
} from "../api";
import { fileName, folderOf, formatCount, newJobId } from "../format";
import { codeLabel } from "../labels";
import { errorsSentence } from "../review";
import type { TableTally } from "../bindings/TableTally";
import { emptyTableWarning, emptyTables, tallyLine } from "../tables";

interface Props {
  files: ReadRequest[];
  mapping: Resolved["mapping"];
  /** The import settings (required fields, which flagged records are sent). */
  settings: ImportSettings;
  /** Goes back to the review, to fix what will not be imported. */
  onBackToReview: () => void;
  /** Goes back to the mapping, to fix a table that gives no records. */
  onBackToMap: () => void;
  /** Goes on to the import (saving the files first is not needed). */
  onImport: () => void;
}

/** Writes the canonical clients, patients and findings files, the mapping and the review's
 * edits to a folder: the files `ph-import convert --profile … --edits …` writes. */
export function SaveFiles({ files, mapping, settings, onBackToReview, onBackToMap, onImport }: Props) {
  const [state, setState] = useState<
    | { kind: "idle" }
    | { kind: "saving"; jobId: string }
    | { kind: "saved"; summary: EditedSummary; folder: string }
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
    const target = dir.trim();
    setState({ kind: "saving", jobId });
    try {
      const summary = await api.saveReviewed(jobId, files, mapping, target, settings);
      // The written paths name the folder as the app resolved it (the typed one may be relative).
      const written = summary.summary.files[0];
      setState({ kind: "saved", summary, folder: (written && folderOf(written)) || target });
    } catch (e) {
      setState({ kind: "failed", message: errorMessage(e) });
    }
  };

  return (
    <section className="step-page save-step" aria-labelledby="save-title" data-testid="save-step">
      <div className="step-body">
        <h1 id="save-title">Save canonical files</h1>
        <p className="muted">
          Saving is optional: the import reads the same files with the same mapping and review.{" "}
          <button type="button" onClick={onImport} data-testid="go-import">
            Go to Import
          </button>
        </p>
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
            {review.tables.length > 1 && (
              <ul className="muted" data-testid="table-tallies">
                {review.tables.map((t) => (
                  <li key={t.table}>{tallyLine(t)}</li>
                ))}
              </ul>
            )}
            <EmptyTables tallies={review.tables} onBackToMap={onBackToMap} testId="empty-tables" />
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
                {state.summary.excluded > 0 && <>, leaving out {formatCount(state.summary.excluded)} record(s)</>}, into
                the folder:
              </p>
              <FolderPath path={state.folder} />
              <EmptyTables tallies={state.summary.summary.tables} onBackToMap={onBackToMap} testId="saved-empty-tables" />
              <ul>
                {state.summary.summary.files.map((f) => (
                  <li key={f} title={f}>
                    <code>{fileName(f)}</code>
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
                      {formatCount(c.count)} × {codeLabel(c.code)} ({c.severity})
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {state.kind === "saved" && <NextSteps review={review} onBackToReview={onBackToReview} />}
        </div>
      </div>
    </section>
  );
}

/** A warning for every table that has rows but gives no records, with the way back to fix it. */
function EmptyTables({ tallies, onBackToMap, testId }: { tallies: TableTally[]; onBackToMap: () => void; testId: string }) {
  const empty = emptyTables(tallies);
  if (empty.length === 0) return null;
  return (
    <div className="error-box" role="alert" data-testid={testId}>
      <ul className="empty-tables">
        {empty.map((t) => (
          <li key={t.table}>⚠ {emptyTableWarning(t)}</li>
        ))}
      </ul>
      <button type="button" onClick={onBackToMap}>
        Back to Map columns
      </button>
    </div>
  );
}

/** The folder written, selectable and copyable (the app has no "open folder" yet: that needs
 * an opener plugin on the Rust side). */
function FolderPath({ path }: { path: string }) {
  const [copy, setCopy] = useState<"copied" | "refused" | null>(null);
  const copyPath = async () => {
    try {
      await navigator.clipboard.writeText(path);
      setCopy("copied");
    } catch {
      // Some webviews refuse the clipboard; the path stays selectable in the box.
      setCopy("refused");
    }
  };
  return (
    <div className="folder-path">
      <input
        readOnly
        value={path}
        aria-label="Folder written"
        className="folder"
        onFocus={(e) => e.currentTarget.select()}
        data-testid="saved-folder"
      />
      <button type="button" onClick={() => void copyPath()} data-testid="copy-folder">
        Copy path
      </button>
      {copy === "copied" && <span className="muted">Copied.</span>}
      {copy === "refused" && <span className="muted">Copying was refused: select the path and copy it.</span>}
    </div>
  );
}

/** What to do with the saved files, so that saving is not a dead end. */
function NextSteps({ review, onBackToReview }: { review: Summary | null; onBackToReview: () => void }) {
  const withErrors = review ? review.clients_with_errors + review.patients_with_errors : 0;
  return (
    <div className="next-steps" data-testid="next-steps">
      <h2>Next</h2>
      <ul>
        {withErrors > 0 && (
          <li>
            {formatCount(withErrors)} record{withErrors === 1 ? " has" : "s have"} errors and will not be imported until
            fixed.{" "}
            <button type="button" onClick={onBackToReview} data-testid="back-to-review">
              Fix them in Review problems
            </button>{" "}
            and save again, or fix them in the clinic&apos;s export.
          </li>
        )}
        <li>
          Open <code>findings.csv</code> in a spreadsheet to see every problem left, row by row.
        </li>
        <li>
          Keep the folder: with its <code>mapping-profile.json</code> and <code>edits.json</code>, the command-line tool
          redoes this conversion (<code>ph-import convert</code> with <code>--profile</code> and <code>--edits</code>).
        </li>
      </ul>
    </div>
  );
}
