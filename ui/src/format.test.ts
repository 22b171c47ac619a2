import { describe, expect, it } from "vitest";
import { describeDelimiter, fileName, folderOf, formatBytes, formatCount, percent } from "./format";

describe("describeDelimiter", () => {
  it("names the delimiters the reader sniffs", () => {
    expect(describeDelimiter(",")).toBe("comma");
    expect(describeDelimiter(";")).toBe("semicolon");
    expect(describeDelimiter("\t")).toBe("tab");
    expect(describeDelimiter("|")).toBe("pipe");
  });
  it("shows a dash for workbooks, which have no delimiter", () => {
    expect(describeDelimiter(null)).toBe("—");
  });
  it("quotes any other character", () => {
    expect(describeDelimiter("^")).toBe("“^”");
  });
});

describe("fileName", () => {
  it("takes the last part of Unix and Windows paths", () => {
    expect(fileName("/home/me/clients.csv")).toBe("clients.csv");
    expect(fileName("C:\\Exports\\Patients.xlsx")).toBe("Patients.xlsx");
    expect(fileName("plain.csv")).toBe("plain.csv");
  });
});

describe("folderOf", () => {
  it("takes the folder of Unix and Windows paths", () => {
    expect(folderOf("/home/me/out/clients.csv")).toBe("/home/me/out");
    expect(folderOf("C:\\Exports\\out\\clients.csv")).toBe("C:\\Exports\\out");
  });
  it("keeps a root, and is null for a bare name", () => {
    expect(folderOf("/clients.csv")).toBe("/");
    expect(folderOf("C:\\clients.csv")).toBe("C:\\");
    expect(folderOf("clients.csv")).toBeNull();
  });
});

describe("formatCount and formatBytes", () => {
  it("groups thousands", () => {
    expect(formatCount(1000000)).toBe("1,000,000");
  });
  it("uses binary units with one decimal under ten", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(150 * 1024 * 1024)).toBe("150 MB");
  });
});

describe("percent", () => {
  it("is null when the total is unknown", () => {
    expect(percent(10, null)).toBeNull();
    expect(percent(10, 0)).toBeNull();
  });
  it("clamps to 0..100", () => {
    expect(percent(50, 200)).toBe(25);
    expect(percent(300, 200)).toBe(100);
  });
});

import { describeRole, describeTransform, percentOf } from "./describe";

describe("describe", () => {
  it("names transforms for people", () => {
    expect(describeTransform({ kind: "date", order: "dmy", pivot_year: 2026 })).toBe("date, day/month/year");
    expect(describeTransform({ kind: "split_address", part: "postal_code" })).toBe(
      "postal code, from a one-line address",
    );
    expect(describeTransform({ kind: "weight", unit: "lb" })).toBe("weight in kg (numbers without a unit: lb)");
  });
  it("names roles and confidences", () => {
    expect(describeRole("patients")).toBe("pets only, linked to owners");
    expect(percentOf(0.845)).toBe("85%");
  });
});
