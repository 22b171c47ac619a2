// Typed access to the Rust side. Every type here is generated from Rust
// (src/bindings, written by `cargo test`), never written by hand.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppError } from "./bindings/AppError";
import type { AppInfo } from "./bindings/AppInfo";
import type { EnvironmentStatus } from "./bindings/EnvironmentStatus";
import type { Inspection } from "./bindings/Inspection";
import type { ReadProgress } from "./bindings/ReadProgress";
import type { ReadRequest } from "./bindings/ReadRequest";
import type { Field } from "./bindings/Field";
import type { FieldInfo } from "./bindings/FieldInfo";
import type { Resolved } from "./bindings/Resolved";
import type { WriteSummary } from "./bindings/WriteSummary";

export type { AppError, AppInfo, EnvironmentStatus, Field, FieldInfo, Inspection, ReadProgress, ReadRequest, Resolved, WriteSummary };

/** Turns whatever a command rejected with into a message a person can act on. */
export function errorMessage(e: unknown): string {
  if (typeof e === "object" && e !== null && "message" in e) {
    const message = (e as { message: unknown }).message;
    if (typeof message === "string" && message.length > 0) return message;
  }
  if (typeof e === "string" && e.length > 0) return e;
  return "Something went wrong that the app did not expect. Try again; if it happens again, report it with the file's name.";
}

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  environmentStatus: () => invoke<EnvironmentStatus>("environment_status"),
  previewFile: (request: ReadRequest) => invoke<Inspection>("preview_file", { request }),
  inspectFile: (jobId: string, request: ReadRequest) =>
    invoke<Inspection>("inspect_file", { jobId, request }),
  cancelJob: (jobId: string) => invoke<boolean>("cancel_job", { jobId }),
  canonicalFields: () => invoke<FieldInfo[]>("canonical_fields"),
  suggestMapping: (files: ReadRequest[], country: string) =>
    invoke<Resolved>("suggest_mapping", { files, country }),
  remapField: (resolved: Resolved, table: number, field: Field, column: string | null, country: string) =>
    invoke<Resolved>("remap_field", { resolved, table, field, column, country }),
  saveProfile: (name: string, description: string, mapping: Resolved["mapping"]) =>
    invoke<string>("save_profile", { name, description, mapping }),
  exportProfile: (name: string, mapping: Resolved["mapping"], path: string) =>
    invoke<void>("export_profile", { name, mapping, path }),
  applyProfile: (files: ReadRequest[], profile: string, country: string) =>
    invoke<Resolved>("apply_profile", { files, profile, country }),
  listProfiles: () => invoke<string[]>("list_profiles"),
  saveCanonical: (jobId: string, files: ReadRequest[], mapping: Resolved["mapping"], dir: string) =>
    invoke<WriteSummary>("save_canonical", { jobId, files, mapping, dir }),
  onReadProgress: (handler: (p: ReadProgress) => void): Promise<UnlistenFn> =>
    listen<ReadProgress>("read-progress", (e) => handler(e.payload)),
  onEnvironmentChanged: (handler: (s: EnvironmentStatus) => void): Promise<UnlistenFn> =>
    listen<EnvironmentStatus>("environment-changed", (e) => handler(e.payload)),
};
