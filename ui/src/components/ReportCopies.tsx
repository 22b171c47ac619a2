import { save } from "@tauri-apps/plugin-dialog";
import { useState } from "react";
import { api, errorMessage } from "../api";

const REPORTS = [
  { name: "results.csv", label: "Save results.csv…", what: "every record and what was done with it" },
  { name: "errors.csv", label: "Save errors.csv…", what: "the rows not imported, with the reason, ready to fix" },
] as const;

/** Buttons that save a copy of a finished run's reports where the person chooses (to hand
 * `errors.csv` to the clinic, say). */
export function ReportCopies({ runId }: { runId: string }) {
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const copy = async (name: string) => {
    setMessage(null);
    try {
      const to = await save({ title: `Save a copy of ${name}`, defaultPath: name, filters: [{ name: "CSV", extensions: ["csv"] }] });
      if (!to) return;
      await api.saveReportCopy(runId, name, to);
      setMessage({ text: `Saved ${name} to ${to}.`, error: false });
    } catch (e) {
      setMessage({ text: errorMessage(e), error: true });
    }
  };
  return (
    <div className="inline-form report-copies">
      {REPORTS.map((r) => (
        <button key={r.name} type="button" title={r.what} onClick={() => void copy(r.name)} data-testid={`save-${r.name}`}>
          {r.label}
        </button>
      ))}
      {message && (
        <span className={message.error ? "error-text" : "muted"} role="status">
          {message.text}
        </span>
      )}
    </div>
  );
}
