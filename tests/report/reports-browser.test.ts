/**
 * The reports of the shared fast `npm start` run (./fast-run.ts) in browsers: each executed notebook reopened untrusted
 * in the classic Notebook shows every figure's image; each report opened in Chromium over file:// with the network
 * blocked drew its charts' traces, has its tables and scorecard, and logs no script error.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { launchOfflineBrowser } from "../support/offline-browser";
import { NotebookRun, jupyterPython } from "../../lib/report/run-notebooks";
import { LAYER, PageCheck, fastRun, reportsDir } from "./fast-run";

describe("reports: `npm start` executes every notebook and renders it (fast mode)", function () {
  this.timeout(480000);
  let runs: NotebookRun[];

  before(async function () {
    this.timeout(420000);
    ({ runs } = await fastRun());
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
});
