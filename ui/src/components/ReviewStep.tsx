import { useCallback, useEffect, useRef, useState } from "react";
import {
  api,
  errorMessage,
  type Entity,
  type Field,
  type Filter,
  type ImportSettings,
  type ReadRequest,
  type Resolved,
  type Summary,
} from "../api";
import type { ReviewRow } from "../bindings/ReviewRow";
import type { Severity } from "../bindings/Severity";
import { formatBytes, formatCount, newJobId, percent } from "../format";
import { codeLabel } from "../labels";
import { columnName, errorsSentence, fieldsOf, filterForEntity } from "../review";
import { ReviewChart } from "./ReviewChart";
import { ReviewDetail } from "./ReviewDetail";
import { ReviewGrid } from "./ReviewGrid";

/** A change of the mapping a finding proposes, made on the Map step. */
export interface ProposedRemap {
  /** The table's label, as findings name it. */
  table: string;
  field: Field;
  column: string;
}

interface Props {
  files: ReadRequest[];
  mapping: Resolved["mapping"];
  /** The import settings (which fields are required). */
  settings: ImportSettings;
  onNext: () => void;
  /** Takes the person to the Map step with this change made, to confirm there. */
  onRemap: (remap: ProposedRemap) => void;
}

type Opening =
  | { kind: "opening"; jobId: string; rows: number; bytes: number; total: number | null; table: number; tables: number }
  | { kind: "open" }
  | { kind: "failed"; message: string };

/** Every converted record with its findings: filter, look, fix inline, fix similar rows, exclude.
 * Mounted anew (by key) when the files or the mapping change, so one mount opens one review. */
export function ReviewStep({ files, mapping, settings, onNext, onRemap }: Props) {
  const [opening, setOpening] = useState<Opening>(() => ({
    kind: "opening",
    jobId: newJobId(),
    rows: 0,
    bytes: 0,
    total: null,
    table: 0,
    tables: 1,
  }));
  const [summary, setSummary] = useState<Summary | null>(null);
  const [entity, setEntity] = useState<Entity>("client");
  const [filter, setFilter] = useState<Filter>({ only_with_findings: false });
  const [reloadToken, setReloadToken] = useState(0);
  const [active, setActive] = useState<{ row: ReviewRow | null; field: Field | null }>({ row: null, field: null });
  const [error, setError] = useState<string | null>(null);
  const replaceRow = useRef<(row: ReviewRow) => void>(() => undefined);
  const jobId = opening.kind === "opening" ? opening.jobId : null;

  useEffect(() => {
    if (!jobId) return;
    let alive = true;
    const unlisten = api.onReviewProgress((p) => {
      if (p.job_id !== jobId || !alive) return;
      setOpening((o) =>
        o.kind === "opening"
          ? { ...o, rows: p.rows_read, bytes: p.bytes_read, total: p.bytes_total, table: p.table, tables: p.tables }
          : o,
      );
    });
    api.openReview(jobId, files, mapping, settings).then(
      (s) => {
        if (!alive) return;
        setSummary(s);
        // Patients first when the files hold only patients.
        if (s.clients === 0 && s.patients > 0) setEntity("patient");
        setOpening({ kind: "open" });
      },
      (e) => alive && setOpening({ kind: "failed", message: errorMessage(e) }),
    );
    return () => {
      alive = false;
      void unlisten.then((u) => u());
    };
    // One review per mount: files and mapping are fixed for its life (see the key in App).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onActive = useCallback((row: ReviewRow | null, field: Field | null) => setActive({ row, field }), []);
  const registerReplace = useCallback((fn: (row: ReviewRow) => void) => {
    replaceRow.current = fn;
  }, []);
  const refreshSummary = useCallback(() => {
    api.reviewSummary().then(setSummary, (e) => setError(errorMessage(e)));
  }, []);
  const onEdited = useCallback(
    (row: ReviewRow) => {
      setActive((a) => (a.row?.id === row.id ? { ...a, row } : a));
      setError(null);
      refreshSummary();
    },
    [refreshSummary],
  );
  const onRowChanged = useCallback(
    (row: ReviewRow) => {
      replaceRow.current(row);
      onEdited(row);
    },
    [onEdited],
  );
  const onBulkChanged = useCallback(() => {
    setReloadToken((t) => t + 1);
    setError(null);
    refreshSummary();
  }, [refreshSummary]);

  if (opening.kind === "failed")
    return (
      <section className="step-page">
        <div className="step-body">
          <div className="error-box" role="alert">
            <strong>The records could not be prepared for review.</strong>
            <p>{opening.message}</p>
          </div>
        </div>
      </section>
    );
  if (opening.kind === "opening" || !summary) {
    const done = opening.kind === "opening" ? percent(opening.bytes, opening.total) : null;
    return (
      <section className="step-page review-step" aria-labelledby="review-title">
        <div className="step-body">
          <h1 id="review-title">Review problems</h1>
          <div className="progress-line" role="status" data-testid="review-opening">
            <span className="spinner" aria-hidden="true" />
            Converting and checking every row…
            {opening.kind === "opening" && (
              <>
                {done !== null && <progress max={100} value={done} aria-label="Rows converted" />}
                <span className="muted">
                  {opening.tables > 1 ? `table ${opening.table + 1} of ${opening.tables}, ` : ""}
                  {formatCount(opening.rows)} rows{opening.total ? ` · ${formatBytes(opening.bytes)} of ${formatBytes(opening.total)}` : ""}
                </span>
                <button type="button" onClick={() => void api.cancelJob(opening.jobId)}>
                  Cancel
                </button>
              </>
            )}
          </div>
        </div>
      </section>
    );
  }

  const set = (change: Partial<Filter>) => setFilter((f) => ({ ...f, ...change }));
  // The filtered code stays listed when its last finding is fixed, so the filter stays visible.
  const codes = Array.from(new Set([...summary.by_code.map((c) => c.code), ...(filter.code ? [filter.code] : [])])).sort(
    (a, b) => codeLabel(a).localeCompare(codeLabel(b)),
  );
  const entityFields = fieldsOf(entity);
  const withErrors = summary.clients_with_errors + summary.patients_with_errors;

  return (
    <section className="step-page review-step" aria-labelledby="review-title" data-testid="review">
      <div className="step-body">
        <div className="review-top">
          <h1 id="review-title">Review problems</h1>
          <p className="review-counts" data-testid="review-counts" role="status">
            {formatCount(summary.clients)} clients · {formatCount(summary.patients)} patients ·{" "}
            <span className="sev-text-error">{formatCount(summary.errors)} errors</span> ·{" "}
            <span className="sev-text-warning">{formatCount(summary.warnings)} warnings</span> ·{" "}
            <span className="sev-text-fixed">{formatCount(summary.fixed)} fixed automatically</span>
            {summary.changes > 0 && <> · {formatCount(summary.changes)} changed by you</>}
            {summary.excluded_clients + summary.excluded_patients > 0 && (
              <> · {formatCount(summary.excluded_clients + summary.excluded_patients)} excluded</>
            )}
          </p>
          <p className={withErrors > 0 ? "error-text" : "muted"} data-testid="errors-sentence">
            {errorsSentence(summary)}
          </p>
          {summary.notices.map((n, i) => (
            <div key={i} className="notice-box" role="alert" data-testid="review-notice" data-code={n.code}>
              <strong>
                {codeLabel(n.code)} in {n.file}.
              </strong>{" "}
              {n.message}
              {n.code === "orphan_link_column" && n.suggestion && (
                <div>
                  <button
                    type="button"
                    className="primary"
                    data-testid="use-link-column"
                    onClick={() => onRemap({ table: n.file, field: n.field as Field, column: n.suggestion })}
                  >
                    Use “{n.suggestion}” as the pet's owner
                  </button>{" "}
                  <span className="muted">You confirm the change on Map columns, then review again.</span>
                </div>
              )}
            </div>
          ))}
          {summary.unattached.length > 0 && (
            <p className="muted">
              Rows that gave no record:{" "}
              {summary.unattached.map((u) => `${formatCount(u.count)} × ${codeLabel(u.code)}`).join(", ")} (listed in findings.csv).
            </p>
          )}
        </div>
        {error && (
          <div className="error-box" role="alert">
            {error}
          </div>
        )}
        <div className="review-body">
          <div className="review-side">
            <div className="entity-tabs" role="tablist" aria-label="Records">
              {(["client", "patient"] as const).map((e) => (
                <button
                  key={e}
                  type="button"
                  role="tab"
                  aria-selected={entity === e}
                  className={entity === e ? "selected" : ""}
                  data-testid={`entity-${e}`}
                  onClick={() => {
                    setEntity(e);
                    setFilter((f) => filterForEntity(f, e, summary.by_code));
                  }}
                >
                  {e === "client" ? `Clients (${formatCount(summary.clients)})` : `Patients (${formatCount(summary.patients)})`}
                </button>
              ))}
            </div>
            <ReviewChart
              byCode={summary.by_code}
              entity={entity}
              selected={filter.code ?? null}
              onSelect={(code) => set({ code: code ?? undefined })}
            />
          </div>
          <div className="review-main">
            <div className="review-filters" role="group" aria-label="Filters">
              <label>
                Code{" "}
                <select
                  value={filter.code ?? ""}
                  onChange={(e) => set({ code: e.target.value || undefined })}
                  data-testid="filter-code"
                >
                  <option value="">any</option>
                  {codes.map((c) => (
                    <option key={c} value={c}>
                      {codeLabel(c)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Severity{" "}
                <select
                  value={filter.severity ?? ""}
                  onChange={(e) => set({ severity: (e.target.value || undefined) as Severity | undefined })}
                  data-testid="filter-severity"
                >
                  <option value="">any</option>
                  <option value="error">error</option>
                  <option value="warning">warning</option>
                  <option value="fixed">fixed</option>
                </select>
              </label>
              <label>
                Field{" "}
                <select
                  value={filter.field ?? ""}
                  onChange={(e) => set({ field: (e.target.value || undefined) as Field | undefined })}
                  data-testid="filter-field"
                >
                  <option value="">any</option>
                  {entityFields.map((f) => (
                    <option key={f} value={f}>
                      {columnName(f)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  checked={filter.only_with_findings}
                  onChange={(e) => set({ only_with_findings: e.target.checked })}
                  data-testid="filter-only-findings"
                />{" "}
                Only records with findings
              </label>
              <button type="button" onClick={() => setFilter({ only_with_findings: false })}>
                Clear filters
              </button>
            </div>
            <ReviewGrid
              key={`${entity}|${JSON.stringify(filter)}`}
              entity={entity}
              filter={filter}
              reloadToken={reloadToken}
              onActive={onActive}
              onEdited={onEdited}
              registerReplace={registerReplace}
              onError={setError}
            />
            <ReviewDetail
              entity={entity}
              row={active.row}
              field={active.field}
              onRowChanged={onRowChanged}
              onBulkChanged={onBulkChanged}
              onError={setError}
            />
          </div>
        </div>
      </div>
      <div className="step-actions">
        {withErrors > 0 && (
          <p className="muted">Records with errors do not block saving: they are written with their findings and not imported.</p>
        )}
        <button type="button" className="primary" onClick={onNext} data-testid="to-save">
          Next: save the files
        </button>
      </div>
    </section>
  );
}
