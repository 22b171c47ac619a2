// How finding codes are named on screen. The codes stay stable identifiers (findings.csv,
// filters, the CLI); people read these labels instead. Every code is in docs/findings.md.

const CODE_LABELS = new Map<string, string>(Object.entries({
  missing_required: "Required field is empty",
  orphan_patient: "Pet's owner not found",
  orphan_link_column: "Owner link column looks wrong",
  invalid_email: "Invalid e-mail",
  placeholder_email: "Placeholder e-mail",
  email_domain_typo: "Misspelt e-mail domain",
  multiple_emails: "Several e-mails in one cell",
  invalid_phone: "Invalid phone number",
  placeholder_phone: "Placeholder phone number",
  phone_extension: "Phone extension left out",
  impossible_date: "No such date",
  unparseable_date: "Not a date",
  future_date: "Date in the future",
  ambiguous_date: "Day/month order unclear",
  implausible_age: "Implausible age",
  invalid_weight: "Invalid weight",
  implausible_weight: "Implausible weight",
  invalid_postal_code: "Invalid postal code",
  postal_state_mismatch: "Postal code of another state",
  restored_leading_zero: "ZIP leading zero restored",
  address_lines_shifted: "Address lines moved up",
  organisation_name: "Organisation, not a person",
  excel_mangled_number: "Number damaged by a spreadsheet",
  unknown_species: "Unknown species",
  breed_species_mismatch: "Breed of another species",
  unknown_sex_code: "Unknown sex code",
  inconsistent_repeated_client: "Client repeated with other details",
  duplicate_row: "Duplicate row",
  ragged_row: "Row with missing or extra cells",
  stray_quote: "Stray quote mark",
  name_normalized: "Name tidied",
  second_owner: "Second owner in one cell",
  invalid_boolean: "Not a yes/no value",
  unknown_country: "Unknown country",
  control_characters: "Hidden control characters removed",
}));

/** Words from a snake_case code, e.g. `orphan_patient` → "Orphan patient". */
export function humanizeCode(code: string): string {
  const words = code.split(/[_\s]+/).filter((w) => w.length > 0).join(" ");
  return words.length === 0 ? code : words.charAt(0).toUpperCase() + words.slice(1);
}

/** The label of a finding code; a code added in Rust but not here still reads as words. */
export function codeLabel(code: string): string {
  return CODE_LABELS.get(code) ?? humanizeCode(code);
}

/** Every code that has a label of its own (for the test that keeps this list complete). */
export const LABELLED_CODES: readonly string[] = [...CODE_LABELS.keys()];
