// How mapping pieces are named on screen. Presentation only: what they mean is decided in Rust.
import type { DateOrder } from "./bindings/DateOrder";
import type { TableRole } from "./bindings/TableRole";
import type { Transform } from "./bindings/Transform";

const ORDER: Record<DateOrder, string> = { mdy: "month/day/year", dmy: "day/month/year", ymd: "year-month-day" };

/** A short description of a transform, e.g. "date, day/month/year". */
export function describeTransform(t: Transform): string {
  switch (t.kind) {
    case "copy":
      return "as is";
    case "constant":
      return `always “${t.value}”`;
    case "ignore":
      return "ignored";
    case "join":
      return `columns joined with “${t.separator}”`;
    case "split_name":
      return `${t.part} name, from a full name`;
    case "split_address":
      return `${t.part.replace("_", " ")}, from a one-line address`;
    case "date":
      return `date, ${ORDER[t.order]}`;
    case "species":
      return "species codes";
    case "sex":
      return "sex codes";
    case "bool":
      return t.invert ? "yes/no, inverted" : "yes/no";
    case "present":
      return "true when filled";
    case "weight":
      return `weight in kg (numbers without a unit: ${t.unit})`;
    case "phone":
      return `phone number (${t.country})`;
    case "email":
      return "e-mail address";
    case "state":
      return "state or province code";
    case "country":
      return "country code";
    case "microchip":
      return "microchip number";
  }
}

/** What a table holds, for people. */
export function describeRole(role: TableRole): string {
  switch (role) {
    case "combined":
      return "owners and pets (one row per pet)";
    case "clients":
      return "owners only";
    case "patients":
      return "pets only, linked to owners";
  }
}

/** A confidence as a whole percentage. */
export function percentOf(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}
