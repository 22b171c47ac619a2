import { describe, expect, it } from "vitest";
import type { TableTally } from "./bindings/TableTally";
import { emptyTableWarning, emptyTables, tallyLine } from "./tables";

const tally = (table: string, rows: number, clients: number, patients: number): TableTally => ({
  table,
  role: "clients",
  rows,
  clients,
  patients,
  left_out: null,
});

describe("table tallies", () => {
  const clients = tally("book.xlsx [Clients]", 560, 560, 0);
  const patients = tally("book.xlsx [Patients]", 1240, 0, 0);
  const blank = tally("book.xlsx [Notes]", 0, 0, 0);

  it("finds only the tables with rows that give no record", () => {
    expect(emptyTables([clients, patients, blank])).toEqual([patients]);
    expect(emptyTables([clients, tally("pets.csv", 3, 0, 3)])).toEqual([]);
    const settings = { ...tally("book.xlsx [Practice Info]", 6, 0, 0), left_out: "a settings sheet" };
    expect(emptyTables([clients, settings])).toEqual([]);
    expect(tallyLine(settings)).toBe("book.xlsx [Practice Info]: 6 rows, a settings sheet");
  });

  it("says which table gives nothing and where to look", () => {
    expect(emptyTableWarning(patients)).toBe(
      "book.xlsx [Patients] has 1,240 rows but gives no records: check what it holds and its columns on Map columns.",
    );
  });

  it("describes what each table gives", () => {
    expect(tallyLine(clients)).toBe("book.xlsx [Clients]: 560 rows → 560 clients");
    expect(tallyLine(tally("all.csv", 10, 8, 10))).toBe("all.csv: 10 rows → 8 clients and 10 patients");
    expect(tallyLine(tally("pets.csv", 3, 0, 3))).toBe("pets.csv: 3 rows → 3 patients");
  });
});
