import { useEffect, useMemo, useRef, useState } from "react";
import { api, errorMessage, type Field, type FieldInfo, type ImportSettings, type ReadRequest, type Resolved } from "../api";
import type { CodeEntry } from "../bindings/CodeEntry";
import type { DateOrder } from "../bindings/DateOrder";
import type { FieldMapping } from "../bindings/FieldMapping";
import type { TableMapping } from "../bindings/TableMapping";
import type { TableReport } from "../bindings/TableReport";
import type { TableRole } from "../bindings/TableRole";
import { codesOf } from "../codeTables";
import { describeRole, describeTransform, percentOf } from "../describe";
import { detectedSettings, settingsToApply, type DetectedSettings } from "../settings";
import { CodeTableEditor } from "./CodeTableEditor";
import { ProfileBar } from "./ProfileBar";
import type { ProposedRemap } from "./ReviewStep";
import { SettingsPanel } from "./SettingsPanel";

const ROLES: TableRole[] = ["combined", "clients", "patients"];

interface Props {
  files: ReadRequest[];
  /** A change proposed by a finding of the review, made once the mapping is loaded. */
  proposed?: ProposedRemap | null;
  /** The proposed change was made (or could not be: the table is gone). */
  onProposedDone?: () => void;
  /** The import's settings (country, e-mail, weight unit, roles…), owned by the app. */
  settings: ImportSettings;
  onSettings: (next: ImportSettings) => void;
  /** Goes on to review the problems of the conversion with this mapping. */
  onNext: (mapping: Resolved["mapping"]) => void;
}

/** Every canonical field with its suggested column, confidence and transform; each changeable.
 * Mounted anew (by key) when the files change, so one mount runs one suggestion. */
export function MappingStep({ files, settings, onSettings, onNext, proposed, onProposedDone }: Props) {
  const [fields, setFields] = useState<FieldInfo[]>([]);
  const [resolved, setResolved] = useState<Resolved | null>(null);
  // What the first suggestion said about each setting, shown beside the person's choice.
  const [detected, setDetected] = useState<DetectedSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const emailRequired = settings.email_required;

  useEffect(() => {
    let alive = true;
    api.canonicalFields({ ...settings, email_required: emailRequired }).then(
      (f) => alive && setFields(f),
      () => undefined,
    );
    return () => {
      alive = false;
    };
    // Only the e-mail setting changes which fields are required.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [emailRequired]);

  useEffect(() => {
    let alive = true;
    api.suggestMapping(files, settings).then(
      (r) => {
        if (!alive) return;
        setResolved(r);
        setDetected(detectedSettings(r));
      },
      (e) => alive && setError(errorMessage(e)),
    );
    return () => {
      alive = false;
    };
    // One mount, one suggestion (see the doc comment): `files` is a new array at every render
    // of the app, and later settings are applied to the mapping, not suggested again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  /** A person changes a setting: it is applied to the mapping at once, keeping their edits. */
  const changeSettings = async (next: ImportSettings) => {
    onSettings(next);
    if (!resolved || !detected) return;
    try {
      setResolved(await api.applySettings(resolved, settingsToApply(settings, next, detected)));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  /** A person says (and has confirmed) what a table holds: that table is mapped again for it;
   * every other table keeps the person's choices. */
  const setRole = async (table: number, role: TableRole) => {
    if (!resolved) return;
    const label = resolved.mapping.tables[table]?.table;
    if (label === undefined) return;
    // The roles are settings too (the CLI's --role), so a later suggestion keeps them.
    const roles: Record<string, TableRole> = Object.fromEntries(
      resolved.mapping.tables.map((t) => [t.table, t.role]),
    );
    roles[label] = role;
    const next = { ...settings, roles };
    onSettings(next);
    try {
      setResolved(await api.setTableRole(resolved, table, role, next));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const remap = async (table: number, field: Field, column: string | null) => {
    if (!resolved) return;
    try {
      setResolved(await api.remapField(resolved, table, field, column, settings));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  // A change proposed by the review (e.g. the column that links pets to owners): made
  // here, where the person sees it and confirms the mapping again. The review proposes
  // only for tables of this mapping.
  useEffect(() => {
    if (!proposed || !resolved) return;
    onProposedDone?.();
    const table = resolved.mapping.tables.findIndex((t) => t.table === proposed.table);
    if (table < 0) return;
    api.remapField(resolved, table, proposed.field, proposed.column, settings).then(
      (r) => {
        setResolved(r);
        setError(null);
      },
      (e) => setError(errorMessage(e)),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs once per proposal
  }, [proposed, resolved !== null]);

  /** A person set what a code column's values mean in its code table. */
  const setCodes = async (table: number, column: string, field: Field, codes: CodeEntry[]) => {
    if (!resolved) return;
    try {
      setResolved(await api.setCodes(resolved, table, column, field, codes));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const edit = (table: number, field: Field, change: (m: FieldMapping) => FieldMapping) => {
    setResolved((r) => {
      if (!r) return r;
      const tables = r.mapping.tables.map((t, i) =>
        i === table ? { ...t, fields: t.fields.map((m) => (m.field === field ? change(m) : m)) } : t,
      );
      return { ...r, mapping: { ...r.mapping, tables } };
    });
  };

  if (error && !resolved)
    return (
      <section className="step-page">
        <div className="step-body">
          <div className="error-box" role="alert">
            <strong>The files could not be mapped.</strong>
            <p>{error}</p>
          </div>
        </div>
      </section>
    );
  if (!resolved)
    return (
      <section className="step-page">
        <p className="step-body muted">Suggesting a mapping…</p>
      </section>
    );

  const toConfirm = resolved.mapping.tables.flatMap((t) => t.fields).filter((f) => f.needs_confirmation).length;
  const missing = resolved.tables.flatMap((t) => t.missing_required);
  const blocked =
    missing.length > 0
      ? "Required fields are not mapped."
      : toConfirm > 0
        ? `Confirm the ${toConfirm} highlighted suggestion(s) first.`
        : null;

  return (
    <section className="step-page mapping-step" aria-labelledby="mapping-title" data-testid="mapping">
      <div className="step-body">
        <h1 id="mapping-title">Map columns</h1>
        <p className="origin" data-testid="mapping-origin">
          {resolved.origin.kind === "profile"
            ? `Using the profile “${resolved.origin.name}”${resolved.origin.recognized ? ", recognized from the column names" : ""}.`
            : "Suggested automatically from the column names and their values."}{" "}
          {toConfirm > 0 ? `${toConfirm} suggestion(s) need your confirmation.` : "Nothing needs confirming."}
        </p>
        <p className={resolved.country.needs_confirmation ? "country needs-confirm" : "country"} data-testid="mapping-country">
          Country: {resolved.country.code} ({resolved.country.reasons.join("; ")})
          {resolved.country.needs_confirmation ? " — please confirm." : ""}
        </p>
        {detected && (
          <SettingsPanel settings={settings} detected={detected} onChange={(next) => void changeSettings(next)} />
        )}
        <ProfileBar files={files} settings={settings} resolved={resolved} onResolved={setResolved} />
        {error && (
          <div className="error-box" role="alert">
            <p>{error}</p>
          </div>
        )}
        {resolved.mapping.tables.map((table, i) => {
          const report = resolved.tables[i];
          if (!report) return null;
          return (
            <TableSection
              key={table.table}
              table={table}
              report={report}
              fields={fields}
              onRemap={(field, column) => void remap(i, field, column)}
              onRole={(role) => void setRole(i, role)}
              onCodes={(column, field, codes) => setCodes(i, column, field, codes)}
              onConfirm={(field) => edit(i, field, (m) => ({ ...m, needs_confirmation: false }))}
              onDateOrder={(field, order) =>
                edit(i, field, (m) =>
                  m.transform.kind === "date"
                    ? { ...m, transform: { ...m.transform, order }, needs_confirmation: false }
                    : m,
                )
              }
            />
          );
        })}
      </div>
      <div className="step-actions">
        {missing.length > 0 && (
          <p className="error-text" data-testid="missing-required">
            Map a column to every required field first: {Array.from(new Set(missing)).join(", ")}.
          </p>
        )}
        {blocked && missing.length === 0 && <p className="error-text">{blocked}</p>}
        <button
          type="button"
          className="primary"
          disabled={blocked !== null}
          onClick={() => onNext(resolved.mapping)}
          data-testid="to-review"
        >
          Next: review problems
        </button>
      </div>
    </section>
  );
}

interface TableProps {
  table: TableMapping;
  report: TableReport;
  fields: FieldInfo[];
  onRemap: (field: Field, column: string | null) => void;
  onConfirm: (field: Field) => void;
  onDateOrder: (field: Field, order: DateOrder) => void;
  onRole: (role: TableRole) => void;
  onCodes: (column: string, field: Field, codes: CodeEntry[]) => Promise<void>;
}

function TableSection({ table, report, fields, onRemap, onConfirm, onDateOrder, onRole, onCodes }: TableProps) {
  const shown = useMemo(
    () =>
      fields.filter((f) =>
        table.role === "combined" ? true : table.role === "clients" ? f.entity === "client" : f.entity === "patient",
      ),
    [fields, table.role],
  );
  // A role chosen in the list waits for the person's confirmation: it maps this table anew.
  const [pendingRole, setPendingRole] = useState<TableRole | null>(null);
  const confirmBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (pendingRole) confirmBox.current?.scrollIntoView({ block: "nearest" });
  }, [pendingRole]);
  const samples = new Map(report.columns.map((c) => [c.column, c.samples]));
  const unmapped = report.columns.filter((c) => c.fields.length === 0);

  return (
    <div className="mapping-table">
      <h2>
        {table.table}
      </h2>
      <label className="table-role">
        This file holds{" "}
        <select
          value={pendingRole ?? table.role}
          onChange={(e) => {
            const role = e.target.value as TableRole;
            setPendingRole(role === table.role ? null : role);
          }}
          data-testid="table-role"
          aria-label={`What ${table.table} holds`}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {describeRole(r)}
            </option>
          ))}
        </select>
      </label>
      {pendingRole && (
        <div
          ref={confirmBox}
          className="confirm-role"
          role="alertdialog"
          aria-label="Confirm what this table holds"
          data-testid="confirm-role"
        >
          <p>
            Map <strong>{table.table}</strong> as {describeRole(pendingRole)}? Its columns are mapped again for that;
            your choices on the other tables are kept.
          </p>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setPendingRole(null);
              onRole(pendingRole);
            }}
            data-testid="confirm-role-yes"
          >
            Map it as {describeRole(pendingRole)}
          </button>{" "}
          <button type="button" onClick={() => setPendingRole(null)} data-testid="confirm-role-no">
            Keep {describeRole(table.role)}
          </button>
        </div>
      )}
      {report.missing_required.length > 0 && (
        <div className="error-box" role="alert">
          No column fills these required fields: <strong>{report.missing_required.join(", ")}</strong>. Choose a
          column for each below.
        </div>
      )}
      <table className="fields">
        <thead>
          <tr>
            <th scope="col">PH field</th>
            <th scope="col">Source column</th>
            <th scope="col">How</th>
            <th scope="col">Confidence</th>
            <th scope="col">Sample values</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((info) => {
            const m = table.fields.find((f) => f.field === info.field);
            const column = m?.columns[0] ?? "";
            const date = m?.transform.kind === "date" ? report.dates.find((d) => d.column === column) : undefined;
            return (
              <tr key={info.field} className={m?.needs_confirmation ? "needs-confirm" : undefined} data-field={info.field}>
                <th scope="row" title={info.description}>
                  {info.field}
                  {info.required && (
                    <span className="required" title="Required by PH">
                      *
                    </span>
                  )}
                </th>
                <td>
                  <select
                    aria-label={`Source column for ${info.field}`}
                    value={column}
                    onChange={(e) => onRemap(info.field, e.target.value || null)}
                  >
                    <option value="">— not mapped —</option>
                    {report.columns.map((c) => (
                      <option key={c.column} value={c.column}>
                        {c.column}
                      </option>
                    ))}
                  </select>
                  {m && m.columns.length > 1 && <small className="why"> + {m.columns.slice(1).join(" + ")}</small>}
                </td>
                <td>
                  {m ? describeTransform(m.transform) : ""}
                  {date && (
                    <div className={date.detection.ambiguous ? "date-choice ambiguous" : "date-choice"}>
                      <small className="why">{date.detection.evidence}</small>
                      {m?.transform.kind === "date" && date.detection.ambiguous && (
                        <select
                          aria-label={`Date order of ${column}`}
                          value={m.needs_confirmation ? "" : m.transform.order}
                          onChange={(e) => e.target.value && onDateOrder(info.field, e.target.value as DateOrder)}
                        >
                          <option value="">Which order? (must choose)</option>
                          <option value="mdy">month/day/year (US)</option>
                          <option value="dmy">day/month/year</option>
                        </select>
                      )}
                    </div>
                  )}
                </td>
                <td>
                  {m && (
                    <span title={m.reasons.join("\n")}>
                      {percentOf(m.confidence)}{" "}
                      {m.needs_confirmation && !date?.detection.ambiguous && (
                        <button type="button" className="confirm" onClick={() => onConfirm(info.field)}>
                          Confirm
                        </button>
                      )}
                    </span>
                  )}
                </td>
                <td className="samples">{(samples.get(column) ?? []).slice(0, 3).join(" · ")}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {report.code_tables.map((ct) => (
        <CodeTableEditor
          key={`${ct.field}-${ct.column}`}
          table={ct}
          own={codesOf(table.fields.find((m) => m.field === ct.field && m.columns[0] === ct.column)?.transform)}
          onApply={(codes) => onCodes(ct.column, ct.field, codes)}
        />
      ))}
      {unmapped.length > 0 && (
        <details className="unmapped" data-testid="unmapped-columns">
          <summary>
            {unmapped.length} column{unmapped.length === 1 ? "" : "s"} not imported
          </summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Why</th>
                <th scope="col">Sample values</th>
              </tr>
            </thead>
            <tbody>
              {unmapped.map((c) => (
                <tr key={c.column} data-column={c.column}>
                  <th scope="row">{c.column}</th>
                  <td>{c.ignored_reason ?? "not mapped to any field"}</td>
                  <td className="samples">{c.samples.slice(0, 3).join(" · ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
