/**
 * The main job, end to end, as `npm start` runs it: the command after the set-up in package.json's start script
 * executes every notebook in a fresh trainlab kernel (fast mode, as CI runs it, into a temporary reports folder and
 * a fresh runs folder, as on a fresh clone) and writes a self-contained HTML report per notebook plus an index;
 * Chromium opens each report over file:// with the network blocked and checks the charts, tables, scorecard and
 * console; the executed notebooks show what they teach (tuning improves on the defaults, early stopping's hint,
 * the row-preserving feature pipeline). Also: a failing notebook stops the run and leaves no report; a changed
 * parameter shows up in the report. Sizes (issue 14): executed notebooks carry no plotly.js but a PNG per figure;
 * reports carry one packed copy of plotly.js.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { launchOfflineBrowser } from "../support/offline-browser";
import { loadCSV } from "../../lib/data/load";
import { Pipeline } from "../../lib/data/pipeline";
import { projectRoot } from "../../lib/report/environment";
import { RunRecord, listRuns } from "../../lib/report/runs";
import {
  NotebookError,
  NotebookRun,
  formatBytes,
  readRunSummaries,
  runNotebook,
  runNotebooks,
} from "../../lib/report/run-notebooks";
import { PLOTLY_MIME } from "../../lib/viz/figure";
import {
  HTML_MANAGER_ATTRIBUTE,
  SavedWidgetState,
  WIDGET_STATE_MIME,
  htmlManagerScriptTag,
} from "../../lib/report/widget-state";
import { projectNotebooks } from "../../lib/report/strip-notebooks";
import { jupyterPython } from "../../lib/report/run-notebooks";

const root = projectRoot();

/** The command `npm start` runs after its set-up step, read from package.json (e.g. `node dist/lib/report/run-notebooks.js`). */
function npmStartCommand(): string[] {
  const start = (
    JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts.start;
  const steps = start.split("&&").map((s) => s.trim());
  assert.match(steps[0], /^bash \.ci\/setup\.sh start$/, "npm start begins with the set-up");
  return steps[steps.length - 1].split(/\s+/);
}

/** Runs a command to completion, collecting its output. */
function run(
  command: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] === "node" ? process.execPath : command[0], command.slice(1), {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The outputs of the executed notebook's code cells whose source contains `marker`, as text. */
function outputsOf(reportsDir: string, name: string, marker: string): string {
  const nb = JSON.parse(fs.readFileSync(path.join(reportsDir, `${name}.ipynb`), "utf8")) as {
    cells: {
      cell_type: string;
      source: string | string[];
      outputs?: { text?: string | string[]; data?: Record<string, string | string[]> }[];
    }[];
  };
  const cells = nb.cells.filter((c) => c.cell_type === "code" && [c.source].flat().join("").includes(marker));
  assert.ok(cells.length > 0, `${name} has a code cell with ${JSON.stringify(marker)}`);
  return cells
    .flatMap((c) => c.outputs ?? [])
    .map((o) => [o.text ?? o.data?.["text/plain"] ?? ""].flat().join(""))
    .join("\n");
}

/** The SVG layer that holds a drawn trace of each Plotly trace type. */
const LAYER: Record<string, string> = {
  scatter: ".scatterlayer .trace",
  histogram: ".barlayer .trace",
  bar: ".barlayer .trace",
  box: ".boxlayer .trace",
  heatmap: ".heatmaplayer .hm",
};

interface PageCheck {
  plots: { id: string; svg: boolean; counts: Record<string, { expected: number; found: number }> }[];
  tables: number;
  scorecardRows: number;
  hasScorecardSection: boolean;
  codeCells: number;
  collapsible: number;
  header: string;
}

describe("reports: `npm start` executes every notebook and renders it (fast mode)", function () {
  this.timeout(480000);
  const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-reports-"));
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-runs-"));
  let cli: { code: number | null; stdout: string; stderr: string };
  let runs: NotebookRun[];

  before(async function () {
    this.timeout(420000);
    cli = await run([...npmStartCommand(), "--reports", reportsDir], {
      ...process.env,
      TRAINLAB_FAST: "1",
      TRAINLAB_RUNS_DIR: runsDir,
    });
    runs = readRunSummaries(reportsDir);
  });
  after(() => {
    // TRAINLAB_KEEP_REPORTS=1 keeps the reports and executed notebooks (their folder is printed) to look at.
    if (process.env.TRAINLAB_KEEP_REPORTS) console.log(`      reports kept in ${reportsDir}`);
    else fs.rmSync(reportsDir, { recursive: true, force: true });
    fs.rmSync(runsDir, { recursive: true, force: true });
  });

  it("executes every notebook without an error", () => {
    assert.equal(cli.code, 0, `the runner exited with ${cli.code}:\n${cli.stderr.slice(-3000)}`);
    const names = projectNotebooks().map((f) => path.basename(f, ".ipynb"));
    assert.match(cli.stdout, new RegExp(`running ${names.length} notebook\\(s\\) in fast mode \\(TRAINLAB_FAST=1\\)`));
    assert.match(cli.stdout, new RegExp(`${names.length}/${names.length} notebook\\(s\\) ran`));
    assert.deepEqual(
      runs.map((r) => [r.name, r.status, r.fast]),
      names.map((n) => [n, "ok", true]),
    );
  });

  it("writes one report, executed notebook and summary per notebook, and an index whose every link works", () => {
    const index = fs.readFileSync(path.join(reportsDir, "index.html"), "utf8");
    const links = [...index.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(links.length >= 2 * runs.length, "the index links every report and executed notebook");
    for (const run of runs) {
      assert.ok(links.includes(`${run.name}.html`), `index links ${run.name}.html`);
      assert.ok(index.includes(run.goals.label), `index shows the goal status of ${run.name}`);
    }
    for (const link of links) assert.ok(fs.existsSync(path.join(reportsDir, link)), `${link} exists`);
    for (const run of runs) {
      const html = fs.readFileSync(path.join(reportsDir, run.report ?? ""), "utf8");
      const copies = html.split("plotly.js v").length - 1;
      assert.equal(copies, html.includes("trainlab-plot") ? 1 : 0, `${run.name}: plotly.js inlined exactly once`);
      assert.ok(!/<script[^>]+src=["']https?:/i.test(html), `${run.name}: no script from the network`);
      const executed = JSON.parse(fs.readFileSync(path.join(reportsDir, run.executed ?? ""), "utf8")) as {
        cells: { cell_type: string; outputs?: unknown[] }[];
      };
      assert.ok(
        executed.cells.some((c) => (c.outputs ?? []).length > 0),
        `${run.name}: the executed notebook has outputs`,
      );
    }
    const full = runs.find((r) => r.name === "00-full-experiment");
    assert.ok(full && full.goals.total > 0, "the full experiment scores its goals");
  });

  it("sizes (issue 14): each executed notebook at most 1 MB plus its own data, each report at most 2.5 MB; the index shows them", () => {
    const index = fs.readFileSync(path.join(reportsDir, "index.html"), "utf8");
    for (const run of runs) {
      const report = fs.statSync(path.join(reportsDir, run.report ?? "")).size;
      const file = path.join(reportsDir, run.executed ?? "");
      const text = fs.readFileSync(file, "utf8");
      const executed = Buffer.byteLength(text);
      // "Its own data": the Plotly JSON of its figures (the numbers it plotted). Images, HTML and text count.
      const nb = JSON.parse(text) as {
        cells: { outputs?: { data?: Record<string, unknown> }[] }[];
        metadata?: Record<string, unknown>;
      };
      // Figures shown inside saved widgets (precompute()'s outputs, issue 16) are figures' data too.
      const savedWidgets = Object.values(
        (nb.metadata?.widgets as Record<string, SavedWidgetState> | undefined)?.[WIDGET_STATE_MIME]?.state ?? {},
      );
      const widgetOutputs = savedWidgets.flatMap((m) =>
        m.model_name === "OutputModel" ? (m.state.outputs as { data?: Record<string, unknown> }[]) : [],
      );
      // Measured as the file stores it (nbformat's one-space indentation puts every plotted number on its own line),
      // by serialising the notebook with and without its figures' Plotly JSON.
      const serialised = (): number => Buffer.byteLength(JSON.stringify(nb, null, 1));
      const withFigures = serialised();
      for (const o of [...nb.cells.flatMap((c) => c.outputs ?? []), ...widgetOutputs])
        if (o.data?.[PLOTLY_MIME]) o.data[PLOTLY_MIME] = {};
      const ownData = withFigures - serialised();
      // A report that shows widgets also carries @jupyter-widgets/html-manager (issue 16: the saved controls drawn
      // offline, ~0.6 MB packed). Only those reports may pass 2.5 MB, and by no more than that one script.
      const page = fs.readFileSync(path.join(reportsDir, run.report ?? ""), "utf8");
      const widgetManager = page.includes(HTML_MANAGER_ATTRIBUTE) ? Buffer.byteLength(htmlManagerScriptTag()) : 0;
      assert.ok(
        report <= 2_500_000 + widgetManager,
        `${run.name}.html is ${report} bytes (limit 2.5 MB${widgetManager ? ` + ${widgetManager} of html-manager` : ""})`,
      );
      assert.ok(
        executed - ownData <= 1_000_000,
        `${run.name}.ipynb is ${executed} bytes, ${ownData} of them its figures' data (limit 1 MB plus its data)`,
      );
      assert.deepEqual(run.bytes, { report, executed }, `${run.name}: the summary records the sizes`);
      assert.ok(
        index.includes(`<td class="size">${formatBytes(report)}</td>`),
        `the index shows ${run.name}'s report size`,
      );
      assert.ok(
        index.includes(`<small>${formatBytes(executed)}</small>`),
        `the index shows ${run.name}'s notebook size`,
      );
      const html = fs.readFileSync(path.join(reportsDir, run.report ?? ""), "utf8");
      assert.ok(
        html.includes(`<a class="executed-notebook" href="${run.name}.ipynb" download>`),
        `${run.name}: the report links its executed notebook`,
      );
      assert.doesNotMatch(
        html,
        /no training backend used|<th>backend<\/th><td><code>not reported/,
        `${run.name}: the header names the backend`,
      );
    }
  });

  it("every figure of the executed notebooks carries Plotly JSON and a PNG, no plotly.js, no chart that needs a script", () => {
    let figures = 0;
    for (const run of runs) {
      const text = fs.readFileSync(path.join(reportsDir, run.executed ?? ""), "utf8");
      assert.ok(
        !text.includes("data-trainlab-plotly") && !text.includes("plotly.js v"),
        `${run.name}: no copy of plotly.js`,
      );
      const nb = JSON.parse(text) as {
        cells: {
          outputs?: { output_type: string; data?: Record<string, unknown>; metadata?: Record<string, unknown> }[];
        }[];
      };
      for (const [i, cell] of nb.cells.entries()) {
        for (const o of cell.outputs ?? []) {
          const data = o.data ?? {};
          const html = [data["text/html"] ?? ""].flat().join("");
          assert.ok(
            !html.includes(`class="trainlab-plot"`),
            `${run.name} cell ${i}: a chart left in HTML (it would need plotly.js)`,
          );
          if (!(PLOTLY_MIME in data) && !("image/png" in data)) continue;
          figures++;
          assert.ok(PLOTLY_MIME in data, `${run.name} cell ${i}: the image's figure has Plotly JSON`);
          const png = Buffer.from(String(data["image/png"] ?? ""), "base64");
          assert.equal(
            png.subarray(1, 4).toString("latin1"),
            "PNG",
            `${run.name} cell ${i}: a PNG beside the Plotly JSON`,
          );
          const size = o.metadata?.["image/png"] as { width: number; height: number };
          assert.deepEqual(
            [png.readUInt32BE(16), png.readUInt32BE(20)],
            [size.width, size.height],
            `${run.name} cell ${i}: the PNG's size is recorded`,
          );
        }
      }
      assert.equal(
        run.staticImages,
        nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && "image/png" in o.data).length,
      );
    }
    assert.ok(figures >= 20, `${figures} figures across the notebooks`);
  });

  it("tables and text show no floating-point rounding noise (1.11e-16) and no emoji that needs an emoji font", () => {
    for (const run of runs) {
      const nb = JSON.parse(fs.readFileSync(path.join(reportsDir, run.executed ?? ""), "utf8")) as {
        cells: { outputs?: { text?: string | string[]; data?: Record<string, unknown> }[] }[];
      };
      for (const [i, cell] of nb.cells.entries()) {
        for (const o of cell.outputs ?? []) {
          const text = [o.text ?? "", o.data?.["text/plain"] ?? "", o.data?.["text/html"] ?? ""].flat().join("\n");
          assert.doesNotMatch(
            text,
            /\d(\.\d+)?e-(1[2-9]|[2-9]\d)\b/,
            `${run.name} cell ${i}: a rounding error printed as a number`,
          );
          assert.doesNotMatch(
            text,
            /\p{Emoji_Presentation}/u,
            `${run.name} cell ${i}: an emoji glyph (a box without an emoji font)`,
          );
        }
      }
    }
  });

  it("reopened untrusted in the classic Notebook (as after saving), every figure of every executed notebook shows its image", async () => {
    // A fresh Jupyter home: no notebook is trusted, and no kernel is found (none is started; outputs render anyway).
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-classic-"));
    const dir = path.join(home, "notebooks");
    fs.mkdirSync(dir);
    for (const run of runs)
      fs.copyFileSync(path.join(reportsDir, run.executed ?? ""), path.join(dir, run.executed ?? ""));
    const env = {
      ...process.env,
      HOME: home,
      JUPYTER_PATH: path.join(home, "none"),
      JUPYTER_DATA_DIR: path.join(home, "data"),
      JUPYTER_CONFIG_DIR: path.join(home, "config"),
      JUPYTER_RUNTIME_DIR: path.join(home, "runtime"),
    };
    const port = 20000 + (process.pid % 20000);
    const server = spawn(
      jupyterPython(),
      [
        "-m",
        "notebook",
        "--no-browser",
        `--port=${port}`,
        "--port-retries=50",
        "--ip=127.0.0.1",
        "--NotebookApp.token=",
        "--NotebookApp.password=",
        "--allow-root",
        `--notebook-dir=${dir}`,
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    const browser = await launchOfflineBrowser();
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let log = "";
        const timer = setTimeout(() => reject(new Error(`the classic Notebook did not start:\n${log}`)), 60000);
        const onData = (chunk: Buffer): void => {
          log += chunk.toString("utf8");
          const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(log);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        };
        server.stdout.on("data", onData);
        server.stderr.on("data", onData);
        server.on("exit", (code) => reject(new Error(`the classic Notebook exited with ${code}:\n${log}`)));
      });
      const page = await browser.context.newPage();
      for (const run of runs) {
        const nb = JSON.parse(fs.readFileSync(path.join(dir, run.executed ?? ""), "utf8")) as {
          cells: { outputs?: { data?: Record<string, unknown> }[] }[];
        };
        const figures = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && "image/png" in o.data).length;
        await page.goto(`${url}notebooks/${run.executed}`);
        await page.waitForFunction(
          () =>
            (window as unknown as { Jupyter?: { notebook?: { _fully_loaded?: boolean } } }).Jupyter?.notebook
              ?._fully_loaded === true,
          null,
          { timeout: 60000 },
        );
        const seen = await page.evaluate(() => ({
          trusted: (window as unknown as { Jupyter: { notebook: { trusted: boolean } } }).Jupyter.notebook.trusted,
          images: Array.from(document.querySelectorAll(".output_area img")).filter(
            (i) => (i as HTMLImageElement).src.startsWith("data:image/png") && (i as HTMLImageElement).naturalWidth > 0,
          ).length,
          emptyHtml: Array.from(document.querySelectorAll(".output_html")).filter(
            (e) => e.textContent?.trim() === "" && !e.querySelector("img, svg"),
          ).length,
        }));
        assert.equal(seen.trusted, false, `${run.name}: opened untrusted`);
        assert.equal(seen.images, figures, `${run.name}: ${seen.images} of ${figures} figures show their image`);
        assert.equal(seen.emptyHtml, 0, `${run.name}: no output left blank`);
        if (process.env.TRAINLAB_SCREENSHOTS)
          await page.screenshot({ path: path.join(process.env.TRAINLAB_SCREENSHOTS, `classic-${run.name}.png`) });
      }
    } finally {
      await browser.close();
      server.kill("SIGTERM");
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("opens in Chromium over file:// offline: charts drew their traces, tables and scorecard present, no script error", async () => {
    const browser = await launchOfflineBrowser();
    try {
      for (const run of runs) {
        const { page, errors, blocked } = await browser.open(path.join(reportsDir, run.report ?? ""));
        const plotCount = await page.evaluate(() => document.querySelectorAll(".trainlab-plot").length);
        await page.waitForFunction(
          (n) => document.querySelectorAll(".trainlab-plot .plot-container svg.main-svg").length >= n,
          plotCount,
          { timeout: 60000 },
        );
        await page.waitForTimeout(200);
        const check = await page.evaluate((layers): PageCheck => {
          const plots = Array.from(document.querySelectorAll(".trainlab-plot")).map((el) => {
            const plot = el as HTMLElement & { _fullData?: { type: string; visible: unknown }[] };
            const counts: Record<string, { expected: number; found: number }> = {};
            for (const t of (plot._fullData ?? []).filter((d) => d.visible === true))
              (counts[t.type] ??= { expected: 0, found: 0 }).expected++;
            for (const t of Object.keys(counts)) {
              const sel = layers[t];
              counts[t].found = sel
                ? plot.querySelectorAll(sel).length
                : t === "parcoords"
                  ? plot.querySelectorAll(".parcoords .y-axis").length
                  : plot.querySelectorAll(".trace").length;
            }
            return { id: plot.id, svg: !!plot.querySelector(".plot-container svg.main-svg"), counts };
          });
          return {
            plots,
            tables: document.querySelectorAll("main table").length,
            scorecardRows: document.querySelectorAll("#scorecard table.trainlab-scorecard tbody tr").length,
            hasScorecardSection: !!document.querySelector("header #scorecard"),
            codeCells: document.querySelectorAll("section.cell.code").length,
            collapsible: document.querySelectorAll("section.cell.code details.input").length,
            header: (document.querySelector("header table.facts") as HTMLElement | null)?.innerText ?? "",
          };
        }, LAYER);
        // TRAINLAB_SCREENSHOTS=DIR keeps a full-page screenshot of every report, to look at.
        if (process.env.TRAINLAB_SCREENSHOTS) {
          fs.mkdirSync(process.env.TRAINLAB_SCREENSHOTS, { recursive: true });
          await page.screenshot({
            path: path.join(process.env.TRAINLAB_SCREENSHOTS, `${run.name}.png`),
            fullPage: true,
          });
        }
        await page.close();
        assert.ok(check.plots.length > 0, `${run.name}: has charts`);
        for (const p of check.plots) {
          assert.ok(p.svg, `${run.name} ${p.id}: an SVG in .plot-container`);
          assert.ok(Object.keys(p.counts).length > 0, `${run.name} ${p.id}: has visible traces`);
          for (const [type, c] of Object.entries(p.counts)) {
            if (type === "parcoords") assert.ok(c.found >= 2, `${run.name} ${p.id}: parallel coordinate axes drawn`);
            else
              assert.ok(
                c.found >= Math.min(c.expected, type === "bar" || type === "histogram" ? 1 : c.expected) && c.found > 0,
                `${run.name} ${p.id}: ${c.found} of ${c.expected} ${type} trace(s) drawn`,
              );
          }
        }
        assert.ok(check.tables > 0, `${run.name}: tables present`);
        assert.ok(check.hasScorecardSection, `${run.name}: the header has the scorecard section`);
        assert.ok(check.scorecardRows > 0, `${run.name}: the scorecard lists the goals`);
        assert.equal(check.collapsible, check.codeCells, `${run.name}: every code cell can be collapsed`);
        for (const fact of ["run date", "git commit", "seed", "backend", "package versions", "data fingerprint"])
          assert.ok(check.header.includes(fact), `${run.name}: header shows ${fact}`);
        assert.match(check.header, /sha256:[0-9a-f]{16}/, `${run.name}: a data fingerprint`);
        assert.deepEqual(errors, [], `${run.name}: no script error`);
        assert.deepEqual(blocked, [], `${run.name}: no network request`);
      }
    } finally {
      await browser.close();
    }
  });

  it("the executed notebooks show their lessons: tuning beats the defaults, early stopping's hint, a row-preserving pipeline", async () => {
    // 05: each model is scored on the validation split with its defaults and after the search, and recorded as a run.
    const latest = (name: string): RunRecord => {
      const found = listRuns({ name, dir: runsDir })
        .filter((r) => r.name === name)
        .pop();
      assert.ok(found, `05-evaluate-tune recorded a run "${name}"`);
      return found;
    };
    for (const [before, after] of [
      ["tune-logreg-default", "tune-logreg-grid"],
      ["tune-tree-default", "tune-tree-random"],
    ]) {
      const [b, a] = [latest(before).metrics, latest(after).metrics];
      assert.ok(
        a.val_log_loss < b.val_log_loss,
        `${after}: validation log loss ${a.val_log_loss} is lower than ${before}'s ${b.val_log_loss}`,
      );
    }
    assert.notEqual(
      latest("tune-logreg-grid").params.C,
      latest("tune-logreg-default").params.C,
      "the grid search moved C off the default",
    );
    assert.match(
      outputsOf(reportsDir, "05-evaluate-tune", "beforeAfter("),
      /logistic regression, default → grid-searched C: validation log loss \d\.\d+ → \d\.\d+ \(-\d+%\)/,
    );

    // 04: the regularised MLP stops early; its hint agrees with the lesson. The chosen classical model gets a learning curve.
    const fixed = outputsOf(reportsDir, "04-train", 'earlyStopping: { monitor: "val_loss"');
    assert.match(fixed, /stopped: early-stopping after \d+ epochs/);
    assert.match(fixed, /More epochs would not help/);
    assert.doesNotMatch(fixed, /More epochs may help/);
    assert.match(
      outputsOf(reportsDir, "04-train", "learningCurve("),
      /Learning curve of \w+ \(pipeline\)[\s\S]*training rows\s+train f1_macro\s+validation f1_macro/,
    );

    // 02: duplicates were removed before the split, the checklist says so from the record, and the saved feature
    // pipeline keeps one row per input row (a repeated test row stays two rows).
    assert.match(
      outputsOf(reportsDir, "02-prepare-data", "prep.checklist("),
      /\[x\] clean \(duplicates, missing values\): dropDuplicates removed \d+ duplicate row\(s\) of \d+ from the whole table before the split/,
    );
    const features = Pipeline.fromJSON(fs.readFileSync(path.join(runsDir, "prep", "features.json"), "utf8"));
    assert.equal(features.preservesRows, true);
    assert.ok(
      !features.steps.some((step) => step.kind === "DropDuplicates"),
      "no DropDuplicates step in the production pipeline",
    );
    const test = await loadCSV(path.join(runsDir, "prep", "test.csv"));
    const repeated = test.concat(test.slice(0, 1));
    assert.equal(features.transform(repeated).numRows(), test.numRows() + 1);
  });

  it("05 and 06 show the lessons their prose draws (issue 15): a binary trade-off, a threshold chosen on validation, intervals, fairness, drift → retrain", () => {
    // 05: the binary task is not saturated: its ROC AUC is below 0.99, so the curves show a trade-off.
    const auc = /roc_auc\s+(\d\.\d+)\s+\[(\d\.\d+), (\d\.\d+)\]/.exec(
      outputsOf(reportsDir, "05-evaluate-tune", "evaluateModel(wageModel"),
    );
    assert.ok(auc, "05 prints the binary task's ROC AUC with its interval");
    assert.ok(Number(auc[1]) < 0.99 && Number(auc[1]) > 0.6, `binary ROC AUC ${auc[1]} is between 0.6 and 0.99`);
    // 05: with a miss costing 4 false alarms, the cheapest threshold is below 0.5, finds more low-paid workers and costs less.
    const sweep = outputsOf(reportsDir, "05-evaluate-tune", "const costMiss = 4");
    const line = (label: string) =>
      new RegExp(`^${label}\\s+threshold (\\d\\.\\d+): flags \\d+, recall (\\d\\.\\d+) .* cost (\\d+)$`, "m").exec(
        sweep,
      );
    const [atHalf, cheapest] = [line("default"), line("cheapest")];
    assert.ok(atHalf && cheapest, sweep);
    assert.equal(atHalf[1], "0.50");
    assert.ok(Number(cheapest[1]) < 0.5, `chosen threshold ${cheapest[1]} is below 0.5`);
    assert.ok(Number(cheapest[2]) > Number(atHalf[2]), "the lower threshold has the higher recall");
    assert.ok(Number(cheapest[3]) < Number(atHalf[3]), "and the lower cost on validation");
    // 05: each tuning gain is read from its paired interval, and the reading matches the interval.
    const gains = [
      ...outputsOf(reportsDir, "05-evaluate-tune", "const rowLogLoss =").matchAll(
        /drops by (-?\d\.\d+) \(paired 95% bootstrap interval \[(-?\d\.\d+), (-?\d\.\d+)\]\): (.+)$/gm,
      ),
    ];
    assert.equal(gains.length, 2, "two paired intervals");
    for (const [, , lo, , reading] of gains) assert.equal(/above 0/.test(reading), Number(lo) > 0, reading);
    assert.match(
      outputsOf(reportsDir, "05-evaluate-tune", "const tiedDraws ="),
      /\d+ of \d+ draws are within one standard error of it/,
    );
    // 05: scored by macro-F1 the grid is saturated: several values of C are tied with the best, and the line says so.
    const f1Tie = /^(\d+) of 7 values of C are tied with the best \(C = [\d.]+\) by 03's rule: (.+)$/m.exec(
      outputsOf(reportsDir, "05-evaluate-tune", "const tiedF1 ="),
    );
    assert.ok(f1Tie, "05 counts the values of C tied on macro-F1");
    assert.ok(Number(f1Tie[1]) >= 2, `macro-F1 is saturated: ${f1Tie[1]} value(s) of C tied with the best`);
    assert.equal(/cannot choose/.test(f1Tie[2]), Number(f1Tie[1]) > 1, f1Tie[2]);
    // 05: the scorecard judges the kept model with its intervals: accuracy passes only when its lower bound meets 0.95.
    const kept = /^(PASS|FAIL|\?\?\?\?)\s+accuracy ≥ 0\.95: [\d.]+ \(95% CI ([\d.]+)–/m.exec(
      outputsOf(reportsDir, "05-evaluate-tune", "keptEvaluation"),
    );
    assert.ok(kept, "05's scorecard shows the kept model's accuracy with its interval");
    assert.equal(kept[1] === "PASS", Number(kept[2]) >= 0.95, kept[0]);
    // 06: the holdout shows an interval, and the digit holdout runs before the adversarial attack uses the images.
    assert.match(
      outputsOf(reportsDir, "06-validate", "const final = await holdout("),
      /accuracy 0\.\d+ \(95% CI \[0\.\d+, [01]\.\d+\], wilson\)/,
    );
    assert.match(
      outputsOf(reportsDir, "06-validate", "const digitHoldout = await holdout("),
      /^accuracy 0\.\d+ \(95% CI[\s\S]*Adversarial robustness/,
    );
    // 06: an all-correct group gets a Wilson interval that is not the degenerate [1, 1].
    for (const [, right, n, lo] of outputsOf(reportsDir, "06-validate", "wilsonInterval(right, rows.length)").matchAll(
      /: (\d+) of (\d+) right, Wilson 95% interval \[(\d\.\d+), /g,
    )) {
      if (right === n) assert.ok(Number(lo) < 1, `${right}/${n} has a lower bound below 1`);
    }
    // 06: fairness: per-sex rates with intervals, and a recall gap whose reading matches its interval.
    const fairness = outputsOf(reportsDir, "06-validate", "recallGapCi");
    const gap =
      /recall gap \(women − men\): (-?\d\.\d+), 95% bootstrap interval \[(-?\d\.\d+), (-?\d\.\d+)\]: (.+)$/m.exec(
        fairness,
      );
    assert.ok(gap, fairness);
    assert.ok(Number(gap[2]) <= Number(gap[1]) && Number(gap[1]) <= Number(gap[3]), "the gap lies in its interval");
    assert.equal(/beyond the noise/.test(gap[4]), Number(gap[2]) > 0 || Number(gap[3]) < 0, gap[4]);
    assert.match(fairness, /female\s+\d+\s+0\.\d\d \[0\.\d\d, [01]\.\d\d\]/, "rates with Wilson intervals");
    // 06's prose: the test AUC is lower than 05's validation AUC, and the two intervals overlap.
    const testAuc = /ROC AUC (\d\.\d+) \[(\d\.\d+), (\d\.\d+)\]/.exec(fairness);
    assert.ok(testAuc, fairness);
    assert.ok(
      Number(testAuc[1]) < Number(auc[1]) && Number(testAuc[3]) > Number(auc[2]),
      `test AUC ${testAuc[0]} against validation ${auc[0]}`,
    );
    // 06: drift → retrain: the drift check fires on the new colony, and retraining recovers accuracy beyond both intervals.
    const colony = outputsOf(reportsDir, "06-validate", "fitColonies(firstColonies.concat(dreamLabelled))");
    assert.match(colony, /Data drift \(reference vs current\): FAIL/);
    const retrain =
      /before retraining (\d\.\d+) \[(\d\.\d+), (\d\.\d+)\]; after retraining with \d+ labelled Dream rows (\d\.\d+) \[(\d\.\d+), (\d\.\d+)\]/.exec(
        colony,
      );
    assert.ok(retrain, colony);
    assert.ok(
      Number(retrain[5]) > Number(retrain[3]),
      `after ${retrain[4]} [${retrain[5]}, …] is above before's upper bound ${retrain[3]}`,
    );
    // 06: importance ranks one-hot variables as one feature each.
    const importance = outputsOf(reportsDir, "06-validate", "groups: { island:");
    assert.doesNotMatch(importance, /island_(Biscoe|Dream|Torgersen)/);
    assert.match(importance, /correlation of flipper length and body mass on the training rows: r = 0\.[89]\d/);
  });

  it("the executed notebooks show the lessons their prose draws (issue 15): ln k, one change at a time, the learning-rate regimes, small test sets, choice against tuning", () => {
    // 04: the untrained network's cross-entropy starts near ln 3.
    const start = /cross-entropy of the untrained network: (\d+\.\d+); ln 3 = 1\.0986/.exec(
      outputsOf(reportsDir, "04-train", "const untrained = mlp("),
    );
    assert.ok(start, "04 prints the starting loss");
    assert.ok(Math.abs(Number(start[1]) / Math.log(3) - 1) < 0.2, `starting loss ${start[1]} is within 20% of ln 3`);
    // 04: each fix alone lowers the overfitting run's validation loss.
    const controlled = [
      ...outputsOf(reportsDir, "04-train", "const variants: Variant[]").matchAll(
        /^(.+): validation log loss (\d+\.\d+) → (\d+\.\d+)/gm,
      ),
    ];
    assert.equal(controlled.length, 3, "three single-change runs");
    for (const [, change, before, after] of controlled)
      assert.ok(Number(after) < Number(before), `${change}: ${before} → ${after}`);
    // 04: the learning-rate sweep runs from "too small" through "learns" to "diverges" at its largest rate.
    const verdicts = [
      ...outputsOf(reportsDir, "04-train", "const rates = [").matchAll(
        /too small: loss still above ln 3 \/ 2 after 40 epochs|\blearns\b|\bdiverges\b/g,
      ),
    ].map((m) => m[0]);
    assert.equal(verdicts.length, 7, verdicts.join(", "));
    assert.match(verdicts[0], /^too small/, "the smallest rate barely learns");
    const smallest = /^0\s+0\.0001\s+\d+\.\d+\s+(\d+\.\d+)/m.exec(outputsOf(reportsDir, "04-train", "const rates = ["));
    assert.ok(
      smallest && Math.abs(Number(smallest[1]) / Math.log(3) - 1) < 0.2,
      `at the smallest rate the loss ends near ln 3: ${smallest?.[1]}`,
    );
    assert.equal(verdicts[6], "diverges", "the largest rate diverges");
    assert.ok(verdicts.includes("learns"), "some rate in between learns");
    // 04: the Adam-against-SGD time gap is explained by how the batches ran; with fusedStep: false, Adam runs unfused.
    assert.match(
      outputsOf(reportsDir, "04-train", "fusedStep: fusedStep"),
      /adam with fusedStep: false: batches ran as separate tfjs operations/,
    );
    // 04: after the same 40 epochs, a larger batch (fewer steps) ends with a higher training loss.
    const batches = [
      ...outputsOf(reportsDir, "04-train", "const batchSizes = [").matchAll(
        /^batch (\d+): \d+ step\(s\) per epoch, final training loss (\d+\.\d+)/gm,
      ),
    ].map((m) => [Number(m[1]), Number(m[2])]);
    assert.equal(batches.length, 4, "four batch sizes");
    for (let i = 1; i < batches.length; i++)
      assert.ok(
        batches[i][1] > batches[i - 1][1],
        `batch ${batches[i][0]} ends above batch ${batches[i - 1][0]}: ${JSON.stringify(batches)}`,
      );
    // 02: a 10% test split is 35 rows, and 34/35 has a 95% interval from about 0.86 to 0.99, as the prose says.
    assert.match(
      outputsOf(reportsDir, "02-prepare-data", "const nTest ="),
      /test split: 35 rows; .* 95% interval \[0\.8[5-6]\d, 0\.99\d\]/,
    );
    const leak = /train-only statistics: mean (\d+\.\d) g.*whole table \(test rows included\): mean (\d+\.\d) g/.exec(
      outputsOf(reportsDir, "02-prepare-data", "const scalingOf ="),
    );
    assert.ok(leak && leak[1] !== leak[2], "fitting on the whole table changes the scaler's statistics");
    // 05: the choice of algorithm moved macro-F1 more than tuning did.
    assert.match(
      outputsOf(reportsDir, "05-evaluate-tune", "const choiceScores ="),
      /The choice of algorithm moved macro-F1 \d+\.\d× as much as tuning did\.|Tuning did not move macro-F1 at all/,
    );
  });

  it("the executed notebooks show the lessons their prose draws (issue 15, part 2): real duplicates and label issues, blank penguins, split sizes, naive Bayes, a sequence model against persistence, CNN against logistic regression", () => {
    const num = (m: RegExpExecArray | null, i: number, what: string): number => {
      assert.ok(m, what);
      return Number(m[i]);
    };
    // 02: the penguins have no duplicate; iris has one, the UCI copy three (its two documented errors repeat row 10).
    const dup = outputsOf(reportsDir, "02-prepare-data", "const uciErrors");
    assert.match(dup, /iris as Fisher published it: 1 duplicate row\(s\) \(rows 102 = 143\)/);
    assert.match(
      dup,
      /the UCI copy: 3 duplicate row\(s\) \(rows 10 = 35 = 38; 102 = 143\); dropDuplicates keeps 147 of 150 rows/,
    );
    // 02: two penguins have no measurement, both in train; imputed, the Gentoo is an Adelie to a model that never saw it,
    // and the validation score is the same with and without them.
    const blank = outputsOf(reportsDir, "02-prepare-data", "const isBlank");
    assert.match(blank, /rows with every measurement missing: 2 in the table; 2 in train, 0 in validation, 0 in test/);
    assert.ok(
      num(
        /Gentoo from Biscoe, imputed: the model gives its true species (\d\.\d+); most likely Adelie/.exec(blank),
        1,
        "the Gentoo line",
      ) < 0.5,
    );
    const val = /validation: (\d+) of 69 right with the two rows, (\d+) without them/.exec(blank);
    assert.ok(val && val[1] === val[2], "the same validation score with and without the blank penguins");
    // 02: 80-10-10 leaves a validation part whose interval is about 0.17 wide, 70-20-10 one about 0.11 wide; ±0.02 takes over 400 rows.
    const plans = outputsOf(reportsDir, "02-prepare-data", "const planRows");
    const width80 = num(
      /80-10-10: \d+ training rows; validation \d+ rows \(interval width (\d\.\d+)\)/.exec(plans),
      1,
      "80-10-10",
    );
    const width70 = num(
      /70-20-10: \d+ training rows; validation \d+ rows \(interval width (\d\.\d+)\)/.exec(plans),
      1,
      "70-20-10",
    );
    assert.ok(width80 > 0.15 && width80 < 0.2 && width70 > 0.09 && width70 < 0.12, `${width80}, ${width70}`);
    assert.ok(num(/to ±0\.02: (\d+)/.exec(plans), 1, "rows for ±0.02") > 400);
    // 02: the weather labels: flagged days, rain on days with 0 mm, and drizzle labels that stop after 2013.
    const labels = outputsOf(reportsDir, "02-prepare-data", "const weatherIssues");
    assert.ok(
      num(
        /(\d+) of 1461 days flagged; by given → suggested label: (fog|drizzle) → (sun|fog)/.exec(labels),
        1,
        "flagged days",
      ) > 50,
    );
    assert.ok(num(/days labelled rain with 0 mm of precipitation: (\d+)/.exec(labels), 1, "dry rain days") > 0);
    assert.match(labels, /days labelled drizzle by year: 2012 \d+, 2013 \d+, 2015 \d+\n/, "no drizzle label in 2014");
    // 03: naive Bayes is far behind on the one-hot features, recovers most of the gap on the measurements alone, and its
    // log loss stays worse than logistic regression's.
    const nb = outputsOf(reportsDir, "03-choose-algorithm", "new GaussianNB()");
    const f1Of = (name: string) =>
      num(new RegExp(`^${name}: macro-F1 (\\d\\.\\d+) ± \\d\\.\\d+, log loss (\\d+\\.\\d+)`, "m").exec(nb), 1, name);
    const lossOf = (name: string) =>
      num(new RegExp(`^${name}: macro-F1 \\d\\.\\d+ ± \\d\\.\\d+, log loss (\\d+\\.\\d+)`, "m").exec(nb), 1, name);
    assert.ok(f1Of("naive Bayes") < f1Of("logistic regression") - 0.1, "naive Bayes is far behind on one-hot features");
    assert.ok(
      f1Of("naive Bayes, measurements only") > f1Of("naive Bayes") + 0.1,
      "the measurements alone recover most of the gap",
    );
    assert.ok(f1Of("naive Bayes, measurements only") < f1Of("logistic regression, measurements only"), "still behind");
    assert.ok(
      lossOf("naive Bayes, measurements only") > lossOf("logistic regression, measurements only"),
      "worse log loss",
    );
    // 03: on 2015, persistence beats the majority clearly; the LSTM beats persistence but not clearly (its gain interval
    // includes 0), scores within 0.02 of the flattened logistic regression; naive Bayes is below persistence.
    const seq = outputsOf(reportsDir, "03-choose-algorithm", "const forecasts");
    const row = (name: string) => {
      const m = new RegExp(
        `^${name.replace(/[()=]/g, "\\$&")}: accuracy (\\d\\.\\d+) \\[[^\\]]+\\]; against persistence [+-]?(\\d\\.\\d+) \\[(-?\\d\\.\\d+), (-?\\d\\.\\d+)\\]`,
        "m",
      ).exec(seq);
      assert.ok(m, name);
      return { accuracy: Number(m[1]), low: Number(m[3]), high: Number(m[4]) };
    };
    const [majority, persistence, lstm, flatLr, flatNb] = [
      "majority (always dry)",
      "persistence (tomorrow = today)",
      "LSTM on the 7 days in order",
      "logistic regression on the 7 days, flattened",
      "naive Bayes on the 7 days, flattened",
    ].map(row);
    assert.ok(majority.high < 0, "the majority is clearly below persistence");
    assert.ok(
      lstm.accuracy > persistence.accuracy && lstm.low < 0 && lstm.high > 0,
      `the LSTM beats persistence, not clearly: ${JSON.stringify(lstm)}`,
    );
    assert.ok(Math.abs(lstm.accuracy - flatLr.accuracy) <= 0.02, "reading the days in order adds nothing measurable");
    assert.ok(flatNb.accuracy < persistence.accuracy, "naive Bayes is below persistence");
    // 04: logistic regression < MLP < CNN on the same digits; the CNN's gain over logistic regression is clear, and it
    // makes a fraction of logistic regression's errors; most of the CNN's mistakes fool logistic regression too.
    const images = outputsOf(reportsDir, "04-train", "const imageModels");
    const errorsOf = (name: string) =>
      num(new RegExp(`^${name.replace(/[()]/g, "\\$&")}: (\\d+) errors in 1000`, "m").exec(images), 1, name);
    const [lrErrors, mlpErrors, cnnErrors] = [
      "logistic regression (one softmax layer)",
      "MLP (128 hidden units)",
      "CNN (trained above)",
    ].map(errorsOf);
    assert.ok(lrErrors > mlpErrors && mlpErrors > cnnErrors, `errors: ${lrErrors}, ${mlpErrors}, ${cnnErrors}`);
    assert.ok(
      num(
        /^logistic regression \(one softmax layer\): .*the CNN's gain: \d\.\d+ \[(-?\d\.\d+), /m.exec(images),
        1,
        "the CNN's gain",
      ) > 0,
    );
    assert.ok(
      lrErrors >= 1.5 * cnnErrors,
      `logistic regression makes over 1.5 times the CNN's errors: ${lrErrors} against ${cnnErrors}`,
    );
    const grid = /the CNN misclassifies (\d+) of 1000 validation digits .*logistic regression gets (\d+) of those/.exec(
      outputsOf(reportsDir, "04-train", "imageGrid("),
    );
    assert.ok(grid && Number(grid[2]) > Number(grid[1]) / 2, "most of the CNN's mistakes fool logistic regression too");
    // 04: the network written out layer by layer is the one cnn() built.
    assert.match(
      outputsOf(reportsDir, "04-train", "tf.sequential()"),
      /the same layers, shapes and weight count as the CNN cnn\(\) built: true/,
    );
  });
});

describe("reports: the runner's failure and parameter handling", function () {
  this.timeout(180000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-runner-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("stops at a failing cell, names the notebook, the cell and the error, and leaves no report", async () => {
    const notebook = path.join(root, "tests", "report", "fixtures", "failing.ipynb");
    fs.writeFileSync(path.join(dir, "failing.html"), "stale report from an earlier run");
    const outcome = await runNotebooks([notebook, path.join(root, "notebooks", "01-define-goals.ipynb")], {
      reportsDir: dir,
    });
    const failure = outcome.failure as NotebookError;
    assert.ok(failure instanceof NotebookError, String(failure));
    assert.match(failure.message, /tests\/report\/fixtures\/failing\.ipynb failed at cell 3 \(code cell 2\)/);
    assert.match(failure.message, /RangeError: cannot load 3 rows from missing\.csv/);
    assert.equal(failure.cellNumber, 3);
    assert.equal(outcome.runs.length, 0, "the run stopped: the next notebook did not run");
    assert.deepEqual(
      fs
        .readdirSync(dir)
        .filter((f) => !f.endsWith(".json"))
        .sort(),
      ["index.html"],
      "no report, no stale report, no temp file",
    );
    const summary = JSON.parse(fs.readFileSync(path.join(dir, "failing.json"), "utf8")) as NotebookRun;
    assert.equal(summary.status, "failed");
    assert.ok(fs.readFileSync(path.join(dir, "index.html"), "utf8").includes("failed at cell 3"));
  });

  it("runs 00-full-experiment with changed parameters and the report shows them", async () => {
    const run = await runNotebook(path.join(root, "notebooks", "00-full-experiment.ipynb"), {
      reportsDir: dir,
      fast: true,
      params: { seed: 7, epochs: 3 },
    });
    const html = fs.readFileSync(path.join(dir, run.report ?? ""), "utf8");
    assert.deepEqual(run.injected, { seed: 7, epochs: 3 });
    assert.match(html, /<th>seed<\/th><td><code>7<\/code>/, "the header shows the new seed");
    assert.match(html, /<th>injected with -p<\/th><td><code>seed=7, epochs=3<\/code>/);
    assert.match(html, /epochs=3/, "the parameters the notebook reported");
    assert.match(html, /MLP on penguins: 3 epochs max/, "the training chart used the new epoch count");
    await assert.rejects(
      runNotebook(path.join(root, "notebooks", "00-full-experiment.ipynb"), {
        reportsDir: dir,
        params: { learning_rate: 1 },
      }),
      /has no parameter "learning_rate"/,
    );
  });
});
