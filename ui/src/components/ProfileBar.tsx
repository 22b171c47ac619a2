import { useEffect, useState } from "react";
import { open, save } from "@tauri-apps/plugin-dialog";
import { api, errorMessage, type ImportSettings, type ReadRequest, type Resolved } from "../api";

interface Props {
  files: ReadRequest[];
  /** The import settings the profile is applied with. */
  settings: ImportSettings;
  resolved: Resolved;
  onResolved: (r: Resolved) => void;
}

/** Vendor profiles: use a saved or built-in one, import one from a file, save or export this mapping. */
export function ProfileBar({ files, settings, resolved, onResolved }: Props) {
  const [names, setNames] = useState<string[]>([]);
  const [chosen, setChosen] = useState("");
  const [saveName, setSaveName] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    let alive = true;
    api.listProfiles().then((n) => alive && setNames(n), () => undefined);
    return () => {
      alive = false;
    };
  }, []);

  const run = async (work: () => Promise<string>) => {
    try {
      setMessage({ ok: true, text: await work() });
    } catch (e) {
      setMessage({ ok: false, text: errorMessage(e) });
    }
  };

  const apply = (profile: string) =>
    run(async () => {
      onResolved(await api.applyProfile(files, profile, settings));
      return `Mapped with the profile “${profile}”.`;
    });

  return (
    <div className="profile-bar" aria-label="Vendor profiles">
      <label>
        Profile{" "}
        <select value={chosen} onChange={(e) => setChosen(e.target.value)} aria-label="Saved or built-in profile">
          <option value="">Choose…</option>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="button" disabled={!chosen} onClick={() => void apply(chosen)}>
        Use
      </button>
      <button
        type="button"
        onClick={() =>
          void (async () => {
            const path = await open({ title: "Import a profile", filters: [{ name: "Profile", extensions: ["json"] }] });
            if (typeof path === "string") await apply(path);
          })()
        }
      >
        Import…
      </button>
      <span className="spacer" />
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const path = await api.saveProfile(saveName, "", resolved.mapping);
            setNames((n) => (n.includes(saveName.trim()) ? n : [...n, saveName.trim()].sort()));
            return `Saved as “${saveName.trim()}” (${path}). Files with the same columns will use it automatically.`;
          });
        }}
      >
        <input
          aria-label="Profile name"
          placeholder="Profile name, e.g. AVImark"
          value={saveName}
          onChange={(e) => setSaveName(e.target.value)}
        />
        <button type="submit" disabled={!saveName.trim()}>
          Save as profile
        </button>
      </form>
      <button
        type="button"
        onClick={() =>
          void run(async () => {
            const path = await save({
              title: "Export the mapping as a profile file",
              defaultPath: `${saveName.trim() || "mapping"}.json`,
              filters: [{ name: "Profile", extensions: ["json"] }],
            });
            if (!path) return "Export cancelled.";
            await api.exportProfile(saveName.trim() || "Exported mapping", resolved.mapping, path);
            return `Exported to ${path}.`;
          })
        }
      >
        Export…
      </button>
      {message && (
        <p className={message.ok ? "muted" : "error-text"} role="status">
          {message.text}
        </p>
      )}
    </div>
  );
}
