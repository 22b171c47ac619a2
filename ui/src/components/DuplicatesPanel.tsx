import { useEffect, useState } from "react";
import { api, errorMessage } from "../api";
import type { Choice } from "../bindings/Choice";
import type { Classification } from "../bindings/Classification";
import type { Decisions } from "../bindings/Decisions";
import type { Entity } from "../bindings/Entity";
import type { MatchCounts } from "../bindings/MatchCounts";
import type { MatchFilter } from "../bindings/MatchFilter";
import type { MatchPage } from "../bindings/MatchPage";
import type { MatchRow } from "../bindings/MatchRow";
import { CHOICES, choiceOf, decisionFor, fieldLabel, mergeTarget, opLine } from "../duplicates";
import { formatCount } from "../format";
import { countOf } from "../importPlan";
import { Pager } from "./Pager";
import { FileGroups } from "./FileGroups";

const PAGE = 20;

export interface Props {
  /** The planned run whose matches are listed. */
  runId: string;
  /** The person's decisions, including those not planned yet. */
  decisions: Decisions;
  onDecisions: (d: Decisions) => void;
  /** Whether the decisions differ from those the plan was made with. */
  changed: boolean;
  /** Plans again with the decisions. */
  onPlanAgain: () => void;
}

const CLASSES: readonly { value: Classification | ""; label: string }[] = [
  { value: "", label: "All" },
  { value: "conflict", label: "Conflicts" },
  { value: "ambiguous", label: "Several PH records" },
  { value: "update", label: "Fill blanks only" },
];

/** Duplicates of the plan: the records PH already has, and the groups inside the files, each
 * with a decision per record or for all listed, planned again with the decisions. */
export function DuplicatesPanel({ runId, decisions, onDecisions, changed, onPlanAgain }: Props) {
  const [counts, setCounts] = useState<{ ph: number; groups: number } | null>(null);
  const [tab, setTab] = useState<"ph" | "files">("ph");
  useEffect(() => {
    let alive = true;
    const none = { entity: null, classification: null, undecided_only: false, search: "" };
    Promise.all([
      api.planMatches(runId, decisions, none, 0, 0),
      api.planGroups(runId, decisions, { entity: null, kind: null, search: "" }, 0, 0),
    ]).then(
      ([m, g]) => alive && setCounts({ ph: total(m.clients) + total(m.patients), groups: Number(g.total) }),
      () => alive && setCounts({ ph: 0, groups: 0 }),
    );
    return () => {
      alive = false;
    };
  }, [runId, decisions]);
  if (counts === null || counts.ph + counts.groups === 0) return null;
  // With nothing in PH, the groups of the files are the only tab.
  const shown = counts.ph === 0 ? "files" : tab;
  return (
    <section className="duplicates" aria-labelledby="duplicates-title" data-testid="duplicates">
      <h2 id="duplicates-title">Duplicates</h2>
      {changed && (
        <div className="notice-box" role="status" data-testid="duplicates-changed">
          Your decisions are not in the plan yet.{" "}
          <button type="button" className="primary" onClick={onPlanAgain} data-testid="duplicates-plan-again">
            Plan again with them
          </button>
        </div>
      )}
      <div role="tablist" aria-label="Duplicates" className="chips duplicates-tabs">
        <button type="button" role="tab" aria-selected={shown === "ph"} aria-pressed={shown === "ph"} disabled={counts.ph === 0} onClick={() => setTab("ph")} data-testid="duplicates-tab-ph">
          Records PH already has ({formatCount(counts.ph)})
        </button>
        <button type="button" role="tab" aria-selected={shown === "files"} aria-pressed={shown === "files"} disabled={counts.groups === 0} onClick={() => setTab("files")} data-testid="duplicates-tab-files">
          Duplicates inside the files ({formatCount(counts.groups)} {counts.groups === 1 ? "group" : "groups"})
        </button>
      </div>
      {shown === "ph" ? (
        <PhMatches runId={runId} decisions={decisions} onDecisions={onDecisions} />
      ) : (
        <FileGroups runId={runId} decisions={decisions} onDecisions={onDecisions} />
      )}
    </section>
  );
}

/** The planned records that match PH records: each beside the PH records it may be, with
 * the differences highlighted, and a decision per record or for all listed. */
function PhMatches({ runId, decisions, onDecisions }: Pick<Props, "runId" | "decisions" | "onDecisions">) {
  const [filter, setFilter] = useState<MatchFilter>({ entity: null, classification: null, undecided_only: false, search: "" });
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<MatchPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    api.planMatches(runId, decisions, filter, offset, PAGE).then(
      (p) => alive && setPage(p),
      (e) => alive && setError(errorMessage(e)),
    );
    return () => {
      alive = false;
    };
  }, [runId, decisions, filter, offset]);

  const refilter = (f: Partial<MatchFilter>) => {
    setFilter((old) => ({ ...old, ...f }));
    setOffset(0);
    setNote(null);
  };

  const decideOne = (row: MatchRow, choice: Choice | "", phId: string | null) => {
    setNote(null);
    api
      .decideMatch(decisions, row.entity, row.external_id, choice === "" ? "reset" : choice, phId)
      .then(onDecisions, (e) => setError(errorMessage(e)));
  };

  const decideAll = (choice: Choice) => {
    api.decideMatches(runId, decisions, filter, choice).then(
      (b) => {
        onDecisions(b.decisions);
        setNote(
          `${countOf(b.decided, "record", "records")} decided.` +
            (b.left > 0
              ? ` ${countOf(b.left, "record matches", "records match")} several PH records and ${b.left === 1 ? "needs" : "need"} the PH record chosen one by one.`
              : ""),
        );
      },
      (e) => setError(errorMessage(e)),
    );
  };

  if (page === null) {
    return error ? <div className="error-box">{error}</div> : null;
  }
  return (
    <div role="tabpanel" data-testid="duplicates-ph">
      <p className="muted" data-testid="duplicates-counts">
        {countsLine("Clients", page.clients)} {countsLine("Pets", page.patients)} By default the file only fills
        what PH has empty; decide here where that is not what the clinic wants.
      </p>
      <div className="inline-form duplicates-filters">
        <label>
          Show{" "}
          <select
            value={filter.entity ?? ""}
            onChange={(e) => refilter({ entity: e.target.value === "" ? null : (e.target.value as Entity) })}
            data-testid="duplicates-entity"
          >
            <option value="">clients and pets</option>
            <option value="client">clients</option>
            <option value="patient">pets</option>
          </select>
        </label>
        <div role="group" aria-label="Classification" className="chips">
          {CLASSES.map((c) => (
            <button
              key={c.value}
              type="button"
              aria-pressed={(filter.classification ?? "") === c.value}
              onClick={() => refilter({ classification: c.value === "" ? null : c.value })}
              data-testid={`duplicates-class-${c.value || "all"}`}
            >
              {c.label}
            </button>
          ))}
        </div>
        <label>
          <input
            type="checkbox"
            checked={filter.undecided_only}
            onChange={(e) => refilter({ undecided_only: e.target.checked })}
          />{" "}
          without a decision
        </label>
        <input
          type="search"
          placeholder="Name or ID"
          aria-label="Search by name or ID"
          value={filter.search}
          onChange={(e) => refilter({ search: e.target.value })}
        />
      </div>
      <div className="inline-form duplicates-bulk">
        <span>For all {formatCount(page.total)} listed:</span>
        {CHOICES.map((c) => (
          <button key={c.choice} type="button" disabled={page.total === 0} onClick={() => decideAll(c.choice)} data-testid={`duplicates-all-${c.choice}`}>
            {c.label}
          </button>
        ))}
        <button type="button" disabled={page.total === 0} onClick={() => decideAll("reset")}>
          Forget decisions
        </button>
      </div>
      {note && (
        <p role="status" className="muted" data-testid="duplicates-note">
          {note}
        </p>
      )}
      {error && <div className="error-box">{error}</div>}
      <ol className="match-list" start={offset + 1}>
        {page.rows.map((row) => (
          <MatchCard
            key={`${row.entity}:${row.external_id}:${row.origin.table}:${row.origin.row}`}
            row={row}
            decisions={decisions}
            onDecide={(choice, phId) => decideOne(row, choice, phId)}
          />
        ))}
      </ol>
      {page.total === 0 && <p className="muted">No record matches the filter.</p>}
      <Pager total={page.total} offset={offset} size={PAGE} onOffset={setOffset} />
    </div>
  );
}

function total(c: MatchCounts): number {
  return c.update + c.conflict + c.ambiguous;
}

function countsLine(what: string, c: MatchCounts): string {
  if (total(c) === 0) return "";
  const parts = [
    c.conflict > 0 && `${formatCount(c.conflict)} disagree with PH`,
    c.ambiguous > 0 && `${formatCount(c.ambiguous)} may be several PH records${c.undecided > 0 ? ` (${formatCount(c.undecided)} undecided)` : ""}`,
    c.update > 0 && `${formatCount(c.update)} only fill blanks`,
  ].filter(Boolean);
  return `${what}: ${parts.join(", ")}.`;
}

/** One matched record: the file's values beside each PH record's, differences marked. */
function MatchCard({
  row,
  decisions,
  onDecide,
}: {
  row: MatchRow;
  decisions: Decisions;
  onDecide: (choice: Choice | "", phId: string | null) => void;
}) {
  const decision = decisionFor(decisions, row.entity, row.external_id);
  const choice = choiceOf(decision);
  const target = mergeTarget(row, decision);
  const ambiguous = row.classification === "ambiguous";
  const what = row.entity === "client" ? "Client" : "Pet";
  return (
    <li className={`match-card ${row.classification}`} data-testid="match-card">
      <header>
        <strong>
          {what} {row.label || "(no name)"}
        </strong>{" "}
        <span className="muted">
          ID {row.external_id}
          {row.owner && ` of owner ${row.owner}`} · {row.file} row {row.origin.row}
        </span>{" "}
        <span className={`badge class-${row.classification}`}>{classLabel(row.classification)}</span>
      </header>
      <p className="match-op" data-testid="match-op">
        {opLine(row.op, row.entity)}
      </p>
      <table className="match-table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">In the file</th>
            {row.ph_ids.map((id) => (
              <th scope="col" key={id}>
                {ambiguous ? (
                  <label>
                    <input
                      type="radio"
                      name={`merge-${row.entity}-${row.external_id}`}
                      checked={target === id && choice !== "keep_both" && choice !== "skip"}
                      onChange={() => onDecide(choice === "" || choice === "keep_both" || choice === "skip" ? "fill_blanks" : choice, id)}
                      data-testid="match-candidate"
                    />{" "}
                    It is PH {id}
                  </label>
                ) : (
                  <>In PH ({id})</>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {row.fields.map((f) => (
            <tr key={f.field}>
              <th scope="row">{fieldLabel(f.field)}</th>
              <td className={f.written ? "written" : undefined}>
                {f.file || <span className="muted">—</span>}
                {f.written && <span className="written-mark"> → written</span>}
              </td>
              {f.ph.map((v, i) => (
                <td key={row.ph_ids[i]} className={f.differs[i] ? (v === "" ? "fills" : "differs") : undefined}>
                  {v || <span className="muted">empty</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <label className="match-choice">
        Decision{" "}
        <select
          value={choice}
          onChange={(e) => onDecide(e.target.value as Choice | "", e.target.value === "" ? null : target)}
          data-testid="match-choice"
        >
          <option value="">{ambiguous ? "Undecided" : "Default (fill blanks)"}</option>
          {CHOICES.map((c) => (
            <option key={c.choice} value={c.choice} disabled={c.merges && ambiguous && target === null}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      {row.reasons.length > 0 && <p className="muted match-reasons">Matched: {row.reasons.join("; ")}</p>}
    </li>
  );
}

function classLabel(c: Classification): string {
  switch (c) {
    case "conflict":
      return "disagrees with PH";
    case "ambiguous":
      return "several PH records";
    case "update":
      return "fills blanks";
    default:
      return c;
  }
}
