import { useEffect, useState } from "react";
import { api, errorMessage, type EnvironmentEntry, type EnvironmentKind } from "../api";
import { kindLabel, nameProblem, removedSentence, urlProblem, whoSentence } from "../environments";

interface Props {
  onClose: () => void;
  /** Called after anything changed (an environment or a token), so the picker asks again. */
  onChanged: () => void;
  /** Called with the name of an environment just removed. */
  onRemoved?: (name: string) => void;
}

type Message = { text: string; ok: boolean };

/** Settings: add, edit or remove environments, paste a token (kept in the OS keychain only and
 * never shown again), test the connection, forget the token. */
export function EnvironmentSettings({ onClose, onChanged, onRemoved }: Props) {
  const [envs, setEnvs] = useState<EnvironmentEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [messages, setMessages] = useState<Record<string, Message>>({});
  // The add/edit form; `existing` when editing one.
  const [form, setForm] = useState({ name: "", url: "", kind: "staging" as EnvironmentKind, existing: false });
  const [formError, setFormError] = useState<string | null>(null);
  // The environment whose removal waits for a second click, and what the last removal did.
  const [confirming, setConfirming] = useState<string | null>(null);
  const [removal, setRemoval] = useState<Message | null>(null);

  const reload = () => api.listEnvironments().then(setEnvs, (e) => setError(errorMessage(e)));
  useEffect(() => {
    void reload();
  }, []);

  const say = (name: string, m: Message) => setMessages((all) => ({ ...all, [name]: m }));

  const save = async () => {
    const problem = (form.existing ? null : nameProblem(form.name)) ?? urlProblem(form.url);
    if (problem) {
      setFormError(problem);
      return;
    }
    try {
      await api.saveEnvironment(form.name, form.url.trim(), form.kind, form.existing);
      setFormError(null);
      setForm({ name: "", url: "", kind: "staging", existing: false });
      await reload();
      onChanged();
    } catch (e) {
      setFormError(errorMessage(e));
    }
  };

  const test = async (name: string) => {
    say(name, { text: "Testing the connection…", ok: true });
    try {
      say(name, { text: whoSentence(await api.testConnection(name)), ok: true });
    } catch (e) {
      say(name, { text: errorMessage(e), ok: false });
    }
  };

  const forget = async (name: string) => {
    try {
      const had = await api.forgetToken(name);
      say(name, { text: had ? "The token was removed from the keychain." : "No token was stored.", ok: true });
      await reload();
      onChanged();
    } catch (e) {
      say(name, { text: errorMessage(e), ok: false });
    }
  };

  const remove = async (name: string) => {
    setConfirming(null);
    try {
      const outcome = removedSentence(await api.removeEnvironment(name));
      setRemoval(outcome);
      if (form.existing && form.name === name) setForm({ name: "", url: "", kind: "staging", existing: false });
      await reload();
      onRemoved?.(name);
      onChanged();
    } catch (e) {
      say(name, { text: errorMessage(e), ok: false });
    }
  };

  return (
    <div className="settings-overlay" role="dialog" aria-modal="true" aria-labelledby="settings-title" data-testid="settings">
      <section className="settings-dialog">
        <header className="settings-head">
          <h1 id="settings-title">Environments</h1>
          <button type="button" onClick={onClose} data-testid="close-settings">
            Close
          </button>
        </header>
        {error && (
          <div className="error-box" role="alert">
            {error}
          </div>
        )}
        {removal && (
          <p className={removal.ok ? "muted" : "error-text"} role={removal.ok ? "status" : "alert"} data-testid="env-removed">
            {removal.text}
          </p>
        )}
        <ul className="env-list">
          {envs.map((e) => (
            <li key={e.name} data-testid={`settings-env-${e.name}`}>
              <div>
                <strong>{e.built_in ? "Sandbox (built-in)" : e.name}</strong> · {kindLabel(e.kind)} ·{" "}
                <code data-testid={`env-url-${e.name}`}>{e.base_url}</code>
                {!e.built_in && (
                  <span className="muted" data-testid={`token-status-${e.name}`}>
                    {" "}
                    · {e.token_stored ? "token stored" : "no token"}
                  </span>
                )}
              </div>
              <div className="inline-form">
                {!e.built_in && (
                  <TokenForm
                    name={e.name}
                    onStored={async (text) => {
                      say(e.name, { text, ok: true });
                      await reload();
                      onChanged();
                    }}
                    onError={(text) => say(e.name, { text, ok: false })}
                  />
                )}
                <button type="button" onClick={() => void test(e.name)} data-testid={`test-${e.name}`}>
                  Test connection
                </button>
                {!e.built_in && (
                  <>
                    <button
                      type="button"
                      onClick={() => setForm({ name: e.name, url: e.base_url, kind: e.kind, existing: true })}
                      data-testid={`edit-${e.name}`}
                    >
                      Edit
                    </button>
                    <button type="button" disabled={!e.token_stored} onClick={() => void forget(e.name)} data-testid={`forget-${e.name}`}>
                      Forget token
                    </button>
                    <button type="button" onClick={() => setConfirming(e.name)} data-testid={`remove-${e.name}`}>
                      Remove…
                    </button>
                  </>
                )}
              </div>
              {confirming === e.name && (
                <div className="inline-form" role="group" aria-label={`Remove ${e.name}`} data-testid={`confirm-remove-${e.name}`}>
                  <span>
                    Remove {e.name}? {e.token_stored ? "Its token is deleted from the keychain too." : "It has no stored token."}
                  </span>
                  <button type="button" className="danger" onClick={() => void remove(e.name)} data-testid={`confirm-remove-yes-${e.name}`}>
                    Remove {e.name}
                  </button>
                  <button type="button" autoFocus onClick={() => setConfirming(null)} data-testid={`confirm-remove-no-${e.name}`}>
                    Keep it
                  </button>
                </div>
              )}
              <EnvMessage name={e.name} message={messages[e.name]} />
            </li>
          ))}
        </ul>
        <h2>{form.existing ? `Edit ${form.name}` : "Add an environment"}</h2>
        <div className="inline-form">
          <label>
            Name{" "}
            <input
              value={form.name}
              disabled={form.existing}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
              placeholder="staging"
              data-testid="env-name"
            />
          </label>
          <label>
            Address{" "}
            <input
              value={form.url}
              onChange={(e) => setForm({ ...form, url: e.target.value })}
              placeholder="https://import.ph.example"
              data-testid="env-url"
            />
          </label>
          <label>
            Kind{" "}
            <select
              value={form.kind}
              onChange={(e) => setForm({ ...form, kind: e.target.value as EnvironmentKind })}
              data-testid="env-kind"
            >
              <option value="staging">Staging</option>
              <option value="production">Production</option>
              <option value="custom">Custom</option>
            </select>
          </label>
          <button type="button" className="primary" onClick={() => void save()} data-testid="env-save">
            {form.existing ? "Save changes" : "Add"}
          </button>
        </div>
        {formError && (
          <p className="error-text" role="alert" data-testid="env-form-error">
            {formError}
          </p>
        )}
        <p className="muted">
          Tokens are kept in this computer&apos;s keychain only: they are never shown again, written to a file or logged.
        </p>
      </section>
    </div>
  );
}

/** The last outcome of a test or token change for one environment. */
function EnvMessage({ name, message }: { name: string; message: Message | undefined }) {
  if (!message) return null;
  return (
    <p className={message.ok ? "muted" : "error-text"} role={message.ok ? "status" : "alert"} data-testid={`env-message-${name}`}>
      {message.text}
    </p>
  );
}

/** A password field for an environment's token: checked with PH, stored, then cleared. */
function TokenForm({
  name,
  onStored,
  onError,
}: {
  name: string;
  onStored: (text: string) => Promise<void>;
  onError: (text: string) => void;
}) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const store = async () => {
    setBusy(true);
    try {
      const who = await api.storeToken(name, token);
      setToken("");
      await onStored(`Token stored. ${whoSentence(who)}`);
    } catch (e) {
      setToken("");
      onError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <input
        type="password"
        autoComplete="off"
        aria-label={`Token for ${name}`}
        placeholder="Paste the token"
        value={token}
        onChange={(e) => setToken(e.target.value)}
        data-testid={`token-input-${name}`}
      />
      <button type="button" disabled={token.trim() === "" || busy} onClick={() => void store()} data-testid={`token-save-${name}`}>
        Store token
      </button>
    </>
  );
}
