import { describe, expect, it } from "vitest";
import type { Decisions } from "./bindings/Decisions";
import type { MatchRow } from "./bindings/MatchRow";
import { choiceOf, decisionFor, decisionsChanged, fieldLabel, groupCountsLine, mergeTarget, opLine } from "./duplicates";

const none: Decisions = { policies: { default: "fill_blanks", fields: {} }, records: [], same: [] };

function row(over: Partial<MatchRow>): MatchRow {
  return {
    entity: "client",
    external_id: "100",
    label: "Ann Lee",
    owner: "",
    file: "clients.csv",
    origin: { table: 0, row: 2 },
    classification: "conflict",
    matched_by: "external_id",
    reasons: [],
    ph_ids: ["ph-1"],
    fields: [],
    op: { op: "unchanged", ph_id: "ph-1" },
    decision: null,
    ...over,
  };
}

describe("duplicates", () => {
  it("names fields for people", () => {
    expect(fieldLabel("client.postal_code")).toBe("Postal code");
    expect(fieldLabel("patient.client_external_id")).toBe("Owner ID");
    expect(fieldLabel("client.address_line1")).toBe("Address line 1");
  });

  it("finds the last decision for a record and names its choice", () => {
    const d: Decisions = {
      ...none,
      records: [
        { entity: "client", external_id: "100", action: "skip", ph_id: null, fields: {} },
        { entity: "patient", external_id: "100", action: "keep_both", ph_id: null, fields: {} },
        {
          entity: "client",
          external_id: "100",
          action: "merge",
          ph_id: null,
          fields: { "client.email": "take_file", "client.city": "take_file" },
        },
      ],
    };
    expect(choiceOf(decisionFor(d, "client", "100"))).toBe("take_file");
    expect(choiceOf(decisionFor(d, "patient", "100"))).toBe("keep_both");
    expect(decisionFor(d, "client", "200")).toBeNull();
    expect(choiceOf(null)).toBe("");
  });

  it("says what the plan does in words", () => {
    expect(opLine({ op: "update", ph_id: "7", set: [{ field: "client.email", ph: "", file: "a@b.c" }] }, "client")).toBe(
      "Writes 1 field onto PH client 7",
    );
    expect(opLine({ op: "undecided", candidates: ["1", "2"] }, "patient")).toMatch(/Waits for a decision/);
    expect(opLine({ op: "create" }, "patient")).toBe("Creates a new pet in PH");
  });

  it("sees changed decisions whatever their order", () => {
    const a = { entity: "client" as const, external_id: "1", action: "skip" as const, ph_id: null, fields: {} };
    const b = { ...a, external_id: "2" };
    expect(decisionsChanged({ ...none, records: [a, b] }, { ...none, records: [b, a] })).toBe(false);
    expect(decisionsChanged({ ...none, records: [a] }, none)).toBe(true);
    const same = { entity: "client" as const, external_id: "1002", same_as: "1001" };
    expect(decisionsChanged({ ...none, same: [same] }, none)).toBe(true);
  });

  it("merges an ambiguous record only into a chosen PH record", () => {
    const amb = row({ classification: "ambiguous", ph_ids: ["2", "3"], op: { op: "undecided", candidates: ["2", "3"] } });
    expect(mergeTarget(amb, null)).toBeNull();
    expect(mergeTarget(amb, { entity: "client", external_id: "100", action: "merge", ph_id: "3", fields: {} })).toBe("3");
    expect(mergeTarget(row({}), null)).toBe("ph-1");
  });

  it("counts the files' groups in one sentence", () => {
    const zero = { exact: 0, fuzzy: 0, conflicting: 0, household: 0, repeated_row: 0, one_record: 0 };
    expect(groupCountsLine(zero)).toBe("No duplicates inside the files.");
    expect(groupCountsLine({ ...zero, fuzzy: 2, household: 1, one_record: 1 })).toBe(
      "Groups: 2 the same person with typos, 1 household. 1 made one record.",
    );
  });
});
