// Pure helpers about what each table of an import gives, unit-tested without a browser.
import type { TableTally } from "./bindings/TableTally";
import { formatCount } from "./format";

/** Tables that have rows but give no record: a wrong role or a mapping that fills nothing. */
export function emptyTables(tallies: TableTally[]): TableTally[] {
  return tallies.filter(
    (t) => t.rows > 0 && t.clients === 0 && t.patients === 0 && t.left_out === null,
  );
}

/** The warning shown for a table that gives no record. */
export function emptyTableWarning(t: TableTally): string {
  return `${t.table} has ${formatCount(t.rows)} rows but gives no records: check what it holds and its columns on Map columns.`;
}

/** What one table gives, e.g. "Clients sheet: 560 rows → 560 clients". */
export function tallyLine(t: TableTally): string {
  if (t.left_out !== null) return `${t.table}: ${formatCount(t.rows)} rows, ${t.left_out}`;
  const records = [
    t.clients > 0 || t.patients === 0 ? `${formatCount(t.clients)} clients` : null,
    t.patients > 0 ? `${formatCount(t.patients)} patients` : null,
  ].filter((r) => r !== null);
  return `${t.table}: ${formatCount(t.rows)} rows → ${records.join(" and ")}`;
}
