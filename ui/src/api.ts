// Typed access to the Rust side. Every type here is generated from Rust
// (src/bindings, written by `cargo test`), never written by hand.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { ImportSettings } from "./bindings/ImportSettings";
import type { AppError } from "./bindings/AppError";
import type { AppInfo } from "./bindings/AppInfo";
import type { EnvironmentStatus } from "./bindings/EnvironmentStatus";
import type { Inspection } from "./bindings/Inspection";
import type { ReadProgress } from "./bindings/ReadProgress";
import type { ReadRequest } from "./bindings/ReadRequest";
import type { CodeEntry } from "./bindings/CodeEntry";
import type { Field } from "./bindings/Field";
import type { FieldInfo } from "./bindings/FieldInfo";
import type { Resolved } from "./bindings/Resolved";
import type { WriteSummary } from "./bindings/WriteSummary";
import type { EditedSummary } from "./bindings/EditedSummary";
import type { EditOutcome } from "./bindings/EditOutcome";
import type { Entity } from "./bindings/Entity";
import type { Filter } from "./bindings/Filter";
import type { Page } from "./bindings/Page";
import type { ReviewProgress } from "./bindings/ReviewProgress";
import type { SimilarOutcome } from "./bindings/SimilarOutcome";
import type { Summary } from "./bindings/Summary";
import type { TableRole } from "./bindings/TableRole";
import type { ClinicList } from "./bindings/ClinicList";
import type { ImportProgress } from "./bindings/ImportProgress";
import type { PlanOverview } from "./bindings/PlanOverview";
import type { PlanProgress } from "./bindings/PlanProgress";
import type { RunReport } from "./bindings/RunReport";
import type { EnvironmentEntry } from "./bindings/EnvironmentEntry";
import type { EnvironmentKind } from "./bindings/EnvironmentKind";
import type { EnvironmentRemoved } from "./bindings/EnvironmentRemoved";
import type { PhPrincipal } from "./bindings/PhPrincipal";
import type { BulkDecision } from "./bindings/BulkDecision";
import type { Choice } from "./bindings/Choice";
import type { Decisions } from "./bindings/Decisions";
import type { MatchFilter } from "./bindings/MatchFilter";
import type { MatchPage } from "./bindings/MatchPage";
import type { GroupFilter } from "./bindings/GroupFilter";
import type { AuditLog } from "./bindings/AuditLog";
import type { RunDetail } from "./bindings/RunDetail";
import type { RunSummary } from "./bindings/RunSummary";
import type { UndoReport } from "./bindings/UndoReport";
import type { GroupPage } from "./bindings/GroupPage";
import type { CohortEvent } from "./bindings/CohortEvent";
import type { CohortOpened } from "./bindings/CohortOpened";

export type { EnvironmentEntry, EnvironmentKind, EnvironmentRemoved, PhPrincipal };

export type { AppError, AppInfo, EnvironmentStatus, Field, FieldInfo, ImportSettings, Inspection, ReadProgress, ReadRequest, Resolved, WriteSummary };
export type { EditedSummary, EditOutcome, Entity, Filter, Page, ReviewProgress, SimilarOutcome, Summary };

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
  setCodes: (resolved: Resolved, table: number, column: string, field: Field, codes: CodeEntry[]) =>
    invoke<Resolved>("set_codes", { resolved, table, column, field, codes }),
  setTableRole: (resolved: Resolved, table: number, role: TableRole, settings: ImportSettings) =>
    invoke<Resolved>("set_table_role", { resolved, table, role, settings }),
  canonicalFields: (settings: ImportSettings) => invoke<FieldInfo[]>("canonical_fields", { settings }),
  suggestMapping: (files: ReadRequest[], settings: ImportSettings) =>
    invoke<Resolved>("suggest_mapping", { files, settings }),
  remapField: (resolved: Resolved, table: number, field: Field, column: string | null, settings: ImportSettings) =>
    invoke<Resolved>("remap_field", { resolved, table, field, column, settings }),
  applySettings: (resolved: Resolved, settings: ImportSettings) =>
    invoke<Resolved>("apply_settings", { resolved, settings }),
  saveProfile: (name: string, description: string, mapping: Resolved["mapping"]) =>
    invoke<string>("save_profile", { name, description, mapping }),
  exportProfile: (name: string, mapping: Resolved["mapping"], path: string) =>
    invoke<void>("export_profile", { name, mapping, path }),
  applyProfile: (files: ReadRequest[], profile: string, settings: ImportSettings) =>
    invoke<Resolved>("apply_profile", { files, profile, settings }),
  listProfiles: () => invoke<string[]>("list_profiles"),
  saveCanonical: (
    jobId: string,
    files: ReadRequest[],
    mapping: Resolved["mapping"],
    dir: string,
    settings: ImportSettings,
  ) => invoke<WriteSummary>("save_canonical", { jobId, files, mapping, dir, settings }),
  openReview: (jobId: string, files: ReadRequest[], mapping: Resolved["mapping"], settings: ImportSettings) =>
    invoke<Summary>("open_review", { jobId, files, mapping, settings }),
  reviewSummary: () => invoke<Summary>("review_summary"),
  reviewPage: (entity: Entity, filter: Filter, offset: number, limit: number) =>
    invoke<Page>("review_page", { entity, filter, offset, limit }),
  reviewEdit: (entity: Entity, id: number, field: Field, value: string) =>
    invoke<EditOutcome>("review_edit", { entity, id, field, value }),
  reviewSimilarCount: (code: string, field: Field, value: string) =>
    invoke<number>("review_similar_count", { code, field, value }),
  reviewApplySimilar: (code: string, field: Field, value: string, replacement: string | null) =>
    invoke<SimilarOutcome>("review_apply_similar", { code, field, value, replacement }),
  reviewExclude: (entity: Entity, ids: number[], excluded: boolean) =>
    invoke<Summary>("review_exclude", { entity, ids, excluded }),
  saveReviewed: (
    jobId: string,
    files: ReadRequest[],
    mapping: Resolved["mapping"],
    dir: string,
    settings: ImportSettings,
  ) => invoke<EditedSummary>("save_reviewed", { jobId, files, mapping, dir, settings }),
  listEnvironments: () => invoke<EnvironmentEntry[]>("list_environments"),
  saveEnvironment: (name: string, baseUrl: string, kind: EnvironmentKind, existing: boolean) =>
    invoke<void>("save_environment", { name, baseUrl, kind, existing }),
  storeToken: (name: string, token: string) => invoke<PhPrincipal>("store_token", { name, token }),
  forgetToken: (name: string) => invoke<boolean>("forget_token", { name }),
  removeEnvironment: (name: string) => invoke<EnvironmentRemoved>("remove_environment", { name }),
  testConnection: (name: string) => invoke<PhPrincipal>("test_connection", { name }),
  listClinics: (env: string) => invoke<ClinicList>("list_clinics", { env }),
  planImport: (
    jobId: string,
    files: ReadRequest[],
    mapping: Resolved["mapping"],
    settings: ImportSettings,
    env: string,
    clinicId: string,
    decisions: Decisions,
  ) => invoke<PlanOverview>("plan_import", { jobId, files, mapping, settings, env, clinicId, decisions }),
  planMatches: (runId: string, decisions: Decisions, filter: MatchFilter, offset: number, limit: number) =>
    invoke<MatchPage>("plan_matches", { runId, decisions, filter, offset, limit }),
  decideMatch: (decisions: Decisions, entity: Entity, externalId: string, choice: Choice, phId: string | null) =>
    invoke<Decisions>("decide_match", { decisions, entity, externalId, choice, phId }),
  decideMatches: (runId: string, decisions: Decisions, filter: MatchFilter, choice: Choice) =>
    invoke<BulkDecision>("decide_matches", { runId, decisions, filter, choice }),
  planGroups: (runId: string, decisions: Decisions, filter: GroupFilter, offset: number, limit: number) =>
    invoke<GroupPage>("plan_groups", { runId, decisions, filter, offset, limit }),
  decideGroup: (runId: string, decisions: Decisions, id: number, oneRecord: boolean) =>
    invoke<Decisions>("decide_group", { runId, decisions, id, oneRecord }),
  decideGroups: (runId: string, decisions: Decisions, filter: GroupFilter, oneRecord: boolean) =>
    invoke<BulkDecision>("decide_groups", { runId, decisions, filter, oneRecord }),
  applyImport: (runId: string, confirmation: string) =>
    invoke<RunReport>("apply_import", { runId, confirmation }),
  listRuns: () => invoke<RunSummary[]>("list_runs"),
  runDetail: (runId: string) => invoke<RunDetail>("run_detail", { runId }),
  undoRun: (runId: string, confirmation: string, deleteChanged: boolean) =>
    invoke<UndoReport>("undo_run", { runId, confirmation, deleteChanged }),
  purgeRun: (runId: string) => invoke<null>("purge_run", { runId }),
  auditLog: () => invoke<AuditLog>("audit_log"),
  saveReportCopy: (runId: string, name: string, to: string) => invoke<number>("save_report_copy", { runId, name, to }),
  cohortOpen: (path: string) => invoke<CohortOpened>("cohort_open", { path }),
  cohortPlan: (path: string, skipFailing: boolean) => invoke<CohortOpened>("cohort_plan", { path, skipFailing }),
  cohortApply: (path: string, confirmation: string) => invoke<CohortOpened>("cohort_apply", { path, confirmation }),
  onCohortEvent: (handler: (e: CohortEvent) => void): Promise<UnlistenFn> =>
    listen<CohortEvent>("cohort-event", (e) => handler(e.payload)),
  onPlanProgress: (handler: (p: PlanProgress) => void): Promise<UnlistenFn> =>
    listen<PlanProgress>("plan-progress", (e) => handler(e.payload)),
  onImportProgress: (handler: (p: ImportProgress) => void): Promise<UnlistenFn> =>
    listen<ImportProgress>("import-progress", (e) => handler(e.payload)),
  onReviewProgress: (handler: (p: ReviewProgress) => void): Promise<UnlistenFn> =>
    listen<ReviewProgress>("review-progress", (e) => handler(e.payload)),
  onReadProgress: (handler: (p: ReadProgress) => void): Promise<UnlistenFn> =>
    listen<ReadProgress>("read-progress", (e) => handler(e.payload)),
  onEnvironmentChanged: (handler: (s: EnvironmentStatus) => void): Promise<UnlistenFn> =>
    listen<EnvironmentStatus>("environment-changed", (e) => handler(e.payload)),
};
