// The Map step's code-table editor, as pure functions: which rows come first, what a
// person's picks send to `set_codes`, and how many codes are still unknown.
import type { CodeEntry } from "./bindings/CodeEntry";
import type { CodeTable } from "./bindings/CodeTable";
import type { CodeTableEntry } from "./bindings/CodeTableEntry";
import type { Transform } from "./bindings/Transform";

/** What a person picked per source value: a choice's value, or "" for none. */
export type Picks = Record<string, string>;

/** The lookup key of a code, as the core matches codes: lowercase letters and digits only. */
export function codeKey(code: string): string {
  return Array.from(code.toLowerCase())
    .filter((c) => /[\p{L}\p{N}]/u.test(c))
    .join("");
}

/** The mapping's own codes of a transform (none for transforms without codes). */
export function codesOf(transform: Transform | undefined): CodeEntry[] {
  if (!transform) return [];
  return transform.kind === "species" || transform.kind === "sex" || transform.kind === "bool" ? transform.codes : [];
}

/** Rows to show: unknown values first, then the rest; most frequent first within each. */
export function sortedEntries(table: CodeTable): CodeTableEntry[] {
  return [...table.entries].sort((a, b) => Number(a.known) - Number(b.known) || b.count - a.count);
}

/** The picks the table starts with: each value's own code in the mapping. */
export function initialPicks(table: CodeTable): Picks {
  return Object.fromEntries(table.entries.map((e) => [e.value, e.chosen]));
}

/** Whether a value still reads as nothing with these picks (no pick, and the built-in table
 * does not know it): its rows will be reported. */
export function isUnknown(entry: CodeTableEntry, picks: Picks): boolean {
  return !(picks[entry.value] ?? "") && !entry.builtin;
}

/** How many values of the table still read as nothing with these picks. */
export function unknownCount(table: CodeTable, picks: Picks): number {
  return table.entries.filter((e) => isUnknown(e, picks)).length;
}

/** Whether the picks differ from the mapping's codes. */
export function picksChanged(table: CodeTable, picks: Picks): boolean {
  return table.entries.some((e) => (picks[e.value] ?? "") !== e.chosen);
}

/** The codes to send: every pick, and the mapping's own codes for values the sample did not
 * show (a profile may know codes of rows beyond the sample), which the editor cannot list. */
export function entriesToCodes(table: CodeTable, own: CodeEntry[], picks: Picks): CodeEntry[] {
  const shown = new Set(table.entries.map((e) => codeKey(e.value)));
  const unseen = own.filter((c) => c.value && !shown.has(codeKey(c.code)));
  const picked = table.entries
    .filter((e) => picks[e.value])
    .map((e) => ({ code: e.value, value: picks[e.value] ?? "" }));
  return [...unseen, ...picked];
}

/** A choice's words for people, or the value itself when the table has no such choice. */
export function choiceLabel(table: CodeTable, value: string): string {
  return table.choices.find((c) => c.value === value)?.label ?? value;
}
