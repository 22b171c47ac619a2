// Words and rules of the History screen: what each run state means to a person, which
// actions it offers, and an undo's result. Whether an action is allowed is the core's to
// decide; these only choose which buttons are worth showing.
import type { RunStatus } from "./bindings/RunStatus";
import type { RunSummary } from "./bindings/RunSummary";
import type { UndoReport } from "./bindings/UndoReport";
import { clientsAndPets, countOf } from "./importPlan";

/** A run state in words. */
export function statusLabel(s: RunStatus): string {
  switch (s) {
    case "planned":
      return "Planned, not sent";
    case "running":
      return "Interrupted or running";
    case "failed":
      return "Failed";
    case "cancelled":
      return "Stopped";
    case "completed":
      return "Completed";
    case "verify_failed":
      return "Completed, check failed";
    case "undoing":
      return "Undo interrupted or running";
    case "undone":
      return "Undone";
    case "undone_partly":
      return "Undone, some records left";
  }
}

/** Whether the run stopped before finishing and resuming would finish it. */
export function canResume(s: RunStatus): boolean {
  return s === "running" || s === "cancelled" || s === "failed";
}

/** Whether the run wrote (or may have written) to PH, so undoing it means something. */
export function canUndo(s: RunStatus): boolean {
  return s !== "planned" && s !== "undone";
}

/** Whether the run's local files may be deleted (never while it may be going on). */
export function canPurge(s: RunStatus): boolean {
  return s !== "running" && s !== "undoing";
}

/** Runs a person should be told about when the app starts: stopped part-way. */
export function interrupted(runs: readonly RunSummary[]): RunSummary[] {
  return runs.filter((r) => r.status === "running" || r.status === "undoing" || r.status === "cancelled");
}

/** What a run planned, in a few words. */
export function plannedLine(r: RunSummary): string {
  const parts = [];
  if (r.clients.create + r.patients.create > 0) parts.push(`create ${clientsAndPets(r.clients.create, r.patients.create)}`);
  if (r.clients.update + r.patients.update > 0) parts.push(`update ${clientsAndPets(r.clients.update, r.patients.update)}`);
  return parts.length > 0 ? parts.join("; ") : "nothing to send";
}

/** An undo's result in sentences. */
export function undoLines(r: UndoReport): string[] {
  const lines = [
    `Restored ${clientsAndPets(r.clients_restored, r.patients_restored)}; deleted ${clientsAndPets(r.clients_deleted, r.patients_deleted)}.`,
  ];
  if (r.refused.length > 0) {
    lines.push(
      `${countOf(r.refused.length, "record was left as it is", "records were left as they are")}: changed in PH since the run.`,
    );
  }
  lines.push(
    r.differences.length === 0
      ? "The clinic is as it was before the import."
      : `The clinic differs from its backup in ${countOf(r.differences.length, "place", "places")}.`,
  );
  return lines;
}
