// Pure helpers of the Review problems step, unit-tested without a browser.
import type { CodeTally } from "./bindings/CodeTally";
import type { Entity } from "./bindings/Entity";
import type { Field } from "./bindings/Field";
import type { Filter } from "./bindings/Filter";
import type { ReviewFinding } from "./bindings/ReviewFinding";
import type { ReviewRow } from "./bindings/ReviewRow";
import type { Severity } from "./bindings/Severity";
import type { Summary } from "./bindings/Summary";

/** Column order of each entity's cells: the canonical file's, as the core sends them. */
export const CLIENT_FIELDS: Field[] = [
  "client.external_id",
  "client.first_name",
  "client.last_name",
  "client.email",
  "client.phone",
  "client.phone_alt",
  "client.address_line1",
  "client.address_line2",
  "client.city",
  "client.state",
  "client.postal_code",
  "client.country",
  "client.active",
];

export const PATIENT_FIELDS: Field[] = [
  "patient.external_id",
  "patient.client_external_id",
  "patient.name",
  "patient.species",
  "patient.breed",
  "patient.sex",
  "patient.neutered",
  "patient.date_of_birth",
  "patient.weight_kg",
  "patient.color",
  "patient.microchip",
  "patient.deceased",
];

/** The fields shown as columns for an entity. */
export function fieldsOf(entity: Entity): Field[] {
  return entity === "client" ? CLIENT_FIELDS : PATIENT_FIELDS;
}

/** The column name without its entity, e.g. `email`. */
export function columnName(field: Field): string {
  const i = field.indexOf(".");
  return i < 0 ? field : field.slice(i + 1);
}

/** Grid columns that stay in view when scrolling right: the file row and the record's ID (the
 * first field of both entities; the grid and the stylesheet freeze these two). */
export const FROZEN_COLUMNS = 2;

/** The grid column (0 is the file row) of a field, or null when the entity has no such field. */
export function columnOf(fields: Field[], field: Field | null | undefined): number | null {
  const i = field ? fields.indexOf(field) : -1;
  return i < 0 ? null : i + 1;
}

/**
 * The field whose column a new filter should bring into view: the filtered field, else the
 * field the filtered code is on in the first record shown (e.g. the owner ID for
 * `orphan_patient`), else none.
 */
export function fieldToReveal(filter: Filter, first: ReviewRow | undefined): Field | null {
  if (filter.field) return filter.field;
  if (!filter.code || !first) return null;
  return first.findings.find((f) => f.code === filter.code && f.field !== null)?.field ?? null;
}

/**
 * The horizontal scroll that shows a whole column beside the frozen columns (its left edge
 * when it is wider than the room), or null when it is already in view. Positions in pixels
 * from the grid's left edge.
 */
export function scrollLeftToShow(
  column: { left: number; width: number },
  frozenWidth: number,
  view: { scrollLeft: number; width: number },
): number | null {
  const firstVisible = view.scrollLeft + frozenWidth;
  const lastVisible = view.scrollLeft + view.width;
  const alignLeft = Math.max(0, column.left - frozenWidth);
  if (column.left < firstVisible) return alignLeft;
  if (column.left + column.width > lastVisible) return Math.min(alignLeft, column.left + column.width - view.width);
  return null;
}

/** Whether a person may change the field in review (IDs link records; the core says the same). */
export function isEditable(field: Field): boolean {
  return field !== "client.external_id" && field !== "patient.external_id";
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, fixed: 2 };

/** The worst severity among findings, or null when there are none. */
export function worstSeverity(findings: ReviewFinding[]): Severity | null {
  let worst: Severity | null = null;
  for (const f of findings) if (worst === null || RANK[f.severity] < RANK[worst]) worst = f.severity;
  return worst;
}

/** The findings on one cell (field), or on the row as a whole (field null). */
export function findingsOn(row: ReviewRow, field: Field | null): ReviewFinding[] {
  return row.findings.filter((f) => (f.field ?? null) === field);
}

/** The text shown on hover/focus for a cell's findings. */
export function findingsTitle(findings: ReviewFinding[]): string {
  return findings
    .map((f) => `${f.severity}: ${f.message}${f.suggestion ? ` (suggested: ${f.suggestion})` : ""}`)
    .join("\n");
}

/** One bar of the findings chart. */
export interface Bar {
  code: string;
  severity: Severity;
  count: number;
  /** Width relative to the largest bar, 0–100. */
  percent: number;
}

/** Bars of the chart of findings by code for an entity (or both), largest first. */
export function chartBars(byCode: CodeTally[], entity: Entity | "all"): Bar[] {
  const counted = byCode
    .map((c) => ({
      code: c.code,
      severity: c.severity,
      count: entity === "client" ? c.clients : entity === "patient" ? c.patients : c.clients + c.patients,
    }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count || RANK[a.severity] - RANK[b.severity] || a.code.localeCompare(b.code));
  const max = counted[0]?.count ?? 0;
  return counted.map((c) => ({ ...c, percent: max === 0 ? 0 : Math.max(1, Math.round((c.count / max) * 100)) }));
}

/** The sentence about records that will not be imported because of errors. */
export function errorsSentence(s: Summary): string {
  const n = s.clients_with_errors + s.patients_with_errors;
  if (n === 0) return "No record has an error: every record will be imported.";
  const parts = [];
  if (s.clients_with_errors > 0) parts.push(`${s.clients_with_errors.toLocaleString("en-US")} client${s.clients_with_errors === 1 ? "" : "s"}`);
  if (s.patients_with_errors > 0) parts.push(`${s.patients_with_errors.toLocaleString("en-US")} patient${s.patients_with_errors === 1 ? "" : "s"}`);
  return `${n.toLocaleString("en-US")} record${n === 1 ? "" : "s"} with errors (${parts.join(", ")}) will not be imported until fixed.`;
}

/**
 * Pages of records fetched on demand as the grid scrolls. Keeps at most `maxPages` pages
 * (the least recently used go), so a million-row review never holds all its rows in JS.
 */
export class PageCache {
  private pages = new Map<number, ReviewRow[]>();
  private pending = new Set<number>();

  constructor(
    readonly pageSize: number,
    readonly maxPages: number,
  ) {}

  /** The row at a position, or undefined when its page is not loaded yet. */
  get(index: number): ReviewRow | undefined {
    const page = Math.floor(index / this.pageSize);
    const rows = this.pages.get(page);
    if (!rows) return undefined;
    // Touch: most recently used last.
    this.pages.delete(page);
    this.pages.set(page, rows);
    return rows[index - page * this.pageSize];
  }

  /** The pages covering positions `from`..`to` that are neither loaded nor being fetched. */
  missing(from: number, to: number): number[] {
    const out: number[] = [];
    if (to < from) return out;
    for (let p = Math.floor(from / this.pageSize); p <= Math.floor(to / this.pageSize); p++) {
      if (!this.pages.has(p) && !this.pending.has(p)) out.push(p);
    }
    return out;
  }

  /** Marks a page as being fetched. */
  fetching(page: number): void {
    this.pending.add(page);
  }

  /** Stores a fetched page, dropping the least recently used beyond the limit. */
  put(page: number, rows: ReviewRow[]): void {
    this.pending.delete(page);
    this.pages.delete(page);
    this.pages.set(page, rows);
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value;
      if (oldest === undefined) break;
      this.pages.delete(oldest);
    }
  }

  /** A fetch failed or was superseded: the page may be asked for again. */
  abandon(page: number): void {
    this.pending.delete(page);
  }

  /** Replaces one row wherever it is loaded (after an edit), by id. */
  replace(row: ReviewRow): boolean {
    for (const rows of this.pages.values()) {
      const i = rows.findIndex((r) => r.id === row.id);
      if (i >= 0) {
        rows[i] = row;
        return true;
      }
    }
    return false;
  }

  /** How many rows are held. */
  get size(): number {
    let n = 0;
    for (const rows of this.pages.values()) n += rows.length;
    return n;
  }

  /** Forgets everything (the filter changed, or many rows did). */
  clear(): void {
    this.pages.clear();
    this.pending.clear();
  }
}

/** The next cell position for a navigation key in a grid of `rows` × `cols`, or null. */
export function moveCell(
  key: string,
  at: { row: number; col: number },
  rows: number,
  cols: number,
  pageRows: number,
): { row: number; col: number } | null {
  const clamp = (r: number, c: number) => ({
    row: Math.max(0, Math.min(rows - 1, r)),
    col: Math.max(0, Math.min(cols - 1, c)),
  });
  switch (key) {
    case "ArrowDown":
      return clamp(at.row + 1, at.col);
    case "ArrowUp":
      return clamp(at.row - 1, at.col);
    case "ArrowRight":
      return clamp(at.row, at.col + 1);
    case "ArrowLeft":
      return clamp(at.row, at.col - 1);
    case "PageDown":
      return clamp(at.row + pageRows, at.col);
    case "PageUp":
      return clamp(at.row - pageRows, at.col);
    case "Home":
      return clamp(at.row, 0);
    case "End":
      return clamp(at.row, cols - 1);
    default:
      return null;
  }
}

/** The filter on switching to `entity`'s tab: the field is the other entity's, so it goes; a
 * code the new entity has no finding of goes too, so the tab never opens empty on a filter
 * carried over. */
export function filterForEntity(filter: Filter, entity: Entity, byCode: CodeTally[]): Filter {
  const code = filter.code;
  const keepsCode =
    code === undefined || byCode.some((c) => c.code === code && (entity === "client" ? c.clients : c.patients) > 0);
  return { ...filter, field: undefined, code: keepsCode ? code : undefined };
}
