import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EnvironmentEntry, EnvironmentRemoved } from "../api";
import { EnvironmentSettings } from "./EnvironmentSettings";

const calls = vi.hoisted(() => ({
  listEnvironments: vi.fn<() => Promise<EnvironmentEntry[]>>(),
  removeEnvironment: vi.fn<(name: string) => Promise<EnvironmentRemoved>>(),
}));

vi.mock("../api", async (actual) => ({
  ...(await actual<typeof import("../api")>()),
  api: calls,
}));

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const sandbox: EnvironmentEntry = { name: "sandbox", base_url: "in-process", kind: "sandbox", built_in: true, token_stored: true };
const staging: EnvironmentEntry = {
  name: "staging",
  base_url: "https://staging.ph.example",
  kind: "staging",
  built_in: false,
  token_stored: true,
};

let container: HTMLDivElement;
let root: Root;

beforeEach(() => {
  container = document.createElement("div");
  document.body.appendChild(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  vi.clearAllMocks();
});

const find = (id: string) => container.querySelector<HTMLElement>(`[data-testid="${id}"]`);

async function click(id: string) {
  const button = find(id);
  expect(button, id).not.toBeNull();
  await act(async () => button?.click());
}

describe("EnvironmentSettings", () => {
  it("removes an added environment only after an inline confirmation, with its token", async () => {
    calls.listEnvironments.mockResolvedValueOnce([sandbox, staging]).mockResolvedValue([sandbox]);
    calls.removeEnvironment.mockResolvedValue({ name: "staging", token: { state: "deleted" } });
    const onChanged = vi.fn();
    const onRemoved = vi.fn();
    await act(async () => root.render(<EnvironmentSettings onClose={() => undefined} onChanged={onChanged} onRemoved={onRemoved} />));

    // The built-in Sandbox cannot be removed.
    expect(find("remove-sandbox")).toBeNull();

    await click("remove-staging");
    expect(find("confirm-remove-staging")?.textContent).toContain("Its token is deleted from the keychain too.");
    await click("confirm-remove-no-staging");
    expect(find("confirm-remove-staging")).toBeNull();
    expect(calls.removeEnvironment).not.toHaveBeenCalled();

    await click("remove-staging");
    await click("confirm-remove-yes-staging");
    expect(calls.removeEnvironment).toHaveBeenCalledWith("staging");
    expect(find("env-removed")?.textContent).toBe("Removed staging and its token.");
    expect(find("settings-env-staging")).toBeNull();
    expect(onRemoved).toHaveBeenCalledWith("staging");
    expect(onChanged).toHaveBeenCalled();
  });

  it("says so when the removal is refused, and keeps the environment listed", async () => {
    calls.listEnvironments.mockResolvedValue([sandbox, staging]);
    calls.removeEnvironment.mockRejectedValue({ code: "settings", message: "the settings file could not be written" });
    const onRemoved = vi.fn();
    await act(async () => root.render(<EnvironmentSettings onClose={() => undefined} onChanged={() => undefined} onRemoved={onRemoved} />));
    await click("remove-staging");
    await click("confirm-remove-yes-staging");
    expect(find("env-message-staging")?.textContent).toContain("could not be written");
    expect(find("settings-env-staging")).not.toBeNull();
    expect(onRemoved).not.toHaveBeenCalled();
  });
});
