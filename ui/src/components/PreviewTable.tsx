import { useRef } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { Inspection } from "../api";

const ROW_HEIGHT = 30;

/** The first rows of a file exactly as decoded, with each column's inferred kind. */
export function PreviewTable({ inspection }: { inspection: Inspection }) {
  const scroller = useRef<HTMLDivElement>(null);
  const rows = inspection.preview;
  // eslint-disable-next-line react-hooks/incompatible-library -- used as TanStack documents; React Compiler only skips memoizing this component
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  // Fixed widths keep every row's cells under their header; long values are cut with "…" and shown in full on hover.
  const template = `5rem repeat(${inspection.columns.length}, 11rem)`;

  return (
    <div className="preview" data-testid="preview">
      <h2>
        Preview <span className="muted">first {rows.length} rows</span>
      </h2>
      <div className="grid-scroller" ref={scroller} tabIndex={0} aria-label="Preview of the file's rows">
        <div className="grid-head" role="row" style={{ gridTemplateColumns: template }}>
          <span role="columnheader" className="rownum">
            Row
          </span>
          {inspection.columns.map((c) => (
            <span role="columnheader" key={c.index} title={`${c.name} — looks like ${c.kind}`}>
              {c.name}
              <small className={`kind kind-${c.kind}`}>{c.kind}</small>
            </span>
          ))}
        </div>
        <div role="rowgroup" style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {virtual.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <div
                role="row"
                key={item.key}
                className="grid-row"
                data-testid="preview-row"
                style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                <span className="rownum">{row.number}</span>
                {inspection.columns.map((c) => (
                  <span role="cell" key={c.index} title={row.cells[c.index] ?? ""}>
                    {row.cells[c.index] ?? ""}
                  </span>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
