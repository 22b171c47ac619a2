// What the Cohort screen shows and offers, worked out from the core's status (pure, tested).
import type { CohortClinic } from "./bindings/CohortClinic";
import type { CohortClinicStatus } from "./bindings/CohortClinicStatus";
import type { CohortEvent } from "./bindings/CohortEvent";
import type { CohortOpened } from "./bindings/CohortOpened";
import { fileName, formatCount } from "./format";
import { countOf } from "./importPlan";
import { progressLine } from "./importPlan";

/** The one next step for the whole cohort. */
export type CohortAction = "plan" | "apply" | "resume" | "done";

/** Plan until planned; apply what is planned; resume what stopped part-way; else done. */
export function cohortAction(o: CohortOpened): CohortAction {
  const s = o.status;
  if (!s) return "plan";
  if (s.pending === 0) return "done";
  const stopped = s.clinics.some((c) => c.group === "pending" && (c.status === "running" || c.status === "cancelled"));
  return stopped ? "resume" : "apply";
}

/** A clinic's status in words. */
export function clinicStatusLabel(s: CohortClinicStatus): string {
  switch (s) {
    case "skipped":
      return "Skipped (failed its checks)";
    case "planned":
      return "Planned";
    case "refused":
      return "Refused by PH";
    case "running":
      return "Stopped part-way";
    case "cancelled":
      return "Cancelled";
    case "failed":
      return "Failed";
    case "completed":
      return "Imported";
    case "verify_failed":
      return "Imported, differences found";
    case "undone":
      return "Undone";
  }
}

/** What to do about a clinic in this screen's words (the core's `next_step` names CLI verbs). */
export function nextStepLabel(s: CohortClinicStatus): string {
  switch (s) {
    case "skipped":
      return "Fix its problems, then plan again.";
    case "refused":
      return "Plan again to make a new plan for it.";
    case "planned":
      return "Import the planned clinics to send it.";
    case "running":
    case "cancelled":
    case "failed":
      return "Resume the cohort to finish it; nothing is sent twice.";
    case "verify_failed":
      return "Open its run: the summary lists the differences.";
    case "completed":
    case "undone":
      return "";
  }
}

/** The key of a clinic in the cohort: a clinic id appears once per environment. */
export function clinicKey(c: { clinic_id: string; env: string }): string {
  return `${c.env}/${c.clinic_id}`;
}

/** What a cohort event says about its clinic, as the clinic's live line. */
export function eventLine(e: CohortEvent): string {
  switch (e.event) {
    case "checking":
      return "Checking the environment, the clinic and the files…";
    case "planning":
      return "Converting the files and matching them against PH…";
    case "reading":
      return `Reading ${fileName(e.progress.table)}: ${formatCount(e.progress.rows)} rows…`;
    case "reading_ph":
      return `Reading the clinic's clients in PH: ${formatCount(e.read)}${e.total !== null ? ` of ${formatCount(e.total)}` : ""}…`;
    case "planned":
      return `Planned: ${e.summary}`;
    case "not_planned":
      return `Not planned: ${e.problems.join("; ")}`;
    case "applying":
      return "Importing…";
    case "progress":
      return progressLine(e.progress);
    case "finished":
      return `${clinicStatusLabel(e.status)}: ${e.message}`;
  }
}

/** The cohort's summary line: clinics done, failed and pending. */
export function summaryLine(o: CohortOpened): string {
  const s = o.status;
  const total = o.manifest.clinic.length;
  if (!s) return `${countOf(total, "clinic", "clinics")}, not planned yet`;
  return `${s.done} done, ${s.failed} failed, ${s.pending} pending of ${countOf(s.clinics.length, "clinic", "clinics")}`;
}

/** What a clinic's import left in PH (or will), in one line. */
export function clinicCounts(c: CohortClinic): string {
  const t = c.clients;
  if (t.created + t.updated + t.unchanged + t.errors + t.skipped > 0) {
    const p = c.patients;
    return `clients ${t.created} created, ${t.updated} updated, ${t.errors} errors; pets ${p.created} created, ${p.updated} updated, ${p.errors} errors`;
  }
  if (c.planned) {
    const cl = c.planned.clients;
    const pe = c.planned.patients;
    return `to create ${cl.create} clients and ${pe.create} pets, to update ${cl.update} and ${pe.update}`;
  }
  return "";
}
