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
const app = process.env.APP ?? join(root, "target/debug/ph-client-import");
const shots = join(root, "target/e2e-screenshots");
mkdirSync(shots, { recursive: true });

const driver = spawn("tauri-driver", ["--port", "4444"], { stdio: ["ignore", "inherit", "inherit"] });
const stopDriver = () => driver.kill();
process.on("exit", stopDriver);
await new Promise((r) => setTimeout(r, 1500));

let passed = 0;
let failed = 0;
// E2E_ONLY=<part of a name> runs only the matching tests, while working on one.
const only = process.env.E2E_ONLY;
for (const test of tests.filter((t) => !only || t.name.includes(only))) {
  // A fresh app per test: no state leaks between tests.
  const browser = await remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "warn",
    capabilities: { "tauri:options": { application: app } },
  });
  const ctx = {
    browser,
    root,
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
