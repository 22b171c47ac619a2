import type { CodeTally } from "../bindings/CodeTally";
import type { Entity } from "../api";
import { codeLabel } from "../labels";
import { chartBars } from "../review";
import { formatCount } from "../format";

interface Props {
  byCode: CodeTally[];
  entity: Entity;
  /** The code the grid is filtered by, if any. */
  selected: string | null;
  onSelect: (code: string | null) => void;
}

/** Findings by code as bars, so the size of each problem is seen at a glance; a bar filters the grid. */
export function ReviewChart({ byCode, entity, selected, onSelect }: Props) {
  const bars = chartBars(byCode, entity);
  return (
    <section className="review-chart" aria-labelledby="chart-title" data-testid="review-chart">
      <h2 id="chart-title">
        Findings on {entity === "client" ? "clients" : "patients"} <span className="muted">by code</span>
      </h2>
      {selected !== null && !bars.some((b) => b.code === selected) && (
        <button type="button" className="bar-button selected" aria-pressed={true} onClick={() => onSelect(null)} data-cleared-code={selected}>
          <span className="bar-label">
            <span className="bar-code" title={`${selected} in findings.csv`}>
              {codeLabel(selected)}: none left
            </span>
            <span className="bar-count">show all</span>
          </span>
        </button>
      )}
      {bars.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="bars">
          {bars.map((b) => (
            <li key={`${b.code}-${b.severity}`}>
              <button
                type="button"
                className={`bar-button${selected === b.code ? " selected" : ""}`}
                aria-pressed={selected === b.code}
                title={
                  selected === b.code
                    ? "Show every record again"
                    : `Show only records with “${codeLabel(b.code)}” (${b.code} in findings.csv)`
                }
                data-code={b.code}
                onClick={() => onSelect(selected === b.code ? null : b.code)}
              >
                <span className="bar-label">
                  <span className="bar-code">{codeLabel(b.code)}</span>
                  <span className="bar-count">{formatCount(b.count)}</span>
                </span>
                <span className="bar-track" aria-hidden="true">
                  <span className={`bar-fill sev-${b.severity}`} style={{ width: `${b.percent}%` }} />
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
