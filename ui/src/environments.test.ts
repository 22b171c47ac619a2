import { describe, expect, it } from "vitest";
import { confirmsProduction, envAfterRemoval, nameProblem, removedSentence, urlProblem, whoShort, whoSentence } from "./environments";

describe("urlProblem", () => {
  it("accepts https and http to this computer", () => {
    expect(urlProblem("https://import.ph.example")).toBeNull();
    expect(urlProblem("http://127.0.0.1:8787")).toBeNull();
    expect(urlProblem("http://localhost:3000/")).toBeNull();
    expect(urlProblem("http://[::1]:80")).toBeNull();
  });
  it("says what is wrong with other addresses", () => {
    expect(urlProblem("")).toMatch(/Enter/);
    expect(urlProblem("import.ph.example")).toMatch(/not a web address/);
    expect(urlProblem("http://import.ph.example")).toMatch(/only allowed to this computer/);
    expect(urlProblem("https://me:pw@import.ph.example")).toMatch(/user name and password/);
    expect(urlProblem("ftp://import.ph.example")).toMatch(/https/);
  });
});

describe("nameProblem", () => {
  it("keeps names plain and the built-in one reserved", () => {
    expect(nameProblem("rehearsal")).toBeNull();
    expect(nameProblem("Rehearsal")).toMatch(/lowercase/);
    expect(nameProblem("sandbox")).toMatch(/built-in/);
  });
});

describe("whoSentence", () => {
  const clinic = (name: string) => ({ id: name, name, country: "US", requiresEmail: false, clientCount: 0n, patientCount: 0n });
  it("names the role and the clinics", () => {
    expect(whoSentence({ name: "Demo", role: "IMPORTER", clinics: [clinic("A"), clinic("B")] })).toBe(
      "Connected as Demo (importer), 2 clinics: A, B.",
    );
    expect(whoShort({ name: "Viewer", role: "READ_ONLY", clinics: [clinic("A")] })).toBe("Viewer (read-only, 1 clinic)");
    expect(whoSentence({ name: "Viewer", role: "READ_ONLY", clinics: [clinic("A")] })).toBe(
      "Connected as Viewer (read-only: it can plan but not import), 1 clinic: A.",
    );
  });
});

describe("confirmsProduction", () => {
  it("needs the clinic's name or id typed in production only", () => {
    expect(confirmsProduction(false, "lake", "Lakeside", "")).toBe(true);
    expect(confirmsProduction(true, "lake", "Lakeside", "")).toBe(false);
    expect(confirmsProduction(true, "lake", "Lakeside", " Lakeside ")).toBe(true);
    expect(confirmsProduction(true, "lake", "Lakeside", "lake")).toBe(true);
    expect(confirmsProduction(true, "lake", "Lakeside", "lakeside")).toBe(false);
  });
});

describe("removedSentence", () => {
  it("says what became of the token, and is not ok when one may be left in the keychain", () => {
    expect(removedSentence({ name: "staging", token: { state: "deleted" } })).toEqual({
      text: "Removed staging and its token.",
      ok: true,
    });
    expect(removedSentence({ name: "staging", token: { state: "none_stored" } })).toEqual({
      text: "Removed staging (it had no stored token).",
      ok: true,
    });
    const failed = removedSentence({ name: "staging", token: { state: "failed", reason: "the keychain is locked" } });
    expect(failed.ok).toBe(false);
    expect(failed.text).toBe(
      "Removed staging, but its token could not be deleted from the keychain (the keychain is locked): delete the com.ph.client-import entry for staging in this computer's keychain.",
    );
  });
});

describe("envAfterRemoval", () => {
  it("falls back to the built-in Sandbox only when the environment in use was removed", () => {
    expect(envAfterRemoval("staging", "staging")).toBe("sandbox");
    expect(envAfterRemoval("production", "staging")).toBe("production");
    expect(envAfterRemoval("sandbox", "staging")).toBe("sandbox");
  });
});
