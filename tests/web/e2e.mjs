// End-to-end test of the browser workbench in headless Chromium (Debian's, driven by
// playwright-core). Run by scripts/web-e2e.sh, which builds dist/ and serves it:
//   node tests/web/e2e.mjs <url> <artifacts dir>
// Steps, as a user would: the page loads and shows the sample data with a forecast; a generated
// 3-year daily CSV is opened (Ctrl+O, the browser's file chooser); it is forecast with AutoETS
// (the model choice comes from the remembered settings in browser storage), 28 days, with a
// 95 % band; the forecast CSV is exported (Ctrl+E) as a browser download and checked; a
// malformed CSV is opened and its validation message is seen; a remembered what-if plan is
// forecast with the GBM, its uplift seen and its export checked; the page never panics.
// The workbench mirrors its state line on <body data-status data-busy data-result>.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";

const require = createRequire(join(process.env.HORIZON_NODE, "package.json"));
const { chromium } = require("playwright-core");

const [url, artifacts, mlflowUrl] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const report = {};
const problems = [];

function check(ok, what) {
  if (!ok) problems.push(what);
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
}

// A 3-year daily series with a weekly pattern, trend and noise (seeded), as a shop would export it.
function generatedCsv() {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows = ["date,sales"];
  const start = Date.UTC(2022, 0, 3);
  for (let d = 0; d < 3 * 365; d++) {
    const day = new Date(start + d * 86400000);
    const weekly = [0.8, 0.9, 1.0, 1.0, 1.1, 1.4, 1.3][day.getUTCDay()];
    const value = (100 + 0.05 * d) * weekly + 8 * (rand() - 0.5);
    rows.push(`${day.toISOString().slice(0, 10)},${value.toFixed(1)}`);
  }
  return rows.join("\n") + "\n";
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // The machine's network is closed: no background connections, updates or sync to try.
  args: [
    "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-gpu",
    "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
  ],
});
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
  const consoleErrors = [];
  let page;
  const body = (name) => page.evaluate((n) => document.body.getAttribute(n) || "", name);
  // On a timeout the error names the attribute and what it last said (an error message, often).
  const waitBody = async (name, pred, timeout = 60000) => {
    try {
      await page.waitForFunction(
        ([n, src]) => new Function("v", `return (${src})(v)`)(document.body.getAttribute(n) || ""),
        [name, pred.toString()],
        { timeout, polling: 50 },
      );
    } catch (e) {
      const last = await body(name).catch(() => "(page gone)");
      const status = await body("data-status").catch(() => "(page gone)");
      throw new Error(`waiting for ${name}: ${e.message.split("\n")[0]}; it says "${last}"; status "${status}"`);
    }
  };
  const idle = () => waitBody("data-busy", (v) => v === "0");
  // Keys go to the workbench once its canvas has the focus (a click on it gives it).
  const focusCanvas = async () => {
    await page.mouse.click(700, 600);
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === "horizon_canvas");
    await page.waitForTimeout(200);
  };
  // Ctrl+O opens the browser's file input (rfd's). With a recent user gesture Chromium shows
  // its file chooser at once (Playwright answers it); otherwise rfd shows its own overlay with
  // the input, where the file is set as a user would pick it.
  // (The page's file-chooser listener is installed when it opens: Playwright switches the
  // interception on asynchronously, and an uncaught chooser is cancelled by headless Chromium.)
  let onChooser = () => {};
  const chooseFile = async (path) => {
    const chooser = new Promise((resolve) => {
      onChooser = resolve;
      setTimeout(() => resolve(null), 10000);
    });
    await page.keyboard.press("Control+o");
    const c = await chooser;
    if (c) await c.setFiles(path);
    else await page.setInputFiles("#rfd-input", path);
  };
  const open = async () => {
    page = await context.newPage();
    page.on("filechooser", (c) => onChooser(c));
    page.on("console", (m) => {
      const where = m.location().url || "";
      // The browser logs every HTTP error answer; MLflow's 400/404 answers that the client
      // expects (a model that already exists, a missing alias) are read by the app, not errors.
      if (m.type() === "error" && /favicon/.test(where)) return;
      if (mlflowUrl && where.startsWith(mlflowUrl + "/api/") && /status of 40[04]/.test(m.text())) return;
      if (m.type() === "error" || /panicked/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
  };

  // 1. Load: the first frame, then the sample data forecast.
  await open();
  await page.goto(url);
  await waitBody("data-horizon", (v) => v === "ready" || v === "error");
  report.first_frame_ms = await page.evaluate(() => performance.now());
  check((await body("data-horizon")) === "ready", "the workbench starts");
  await waitBody("data-result", (v) => v.length > 0);
  await idle();
  report.sample_ready_ms = await page.evaluate(() => performance.now());
  check((await body("data-status")).includes("Forecast of"), `sample data forecast: ${await body("data-status")}`);
  await page.screenshot({ path: join(artifacts, "1-sample.png") });
  await page.close();

  // 2. A returning user whose remembered choice (browser storage) is AutoETS, 28 days, 80/95 %.
  await open();
  await page.addInitScript(() => {
    if (sessionStorage.getItem("seeded")) return;
    const s = JSON.parse(localStorage.getItem("horizon.settings") || "{}");
    s.model = { model: "ets", season: null };
    s.horizon = 28;
    s.levels = [80, 95];
    localStorage.setItem("horizon.settings", JSON.stringify(s));
    sessionStorage.setItem("seeded", "1");
  });
  await page.goto(url);
  await waitBody("data-horizon", (v) => v === "ready");
  await waitBody("data-result", (v) => v.includes("| ets |"));
  await idle();
  check(true, `remembered settings used: ${await body("data-result")}`);

  // Responsiveness is read from the app (window.horizonFrameStats: the longest time its own
  // code held a frame). Animation-frame gaps would measure the software WebGL of a GPU-less
  // machine instead: 150 ms a frame here even when the workbench is idle.

  // 3. Open a generated CSV through the browser's file chooser (Ctrl+O).
  const csvPath = join(artifacts, "daily_3y.csv");
  writeFileSync(csvPath, generatedCsv());
  await focusCanvas();
  await chooseFile(csvPath);
  await page.evaluate(() => window.horizonFrameStats());
  await waitBody("data-result", (v) => v.includes("| ets |") && v.includes("28 steps"), 120000);
  await idle();
  const result = await body("data-result");
  check(/levels 80,95/.test(result), `AutoETS forecast with 95 % band: ${result}`);
  report.ets_forecast_ms = Number((result.match(/\| ([0-9.]+) ms$/) || [])[1]);
  report.longest_frame_open_ms = await page.evaluate(() => window.horizonFrameStats());
  await page.screenshot({ path: join(artifacts, "2-ets-forecast.png") });

  // The same forecast again (Ctrl+Enter) a few times: its median time, and the longest frame.
  await focusCanvas();
  await page.evaluate(() => window.horizonFrameStats());
  const times = [];
  for (let k = 0; k < 5; k++) {
    const before = Number(await body("data-forecasts"));
    await page.keyboard.press("Control+Enter");
    await page.waitForFunction((n) => Number(document.body.getAttribute("data-forecasts")) > n, before, { polling: 50 });
    times.push(Number(((await body("data-result")).match(/\| ([0-9.]+) ms$/) || [])[1]));
  }
  await idle();
  times.sort((a, b) => a - b);
  report.ets_forecast_median_ms = times[2];
  report.longest_frame_forecast_ms = await page.evaluate(() => window.horizonFrameStats());
  check(times.every(Number.isFinite), `five more forecasts: ${times.join(", ")} ms`);

  // 4. Export (Ctrl+E): a browser download, read back and checked.
  await focusCanvas();
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Control+e")]);
  const name = download.suggestedFilename();
  check(/^forecast_.*_\d{8}-\d{6}\.csv$/.test(name), `timestamped export name: ${name}`);
  const saved = join(artifacts, name);
  await download.saveAs(saved);
  const lines = readFileSync(saved, "utf8").trim().split("\n");
  const header = lines[0].split(",");
  check(header.join(",") === "date,model,forecast,lo_80,hi_80,lo_95,hi_95", `export header: ${lines[0]}`);
  const rows = lines.slice(1).map((l) => l.split(","));
  check(rows.length === 28, `28 forecast rows (got ${rows.length})`);
  const col = (n) => header.indexOf(n);
  const ordered = rows.every((r) => {
    const [f, lo, hi, lo80, hi80] = [r[col("forecast")], r[col("lo_95")], r[col("hi_95")], r[col("lo_80")], r[col("hi_80")]].map(Number);
    return [f, lo, hi].every(Number.isFinite) && lo <= lo80 && lo80 <= f && f <= hi80 && hi80 <= hi && hi > lo;
  });
  check(ordered, "every exported row has lo_95 <= lo_80 <= forecast <= hi_80 <= hi_95");
  check(rows.every((r) => r[col("model")] === "ets"), "the exported model is ets");

  // The plot as a PNG for slides (Ctrl+Shift+E): a browser download of the plot's pixels.
  await focusCanvas();
  await page.mouse.move(150, 860); // off the plot: no hover tooltip in the picture
  const [picture] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Control+Shift+E")]);
  const pngName = picture.suggestedFilename();
  check(/^plot_.*_\d{8}-\d{6}\.png$/.test(pngName), `timestamped PNG name: ${pngName}`);
  const pngPath = join(artifacts, pngName);
  await picture.saveAs(pngPath);
  const png = readFileSync(pngPath);
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  const signature = png.subarray(0, 8).toString("hex") === "89504e470d0a1a0a";
  check(signature && w > 300 && h > 200 && png.length > 5000, `PNG of the plot: ${w}×${h} px, ${png.length} bytes`);

  // The report to hand over (Ctrl+Shift+H): one self-contained HTML page as a download, with
  // the headline, the plot and one table row per forecast date.
  await focusCanvas();
  const [handout] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Control+Shift+H")]);
  const reportName = handout.suggestedFilename();
  check(/^report_.*_\d{8}-\d{6}\.html$/.test(reportName), `timestamped report name: ${reportName}`);
  const reportPath = join(artifacts, reportName);
  await handout.saveAs(reportPath);
  const html = readFileSync(reportPath, "utf8");
  const tableRows = (html.match(/<tr><td>/g) || []).length;
  check(
    html.startsWith("<!DOCTYPE html>") && !html.includes("<script") && /— sales forecast<\/h2>/.test(html) &&
      /<p>Next 28 days \(/.test(html) && html.includes("<svg ") && tableRows === 28,
    `report page: headline, plot, ${tableRows} table rows`,
  );

  // 5. A malformed CSV: the validation message names the row and column; nothing crashes.
  const badPath = join(artifacts, "malformed.csv");
  writeFileSync(badPath, "date,sales\n2024-01-01,10\n2024-01-02,eleven\n2024-01-03,12\n");
  await focusCanvas();
  await chooseFile(badPath);
  await waitBody("data-status", (v) => v.startsWith("malformed.csv"));
  await idle();
  const status = await body("data-status");
  check(/error/.test(status), `validation message shown: ${status}`);
  await page.screenshot({ path: join(artifacts, "3-malformed.png") });
  check((await body("data-horizon")) === "ready", "the page is still running");

  // 6. Reload: the app kept the user's choices in browser storage itself.
  await page.reload();
  await waitBody("data-horizon", (v) => v === "ready");
  await waitBody("data-result", (v) => v.length > 0);
  check((await body("data-result")).includes("| ets | 28 steps"), `choices kept across a reload: ${await body("data-result")}`);

  // 7. The shared registry from the browser: an MLflow server over fetch (the script registered
  // "sales" with the CLI); the page's loopback origin is allowed by MLflow's default CORS.
  if (mlflowUrl) {
    await page.close();
    await open();
    await page.addInitScript((u) => {
      const s = JSON.parse(localStorage.getItem("horizon.settings") || "{}");
      s.registry = u;
      // A fresh, busy machine: MLflow's first answers and the artifact upload can take seconds.
      s.registry_timeout_secs = 60;
      localStorage.setItem("horizon.settings", JSON.stringify(s));
    }, mlflowUrl);
    await page.goto(url);
    await waitBody("data-registry", (v) => v.length > 0);
    const listed = await body("data-registry");
    check(/^models: .*sales: v1/.test(listed) && /@champion=v1/.test(listed), `MLflow registry listed in the browser: ${listed}`);
    // Register the workbench's model from the browser (Ctrl+Shift+S): a run, the artifact
    // uploaded through MLflow's artifact proxy, a new version.
    await waitBody("data-busy", (v) => v === "0");
    await focusCanvas();
    await page.keyboard.press("Control+Shift+S");
    await waitBody("data-registry", (v) => v.includes("sales: v1 v2") || v.startsWith("error:"), 180000);
    check((await body("data-registry")).includes("sales: v1 v2"), `registered to MLflow from the browser: ${await body("data-registry")}`);
    await page.screenshot({ path: join(artifacts, "4-mlflow-registry.png") });
  }

  // 7b. A registry server that accepts connections and never answers: the browser's MLflow call
  // gives up after the registry timeout (an AbortController raced against a timer), says so, and
  // the page keeps running.
  const held = [];
  const silent = createServer((socket) => held.push(socket));
  await new Promise((ok) => silent.listen(0, "127.0.0.1", ok));
  const silentUrl = `http://127.0.0.1:${silent.address().port}`;
  try {
    await page.close();
    await open();
    await page.addInitScript((u) => {
      if (sessionStorage.getItem("seeded-silent")) return;
      const s = JSON.parse(localStorage.getItem("horizon.settings") || "{}");
      s.registry = u;
      s.registry_timeout_secs = 1;
      localStorage.setItem("horizon.settings", JSON.stringify(s));
      sessionStorage.setItem("seeded-silent", "1");
    }, silentUrl);
    await page.goto(url);
    const began = Date.now();
    await waitBody("data-registry", (v) => v.length > 0, 60000);
    const said = await body("data-registry");
    check(/^error: MLflow at .* did not answer GET registered-models\/search within 1 s$/.test(said), `a silent MLflow server times out in the browser (${Date.now() - began} ms): ${said}`);
    check((await body("data-horizon")) === "ready", "the page still runs after the timeout");
  } finally {
    for (const socket of held) socket.destroy();
    silent.close();
  }

  // 8. The embedded registry of the browser (its storage): empty at first, a model registered,
  // still there after a reload.
  await page.close();
  await open();
  await page.addInitScript(() => {
    if (sessionStorage.getItem("seeded-local")) return;
    const s = JSON.parse(localStorage.getItem("horizon.settings") || "{}");
    s.registry = "local";
    s.register_name = "shop";
    localStorage.setItem("horizon.settings", JSON.stringify(s));
    sessionStorage.setItem("seeded-local", "1");
  });
  await page.goto(url);
  await waitBody("data-registry", (v) => v.length > 0);
  check((await body("data-registry")) === "models: ", `browser registry starts empty: ${await body("data-registry")}`);
  await waitBody("data-busy", (v) => v === "0");
  await focusCanvas();
  await page.keyboard.press("Control+Shift+S");
  await waitBody("data-registry", (v) => v.includes("shop: v1"), 120000);
  await page.reload();
  await waitBody("data-registry", (v) => v.length > 0);
  check((await body("data-registry")).includes("shop: v1"), `browser registry kept across a reload: ${await body("data-registry")}`);
  // 8b. The drift check in the page (Ctrl+Shift+K): the data against shop v1, which was trained
  // on all of it — nothing new to check, every series to watch, said in words.
  await waitBody("data-busy", (v) => v === "0");
  await focusCanvas();
  await page.keyboard.press("Control+Shift+K");
  await waitBody("data-monitor", (v) => v.length > 0, 120000);
  const checked = await body("data-monitor");
  check(/^shop v1: watch — 0 ok, \d+ to watch, 0 to retrain \| \d+ of \d+ series to watch — .*No sales after the training data/.test(checked), `drift check in the browser: ${checked}`);

  // 9. A composite model (the ensemble: 12 fits) on the 3-year daily series runs one fit per
  // frame: how long the page was held at most.
  await page.close();
  await open();
  await page.addInitScript(() => {
    if (sessionStorage.getItem("seeded-ensemble")) return;
    const s = JSON.parse(localStorage.getItem("horizon.settings") || "{}");
    s.model = { model: "ensemble", members: null };
    localStorage.setItem("horizon.settings", JSON.stringify(s));
    sessionStorage.setItem("seeded-ensemble", "1");
  });
  await page.goto(url);
  await waitBody("data-result", (v) => v.includes("| ensemble |"), 120000);
  await idle();
  await focusCanvas();
  await page.evaluate(() => window.horizonFrameStats());
  await chooseFile(csvPath);
  await waitBody("data-result", (v) => v.startsWith("series | ensemble |"), 120000);
  await idle();
  report.ensemble_forecast_ms = Number(((await body("data-result")).match(/\| ([0-9.]+) ms$/) || [])[1]);
  report.longest_frame_ensemble_ms = await page.evaluate(() => window.horizonFrameStats());
  check(Number.isFinite(report.ensemble_forecast_ms), `ensemble forecast in steps: ${await body("data-result")}`);

  // 10. A what-if plan remembered in browser storage (a week of promotion for S01 / P001 on the
  // sample): the GBM forecasts with it in the page, the headline gives the uplift, and the
  // export carries the forecast without the plan as its baseline column.
  await page.close();
  await open();
  await page.addInitScript(() => {
    if (sessionStorage.getItem("seeded-plan")) return;
    const s = JSON.parse(localStorage.getItem("horizon.settings") || "{}");
    s.model = { model: "gbm", season: null };
    s.horizon = 28;
    s.plan = [{ driver: "promotion", first: "2025-01-07", last: "2025-01-13", value: 1, series: ["S01", "P001"] }];
    localStorage.setItem("horizon.settings", JSON.stringify(s));
    sessionStorage.setItem("seeded-plan", "1");
  });
  await page.goto(url);
  await waitBody("data-horizon", (v) => v === "ready");
  await waitBody("data-result", (v) => v.startsWith("S01 / P001 | gbm |"), 180000);
  await idle();
  const notes = await body("data-notes");
  check(/With the plan: .* more than without it \(\+/.test(notes) && notes.includes("Plan: promotion = 1 from 7 Jan to 13 Jan 2025"), `plan applied in the browser: ${notes}`);
  await focusCanvas();
  const [planned] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Control+e")]);
  const plannedPath = join(artifacts, planned.suggestedFilename());
  await planned.saveAs(plannedPath);
  const plannedLines = readFileSync(plannedPath, "utf8").trim().split("\n");
  const ph = plannedLines[0].split(",");
  const moved = plannedLines.slice(1).map((l) => l.split(",")).filter((r) => r[ph.indexOf("forecast")] !== r[ph.indexOf("baseline")]).length;
  check(ph.includes("baseline") && moved >= 7, `export with the plan: ${plannedLines[0]}; ${moved} days moved`);

  check(consoleErrors.length === 0, `no errors or panics in the console (${consoleErrors.length})`);
  for (const e of consoleErrors) console.log("   console:", e);
} catch (e) {
  problems.push(String(e));
  console.log("FAIL", e);
} finally {
  await browser.close();
}
writeFileSync(join(artifacts, "report.json"), JSON.stringify(report, null, 2));
console.log("report:", JSON.stringify(report));
if (problems.length) {
  console.log(`${problems.length} check(s) failed`);
  process.exit(1);
}
