import { describe, expect, it } from "vitest";
import type { CodeTable } from "./bindings/CodeTable";
import type { CodeTableEntry } from "./bindings/CodeTableEntry";
import {
  choiceLabel,
  codeKey,
  codesOf,
  entriesToCodes,
  initialPicks,
  isUnknown,
  picksChanged,
  sortedEntries,
  unknownCount,
} from "./codeTables";

function entry(value: string, count: number, known: string, chosen = "", builtin = known): CodeTableEntry {
  return { value, count, maps_to: known, known: known !== "", chosen, builtin };
}

/** A status column as suggested: D known by the built-in words, H/ND/NA not. */
const status: CodeTable = {
  field: "patient.deceased",
  column: "Status",
  entries: [entry("H", 12, ""), entry("ND", 8, ""), entry("D", 2, "Deceased"), entry("NA", 2, "")],
  choices: [
    { value: "true", label: "Deceased" },
    { value: "false", label: "Alive" },
  ],
  sampled_rows: 24,
};

describe("sortedEntries", () => {
  it("puts unknown values first, most frequent first within each group", () => {
    expect(sortedEntries(status).map((e) => e.value)).toEqual(["H", "ND", "NA", "D"]);
  });
});

describe("unknownCount and isUnknown", () => {
  it("counts values with no pick the built-in table does not know", () => {
    const picks = initialPicks(status);
    expect(unknownCount(status, picks)).toBe(3);
    expect(unknownCount(status, { ...picks, H: "false", ND: "false" })).toBe(1);
    expect(unknownCount(status, { H: "false", ND: "false", NA: "false", D: "" })).toBe(0);
  });
  it("falls back to the built-in reading when a pick is removed", () => {
    const d = status.entries[2];
    const h = status.entries[0];
    if (!d || !h) throw new Error("fixture");
    expect(isUnknown(d, { D: "" })).toBe(false);
    expect(isUnknown(h, { H: "" })).toBe(true);
  });
});

describe("entriesToCodes", () => {
  it("sends every pick, and none for values left to the built-in reading", () => {
    const picks = { H: "false", ND: "false", NA: "false", D: "true" };
    expect(entriesToCodes(status, [], picks)).toEqual([
      { code: "H", value: "false" },
      { code: "ND", value: "false" },
      { code: "D", value: "true" },
      { code: "NA", value: "false" },
    ]);
    expect(entriesToCodes(status, [], { H: "false", D: "" })).toEqual([{ code: "H", value: "false" }]);
  });
  it("keeps the mapping's own codes of values the sample did not show", () => {
    const own = [
      { code: "h", value: "true" }, // shown as "H": the pick decides
      { code: "X-1", value: "false" }, // not in the sample: kept
      { code: "Q", value: "" }, // undecided: nothing to keep
    ];
    expect(entriesToCodes(status, own, { H: "false" })).toEqual([
      { code: "X-1", value: "false" },
      { code: "H", value: "false" },
    ]);
  });
});

describe("picksChanged", () => {
  it("is false for the table's own codes and true after an edit", () => {
    const picks = initialPicks(status);
    expect(picksChanged(status, picks)).toBe(false);
    expect(picksChanged(status, { ...picks, NA: "false" })).toBe(true);
  });
});

describe("small helpers", () => {
  it("matches codes as the core does", () => {
    expect(codeKey("M/N")).toBe(codeKey("mn"));
    expect(codeKey(" Männlich ")).toBe("männlich");
  });
  it("reads the codes of coded transforms only", () => {
    expect(codesOf({ kind: "bool", invert: false, codes: [{ code: "H", value: "false" }] })).toHaveLength(1);
    expect(codesOf({ kind: "copy" })).toEqual([]);
    expect(codesOf(undefined)).toEqual([]);
  });
  it("labels a choice in words", () => {
    expect(choiceLabel(status, "false")).toBe("Alive");
    expect(choiceLabel(status, "maybe")).toBe("maybe");
  });
});
