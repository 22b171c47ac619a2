import { describe, expect, it } from "vitest";
import findingsDoc from "../../docs/findings.md?raw";
import { LABELLED_CODES, codeLabel, humanizeCode } from "./labels";

describe("codeLabel", () => {
  it("names known codes for people", () => {
    expect(codeLabel("orphan_patient")).toBe("Pet's owner not found");
    expect(codeLabel("invalid_email")).toBe("Invalid e-mail");
  });
  it("turns a code it does not know into words", () => {
    expect(codeLabel("brand_new_check")).toBe("Brand new check");
    expect(codeLabel("constructor")).toBe("Constructor");
  });
  it("has a label for every code of docs/findings.md, and none the docs lack", () => {
    // The codes table's rows start with "| `code` | severity |".
    const documented = [...findingsDoc.matchAll(/^\| `([a-z_]+)` \| (?:error|warning|fixed) \|/gm)].map((m) => m[1]);
    expect(documented.length).toBeGreaterThan(20);
    expect([...LABELLED_CODES].sort()).toEqual([...documented].sort());
  });
});

describe("humanizeCode", () => {
  it("capitalizes the first word only and drops underscores", () => {
    expect(humanizeCode("excel_mangled_number")).toBe("Excel mangled number");
    expect(humanizeCode("__odd__code_")).toBe("Odd code");
    expect(humanizeCode("")).toBe("");
  });
});
