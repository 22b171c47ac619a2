import { describe, expect, it } from "vitest";
import type { Resolved } from "./api";
import {
  countryChoices,
  DEFAULT_SETTINGS,
  detectedSettings,
  parseCountry,
  settingsSummary,
  settingsToApply,
  type DetectedSettings,
} from "./settings";

/** A resolved mapping of one patients table whose weight column holds `5,32`-style numbers. */
function resolved(withWeight: boolean): Resolved {
  return {
    origin: { kind: "suggestion" },
    country: { code: "AU", reasons: ["states NSW, VIC"], needs_confirmation: false },
    tables: [],
    mapping: {
      version: 1,
      country: "AU",
      tables: [
        {
          table: "pets.csv",
          role: "patients",
          fields: [
            {
              field: "patient.name",
              columns: ["Name"],
              transform: { kind: "copy" },
              confidence: 1,
              needs_confirmation: false,
              reasons: [],
            },
            ...(withWeight
              ? [
                  {
                    field: "patient.weight_kg" as const,
                    columns: ["Weight"],
                    transform: { kind: "weight" as const, unit: "kg" as const },
                    confidence: 0.6,
                    needs_confirmation: true,
                    reasons: [
                      "header matches",
                      "numbers without a unit: kilograms, as the values have decimal commas (5,32): please confirm",
                    ],
                  },
                ]
              : []),
          ],
          ignored: [],
          pet_groups: [],
          left_out: null,
        },
      ],
    },
  } as unknown as Resolved;
}

const detected: DetectedSettings = {
  country: { value: "AU", evidence: "states NSW, VIC", unsure: false },
  weightUnit: { value: "kg", evidence: "decimal commas", unsure: true },
};

describe("detectedSettings", () => {
  it("reads the country and the weight unit with their evidence", () => {
    const d = detectedSettings(resolved(true));
    expect(d.country).toEqual({ value: "AU", evidence: "states NSW, VIC", unsure: false });
    expect(d.weightUnit).toEqual({
      value: "kg",
      evidence: "kilograms, as the values have decimal commas (5,32): please confirm",
      unsure: true,
    });
  });
  it("has no weight unit when no weight column is mapped", () => {
    expect(detectedSettings(resolved(false)).weightUnit).toBeNull();
  });
});

describe("settingsToApply", () => {
  it("leaves untouched settings unset, so an unsure guess is still asked", () => {
    const next = { ...DEFAULT_SETTINGS, country: "US" };
    expect(settingsToApply(DEFAULT_SETTINGS, next, detected)).toEqual({ ...next, weight_unit: undefined });
  });
  it("puts back what the data said when a choice is undone", () => {
    const before = { ...DEFAULT_SETTINGS, country: "US", weight_unit: "lb" as const };
    const applied = settingsToApply(before, DEFAULT_SETTINGS, detected);
    expect(applied.country).toBe("AU");
    expect(applied.weight_unit).toBe("kg");
  });
  it("keeps the send policy and roles the person chose", () => {
    const next = {
      ...DEFAULT_SETTINGS,
      import: { send_deceased_patients: true, send_inactive_clients: false },
      roles: { "pets.csv": "patients" as const },
    };
    const applied = settingsToApply(DEFAULT_SETTINGS, next, detected);
    expect(applied.import.send_deceased_patients).toBe(true);
    expect(applied.roles).toEqual({ "pets.csv": "patients" });
  });
});

describe("parseCountry", () => {
  it("accepts two letters in any case", () => {
    expect(parseCountry(" au ")).toBe("AU");
    expect(parseCountry("nz")).toBe("NZ");
  });
  it("refuses anything else", () => {
    expect(parseCountry("AUS")).toBeNull();
    expect(parseCountry("")).toBeNull();
    expect(parseCountry("4U")).toBeNull();
  });
});

describe("countryChoices", () => {
  it("adds a detected or chosen country that is not in the list, once", () => {
    const codes = countryChoices("DE", "DE", "AU", undefined).map((c) => c.code);
    expect(codes.filter((c) => c === "DE")).toHaveLength(1);
    expect(codes.filter((c) => c === "AU")).toHaveLength(1);
    expect(codes[0]).toBe("US");
  });
});

describe("settingsSummary", () => {
  it("says what the data decided when nothing is set", () => {
    expect(settingsSummary(DEFAULT_SETTINGS, detected)).toBe(
      "Country AU · e-mail required · bare weights in kg · deceased pets not sent · inactive clients not sent",
    );
  });
  it("says the person's choices", () => {
    const s = {
      country: "US",
      email_required: false,
      weight_unit: "lb" as const,
      import: { send_deceased_patients: true, send_inactive_clients: true },
      roles: {},
    };
    expect(settingsSummary(s, { ...detected, weightUnit: null })).toBe(
      "Country US · e-mail not required · bare weights in lb · deceased pets sent · inactive clients sent",
    );
  });
});
