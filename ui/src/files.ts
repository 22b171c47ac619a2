import { useCallback, useState } from "react";
import { api, errorMessage, type Inspection, type ReadRequest } from "./api";

/** One file the user brought in, with the overrides they chose and what was read. */
export interface LoadedFile {
  request: ReadRequest;
  preview: Inspection | null;
  error: string | null;
  loading: boolean;
}

/** The files of this import, shared by every step. */
export function useLoadedFiles() {
  const [files, setFiles] = useState<LoadedFile[]>([]);

  const load = useCallback(async (request: ReadRequest) => {
    setFiles((prev) => upsert(prev, { request, preview: null, error: null, loading: true }));
    try {
      const preview = await api.previewFile(request);
      setFiles((prev) => upsert(prev, { request, preview, error: null, loading: false }));
    } catch (e) {
      setFiles((prev) => upsert(prev, { request, preview: null, error: errorMessage(e), loading: false }));
    }
  }, []);

  const remove = useCallback((path: string) => {
    setFiles((prev) => prev.filter((f) => f.request.path !== path));
  }, []);

  return { files, load, remove };
}

/** Files read without error: what the mapping step works on. */
export function readableFiles(files: LoadedFile[]): ReadRequest[] {
  return files.filter((f) => f.preview !== null && f.error === null).map((f) => f.request);
}

function upsert(list: LoadedFile[], file: LoadedFile): LoadedFile[] {
  const i = list.findIndex((f) => f.request.path === file.request.path);
  if (i < 0) return [...list, file];
  const copy = list.slice();
  // Keep showing the old preview while a re-read with new overrides runs.
  copy[i] = file.loading ? { ...file, preview: list[i]?.preview ?? null } : file;
  return copy;
}
