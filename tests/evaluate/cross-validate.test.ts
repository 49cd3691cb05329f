/**
 * Cross-validation, search and learning curves: seeded, reproducible, compared with a baseline, and leak-free
 * (a scaler that records the rows it was fit on).
 */
import { strict as assert } from "assert";
import * as aq from "arquero";
import { loadDataset } from "../../lib/datasets";
import { toMatrix, takeRows } from "../../lib/data/matrix";
import { BRIDGE, DISPLAY, KernelBridge, MimeBundle, PublishOptions } from "../../lib/display";
import {
  MajorityClassifier,
  MeanRegressor,
  accuracy,
  crossValidate,
  crossValidationFolds,
  expandGrid,
  gridSearch,
  learningCurve,
  randomSearch,
  sampleParams,
} from "../../lib/evaluate";
import * as tf from "@tensorflow/tfjs";
import { KnnClassifier, RecordingScaler, TensorCentroids } from "./estimators";
import { Ridge } from "../../lib/models";

const iris = loadDataset("iris");
const features = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
const X = toMatrix(iris, features);
const y = iris.array("species") as string[];

/** iris features with a leading row-id column, for the recording scaler. */
function withIds(): number[][] {
  return Array.from({ length: X.rows }, (_, i) => [i, ...X.data.subarray(i * 4, i * 4 + 4)]);
}

describe("cross-validation folds (lib/evaluate)", () => {
  it("k-fold: every row scored exactly once, seeded, sizes differ by at most one", () => {
    const folds = crossValidationFolds(23, { k: 5, seed: 1 });
    const tested = folds.flatMap((f) => f.test).sort((a, b) => a - b);
    assert.deepEqual(
      tested,
      Array.from({ length: 23 }, (_, i) => i),
    );
    folds.forEach((f) => {
      assert.equal(f.train.length + f.test.length, 23);
      assert.ok(f.test.every((i) => !f.train.includes(i)));
    });
    assert.deepEqual(folds.map((f) => f.test.length).sort(), [4, 4, 5, 5, 5]);
    assert.deepEqual(crossValidationFolds(23, { k: 5, seed: 1 }), folds, "same seed, same folds");
    assert.notDeepEqual(crossValidationFolds(23, { k: 5, seed: 2 }), folds, "another seed, other folds");
    assert.throws(() => crossValidationFolds(3, { k: 5 }), /Cannot make 5 folds from 3 samples/);
  });

  it("stratified: each iris fold holds 10 of each species", () => {
    const folds = crossValidationFolds(150, { k: 5, seed: 3, labels: y });
    for (const f of folds) {
      for (const s of ["setosa", "versicolor", "virginica"]) assert.equal(f.test.filter((i) => y[i] === s).length, 10);
    }
  });
});

describe("crossValidate (lib/evaluate)", () => {
  it("scores each model on the same seeded folds, recomputable by hand, next to the majority baseline", async () => {
    const result = await crossValidate(
      { "knn k=5": new KnnClassifier({ k: 5 }), "knn k=1": new KnnClassifier({ k: 1 }) },
      X,
      y,
      { folds: 5, seed: 42, metrics: ["accuracy", "f1_macro", "roc_auc_ovr", "log_loss"] },
    );
    assert.deepEqual(result.models, ["knn k=5", "knn k=1", "baseline (majority class)"]);
    assert.deepEqual(result.metrics, ["accuracy", "f1_macro", "roc_auc_ovr", "log_loss"]);
    // Recompute fold 2 by hand.
    const fold = result.folds[2];
    const model = await new KnnClassifier({ k: 5 }).fit(
      takeRows(X, fold.train),
      fold.train.map((i) => y[i]),
    );
    const expected = accuracy(
      fold.test.map((i) => y[i]),
      model.predict(takeRows(X, fold.test)),
    );
    assert.equal(result.scores["knn k=5"].accuracy[2], expected);
    // The majority baseline on stratified iris folds: every class has 40 training rows, argmax ties pick "setosa".
    assert.deepEqual(result.scores["baseline (majority class)"].accuracy, [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3]);
    assert.ok(result.mean("knn k=5") > 0.9);
    assert.equal(result.best("accuracy") === "knn k=5" || result.best("accuracy") === "knn k=1", true);
    assert.equal(result.best("log_loss"), "knn k=5", "log loss: lower is better, k=1 gives hard 0/1 probabilities");
    assert.deepEqual(result.notBeatingBaseline(), []);
    const summary = result.summary().find((r) => r.model === "knn k=5" && r.metric === "accuracy")!;
    const s = result.scores["knn k=5"].accuracy;
    const mean = s.reduce((a, b) => a + b, 0) / 5;
    assert.equal(summary.mean, mean);
    assert.ok(Math.abs(summary.std - Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / 5)) < 1e-15);
  });

  it("is reproducible with a seed and changes with another", async () => {
    const run = (seed: number) => crossValidate([new KnnClassifier({ k: 3 })], X, y, { seed, folds: 4 });
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    assert.deepEqual(a.scores, b.scores);
    assert.deepEqual(a.folds, b.folds);
    assert.notDeepEqual(a.folds, c.folds);
  });

  it("is leak-free: the pipeline is fit on each fold's training rows only", async () => {
    const seen: number[][] = [];
    const result = await crossValidate(
      { model: new KnnClassifier({ k: 5 }), pipeline: () => new RecordingScaler(seen), name: "scaled knn" },
      withIds(),
      y,
      { folds: 5, seed: 11 },
    );
    assert.equal(seen.length, 5, "one pipeline fit per fold (the baseline has no pipeline)");
    seen.forEach((ids, f) => {
      const fold = result.folds[f];
      assert.deepEqual(
        ids.slice().sort((a, b) => a - b),
        fold.train.slice().sort((a, b) => a - b),
        `fold ${f}: fit saw exactly its training rows`,
      );
      const test = new Set(fold.test);
      assert.ok(
        ids.every((id) => !test.has(id)),
        `fold ${f}: no held-out row reached fit`,
      );
    });
    assert.ok(result.mean("scaled knn") > 0.85);
  });

  it("takes an arquero table with a pipeline that encodes it (one instance refit per fold)", async () => {
    const seen: number[][] = [];
    const table = aq.table({
      id: Array.from({ length: 150 }, (_, i) => i),
      ...Object.fromEntries(features.map((f) => [f, iris.array(f)])),
    });
    const scaler = new RecordingScaler(seen);
    const result = await crossValidate({ model: new KnnClassifier({ k: 5 }), pipeline: scaler }, table, y, {
      folds: 3,
      seed: 5,
    });
    assert.equal(seen.length, 3);
    seen.forEach((ids, f) => assert.equal(ids.length, result.folds[f].train.length));
  });

  it("regression: mean baseline, r2 and rmse by default, losses ranked lower-is-better", async () => {
    const cars = loadDataset("cars").filter(
      (d: { horsepower: number | null; miles_per_gallon: number | null }) =>
        d.horsepower !== null && d.miles_per_gallon !== null,
    );
    const Xc = toMatrix(cars, ["horsepower", "weight_in_lbs"]);
    const yc = cars.array("miles_per_gallon") as number[];
    const result = await crossValidate([new Ridge({ alpha: 1 })], Xc, yc, { seed: 0 });
    assert.deepEqual(result.metrics, ["r2", "rmse"]);
    assert.deepEqual(result.models, ["Ridge", "baseline (mean)"]);
    assert.ok(result.mean("Ridge", "r2") > 0.6);
    assert.ok(result.mean("baseline (mean)", "r2") <= 0);
    assert.ok(result.mean("Ridge", "rmse") < result.mean("baseline (mean)", "rmse"));
    assert.equal(result.best("rmse"), "Ridge");
  });

  it("renders a mean ± std table and a box plot of fold scores", async () => {
    const result = await crossValidate([new KnnClassifier({ k: 5 })], X, y, { seed: 1, folds: 3, metrics: "accuracy" });
    const table = result.table();
    assert.deepEqual(table.columns, ["model", "accuracy"]);
    assert.match(String(table.rows[0].accuracy), /^0\.\d{4} ± 0\.\d{4}$/);
    assert.match(String(table.rows[1].model), /baseline/);
    const fig = result.figure();
    assert.deepEqual(
      fig.data.map((t) => t.name),
      ["KnnClassifier", "baseline (majority class)"],
    );
    assert.deepEqual(fig.data[0].y, result.scores.KnnClassifier.accuracy);
    const bundle = result[DISPLAY]();
    assert.match(String(bundle["text/html"]), /<table class="trainlab-table">/);
    assert.match(String(bundle["text/html"]), /Plotly\.newPlot/);
  });

  it("reports models that do not beat the baseline", async () => {
    const result = await crossValidate([new MajorityClassifier()], X, y, { seed: 1, folds: 3 });
    assert.deepEqual(result.notBeatingBaseline(), ["MajorityClassifier"]);
    assert.match(result.toString(), /not better than the baseline: MajorityClassifier/);
  });

  it("frees each fold's model (tfjs tensors stay flat across repeated cross-validation)", async () => {
    await crossValidate([new TensorCentroids()], X, y, { folds: 3 });
    const before = tf.memory().numTensors;
    TensorCentroids.disposed = 0;
    for (let r = 0; r < 3; r++)
      await crossValidate([new TensorCentroids()], X, y, { folds: 5, seed: r, metrics: ["accuracy", "log_loss"] });
    assert.equal(TensorCentroids.disposed, 15);
    assert.equal(tf.memory().numTensors, before);
    const search = await gridSearch(new TensorCentroids(), {}, X, y, { folds: 3 });
    assert.ok(
      (search.bestModel as TensorCentroids).centroids !== undefined &&
        !(search.bestModel as TensorCentroids).centroids!.isDisposed,
      "the refit best model stays usable",
    );
    assert.ok(search.bestScore > 0.8, `nearest centroid accuracy ${search.bestScore}`);
  });

  it("rejects bad input with clear errors", async () => {
    await assert.rejects(crossValidate([new KnnClassifier()], X, y.slice(1)), /X has 150 rows but y has 149/);
    await assert.rejects(
      crossValidate([new KnnClassifier()], X, y, { metrics: ["rmse"] }),
      /"rmse" is a regression metric/,
    );
    await assert.rejects(
      crossValidate([new KnnClassifier()], X, y, { metrics: ["acuracy"] }),
      /Unknown metric "acuracy"/,
    );
    await assert.rejects(crossValidate([new KnnClassifier(), new Ridge()], X, y), /same task/);
    await assert.rejects(
      crossValidate(
        {
          model: new KnnClassifier(),
          pipeline: { fit: () => undefined, transform: (m) => takeRows(toMatrix(m), [0, 1]) },
        },
        X,
        y,
      ),
      /pipeline turned \d+ rows into 2/,
    );
  });
});

describe("gridSearch and randomSearch (lib/evaluate)", () => {
  it("expands grids (and lists of grids) like scikit-learn's ParameterGrid", () => {
    assert.deepEqual(expandGrid({ a: [1, 2], b: ["x", "y"] }), [
      { a: 1, b: "x" },
      { a: 1, b: "y" },
      { a: 2, b: "x" },
      { a: 2, b: "y" },
    ]);
    assert.deepEqual(expandGrid([{ a: [1] }, { b: [true, false] }]), [{ a: 1 }, { b: true }, { b: false }]);
  });

  it("grid search: every k on the same folds, ranked, best refit on all rows, with baseline, table and chart", async () => {
    const published: { bundle: MimeBundle; options?: PublishOptions }[] = [];
    const bridge: KernelBridge = {
      publish: (bundle, options) => published.push({ bundle, options }),
      clearOutput: () => undefined,
      signal: () => new AbortController().signal,
    };
    (globalThis as Record<symbol, unknown>)[BRIDGE] = bridge;
    let result;
    try {
      result = await gridSearch(new KnnClassifier({ k: 5 }), { k: [1, 3, 7, 15, 41] }, X, y, { folds: 5, seed: 3 });
    } finally {
      delete (globalThis as Record<symbol, unknown>)[BRIDGE];
    }
    // Progress: one display, then in-place updates of the same display id, ending at 30/30 fits.
    assert.ok(published.length >= 30);
    assert.equal(published[0].options?.update, false);
    assert.ok(
      published
        .slice(1)
        .every((p) => p.options?.update === true && p.options.displayId === published[0].options?.displayId),
    );
    assert.match(String(published[published.length - 1].bundle["text/plain"]), /30\/30 fits \(100%\).*done/);
    assert.equal(result.results.length, 5);
    // Each row's mean equals a plain crossValidate of that k with the same seed.
    const cv = await crossValidate([new KnnClassifier({ k: 15 })], X, y, {
      folds: 5,
      seed: 3,
      metrics: "accuracy",
      baseline: false,
    });
    assert.deepEqual(result.results[3].foldScores, cv.scores.KnnClassifier.accuracy);
    const best = result.results.reduce((b, r) => (r.meanScore > b.meanScore ? r : b));
    assert.equal(result.bestScore, best.meanScore);
    assert.deepEqual(result.bestParams, best.params);
    assert.equal(result.results.filter((r) => r.rank === 1).length >= 1, true);
    assert.equal(result.bestModel.fitted, true);
    assert.equal((result.bestModel as KnnClassifier).fitRows, 150, "refit on all rows");
    assert.ok(Math.abs(result.baseline.meanScore - 1 / 3) < 1e-12);
    const table = result.table();
    assert.equal(table.rows.length, 6, "5 combinations + baseline");
    assert.equal(table.rows[0].rank, 1);
    assert.equal(table.rows[5].k, "baseline (majority class)");
    const fig = result.figure();
    assert.deepEqual(fig.data[0].x, [1, 3, 7, 15, 41]);
    assert.deepEqual(
      fig.data[0].y,
      result.results.map((r) => r.meanScore),
    );
  });

  it("grid search with a pipeline stays leak-free and reproducible", async () => {
    const seen: number[][] = [];
    const spec = { model: new KnnClassifier({ k: 5 }), pipeline: () => new RecordingScaler(seen) };
    const a = await gridSearch(spec, { k: [3, 9] }, withIds(), y, { folds: 3, seed: 9, refit: false });
    const folds = crossValidationFolds(150, { k: 3, seed: 9, labels: y });
    assert.equal(seen.length, 6);
    seen.forEach((ids, i) =>
      assert.deepEqual(
        ids.slice().sort((p, q) => p - q),
        folds[i % 3].train.slice().sort((p, q) => p - q),
      ),
    );
    const b = await gridSearch(spec, { k: [3, 9] }, withIds(), y, { folds: 3, seed: 9, refit: false });
    assert.deepEqual(a.results, b.results);
    assert.throws(() => a.bestModel, /refit: false/);
    const refit = await gridSearch(spec, { k: [3, 9] }, withIds(), y, { folds: 3, seed: 9 });
    assert.ok(refit.bestPipeline, "the refit pipeline is kept");
    assert.equal(seen[seen.length - 1].length, 150, "the refit pipeline was fit on all rows");
    const predicted = await refit.predict(withIds().slice(0, 50));
    assert.ok(predicted.filter((p) => p === "setosa").length >= 48, "predict applies the pipeline, then the model");
  });

  it("random search: seeded draws from lists and ranges, unknown parameters rejected", async () => {
    const draws = sampleParams(
      { alpha: { low: 1e-3, high: 1e3, log: true }, k: { low: 1, high: 9, integer: true } },
      20,
      4,
    );
    assert.ok(
      draws.every(
        (d) =>
          (d.alpha as number) >= 1e-3 &&
          (d.alpha as number) <= 1e3 &&
          Number.isInteger(d.k) &&
          (d.k as number) >= 1 &&
          (d.k as number) <= 9,
      ),
    );
    assert.deepEqual(
      sampleParams({ alpha: { low: 0, high: 1 } }, 3, 4),
      sampleParams({ alpha: { low: 0, high: 1 } }, 3, 4),
    );
    const lists = sampleParams({ a: [1, 2, 3], b: ["x", "y"] }, 10, 1);
    assert.equal(lists.length, 6, "a finite grid is sampled without repeats");
    assert.equal(new Set(lists.map((l) => JSON.stringify(l))).size, 6);
    const cars = loadDataset("cars").filter(
      (d: { horsepower: number | null; miles_per_gallon: number | null }) =>
        d.horsepower !== null && d.miles_per_gallon !== null,
    );
    const Xc = toMatrix(cars, ["horsepower", "weight_in_lbs"]);
    const yc = cars.array("miles_per_gallon") as number[];
    const r = await randomSearch(new Ridge(), { alpha: { low: 1e-2, high: 1e6, log: true } }, Xc, yc, {
      nIter: 6,
      seed: 2,
      metric: "rmse",
    });
    assert.equal(r.results.length, 6);
    assert.equal(r.greaterIsBetter, false);
    assert.equal(r.bestScore, Math.min(...r.results.map((x) => x.meanScore)), "rmse: lower is better");
    assert.ok(r.bestScore < r.baseline.meanScore);
    await assert.rejects(
      gridSearch(new Ridge(), { beta: [1] }, Xc, yc),
      /Ridge has no parameter "beta"\. Its parameters: alpha/,
    );
  });
});

describe("learningCurve (lib/evaluate)", () => {
  it("scores growing training subsets of each fold, next to the baseline", async () => {
    const lc = await learningCurve(new KnnClassifier({ k: 3 }), X, y, { folds: 3, seed: 1, trainSizes: [0.1, 0.5, 1] });
    assert.deepEqual(lc.trainSizes, [10, 50, 100]);
    assert.equal(lc.trainScores.length, 3);
    assert.ok(lc.validationScores.every((s) => s.length === 3));
    const mean = (a: number[]): number => a.reduce((p, q) => p + q, 0) / a.length;
    assert.ok(mean(lc.validationScores[2]) > mean(lc.validationScores[0]) - 0.05);
    assert.ok(mean(lc.validationScores[2]) > 0.9);
    assert.ok(lc.baselineScore > 0.25 && lc.baselineScore < 0.4, `majority baseline ${lc.baselineScore}`);
    const fig = lc.figure();
    assert.deepEqual(fig.data.find((t) => t.name === "validation score")!.x, [10, 50, 100]);
    assert.ok(fig.data.some((t) => String(t.name).startsWith("baseline (majority class)")));
    assert.equal(lc.table().rows.length, 3);
    const again = await learningCurve(new KnnClassifier({ k: 3 }), X, y, {
      folds: 3,
      seed: 1,
      trainSizes: [0.1, 0.5, 1],
    });
    assert.deepEqual(again.validationScores, lc.validationScores);
  });

  it("MeanRegressor and MajorityClassifier follow the estimator contract", async () => {
    const m = await new MeanRegressor().fit([[0], [0], [0]], [1, 2, 6]);
    assert.deepEqual(m.predict([[5], [6]]), [3, 3]);
    const c = await new MajorityClassifier().fit([[0], [0], [0]], ["b", "a", "b"]);
    assert.deepEqual(c.predict([[1]]), ["b"]);
    assert.deepEqual(c.predictProba([[1]]), [[1 / 3, 2 / 3]]);
    assert.throws(() => new MajorityClassifier().withParams({ k: 1 }), /no parameters/);
  });
});
