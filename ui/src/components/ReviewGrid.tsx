import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { api, errorMessage, type Entity, type Field, type Filter } from "../api";
import type { ReviewRow } from "../bindings/ReviewRow";
import {
  FROZEN_COLUMNS,
  PageCache,
  columnName,
  columnOf,
  fieldToReveal,
  fieldsOf,
  findingsOn,
  findingsTitle,
  isEditable,
  moveCell,
  scrollLeftToShow,
  worstSeverity,
} from "../review";

const ROW_HEIGHT = 30;
const PAGE_SIZE = 200;
/** At most this many pages are held: 8,000 rows, whatever the file's size. */
const MAX_PAGES = 40;
/** Browsers cap an element's height (WebKit near 33 million px): taller lists are scaled. */
const MAX_SCROLL_HEIGHT = 8_000_000;
const OVERSCAN = 6;

/** Scrolls the grid sideways so that a column is wholly in view beside the frozen ones. */
function revealColumn(scroller: HTMLElement | null, head: HTMLElement | null, col: number) {
  if (!scroller || !head || col < FROZEN_COLUMNS) return;
  const cells = Array.from(head.children) as HTMLElement[];
  const target = cells[col];
  if (!target) return;
  const frozenWidth = cells.slice(0, FROZEN_COLUMNS).reduce((sum, c) => sum + c.offsetWidth, 0);
  const left = scrollLeftToShow({ left: target.offsetLeft, width: target.offsetWidth }, frozenWidth, {
    scrollLeft: scroller.scrollLeft,
    width: scroller.clientWidth,
  });
  if (left !== null) scroller.scrollLeft = left;
}

/** Where the grid's keyboard cursor is: a position in the filtered list and a column. */
export interface Cursor {
  row: number;
  col: number;
}

interface Props {
  /** The parent mounts a new grid (by key) for another entity or filter. */
  entity: Entity;
  filter: Filter;
  /** Bumped by the parent when many rows changed (fix applied to similar rows, exclusions). */
  reloadToken: number;
  /** The record and field under the cursor, for the detail panel. */
  onActive: (row: ReviewRow | null, field: Field | null) => void;
  /** A record changed by an inline edit, with its new findings. */
  onEdited: (row: ReviewRow) => void;
  /** Set by the grid so the parent can replace a row after its own edit. */
  registerReplace: (replace: (row: ReviewRow) => void) => void;
  onError: (message: string) => void;
}

/**
 * The canonical records of one entity with their findings, virtualized: only the rows on
 * screen are in the DOM, and only a few pages of rows are held in memory; pages are fetched
 * from the app's core as the user scrolls. Smooth with a million records.
 */
export function ReviewGrid({ entity, filter, reloadToken, onActive, onEdited, registerReplace, onError }: Props) {
  const fields = fieldsOf(entity);
  const scroller = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  const [cache] = useState(() => new PageCache(PAGE_SIZE, MAX_PAGES));
  const [total, setTotal] = useState<number | null>(null);
  const [, setVersion] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);
  // Filtered by a field, the cursor starts on it, so the detail shows that field's findings.
  const [cursor, setCursor] = useState<Cursor>(() => ({ row: 0, col: columnOf(fields, filter.field) ?? 1 }));
  const [editing, setEditing] = useState<{ value: string } | null>(null);
  const generation = useRef(0);
  // A filter brings its column into view once, when its first rows arrive; later reloads
  // leave the person's own scrolling alone.
  const revealed = useRef(false);
  const filterKey = JSON.stringify(filter);

  const fetchPage = useCallback(
    (page: number) => {
      const gen = generation.current;
      cache.fetching(page);
      api.reviewPage(entity, filter, page * PAGE_SIZE, PAGE_SIZE).then(
        (p) => {
          if (gen !== generation.current) return;
          cache.put(page, p.rows);
          setTotal(p.total);
          // Not when nothing matches: "No record matches" must stay in view at the left.
          if (page === 0 && !revealed.current && p.rows.length > 0) {
            revealed.current = true;
            const col = columnOf(fields, fieldToReveal(filter, p.rows[0]));
            if (col !== null) revealColumn(scroller.current, head.current, col);
          }
          setVersion((v) => v + 1);
        },
        (e) => {
          cache.abandon(page);
          if (gen === generation.current) onError(errorMessage(e));
        },
      );
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- filterKey stands for filter
    [cache, entity, fields, filterKey, onError],
  );

  // Many rows changed (a fix applied to similar rows, exclusions): fetch again what is shown.
  // A new entity or filter mounts a new grid (the parent keys it), so this runs once then.
  useEffect(() => {
    generation.current += 1;
    cache.clear();
    fetchPage(0);
  }, [cache, fetchPage, reloadToken]);

  useEffect(() => {
    registerReplace((row) => {
      if (cache.replace(row)) setVersion((v) => v + 1);
    });
  }, [cache, registerReplace]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport(el.clientHeight - (head.current?.offsetHeight ?? 0));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const count = total ?? 0;
  const visibleRows = Math.max(1, Math.ceil(viewport / ROW_HEIGHT));
  const fullHeight = count * ROW_HEIGHT;
  const contentHeight = Math.min(fullHeight, MAX_SCROLL_HEIGHT);
  const maxScroll = Math.max(0, contentHeight - viewport);
  const scrollableRows = Math.max(0, count - viewport / ROW_HEIGHT);
  // The row at the top of the viewport, fractional: exact pixels when the list fits, scaled otherwise.
  const exact = maxScroll > 0 ? (Math.min(scrollTop, maxScroll) / maxScroll) * scrollableRows : 0;
  const first = Math.floor(exact);
  const from = Math.max(0, first - OVERSCAN);
  const to = Math.min(count - 1, first + visibleRows + OVERSCAN);

  useEffect(() => {
    if (total === null) return;
    for (const page of cache.missing(from, to)) fetchPage(page);
  });

  const active = cache.get(cursor.row) ?? null;
  const activeField = cursor.col === 0 ? null : (fields[cursor.col - 1] ?? null);
  useEffect(() => {
    onActive(active, activeField);
  }, [active, activeField, onActive]);

  /** Scrolls so that a row is on screen. */
  const reveal = (row: number) => {
    const el = scroller.current;
    if (!el || count === 0) return;
    const rowTop = scrollableRows > 0 ? (row / scrollableRows) * maxScroll : 0;
    if (row < exact) el.scrollTop = rowTop;
    else if (row > exact + visibleRows - 1.5) {
      const wanted = row - visibleRows + 1.2;
      el.scrollTop = scrollableRows > 0 ? (Math.max(0, wanted) / scrollableRows) * maxScroll : 0;
    }
  };

  const commit = async () => {
    if (!editing || !active || !activeField) return;
    const value = editing.value;
    setEditing(null);
    scroller.current?.focus();
    try {
      const outcome = await api.reviewEdit(entity, active.id, activeField, value);
      cache.replace(outcome.row);
      setVersion((v) => v + 1);
      onEdited(outcome.row);
    } catch (e) {
      onError(errorMessage(e));
    }
  };

  // The latest handlers, for the memoized rows (which must not re-render when they change).
  const latestCommit = useRef(commit);
  useEffect(() => {
    latestCommit.current = commit;
  });
  const [actions] = useState<RowActions>(() => ({
    pick: (index, col, value, edit) => {
      setCursor({ row: index, col });
      if (edit && value !== null) setEditing({ value });
    },
    type: (value) => setEditing({ value }),
    commit: () => void latestCommit.current(),
    cancel: () => {
      setEditing(null);
      scroller.current?.focus();
    },
  }));

  const startEditing = () => {
    if (!active || !activeField || !isEditable(activeField)) return;
    setEditing({ value: active.cells[cursor.col - 1] ?? "" });
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (editing) return;
    if (e.key === "Enter" || e.key === "F2") {
      e.preventDefault();
      startEditing();
      return;
    }
    const next = moveCell(e.key, cursor, count, fields.length + 1, visibleRows - 1);
    if (next) {
      e.preventDefault();
      setCursor(next);
      reveal(next.row);
      revealColumn(scroller.current, head.current, next.col);
    }
  };

  // Widths come from the stylesheet, which also places the frozen columns by them.
  const template = `var(--rownum-width) repeat(${fields.length}, var(--cell-width))`;
  // Rows sit at fixed offsets from a base that moves every 1,000 rows, inside a window moved
  // by a transform: scrolling only moves the window, and rows already shown are not rendered
  // again (they are memoized) — only the rows that come into view are.
  const base = Math.floor(from / 1000) * 1000;
  const windowY = Math.min(scrollTop, maxScroll) - (exact - base) * ROW_HEIGHT;
  const rows = [];
  for (let i = from; i <= to; i++) {
    const isCursorRow = i === cursor.row;
    rows.push(
      <Row
        key={i}
        index={i}
        top={(i - base) * ROW_HEIGHT}
        row={cache.get(i)}
        fields={fields}
        template={template}
        activeCol={isCursorRow ? cursor.col : -1}
        editingValue={isCursorRow && editing ? editing.value : null}
        actions={actions}
      />,
    );
  }

  return (
    <div
      className="grid-scroller review-grid"
      ref={scroller}
      tabIndex={0}
      role="grid"
      aria-label={`${entity === "client" ? "Clients" : "Patients"}: arrow keys move, Enter edits the cell`}
      aria-rowcount={count + 1}
      aria-activedescendant={editing ? undefined : "review-active-cell"}
      data-testid="review-grid"
      data-total={count}
      data-first={first}
      data-rendered-top={Math.round(scrollTop)}
      onKeyDown={onKeyDown}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div className="grid-head" role="row" ref={head} style={{ gridTemplateColumns: template }}>
        <span role="columnheader" className="frozen">
          File row
        </span>
        {fields.map((f, c) => (
          <span role="columnheader" key={f} title={f} className={c === 0 ? "frozen frozen-id" : undefined}>
            {columnName(f)}
          </span>
        ))}
      </div>
      <div role="rowgroup" style={{ height: contentHeight, position: "relative" }}>
        <div className="grid-window" style={{ transform: `translateY(${windowY}px)` }}>
          {rows}
        </div>
      </div>
      {total === 0 && <p className="muted empty-grid">No record matches these filters.</p>}
    </div>
  );
}

/** What a row can ask of the grid; one stable object so rows stay memoized. */
interface RowActions {
  /** Moves the cursor to a cell; with `edit`, opens the editor on `value`. */
  pick: (index: number, col: number, value: string | null, edit: boolean) => void;
  type: (value: string) => void;
  commit: () => void;
  cancel: () => void;
}

interface RowProps {
  index: number;
  top: number;
  row: ReviewRow | undefined;
  fields: Field[];
  template: string;
  /** The cursor's column when the cursor is on this row, else -1. */
  activeCol: number;
  /** The editor's text when a cell of this row is being edited. */
  editingValue: string | null;
  actions: RowActions;
}

const Row = memo(function Row({ index, top, row, fields, template, activeCol, editingValue, actions }: RowProps) {
  const out = row && (row.excluded || row.owner_excluded);
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      className={`grid-row review-row${out ? " excluded" : ""}${activeCol >= 0 ? " active-row" : ""}`}
      data-testid="review-row"
      style={{ gridTemplateColumns: template, transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
    >
      {row ? (
        <>
          <RowHeader row={row} active={activeCol === 0} onPick={() => actions.pick(index, 0, null, false)} />
          {fields.map((field, c) => {
            const isActive = activeCol === c + 1;
            const value = row.cells[c] ?? "";
            if (isActive && editingValue !== null) {
              return (
                <span role="gridcell" key={field} className={`cell active editing${idClass(c)}`}>
                  <input
                    autoFocus
                    aria-label={`New value of ${columnName(field)}`}
                    data-testid="cell-editor"
                    value={editingValue}
                    onFocus={(e) => e.currentTarget.select()}
                    onChange={(e) => actions.type(e.target.value)}
                    onKeyDown={(e) => {
                      if (e.key === "Enter") {
                        e.preventDefault();
                        actions.commit();
                      } else if (e.key === "Escape") {
                        e.preventDefault();
                        actions.cancel();
                      }
                    }}
                    onBlur={() => actions.cancel()}
                  />
                </span>
              );
            }
            const found = findingsOn(row, field);
            const severity = worstSeverity(found);
            const changed = row.changed.includes(field);
            return (
              <span
                role="gridcell"
                key={field}
                id={isActive ? "review-active-cell" : undefined}
                aria-selected={isActive}
                className={`cell${idClass(c)}${severity ? ` sev-${severity}` : ""}${changed ? " changed" : ""}${isActive ? " active" : ""}`}
                data-field={field}
                data-severity={severity ?? undefined}
                title={found.length > 0 ? findingsTitle(found) : value}
                // The second click of a double-click edits (some engines send no dblclick to a re-rendered cell).
                onClick={(e) => actions.pick(index, c + 1, value, e.detail >= 2 && isEditable(field))}
              >
                {value}
              </span>
            );
          })}
        </>
      ) : (
        <span className="loading-cell muted">…</span>
      )}
    </div>
  );
});

function RowHeader({ row, active, onPick }: { row: ReviewRow; active: boolean; onPick: () => void }) {
  const own = findingsOn(row, null);
  const severity = worstSeverity(own);
  return (
    <span
      role="rowheader"
      id={active ? "review-active-cell" : undefined}
      className={`rownum frozen${severity ? ` sev-${severity}` : ""}${active ? " active" : ""}`}
      title={own.length > 0 ? findingsTitle(own) : `${row.file}, row ${row.row}`}
      onClick={onPick}
    >
      {row.excluded || row.owner_excluded ? "⊘ " : ""}
      {row.row}
    </span>
  );
}

/** The record's ID (the first field of both entities) stays in view beside the file row. */
function idClass(fieldIndex: number): string {
  return fieldIndex === 0 ? " frozen frozen-id" : "";
}
