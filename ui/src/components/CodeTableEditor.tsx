import { useState } from "react";
import type { CodeEntry } from "../bindings/CodeEntry";
import type { CodeTable } from "../bindings/CodeTable";
import {
  entriesToCodes,
  initialPicks,
  isUnknown,
  picksChanged,
  sortedEntries,
  unknownCount,
  type Picks,
} from "../codeTables";

interface Props {
  table: CodeTable;
  /** The mapping's own codes of the field, kept for values the sample does not show. */
  own: CodeEntry[];
  /** Sends the codes to the core; resolves when the mapping is updated. */
  onApply: (codes: CodeEntry[]) => Promise<void>;
}

/** One code column's distinct values, each with a choice of what it means. Unknown values
 * come first and are highlighted; Apply sends the choices to the mapping (and so to a saved
 * profile). */
export function CodeTableEditor({ table, own, onApply }: Props) {
  const [picks, setPicks] = useState<Picks>(() => initialPicks(table));
  const [busy, setBusy] = useState(false);
  // Open while codes are unknown; then as the person leaves it (it stays open after Apply).
  const [open, setOpen] = useState(() => table.entries.some((e) => !e.known));
  // When the mapping's codes change (applied, or a profile chosen), start from them again.
  const signature = table.entries.map((e) => `${e.value}=${e.chosen}`).join("\n");
  const [shown, setShown] = useState(signature);
  if (shown !== signature) {
    setShown(signature);
    setPicks(initialPicks(table));
  }
  const unknown = unknownCount(table, picks);
  const changed = picksChanged(table, picks);

  const apply = async () => {
    setBusy(true);
    try {
      await onApply(entriesToCodes(table, own, picks));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details
      className="codes"
      open={open}
      onToggle={(e) => setOpen(e.currentTarget.open)}
      data-testid="code-table"
      data-column={table.column}
      data-field={table.field}
    >
      <summary>
        Codes of “{table.column}” → {table.field} ({table.entries.length} distinct
        {unknown > 0 ? `, ${unknown} unknown` : ""})
      </summary>
      <p className="muted">
        Counted in the first {table.sampled_rows.toLocaleString()} rows read for the suggestion; the whole file
        may hold more values.
        {unknown > 0 && " Rows with an unknown value are reported and left empty: choose what each means."}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Value in the file</th>
            <th scope="col">Rows</th>
            <th scope="col">Means</th>
          </tr>
        </thead>
        <tbody>
          {sortedEntries(table).map((e) => (
            <tr key={e.value} className={isUnknown(e, picks) ? "unknown" : undefined} data-value={e.value}>
              <td>{e.value}</td>
              <td>{e.count.toLocaleString()}</td>
              <td>
                <select
                  aria-label={`Meaning of “${e.value}” in ${table.column}`}
                  value={picks[e.value] ?? ""}
                  onChange={(ev) => setPicks({ ...picks, [e.value]: ev.target.value })}
                >
                  <option value="">{e.builtin ? `${e.builtin} (built-in)` : "unknown — will be reported"}</option>
                  {table.choices.map((c) => (
                    <option key={c.value} value={c.value}>
                      {c.label}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button
          type="button"
          className="primary"
          disabled={!changed || busy}
          onClick={() => void apply()}
          data-testid="apply-codes"
        >
          Apply codes
        </button>{" "}
        {changed && <small className="muted">Not applied yet.</small>}
      </p>
    </details>
  );
}
