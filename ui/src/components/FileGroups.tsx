import { useEffect, useState } from "react";
import { api, errorMessage } from "../api";
import type { Decisions } from "../bindings/Decisions";
import type { DuplicateKind } from "../bindings/DuplicateKind";
import type { Entity } from "../bindings/Entity";
import type { GroupFilter } from "../bindings/GroupFilter";
import type { GroupPage } from "../bindings/GroupPage";
import type { GroupRow } from "../bindings/GroupRow";
import { fieldLabel, groupCountsLine, kindLabel, opLine } from "../duplicates";
import { formatCount } from "../format";
import { countOf } from "../importPlan";
import { Pager } from "./Pager";

const PAGE = 20;

const KINDS: readonly { value: DuplicateKind | ""; label: string }[] = [
  { value: "", label: "All" },
  { value: "conflicting_duplicate", label: "Same person, other details" },
  { value: "fuzzy_duplicate", label: "Same person, typos" },
  { value: "exact_duplicate", label: "Same ID or e-mail" },
  { value: "same_household", label: "Households" },
  { value: "duplicate_row", label: "Repeated rows" },
];

interface Props {
  runId: string;
  decisions: Decisions;
  onDecisions: (d: Decisions) => void;
}

/** The files' own duplicate groups, members side by side; a group of one person can be
 * imported as one record with the pets of all. */
export function FileGroups({ runId, decisions, onDecisions }: Props) {
  const [filter, setFilter] = useState<GroupFilter>({ entity: null, kind: null, search: "" });
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<GroupPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    api.planGroups(runId, decisions, filter, offset, PAGE).then(
      (p) => alive && setPage(p),
      (e) => alive && setError(errorMessage(e)),
    );
    return () => {
      alive = false;
    };
  }, [runId, decisions, filter, offset]);

  const refilter = (f: Partial<GroupFilter>) => {
    setFilter((old) => ({ ...old, ...f }));
    setOffset(0);
    setNote(null);
  };

  const decideOne = (g: GroupRow, oneRecord: boolean) => {
    setNote(null);
    api.decideGroup(runId, decisions, g.id, oneRecord).then(onDecisions, (e) => setError(errorMessage(e)));
  };

  const decideAll = (oneRecord: boolean) => {
    api.decideGroups(runId, decisions, filter, oneRecord).then(
      (b) => {
        onDecisions(b.decisions);
        setNote(
          `${countOf(b.decided, "group", "groups")} ${oneRecord ? "made one record each" : "made separate records again"}.` +
            (b.left > 0 ? ` ${countOf(b.left, "household or repeated row", "households and repeated rows")} left as ${b.left === 1 ? "it is" : "they are"}.` : ""),
        );
      },
      (e) => setError(errorMessage(e)),
    );
  };

  if (page === null) return error ? <div className="error-box">{error}</div> : null;
  return (
    <div role="tabpanel" data-testid="duplicates-files">
      <p className="muted" data-testid="groups-counts">
        {groupCountsLine(page.counts)} By default every record is imported; a group you make one record is imported
        as its first member, with the pets of all.
      </p>
      <div className="inline-form duplicates-filters">
        <label>
          Show{" "}
          <select
            value={filter.entity ?? ""}
            onChange={(e) => refilter({ entity: e.target.value === "" ? null : (e.target.value as Entity) })}
          >
            <option value="">clients and pets</option>
            <option value="client">clients</option>
            <option value="patient">pets</option>
          </select>
        </label>
        <div role="group" aria-label="Kind" className="chips">
          {KINDS.map((k) => (
            <button
              key={k.value}
              type="button"
              aria-pressed={(filter.kind ?? "") === k.value}
              onClick={() => refilter({ kind: k.value === "" ? null : k.value })}
              data-testid={`groups-kind-${k.value || "all"}`}
            >
              {k.label}
            </button>
          ))}
        </div>
        <input
          type="search"
          placeholder="Name or ID"
          aria-label="Search groups by name or ID"
          value={filter.search}
          onChange={(e) => refilter({ search: e.target.value })}
        />
      </div>
      <div className="inline-form duplicates-bulk">
        <span>For all {formatCount(page.total)} listed:</span>
        <button type="button" disabled={page.total === 0} onClick={() => decideAll(true)} data-testid="groups-all-one">
          One record each
        </button>
        <button type="button" disabled={page.total === 0} onClick={() => decideAll(false)} data-testid="groups-all-separate">
          Separate records
        </button>
      </div>
      {note && (
        <p role="status" className="muted" data-testid="groups-note">
          {note}
        </p>
      )}
      {error && <div className="error-box">{error}</div>}
      <ol className="match-list">
        {page.rows.map((g) => (
          <GroupCard key={g.id} group={g} onDecide={(one) => decideOne(g, one)} />
        ))}
      </ol>
      {page.total === 0 && <p className="muted">No group matches the filter.</p>}
      <Pager total={page.total} offset={offset} size={PAGE} onOffset={setOffset} />
    </div>
  );
}

/** One group: its members as columns, values that differ from the first member's marked. */
function GroupCard({ group, onDecide }: { group: GroupRow; onDecide: (oneRecord: boolean) => void }) {
  const what = group.entity === "client" ? "clients" : "pets";
  const first = group.members[0];
  return (
    <li className={`match-card group-${group.kind}`} data-testid="group-card">
      <header>
        <strong>
          {countOf(group.members.length, what.slice(0, -1), what)}: {group.members.map((m) => m.label || m.external_id).join(" / ")}
        </strong>{" "}
        <span className="badge">{kindLabel(group.kind)}</span>
      </header>
      <table className="match-table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            {group.members.map((m) => (
              <th scope="col" key={`${m.external_id}:${m.row}`}>
                ID {m.external_id || "—"} <span className="muted">· row {m.row}</span>
                {group.entity === "client" && <div className="muted">{countOf(Number(m.pets), "pet", "pets")}</div>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {group.fields.map((f) => (
            <tr key={f.field}>
              <th scope="row">{fieldLabel(f.field)}</th>
              {f.values.map((v, i) => (
                <td key={i} className={f.differs[i] ? "differs" : undefined}>
                  {v || <span className="muted">—</span>}
                </td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">Import</th>
            {group.members.map((m) => (
              <td key={`${m.external_id}:${m.row}:op`} className="muted" data-testid="group-op">
                {m.op ? opLine(m.op, group.entity) : "left out for errors"}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      {group.can_merge ? (
        <label className="match-choice">
          Decision{" "}
          <select
            value={group.one_record ? "one" : "separate"}
            onChange={(e) => onDecide(e.target.value === "one")}
            data-testid="group-choice"
          >
            <option value="separate">Separate records: import each</option>
            <option value="one">
              One {group.entity === "client" ? "person" : "pet"}: import as ID {first?.external_id}
              {group.entity === "client" ? ", with the pets of all" : ""}
            </option>
          </select>
        </label>
      ) : (
        <p className="muted">
          {group.kind === "same_household"
            ? "Different people sharing an address or contact: each is imported."
            : "A row repeated cell for cell: it is imported once."}
        </p>
      )}
      {group.members.some((m) => m.reasons.length > 0) && (
        <p className="muted match-reasons">Grouped: {[...new Set(group.members.flatMap((m) => m.reasons))].join("; ")}</p>
      )}
    </li>
  );
}
