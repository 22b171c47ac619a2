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
// The scroll scripts run for a while; a timed-out script would be retried (and run twice).
await browser.setTimeout({ script: 600_000 });
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
  console.log(`review opened in ${figures.open_review_ms} ms`);
  figures.counts = await browser.execute(() => document.querySelector("[data-testid=review-counts]")?.textContent ?? "");
  await (await browser.$("[data-testid=entity-patient]")).click();
  await browser.waitUntil(async () => Number(await browser.$("[data-testid=review-grid]").getAttribute("data-total")) > 0, {
    timeout: 30000,
  });
  figures.grid_total = Number(await browser.$("[data-testid=review-grid]").getAttribute("data-total"));
  await browser.saveScreenshot(join(shots, "13-review-1m-top.png"));

  // 0. Baseline: frames of this engine and display with nothing changing (Xvfb has no GPU).
  figures.idle_frames = await browser.executeAsync((done) => {
    const frames = [];
    let last = performance.now();
    const step = () => {
      const now = performance.now();
      frames.push(now - last);
      last = now;
      if (frames.length < 120) requestAnimationFrame(step);
      else {
        const s = frames.slice(1).sort((a, b) => a - b);
        done({ median_ms: +s[Math.floor(s.length / 2)].toFixed(1), p95_ms: +s[Math.floor(s.length * 0.95)].toFixed(1) });
      }
    };
    requestAnimationFrame(step);
  });
  console.log("idle", JSON.stringify(figures.idle_frames));
  // Baseline of painting: the grid's area repainted every frame (its background changes), no React.
  figures.repaint_frames = await browser.executeAsync((done) => {
    const el = document.querySelector("[data-testid=review-grid]");
    const frames = [];
    let last = performance.now();
    const step = () => {
      const now = performance.now();
      frames.push(now - last);
      last = now;
      el.style.backgroundColor = frames.length % 2 ? "rgb(250,250,250)" : "rgb(255,255,255)";
      if (frames.length < 120) requestAnimationFrame(step);
      else {
        el.style.backgroundColor = "";
        const s = frames.slice(1).sort((a, b) => a - b);
        done({ median_ms: +s[Math.floor(s.length / 2)].toFixed(1), p95_ms: +s[Math.floor(s.length * 0.95)].toFixed(1) });
      }
    };
    requestAnimationFrame(step);
  });
  console.log("repaint", JSON.stringify(figures.repaint_frames));
  // 1. Continuous scrolling: 600 px a frame (20 rows), as fast as a flung scroll wheel, for 300 frames.
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
      if (++n < 300) requestAnimationFrame(step);
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

  console.log("continuous", JSON.stringify(figures.continuous));
  // 2. End to end: jump in 200 steps from the first row to the last. For each step: the time
  // until the grid shows the rows of the new position (its first row is the expected one) and
  // until they are filled in (their page fetched from the app's core).
  figures.end_to_end = await browser.executeAsync((done) => {
    const el = document.querySelector("[data-testid=review-grid]");
    const steps = 200;
    const shown = [];
    const filled = [];
    const started = performance.now();
    let i = 0;
    const stats = (xs) => {
      const s = xs.slice().sort((a, b) => a - b);
      const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
      return { median_ms: +q(0.5).toFixed(1), p95_ms: +q(0.95).toFixed(1), max_ms: +s[s.length - 1].toFixed(1) };
    };
    const next = () => {
      if (i > steps) {
        const rows = Array.from(document.querySelectorAll("[data-testid=review-row] .rownum")).map((r) => r.textContent);
        done({
          steps,
          total_ms: Math.round(performance.now() - started),
          rows_shown: stats(shown),
          rows_filled: stats(filled),
          last_rows_shown: rows.slice(-3),
          at_end: { scroll_top: el.scrollTop, scroll_height: el.scrollHeight, client_height: el.clientHeight, first: el.getAttribute("data-first") },
          dom_rows: document.querySelectorAll("[data-testid=review-row]").length,
        });
        return;
      }
      const total = Number(el.getAttribute("data-total"));
      const max = el.scrollHeight - el.clientHeight;
      const t0 = performance.now();
      el.scrollTop = (i / steps) * max;
      i += 1;
      let seen = false;
      const wait = () => {
        const now = performance.now();
        // The grid renders the scroll position it was given; the step is shown once it has.
        if (!seen && Number(el.getAttribute("data-rendered-top")) === Math.round(el.scrollTop)) {
          seen = true;
          shown.push(now - t0);
        }
        const loading = document.querySelector("[data-testid=review-row] .loading-cell");
        if ((!seen || loading) && now - t0 < 10000) requestAnimationFrame(wait);
        else {
          if (!seen) shown.push(now - t0);
          filled.push(now - t0);
          next();
        }
      };
      requestAnimationFrame(wait);
      void total;
    };
    next();
  });
  await browser.saveScreenshot(join(shots, "14-review-1m-bottom.png"));
  figures.memory_js_heap_mb = await browser.execute(() =>
    performance.memory ? Math.round(performance.memory.usedJSHeapSize / 1e6) : null,
  );
} finally {
  console.log(JSON.stringify(figures, null, 2));
  await browser.deleteSession().catch(() => undefined);
  driver.kill();
}
