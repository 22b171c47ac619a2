import { useCallback, useState } from "react";
import { open } from "@tauri-apps/plugin-dialog";
import type { ReadRequest } from "../api";
import type { LoadedFile } from "../files";
import { useFileDrop } from "../fileDrop";
import { SUPPORTED_EXTENSIONS, fileName } from "../format";
import { DetectionPanel } from "./DetectionPanel";
import { PreviewTable } from "./PreviewTable";

interface Props {
  files: LoadedFile[];
  /** Changes how the job reads a file, showing the sheet `viewed`. */
  load: (request: ReadRequest, viewed?: string | null) => Promise<void>;
  /** Looks at another sheet of a workbook without changing what is imported. */
  view: (file: LoadedFile, sheet: string) => Promise<void>;
  onNext: () => void;
  canGoNext: boolean;
}

export function FilesStep({ files, load, view, onNext, canGoNext }: Props) {
  const [selected, setSelected] = useState<string | null>(null);
  const addPaths = useCallback(
    (paths: string[]) => {
      for (const path of paths) void load({ path });
      if (paths[0]) setSelected(paths[0]);
    },
    [load],
  );

  const { dragging, listening } = useFileDrop(true, addPaths);

  const pick = async () => {
    const chosen = await open({
      multiple: true,
      directory: false,
      title: "Choose the clinic's export files",
      filters: [
        { name: "Clinic exports (CSV, Excel, OpenDocument)", extensions: SUPPORTED_EXTENSIONS },
        { name: "All files", extensions: ["*"] },
      ],
    });
    if (chosen === null) return;
    addPaths(Array.isArray(chosen) ? chosen : [chosen]);
  };

  const current = files.find((f) => f.request.path === selected) ?? files[0] ?? null;

  return (
    <section className="step-page files-step" aria-labelledby="files-title">
      <div className="step-body">
        <h1 id="files-title">Files</h1>
        <div className={dragging ? "dropzone dragging" : "dropzone"} data-testid="dropzone" data-listening={listening}>
          <p>
            Drop the clinic&apos;s export files here — CSV or Excel, from any practice system.
          </p>
          <button type="button" className="primary" onClick={() => void pick()}>
            Choose files…
          </button>
        </div>

        {files.length > 0 && (
          <div className="file-tabs" role="tablist" aria-label="Files">
            {files.map((f) => (
              <button
                key={f.request.path}
                type="button"
                role="tab"
                aria-selected={current?.request.path === f.request.path}
                className={current?.request.path === f.request.path ? "file-tab selected" : "file-tab"}
                onClick={() => setSelected(f.request.path)}
                title={f.request.path}
              >
                {fileName(f.request.path)}
                {f.loading && <span className="spinner" aria-label="reading" />}
                {f.error && <span className="badge error">error</span>}
              </button>
            ))}
          </div>
        )}

        {current && (
          <div className="file-detail" role="tabpanel">
            {current.error && (
              <div className="error-box" role="alert" data-testid="read-error">
                <strong>{fileName(current.request.path)} could not be read.</strong>
                <p>{current.error}</p>
              </div>
            )}
            {current.preview && (
              <>
                <DetectionPanel
                  key={`${current.request.path}|${current.preview.sheet ?? ""}`}
                  inspection={current.preview}
                  request={current.request}
                  viewed={current.viewed}
                  onChange={(request) => void load(request, current.viewed)}
                  onView={(sheet) => void view(current, sheet)}
                />
                <PreviewTable inspection={current.preview} />
              </>
            )}
            {current.loading && !current.preview && <p className="muted">Reading…</p>}
          </div>
        )}
      </div>

      {files.length > 0 && (
        <div className="step-actions">
          <button type="button" className="primary" disabled={!canGoNext} onClick={onNext} data-testid="to-mapping">
            Next: map columns
          </button>
        </div>
      )}
    </section>
  );
}
