import { describe, expect, it } from "vitest";
import type { ReviewRow } from "./bindings/ReviewRow";
import type { Summary } from "./bindings/Summary";
import { PageCache, chartBars, columnName, errorsSentence, findingsOn, findingsTitle, moveCell, worstSeverity } from "./review";

const row = (id: number): ReviewRow => ({
  id,
  file: "a.csv",
  row: id + 2,
  excluded: false,
  owner_excluded: false,
  changed: [],
  cells: [`C${id}`],
  findings: [],
});

describe("PageCache", () => {
  it("serves loaded rows, lists missing pages once, and forgets the least recently used", () => {
    const cache = new PageCache(10, 2);
    expect(cache.missing(0, 25)).toEqual([0, 1, 2]);
    cache.fetching(0);
    expect(cache.missing(0, 25)).toEqual([1, 2]);
    cache.put(0, Array.from({ length: 10 }, (_, i) => row(i)));
    cache.put(1, Array.from({ length: 10 }, (_, i) => row(10 + i)));
    expect(cache.get(13)?.id).toBe(13);
    cache.get(3); // page 0 is now the most recently used
    cache.put(2, [row(20)]);
    expect(cache.get(13)).toBeUndefined();
    expect(cache.get(3)?.id).toBe(3);
    expect(cache.size).toBe(11);
    expect(cache.replace({ ...row(20), cells: ["changed"] })).toBe(true);
    expect(cache.get(20)?.cells).toEqual(["changed"]);
    expect(cache.replace(row(99))).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it("lets an abandoned page be fetched again", () => {
    const cache = new PageCache(100, 4);
    cache.fetching(3);
    expect(cache.missing(300, 399)).toEqual([]);
    cache.abandon(3);
    expect(cache.missing(300, 399)).toEqual([3]);
  });
});

describe("findings", () => {
  const r: ReviewRow = {
    ...row(1),
    findings: [
      { field: "client.email", code: "email_domain_typo", severity: "warning", message: "misspelt", value: "a@gmial.com", suggestion: "a@gmail.com" },
      { field: "client.email", code: "invalid_email", severity: "error", message: "not usable", value: "x", suggestion: "" },
      { field: null, code: "duplicate_row", severity: "warning", message: "twice", value: "", suggestion: "" },
    ],
  };

  it("puts each finding on its cell and picks the worst severity", () => {
    expect(findingsOn(r, "client.email").map((f) => f.code)).toEqual(["email_domain_typo", "invalid_email"]);
    expect(findingsOn(r, null).map((f) => f.code)).toEqual(["duplicate_row"]);
    expect(worstSeverity(findingsOn(r, "client.email"))).toBe("error");
    expect(worstSeverity([])).toBeNull();
    expect(findingsTitle(findingsOn(r, "client.email"))).toBe(
      "warning: misspelt (suggested: a@gmail.com)\nerror: not usable",
    );
    expect(columnName("patient.date_of_birth")).toBe("date_of_birth");
  });
});

describe("chartBars", () => {
  it("sizes bars against the largest, for one entity or both", () => {
    const byCode = [
      { code: "invalid_email", severity: "error" as const, clients: 5, patients: 0 },
      { code: "unknown_species", severity: "error" as const, clients: 0, patients: 20 },
      { code: "name_normalized", severity: "fixed" as const, clients: 1000, patients: 0 },
    ];
    const all = chartBars(byCode, "all");
    expect(all.map((b) => [b.code, b.count, b.percent])).toEqual([
      ["name_normalized", 1000, 100],
      ["unknown_species", 20, 2],
      ["invalid_email", 5, 1],
    ]);
    expect(chartBars(byCode, "patient").map((b) => b.code)).toEqual(["unknown_species"]);
  });
});

describe("errorsSentence", () => {
  const base: Summary = {
    clients: 10,
    patients: 12,
    excluded_clients: 0,
    excluded_patients: 0,
    clients_with_errors: 0,
    patients_with_errors: 0,
    errors: 0,
    warnings: 0,
    fixed: 0,
    by_code: [],
    by_field: [],
    unattached: [],
    changes: 0,
  };
  it("counts the records that will not be imported", () => {
    expect(errorsSentence(base)).toMatch(/every record will be imported/);
    expect(errorsSentence({ ...base, clients_with_errors: 1, patients_with_errors: 1200 })).toBe(
      "1,201 records with errors (1 client, 1,200 patients) will not be imported until fixed.",
    );
  });
});

describe("moveCell", () => {
  it("moves within the grid and stops at its edges", () => {
    expect(moveCell("ArrowDown", { row: 0, col: 0 }, 3, 4, 10)).toEqual({ row: 1, col: 0 });
    expect(moveCell("ArrowUp", { row: 0, col: 2 }, 3, 4, 10)).toEqual({ row: 0, col: 2 });
    expect(moveCell("PageDown", { row: 0, col: 1 }, 3, 4, 10)).toEqual({ row: 2, col: 1 });
    expect(moveCell("End", { row: 1, col: 0 }, 3, 4, 10)).toEqual({ row: 1, col: 3 });
    expect(moveCell("a", { row: 1, col: 0 }, 3, 4, 10)).toBeNull();
  });
});
