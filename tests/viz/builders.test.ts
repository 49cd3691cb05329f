/**
 * Every figure builder, checked on its data: the traces, their values and the layout a reader relies on.
 */
import { strict as assert } from "assert";
import { loadDataset } from "../../lib/datasets";
import {
  averagePrecision,
  calibrationCurve,
  precisionRecallCurve,
  confusionMatrix,
  rocAuc,
  rocCurve,
} from "../../lib/evaluate";
import {
  Figure,
  PlotlyTrace,
  bar,
  box,
  calibrationFigure,
  confusionMatrixFigure,
  correlationHeatmap,
  correlationMatrix,
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

const penguins = loadDataset("penguins");
const iris = loadDataset("iris");

function json(f: Figure): { data: PlotlyTrace[]; layout: Record<string, unknown> } {
  // Figures are plain JSON: they survive a round trip unchanged.
  const spec = JSON.parse(JSON.stringify(f.toJSON()));
  assert.deepEqual(spec.data.length, f.data.length);
  return spec;
}
const title = (f: Figure): string => f.title;
const arr = (t: PlotlyTrace, key: string): unknown[] => t[key] as unknown[];

/** Seeded uniform numbers (mulberry32) for synthetic scores. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("figure builders (lib/viz)", () => {
  it("histogram: one overlaid trace per species holding exactly that species' values", () => {
    const f = json(histogram(penguins, { x: "body_mass_g", color: "species", nbins: 20 }));
    assert.deepEqual(
      f.data.map((t) => t.name),
      ["Adelie", "Chinstrap", "Gentoo"],
    );
    assert.ok(f.data.every((t) => t.type === "histogram" && t.nbinsx === 20));
    const species = penguins.array("species") as string[];
    const mass = penguins.array("body_mass_g") as (number | null)[];
    const gentoo = mass.filter((m, i) => species[i] === "Gentoo" && m !== null);
    assert.deepEqual(arr(f.data[2], "x"), gentoo);
    assert.equal(f.layout.barmode, "overlay");
    const single = json(histogram(undefined, { x: [1, 2, 2, NaN, 3] }));
    assert.deepEqual(arr(single.data[0], "x"), [1, 2, 2, 3], "NaN dropped");
    assert.throws(() => histogram(penguins, { x: "mass" }), /"mass" is not in the table. Columns: species/);
  });

  it("bar: counts rows per category without y, plots given heights with y, horizontal on request", () => {
    const f = json(bar(penguins, { x: "island" }));
    const islands = penguins.array("island") as string[];
    const cats = arr(f.data[0], "x") as string[];
    const counts = arr(f.data[0], "y") as number[];
    cats.forEach((c, i) => assert.equal(counts[i], islands.filter((v) => v === c).length));
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      penguins.numRows(),
    );
    const h = json(bar({ model: ["a", "b"], acc: [0.8, 0.9] }, { x: "model", y: "acc", horizontal: true }));
    assert.deepEqual(h.data[0].y, ["a", "b"]);
    assert.deepEqual(h.data[0].x, [0.8, 0.9]);
    assert.equal(h.data[0].orientation, "h");
  });

  it("box: one box per group with its numeric values, missing values dropped", () => {
    const f = json(box(iris, { y: "petal_length", x: "species" }));
    assert.deepEqual(
      f.data.map((t) => t.name),
      ["setosa", "versicolor", "virginica"],
    );
    assert.ok(f.data.every((t) => t.type === "box" && (t.y as number[]).length === 50));
    const g = json(box(penguins, { y: "flipper_length_mm" }));
    assert.equal((g.data[0].y as number[]).length, 342, "344 penguins, 2 without flipper length");
  });

  it("scatter: x and y pairs per color group, rows with a missing coordinate left out", () => {
    const f = json(scatter(penguins, { x: "beak_length_mm", y: "beak_depth_mm", color: "species" }));
    assert.equal(f.data.length, 3);
    const total = f.data.reduce((s, t) => s + (t.x as unknown[]).length, 0);
    assert.equal(total, 342);
    f.data.forEach((t) => assert.equal((t.x as unknown[]).length, (t.y as unknown[]).length));
    const first = f.data[0];
    assert.equal((first.x as number[])[0], penguins.get("beak_length_mm", 0));
    assert.equal((first.y as number[])[0], penguins.get("beak_depth_mm", 0));
    assert.equal(
      title(scatter(penguins, { x: "beak_length_mm", y: "beak_depth_mm" })),
      "beak_depth_mm vs beak_length_mm",
    );
  });

  it("scatter matrix: n×n SVG subplots, histograms on the diagonal, cell (i, j) = column j vs column i", () => {
    const cols = ["sepal_length", "sepal_width", "petal_length"];
    const f = json(scatterMatrix(iris, { columns: cols, color: "species" }));
    assert.equal(f.data.length, 9 * 3, "9 cells × 3 species");
    const cell = (k: number): PlotlyTrace[] => f.data.filter((t) => t.xaxis === (k === 1 ? "x" : `x${k}`));
    assert.ok(cell(1).every((t) => t.type === "histogram"));
    assert.ok(cell(5).every((t) => t.type === "histogram"));
    const c2 = cell(2)[0]; // row 0 (sepal_length on y), column 1 (sepal_width on x), setosa
    assert.equal(c2.type, "scatter");
    assert.deepEqual(c2.x, (iris.array("sepal_width") as number[]).slice(0, 50));
    assert.deepEqual(c2.y, (iris.array("sepal_length") as number[]).slice(0, 50));
    assert.ok(
      f.data.every((t) => t.type !== "splom"),
      "no WebGL trace",
    );
    assert.throws(() => scatterMatrix(iris, { columns: ["sepal_length"] }), /at least 2 numeric columns/);
  });

  it("correlation heatmap: pairwise-complete Pearson (and Spearman) values, symmetric, 1 on the diagonal", () => {
    const m = correlationMatrix(penguins, { columns: ["beak_length_mm", "flipper_length_mm", "body_mass_g"] });
    assert.ok(m.values.every((row, i) => Math.abs(row[i] - 1) < 1e-12 && row.every((v, j) => v === m.values[j][i])));
    // pandas: penguins[["Flipper Length (mm)","Body Mass (g)"]].corr() -> 0.871202
    assert.ok(Math.abs(m.values[1][2] - 0.871202) < 1e-6, `flipper/mass correlation ${m.values[1][2]}`);
    const f = json(correlationHeatmap(iris));
    const t = f.data[0];
    assert.equal(t.type, "heatmap");
    assert.deepEqual(t.x, ["sepal_length", "sepal_width", "petal_length", "petal_width"]);
    assert.equal(t.zmin, -1);
    assert.equal(t.zmax, 1);
    // pandas: iris.corr() petal_length/petal_width = 0.962865
    assert.ok(Math.abs((t.z as number[][])[2][3] - 0.962865) < 1e-6);
    const spear = correlationMatrix({ a: [1, 2, 3, 4], b: [1, 4, 9, 100] }, { method: "spearman" });
    assert.equal(spear.values[0][1], 1);
  });

  it("training curves: one panel per metric with training solid and validation dashed", () => {
    const history = {
      epochs: [1, 2, 3],
      metrics: { loss: [1, 0.6, 0.4], acc: [0.5, 0.7, 0.8], val_loss: [1.1, 0.7, 0.6], val_acc: [0.4, 0.6, 0.7] },
    };
    const f = json(trainingCurves(history));
    assert.deepEqual(
      f.data.map((t) => t.name),
      ["loss", "val_loss", "acc", "val_acc"],
    );
    assert.deepEqual(f.data[1].y, [1.1, 0.7, 0.6]);
    assert.deepEqual(f.data[1].x, [1, 2, 3]);
    assert.equal((f.data[1].line as { dash: string }).dash, "dash");
    assert.equal(f.data[2].yaxis, "y2");
    const keras = json(trainingCurves({ loss: [3, 2], val_loss: [4, 3] }));
    assert.deepEqual(keras.data[0].x, [1, 2]);
    assert.throws(() => trainingCurves({}), /no metrics/);
  });

  it("confusion matrix heatmap: z is the confusion matrix, true classes top to bottom, normalized on request", () => {
    const yTrue = ["cat", "dog", "dog", "pig", "pig", "pig"];
    const yPred = ["cat", "dog", "pig", "pig", "pig", "cat"];
    const f = json(confusionMatrixFigure(yTrue, yPred));
    const t = f.data[0];
    assert.deepEqual(t.z, confusionMatrix(yTrue, yPred));
    assert.deepEqual(t.x, ["cat", "dog", "pig"]);
    assert.equal((f.layout.yaxis as { autorange: string }).autorange, "reversed");
    const n = json(confusionMatrixFigure(yTrue, yPred, { normalize: "true" }));
    assert.deepEqual((n.data[0].z as number[][])[2], [1 / 3, 0, 2 / 3]);
    assert.match((n.data[0].text as string[][])[2][2], /0\.67<br>\(2\)/);
  });

  it("ROC curves: one curve per class with its one-vs-rest AUC in the legend, plus chance", () => {
    const r = rng(7);
    const y = Array.from({ length: 90 }, (_, i) => i % 3);
    const proba = y.map((c) => {
      const row = [r(), r(), r()];
      row[c] += 0.8;
      const s = row[0] + row[1] + row[2];
      return row.map((v) => v / s);
    });
    const f = json(rocCurveFigure(y, proba));
    assert.equal(f.data.length, 4);
    for (let c = 0; c < 3; c++) {
      const truth = y.map((v) => (v === c ? 1 : 0));
      const score = proba.map((p) => p[c]);
      const auc = rocAuc(truth, score);
      assert.equal(f.data[c].name, `${c} (AUC = ${auc.toFixed(3)})`);
      assert.deepEqual(f.data[c].x, rocCurve(truth, score).fpr);
    }
    assert.match(title(rocCurveFigure(y, proba)), new RegExp(`macro AUC = ${rocAuc(y, proba).toFixed(3)}`));
    const binary = json(rocCurveFigure(["a", "b", "b", "a"], [0.1, 0.9, 0.6, 0.7]));
    assert.equal(binary.data.length, 2, "binary: one curve for the positive class + chance");
    assert.equal(binary.data[0].name, "b (AUC = 0.750)");
    assert.throws(
      () =>
        rocCurveFigure(
          [0, 0, 2, 2],
          [
            [0.5, 0.2, 0.3],
            [0.6, 0.2, 0.2],
            [0.1, 0.1, 0.8],
            [0.2, 0.2, 0.6],
          ],
          { classes: [0, 1, 2] },
        ),
      /Class 1 has no samples in y_true/,
    );
    assert.throws(() => rocCurveFigure([1, 1], [0.2, 0.8]), /single class/);
  });

  it("precision-recall curves: AP per class in the legend, binary gets the no-skill line", () => {
    const y = [0, 0, 1, 1, 0, 1, 1, 0];
    const s = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.6, 0.7];
    const f = json(precisionRecallFigure(y, s));
    assert.equal(f.data[0].name, `1 (AP = ${averagePrecision(y, s).toFixed(3)})`);
    assert.equal(f.data[1].name, "no skill (0.50)");
    assert.deepEqual(f.data[0].x, precisionRecallCurve(y, s).recall);
    assert.deepEqual(f.data[0].y, precisionRecallCurve(y, s).precision);
    const proba = s.map((v) => [1 - v, v / 2, v / 2]);
    const multi = json(
      precisionRecallFigure([0, 1, 2, 2, 0, 1, 2, 0], proba, { classes: ["x", "y", "z"].map((_, i) => i) }),
    );
    assert.equal(multi.data.length, 3);
  });

  it("calibration curve: reliability points from calibrationCurve, with the diagonal", () => {
    const r = rng(3);
    const p = Array.from({ length: 200 }, () => r());
    const y = p.map((v) => (r() < v ? 1 : 0));
    const f = json(calibrationFigure(y, p, { nBins: 5 }));
    const ref = calibrationCurve(y, p, { nBins: 5 });
    assert.equal(f.data[0].name, "perfectly calibrated");
    assert.deepEqual(f.data[1].x, ref.probPred);
    assert.deepEqual(f.data[1].y, ref.probTrue);
    assert.deepEqual(f.data[1].customdata, ref.counts);
    assert.equal(
      ref.counts.reduce((a, b) => a + b, 0),
      200,
    );
  });

  it("residuals vs predicted: residual = true − predicted at each prediction, zero line, RMSE in the title", () => {
    const f = residualsFigure([3, 5, 7], [2.5, 5, 8]);
    const spec = json(f);
    assert.deepEqual(spec.data[0].x, [2.5, 5, 8]);
    assert.deepEqual(spec.data[0].y, [0.5, 0, -1]);
    assert.deepEqual(spec.data[1].y, [0, 0]);
    assert.match(f.title, /RMSE 0\.6455/);
  });

  it("feature importance: sorted bars, largest on top, error bars, top-N", () => {
    const f = json(
      featureImportanceFigure(["a", "b", "c", "d"], [0.1, 0.5, 0.3, 0.1], { std: [0.01, 0.05, 0.03, 0.02], top: 3 }),
    );
    assert.deepEqual(f.data[0].y, ["a", "c", "b"], "Plotly draws bottom-up: largest last");
    assert.deepEqual(f.data[0].x, [0.1, 0.3, 0.5]);
    assert.deepEqual((f.data[0].error_x as { array: number[] }).array, [0.01, 0.03, 0.05]);
    assert.throws(() => featureImportanceFigure(["a"], [0.1, 0.2]), /1 feature names but 2 importances/);
  });

  it("learning curve: mean scores per size with ±1 std bands", () => {
    const f = json(
      learningCurveFigure({
        trainSizes: [10, 20],
        trainScores: [
          [1, 0.9],
          [0.95, 0.95],
        ],
        validationScores: [
          [0.6, 0.7],
          [0.8, 0.9],
        ],
        metric: "accuracy",
      }),
    );
    const val = f.data.find((t) => t.name === "validation score")!;
    assert.deepEqual(val.x, [10, 20]);
    assert.ok(Math.abs((val.y as number[])[0] - 0.65) < 1e-12 && Math.abs((val.y as number[])[1] - 0.85) < 1e-12);
    const band = f.data.find((t) => t.name === "validation ±1 std")!;
    assert.equal(band.fill, "toself");
    assert.ok(Math.abs((band.y as number[])[0] - 0.7) < 1e-12, "mean + std at the first size");
  });

  it("search results: score vs the one varied parameter; parallel coordinates for several", () => {
    const one = json(
      searchResultsFigure(
        [
          { params: { C: 10, penalty: "l2" }, meanScore: 0.8, stdScore: 0.02 },
          { params: { C: 0.1, penalty: "l2" }, meanScore: 0.7, stdScore: 0.03 },
          { params: { C: 1, penalty: "l2" }, meanScore: 0.9, stdScore: 0.01 },
        ],
        { metric: "accuracy" },
      ),
    );
    assert.deepEqual(one.data[0].x, [0.1, 1, 10]);
    assert.deepEqual(one.data[0].y, [0.7, 0.9, 0.8]);
    assert.deepEqual(one.data[1].x, [1], "best marked");
    assert.equal((one.layout.xaxis as { type: string }).type, "log");
    const many = json(
      searchResultsFigure([
        { params: { depth: 2, criterion: "gini" }, meanScore: 0.7 },
        { params: { depth: 4, criterion: "entropy" }, meanScore: 0.9 },
        { params: { depth: 4, criterion: "gini" }, meanScore: 0.85 },
      ]),
    );
    assert.equal(many.data[0].type, "parcoords");
    const dims = many.data[0].dimensions as { label: string; values: number[]; ticktext?: string[] }[];
    assert.deepEqual(
      dims.map((d) => d.label),
      ["depth", "criterion", "mean score"],
    );
    assert.deepEqual(dims[1].values, [0, 1, 0]);
    assert.deepEqual(dims[1].ticktext, ["gini", "entropy"]);
    assert.deepEqual(dims[2].values, [0.7, 0.9, 0.85]);
  });

  it("CV scores: one box per model with every fold's score, baselines in grey", () => {
    const f = json(
      cvScoresFigure(
        { tree: [0.9, 0.92, 0.88], "baseline (majority)": [0.44, 0.44, 0.45] },
        { metric: "accuracy", baselines: ["baseline (majority)"] },
      ),
    );
    assert.deepEqual(
      f.data.map((t) => t.name),
      ["tree", "baseline (majority)"],
    );
    assert.deepEqual(f.data[0].y, [0.9, 0.92, 0.88]);
    assert.equal(f.data[0].boxpoints, "all");
    assert.equal((f.data[1].marker as { color: string }).color, "#999999");
  });
});
