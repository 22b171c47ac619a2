import { useCallback, useState } from "react";
import { api, errorMessage, type Inspection, type ReadRequest } from "./api";

/** One file the user brought in, with the overrides they chose and what was read. */
export interface LoadedFile {
  /** How the job reads the file: never names a sheet, so every sheet with data is imported. */
  request: ReadRequest;
  /** The sheet of a workbook the person looks at (UI only); null: the first sheet with data. */
  viewed: string | null;
  preview: Inspection | null;
  error: string | null;
  loading: boolean;
}

/** The files of this import, shared by every step. */
export function useLoadedFiles() {
  const [files, setFiles] = useState<LoadedFile[]>([]);

  /** Reads a file with `request` (the job's reading) and shows its sheet `viewed`. */
  const read = useCallback(async (request: ReadRequest, viewed: string | null) => {
    const job = jobRequest(request);
    setFiles((prev) => upsert(prev, { request: job, viewed, preview: null, error: null, loading: true }));
    try {
      const preview = await api.previewFile(viewRequest(job, viewed));
      setFiles((prev) => upsert(prev, { request: job, viewed, preview, error: null, loading: false }));
    } catch (e) {
      setFiles((prev) => upsert(prev, { request: job, viewed, preview: null, error: errorMessage(e), loading: false }));
    }
  }, []);

  /** Changes how the job reads a file (header row, encoding…), staying on the sheet looked at. */
  const load = useCallback((request: ReadRequest, viewed: string | null = null) => read(request, viewed), [read]);

  /** Looks at another sheet of a workbook: the preview changes, what is imported does not. */
  const view = useCallback((file: LoadedFile, sheet: string) => read(file.request, sheet), [read]);

  const remove = useCallback((path: string) => {
    setFiles((prev) => prev.filter((f) => f.request.path !== path));
  }, []);

  return { files, load, view, remove };
}

/** The job's reading of a file: every override except the sheet, which is only looked at. */
export function jobRequest(request: ReadRequest): ReadRequest {
  const job = { ...request };
  delete job.sheet;
  return job;
}

/** What the preview and row count read: the job's reading, on the sheet looked at. */
export function viewRequest(request: ReadRequest, viewed: string | null): ReadRequest {
  return viewed === null ? jobRequest(request) : { ...jobRequest(request), sheet: viewed };
}

/** The change a new header row makes: for the sheet looked at in a workbook (the other sheets
 * keep theirs), for the whole file otherwise. */
export function withHeaderRow(request: ReadRequest, sheet: string | null, row: number): ReadRequest {
  if (sheet === null) return { ...request, header_row: row };
  return { ...request, header_rows: { ...request.header_rows, [sheet]: row } };
}

/** Files read without error: what the mapping step works on. */
export function readableFiles(files: LoadedFile[]): ReadRequest[] {
  return files.filter((f) => f.preview !== null && f.error === null).map((f) => jobRequest(f.request));
}

function upsert(list: LoadedFile[], file: LoadedFile): LoadedFile[] {
  const i = list.findIndex((f) => f.request.path === file.request.path);
  if (i < 0) return [...list, file];
  const copy = list.slice();
  // Keep showing the old preview while a re-read with new overrides runs.
  copy[i] = file.loading ? { ...file, preview: list[i]?.preview ?? null } : file;
  return copy;
}
