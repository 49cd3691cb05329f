/**
 * Renders a page of figures in a real Chromium, offline (file://, every network request blocked), and checks that
 * each figure drew its traces as SVG inside `.plot-container` and that no script error was logged.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { launchOfflineBrowser } from "../support/offline-browser";
import { loadDataset } from "../../lib/datasets";
import {
  Figure,
  bar,
  box,
  calibrationFigure,
  confusionMatrixFigure,
  correlationHeatmap,
  cvScoresFigure,
  featureImportanceFigure,
  histogram,
  learningCurveFigure,
  precisionRecallFigure,
  residualsFigure,
  rocCurveFigure,
  scatter,
  scatterMatrix,
  searchResultsFigure,
  trainingCurves,
} from "../../lib/viz";

function figures(): Record<string, Figure> {
  const penguins = loadDataset("penguins");
  const iris = loadDataset("iris");
  const y = iris.array("species") as string[];
  const classes = ["setosa", "versicolor", "virginica"];
  const petal = iris.array("petal_length") as number[];
  const proba = petal.map((p, i) => {
    const raw = [Math.exp(-((p - 1.5) ** 2)), Math.exp(-((p - 4.3) ** 2)), Math.exp(-((p - 5.6) ** 2))].map(
      (v, j) => v + 0.05 * ((i * (j + 1)) % 3),
    );
    const s = raw.reduce((a, b) => a + b, 0);
    return raw.map((v) => v / s);
  });
  const pred = proba.map((r) => classes[r.indexOf(Math.max(...r))]);
  return {
    histogram: histogram(penguins, { x: "body_mass_g", color: "species" }),
    bar: bar(penguins, { x: "island" }),
    box: box(iris, { y: "sepal_width", x: "species" }),
    scatter: scatter(penguins, { x: "beak_length_mm", y: "flipper_length_mm", color: "species" }),
    scatterMatrix: scatterMatrix(iris, { columns: ["sepal_length", "petal_length", "petal_width"], color: "species" }),
    correlation: correlationHeatmap(iris),
    training: trainingCurves({
      epochs: [1, 2, 3, 4],
      metrics: {
        loss: [1, 0.6, 0.45, 0.4],
        val_loss: [1.1, 0.7, 0.6, 0.62],
        acc: [0.5, 0.7, 0.8, 0.85],
        val_acc: [0.45, 0.65, 0.7, 0.7],
      },
    }),
    confusion: confusionMatrixFigure(y, pred),
    roc: rocCurveFigure(y, proba, { classes }),
    pr: precisionRecallFigure(y, proba, { classes }),
    calibration: calibrationFigure(
      y.map((s) => (s === "virginica" ? 1 : 0)),
      proba.map((r) => r[2]),
      { nBins: 5 },
    ),
    residuals: residualsFigure(
      petal,
      petal.map((p, i) => p + Math.sin(i)),
    ),
    importance: featureImportanceFigure(
      ["sepal_length", "sepal_width", "petal_length", "petal_width"],
      [0.1, 0.05, 0.5, 0.35],
    ),
    learningCurve: learningCurveFigure({
      trainSizes: [10, 40, 80],
      trainScores: [
        [1, 1],
        [0.98, 0.97],
        [0.97, 0.96],
      ],
      validationScores: [
        [0.7, 0.75],
        [0.9, 0.92],
        [0.95, 0.94],
      ],
    }),
    searchOne: searchResultsFigure([
      { params: { k: 1 }, meanScore: 0.9 },
      { params: { k: 5 }, meanScore: 0.95 },
      { params: { k: 9 }, meanScore: 0.93 },
    ]),
    searchMany: searchResultsFigure([
      { params: { depth: 2, criterion: "gini" }, meanScore: 0.8 },
      { params: { depth: 4, criterion: "entropy" }, meanScore: 0.9 },
      { params: { depth: 8, criterion: "gini" }, meanScore: 0.85 },
    ]),
    cvScores: cvScoresFigure(
      { knn: [0.93, 0.97, 0.95], tree: [0.9, 0.93, 0.96], "baseline (majority class)": [0.33, 0.33, 0.33] },
      { baselines: ["baseline (majority class)"] },
    ),
  };
}

/** The SVG layer that holds a trace type's drawn traces. */
const LAYER: Record<string, string> = {
  scatter: ".scatterlayer .trace",
  histogram: ".barlayer .trace",
  bar: ".barlayer .trace",
  box: ".boxlayer .trace",
  heatmap: ".heatmaplayer .hm",
};

describe("figures render offline in Chromium (lib/viz)", function () {
  this.timeout(120000);

  it("draws every figure's traces as SVG with no script error and no network request", async () => {
    const figs = figures();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-viz-"));
    const names = Object.keys(figs);
    const body = names
      .map((n, i) => `<section data-name="${n}">${figs[n].toHTML({ includePlotly: i === 0 })}</section>`)
      .join("\n");
    const file = path.join(dir, "figures.html");
    fs.writeFileSync(
      file,
      `<!doctype html><html><head><meta charset="utf-8"><title>figures</title></head><body>${body}</body></html>`,
    );
    const browser = await launchOfflineBrowser();
    try {
      const { page, errors, blocked } = await browser.open(file);
      await page.waitForFunction(
        (n) => document.querySelectorAll(".trainlab-plot .plot-container svg.main-svg").length >= n,
        names.length,
        { timeout: 60000 },
      );
      await page.waitForTimeout(300);
      const drawn = await page.evaluate((layers) => {
        return Array.from(document.querySelectorAll("section")).map((s) => {
          const plot = s.querySelector(".trainlab-plot") as HTMLElement & {
            _fullData?: { type: string; visible: unknown }[];
          };
          const svg = plot.querySelector(".plot-container svg.main-svg");
          const types = (plot._fullData ?? []).filter((t) => t.visible === true).map((t) => t.type);
          const counts: Record<string, { expected: number; found: number }> = {};
          for (const t of types) (counts[t] ??= { expected: 0, found: 0 }).expected++;
          for (const t of Object.keys(counts)) {
            const sel = layers[t];
            counts[t].found = sel
              ? plot.querySelectorAll(sel).length
              : t === "parcoords"
                ? plot.querySelectorAll(".parcoords .y-axis").length
                : -1;
          }
          return { name: s.getAttribute("data-name"), svg: !!svg, counts };
        });
      }, LAYER);
      if (process.env.TRAINLAB_DEBUG) console.log(JSON.stringify(drawn));
      for (const d of drawn) {
        assert.ok(d.svg, `${d.name}: an SVG in .plot-container`);
        assert.ok(Object.keys(d.counts).length > 0, `${d.name}: has visible traces`);
        for (const [type, c] of Object.entries(d.counts)) {
          if (type === "histogram" || type === "bar") {
            // Overlaid histograms and bars share one bar layer: one group per trace.
            assert.ok(c.found >= c.expected, `${d.name}: ${c.found} of ${c.expected} ${type} traces drawn`);
          } else if (type === "parcoords") {
            assert.ok(c.found >= 3, `${d.name}: parallel coordinate axes drawn (${c.found})`);
          } else {
            assert.equal(c.found, c.expected, `${d.name}: ${type} traces drawn`);
          }
        }
      }
      assert.deepEqual(errors, [], "no script error");
      assert.deepEqual(blocked, [], "no network request");
    } finally {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
