/**
 * The main job, end to end: every notebook executes in a fresh trainlab kernel (fast mode, as CI runs it) and
 * becomes a self-contained HTML report in reports/; Chromium opens each report over file:// with the network
 * blocked and checks the charts, tables, scorecard and console. Also: a failing notebook stops the run and leaves
 * no report; a changed parameter shows up in the report.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { launchOfflineBrowser } from "../support/offline-browser";
import { projectRoot } from "../../lib/report/environment";
import { NotebookError, NotebookRun, runNotebook, runNotebooks } from "../../lib/report/run-notebooks";
import { projectNotebooks } from "../../lib/report/strip-notebooks";

const root = projectRoot();

/** The SVG layer that holds a drawn trace of each Plotly trace type. */
const LAYER: Record<string, string> = {
  scatter: ".scatterlayer .trace", histogram: ".barlayer .trace", bar: ".barlayer .trace", box: ".boxlayer .trace", heatmap: ".heatmaplayer .hm",
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

describe("reports: every notebook executes and renders (fast mode)", function () {
  this.timeout(480000);
  const reportsDir = path.join(root, "reports");
  let outcome: { runs: NotebookRun[]; failure?: Error; index: string };

  before(async function () {
    this.timeout(420000);
    outcome = await runNotebooks(projectNotebooks(), { fast: true, reportsDir });
  });

  it("executes every notebook without an error", () => {
    assert.equal(outcome.failure?.message, undefined);
    assert.deepEqual(outcome.runs.map((r) => r.status), projectNotebooks().map(() => "ok"));
  });

  it("writes one report, executed notebook and summary per notebook, and an index whose every link works", () => {
    const index = fs.readFileSync(outcome.index, "utf8");
    const links = [...index.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    for (const run of outcome.runs) {
      assert.ok(links.includes(`${run.name}.html`), `index links ${run.name}.html`);
      assert.ok(index.includes(run.goals.label), `index shows the goal status of ${run.name}`);
    }
    for (const link of links) assert.ok(fs.existsSync(path.join(reportsDir, link)), `${link} exists`);
    for (const run of outcome.runs) {
      const html = fs.readFileSync(path.join(reportsDir, run.report ?? ""), "utf8");
      const copies = html.split("plotly.js v").length - 1;
      assert.equal(copies, html.includes("trainlab-plot") ? 1 : 0, `${run.name}: plotly.js inlined exactly once`);
      assert.ok(!/<script[^>]+src=["']https?:/i.test(html), `${run.name}: no script from the network`);
      const executed = JSON.parse(fs.readFileSync(path.join(reportsDir, run.executed ?? ""), "utf8")) as { cells: { cell_type: string; outputs?: unknown[] }[] };
      assert.ok(executed.cells.some((c) => (c.outputs ?? []).length > 0), `${run.name}: the executed notebook has outputs`);
    }
    const full = outcome.runs.find((r) => r.name === "00-full-experiment");
    assert.ok(full && full.goals.total > 0, "the full experiment scores its goals");
  });

  it("opens in Chromium over file:// offline: charts drew their traces, tables and scorecard present, no script error", async () => {
    const browser = await launchOfflineBrowser();
    try {
      for (const run of outcome.runs) {
        const { page, errors, blocked } = await browser.open(path.join(reportsDir, run.report ?? ""));
        const plotCount = await page.evaluate(() => document.querySelectorAll(".trainlab-plot").length);
        await page.waitForFunction((n) => document.querySelectorAll(".trainlab-plot .plot-container svg.main-svg").length >= n, plotCount, { timeout: 60000 });
        await page.waitForTimeout(200);
        const check = await page.evaluate((layers): PageCheck => {
          const plots = Array.from(document.querySelectorAll(".trainlab-plot")).map((el) => {
            const plot = el as HTMLElement & { _fullData?: { type: string; visible: unknown }[] };
            const counts: Record<string, { expected: number; found: number }> = {};
            for (const t of (plot._fullData ?? []).filter((d) => d.visible === true)) (counts[t.type] ??= { expected: 0, found: 0 }).expected++;
            for (const t of Object.keys(counts)) {
              const sel = layers[t];
              counts[t].found = sel ? plot.querySelectorAll(sel).length : t === "parcoords" ? plot.querySelectorAll(".parcoords .y-axis").length : plot.querySelectorAll(".trace").length;
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
        await page.close();
        assert.ok(check.plots.length > 0, `${run.name}: has charts`);
        for (const p of check.plots) {
          assert.ok(p.svg, `${run.name} ${p.id}: an SVG in .plot-container`);
          assert.ok(Object.keys(p.counts).length > 0, `${run.name} ${p.id}: has visible traces`);
          for (const [type, c] of Object.entries(p.counts)) {
            if (type === "parcoords") assert.ok(c.found >= 2, `${run.name} ${p.id}: parallel coordinate axes drawn`);
            else assert.ok(c.found >= Math.min(c.expected, type === "bar" || type === "histogram" ? 1 : c.expected) && c.found > 0, `${run.name} ${p.id}: ${c.found} of ${c.expected} ${type} trace(s) drawn`);
          }
        }
        assert.ok(check.tables > 0, `${run.name}: tables present`);
        assert.ok(check.hasScorecardSection, `${run.name}: the header has the scorecard section`);
        assert.ok(check.scorecardRows > 0, `${run.name}: the scorecard lists the goals`);
        assert.equal(check.collapsible, check.codeCells, `${run.name}: every code cell can be collapsed`);
        for (const fact of ["run date", "git commit", "seed", "backend", "package versions", "data fingerprint"]) assert.ok(check.header.includes(fact), `${run.name}: header shows ${fact}`);
        assert.match(check.header, /sha256:[0-9a-f]{16}/, `${run.name}: a data fingerprint`);
        assert.deepEqual(errors, [], `${run.name}: no script error`);
        assert.deepEqual(blocked, [], `${run.name}: no network request`);
      }
    } finally {
      await browser.close();
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
    const outcome = await runNotebooks([notebook, path.join(root, "notebooks", "01-define-goals.ipynb")], { reportsDir: dir });
    const failure = outcome.failure as NotebookError;
    assert.ok(failure instanceof NotebookError, String(failure));
    assert.match(failure.message, /tests\/report\/fixtures\/failing\.ipynb failed at cell 3 \(code cell 2\)/);
    assert.match(failure.message, /RangeError: cannot load 3 rows from missing\.csv/);
    assert.equal(failure.cellNumber, 3);
    assert.equal(outcome.runs.length, 0, "the run stopped: the next notebook did not run");
    assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.endsWith(".json")).sort(), ["index.html"], "no report, no stale report, no temp file");
    const summary = JSON.parse(fs.readFileSync(path.join(dir, "failing.json"), "utf8")) as NotebookRun;
    assert.equal(summary.status, "failed");
    assert.ok(fs.readFileSync(path.join(dir, "index.html"), "utf8").includes("failed at cell 3"));
  });

  it("runs 00-full-experiment with changed parameters and the report shows them", async () => {
    const run = await runNotebook(path.join(root, "notebooks", "00-full-experiment.ipynb"), { reportsDir: dir, fast: true, params: { seed: 7, epochs: 3 } });
    const html = fs.readFileSync(path.join(dir, run.report ?? ""), "utf8");
    assert.deepEqual(run.injected, { seed: 7, epochs: 3 });
    assert.match(html, /<th>seed<\/th><td><code>7<\/code>/, "the header shows the new seed");
    assert.match(html, /<th>injected with -p<\/th><td><code>seed=7, epochs=3<\/code>/);
    assert.match(html, /epochs=3/, "the parameters the notebook reported");
    assert.match(html, /MLP on penguins: 3 epochs max/, "the training chart used the new epoch count");
    await assert.rejects(runNotebook(path.join(root, "notebooks", "00-full-experiment.ipynb"), { reportsDir: dir, params: { learning_rate: 1 } }), /has no parameter "learning_rate"/);
  });
});
