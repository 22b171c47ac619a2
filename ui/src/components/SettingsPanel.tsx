import { useState } from "react";
import type { ImportSettings } from "../api";
import type { WeightUnit } from "../bindings/WeightUnit";
import {
  countryChoices,
  parseCountry,
  settingsSummary,
  unitLabel,
  WEIGHT_UNITS,
  type DetectedSettings,
} from "../settings";

interface Props {
  settings: ImportSettings;
  /** What the data suggested, with its evidence. */
  detected: DetectedSettings;
  onChange: (next: ImportSettings) => void;
}

/** The import's settings (country, e-mail, weight unit, deceased/inactive), each showing what
 * the data suggested and why; the same settings `ph-import` takes as flags. */
export function SettingsPanel({ settings, detected, onChange }: Props) {
  const [typed, setTyped] = useState("");
  const typedCode = parseCountry(typed);
  const set = (change: Partial<ImportSettings>) => onChange({ ...settings, ...change });
  const setImport = (change: Partial<ImportSettings["import"]>) =>
    onChange({ ...settings, import: { ...settings.import, ...change } });
  const countries = countryChoices(detected.country.value, settings.country);

  return (
    <details className="settings-panel" open data-testid="settings-panel">
      <summary>
        <strong>Settings for this import</strong>{" "}
        <span className="muted" data-testid="settings-summary">
          {settingsSummary(settings, detected)}
        </span>
      </summary>
      <div className="settings-grid">
        <label htmlFor="setting-country">Clinic's country</label>
        <div>
          <select
            id="setting-country"
            value={settings.country ?? ""}
            onChange={(e) => set({ country: e.target.value || undefined })}
            data-testid="setting-country"
          >
            <option value="">Detected: {detected.country.value}</option>
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name} ({c.code})
              </option>
            ))}
          </select>{" "}
          <input
            className="country-code"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder="other: ISO code"
            aria-label="Another country's ISO code"
            maxLength={2}
            size={12}
          />
          <button type="button" disabled={!typedCode} onClick={() => typedCode && set({ country: typedCode })}>
            Use
          </button>
          <small className={detected.country.unsure ? "why needs-confirm" : "why"} data-testid="setting-country-evidence">
            Detected {detected.country.value}: {detected.country.evidence}
            {detected.country.unsure ? " — please confirm" : ""}. It sets how phones, postcodes and dates are read.
          </small>
        </div>

        <label htmlFor="setting-weight-unit">Weights without a unit are</label>
        <div>
          <select
            id="setting-weight-unit"
            value={settings.weight_unit ?? ""}
            onChange={(e) => set({ weight_unit: (e.target.value || undefined) as WeightUnit | undefined })}
            data-testid="setting-weight-unit"
          >
            <option value="">
              {detected.weightUnit ? `Detected: ${unitLabel(detected.weightUnit.value)}` : "No weight column mapped"}
            </option>
            {WEIGHT_UNITS.map((u) => (
              <option key={u.unit} value={u.unit}>
                {u.label}
              </option>
            ))}
          </select>
          {detected.weightUnit && (
            <small
              className={detected.weightUnit.unsure ? "why needs-confirm" : "why"}
              data-testid="setting-weight-evidence"
            >
              Detected: {detected.weightUnit.evidence}
            </small>
          )}
        </div>

        <span>Required fields</span>
        <label className="check">
          <input
            type="checkbox"
            checked={settings.email_required ?? true}
            onChange={(e) => set({ email_required: e.target.checked ? undefined : false })}
            data-testid="setting-email-required"
          />{" "}
          Clients need an e-mail address <small className="why">(PH's default: yes)</small>
        </label>

        <span>Send to PH</span>
        <div>
          <label className="check">
            <input
              type="checkbox"
              checked={settings.import.send_deceased_patients}
              onChange={(e) => setImport({ send_deceased_patients: e.target.checked })}
              data-testid="setting-send-deceased"
            />{" "}
            Deceased pets
          </label>{" "}
          <label className="check">
            <input
              type="checkbox"
              checked={settings.import.send_inactive_clients}
              onChange={(e) => setImport({ send_inactive_clients: e.target.checked })}
              data-testid="setting-send-inactive"
            />{" "}
            Inactive clients
          </label>
          <small className="why"> Not sent, they are still carried in the files with their flags.</small>
        </div>
      </div>
    </details>
  );
}
