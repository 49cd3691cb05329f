/**
 * Renders the notebook HTML of validate results (verdict banner, table, charts) in a real Chromium, offline, and
 * checks that every chart drew SVG traces and that no script failed.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { launchOfflineBrowser } from "../support/offline-browser";
import { resetPlotlyInlining } from "../../lib/viz/figure";
import { ensureBackend } from "../../lib/backend";
import { defineGoals } from "../../lib/goals";
import { calibration, drift, holdout, resetHoldoutRegistry, robustness, slices } from "../../lib/validate";
import { TinyLogistic, penguins, render } from "./helpers";

describe("validate results render offline in Chromium (lib/validate)", function () {
  this.timeout(120000);

  it("draws each result's verdict, table and charts with no script error", async () => {
    await ensureBackend();
    const data = penguins();
    const model = await new TinyLogistic().fit(data.Xtrain, data.ytrain);
    resetHoldoutRegistry();
    const goals = defineGoals({ task: "classification", dataset: "penguins", metric: "accuracy", target: 0.9 });
    const results = {
      goals: goals.check({ accuracy: 0.95 }),
      holdout: await holdout(model, data.Xtest, data.ytest),
      slices: slices(model, data.Xtest, data.ytest, { by: data.test.array("island") as string[], bootstrap: 100 }),
      robustness: robustness(model, data.Xtest, data.ytest, { repeats: 1 }),
      drift: drift(data.train, data.test),
      calibration: calibration(model, data.Xtest, data.ytest),
    };
    resetPlotlyInlining(); // the first chart of the page carries plotly.js
    const names = Object.keys(results) as (keyof typeof results)[];
    const body = names
      .map((n) => `<section data-name="${n}">${render(results[n])["text/html"] as string}</section>`)
      .join("\n");
    const expectedPlots = names.reduce(
      (s, n) => s + ("figures" in results[n] ? (results[n] as { figures: unknown[] }).figures.length : 0),
      0,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-validate-"));
    const file = path.join(dir, "report.html");
    fs.writeFileSync(
      file,
      `<!doctype html><html><head><meta charset="utf-8"><title>validate</title></head><body>${body}</body></html>`,
    );
    const browser = await launchOfflineBrowser();
    try {
      const { page, errors, blocked } = await browser.open(file);
      await page.waitForFunction(
        (n) => document.querySelectorAll(".trainlab-plot .plot-container svg.main-svg").length >= n,
        expectedPlots,
        { timeout: 60000 },
      );
      if (process.env.TRAINLAB_SCREENSHOT)
        await page.screenshot({ path: process.env.TRAINLAB_SCREENSHOT, fullPage: true });
      const sections = await page.evaluate(() =>
        Array.from(document.querySelectorAll("section")).map((s) => ({
          name: s.getAttribute("data-name"),
          verdict: s.querySelector(".trainlab-verdict, .trainlab-scorecard")?.textContent ?? "",
          tableRows: s.querySelectorAll("table tbody tr").length,
          plots: Array.from(s.querySelectorAll(".trainlab-plot")).map(
            (p) => p.querySelectorAll(".plot-container svg .trace, .plot-container svg .hm").length,
          ),
        })),
      );
      for (const s of sections) {
        assert.match(s.verdict, /PASS|WARN|FAIL/, `${s.name}: a verdict`);
        assert.ok(s.tableRows > 0, `${s.name}: a table with rows`);
        s.plots.forEach((traces, k) => assert.ok(traces > 0, `${s.name}: chart ${k} drew its traces`));
      }
      assert.equal(
        sections.reduce((n, s) => n + s.plots.length, 0),
        expectedPlots,
      );
      assert.deepEqual(errors, [], "no script error");
      assert.deepEqual(blocked, [], "no network request");
    } finally {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
