import { describe, expect, it } from "vitest";
import type { Inspection } from "./bindings/Inspection";
import { jobRequest, readableFiles, viewRequest, withHeaderRow, type LoadedFile } from "./files";

describe("looking at a sheet never changes what is imported", () => {
  const request = { path: "/x/book.xlsx", header_rows: { Clients: 2 } };

  it("the job's reading never names a sheet", () => {
    expect(jobRequest({ ...request, sheet: "Patients" })).toEqual(request);
    const file: LoadedFile = {
      request: { ...request, sheet: "Patients" },
      viewed: "Patients",
      preview: {} as Inspection,
      error: null,
      loading: false,
    };
    expect(readableFiles([file])).toEqual([request]);
    expect(readableFiles([{ ...file, error: "broken" }])).toEqual([]);
  });

  it("the preview reads the sheet looked at, with the job's overrides", () => {
    expect(viewRequest(request, "Patients")).toEqual({ ...request, sheet: "Patients" });
    expect(viewRequest({ ...request, sheet: "Old" }, null)).toEqual(request);
  });

  it("a header row is the looked-at sheet's own in a workbook, the file's in a text file", () => {
    expect(withHeaderRow(request, "Patients", 3)).toEqual({
      path: "/x/book.xlsx",
      header_rows: { Clients: 2, Patients: 3 },
    });
    expect(withHeaderRow({ path: "/x/a.csv" }, null, 4)).toEqual({ path: "/x/a.csv", header_row: 4 });
  });
});
