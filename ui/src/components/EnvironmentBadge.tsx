import { useEffect, useState } from "react";
import { api, errorMessage, type EnvironmentEntry, type EnvironmentStatus } from "../api";
import { kindLabel, whoShort, whoSentence } from "../environments";

interface Props {
  /** The chosen environment's name (`sandbox` is the built-in one). */
  env: string;
  onEnv: (name: string) => void;
  onSettings: () => void;
  /** Changes when Settings changed something, so the list and who-am-I are asked again. */
  version: number;
}

/** Always-visible statement of where data would go, so nobody imports into the wrong place:
 * the environment picker, who the app is there, and the way to Settings. */
export function EnvironmentBadge({ env, onEnv, onSettings, version }: Props) {
  const [status, setStatus] = useState<EnvironmentStatus | null>(null);
  const [envs, setEnvs] = useState<EnvironmentEntry[]>([]);
  // Who-am-I of an added environment (the built-in one reports through `status`).
  const [who, setWho] = useState<{ env: string; text: string; long: string; ok: boolean } | null>(null);

  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let alive = true;
    api.onEnvironmentChanged((s) => alive && setStatus(s)).then((u) => (unlisten = u));
    api.environmentStatus().then(
      (s) => alive && setStatus(s),
      () => undefined,
    );
    return () => {
      alive = false;
      unlisten?.();
    };
  }, []);

  useEffect(() => {
    api.listEnvironments().then(setEnvs, () => undefined);
  }, [version, status?.state]);

  const chosen = envs.find((e) => e.name === env);
  useEffect(() => {
    if (env === "sandbox") return;
    let alive = true;
    // A stale answer is never shown: `who.env` must be the chosen one.
    api.testConnection(env).then(
      (p) => alive && setWho({ env, text: whoShort(p), long: whoSentence(p), ok: true }),
      (e) => alive && setWho({ env, text: "cannot connect", long: errorMessage(e), ok: false }),
    );
    return () => {
      alive = false;
    };
  }, [env, version]);

  let label: string;
  let kind: string;
  let state: string;
  let title: string;
  if (env === "sandbox" || !chosen) {
    kind = status?.kind ?? "sandbox";
    state = status?.state ?? "starting";
    label = !status
      ? "Connecting…"
      : status.state === "ready"
        ? [status.name, status.who, status.url].filter(Boolean).join(" · ")
        : status.state === "starting"
          ? `${status.name} · starting…`
          : `${status.name} · unavailable`;
    title = status?.error ?? [`Imports go to ${status?.name ?? "Sandbox"}`, status?.summary].filter(Boolean).join(" — ");
  } else {
    kind = chosen.kind;
    const current = who && who.env === env ? who : null;
    state = current === null ? "starting" : current.ok ? "ready" : "failed";
    label = [`${chosen.name} (${kindLabel(chosen.kind)})`, current?.text ?? "connecting…", chosen.base_url].join(" · ");
    title = [`Imports go to ${chosen.name}`, current?.long].filter(Boolean).join(" — ");
  }

  return (
    <div className="env-picker">
      <select aria-label="Environment" value={env} onChange={(e) => onEnv(e.target.value)} data-testid="env-select">
        {envs.length === 0 && <option value="sandbox">Sandbox</option>}
        {envs.map((e) => (
          <option key={e.name} value={e.name}>
            {e.built_in ? "Sandbox (built-in)" : `${e.name} (${kindLabel(e.kind)})`}
          </option>
        ))}
      </select>
      <div className={`env env-${kind} env-${state}`} role="status" title={title} data-testid="environment">
        <span className="env-dot" aria-hidden="true" />
        {label}
      </div>
      <button type="button" onClick={onSettings} data-testid="open-settings">
        Settings
      </button>
    </div>
  );
}
