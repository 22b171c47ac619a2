// The Import step's words: a plan's counts, a run's progress and its result, said plainly.
// Pure functions, unit-tested without a browser.
import type { ImportProgress } from "./bindings/ImportProgress";
import type { PlanOverview } from "./bindings/PlanOverview";
import type { PlanProgress } from "./bindings/PlanProgress";
import type { RunReport } from "./bindings/RunReport";
import { formatCount } from "./format";

/** "1 client", "2 clients": a count with its noun. */
export function countOf(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "3 clients and 5 pets", or only the kind there is, or "nothing". */
export function clientsAndPets(clients: number, pets: number): string {
  const parts = [];
  if (clients > 0) parts.push(countOf(clients, "client", "clients"));
  if (pets > 0) parts.push(countOf(pets, "pet", "pets"));
  return parts.length === 0 ? "nothing" : parts.join(" and ");
}

/** One line of the plan's table: what happens to how many records. */
export interface PlanLine {
  /** Stable key, also the e2e tests' handle. */
  key: "create" | "update" | "unchanged" | "conflict" | "ambiguous" | "skip" | "not_sent";
  /** What happens, in a few words. */
  label: string;
  clients: number;
  patients: number;
  /** Why, or what it means for the person. */
  note: string;
}

/** The plan's counts by action, the lines with nothing left out (create and not-sent always shown). */
export function planLines(o: PlanOverview): PlanLine[] {
  const s = o.summary;
  const lines: PlanLine[] = [
    { key: "create", label: "Create", clients: s.clients.create, patients: s.patients.create, note: "new to PH" },
    {
      key: "update",
      label: "Update",
      clients: s.clients.update,
      patients: s.patients.update,
      note: "already in PH: fields PH has empty are filled, or a conflict was decided",
    },
    {
      key: "unchanged",
      label: "Leave unchanged",
      clients: s.clients.unchanged,
      patients: s.patients.unchanged,
      note: "already in PH with these values, or PH's values are kept",
    },
    {
      key: "conflict",
      label: "Conflicts",
      clients: o.clients.conflict,
      patients: o.patients.conflict,
      note: `PH and the file disagree; ${formatCount(s.conflicts_decided)} decided (see "Records PH already has" below)`,
    },
    {
      key: "ambiguous",
      label: "Wait for a decision",
      clients: s.clients.undecided,
      patients: s.patients.undecided,
      note: "several PH records may be the same one: a person must choose",
    },
    { key: "skip", label: "Skip", clients: s.clients.skip, patients: s.patients.skip, note: "skipped by a decision" },
    {
      key: "not_sent",
      label: "Not sent",
      clients: o.not_sent_clients,
      patients: o.not_sent_patients,
      note: "rows with errors, or whose owner has errors",
    },
  ];
  return lines.filter((l) => l.key === "create" || l.key === "not_sent" || l.clients + l.patients > 0);
}

/** Why the import cannot start: an error to act on, or information (nothing to send). */
export interface Blocker {
  severity: "error" | "info";
  message: string;
}

/** Why the import cannot start yet, or null when it can. */
export function planBlocker(o: PlanOverview): Blocker | null {
  if (o.undecided > 0) {
    const message = `${countOf(o.undecided, "record waits", "records wait")} for a decision: PH has several records that may be ${
      o.undecided === 1 ? "it" : "each of them"
    }. Nothing can be imported until ${o.undecided === 1 ? "it is" : "they are"} decided: choose the PH record, keep both or skip in "Records PH already has" above, then plan again.`;
    return { severity: "error", message };
  }
  const s = o.summary;
  if (s.clients.create + s.clients.update + s.patients.create + s.patients.update === 0) {
    return {
      severity: "info",
      message: "Nothing to send: every record is already in PH as the file has it, or left out. There is nothing to import.",
    };
  }
  return null;
}

/** Where making a plan is: "Converting rows: 1,200" or "Reading the clinic from PH: 300 of 1,000 clients". */
export function planProgressLine(p: PlanProgress): string {
  if (p.step === "reading") {
    const total = p.total !== null ? ` of ${formatCount(p.total)}` : "";
    return `Reading the clinic from PH: ${formatCount(p.done)}${total} clients`;
  }
  return `Converting rows: ${formatCount(p.done)}`;
}

/** The phase of a run in words. */
export function phaseLabel(phase: string): string {
  switch (phase) {
    case "access":
      return "Checking access";
    case "backup":
      return "Backing up the clinic";
    case "clients.create":
      return "Creating clients";
    case "clients.update":
      return "Updating clients";
    case "patients.create":
      return "Creating pets";
    case "patients.update":
      return "Updating pets";
    case "verify":
      return "Verifying what was written";
    case "report":
      return "Writing the reports";
    case "undo.read":
      return "Reading the clinic for the undo";
    case "undo.clients":
      return "Restoring clients";
    case "undo.patients":
      return "Restoring pets";
    case "undo.delete":
      return "Deleting what the run created";
    case "undo.verify":
      return "Checking the clinic against its backup";
    default:
      return phase;
  }
}

/** The progress bar's fill, 0–100, for the phase. */
export function progressPercent(p: ImportProgress): number {
  if (p.total <= 0) return 0;
  return Math.min(100, Math.round((p.done / p.total) * 100));
}

/** "Creating clients: 120 of 300 (450 records/s, about 1 s left)". */
export function progressLine(p: ImportProgress): string {
  const rate = p.rate > 0 ? `${formatCount(Math.round(p.rate))} records/s` : "";
  const eta = p.eta_secs !== null && p.eta_secs > 0 ? `about ${formatCount(Math.ceil(p.eta_secs))} s left` : "";
  const extra = [rate, eta].filter((x) => x !== "").join(", ");
  return `${phaseLabel(p.phase)}: ${formatCount(p.done)} of ${formatCount(p.total)}${extra ? ` (${extra})` : ""}`;
}

/** The result's headline. */
export function resultHeadline(r: RunReport): string {
  switch (r.status) {
    case "completed":
      return "Import complete: everything was sent and verified.";
    case "cancelled":
      return "Import stopped. What was sent stays in PH, and nothing will be sent twice: Resume sends the rest.";
    case "verify_failed":
      return "Import finished, but PH differs from the plan: see summary.txt in the run's folder.";
    default:
      return `Import ${r.status.replace("_", " ")}.`;
  }
}

/** The result's counts, one line per outcome with anything in it; none for a stopped run,
 * whose counts are made when it finishes. */
export function resultLines(r: RunReport): { key: string; text: string }[] {
  if (r.status === "cancelled") return [];
  const lines = [
    { key: "created", text: `Created ${clientsAndPets(r.clients.created, r.patients.created)}` },
    { key: "updated", text: `Updated ${clientsAndPets(r.clients.updated, r.patients.updated)}` },
    { key: "unchanged", text: `Left unchanged ${clientsAndPets(r.clients.unchanged, r.patients.unchanged)}` },
    { key: "skipped", text: `Not sent ${clientsAndPets(r.clients.skipped, r.patients.skipped)}` },
    { key: "errors", text: `Refused by PH: ${clientsAndPets(r.clients.errors, r.patients.errors)}` },
  ];
  const counts: Partial<Record<string, number>> = {
    created: r.clients.created + r.patients.created,
    updated: r.clients.updated + r.patients.updated,
    unchanged: r.clients.unchanged + r.patients.unchanged,
    skipped: r.clients.skipped + r.patients.skipped,
    errors: r.clients.errors + r.patients.errors,
  };
  return lines.filter((l) => l.key === "created" || (counts[l.key] ?? 0) > 0);
}
