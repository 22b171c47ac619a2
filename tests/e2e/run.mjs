// End-to-end tests against the real desktop app: the debug build with its UI embedded,
// driven through tauri-driver and WebKitWebDriver. Run under a display (xvfb-run).
// Every test saves screenshots under target/e2e-screenshots/ so a person can look.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";
import { tests } from "./tests.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// Cargo builds the app where CARGO_TARGET_DIR says, when it is set.
const targetDir = resolve(root, process.env.CARGO_TARGET_DIR ?? "target");
const app = process.env.APP ?? join(targetDir, "debug/ph-client-import");
const shots = join(root, "target/e2e-screenshots");
mkdirSync(shots, { recursive: true });

// E2E_PORT lets two runs share a machine (tauri-driver's native port is the next one).
const port = Number(process.env.E2E_PORT ?? 4444);
const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(port + 1)], {
  stdio: ["ignore", "inherit", "inherit"],
});
const stopDriver = () => driver.kill();
process.on("exit", stopDriver);
await new Promise((r) => setTimeout(r, 1500));

let passed = 0;
let failed = 0;
// E2E_ONLY=words runs only the tests whose name contains them (while working on one);
// `a|b` runs those containing either.
const only = process.env.E2E_ONLY;
for (const test of tests.filter((t) => !only || only.split("|").some((o) => t.name.includes(o)))) {
  // A fresh app per test: no state leaks between tests.
  const browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    capabilities: { "tauri:options": { application: app } },
  });
  const ctx = {
    browser,
    root,
    targetDir,
    fixture: (p) => join(root, "fixtures", p),
    shot: async (name) => browser.saveScreenshot(join(shots, `${name}.png`)),
  };
  const started = Date.now();
  try {
    await test.run(ctx);
    passed += 1;
    console.log(`ok   ${test.name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${test.name}: ${e?.stack ?? e}`);
    await ctx.shot(`FAILED-${test.name.replace(/\W+/g, "-")}`).catch(() => undefined);
  } finally {
    await browser.deleteSession().catch(() => undefined);
  }
}
stopDriver();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
