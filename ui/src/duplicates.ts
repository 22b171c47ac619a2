// Words for the Duplicates panel: what the plan does with a matched record, what the person
// chose, and how a field is named. The matching and the decisions themselves are the core's.
import type { Choice } from "./bindings/Choice";
import type { Decision } from "./bindings/Decision";
import type { Decisions } from "./bindings/Decisions";
import type { Entity } from "./bindings/Entity";
import type { DuplicateKind } from "./bindings/DuplicateKind";
import type { Field } from "./bindings/Field";
import type { GroupCounts } from "./bindings/GroupCounts";
import type { MatchRow } from "./bindings/MatchRow";
import type { PlannedOp } from "./bindings/PlannedOp";
import { formatCount } from "./format";
import { humanizeCode } from "./labels";

/** The choices a person can make for a matched record, as the list offers them. */
export const CHOICES: readonly { choice: Choice; label: string; merges: boolean }[] = [
  { choice: "fill_blanks", label: "Fill blanks (keep PH's values)", merges: true },
  { choice: "take_file", label: "Take the file's values", merges: true },
  { choice: "keep_ph", label: "Keep PH as it is", merges: true },
  { choice: "keep_both", label: "Keep both (create a new record)", merges: false },
  { choice: "skip", label: "Skip this record", merges: false },
];

/** A field's name for people: `client.postal_code` → "Postal code". */
export function fieldLabel(field: Field): string {
  const name = field.slice(field.indexOf(".") + 1);
  if (name === "external_id") return "ID";
  if (name === "client_external_id") return "Owner ID";
  if (name === "weight_kg") return "Weight (kg)";
  if (name === "address_line1") return "Address line 1";
  if (name === "address_line2") return "Address line 2";
  return humanizeCode(name);
}

/** The person's current decision for a record (the last one made counts, as in the core). */
export function decisionFor(decisions: Decisions, entity: Entity, externalId: string): Decision | null {
  let found: Decision | null = null;
  for (const d of decisions.records) {
    if (d.entity === entity && d.external_id === externalId) found = d;
  }
  return found;
}

/** Which of the listed choices a decision is (a merge is named by its fields' policy). */
export function choiceOf(d: Decision | null): Choice | "" {
  if (d === null) return "";
  if (d.action === "keep_both") return "keep_both";
  if (d.action === "skip") return "skip";
  const policies = new Set(Object.values(d.fields));
  if (policies.size === 1) {
    const [only] = [...policies];
    return only === "take_file" ? "take_file" : only === "keep_ph" ? "keep_ph" : "fill_blanks";
  }
  return "fill_blanks";
}

/** What the plan does with a record, in one line. */
export function opLine(op: PlannedOp, entity: Entity): string {
  const what = entity === "client" ? "client" : "pet";
  switch (op.op) {
    case "create":
      return `Creates a new ${what} in PH`;
    case "update": {
      const n = op.set.length;
      return `Writes ${n} ${n === 1 ? "field" : "fields"} onto PH ${what} ${op.ph_id}`;
    }
    case "unchanged":
      return `Leaves PH ${what} ${op.ph_id} as it is`;
    case "skip":
      return `Not imported: ${op.reason}`;
    case "undecided":
      return "Waits for a decision: choose which PH record it is, keep both, or skip it";
  }
}

/** Whether the decisions differ from those the plan was made with (order aside). */
export function decisionsChanged(current: Decisions, planned: Decisions): boolean {
  const sorted = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
  const key = (d: Decisions) => JSON.stringify([d.policies, sorted(d.records), sorted(d.same)]);
  return key(current) !== key(planned);
}

/** The row's PH column a merge goes into: the chosen one, else the plan's, else none. */
export function mergeTarget(row: MatchRow, decision: Decision | null): string | null {
  if (decision?.ph_id) return decision.ph_id;
  if (row.classification !== "ambiguous") return row.ph_ids[0] ?? null;
  return row.op.op === "update" || row.op.op === "unchanged" ? row.op.ph_id : null;
}

/** The kind of a duplicate group of the files, for people. */
export function kindLabel(kind: DuplicateKind): string {
  switch (kind) {
    case "exact_duplicate":
      return "same ID or e-mail";
    case "fuzzy_duplicate":
      return "same person, with typos";
    case "conflicting_duplicate":
      return "same person, other address or phone";
    case "same_household":
      return "household";
    case "duplicate_row":
      return "repeated row";
  }
}

/** The files' duplicate groups counted, in one sentence. */
export function groupCountsLine(c: GroupCounts): string {
  const parts = [
    c.conflicting > 0 && `${formatCount(c.conflicting)} the same person with other details`,
    c.fuzzy > 0 && `${formatCount(c.fuzzy)} the same person with typos`,
    c.exact > 0 && `${formatCount(c.exact)} with the same ID or e-mail`,
    c.household > 0 && `${formatCount(c.household)} ${c.household === 1 ? "household" : "households"}`,
    c.repeated_row > 0 && `${formatCount(c.repeated_row)} repeated ${c.repeated_row === 1 ? "row" : "rows"}`,
  ].filter(Boolean);
  if (parts.length === 0) return "No duplicates inside the files.";
  const made = c.one_record > 0 ? ` ${formatCount(c.one_record)} made one record.` : "";
  return `Groups: ${parts.join(", ")}.${made}`;
}
