import { describe, expect, it } from "vitest";
import type { CohortClinic } from "./bindings/CohortClinic";
import type { CohortOpened } from "./bindings/CohortOpened";
import { clinicCounts, clinicKey, cohortAction, eventLine, nextStepLabel, summaryLine } from "./cohort";

const tally = { created: 0, updated: 0, unchanged: 0, errors: 0, skipped: 0 };
const ops = { create: 0, update: 0, unchanged: 0, skip: 0, undecided: 0 };

function clinic(over: Partial<CohortClinic>): CohortClinic {
  return {
    clinic_id: "riverside",
    env: "sandbox",
    clinic_name: "Riverside",
    status: "planned",
    group: "pending",
    run_id: "r1",
    run_dir: "/tmp/r1",
    planned: null,
    clients: tally,
    patients: tally,
    problems: [],
    message: "",
    next_step: "",
    ...over,
  };
}

function cohort(clinics: CohortClinic[] | null): CohortOpened {
  const count = (g: string) => (clinics ?? []).filter((c) => c.group === g).length;
  return {
    manifest_path: "/w/week-49.toml",
    manifest: {
      name: "Week 49",
      max_parallel: 2,
      clinic: [
        { clinic_id: "riverside", env: "sandbox", files: ["a.csv"], read: [], skip_undecided: false, settings: {} as never },
        { clinic_id: "lakeside", env: "sandbox", files: ["b.csv"], read: [], skip_undecided: false, settings: {} as never },
      ],
    },
    status:
      clinics === null
        ? null
        : {
            name: "Week 49",
            state_file: "/w/week-49.cohort/cohort-state.json",
            done: count("done"),
            failed: count("failed"),
            pending: count("pending"),
            clients: tally,
            patients: tally,
            clinics,
          },
    production: [],
  };
}

describe("cohort", () => {
  it("offers plan, then apply, resume after a stop, and nothing once every clinic is done", () => {
    expect(cohortAction(cohort(null))).toBe("plan");
    expect(cohortAction(cohort([clinic({}), clinic({ clinic_id: "lakeside" })]))).toBe("apply");
    expect(cohortAction(cohort([clinic({ status: "completed", group: "done" }), clinic({ status: "running" })]))).toBe(
      "resume",
    );
    expect(
      cohortAction(cohort([clinic({ status: "completed", group: "done" }), clinic({ status: "skipped", group: "failed", run_id: null })])),
    ).toBe("done");
  });

  it("counts clinics and says what each did or will do", () => {
    expect(summaryLine(cohort(null))).toBe("2 clinics, not planned yet");
    expect(summaryLine(cohort([clinic({ status: "completed", group: "done" }), clinic({ status: "failed", group: "failed" })]))).toBe(
      "1 done, 1 failed, 0 pending of 2 clinics",
    );
    const planned = clinic({
      planned: { clients: { ...ops, create: 3, update: 1 }, patients: { ...ops, create: 5 }, conflicts_decided: 0, excluded: 0, text: "" },
    });
    expect(clinicCounts(planned)).toBe("to create 3 clients and 5 pets, to update 1 and 0");
    const done = clinic({ clients: { ...tally, created: 3 }, patients: { ...tally, created: 5, errors: 1 } });
    expect(clinicCounts(done)).toBe("clients 3 created, 0 updated, 0 errors; pets 5 created, 0 updated, 1 errors");
  });

  it("says what to do next in the screen's words, never a CLI verb", () => {
    const all = ["skipped", "planned", "refused", "running", "cancelled", "failed", "completed", "verify_failed", "undone"] as const;
    for (const s of all) expect(nextStepLabel(s)).not.toMatch(/ph-import|--/);
    expect(nextStepLabel("cancelled")).toBe("Resume the cohort to finish it; nothing is sent twice.");
    expect(nextStepLabel("completed")).toBe("");
  });

  it("turns each event into its clinic's line", () => {
    expect(clinicKey({ clinic_id: "riverside", env: "staging" })).toBe("staging/riverside");
    expect(eventLine({ event: "not_planned", clinic_id: "x", env: "sandbox", problems: ["a.csv: not found", "no token"] })).toBe(
      "Not planned: a.csv: not found; no token",
    );
    expect(eventLine({ event: "reading_ph", clinic_id: "x", env: "sandbox", read: 1200, total: 5000 })).toBe(
      "Reading the clinic's clients in PH: 1,200 of 5,000…",
    );
    expect(eventLine({ event: "finished", clinic_id: "x", env: "sandbox", status: "completed", message: "3 clients created" })).toBe(
      "Imported: 3 clients created",
    );
  });
});
