import { useEffect, useState } from "react";
import { api, type AppInfo } from "./api";
import { EnvironmentBadge } from "./components/EnvironmentBadge";
import { FilesStep } from "./components/FilesStep";
import { MappingStep } from "./components/MappingStep";
import { readableFiles, useLoadedFiles } from "./files";
import { STEPS, type StepId } from "./steps";

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [step, setStep] = useState<StepId>("files");
  const { files, load } = useLoadedFiles();
  const readable = readableFiles(files);
  const available = (id: StepId) => (id === "files" ? true : id === "mapping" ? readable.length > 0 : false);

  useEffect(() => {
    api.appInfo().then(setInfo, () => setInfo(null));
  }, []);

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            PH
          </span>
          <span className="brand-name">{info?.name ?? "PH Client Import"}</span>
          {info && <span className="version">v{info.version}</span>}
        </div>
        <EnvironmentBadge />
      </header>
      <nav className="steps" aria-label="Import steps">
        <ol>
          {STEPS.map((s, i) => (
            <li key={s.id}>
              <button
                type="button"
                className={s.id === step ? "step current" : "step"}
                aria-current={s.id === step ? "step" : undefined}
                disabled={!available(s.id)}
                title={available(s.id) ? s.title : s.available ? `${s.title} — add a readable file first` : `${s.title} — not available yet`}
                onClick={() => setStep(s.id)}
              >
                <span className="step-number">{i + 1}</span>
                {s.title}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <main className="content">
        {step === "files" && (
          <FilesStep files={files} load={load} canGoNext={readable.length > 0} onNext={() => setStep("mapping")} />
        )}
        {step === "mapping" && <MappingStep key={JSON.stringify(readable)} files={readable} />}
      </main>
    </div>
  );
}
