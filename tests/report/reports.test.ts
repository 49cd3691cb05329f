/**
 * The main job, end to end, as `npm start` runs it: the command after the set-up in package.json's start script
 * executes every notebook in a fresh trainlab kernel (fast mode, as CI runs it, into a temporary reports folder and
 * a fresh runs folder, as on a fresh clone; the one shared run of ./fast-run.ts) and writes a self-contained HTML
 * report per notebook plus an index: every notebook ran, every file and link is there, sizes (issue 14: executed
 * notebooks carry no plotly.js but a PNG per figure; reports carry one packed copy of plotly.js), clean text.
 * Also: a failing notebook stops the run and leaves no report; a changed parameter shows up in the report.
 * The browser checks are in reports-browser.test.ts, the notebooks' lessons in reports-lessons*.test.ts.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NotebookError, NotebookRun, formatBytes, runNotebook, runNotebooks } from "../../lib/report/run-notebooks";
import { PLOTLY_MIME } from "../../lib/viz/figure";
import {
  HTML_MANAGER_ATTRIBUTE,
  SavedWidgetState,
  WIDGET_STATE_MIME,
  htmlManagerScriptTag,
} from "../../lib/report/widget-state";
import { projectNotebooks } from "../../lib/report/strip-notebooks";
import { fastRun, reportsDir, root } from "./fast-run";

describe("reports: `npm start` executes every notebook and renders it (fast mode)", function () {
  this.timeout(480000);
  let cli: { code: number | null; stdout: string; stderr: string };
  let runs: NotebookRun[];

  before(async function () {
    this.timeout(420000);
    ({ cli, runs } = await fastRun());
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
