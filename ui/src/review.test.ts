import { describe, expect, it } from "vitest";
import type { ReviewRow } from "./bindings/ReviewRow";
import type { Summary } from "./bindings/Summary";
import {
  filterForEntity,
  CLIENT_FIELDS,
  PATIENT_FIELDS,
  PageCache,
  chartBars,
  columnName,
  columnOf,
  errorsSentence,
  fieldToReveal,
  findingsOn,
  findingsTitle,
  moveCell,
  scrollLeftToShow,
  worstSeverity,
} from "./review";

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
      { field: "client.email", code: "email_domain_typo", severity: "warning", message: "misspelt", value: "a@gmial.com", suggestion: "a@gmail.com", source: "" },
      { field: "client.email", code: "invalid_email", severity: "error", message: "not usable", value: "x", suggestion: "", source: "" },
      { field: null, code: "duplicate_row", severity: "warning", message: "twice", value: "", suggestion: "", source: "" },
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
    notices: [],
    tables: [],
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

describe("columnOf", () => {
  it("counts the file row as column 0", () => {
    expect(columnOf(CLIENT_FIELDS, "client.external_id")).toBe(1);
    expect(columnOf(PATIENT_FIELDS, "patient.weight_kg")).toBe(9);
  });
  it("is null for no field or another entity's field", () => {
    expect(columnOf(CLIENT_FIELDS, undefined)).toBeNull();
    expect(columnOf(CLIENT_FIELDS, "patient.name")).toBeNull();
  });
});

describe("fieldToReveal", () => {
  const orphan: ReviewRow = {
    ...row(1),
    findings: [
      { field: null, code: "duplicate_row", severity: "warning", message: "", value: "", suggestion: "", source: "" },
      { field: "patient.client_external_id", code: "orphan_patient", severity: "error", message: "", value: "P1", suggestion: "", source: "" },
    ],
  };
  it("prefers the filtered field", () => {
    expect(fieldToReveal({ only_with_findings: false, field: "patient.name", code: "orphan_patient" }, orphan)).toBe("patient.name");
  });
  it("else takes the field the filtered code is on in the first record", () => {
    expect(fieldToReveal({ only_with_findings: false, code: "orphan_patient" }, orphan)).toBe("patient.client_external_id");
  });
  it("reveals nothing for a code about whole rows, no code, or no record", () => {
    expect(fieldToReveal({ only_with_findings: false, code: "duplicate_row" }, orphan)).toBeNull();
    expect(fieldToReveal({ only_with_findings: true }, orphan)).toBeNull();
    expect(fieldToReveal({ only_with_findings: false, code: "orphan_patient" }, undefined)).toBeNull();
  });
});

describe("scrollLeftToShow", () => {
  // Frozen columns 200 px wide, a 600 px viewport: columns from 200 to 600 are visible at scroll 0.
  const frozen = 200;
  it("leaves a column that is already in view", () => {
    expect(scrollLeftToShow({ left: 300, width: 150 }, frozen, { scrollLeft: 0, width: 600 })).toBeNull();
  });
  it("scrolls right just enough to show a column past the right edge", () => {
    expect(scrollLeftToShow({ left: 900, width: 150 }, frozen, { scrollLeft: 0, width: 600 })).toBe(450);
  });
  it("scrolls left to put a column hidden under the frozen ones right after them", () => {
    expect(scrollLeftToShow({ left: 350, width: 150 }, frozen, { scrollLeft: 300, width: 600 })).toBe(150);
    expect(scrollLeftToShow({ left: 200, width: 150 }, frozen, { scrollLeft: 100, width: 600 })).toBe(0);
  });
  it("shows the left edge of a column wider than the room", () => {
    expect(scrollLeftToShow({ left: 900, width: 500 }, frozen, { scrollLeft: 0, width: 600 })).toBe(700);
  });
});

describe("filterForEntity", () => {
  const byCode = [
    { code: "invalid_email", severity: "error" as const, clients: 3, patients: 0 },
    { code: "unknown_species", severity: "warning" as const, clients: 0, patients: 2 },
    { code: "missing_name", severity: "error" as const, clients: 1, patients: 4 },
  ];

  it("drops a code the new tab has no finding of, and the other entity's field", () => {
    const f = filterForEntity(
      { code: "invalid_email", field: "client.email", only_with_findings: true },
      "patient",
      byCode,
    );
    expect(f).toEqual({ code: undefined, field: undefined, only_with_findings: true });
  });

  it("keeps a code both tabs have", () => {
    expect(filterForEntity({ code: "missing_name", only_with_findings: false }, "patient", byCode).code).toBe(
      "missing_name",
    );
    expect(filterForEntity({ only_with_findings: false }, "client", byCode).code).toBeUndefined();
  });
});
