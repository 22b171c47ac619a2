import { describe, expect, it } from "vitest";
import type { RunSummary } from "./bindings/RunSummary";
import { canPurge, canResume, canUndo, interrupted, plannedLine, statusLabel, undoLines } from "./history";

const zero = { create: 0, update: 0, unchanged: 0, skip: 0, undecided: 0 };

function run(over: Partial<RunSummary>): RunSummary {
  return {
    clients: zero,
    patients: zero,
    on_disk: { journal_rows: 0, plan: null, backup: [], reports: [], log: null, bytes: 0 },
    id: "r1",
    env: "sandbox",
    clinic_id: "riverside",
    clinic_name: "Riverside",
    dir: "/tmp/r1",
    status: "completed",
    phase: "report",
    created_at: "2026-12-07T10:00:00Z",
    updated_at: "2026-12-07T10:01:00Z",
    message: "",
    ...over,
  };
}

describe("history", () => {
  it("offers what each state allows", () => {
    expect([canResume("cancelled"), canUndo("cancelled"), canPurge("cancelled")]).toEqual([true, true, true]);
    expect([canResume("running"), canUndo("running"), canPurge("running")]).toEqual([true, true, false]);
    expect([canResume("completed"), canUndo("planned"), canUndo("undone")]).toEqual([false, false, false]);
    expect(statusLabel("undone_partly")).toBe("Undone, some records left");
  });

  it("finds the runs stopped part-way", () => {
    const runs = [run({ id: "a" }), run({ id: "b", status: "running" }), run({ id: "c", status: "undoing" })];
    expect(interrupted(runs).map((r) => r.id)).toEqual(["b", "c"]);
  });

  it("says what a run planned and what an undo did", () => {
    expect(plannedLine(run({ clients: { ...zero, create: 2 }, patients: { ...zero, create: 3, update: 1 } }))).toBe(
      "create 2 clients and 3 pets; update 1 pet",
    );
    expect(plannedLine(run({}))).toBe("nothing to send");
    const lines = undoLines({
      run_id: "r1",
      status: "undone_partly",
      clients_restored: 1,
      patients_restored: 0,
      clients_deleted: 2,
      patients_deleted: 3,
      refused: ["client 7 was changed in PH since the run"],
      differences: [],
    });
    expect(lines).toEqual([
      "Restored 1 client; deleted 2 clients and 3 pets.",
      "1 record was left as it is: changed in PH since the run.",
      "The clinic is as it was before the import.",
    ]);
  });
});
