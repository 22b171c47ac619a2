// Pure helpers of the environment picker and the Settings screen.
import type { EnvironmentKind, EnvironmentRemoved, PhPrincipal } from "./api";

/** Why a base URL would be refused, in the core's rule (docs/credentials.md), or null when it
 * is fine: HTTPS, or plain http:// only to this machine; no user name or password. The core
 * checks again when saving; this only says it while typing. */
export function urlProblem(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === "") return "Enter the environment's address, e.g. https://import.ph.example.";
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return "This is not a web address: it should look like https://import.ph.example.";
  }
  if (url.username !== "" || url.password !== "") return "Leave the user name and password out of the address.";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const local = host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
    return local ? null : "Use the https:// address: plain http:// is only allowed to this computer.";
  }
  return "The address must start with https://.";
}

/** Why an environment name would be refused (the core's rule), or null. */
export function nameProblem(name: string): string | null {
  if (name === "sandbox") return "“sandbox” is the built-in environment: choose another name.";
  return /^[a-z0-9_-]{1,40}$/.test(name) ? null : "Use 1 to 40 lowercase letters, digits, - or _.";
}

/** The kind in words. */
export function kindLabel(kind: EnvironmentKind): string {
  switch (kind) {
    case "sandbox":
      return "Sandbox";
    case "staging":
      return "Staging";
    case "production":
      return "Production";
    default:
      return "Custom";
  }
}

/** Who a token is, in one sentence: name, role and the clinics it may use. */
export function whoSentence(who: PhPrincipal): string {
  const role = who.role === "READ_ONLY" ? "read-only: it can plan but not import" : "importer";
  const clinics = who.clinics.map((c) => c.name);
  const list =
    clinics.length === 0 ? "no clinics" : `${clinics.length} clinic${clinics.length === 1 ? "" : "s"}: ${clinics.join(", ")}`;
  return `Connected as ${who.name} (${role}), ${list}.`;
}

/** Whether what was typed confirms an import into production (the core's rule: the clinic's
 * name or id, surrounding spaces aside). Other kinds need nothing typed. */
export function confirmsProduction(production: boolean, clinicId: string, clinicName: string, typed: string): boolean {
  if (!production) return true;
  const t = typed.trim();
  return t === clinicId || t === clinicName;
}

/** Who a token is, short enough for the top bar: name, role and how many clinics. */
export function whoShort(who: PhPrincipal): string {
  const role = who.role === "READ_ONLY" ? "read-only" : "importer";
  return `${who.name} (${role}, ${who.clinics.length} clinic${who.clinics.length === 1 ? "" : "s"})`;
}

/** What removing an environment did, in one sentence; not ok when its token may be left in
 * the keychain, so the person knows to remove it there. */
export function removedSentence(removed: EnvironmentRemoved): { text: string; ok: boolean } {
  const name = removed.name;
  switch (removed.token.state) {
    case "deleted":
      return { text: `Removed ${name} and its token.`, ok: true };
    case "none_stored":
      return { text: `Removed ${name} (it had no stored token).`, ok: true };
    default:
      return {
        text: `Removed ${name}, but its token could not be deleted from the keychain (${removed.token.reason}): delete the com.ph.client-import entry for ${name} in this computer's keychain.`,
        ok: false,
      };
  }
}

/** The environment to use once `removed` is gone: the built-in Sandbox if it was the one in use. */
export function envAfterRemoval(current: string, removed: string): string {
  return current === removed ? "sandbox" : current;
}
