/** The wizard's steps, in order. Steps whose feature has not landed are shown but disabled. */
export const STEPS = [
  { id: "files", title: "Files", available: true },
  { id: "mapping", title: "Map columns", available: true },
  { id: "problems", title: "Review problems", available: true },
  { id: "save", title: "Save", available: true },
  { id: "import", title: "Import", available: true },
  { id: "history", title: "History", available: true },
  { id: "cohort", title: "Cohort", available: true },
] as const;

export type StepId = (typeof STEPS)[number]["id"];
