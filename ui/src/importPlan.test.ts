import { describe, expect, it } from "vitest";
import type { ClassCounts } from "./bindings/ClassCounts";
import type { OpCounts } from "./bindings/OpCounts";
import type { PlanOverview } from "./bindings/PlanOverview";
import type { RunReport } from "./bindings/RunReport";
import {
  clientsAndPets,
  countOf,
  planBlocker,
  planLines,
  planProgressLine,
  progressLine,
  progressPercent,
  resultHeadline,
  resultLines,
} from "./importPlan";

const ops = (o: Partial<OpCounts> = {}): OpCounts => ({ create: 0, update: 0, unchanged: 0, skip: 0, undecided: 0, ...o });
const classes = (c: Partial<ClassCounts> = {}): ClassCounts => ({
  new: 0,
  identical: 0,
  update: 0,
  conflict: 0,
  ambiguous: 0,
  ...c,
});

function overview(o: Partial<PlanOverview> = {}): PlanOverview {
  return {
    run_id: "run-1",
    env: "sandbox",
    clinic_id: "maple-grove",
    clinic_name: "Maple Grove Veterinary Clinic",
    plan_file: "/data/runs/run-1/plan.json",
    summary: {
      clients: ops({ create: 3, unchanged: 1 }),
      patients: ops({ create: 4 }),
      conflicts_decided: 0,
      excluded: 1,
      text: "Will create 3 clients and 4 patients.",
    },
    clients: classes({ new: 3, identical: 1 }),
    patients: classes({ new: 4 }),
    not_sent: [{ reason: "client.email: missing", clients: 1, patients: 0 }],
    not_sent_clients: 1,
    not_sent_patients: 0,
    undecided: 0,
    ...o,
  };
}

describe("counts in words", () => {
  it("names one and many", () => {
    expect(countOf(1, "client", "clients")).toBe("1 client");
    expect(countOf(1200, "client", "clients")).toBe("1,200 clients");
    expect(clientsAndPets(2, 1)).toBe("2 clients and 1 pet");
    expect(clientsAndPets(0, 3)).toBe("3 pets");
    expect(clientsAndPets(0, 0)).toBe("nothing");
  });
});

describe("plan lines", () => {
  it("lists what happens, leaving out empty actions but always create and not sent", () => {
    const lines = planLines(overview());
    expect(lines.map((l) => l.key)).toEqual(["create", "unchanged", "not_sent"]);
    expect(lines[0]).toMatchObject({ label: "Create", clients: 3, patients: 4 });
    expect(lines[2]).toMatchObject({ clients: 1, patients: 0 });
  });

  it("shows conflicts and ambiguous records when there are some", () => {
    const o = overview({
      summary: { ...overview().summary, clients: ops({ update: 2, undecided: 1 }), conflicts_decided: 2 },
      clients: classes({ conflict: 2, ambiguous: 1 }),
    });
    const keys = planLines(o).map((l) => l.key);
    expect(keys).toContain("conflict");
    expect(keys).toContain("ambiguous");
    expect(planLines(o).find((l) => l.key === "conflict")?.note).toContain("2 decided");
  });
});

describe("what blocks the import", () => {
  it("lets a plan with something to send go on", () => {
    expect(planBlocker(overview())).toBeNull();
  });

  it("blocks undecided records with a way out", () => {
    const blocker = planBlocker(overview({ undecided: 2 }));
    expect(blocker?.severity).toBe("error");
    expect(blocker?.message).toContain("2 records wait for a decision");
    expect(blocker?.message).toContain("plan again");
  });

  it("says there is nothing to send when everything is identical", () => {
    const o = overview({
      summary: { ...overview().summary, clients: ops({ unchanged: 3 }), patients: ops({ unchanged: 4 }) },
    });
    expect(planBlocker(o)).toMatchObject({ severity: "info", message: expect.stringContaining("Nothing to send") as string });
  });
});

describe("planning progress", () => {
  it("says which step and how far", () => {
    expect(planProgressLine({ job_id: "j", step: "converting", done: 1200, total: null })).toBe("Converting rows: 1,200");
    expect(planProgressLine({ job_id: "j", step: "reading", done: 300, total: 1000 })).toBe(
      "Reading the clinic from PH: 300 of 1,000 clients",
    );
    expect(planProgressLine({ job_id: "j", step: "reading", done: 300, total: null })).toBe(
      "Reading the clinic from PH: 300 clients",
    );
  });
});

describe("progress", () => {
  const p = { phase: "clients.create", done: 120, total: 300, rate: 450.4, eta_secs: 0.4 };
  it("says the phase, counts, rate and time left", () => {
    expect(progressLine(p)).toBe("Creating clients: 120 of 300 (450 records/s, about 1 s left)");
    expect(progressLine({ ...p, rate: 0, eta_secs: null })).toBe("Creating clients: 120 of 300");
  });
  it("fills the bar by the phase's share done", () => {
    expect(progressPercent(p)).toBe(40);
    expect(progressPercent({ ...p, total: 0 })).toBe(0);
  });
});

describe("results", () => {
  const tally = { created: 3, updated: 0, unchanged: 1, errors: 0, skipped: 1 };
  const report: RunReport = {
    run_id: "run-1",
    status: "completed",
    dir: "/data/runs/run-1",
    clients: tally,
    patients: { ...tally, created: 4, unchanged: 0, skipped: 0 },
    problems: [],
    summary: "",
  };
  it("counts each outcome with anything in it", () => {
    expect(resultLines(report).map((l) => l.text)).toEqual([
      "Created 3 clients and 4 pets",
      "Left unchanged 1 client",
      "Not sent 1 client",
    ]);
  });
  it("says how the run ended", () => {
    expect(resultHeadline(report)).toContain("complete");
    expect(resultHeadline({ ...report, status: "cancelled" })).toContain("Resume");
    expect(resultLines({ ...report, status: "cancelled" })).toEqual([]);
  });
});
