// The import settings panel's pure part: what the data suggested for each setting, and what
// is applied when a person leaves a setting to the data. The settings themselves are the
// core's `ImportSettings` (the same the CLI's flags fill); this only reads and shows them.
import type { ImportSettings, Resolved } from "./api";
import type { WeightUnit } from "./bindings/WeightUnit";

/** Settings a new import starts with: everything left to the data and the target. */
export const DEFAULT_SETTINGS: ImportSettings = {
  import: { send_deceased_patients: false, send_inactive_clients: false },
  roles: {},
};

/** How the core's weight reasons start (`WEIGHT_UNIT_REASON` in mapping/suggest.rs). */
export const WEIGHT_UNIT_REASON = "numbers without a unit: ";

/** The weight units a person can choose, with their names. */
export const WEIGHT_UNITS: { unit: WeightUnit; label: string }[] = [
  { unit: "kg", label: "kilograms (kg)" },
  { unit: "lb", label: "pounds (lb)" },
  { unit: "g", label: "grams (g)" },
  { unit: "oz", label: "ounces (oz)" },
];

/** Countries offered first; any other ISO code can be typed. */
export const COUNTRIES: { code: string; name: string }[] = [
  { code: "US", name: "United States" },
  { code: "CA", name: "Canada" },
  { code: "AU", name: "Australia" },
  { code: "NZ", name: "New Zealand" },
  { code: "GB", name: "United Kingdom" },
  { code: "IE", name: "Ireland" },
  { code: "ZA", name: "South Africa" },
];

/** What the data said about a setting, and why. */
export interface Detected<T> {
  value: T;
  evidence: string;
  /** A guess the person should confirm. */
  unsure: boolean;
}

/** The settings the data suggested: the country, and the unit of bare-number weights
 * (null when no weight column is mapped). */
export interface DetectedSettings {
  country: Detected<string>;
  weightUnit: Detected<WeightUnit> | null;
}

/** Reads the suggestion's evidence for each setting from a resolved mapping. */
export function detectedSettings(resolved: Resolved): DetectedSettings {
  const country: Detected<string> = {
    value: resolved.country.code,
    evidence: resolved.country.reasons.join("; "),
    unsure: resolved.country.needs_confirmation,
  };
  for (const table of resolved.mapping.tables) {
    for (const f of table.fields) {
      if (f.transform.kind !== "weight") continue;
      const reason = f.reasons.find((r) => r.startsWith(WEIGHT_UNIT_REASON));
      return {
        country,
        weightUnit: {
          value: f.transform.unit,
          evidence: reason ? reason.slice(WEIGHT_UNIT_REASON.length) : `“${f.columns.join(", ")}”`,
          unsure: f.needs_confirmation,
        },
      };
    }
  }
  return { country, weightUnit: null };
}

/** The settings to apply when a person changes `previous` to `next`: a setting they put
 * back to "detected" takes what the data said, undoing their earlier choice; a setting they
 * never touched stays unset, so an unsure guess still asks to be confirmed. */
export function settingsToApply(
  previous: ImportSettings,
  next: ImportSettings,
  detected: DetectedSettings,
): ImportSettings {
  const reverted = <T>(was: T | undefined, now: T | undefined, data: T | undefined) =>
    now ?? (was !== undefined ? data : undefined);
  return {
    ...next,
    country: reverted(previous.country, next.country, detected.country.value),
    weight_unit: reverted(previous.weight_unit, next.weight_unit, detected.weightUnit?.value),
  };
}

/** A typed country code, upper-cased, or null when it is not two letters. */
export function parseCountry(text: string): string | null {
  const code = text.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) ? code : null;
}

/** The countries to offer: the usual ones, with the detected and chosen ones added. */
export function countryChoices(...codes: (string | undefined)[]): { code: string; name: string }[] {
  const choices = [...COUNTRIES];
  for (const code of codes) {
    if (code && !choices.some((c) => c.code === code)) choices.push({ code, name: code });
  }
  return choices;
}

/** The unit's name for people. */
export function unitLabel(unit: WeightUnit): string {
  return WEIGHT_UNITS.find((u) => u.unit === unit)?.label ?? unit;
}

/** One line saying what the settings do, for the panel's heading. */
export function settingsSummary(settings: ImportSettings, detected: DetectedSettings): string {
  const country = settings.country ?? detected.country.value;
  const unit = settings.weight_unit ?? detected.weightUnit?.value;
  const parts = [
    `Country ${country}`,
    settings.email_required === false ? "e-mail not required" : "e-mail required",
  ];
  if (unit) parts.push(`bare weights in ${unit}`);
  parts.push(settings.import.send_deceased_patients ? "deceased pets sent" : "deceased pets not sent");
  parts.push(settings.import.send_inactive_clients ? "inactive clients sent" : "inactive clients not sent");
  return parts.join(" · ");
}
