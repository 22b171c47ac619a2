// Measurement, not a test: opens a generated 1,000,000-row export in the built app, goes to
// Review problems, and scrolls the patients grid from top to bottom, timing every frame.
// Prints the figures as JSON. Run under a display, after a debug build:
//   xvfb-run -a -s "-screen 0 1400x900x24" node tests/e2e/measure-scroll.mjs [ROWS]
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const app = process.env.APP ?? join(root, "target/debug/ph-client-import");
const rows = Number(process.argv[2] ?? 1_000_000);
const file = join(tmpdir(), `ph-measure-${rows}.csv`);
const shots = join(root, "target/e2e-screenshots");
mkdirSync(shots, { recursive: true });
if (!existsSync(file)) execFileSync("node", [join(root, "tests/e2e/gen-big.mjs"), file, String(rows)], { stdio: "inherit" });

const driver = spawn("tauri-driver", ["--port", "4444"], { stdio: ["ignore", "inherit", "inherit"] });
process.on("exit", () => driver.kill());
await new Promise((r) => setTimeout(r, 1500));
const browser = await remote({
  hostname: "127.0.0.1",
  port: 4444,
  logLevel: "warn",
  connectionRetryTimeout: 600_000,
  capabilities: { "tauri:options": { application: app } },
});
const figures = { rows, file };
try {
  await (await browser.$("[data-testid=dropzone][data-listening=true]")).waitForExist({ timeout: 15000 });
  await browser.execute(
    (paths) =>
      window.__TAURI_INTERNALS__.invoke("plugin:event|emit", {
        event: "tauri://drag-drop",
        payload: { paths, position: { x: 200, y: 200 } },
      }),
    [file],
  );
  await (await browser.$("[data-testid=preview-row]")).waitForExist({ timeout: 60000 });
  await (await browser.$("[data-testid=to-mapping]")).click();
  await (await browser.$("[data-testid=mapping] table.fields")).waitForExist({ timeout: 120000 });
  // Confirm whatever the suggestion asks to (the file's "Dragon" species code).
  for (const b of await browser.$$("button.confirm")) await b.click();
  const toReview = await browser.$("[data-testid=to-review]");
  await toReview.waitForEnabled({ timeout: 120000 });
  let t = Date.now();
  await toReview.click();
  await (await browser.$("[data-testid=review-counts]")).waitForExist({ timeout: 900000, interval: 500 });
  figures.open_review_ms = Date.now() - t;
  figures.counts = await browser.execute(() => document.querySelector("[data-testid=review-counts]")?.textContent ?? "");
  await (await browser.$("[data-testid=entity-patient]")).click();
  await browser.waitUntil(async () => Number(await browser.$("[data-testid=review-grid]").getAttribute("data-total")) > 0, {
    timeout: 30000,
  });
  figures.grid_total = Number(await browser.$("[data-testid=review-grid]").getAttribute("data-total"));
  await browser.saveScreenshot(join(shots, "13-review-1m-top.png"));

  // 1. Continuous scrolling: 600 px a frame (20 rows), as fast as a flung scroll wheel, for 600 frames.
  figures.continuous = await browser.executeAsync((done) => {
    const el = document.querySelector("[data-testid=review-grid]");
    const frames = [];
    let last = performance.now();
    let n = 0;
    const step = () => {
      const now = performance.now();
      frames.push(now - last);
      last = now;
      el.scrollTop += 600;
      if (++n < 600) requestAnimationFrame(step);
      else {
        const sorted = frames.slice(1).sort((a, b) => a - b);
        const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
        done({
          frames: sorted.length,
          median_ms: +q(0.5).toFixed(1),
          p95_ms: +q(0.95).toFixed(1),
          max_ms: +sorted[sorted.length - 1].toFixed(1),
          over_50ms: sorted.filter((f) => f > 50).length,
          dom_rows: document.querySelectorAll("[data-testid=review-row]").length,
        });
      }
    };
    requestAnimationFrame(step);
  });

  // 2. End to end: jump in 200 steps from the first row to the last; each step's frame time
  // and the time until its rows are filled in (their page fetched from the core).
  figures.end_to_end = await browser.executeAsync((done) => {
    const el = document.querySelector("[data-testid=review-grid]");
    const steps = 200;
    const frame = [];
    const filled = [];
    const started = performance.now();
    let i = 0;
    const next = () => {
      if (i > steps) {
        const stats = (xs) => {
          const s = xs.slice().sort((a, b) => a - b);
          const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
          return { median_ms: +q(0.5).toFixed(1), p95_ms: +q(0.95).toFixed(1), max_ms: +s[s.length - 1].toFixed(1) };
        };
        const rows = Array.from(document.querySelectorAll("[data-testid=review-row] .rownum")).map((r) => r.textContent);
        done({
          steps,
          total_ms: Math.round(performance.now() - started),
          frame: stats(frame),
          rows_filled: stats(filled),
          last_rows_shown: rows.slice(-3),
          dom_rows: document.querySelectorAll("[data-testid=review-row]").length,
        });
        return;
      }
      const t0 = performance.now();
      el.scrollTop = (i / steps) * (el.scrollHeight - el.clientHeight);
      i += 1;
      requestAnimationFrame(() => {
        frame.push(performance.now() - t0);
        const wait = () => {
          if (document.querySelector("[data-testid=review-row] .loading-cell") && performance.now() - t0 < 10000) requestAnimationFrame(wait);
          else {
            filled.push(performance.now() - t0);
            next();
          }
        };
        wait();
      });
    };
    next();
  });
  await browser.saveScreenshot(join(shots, "14-review-1m-bottom.png"));
  // 3. Keyboard: End of the list by PageDown presses is long; Ctrl-less check of arrow keys at the bottom.
  figures.memory_js_heap_mb = await browser.execute(() =>
    performance.memory ? Math.round(performance.memory.usedJSHeapSize / 1e6) : null,
  );
} finally {
  console.log(JSON.stringify(figures, null, 2));
  await browser.deleteSession().catch(() => undefined);
  driver.kill();
}
