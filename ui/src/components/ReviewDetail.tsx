import { useEffect, useState } from "react";
import { api, errorMessage, type Entity, type Field } from "../api";
import type { ReviewFinding } from "../bindings/ReviewFinding";
import type { ReviewRow } from "../bindings/ReviewRow";
import { columnName, fieldsOf, findingsOn, isEditable } from "../review";
import { formatCount } from "../format";
import { codeLabel } from "../labels";

interface Props {
  entity: Entity;
  row: ReviewRow | null;
  field: Field | null;
  /** After a change to one record (its new version). */
  onRowChanged: (row: ReviewRow) => void;
  /** After a change to many records: the grid reloads. */
  onBulkChanged: () => void;
  onError: (message: string) => void;
}

/** The record under the cursor: where it came from, its findings, and the fixes on offer. */
export function ReviewDetail({ entity, row, field, onRowChanged, onBulkChanged, onError }: Props) {
  if (!row) return <aside className="review-detail muted">Select a cell to see its findings.</aside>;
  const cellFindings = field ? findingsOn(row, field) : [];
  const rowFindings = findingsOn(row, null);
  const value = field ? (row.cells[fieldsOf(entity).indexOf(field)] ?? "") : "";
  const excluded = row.excluded;

  const setExcluded = async (out: boolean) => {
    try {
      await api.reviewExclude(entity, [row.id], out);
      onBulkChanged();
    } catch (e) {
      onError(errorMessage(e));
    }
  };

  return (
    <aside className="review-detail" aria-live="polite" data-testid="review-detail">
      <p className="where">
        <strong>{row.file}</strong>, row <strong>{row.row}</strong>
        {field && (
          <>
            {" "}
            · <code>{columnName(field)}</code> = “{value}”
            {row.changed.includes(field) && <span className="badge changed-badge">changed</span>}
          </>
        )}
      </p>
      {row.owner_excluded && <p className="muted">Left out with its owner.</p>}
      {cellFindings.length === 0 && rowFindings.length === 0 && <p className="muted">No finding here.</p>}
      <ul className="detail-findings">
        {[...cellFindings, ...rowFindings].map((f, i) => (
          <FindingItem
            key={`${f.code}-${i}`}
            finding={f}
            entity={entity}
            row={row}
            onRowChanged={onRowChanged}
            onBulkChanged={onBulkChanged}
            onError={onError}
          />
        ))}
      </ul>
      <div className="detail-actions">
        {excluded ? (
          <button type="button" onClick={() => void setExcluded(false)} data-testid="include-row">
            Include this {entity} again
          </button>
        ) : (
          <button type="button" onClick={() => void setExcluded(true)} data-testid="exclude-row">
            Exclude this {entity}
            {entity === "client" ? " and its pets" : ""}
          </button>
        )}
        {field && isEditable(field) && <span className="muted">Enter or double-click edits the cell.</span>}
      </div>
    </aside>
  );
}

interface ItemProps {
  finding: ReviewFinding;
  entity: Entity;
  row: ReviewRow;
  onRowChanged: (row: ReviewRow) => void;
  onBulkChanged: () => void;
  onError: (message: string) => void;
}

function FindingItem({ finding, entity, row, onRowChanged, onBulkChanged, onError }: ItemProps) {
  const field = finding.field;
  const [similar, setSimilar] = useState<number | null>(null);
  const [replacement, setReplacement] = useState("");
  const canFix = field !== null && isEditable(field) && finding.severity !== "fixed";

  useEffect(() => {
    let alive = true;
    if (!canFix || field === null) return;
    api.reviewSimilarCount(finding.code, field, finding.value).then(
      (n) => alive && setSimilar(n),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [canFix, field, finding.code, finding.value]);

  const acceptSuggestion = async () => {
    if (field === null) return;
    try {
      const outcome = await api.reviewEdit(entity, row.id, field, finding.suggestion);
      onRowChanged(outcome.row);
    } catch (e) {
      onError(errorMessage(e));
    }
  };

  const applyToSimilar = async (value: string | null) => {
    if (field === null) return;
    try {
      await api.reviewApplySimilar(finding.code, field, finding.value, value);
      onBulkChanged();
    } catch (e) {
      onError(errorMessage(e));
    }
  };

  return (
    <li className={`detail-finding sev-${finding.severity}`}>
      <div>
        <span className={`sev-tag sev-${finding.severity}`}>{finding.severity}</span>{" "}
        <strong className="finding-label" title={`${finding.code} in findings.csv`} data-code={finding.code}>
          {codeLabel(finding.code)}
        </strong>
        {field && <span className="muted"> on {columnName(field)}</span>}
      </div>
      <p>{finding.message}</p>
      {(finding.value || finding.source) && (
        <p className="muted" data-testid="finding-value">
          {finding.source ? (
            <>
              In the file: “{finding.source}”{finding.value && <>, read as “{finding.value}”</>}
            </>
          ) : (
            <>Value: “{finding.value}”</>
          )}
          {finding.suggestion && <> → suggested “{finding.suggestion}”</>}
        </p>
      )}
      {canFix && (
        <div className="fix-actions">
          {finding.suggestion && (
            <button type="button" onClick={() => void acceptSuggestion()} data-testid="use-suggestion">
              Use “{finding.suggestion}”
            </button>
          )}
          {finding.suggestion && similar !== null && similar > 1 && (
            <button type="button" onClick={() => void applyToSimilar(null)} data-testid="apply-similar">
              Apply this fix to {formatCount(similar)} similar rows
            </button>
          )}
          {!finding.suggestion && similar !== null && similar > 1 && (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (replacement.trim()) void applyToSimilar(replacement.trim());
              }}
            >
              <input
                aria-label={`Value for every record with “${finding.value}”`}
                placeholder="Replace with…"
                value={replacement}
                onChange={(e) => setReplacement(e.target.value)}
                data-testid="similar-value"
              />
              <button type="submit" disabled={!replacement.trim()} data-testid="apply-similar-value">
                Set on {formatCount(similar)} similar rows
              </button>
            </form>
          )}
        </div>
      )}
    </li>
  );
}
