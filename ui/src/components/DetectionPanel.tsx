import { useEffect, useMemo, useRef, useState } from "react";
import { api, errorMessage, type Inspection, type ReadRequest } from "../api";
import { viewRequest, withHeaderRow } from "../files";
import { describeDelimiter, formatBytes, formatCount, newJobId, percent } from "../format";

const ENCODINGS = ["UTF-8", "UTF-16LE", "UTF-16BE", "windows-1252", "ISO-8859-1", "macintosh"];
const DELIMITERS: [string, string][] = [
  [",", "comma"],
  [";", "semicolon"],
  ["\t", "tab"],
  ["|", "pipe"],
];

interface Props {
  inspection: Inspection;
  /** How the job reads the file (never names a sheet). */
  request: ReadRequest;
  /** The sheet looked at, null for the first sheet with data. */
  viewed: string | null;
  /** Changes how the job reads the file. */
  onChange: (request: ReadRequest) => void;
  /** Looks at another sheet; what is imported stays the same. */
  onView: (sheet: string) => void;
}

/** What was detected about a file, each guess overridable, plus the full-pass row count. */
export function DetectionPanel({ inspection, request, viewed, onChange, onView }: Props) {
  const isText = inspection.format === "csv";
  // The row count reads the sheet looked at; one object per change, so one count per change.
  const counted = useMemo(() => viewRequest(request, viewed), [request, viewed]);
  const imported = inspection.sheets.filter((s) => s.has_data).map((s) => s.name);
  const [headerRow, setHeaderRow] = useState(String(inspection.header_row ?? 0));
  const set = (patch: Partial<ReadRequest>) => onChange({ ...request, ...patch });

  return (
    <div className="detection" data-testid="detection">
      <dl className="facts">
        <div>
          <dt>Format</dt>
          <dd data-testid="format">{inspection.format.toUpperCase()}</dd>
        </div>
        {isText && (
          <div>
            <dt>Encoding</dt>
            <dd title={inspection.encoding_reason ?? undefined}>
              <select
                aria-label="Encoding"
                value={request.encoding ?? ""}
                onChange={(e) => set({ encoding: e.target.value || undefined })}
              >
                <option value="">Detected: {inspection.encoding ?? "unknown"}</option>
                {ENCODINGS.map((e) => (
                  <option key={e} value={e}>
                    {e}
                  </option>
                ))}
              </select>
              {inspection.encoding_reason && <small className="why">{inspection.encoding_reason}</small>}
            </dd>
          </div>
        )}
        {isText && (
          <div>
            <dt>Delimiter</dt>
            <dd>
              <select
                aria-label="Delimiter"
                value={request.delimiter ?? ""}
                onChange={(e) => set({ delimiter: e.target.value || undefined })}
              >
                <option value="">Detected: {describeDelimiter(inspection.delimiter)}</option>
                {DELIMITERS.map(([d, name]) => (
                  <option key={name} value={d}>
                    {name}
                  </option>
                ))}
              </select>
            </dd>
          </div>
        )}
        {inspection.sheets.length > 0 && (
          <div>
            <dt>Look at sheet</dt>
            <dd>
              <select
                aria-label="Look at sheet"
                value={inspection.sheet ?? viewed ?? ""}
                onChange={(e) => onView(e.target.value)}
                data-testid="view-sheet"
              >
                {inspection.sheets.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                  </option>
                ))}
              </select>
              {imported.length > 1 && (
                <small className="why" data-testid="sheets-imported">
                  Every sheet with data is imported, each as its own table: {imported.join(", ")}.
                </small>
              )}
            </dd>
          </div>
        )}
        <div>
          <dt>Header row</dt>
          <dd>
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                const n = Number.parseInt(headerRow, 10);
                // In a workbook the row is the looked-at sheet's own; the other sheets keep theirs.
                if (Number.isFinite(n) && n >= 0) onChange(withHeaderRow(request, inspection.sheet, n));
              }}
            >
              <input
                aria-label="Header row (0 = no header)"
                type="number"
                min={0}
                value={headerRow}
                onChange={(e) => setHeaderRow(e.target.value)}
                data-testid="header-row"
              />
              <button type="submit">Apply</button>
            </form>
            <small className="why">
              {inspection.header_row ? `Row ${inspection.header_row} holds the column names` : "No header row: columns are named A, B, C…"}
            </small>
          </dd>
        </div>
        <div>
          <dt>Columns</dt>
          <dd data-testid="column-count">{inspection.columns.length}</dd>
        </div>
      </dl>
      <RowCount key={JSON.stringify(counted)} request={counted} />
      {inspection.notes.length > 0 && (
        <ul className="notes" aria-label="Notes about this file">
          {inspection.notes.map((n, i) => (
            <li key={i}>{n.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Counts every row in the background with a progress bar; the preview is already usable meanwhile.
 * Mounted anew (by key) for each request, so each mount runs exactly one job. */
function RowCount({ request }: { request: ReadRequest }) {
  // A fresh job id per effect run: StrictMode runs effects twice, and two runs must not share one.
  const job = useRef("");
  const [state, setState] = useState<
    | { kind: "running"; rows: number; bytes: number; total: number | null }
    | { kind: "done"; rows: number | null; notes: number }
    | { kind: "cancelled" }
    | { kind: "failed"; message: string }
  >({ kind: "running", rows: 0, bytes: 0, total: null });

  useEffect(() => {
    const jobId = newJobId();
    job.current = jobId;
    let alive = true;
    let unlisten: (() => void) | undefined;
    api
      .onReadProgress((p) => {
        if (alive && p.job_id === jobId)
          setState({ kind: "running", rows: p.rows_read, bytes: p.bytes_read, total: p.bytes_total });
      })
      .then((u) => (alive ? (unlisten = u) : u()));
    api.inspectFile(jobId, request).then(
      (full) => alive && setState({ kind: "done", rows: full.row_count, notes: full.notes.length }),
      (e) => {
        if (!alive) return;
        const message = errorMessage(e);
        setState(/cancel/i.test(message) ? { kind: "cancelled" } : { kind: "failed", message });
      },
    );
    return () => {
      alive = false;
      unlisten?.();
      void api.cancelJob(jobId);
    };
  }, [request]);

  if (state.kind === "done")
    return (
      <p className="row-count" data-testid="row-count">
        <strong>{formatCount(state.rows ?? 0)}</strong> data rows
      </p>
    );
  if (state.kind === "failed") return <p className="error-text">{state.message}</p>;
  if (state.kind === "cancelled") return <p className="muted">Row count cancelled.</p>;
  const pct = percent(state.bytes, state.total);
  return (
    <div className="progress-line">
      <progress max={100} value={pct ?? undefined} aria-label="Reading the whole file" />
      <span>
        {formatCount(state.rows)} rows · {formatBytes(state.bytes)}
        {state.total ? ` of ${formatBytes(state.total)}` : ""}
      </span>
      <button type="button" onClick={() => void api.cancelJob(job.current)}>
        Cancel
      </button>
    </div>
  );
}
