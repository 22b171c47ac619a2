import { useEffect, useMemo, useState } from "react";
import { api, type AppInfo, type ImportSettings, type ReadRequest, type Resolved } from "./api";
import { EnvironmentBadge } from "./components/EnvironmentBadge";
import { EnvironmentSettings } from "./components/EnvironmentSettings";
import { FilesStep } from "./components/FilesStep";
import { CohortStep } from "./components/CohortStep";
import { HistoryStep, InterruptedNotice } from "./components/HistoryStep";
import { ImportStep } from "./components/ImportStep";
import { MappingStep } from "./components/MappingStep";
import { ReviewStep, type ProposedRemap } from "./components/ReviewStep";
import { SaveFiles } from "./components/SaveFiles";
import type { RunSummary } from "./bindings/RunSummary";
import { envAfterRemoval } from "./environments";
import { interrupted } from "./history";
import { readableFiles, useLoadedFiles } from "./files";
import { DEFAULT_SETTINGS } from "./settings";
import { STEPS, type StepId } from "./steps";

type Mapping = Resolved["mapping"];

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [step, setStep] = useState<StepId>("files");
  // Where the Import step reads clinics and sends data; the built-in Sandbox until changed.
  const [env, setEnv] = useState("sandbox");
  const [settingsOpen, setSettingsOpen] = useState(false);
  // Bumped when Settings changed something, so the picker and the Import step ask again.
  const [envVersion, setEnvVersion] = useState(0);
  const { files, load, view } = useLoadedFiles();
  // What is imported, not what is looked at: looking at another sheet keeps the same key, and
  // the same array, so the mapping step keeps the person's choices.
  const filesKey = JSON.stringify(readableFiles(files));
  const readable = useMemo(() => JSON.parse(filesKey) as ReadRequest[], [filesKey]);
  // The mapping confirmed in the mapping step, with the files it was made for.
  const [mapped, setMapped] = useState<{ filesKey: string; mapping: Mapping } | null>(null);
  const mapping = mapped && mapped.filesKey === filesKey ? mapped.mapping : null;
  // A mapping change a review finding proposed, waiting for the Map step to make it.
  const [proposed, setProposed] = useState<ProposedRemap | null>(null);
  // The import's settings, the same the CLI's flags give; they outlive a change of files.
  const [settings, setSettings] = useState<ImportSettings>(DEFAULT_SETTINGS);
  const reviewKey = mapping ? `${filesKey}|${JSON.stringify(mapping)}|${JSON.stringify(settings)}` : null;
  const why = (id: StepId): string | null => {
    switch (id) {
      case "files":
      case "history":
      case "cohort":
        return null;
      case "mapping":
        return readable.length > 0 ? null : "add a readable file first";
      case "problems":
      case "save":
      case "import":
        return mapping ? null : "map the columns first";
      default:
        return "not available yet";
    }
  };

  // The Import step is mounted when first opened (it asks PH for the clinics), then kept.
  const [importOpened, setImportOpened] = useState(false);
  // The History screen likewise, so an undo or resume going on keeps its progress.
  const [historyOpened, setHistoryOpened] = useState(false);
  const [historyRun, setHistoryRun] = useState<string | null>(null);
  // The Cohort screen likewise, so a cohort being imported keeps its progress.
  const [cohortOpened, setCohortOpened] = useState(false);
  const goTo = (id: StepId) => {
    if (id === "import") setImportOpened(true);
    if (id === "history") setHistoryOpened(true);
    if (id === "cohort") setCohortOpened(true);
    setStep(id);
  };

  // Runs stopped part-way (the app closed, the network, a cancel): offered for resume.
  const [stopped, setStopped] = useState<RunSummary[]>([]);
  const [runsVersion, setRunsVersion] = useState(0);
  useEffect(() => {
    api.listRuns().then(
      (runs) => setStopped(interrupted(runs)),
      () => setStopped([]),
    );
  }, [runsVersion]);

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
        <EnvironmentBadge env={env} onEnv={setEnv} onSettings={() => setSettingsOpen(true)} version={envVersion} />
      </header>
      <nav className="steps" aria-label="Import steps">
        <ol>
          {STEPS.map((s, i) => {
            const blocked = why(s.id);
            return (
              <li key={s.id}>
                <button
                  type="button"
                  className={s.id === step ? "step current" : "step"}
                  aria-current={s.id === step ? "step" : undefined}
                  disabled={blocked !== null}
                  title={blocked ? `${s.title} — ${blocked}` : s.title}
                  onClick={() => goTo(s.id)}
                  data-testid={`step-${s.id}`}
                >
                  <span className="step-number">{i + 1}</span>
                  {s.title}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      <main className="content">
        {step !== "history" && (
          <InterruptedNotice
            runs={stopped}
            onOpen={(id) => {
              setHistoryRun(id);
              goTo("history");
            }}
          />
        )}
        {step === "files" && (
          <FilesStep files={files} load={load} view={view} canGoNext={readable.length > 0} onNext={() => setStep("mapping")} />
        )}
        {/* Kept mounted while on later steps so going back keeps the person's choices. */}
        {readable.length > 0 && (
          <div hidden={step !== "mapping"} className="step-host">
            <MappingStep
              key={filesKey}
              files={readable}
              proposed={proposed}
              onProposedDone={() => setProposed(null)}
              settings={settings}
              onSettings={(next) => {
                setSettings(next);
                // A mapping confirmed before the change is not the one the settings give.
                setMapped(null);
              }}
              onNext={(m) => {
                setMapped({ filesKey, mapping: m });
                setStep("problems");
              }}
            />
          </div>
        )}
        {mapping && reviewKey && (
          <div hidden={step !== "problems"} className="step-host">
            <ReviewStep
              key={reviewKey}
              files={readable}
              mapping={mapping}
              settings={settings}
              onNext={() => setStep("save")}
              onRemap={(r) => {
                setProposed(r);
                setStep("mapping");
              }}
            />
          </div>
        )}
        {mapping && step === "save" && (
          <SaveFiles
            files={readable}
            mapping={mapping}
            settings={settings}
            onBackToReview={() => setStep("problems")}
            onBackToMap={() => setStep("mapping")}
            onImport={() => goTo("import")}
          />
        )}
        {/* Kept mounted once opened, so a run going on keeps its progress and result while the
            person looks at another step. */}
        {mapping && reviewKey && importOpened && (
          <div hidden={step !== "import"} className="step-host">
            <ImportStep
              key={`${reviewKey}|${env}|${envVersion}`}
              env={env}
              files={readable}
              mapping={mapping}
              settings={settings}
            />
          </div>
        )}
        {cohortOpened && (
          <div hidden={step !== "cohort"} className="step-host">
            <CohortStep
              active={step === "cohort"}
              onOpenRun={(id) => {
                setHistoryRun(id);
                goTo("history");
              }}
              onChanged={() => setRunsVersion((v) => v + 1)}
            />
          </div>
        )}
        {historyOpened && (
          <div hidden={step !== "history"} className="step-host">
            <HistoryStep
              selected={historyRun}
              onSelect={setHistoryRun}
              onChanged={() => setRunsVersion((v) => v + 1)}
            />
          </div>
        )}
      </main>
      {settingsOpen && (
        <EnvironmentSettings
          onClose={() => setSettingsOpen(false)}
          onChanged={() => setEnvVersion((v) => v + 1)}
          onRemoved={(name) => setEnv((current) => envAfterRemoval(current, name))}
        />
      )}
    </div>
  );
}
