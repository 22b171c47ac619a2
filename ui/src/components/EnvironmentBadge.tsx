import { useEffect, useState } from "react";
import { api, type EnvironmentStatus } from "../api";

/** Always-visible statement of where data would go, so nobody imports into the wrong place. */
export function EnvironmentBadge() {
  const [status, setStatus] = useState<EnvironmentStatus | null>(null);

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

  if (!status) return <div className="env env-starting">Connecting…</div>;
  const label =
    status.state === "ready"
      ? [status.name, status.who, status.url].filter(Boolean).join(" · ")
      : status.state === "starting"
        ? `${status.name} · starting…`
        : `${status.name} · unavailable`;
  return (
    <div
      className={`env env-${status.kind} env-${status.state}`}
      role="status"
      title={status.error ?? [`Imports go to ${status.name}`, status.summary].filter(Boolean).join(" — ")}
      data-testid="environment"
    >
      <span className="env-dot" aria-hidden="true" />
      {label}
    </div>
  );
}
