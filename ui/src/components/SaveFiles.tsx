import { useState } from "react";
import { open } from "@tauri-apps/plugin-dialog";
import { api, errorMessage, type ReadRequest, type Resolved, type WriteSummary } from "../api";
import { formatCount, newJobId } from "../format";

interface Props {
  files: ReadRequest[];
  resolved: Resolved;
  /** Why saving is not possible yet, if it is not. */
  blocked: string | null;
}

/** Writes the canonical clients, patients and findings files (and the mapping) to a folder. */
export function SaveFiles({ files, resolved, blocked }: Props) {
  const [state, setState] = useState<
    | { kind: "idle" }
    | { kind: "saving"; jobId: string }
    | { kind: "saved"; summary: WriteSummary }
    | { kind: "failed"; message: string }
  >({ kind: "idle" });
  const [dir, setDir] = useState("");

  const browse = async () => {
    const chosen = await open({ directory: true, title: "Choose a folder for the canonical files" });
    if (typeof chosen === "string") setDir(chosen);
  };

  const saveTo = async () => {
    const jobId = newJobId();
    setState({ kind: "saving", jobId });
    try {
      const summary = await api.saveCanonical(jobId, files, resolved.mapping, dir.trim());
      setState({ kind: "saved", summary });
    } catch (e) {
      setState({ kind: "failed", message: errorMessage(e) });
    }
  };

  return (
    <div className="save-files">
      {blocked && <p className="error-text">{blocked}</p>}
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
          <button
            type="submit"
            className="primary"
            disabled={blocked !== null || dir.trim() === ""}
            data-testid="save-canonical"
          >
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
            Wrote <strong>{formatCount(state.summary.clients)}</strong> clients,{" "}
            <strong>{formatCount(state.summary.patients)}</strong> patients and{" "}
            <strong>{formatCount(state.summary.findings)}</strong> findings:
          </p>
          <ul>
            {state.summary.files.map((f) => (
              <li key={f}>
                <code>{f}</code>
              </li>
            ))}
          </ul>
          {state.summary.by_code.length > 0 && (
            <ul className="by-code">
              {state.summary.by_code.map((c) => (
                <li key={`${c.code}-${c.severity}`}>
                  {formatCount(c.count)} × {c.code} ({c.severity})
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
